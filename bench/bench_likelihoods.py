"""Likelihood fits and evaluation against scipy.stats, on the same data in one process.

- Gaussian fit: ``gaussian_mle`` vs ``scipy.stats.norm.fit`` (n = 10**6).
- Poisson fit: ``poisson_mle`` vs ``scipy.stats.fit(poisson, ...)`` (n = 10**4). scipy has no
  ``poisson.fit``; ``stats.fit`` maximises the likelihood numerically (differential
  evolution, then a local polish) inside the bounds given, so it is slow and only
  approximately at the closed-form MLE, the mean.
- Gamma fit: ``gamma_mle`` (Newton on log-shape) vs ``scipy.stats.gamma.fit(x, floc=0)``
  (n = 10**5).
- Gaussian log-likelihood of 10**6 points: ``gaussian_loglik`` vs
  ``scipy.stats.norm.logpdf(x, loc, scale).sum()`` (target: ours at least 4x faster).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

import mlelib as ml

from ._timing import median_time, row

REPEAT = 31  # millisecond calls: many repeats keep the median clear of scheduler noise


def _rel(a, b) -> float:
    a, b = np.atleast_1d(np.asarray(a, dtype=float)), np.atleast_1d(np.asarray(b, dtype=float))
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def run() -> list[dict]:
    rng = np.random.default_rng(20261122)
    rows = []

    x = rng.normal(3.0, 2.0, size=10**6)
    ours, peer = ml.gaussian_mle(x), stats.norm.fit(x)
    rows.append(
        row(
            "gaussian_mle, n=10^6",
            median_time(lambda: ml.gaussian_mle(x), repeat=REPEAT),
            "scipy.stats.norm.fit",
            median_time(lambda: stats.norm.fit(x), repeat=REPEAT),
            f"max rel diff {_rel(ours, peer):.1e}",
        )
    )

    k = rng.poisson(3.7, size=10**4)
    bounds = {"mu": (0.0, 50.0), "loc": (0.0, 0.0)}
    ours = ml.poisson_mle(k)
    peer = stats.fit(stats.poisson, k, bounds=bounds).params.mu
    rows.append(
        row(
            "poisson_mle, n=10^4",
            median_time(lambda: ml.poisson_mle(k), repeat=REPEAT),
            "scipy.stats.fit(poisson)",
            median_time(lambda: stats.fit(stats.poisson, k, bounds=bounds), repeat=3),
            f"rel diff {_rel(ours, peer):.1e} (stats.fit is numerical)",
        )
    )

    g = rng.gamma(2.5, 1.7, size=10**5)
    ours = ml.gamma_mle(g)
    a, _, scale = stats.gamma.fit(g, floc=0)
    rows.append(
        row(
            "gamma_mle, n=10^5",
            median_time(lambda: ml.gamma_mle(g), repeat=REPEAT),
            "scipy.stats.gamma.fit(floc=0)",
            median_time(lambda: stats.gamma.fit(g, floc=0), repeat=REPEAT),
            f"max rel diff {_rel(ours, (a, scale)):.1e}",
        )
    )

    ours = ml.gaussian_loglik(x, 3.0, 2.0)
    peer = stats.norm.logpdf(x, 3.0, 2.0).sum()
    rows.append(
        row(
            "gaussian_loglik, n=10^6",
            median_time(lambda: ml.gaussian_loglik(x, 3.0, 2.0), repeat=REPEAT),
            "norm.logpdf(...).sum()",
            median_time(lambda: stats.norm.logpdf(x, 3.0, 2.0).sum(), repeat=REPEAT),
            f"rel diff {_rel(ours, peer):.1e}",
        )
    )
    return rows
