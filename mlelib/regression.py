"""Regression as likelihood: least squares, ridge and lasso MAP, logistic regression by IRLS.

Columns of ``X`` are used as given: add a column of ones yourself for an intercept (it is
then penalised like any other coefficient by ``ridge_map``, ``lasso_map`` and ``l2``).
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import linalg

from ._validate import as_data, as_finite, as_int, as_labels, as_matrix, as_positive, same_length
from .optimize import OptimizeResult

__all__ = [
    "PerfectSeparationWarning",
    "linear_regression_mle",
    "ridge_map",
    "lasso_map",
    "logistic_regression",
]


_BLOCK = 1024


class PerfectSeparationWarning(UserWarning):
    """The classes are linearly separable: the logistic-regression MLE does not exist."""


def _xy(X, y, labels: bool = False):
    X = as_matrix(X, "X")
    y = as_labels(y, "y", n_classes=2).astype(float) if labels else as_data(y, "y")
    if y.ndim != 1:
        raise ValueError(f"y must be 1-dimensional, got shape {y.shape}")
    same_length(X, y, "X", "y")
    return X, y


def _nonnegative(value, name: str) -> float:
    v = as_finite(value, name)
    if v.ndim != 0 or v < 0:
        raise ValueError(f"{name} must be a single number >= 0, got {value!r}")
    return float(v)


def linear_regression_mle(X, y) -> tuple[np.ndarray, float]:
    """Gaussian linear-regression MLE: least-squares coefficients and the 1/n variance.

    Notes
    -----
    Maximising :math:`\\sum_i \\log N(y_i; x_i^\\top\\beta, \\sigma^2)` gives least squares
    :math:`\\hat\\beta = \\arg\\min \\lVert y - X\\beta\\rVert^2` (solved by ``lstsq``, which
    never forms :math:`X^\\top X`) and :math:`\\hat\\sigma^2 = \\lVert y - X\\hat\\beta\\rVert^2/n`.

    Examples
    --------
    >>> beta, sigma2 = linear_regression_mle([[1, 0], [1, 1], [1, 2]], [1.0, 2.0, 4.0])
    >>> beta.round(6).tolist(), round(sigma2, 6)
    ([0.833333, 1.5], 0.055556)
    """
    X, y = _xy(X, y)
    beta = np.linalg.lstsq(X, y, rcond=None)[0]
    return beta, float(np.mean((y - X @ beta) ** 2))


def ridge_map(X, y, sigma2: float, tau2: float) -> np.ndarray:
    """Ridge: MAP under :math:`y \\sim N(X\\beta, \\sigma^2)`, :math:`\\beta_j \\sim N(0, \\tau^2)`.

    Notes
    -----
    :math:`\\hat\\beta = (X^\\top X + \\frac{\\sigma^2}{\\tau^2} I)^{-1} X^\\top y`: ridge with
    :math:`\\alpha = \\sigma^2/\\tau^2`, solved as a positive-definite system (no inverse).

    Examples
    --------
    >>> ridge_map([[1.0], [2.0]], [1.0, 2.0], sigma2=1.0, tau2=1.0).tolist()
    [0.8333333333333334]
    """
    X, y = _xy(X, y)
    alpha = float(as_positive(sigma2, "sigma2")) / float(as_positive(tau2, "tau2"))
    gram = X.T @ X + alpha * np.eye(X.shape[1])
    return linalg.solve(gram, X.T @ y, assume_a="pos")


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
        Stop when no coefficient moves more than ``tol`` in a step; ``tol=0`` runs all
        ``n_iter`` steps.
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
    X, y = _xy(X, y)
    lam, tol = _nonnegative(lam, "lam"), _nonnegative(tol, "tol")
    n_iter = as_int(n_iter, "n_iter")
    if method not in ("fista", "ista"):
        raise ValueError(f"method must be 'fista' or 'ista', got {method!r}")
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
    return beta


def logistic_regression(
    X, y, l2: float = 0.0, tol: float = 1e-10, max_iter: int = 100
) -> OptimizeResult:
    """Logistic-regression MLE (``l2 = 0``) or Gaussian-prior MAP by Newton/IRLS.

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,), labels 0/1
    l2 : float
        Penalty :math:`\\tfrac{l_2}{2}\\lVert\\beta\\rVert^2` (a :math:`N(0, 1/l_2)` prior);
        scikit-learn's ``C`` is ``1 / l2``.
    tol, max_iter : float, int
        Stop when every component of the Newton step is below ``tol``.

    Returns
    -------
    OptimizeResult
        ``llf`` is the log-likelihood (without the penalty), ``nll`` the minimised penalised
        objective, ``hessian`` its Hessian and ``bse = sqrt(diag(hessian^-1))``.

    Warns
    -----
    PerfectSeparationWarning
        If an iterate separates the classes (and ``l2 = 0``): then the likelihood keeps
        rising as :math:`\\lVert\\beta\\rVert \\to \\infty` and no MLE exists. The fit stops
        at that finite iterate with ``converged=False``.

    Notes
    -----
    With :math:`p = \\sigma(X\\beta)`, the gradient is :math:`X^\\top(p - y) + l_2\\beta` and
    the Hessian :math:`X^\\top W X + l_2 I`, :math:`W = \\mathrm{diag}(p(1-p))`. Each Newton
    step is halved until the objective does not rise. The log-likelihood
    :math:`\\sum_i \\log\\sigma(s_i\\eta_i)`, :math:`s_i = 2y_i - 1`, uses
    :math:`\\log\\sigma(t) = \\min(t, 0) - \\log(1 + e^{-|t|})`, finite for any :math:`X\\beta`.

    Examples
    --------
    >>> X = [[1, 0.0], [1, 1.0], [1, 2.0], [1, 3.0]]
    >>> res = logistic_regression(X, [0, 1, 0, 1])
    >>> res.params.round(6).tolist(), res.converged
    ([-1.362276, 0.908184], True)
    """
    X, y = _xy(X, y, labels=True)
    l2 = _nonnegative(l2, "l2")
    tol, max_iter = float(as_positive(tol, "tol")), as_int(max_iter, "max_iter")
    sign = 2 * y - 1
    eye = np.eye(X.shape[1])
    # Every product with X runs over blocks of rows: each is then small enough for OpenBLAS
    # to keep it on one thread (a threaded one can be 30x slower on a busy machine).
    blocks = [slice(i, i + _BLOCK) for i in range(0, len(X), _BLOCK)]

    def fit_at(b):
        """eta = X b, log-likelihood and p = expit(eta) from ONE exp over the data."""
        eta = np.empty(len(X))
        for rows in blocks:
            np.matmul(X[rows], b, out=eta[rows])
        # e = exp(-|eta|) is in (0, 1], so nothing overflows: log sigma(s eta) =
        # min(s eta, 0) - log1p(e), and expit(eta) = 1/(1 + e) or e/(1 + e) by sign.
        e = np.abs(eta)
        np.exp(np.negative(e, out=e), out=e)
        loglik = float(np.minimum(sign * eta, 0.0).sum() - np.log1p(e).sum())
        p = np.where(eta >= 0, 1.0, e)
        p /= 1 + e
        return eta, loglik, p

    def objective(b, loglik):
        return -loglik + 0.5 * l2 * (b @ b)

    def gradient(b, p):
        grad, resid = l2 * b, p - y
        for rows in blocks:
            grad += resid[rows] @ X[rows]
        return grad

    def hessian(p, design):
        hess, root_w = l2 * eye, np.sqrt(p * (1 - p)).astype(design.dtype)
        for rows in blocks:
            z = design[rows] * root_w[rows, None]
            hess += z.T @ z  # z^T z is a symmetric rank-k update: half the work
        return hess

    def newton_step(grad, p):
        # The Hessian only steers the steps; the gradient, in float64, fixes where they
        # stop. So the steps use a float32 Hessian (twice as fast, still quadratic-like
        # convergence) and the reported Hessian and bse are recomputed in float64.
        for design in (X32, X):
            try:
                return linalg.cho_solve(linalg.cho_factor(hessian(p, design)), grad)
            except linalg.LinAlgError:
                continue
        return None

    X32 = X.astype(np.float32)
    beta = np.zeros(X.shape[1])
    eta, loglik, p = fit_at(beta)
    path, converged, message = [beta], False, "maximum number of iterations reached"
    grad = gradient(beta, p)
    for _ in range(max_iter):
        step = newton_step(grad, p)
        if step is None:
            message = "Hessian not positive definite; stopped"
            break
        f_old, t = objective(beta, loglik), 1.0
        while True:  # step halving keeps every iterate downhill
            new = beta - t * step
            eta_new, loglik_new, p_new = fit_at(new)
            if objective(new, loglik_new) <= f_old + 1e-12 * abs(f_old) or t < 1e-10:
                break
            t /= 2
        beta, eta, loglik, p = new, eta_new, loglik_new, p_new
        path.append(beta)
        grad = gradient(beta, p)
        if l2 == 0 and np.all(sign * eta > 0):
            message = "perfect separation: the MLE does not exist (coefficients diverge)"
            warnings.warn(message, PerfectSeparationWarning, stacklevel=2)
            break
        if np.max(np.abs(t * step)) < tol:
            converged, message = True, "converged: Newton step below tol"
            break
    hess = hessian(p, X)
    try:
        chol = np.linalg.cholesky(hess)
        bse = np.sqrt((np.linalg.solve(chol, eye) ** 2).sum(axis=0))
    except np.linalg.LinAlgError:
        bse = None
    return OptimizeResult(
        params=beta,
        nll=objective(beta, loglik),
        llf=loglik,
        n_iter=len(path) - 1,
        converged=converged,
        hessian=hess,
        bse=bse,
        path=np.array(path),
        message=message,
    )
