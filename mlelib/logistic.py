"""Logistic regression: the MLE, or the Gaussian-prior MAP, by Newton's method (IRLS).

Columns of ``X`` are used as given: add a column of ones yourself for an intercept (it is
then penalised like any other coefficient by ``l2``).
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import linalg

from ._validate import (
    as_int,
    as_regression_data,
    as_scalar_nonnegative,
    as_scalar_positive,
)
from .information import standard_errors
from .results import OptimizeResult

__all__ = ["PerfectSeparationWarning", "logistic_regression"]

_BLOCK = 1024


class PerfectSeparationWarning(UserWarning):
    """The classes are linearly separable: the logistic-regression MLE does not exist."""


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
    X, y = as_regression_data(X, y, labels=True)
    l2 = as_scalar_nonnegative(l2, "l2")
    tol, max_iter = as_scalar_positive(tol, "tol"), as_int(max_iter, "max_iter")
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
        bse = standard_errors(hess)
    except ValueError:  # not positive definite
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
