"""Likelihood of the multivariate normal N(``mean``, ``cov``) (the ``mvn_*`` functions).

Everything works through the Cholesky factor ``cov = L L^T`` and never forms an
inverse to evaluate a density: ``log|cov| = 2 sum(log diag L)`` and the Mahalanobis
term is a triangular solve, both stable when ``cov`` is badly conditioned.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import LinAlgError, cho_solve, cholesky, solve_triangular

from ._constants import LOG_2PI
from ._scaling import column_exponents, split_residuals, split_symmetric
from ._validate import as_finite, as_int, as_matrix

_TINY = np.finfo(float).tiny

__all__ = [
    "mvn_logpdf",
    "mvn_loglik",
    "mvn_nll",
    "mvn_score",
    "mvn_mle",
    "mvn_fisher",
]


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


def _scaled_precision(cov, d: int) -> tuple[np.ndarray, np.ndarray]:
    """``(P_u, c)`` with ``cov^-1[i, j] = P_u[i, j] / 2**(c[i] + c[j])``.

    ``P_u`` is the inverse of ``cov[i, j] / 2**(c[i] + c[j])``, whose diagonal is about 1:
    each coordinate is scaled by its own power of 2 (exact), so a covariance near 1e-300 or
    1e300, or one whose variances lie that far apart, gives its precision without the
    inverse (or its Kronecker square) over- or underflowing on the way.
    """
    _cholesky(cov, d)  # the checks and their messages
    cov = as_finite(cov, "cov")
    cov_u, c = split_symmetric(cov)
    return cho_solve((cholesky(cov_u, lower=True), True), np.eye(d)), c


def _ldexp(values, e) -> np.ndarray:
    """``values * 2**e`` (``e`` an int or an array of them) rounded once: inf beyond the float
    range, 0 below it."""
    with np.errstate(over="ignore"):
        return np.ldexp(values, e)


def _vech_sum(G: np.ndarray) -> np.ndarray:
    """``D^T vec(G)``: each off-diagonal entry collects both positions, no 0 * inf products."""
    both = G + G.T
    np.fill_diagonal(both, np.diag(G))
    return both[np.tril_indices(G.shape[0])]


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
    with np.errstate(over="ignore"):  # a Mahalanobis term beyond 1e308: log density -inf
        Z = solve_triangular(L, (X - mean).T, lower=True)  # columns: L^-1 (x - mean)
        log_det = 2.0 * np.log(np.diag(L)).sum()
        return -0.5 * (X.shape[1] * LOG_2PI + log_det + (Z * Z).sum(axis=0))


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
    entry collects the derivative of both positions it fills. Each coordinate's residuals
    and variance are scaled by its own power of 2 (exact) before any product, so the score
    is right at scales near 1e-300 or 1e300, also when the coordinates' sizes lie that far
    apart; an entry beyond the float range is ``+-inf``. (The one loss: residuals that,
    each measured in its own coordinate's standard deviations, differ by a factor of more
    than about 1e150 between coordinates, where the smaller ones' squares fall below the
    float range beside the larger ones.)

    Examples
    --------
    >>> mvn_score([[1.0, -1.0], [-1.0, 1.0]], [0.0, 0.0], np.eye(2))
    array([ 0.,  0.,  0., -2.,  0.])
    """
    X = as_matrix(X, "X")
    n, d = X.shape
    mean = _mean_vector(mean, d)
    P_u, c = _scaled_precision(cov, d)  # P[i, j] = P_u[i, j] / 2**(c[i] + c[j])
    # Column j of X - mean is U[:, j] * 2**f[j] (max |U[:, j]| < 1), and in its coordinate's
    # own scale, divided by 2**c[j], it is Y[:, j] * 2**h with |Y| <= 1: no product below
    # overflows, and columns and a covariance of very different sizes are all kept.
    U, f = zip(*(split_residuals(X[:, j], mean[j]) for j in range(d)), strict=True)
    g = np.array(f) - c
    h = int(g.max())
    Y = _ldexp(np.column_stack(U), g - h)
    # G = (P S P - n P) / 2 with S = R^T R: entry (i, j) is (A 4**h - n P_u)[i, j] / 2
    # / 2**(c[i] + c[j]); the two terms are scaled separately, and where both overflow (then G
    # does too) the factored form gives the signed inf.
    cc = c[:, None] + c[None, :]
    A, nP = P_u @ (Y.T @ Y) @ P_u, n * P_u
    with np.errstate(invalid="ignore"):
        G = 0.5 * (_ldexp(A, 2 * h - cc) - _ldexp(nP, -cc))
    lost = np.isnan(G)
    if lost.any():
        G[lost] = _ldexp(0.5 * (_ldexp(A, 2 * h) - nP), -cc)[lost]
    return np.concatenate([_ldexp(P_u @ Y.sum(axis=0), h - c), _vech_sum(G)])


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
    # Column j is U[:, j] * 2**e[j]: no column's mean or sums of squares over- or underflow,
    # however far apart the columns' scales are (cov[i, j] is (R^T R)[i, j] * 2**(e[i] + e[j])).
    e = column_exponents(X)
    U = np.ldexp(X, -e)
    mean_u = U.mean(axis=0)
    R = U - mean_u
    # The rank, not a Cholesky attempt: rounding can make exactly collinear data look
    # (barely) positive definite.
    if n <= d or np.linalg.matrix_rank(R) < d:
        raise ValueError(
            f"X (n={n}, d={d}) gives a singular covariance MLE: needs n > d and no collinear "
            "columns, else the likelihood is unbounded"
        )
    mean, cov = np.ldexp(mean_u, e), _ldexp((R.T @ R) / n, e[:, None] + e[None, :])
    if not _TINY <= np.diag(cov).min() <= np.diag(cov).max() < np.inf:
        raise ValueError(
            "X has variances outside the float range (about 2e-308 to 2e308): the covariance "
            "MLE cannot be represented (rescale X)"
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
    P_u, c = _scaled_precision(cov, d)  # P[i, j] = P_u[i, j] / 2**(c[i] + c[j])
    D = _duplication(d)
    m = d * (d + 1) // 2
    # kron(P, P) at (vec (a, b), vec (a', b')) is P[a, a'] P[b, b']: the power of 2 it is
    # divided by is t[a, b] + t[a', b'] with t = c[a] + c[b], the same for both positions
    # an entry of vech(cov) fills, so D^T ... D keeps it.
    t = (c[:, None] + c[None, :])[np.tril_indices(d)]
    info = np.zeros((d + m, d + m))
    info[:d, :d] = _ldexp(n * P_u, -(c[:, None] + c[None, :]))
    info[d:, d:] = _ldexp(0.5 * n * D.T @ np.kron(P_u, P_u) @ D, -(t[:, None] + t[None, :]))
    return info
