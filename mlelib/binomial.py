"""Likelihood of the Binomial distribution: counts ``k`` of successes in ``n`` known trials.

The totals use the sufficient statistics ``sum(k)`` and ``sum(n)``, so the score, MLE
and information cost one pass over the counts; the log binomial coefficient comes from
``gammaln`` and never overflows.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln, xlog1py, xlogy

from ._scaling import exact, rounded
from ._validate import as_count_vector, as_scalar_probability, same_length

__all__ = [
    "binomial_logpmf",
    "binomial_loglik",
    "binomial_nll",
    "binomial_score",
    "binomial_mle",
    "binomial_fisher",
]


def _binomial_data(k, n) -> tuple[np.ndarray, np.ndarray]:
    k, n = as_count_vector(k, "k"), as_count_vector(n, "n")
    if n.size == 1:  # one number of trials for every count
        n = np.broadcast_to(n, k.shape)
    same_length(k, n, "k", "n")
    if (k > n).any():
        raise ValueError("k must not exceed n: a count larger than its number of trials")
    return k, n


def binomial_logpmf(k, n, p: float) -> np.ndarray:
    """Log-probability of each count ``k`` of successes in ``n`` trials.

    Parameters
    ----------
    k : array_like of int
        Success counts.
    n : int or array_like of int
        Numbers of trials (one for all, or one per count), ``n >= k``.
    p : float
        Success probability in [0, 1].

    Returns
    -------
    ndarray
        ``log C(n, k) + k log p + (n - k) log(1 - p)``.

    Notes
    -----
    ``log C(n, k) = gammaln(n+1) - gammaln(k+1) - gammaln(n-k+1)``: the coefficient
    itself overflows for ``n`` in the thousands, its logarithm never does. The
    differences of large terms cost an absolute error of about ``n log(n) 1e-16``
    (1e-8 at ``n = 10**7``, 1e-6 at ``n = 10**9``).

    Examples
    --------
    >>> round(float(binomial_logpmf(7, 10, 0.7)[0]), 6)
    -1.321151
    """
    k, n = _binomial_data(k, n)
    p = as_scalar_probability(p)
    log_coef = gammaln(n + 1.0) - gammaln(k + 1.0) - gammaln(n - k + 1.0)
    return log_coef + xlogy(k, p) + xlog1py(n - k, -p)


def binomial_loglik(k, n, p: float) -> float:
    """Total Binomial log-likelihood, the sum of :func:`binomial_logpmf`.

    Examples
    --------
    >>> round(binomial_loglik([7, 3], 10, 0.5), 6)
    -4.28796
    """
    return float(binomial_logpmf(k, n, p).sum())


def binomial_nll(k, n, p: float) -> float:
    """Negative Binomial log-likelihood, ``-binomial_loglik(k, n, p)``.

    Examples
    --------
    >>> round(binomial_nll(7, 10, 0.7), 6)
    1.321151
    """
    return -binomial_loglik(k, n, p)


def binomial_score(k, n, p: float) -> float:
    """Derivative of the Binomial log-likelihood with respect to ``p`` (``n`` is known).

    Returns
    -------
    float
        ``sum(k) / p - sum(n - k) / (1 - p)``; ``p`` must lie strictly inside (0, 1).

    Examples
    --------
    >>> round(binomial_score(7, 10, 0.5), 6)
    8.0
    """
    k, n = _binomial_data(k, n)
    p = as_scalar_probability(p, interior=True)
    p = exact(p)  # exact fractions: 1 - p is exact, and no inf - inf near the range's ends
    return rounded(exact(int(k.sum())) / p - exact(int((n - k).sum())) / (1 - p))


def binomial_mle(k, n) -> float:
    """The MLE of ``p``: total successes over total trials, ``sum(k) / sum(n)``.

    Examples
    --------
    >>> binomial_mle([7, 3], 10)
    0.5
    """
    k, n = _binomial_data(k, n)
    total = n.sum()
    if total == 0:
        raise ValueError("n must include at least one trial: with no trials p is not identified")
    return float(k.sum() / total)


def binomial_fisher(n, p: float) -> float:
    """Expected Fisher information about ``p`` from counts with ``n`` trials each.

    Parameters
    ----------
    n : int or array_like of int
        Numbers of trials; information adds up, so this is ``sum(n) / (p (1 - p))``.
        (``n`` already counts the trials, so there is no separate ``n=`` argument:
        ``m`` counts of ``n`` trials carry the information of ``m * n`` trials.)
    p : float
        Success probability strictly inside (0, 1).

    Returns
    -------
    float

    Examples
    --------
    >>> binomial_fisher(10, 0.5)
    40.0
    """
    n = as_count_vector(n, "n")
    p = as_scalar_probability(p, interior=True)
    return rounded(exact(int(n.sum())) / (exact(p) * (1 - exact(p))))  # inf beyond the range
