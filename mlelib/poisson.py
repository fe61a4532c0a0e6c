"""Likelihood of the Poisson distribution: counts with mean ``rate``.

The total is written with the sufficient statistic ``sum(k)``, so it costs one pass
over the counts and cannot underflow however large ``n`` is. A rate of 0 is allowed
in the likelihood (only ``k = 0`` is possible there, and it is the MLE when every count
is 0); the score and the Fisher information need ``rate > 0``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln, xlogy

from ._scaling import exact, rounded
from ._validate import as_count_vector, as_int, as_scalar_nonnegative, as_scalar_positive

__all__ = [
    "poisson_logpmf",
    "poisson_loglik",
    "poisson_nll",
    "poisson_score",
    "poisson_mle",
    "poisson_fisher",
]


def poisson_logpmf(k, rate: float) -> np.ndarray:
    """Log-probability ``k log(rate) - rate - log k!`` of each count.

    Parameters
    ----------
    k : array_like of int
        Counts.
    rate : float
        Mean, ``rate >= 0`` (at 0 only ``k = 0`` is possible).

    Returns
    -------
    ndarray

    Notes
    -----
    ``log k! = gammaln(k + 1)``; for huge counts the difference of large terms costs
    an absolute error of about ``k log(k) 1e-16``.

    Examples
    --------
    >>> poisson_logpmf([0, 1], 0.0)
    array([  0., -inf])
    """
    k, rate = as_count_vector(k, "k"), as_scalar_nonnegative(rate, "rate")
    return xlogy(k, rate) - rate - gammaln(k + 1.0)  # log k! = gammaln(k + 1)


def poisson_loglik(k, rate: float) -> float:
    """Total Poisson log-likelihood ``sum(k) log(rate) - n rate - sum(log k!)``.

    Examples
    --------
    >>> round(poisson_loglik([2, 0, 1], 1.0), 6)
    -3.693147
    """
    k, rate = as_count_vector(k, "k"), as_scalar_nonnegative(rate, "rate")
    return float(xlogy(k.sum(), rate) - k.size * rate - gammaln(k + 1.0).sum())


def poisson_nll(k, rate: float) -> float:
    """Negative Poisson log-likelihood, ``-poisson_loglik(k, rate)``.

    Examples
    --------
    >>> round(poisson_nll([2, 0, 1], 1.0), 6)
    3.693147
    """
    return -poisson_loglik(k, rate)


def poisson_score(k, rate: float) -> float:
    """Derivative of the Poisson log-likelihood: ``sum(k) / rate - n`` (``rate > 0``).

    Examples
    --------
    >>> poisson_score([2, 0, 1], 1.0)
    0.0
    """
    k, rate = as_count_vector(k, "k"), as_scalar_positive(rate, "rate")
    return rounded(exact(int(k.sum())) / exact(rate) - k.size)  # exact: no inf - inf


def poisson_mle(k) -> float:
    """The MLE of the rate: the mean count (exactly 0.0 when every count is 0).

    Examples
    --------
    >>> poisson_mle([2, 0, 1, 1])
    1.0
    """
    k = as_count_vector(k, "k")
    return float(k.sum() / k.size)


def poisson_fisher(rate: float, n: int = 1) -> float:
    """Expected Fisher information of ``n`` Poisson counts: ``n / rate``.

    Examples
    --------
    >>> poisson_fisher(2.0, n=10)
    5.0
    """
    n, rate = as_int(n, "n", minimum=1), as_scalar_positive(rate, "rate")
    return rounded(exact(n) / exact(rate))  # rounded once: inf beyond the float range
