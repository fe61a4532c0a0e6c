"""Minimising an NLL whose positive parameters are optimised on the log scale.

:func:`minimize_nll` is the one call for a fit: it runs ``scipy.optimize``'s BFGS,
:func:`~mlelib.optimize.newton_method` or :func:`~mlelib.optimize.gradient_descent`
on ``u = log(theta)`` for every parameter that must stay positive, and reports on the
natural scale, with the Hessian and standard errors, in an
:class:`~mlelib.results.OptimizeResult`.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize as _sopt

from ._arguments import as_index_list, as_returned
from ._validate import as_callable, as_int, as_scalar_positive, as_start_point
from .information import finite_nll, observed_information
from .optimize import gradient_descent, newton_method
from .results import OptimizeResult, fit_result, shape_like

__all__ = ["minimize_nll"]


def minimize_nll(
    nll, x0, *, grad=None, hess=None, method="bfgs", positive=(), lr=0.01, tol=1e-8, max_iter=1000
) -> OptimizeResult:
    """Minimise an NLL, optimising positive parameters on the log scale.

    Parameters
    ----------
    nll : callable
        ``nll(theta)`` on the natural scale; ``theta`` is a float if ``x0`` is a number.
    x0 : float or array_like
        Starting point (natural scale); entries listed in ``positive`` must be > 0.
    grad, hess : callable, optional
        Gradient and Hessian of ``nll`` on the natural scale. ``method="newton"`` and
        ``"gd"`` need ``grad`` (``"newton"`` also ``hess``); ``"bfgs"`` uses finite
        differences without ``grad``.
    method : {"bfgs", "newton", "gd"}
        ``scipy.optimize.minimize(method="BFGS")``, :func:`newton_method`, or
        :func:`gradient_descent` with learning rate ``lr`` for ``max_iter`` steps.
    positive : sequence of int
        Indices of parameters that must stay positive (a scale, a rate); they are
        optimised as :math:`u = \\log\\theta`.
    lr, tol, max_iter : float, float, int
        Learning rate (``"gd"``); gradient (``"bfgs"``) or step tolerance; iteration limit.

    Returns
    -------
    OptimizeResult
        ``params``, ``hessian``, ``bse`` and ``path`` are on the NATURAL scale; ``hessian``
        is ``hess(params)`` if given, else :func:`observed_information` of ``nll``.

    Notes
    -----
    With :math:`\\theta = e^u`, the chain rule gives :math:`\\partial f/\\partial u =
    \\theta\\, \\partial f/\\partial\\theta` and :math:`\\partial^2 f/\\partial u^2 =
    \\theta^2 f_{\\theta\\theta} + \\theta f_\\theta`. The MLE is invariant to this change of
    variables, so the optimum is the same; the log scale just keeps every iterate valid.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([1.0, 2.0, 4.0])
    >>> def nll(t):
    ...     return 0.5 * np.sum((x - t[0]) ** 2) / t[1] ** 2 + len(x) * np.log(t[1])
    >>> res = minimize_nll(nll, [0.0, 1.0], positive=[1])
    >>> np.round(res.params, 6).tolist()   # (mean, sd with ddof=0)
    [2.333333, 1.247219]
    """
    as_callable(nll, "nll")
    grad = None if grad is None else as_callable(grad, "grad")
    hess = None if hess is None else as_callable(hess, "hess")
    x = as_start_point(x0)
    theta0 = np.atleast_1d(x).copy()
    d = theta0.size
    if not isinstance(method, str) or method not in ("bfgs", "newton", "gd"):
        raise ValueError(f"method must be 'bfgs', 'newton' or 'gd', got {method!r}")
    pos = np.zeros(d, dtype=bool)
    pos[as_index_list(positive, "positive", d)] = True
    if np.any(theta0[pos] <= 0):
        raise ValueError("x0 must be positive at the indices listed in positive")
    tol, lr = as_scalar_positive(tol, "tol"), as_scalar_positive(lr, "lr")
    max_iter = as_int(max_iter, "max_iter")
    if not np.isfinite(finite_nll(nll, shape_like(theta0, x))):  # a ValueError propagates
        raise ValueError("nll is not finite at x0: start inside the parameter space")

    def natural(u):
        return np.where(pos, np.exp(np.minimum(u, 700.0)), u)

    def call(fn, name, theta, shape):  # hand fn a float or an array, as x0 was; check it
        with np.errstate(all="ignore"):
            return as_returned(fn(shape_like(theta, x)), name, shape)

    def f(u):  # outside the parameter space (inf, or a ValueError) the line search backs off
        return finite_nll(nll, shape_like(natural(u), x), probe=True)

    def g(u):
        theta = natural(u)
        gt = call(grad, "grad", theta, (d,))
        return np.where(pos, theta * gt, gt)

    def h(u):
        theta = natural(u)
        gt, ht = call(grad, "grad", theta, (d,)), call(hess, "hess", theta, (d, d))
        scale = np.where(pos, theta, 1.0)
        return scale[:, None] * ht * scale[None, :] + np.diag(np.where(pos, theta * gt, 0.0))

    u0 = np.where(pos, np.log(np.where(pos, theta0, 1.0)), theta0)
    if method == "bfgs":
        iterates = [u0]
        options = {"gtol": tol, "maxiter": max_iter}
        jac = (lambda u: _difference_gradient(f, u)) if grad is None else g
        res = _sopt.minimize(
            f, u0, jac=jac, method="BFGS", options=options, callback=iterates.append
        )
        u_hat, n_iter, converged, message = res.x, int(res.nit), bool(res.success), res.message
        path = np.array(iterates)
    elif method == "newton":
        if grad is None or hess is None:
            raise ValueError("method='newton' needs both grad and hess")
        r = newton_method(g, h, u0, tol=tol, max_iter=max_iter)
        u_hat, n_iter, converged, message, path = r.params, r.n_iter, r.converged, r.message, r.path
    else:
        if grad is None:
            raise ValueError("method='gd' needs grad")
        path = gradient_descent(g, u0, lr, max_iter)
        u_hat, n_iter = path[-1], len(path) - 1
        converged = n_iter >= 1 and np.max(np.abs(path[-1] - path[-2])) < tol
        message = "converged: step below tol" if converged else "stopped after max_iter steps"
        if n_iter < max_iter:
            message = "diverged: an iterate became non-finite or huge"

    theta_hat = natural(np.atleast_1d(u_hat))
    if hess is not None:
        hessian = call(hess, "hess", theta_hat, (d, d))
    else:
        try:
            hessian = np.atleast_2d(observed_information(nll, shape_like(theta_hat, x)))
        except ValueError:  # the NLL is not finite next to the optimum (a boundary MLE)
            hessian = None
    path = [shape_like(natural(np.atleast_1d(p)), x) for p in path]
    value = f(np.atleast_1d(u_hat))
    return fit_result(x, theta_hat, value, hessian, n_iter, converged, path, message)


def _difference_gradient(f, u: np.ndarray) -> np.ndarray:
    """BFGS's own forward differences of ``f``, or one-sided ones that stay inside a boundary.

    Away from a boundary this is exactly what ``scipy.optimize.minimize(method="BFGS")``
    does without ``jac``: forward steps of ``sqrt(eps)``. Beside a boundary ``f`` is inf on
    one side, and scipy's differences (inf - inf) hand BFGS a NaN; then each component
    uses the side that stays inside, and is 0 where ``f(u)`` itself is inf (a trial point
    past the boundary, which the line search rejects on its value anyway).
    """
    with np.errstate(invalid="ignore", over="ignore"):
        grad = _sopt.approx_fprime(u, f, _FORWARD_STEP)
    if np.all(np.isfinite(grad)):
        return grad
    f0, grad = f(u), np.zeros(u.size)
    if not np.isfinite(f0):
        return grad
    for i in range(u.size):
        step = np.zeros(u.size)
        step[i] = _FORWARD_STEP
        up, down = f(u + step), f(u - step)
        if np.isfinite(up) or np.isfinite(down):
            grad[i] = (up - f0) / _FORWARD_STEP if np.isfinite(up) else (f0 - down) / _FORWARD_STEP
    return grad


_FORWARD_STEP = float(np.sqrt(np.finfo(float).eps))  # scipy BFGS's default difference step
