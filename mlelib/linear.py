"""Linear regression as likelihood: least squares, and ridge and lasso as MAP estimates.

With Gaussian noise ``y ~ N(X beta, sigma^2)`` the MLE of ``beta`` is least squares; a
Gaussian prior on the coefficients makes the MAP estimate ridge, a Laplace prior makes
it the lasso. Columns of ``X`` are used as given: add a column of ones yourself for an
intercept (it is then penalised like any other coefficient by ``ridge_map`` and ``lasso_map``).
"""

from __future__ import annotations

import numpy as np
from scipy import linalg

from ._scaling import column_exponents, prior_column_exponents, split, split_symmetric
from ._validate import (
    as_identified,
    as_int,
    as_regression_data,
    as_scalar_nonnegative,
    as_scalar_positive,
)

__all__ = ["linear_regression_mle", "ridge_map", "lasso_map"]


def linear_regression_mle(X, y) -> tuple[np.ndarray, float]:
    """Gaussian linear-regression MLE: least-squares coefficients and the 1/n variance.

    Raises
    ------
    ValueError
        If ``X`` has fewer rows than columns, or collinear columns (rank below the number
        of columns): many coefficient vectors then fit equally well, so the MLE is not
        identified. (``ridge_map`` is identified for any ``X``.)

    Notes
    -----
    Maximising :math:`\\sum_i \\log N(y_i; x_i^\\top\\beta, \\sigma^2)` gives least squares
    :math:`\\hat\\beta = \\arg\\min \\lVert y - X\\beta\\rVert^2` (solved by ``lstsq``, which
    never forms :math:`X^\\top X`) and :math:`\\hat\\sigma^2 = \\lVert y - X\\hat\\beta\\rVert^2/n`.
    Each column of ``X`` is first divided by a power of 2 that brings it to size about 1
    (exact), so whether ``X`` has full rank does not depend on the columns' units.

    Examples
    --------
    >>> beta, sigma2 = linear_regression_mle([[1, 0], [1, 1], [1, 2]], [1.0, 2.0, 4.0])
    >>> beta.round(6).tolist(), round(sigma2, 6)
    ([0.833333, 1.5], 0.055556)
    """
    X, y = as_regression_data(X, y)
    as_identified(X, "linear-regression MLE")
    # Solved for beta * 2**e with each column of X scaled by its own power of 2 (exact): the
    # rank then does not depend on a column's units (a column of 1e100s beside a column of
    # ones is not collinear), and the coefficients are scaled back exactly.
    e = column_exponents(X)
    beta_u, _, rank, _ = np.linalg.lstsq(np.ldexp(X, -e), y, rcond=None)
    beta = np.ldexp(beta_u, -e)
    if rank < X.shape[1]:
        raise ValueError(
            f"X has rank {rank} but {X.shape[1]} columns: collinear columns leave the "
            "linear-regression MLE not identified"
        )
    with np.errstate(over="ignore"):  # a variance beyond the float range is inf
        return beta, float(np.mean((y - X @ beta) ** 2))


def ridge_map(X, y, sigma2: float, tau2: float) -> np.ndarray:
    """Ridge: MAP under :math:`y \\sim N(X\\beta, \\sigma^2)`, :math:`\\beta_j \\sim N(0, \\tau^2)`.

    Notes
    -----
    :math:`\\hat\\beta = (X^\\top X + \\frac{\\sigma^2}{\\tau^2} I)^{-1} X^\\top y`: ridge with
    :math:`\\alpha = \\sigma^2/\\tau^2`, solved as a positive-definite system (no inverse).
    It is solved in units where each column of ``X`` and ``y`` has size about 1 (exact powers
    of 2), with the prior rescaled to match, so any positive ``sigma2`` and ``tau2`` give the
    MAP, also when columns of 1e200 or 1e-200 make :math:`\\alpha` itself leave the float
    range.

    Examples
    --------
    >>> ridge_map([[1.0], [2.0]], [1.0, 2.0], sigma2=1.0, tau2=1.0).tolist()
    [0.8333333333333334]
    """
    X, y = as_regression_data(X, y)
    sigma2 = as_scalar_positive(sigma2, "sigma2")
    tau2 = as_scalar_positive(tau2, "tau2")
    # beta = 2**(f - e) * gamma with X[:, j] / 2**e[j] and y / 2**f of size about 1 (exact),
    # so that X^T X and X^T y neither over- nor underflow; the prior alpha = sigma2 / tau2
    # becomes alpha / 4**e[j]. That is formed from the mantissas and exponents of sigma2 and
    # tau2, so alpha itself may lie outside the float range (columns of 1e200 have alpha near
    # 1e400 in the units where ridge is neither weak nor strong). A tiny column is scaled up
    # only as far as keeps its prior below 2**1000: beyond, the prior dominates it anyway.
    (s_m, s_e), (t_m, t_e) = np.frexp(sigma2), np.frexp(tau2)
    e = prior_column_exponents(X, s_e - t_e)
    f = split(y)[1]
    X_u, y_u = np.ldexp(X, -e), np.ldexp(y, -f)
    with np.errstate(under="ignore"):  # below 2**-1074 beside a unit-size column: negligible
        prior = np.ldexp(s_m / t_m, s_e - t_e - 2 * e)  # at most 2**1001
    # Each coordinate of the system by its own power of 2 (exact), so that a prior that
    # dominates one column (2**600 beside 1) does not make the system look ill-conditioned.
    gram, k = split_symmetric(X_u.T @ X_u + np.diag(prior))
    try:
        gamma = np.ldexp(linalg.solve(gram, np.ldexp(X_u.T @ y_u, -k), assume_a="pos"), -k)
    except linalg.LinAlgError:  # collinear columns, and a prior that vanishes beside them
        raise ValueError(
            f"sigma2 / tau2 = {sigma2:g} / {tau2:g} is too weak beside the collinear columns "
            "of X to identify the coefficients (it is below the float range in their units)"
        ) from None
    with np.errstate(over="ignore"):  # a coefficient beyond the float range is inf
        return np.ldexp(gamma, f - e)


def lasso_map(
    X, y, lam: float, n_iter: int = 10_000, tol: float = 1e-10, method: str = "fista"
) -> np.ndarray:
    """Lasso (Laplace-prior MAP) by proximal gradient.

    Minimises :math:`\\tfrac12\\lVert y - X\\beta\\rVert^2 + \\lambda\\lVert\\beta\\rVert_1`,
    which is scikit-learn's ``Lasso(alpha=lam / n, fit_intercept=False)`` times ``n``.

    Parameters
    ----------
    lam : float
        Penalty :math:`\\lambda \\ge 0`.
    n_iter : int
        Maximum number of proximal-gradient steps.
    tol : float
        Stop when no coefficient moves more than ``tol`` in a step, measured in units where
        every column of ``X`` and ``y`` has a largest size in [0.5, 1) (each divided by a
        power of 2); ``tol=0`` runs all ``n_iter`` steps.
    method : {"fista", "ista"}
        Accelerated (FISTA, with restart when the momentum points uphill) or plain ISTA.

    Notes
    -----
    ISTA: :math:`\\beta \\leftarrow S_{\\lambda/L}(\\beta - X^\\top(X\\beta - y)/L)` with step
    1/L, :math:`L = \\lambda_{\\max}(X^\\top X)`, and soft-thresholding
    :math:`S_t(v) = \\mathrm{sign}(v)\\max(|v| - t, 0)`, which sets small coefficients to
    exactly 0.

    Examples
    --------
    >>> lasso_map([[1.0, 0.0], [0.0, 1.0]], [3.0, 0.5], lam=1.0).tolist()
    [2.0, 0.0]
    """
    X, y = as_regression_data(X, y)
    lam, tol = as_scalar_nonnegative(lam, "lam"), as_scalar_nonnegative(tol, "tol")
    n_iter = as_int(n_iter, "n_iter")
    if method not in ("fista", "ista"):
        raise ValueError(f"method must be 'fista' or 'ista', got {method!r}")
    # Solved for gamma = beta * 2**(e - f), with X[:, j] / 2**e[j] and y / 2**f of size about
    # 1 (exact): X^T X and X^T y cannot overflow, and a column of 1e-100s beside one of 1e100s
    # does not make the step 1 / lipschitz useless for its coefficient. The penalty on
    # gamma[j] becomes lam / 2**(f + e[j]) (inf if that overflows: gamma[j] is then 0).
    e, (y, f) = column_exponents(X), split(y)
    X = np.ldexp(X, -e)
    with np.errstate(over="ignore"):
        lam = np.ldexp(lam, -f - e)
    gram, xty = X.T @ X, X.T @ y  # the gradient X^T(X b - y) = gram b - xty costs d^2, not n d
    lipschitz = max(float(np.linalg.eigvalsh(gram)[-1]), np.finfo(float).tiny)
    beta = np.zeros(X.shape[1])
    z, t = beta.copy(), 1.0
    for _ in range(n_iter):
        v = z - (gram @ z - xty) / lipschitz
        new = np.sign(v) * np.maximum(np.abs(v) - lam / lipschitz, 0.0)
        if method == "fista":
            t_next = (1 + np.sqrt(1 + 4 * t * t)) / 2
            if (z - new) @ (new - beta) > 0:  # momentum points uphill: restart it
                t_next = 1.0
            z = new + (t - 1) / t_next * (new - beta)
            t = t_next
        else:
            z = new
        moved = np.max(np.abs(new - beta))
        beta = new
        if moved <= tol:
            break
    with np.errstate(over="ignore"):  # a coefficient beyond the float range is inf
        return np.ldexp(beta, f - e)
