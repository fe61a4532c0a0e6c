"""Minimising a negative log-likelihood: gradient descent, Newton, and ``scipy.optimize``.

Every optimiser here minimises an NLL (maximising the likelihood is the same thing)
and reports what it did in an :class:`OptimizeResult`, with names as statsmodels uses
them (``params``, ``llf``, ``bse``, ``converged``, ``n_iter``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import optimize as _sopt

from ._validate import as_finite, as_int, as_positive
from .inference import observed_information, standard_errors

__all__ = ["OptimizeResult", "gradient_descent", "newton_method", "minimize_nll"]

# An iterate this large has diverged; stopping here keeps the path plottable and keeps
# the next gradient evaluation away from overflow.
_DIVERGED = 1e100


@dataclass(frozen=True)
class OptimizeResult:
    """The outcome of a fit.

    ``params``: a float for one parameter, else a 1-D array. ``nll``, ``llf`` (= -nll):
    None if the optimiser never saw the objective (:func:`newton_method` without ``nll``).
    ``hessian``: of the NLL at ``params``; ``bse = sqrt(diag(hessian^-1))``, None if the
    Hessian is not positive definite. ``path``: every iterate, starting with ``x0``.
    """

    params: np.ndarray | float
    nll: float | None
    llf: float | None
    n_iter: int
    converged: bool
    hessian: np.ndarray | float | None
    bse: np.ndarray | float | None
    path: np.ndarray
    message: str


def _callable(fn, name: str) -> None:
    if not callable(fn):
        raise TypeError(f"{name} must be callable, got {type(fn).__name__}")


def _start(x0) -> np.ndarray:
    x = as_finite(x0, "x0")
    if x.ndim > 1 or x.size == 0:
        raise ValueError(f"x0 must be a number or a non-empty 1-D array, got shape {x.shape}")
    return x


def _shape_like(value, x0: np.ndarray):
    arr = np.asarray(value, dtype=float)
    return float(arr.reshape(())) if x0.ndim == 0 else arr.reshape(x0.shape)


def _result(x0, params, nll, hessian, n_iter, converged, path, message) -> OptimizeResult:
    """Package a fit; bse = sqrt(diag(H^-1)) when H is finite and positive definite."""
    bse = None
    if hessian is not None and np.all(np.isfinite(hessian)):
        try:
            bse = _shape_like(standard_errors(0.5 * (hessian + hessian.T)), x0)
        except ValueError:
            bse = None
    return OptimizeResult(
        params=_shape_like(params, x0),
        nll=nll,
        llf=None if nll is None else -nll,
        n_iter=int(n_iter),
        converged=bool(converged),
        hessian=float(hessian[0, 0]) if x0.ndim == 0 and hessian is not None else hessian,
        bse=bse,
        path=np.array(path),
        message=str(message),
    )


def gradient_descent(grad: Callable, x0, lr: float, n_steps: int) -> np.ndarray:
    """Plain gradient descent, returning every iterate.

    Parameters
    ----------
    grad : callable
        ``grad(x)``, the gradient of the function to minimise (an NLL).
    x0 : float or array_like
        Starting point, a number or a 1-D array.
    lr, n_steps : float, int
        Learning rate (step size, positive) and number of steps.

    Returns
    -------
    path : ndarray
        The iterates ``x_0, ..., x_n_steps``: shape ``(n_steps + 1,)`` for a scalar ``x0``,
        else ``(n_steps + 1, d)``. A run that DIVERGES stops early: the path ends with
        the last iterate whose entries are all finite and below 1e100 in size, so it is
        shorter than ``n_steps + 1``; no warning is raised, so divergence can be shown
        and plotted.

    Notes
    -----
    :math:`x_{t+1} = x_t - \\eta \\nabla f(x_t)`. On a quadratic with curvature
    :math:`c` it converges iff :math:`0 < \\eta < 2 / c`.

    Examples
    --------
    >>> path = gradient_descent(lambda x: 2 * (x - 3.0), 0.0, lr=0.25, n_steps=3)
    >>> path.tolist()
    [0.0, 1.5, 2.25, 2.625]
    >>> len(gradient_descent(lambda x: 2 * x, 1.0, lr=5.0, n_steps=500)) < 501
    True
    """
    _callable(grad, "grad")
    x = _start(x0)
    lr = float(as_positive(lr, "lr"))
    n_steps = as_int(n_steps, "n_steps")
    path = [x.copy()]
    for _ in range(n_steps):
        with np.errstate(over="ignore", invalid="ignore"):
            x = x - lr * np.asarray(grad(_shape_like(x, x)), dtype=float).reshape(x.shape)
        if not np.all(np.isfinite(x)) or np.max(np.abs(x)) > _DIVERGED:
            break
        path.append(x.copy())
    return np.array(path)


def newton_method(
    grad: Callable, hess: Callable, x0, tol: float = 1e-10, max_iter: int = 100, *, nll=None
) -> OptimizeResult:
    """Newton's method for a stationary point of an NLL.

    Parameters
    ----------
    grad, hess : callable
        Gradient and Hessian of the NLL: ``grad(x)`` and ``hess(x)`` (a number for scalar ``x``).
    x0 : float or array_like
        Starting point.
    tol, max_iter : float, int
        Stop when every component of the Newton step is below ``tol``, or after ``max_iter``.
    nll : callable, optional
        The NLL itself, only to report ``nll`` and ``llf`` in the result.

    Returns
    -------
    OptimizeResult
        ``converged`` is False if ``max_iter`` was reached, the Hessian was singular or an
        iterate was not finite (then ``params`` is the last finite iterate).

    Notes
    -----
    :math:`x_{t+1} = x_t - H(x_t)^{-1} g(x_t)`; near the optimum the error squares at
    every step (quadratic convergence).

    Examples
    --------
    >>> k, n = 7, 10   # Bernoulli NLL in p: -k log p - (n - k) log(1 - p)
    >>> res = newton_method(lambda p: -k / p + (n - k) / (1 - p),
    ...                     lambda p: k / p**2 + (n - k) / (1 - p) ** 2, 0.5)
    >>> round(res.params, 12), res.converged
    (0.7, True)
    """
    _callable(grad, "grad")
    _callable(hess, "hess")
    x = _start(x0)
    tol = float(as_positive(tol, "tol"))
    max_iter = as_int(max_iter, "max_iter")
    d = x.size
    path, converged, message = [x.copy()], False, "maximum number of iterations reached"
    for _ in range(max_iter):
        with np.errstate(all="ignore"):
            g = np.asarray(grad(_shape_like(x, x)), dtype=float).reshape(d)
            h = np.asarray(hess(_shape_like(x, x)), dtype=float).reshape(d, d)
        try:
            step = np.linalg.solve(h, g)
        except np.linalg.LinAlgError:
            message = "singular Hessian; stopped"
            break
        new = x - step.reshape(x.shape)
        if not np.all(np.isfinite(new)):  # also catches a non-finite gradient or Hessian
            message = "iterate not finite; stopped at the last finite iterate"
            break
        x = new
        path.append(x.copy())
        if np.max(np.abs(step)) < tol:
            converged, message = True, "converged: Newton step below tol"
            break
    with np.errstate(all="ignore"):
        h = np.asarray(hess(_shape_like(x, x)), dtype=float).reshape(d, d)
        f = None if nll is None else float(nll(_shape_like(x, x)))
    return _result(x, x, f, h, len(path) - 1, converged, path, message)


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
    _callable(nll, "nll")
    x = _start(x0)
    theta0 = np.atleast_1d(x).copy()
    d = theta0.size
    if method not in ("bfgs", "newton", "gd"):
        raise ValueError(f"method must be 'bfgs', 'newton' or 'gd', got {method!r}")
    pos = np.zeros(d, dtype=bool)
    for i in positive:
        if as_int(i, "positive") >= d:
            raise ValueError(f"positive lists index {i}, but there are only {d} parameters")
        pos[int(i)] = True
    if np.any(theta0[pos] <= 0):
        raise ValueError("x0 must be positive at the indices listed in positive")
    tol = float(as_positive(tol, "tol"))
    max_iter = as_int(max_iter, "max_iter")

    def natural(u):
        return np.where(pos, np.exp(np.minimum(u, 700.0)), u)

    def call(fn, theta):  # hand the user's function a float or an array, as x0 was
        return fn(_shape_like(theta, x))

    def f(u):
        with np.errstate(all="ignore"):
            value = float(call(nll, natural(u)))
        return value if np.isfinite(value) else np.inf

    def g(u):
        theta = natural(u)
        with np.errstate(all="ignore"):
            gt = np.asarray(call(grad, theta), dtype=float).reshape(d)
        return np.where(pos, theta * gt, gt)

    def h(u):
        theta = natural(u)
        with np.errstate(all="ignore"):
            gt = np.asarray(call(grad, theta), dtype=float).reshape(d)
            ht = np.asarray(call(hess, theta), dtype=float).reshape(d, d)
        scale = np.where(pos, theta, 1.0)
        return scale[:, None] * ht * scale[None, :] + np.diag(np.where(pos, theta * gt, 0.0))

    u0 = np.where(pos, np.log(np.where(pos, theta0, 1.0)), theta0)
    if method == "bfgs":
        iterates = [u0]
        options = {"gtol": tol, "maxiter": max_iter}
        jac = None if grad is None else g
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
    try:
        hessian = (
            np.asarray(call(hess, theta_hat), dtype=float).reshape(d, d)
            if hess is not None
            else np.atleast_2d(observed_information(nll, _shape_like(theta_hat, x)))
        )
    except ValueError:  # the NLL is not finite next to the optimum (a boundary MLE)
        hessian = None
    path = [_shape_like(natural(np.atleast_1d(p)), x) for p in path]
    value = f(np.atleast_1d(u_hat))
    return _result(x, theta_hat, value, hessian, n_iter, converged, path, message)
