"""Likelihoods for the univariate Gaussian and the multivariate normal (``mvn_*``).

The univariate totals use one pass for the sum of squares; the multivariate ones
work through the Cholesky factor ``cov = L L^T`` and never form an inverse to
evaluate a density: ``log|cov| = 2 sum(log diag L)`` and the Mahalanobis term is a
triangular solve, both stable when ``cov`` is badly conditioned.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import LinAlgError, cho_solve, cholesky, solve_triangular

from ._validate import as_data, as_finite, as_int, as_matrix
from .discrete import _finite_scalar, _positive

__all__ = [
    "gaussian_logpdf",
    "gaussian_loglik",
    "gaussian_nll",
    "gaussian_score",
    "gaussian_mle",
    "gaussian_fisher",
    "mvn_logpdf",
    "mvn_loglik",
    "mvn_nll",
    "mvn_score",
    "mvn_mle",
    "mvn_fisher",
]

_LOG_2PI = float(np.log(2.0 * np.pi))


def _gaussian_args(x, loc, scale) -> tuple[np.ndarray, float, float]:
    return as_data(x, "x"), _finite_scalar(loc, "loc"), _positive(scale, "scale")


def _standardized_sums(x: np.ndarray, loc: float, scale: float) -> tuple[float, float]:
    """``sum(z)`` and ``sum(z**2)`` for ``z = (x - loc) / scale``, with one temporary array.

    Not ``z @ z``: a BLAS dot wakes its worker threads, which on a busy machine costs
    far more than the sum itself; numpy's pairwise ``sum`` is fast and keeps the
    rounding error at O(log n) ulps. Standardising before squaring keeps large data
    and scales from overflowing; a ``z**2`` beyond 1e308 overflows to inf, the exact
    limit of a density that has underflowed to 0.
    """
    z = x - loc
    if scale != 1.0:
        z /= scale
    total = z.sum()
    with np.errstate(over="ignore"):
        np.square(z, out=z)
    return float(total), float(z.sum())


def gaussian_logpdf(x, loc: float, scale: float) -> np.ndarray:
    """Log-density of each observation under N(``loc``, ``scale``**2).

    Parameters
    ----------
    x : array_like
        Observations.
    loc : float
        Mean.
    scale : float
        Standard deviation, ``scale > 0``.

    Returns
    -------
    ndarray
        ``-((x - loc) / scale)**2 / 2 - log(scale) - log(2 pi) / 2``.

    Examples
    --------
    >>> gaussian_logpdf([0.0], 0.0, 1.0).round(6)
    array([-0.918939])
    """
    x, loc, scale = _gaussian_args(x, loc, scale)
    z = (x - loc) / scale
    return -0.5 * z * z - np.log(scale) - 0.5 * _LOG_2PI


def gaussian_loglik(x, loc: float, scale: float) -> float:
    """Total Gaussian log-likelihood.

    Parameters
    ----------
    x : array_like
        Observations.
    loc, scale : float
        Mean and standard deviation (``scale > 0``).

    Returns
    -------
    float
        ``-n log(2 pi) / 2 - n log(scale) - sum((x - loc)**2) / (2 scale**2)``.

    Notes
    -----
    The sum of squares takes one temporary array and one pass, so 10**6 points cost
    about a millisecond.

    Examples
    --------
    >>> round(gaussian_loglik([-1.0, 1.0], 0.0, 1.0), 6)
    -2.837877
    """
    x, loc, scale = _gaussian_args(x, loc, scale)
    _, zz = _standardized_sums(x, loc, scale)
    return float(-x.size * (0.5 * _LOG_2PI + np.log(scale)) - 0.5 * zz)


def gaussian_nll(x, loc: float, scale: float) -> float:
    """Negative Gaussian log-likelihood, ``-gaussian_loglik(x, loc, scale)``.

    Examples
    --------
    >>> round(gaussian_nll([-1.0, 1.0], 0.0, 1.0), 6)
    2.837877
    """
    return -gaussian_loglik(x, loc, scale)


def gaussian_score(x, loc: float, scale: float) -> np.ndarray:
    """Gradient of the Gaussian log-likelihood in ``(loc, scale)``.

    Returns
    -------
    ndarray, shape (2,)
        ``[sum(x - loc) / scale**2, -n / scale + sum((x - loc)**2) / scale**3]``.

    Examples
    --------
    >>> gaussian_score([-1.0, 1.0], 0.0, 1.0)
    array([0., 0.])
    """
    x, loc, scale = _gaussian_args(x, loc, scale)
    z, zz = _standardized_sums(x, loc, scale)
    return np.array([z / scale, (zz - x.size) / scale])


def gaussian_mle(x) -> tuple[float, float]:
    """The MLE ``(loc, scale)``: the mean and the ddof-0 standard deviation.

    Parameters
    ----------
    x : array_like
        At least two observations that are not all equal.

    Returns
    -------
    tuple of float
        ``(mean(x), sqrt(mean((x - mean(x))**2)))``.

    Raises
    ------
    ValueError
        If ``x`` has one observation or no spread: then the scale MLE would be 0,
        where the likelihood is unbounded (+inf), so no finite maximum exists.

    Examples
    --------
    >>> gaussian_mle([1.0, 3.0])
    (2.0, 1.0)
    """
    x = as_data(x, "x")
    loc = float(x.mean())
    _, ss = _standardized_sums(x, loc, 1.0)
    if np.isinf(ss):  # residuals beyond 1e154: square them relative to the largest
        big = float(np.abs(x - loc).max())
        scale = big * np.sqrt(_standardized_sums(x, loc, big)[1] / x.size)
    else:
        scale = np.sqrt(ss / x.size)
    # Equal data leave only rounding (a few ulps of loc) in the residuals, so scale == 0
    # is not the test; a tiny scale triggers the exact one, and costs nothing otherwise.
    if x.size == 1 or (scale <= 64 * np.finfo(float).eps * abs(loc) and (x == x[0]).all()):
        raise ValueError(
            "x has a single observation or no spread: the scale MLE would be 0, where the "
            "likelihood is unbounded"
        )
    return loc, float(scale)


def gaussian_fisher(loc: float, scale: float, n: int = 1) -> np.ndarray:
    """Expected Fisher information of ``n`` observations in ``(loc, scale)``.

    Returns
    -------
    ndarray, shape (2, 2)
        ``n diag(1 / scale**2, 2 / scale**2)``.

    Examples
    --------
    >>> gaussian_fisher(0.0, 2.0, n=4)
    array([[1., 0.],
           [0., 2.]])
    """
    _finite_scalar(loc, "loc")
    scale, n = _positive(scale, "scale"), as_int(n, "n", minimum=1)
    return n * np.diag([1.0 / scale**2, 2.0 / scale**2])


# --- multivariate normal ------------------------------------------------------------------


def _mean_vector(mean, d: int | None = None) -> np.ndarray:
    mean = as_finite(mean, "mean")
    if mean.ndim != 1 or mean.size == 0 or (d is not None and mean.size != d):
        want = f"({d},) to match X" if d is not None else "(d,)"
        raise ValueError(f"mean must have shape {want}, got {mean.shape}")
    return mean


def _cholesky(cov, d: int) -> np.ndarray:
    cov = as_finite(cov, "cov")
    if cov.shape != (d, d):
        raise ValueError(f"cov must have shape ({d}, {d}) to match mean, got {cov.shape}")
    if np.abs(cov - cov.T).max() > 1e-10 * np.abs(cov).max():
        raise ValueError("cov must be symmetric")
    try:
        return cholesky(cov, lower=True)
    except LinAlgError:
        raise ValueError("cov must be positive definite") from None


def _mvn_args(X, mean, cov) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X = as_matrix(X, "X")
    mean = _mean_vector(mean, X.shape[1])
    return X, mean, _cholesky(cov, X.shape[1])


def _duplication(d: int) -> np.ndarray:
    """D with ``vec(S) = D vech(S)`` for symmetric S; vech in ``np.tril_indices`` order."""
    rows, cols = np.tril_indices(d)
    D = np.zeros((d * d, rows.size))
    D[rows * d + cols, np.arange(rows.size)] = 1.0
    D[cols * d + rows, np.arange(rows.size)] = 1.0
    return D


def mvn_logpdf(X, mean, cov) -> np.ndarray:
    """Log-density of each row of ``X`` under N(``mean``, ``cov``).

    Parameters
    ----------
    X : array_like, shape (n, d)
        Observations, one per row (a 1-D array is read as one column).
    mean : array_like, shape (d,)
        Mean vector.
    cov : array_like, shape (d, d)
        Symmetric positive-definite covariance.

    Returns
    -------
    ndarray, shape (n,)
        ``-(d log(2 pi) + log|cov| + (x - mean)^T cov^-1 (x - mean)) / 2``.

    Examples
    --------
    >>> mvn_logpdf([[0.0, 0.0]], [0.0, 0.0], [[1.0, 0.0], [0.0, 1.0]]).round(6)
    array([-1.837877])
    """
    X, mean, L = _mvn_args(X, mean, cov)
    Z = solve_triangular(L, (X - mean).T, lower=True)  # columns: L^-1 (x - mean)
    log_det = 2.0 * np.log(np.diag(L)).sum()
    return -0.5 * (X.shape[1] * _LOG_2PI + log_det + (Z * Z).sum(axis=0))


def mvn_loglik(X, mean, cov) -> float:
    """Total multivariate normal log-likelihood, the sum of :func:`mvn_logpdf`.

    Examples
    --------
    >>> round(mvn_loglik([[0.0, 0.0], [1.0, 1.0]], [0.0, 0.0], [[1.0, 0.0], [0.0, 1.0]]), 6)
    -4.675754
    """
    return float(mvn_logpdf(X, mean, cov).sum())


def mvn_nll(X, mean, cov) -> float:
    """Negative multivariate normal log-likelihood, ``-mvn_loglik(X, mean, cov)``.

    Examples
    --------
    >>> round(mvn_nll([[0.0, 0.0]], [0.0, 0.0], [[1.0, 0.0], [0.0, 1.0]]), 6)
    1.837877
    """
    return -mvn_loglik(X, mean, cov)


def mvn_score(X, mean, cov) -> np.ndarray:
    """Gradient of the log-likelihood in ``(mean, vech(cov))``.

    Returns
    -------
    ndarray, shape (d + d (d + 1) / 2,)
        The mean block ``P sum(x - mean)`` with ``P = cov^-1``, then the covariance block
        ``D^T vec(G)``, ``G = (P S P - n P) / 2``, ``S = sum (x - mean)(x - mean)^T``.

    Notes
    -----
    Parametrisation: the covariance enters through its ``d (d + 1) / 2`` distinct
    entries ``vech(cov) = cov[np.tril_indices(d)]`` (lower triangle, row by row);
    ``D`` is the duplication matrix with ``vec(cov) = D vech(cov)``, so an off-diagonal
    entry collects the derivative of both positions it fills.

    Examples
    --------
    >>> mvn_score([[1.0, -1.0], [-1.0, 1.0]], [0.0, 0.0], np.eye(2))
    array([ 0.,  0.,  0., -2.,  0.])
    """
    X, mean, L = _mvn_args(X, mean, cov)
    P = cho_solve((L, True), np.eye(X.shape[1]))
    R = X - mean
    G = 0.5 * (P @ (R.T @ R) @ P - X.shape[0] * P)
    return np.concatenate([P @ R.sum(axis=0), _duplication(X.shape[1]).T @ G.ravel()])


def mvn_mle(X) -> tuple[np.ndarray, np.ndarray]:
    """The MLE ``(mean, cov)``: the sample mean and the ddof-0 sample covariance.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Observations with ``n > d`` and no exactly collinear columns.

    Returns
    -------
    tuple of ndarray
        ``(mean, (X - mean)^T (X - mean) / n)``.

    Raises
    ------
    ValueError
        If that covariance is singular (``n <= d`` or collinear data): the
        likelihood is then unbounded and has no maximum.

    Examples
    --------
    >>> mean, cov = mvn_mle([[0.0, 0.0], [2.0, 0.0], [0.0, 2.0], [2.0, 2.0]])
    >>> mean, cov
    (array([1., 1.]), array([[1., 0.],
           [0., 1.]]))
    """
    X = as_matrix(X, "X")
    n, d = X.shape
    mean = X.mean(axis=0)
    R = X - mean
    cov = (R.T @ R) / n
    # The rank, not a Cholesky attempt: rounding can make exactly collinear data look
    # (barely) positive definite.
    if n <= d or np.linalg.matrix_rank(R) < d:
        raise ValueError(
            f"X (n={n}, d={d}) gives a singular covariance MLE: needs n > d and no collinear "
            "columns, else the likelihood is unbounded"
        )
    return mean, cov


def mvn_fisher(mean, cov, n: int = 1) -> np.ndarray:
    """Expected Fisher information of ``n`` observations in ``(mean, vech(cov))``.

    Returns
    -------
    ndarray, square of side ``d + d (d + 1) / 2``
        Block diagonal: ``n P`` for the mean and ``n D^T (P kron P) D / 2`` for
        ``vech(cov)`` (``P = cov^-1``; ``D`` and the order as in :func:`mvn_score`).

    Examples
    --------
    >>> mvn_fisher([0.0], [[4.0]], n=2)
    array([[0.5   , 0.    ],
           [0.    , 0.0625]])
    """
    mean = _mean_vector(mean)
    d, n = mean.size, as_int(n, "n", minimum=1)
    P = cho_solve((_cholesky(cov, d), True), np.eye(d))
    D = _duplication(d)
    m = d * (d + 1) // 2
    info = np.zeros((d + m, d + m))
    info[:d, :d] = n * P
    info[d:, d:] = 0.5 * n * D.T @ np.kron(P, P) @ D
    return info
