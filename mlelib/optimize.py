"""Minimising a negative log-likelihood by hand: gradient descent and Newton's method.

Both minimise an NLL (maximising the likelihood is the same thing). Newton's method
reports what it did in an :class:`~mlelib.results.OptimizeResult`, with names as
statsmodels uses them (``params``, ``llf``, ``bse``, ``converged``, ``n_iter``);
:func:`mlelib.minimize_nll` runs either, or ``scipy.optimize``, with positive parameters
on the log scale.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._arguments import as_returned
from ._validate import (
    as_callable,
    as_int,
    as_scalar_nonnegative,
    as_scalar_positive,
    as_start_point,
)
from .results import OptimizeResult, fit_result, shape_like

__all__ = ["gradient_descent", "newton_method"]

# An iterate this large has diverged; stopping here keeps the path plottable and keeps
# the next gradient evaluation away from overflow.
_DIVERGED = 1e100


def gradient_descent(grad: Callable, x0, lr: float, n_steps: int) -> np.ndarray:
    """Plain gradient descent, returning every iterate.

    Parameters
    ----------
    grad : callable
        ``grad(x)``, the gradient of the function to minimise (an NLL).
    x0 : float or array_like
        Starting point, a number or a 1-D array.
    lr, n_steps : float, int
        Learning rate (step size, 0 or more: a rate of 0 never moves, as notebook 02's tests
        expect) and number of steps.

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
    as_callable(grad, "grad")
    x = as_start_point(x0)
    lr = as_scalar_nonnegative(lr, "lr")
    n_steps = as_int(n_steps, "n_steps")
    path = [x.copy()]
    for _ in range(n_steps):
        with np.errstate(over="ignore", invalid="ignore"):
            x = x - lr * as_returned(grad(shape_like(x, x)), "grad", x.shape)
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
    as_callable(grad, "grad")
    as_callable(hess, "hess")
    if nll is not None:
        as_callable(nll, "nll")
    x = as_start_point(x0)
    tol = as_scalar_positive(tol, "tol")
    max_iter = as_int(max_iter, "max_iter")
    d = x.size
    path, converged, message = [x.copy()], False, "maximum number of iterations reached"
    for _ in range(max_iter):
        with np.errstate(all="ignore"):
            g = as_returned(grad(shape_like(x, x)), "grad", (d,))
            h = as_returned(hess(shape_like(x, x)), "hess", (d, d))
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
        h = as_returned(hess(shape_like(x, x)), "hess", (d, d))
        f = None if nll is None else float(as_returned(nll(shape_like(x, x)), "nll", ()))
    return fit_result(x, x, f, h, len(path) - 1, converged, path, message)
