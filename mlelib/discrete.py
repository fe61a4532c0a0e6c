"""Likelihoods for discrete data: Bernoulli, Binomial, Categorical and Poisson.

Every family has the same six functions (``*_logpmf``, ``*_loglik``, ``*_nll``,
``*_score``, ``*_mle``, ``*_fisher``). Totals are written with the sufficient
statistics (a count of successes, class counts, a sum of counts), so each costs
one pass over the data and cannot underflow however large ``n`` is.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln, xlog1py, xlogy

from ._validate import as_counts, as_finite, as_int, as_labels, as_probability, same_length

__all__ = [
    "bernoulli_logpmf",
    "bernoulli_loglik",
    "bernoulli_nll",
    "bernoulli_score",
    "bernoulli_mle",
    "bernoulli_fisher",
    "binomial_logpmf",
    "binomial_loglik",
    "binomial_nll",
    "binomial_score",
    "binomial_mle",
    "binomial_fisher",
    "categorical_logpmf",
    "categorical_loglik",
    "categorical_nll",
    "categorical_score",
    "categorical_mle",
    "categorical_fisher",
    "poisson_logpmf",
    "poisson_loglik",
    "poisson_nll",
    "poisson_score",
    "poisson_mle",
    "poisson_fisher",
]


# --- private argument helpers (shared by the likelihood modules) -------------------------


def _scalar(arr: np.ndarray, name: str) -> float:
    """The single number in a 0-d array; parameters here are scalars, not arrays."""
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a single number, got an array of shape {arr.shape}")
    return float(arr)


def _finite_scalar(value, name: str) -> float:
    return _scalar(as_finite(value, name), name)


def _probability(value, name: str = "p", *, interior: bool = False) -> float:
    """A probability; ``interior=True`` also refuses 0 and 1, where the score and
    the Fisher information are infinite."""
    p = _scalar(as_probability(value, name), name)
    if interior and p in (0.0, 1.0):
        raise ValueError(f"{name} must lie strictly between 0 and 1 here, got {p:g}")
    return p


def _nonnegative(value, name: str) -> float:
    """A rate that may be 0: the log-likelihood is defined there (and is the MLE
    when no event is seen), the score and the Fisher information are not."""
    v = _finite_scalar(value, name)
    if v < 0:
        raise ValueError(f"{name} must be non-negative, got {v:g}")
    return v


def _positive(value, name: str) -> float:
    v = _finite_scalar(value, name)
    if v <= 0:
        raise ValueError(f"{name} must be positive, got {v:g}")
    return v


def _one_dimensional(arr: np.ndarray, name: str) -> np.ndarray:
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-dimensional, got shape {arr.shape}")
    return arr


def _counts(value, name: str) -> np.ndarray:
    return _one_dimensional(as_counts(value, name), name)


def _labels(value, name: str = "x", n_classes: int | None = None) -> np.ndarray:
    return _one_dimensional(as_labels(value, name, n_classes=n_classes), name)


def _binary(value, name: str = "x") -> np.ndarray:
    return _labels(value, name, n_classes=2).astype(float)


# --- Bernoulli ----------------------------------------------------------------------------


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
    x, p = _binary(x), _probability(p)
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
    x, p = _binary(x), _probability(p)
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
    x, p = _binary(x), _probability(p, interior=True)
    k = x.sum()
    return float(k / p - (x.size - k) / (1.0 - p))


def bernoulli_mle(x) -> float:
    """The MLE of ``p``: the fraction of ones, exactly 0.0 or 1.0 at the boundary.

    Examples
    --------
    >>> bernoulli_mle([1, 1, 1])
    1.0
    """
    x = _binary(x)
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
    p, n = _probability(p, interior=True), as_int(n, "n", minimum=1)
    return n / (p * (1.0 - p))


# --- Binomial -----------------------------------------------------------------------------


def _binomial_data(k, n) -> tuple[np.ndarray, np.ndarray]:
    k, n = _counts(k, "k"), _counts(n, "n")
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
    p = _probability(p)
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
    p = _probability(p, interior=True)
    return float(k.sum() / p - (n - k).sum() / (1.0 - p))


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
    n = _counts(n, "n")
    p = _probability(p, interior=True)
    return float(n.sum() / (p * (1.0 - p)))


# --- Categorical --------------------------------------------------------------------------


def _simplex(value, name: str = "p") -> np.ndarray:
    p = as_probability(value, name)
    if p.ndim != 1 or p.size < 2:
        raise ValueError(f"{name} must be a 1-D vector of at least 2 probabilities, got {p.shape}")
    if abs(p.sum() - 1.0) > 1e-9:
        raise ValueError(f"{name} must sum to 1, got {p.sum():.12g}")
    return p


def categorical_logpmf(x, p) -> np.ndarray:
    """Log-probability ``log p[x]`` of each class label ``x`` in ``0..K-1``.

    Parameters
    ----------
    x : array_like of int
        Labels.
    p : array_like, shape (K,)
        Class probabilities summing to 1; a class with ``p = 0`` gets ``-inf``.

    Returns
    -------
    ndarray

    Examples
    --------
    >>> categorical_logpmf([0, 2], [0.5, 0.5, 0.0])
    array([-0.69314718,        -inf])
    """
    p = _simplex(p)
    x = _labels(x, "x", n_classes=p.size)
    with np.errstate(divide="ignore"):  # log 0 = -inf is the right answer here
        return np.log(p)[x]


def categorical_loglik(x, p) -> float:
    """Total Categorical log-likelihood ``sum_j c_j log p_j`` (``c_j`` = class counts).

    Examples
    --------
    >>> round(categorical_loglik([0, 1, 1], [0.5, 0.5, 0.0]), 6)
    -2.079442
    """
    p = _simplex(p)
    counts = np.bincount(_labels(x, "x", n_classes=p.size), minlength=p.size)
    return float(xlogy(counts, p).sum())  # 0 log 0 = 0 for unseen impossible classes


def categorical_nll(x, p) -> float:
    """Negative Categorical log-likelihood, ``-categorical_loglik(x, p)``.

    Examples
    --------
    >>> round(categorical_nll([0, 1], [0.5, 0.5]), 6)
    1.386294
    """
    return -categorical_loglik(x, p)


def categorical_score(x, p) -> np.ndarray:
    """Gradient of the log-likelihood in the ``K - 1`` free probabilities.

    Parameters
    ----------
    x : array_like of int
        Labels in ``0..K-1``.
    p : array_like, shape (K,)
        Class probabilities, all strictly positive.

    Returns
    -------
    ndarray, shape (K - 1,)
        ``c_j / p_j - c_{K-1} / p_{K-1}`` for ``j = 0..K-2``.

    Notes
    -----
    Parametrisation: the free parameters are ``p_0..p_{K-2}`` and the last
    probability is ``p_{K-1} = 1 - sum`` of the others, so the sum constraint holds.

    Examples
    --------
    >>> categorical_score([0, 0, 1], [0.5, 0.5])
    array([2.])
    """
    p = _interior_simplex(p)
    c = np.bincount(_labels(x, "x", n_classes=p.size), minlength=p.size)
    return c[:-1] / p[:-1] - c[-1] / p[-1]


def _interior_simplex(p) -> np.ndarray:
    p = _simplex(p)
    if (p == 0).any():
        raise ValueError("p must be strictly positive here: the score is infinite at p_j = 0")
    return p


def categorical_mle(x, n_classes: int | None = None) -> np.ndarray:
    """The MLE of ``p``: the class frequencies (exactly 0.0 for unseen classes).

    Parameters
    ----------
    x : array_like of int
        Labels in ``0..K-1``.
    n_classes : int, optional
        ``K``; by default ``max(x) + 1`` (at least 2).

    Returns
    -------
    ndarray, shape (K,)

    Examples
    --------
    >>> categorical_mle([0, 2, 2, 2], n_classes=4)
    array([0.25, 0.  , 0.75, 0.  ])
    """
    if n_classes is not None:
        n_classes = as_int(n_classes, "n_classes", minimum=2)
    x = _labels(x, "x", n_classes=n_classes)
    return np.bincount(x, minlength=n_classes or 2) / x.size


def categorical_fisher(p, n: int = 1) -> np.ndarray:
    """Expected Fisher information in the ``K - 1`` free probabilities.

    Returns
    -------
    ndarray, shape (K - 1, K - 1)
        ``n (diag(1 / p_j) + 1 / p_{K-1})`` over ``j = 0..K-2`` (parametrisation as in
        :func:`categorical_score`). Its inverse is ``(diag(p) - p p^T) / n``, the
        multinomial covariance of the free frequencies.

    Examples
    --------
    >>> categorical_fisher([0.5, 0.5], n=10)
    array([[40.]])
    """
    p, n = _interior_simplex(p), as_int(n, "n", minimum=1)
    return n * (np.diag(1.0 / p[:-1]) + 1.0 / p[-1])


# --- Poisson ------------------------------------------------------------------------------


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
    k, rate = _counts(k, "k"), _nonnegative(rate, "rate")
    return xlogy(k, rate) - rate - gammaln(k + 1.0)  # log k! = gammaln(k + 1)


def poisson_loglik(k, rate: float) -> float:
    """Total Poisson log-likelihood ``sum(k) log(rate) - n rate - sum(log k!)``.

    Examples
    --------
    >>> round(poisson_loglik([2, 0, 1], 1.0), 6)
    -3.693147
    """
    k, rate = _counts(k, "k"), _nonnegative(rate, "rate")
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
    k, rate = _counts(k, "k"), _positive(rate, "rate")
    return float(k.sum() / rate - k.size)


def poisson_mle(k) -> float:
    """The MLE of the rate: the mean count (exactly 0.0 when every count is 0).

    Examples
    --------
    >>> poisson_mle([2, 0, 1, 1])
    1.0
    """
    k = _counts(k, "k")
    return float(k.sum() / k.size)


def poisson_fisher(rate: float, n: int = 1) -> float:
    """Expected Fisher information of ``n`` Poisson counts: ``n / rate``.

    Examples
    --------
    >>> poisson_fisher(2.0, n=10)
    5.0
    """
    return as_int(n, "n", minimum=1) / _positive(rate, "rate")
