"""Likelihood of the Bernoulli distribution: independent 0/1 outcomes with probability ``p``.

The total is written with the sufficient statistic ``k = sum(x)``, the count of
successes, so it costs one pass over the data and cannot underflow however large
``n`` is. The boundary MLE (all zeros or all ones) is returned exactly as 0.0 or 1.0.
"""

from __future__ import annotations

import numpy as np
from scipy.special import xlog1py, xlogy

from ._scaling import exact, rounded
from ._validate import as_binary, as_int, as_scalar_probability

__all__ = [
    "bernoulli_logpmf",
    "bernoulli_loglik",
    "bernoulli_nll",
    "bernoulli_score",
    "bernoulli_mle",
    "bernoulli_fisher",
]


def bernoulli_logpmf(x, p: float) -> np.ndarray:
    """Log-probability of each 0/1 observation under Bernoulli(``p``).

    Parameters
    ----------
    x : array_like of 0/1
        Observations (a scalar is one observation).
    p : float
        Success probability in [0, 1].

    Returns
    -------
    ndarray
        ``x log p + (1 - x) log(1 - p)``; 0 log 0 counts as 0, so ``p`` = 0 or 1
        gives exactly 0 for possible data and ``-inf`` for impossible data.

    Examples
    --------
    >>> bernoulli_logpmf([1, 0], 1.0)
    array([  0., -inf])
    """
    x, p = as_binary(x), as_scalar_probability(p)
    return xlogy(x, p) + xlog1py(1.0 - x, -p)


def bernoulli_loglik(x, p: float) -> float:
    """Total Bernoulli log-likelihood ``k log p + (n - k) log(1 - p)``, ``k = sum(x)``.

    Parameters
    ----------
    x : array_like of 0/1
        Observations.
    p : float
        Success probability in [0, 1].

    Returns
    -------
    float
        The log-likelihood (``-inf`` when the data are impossible under ``p``).

    Examples
    --------
    >>> round(bernoulli_loglik([1, 1, 0], 0.5), 6)
    -2.079442
    """
    x, p = as_binary(x), as_scalar_probability(p)
    k = x.sum()
    # xlogy / xlog1py: the boundary p in {0, 1} gives 0 * log 0 = 0, not NaN.
    return float(xlogy(k, p) + xlog1py(x.size - k, -p))


def bernoulli_nll(x, p: float) -> float:
    """Negative Bernoulli log-likelihood, ``-bernoulli_loglik(x, p)``.

    Examples
    --------
    >>> round(bernoulli_nll([1, 0], 0.5), 6)
    1.386294
    """
    return -bernoulli_loglik(x, p)


def bernoulli_score(x, p: float) -> float:
    """Derivative of the Bernoulli log-likelihood with respect to ``p``.

    Parameters
    ----------
    x : array_like of 0/1
        Observations.
    p : float
        Success probability strictly inside (0, 1).

    Returns
    -------
    float
        ``k / p - (n - k) / (1 - p)``.

    Examples
    --------
    >>> bernoulli_score([1, 1, 0], 0.5)
    2.0
    """
    x, p = as_binary(x), as_scalar_probability(p, interior=True)
    k = x.sum()
    # exact fractions: 1 - p is exact, and k / p beyond the float range is inf, not an error
    return rounded(exact(int(k)) / exact(p) - exact(int(x.size - k)) / (1 - exact(p)))


def bernoulli_mle(x) -> float:
    """The MLE of ``p``: the fraction of ones, exactly 0.0 or 1.0 at the boundary.

    Examples
    --------
    >>> bernoulli_mle([1, 1, 1])
    1.0
    """
    x = as_binary(x)
    return float(x.sum() / x.size)


def bernoulli_fisher(p: float, n: int = 1) -> float:
    """Expected Fisher information of ``n`` Bernoulli trials: ``n / (p (1 - p))``.

    Parameters
    ----------
    p : float
        Success probability strictly inside (0, 1).
    n : int, default 1
        Number of observations.

    Returns
    -------
    float

    Examples
    --------
    >>> bernoulli_fisher(0.5, n=10)
    40.0
    """
    p, n = as_scalar_probability(p, interior=True), as_int(n, "n", minimum=1)
    return rounded(exact(n) / (exact(p) * (1 - exact(p))))  # inf beyond the float range
