"""Curvature after the fit: the observed information and the standard errors it gives.

The observed information is the Hessian of the NLL at the MLE, found here by central
second differences; its inverse estimates the covariance of the MLE, and the square
roots of that inverse's diagonal are the standard errors.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._arguments import as_returned
from ._scaling import split_symmetric
from ._validate import as_callable, as_finite, as_positive, as_start_point

__all__ = ["observed_information", "standard_errors"]

# Relative step for central second differences: truncation error O(h^2) against rounding
# error O(eps / h^2) balances at h ~ eps^(1/4).
_REL_STEP = np.finfo(float).eps ** 0.25


def finite_nll(nll: Callable, theta, *, probe: bool = False) -> float:
    """``nll(theta)`` as a float, or ``inf`` where it is not finite (past a boundary).

    For the functions here that probe a user's NLL around a point: an infinite value
    tells them they stepped outside the parameter space, without numpy warnings. With
    ``probe=True`` a ``ValueError`` from ``nll`` means the same thing: mlelib's own NLLs
    refuse a parameter outside its range (``bernoulli_nll(x, 1.0001)``) rather than
    return inf. What ``nll`` returns must be one number (``TypeError``/``ValueError``
    naming ``nll`` otherwise).
    """
    try:
        with np.errstate(all="ignore"):
            value = nll(theta)
    except ValueError:
        if not probe:
            raise
        return np.inf
    value = float(as_returned(value, "nll", ()))
    return value if np.isfinite(value) else np.inf


def observed_information(nll: Callable, params, step=None) -> np.ndarray | float:
    """Observed information: the Hessian of the NLL at ``params``, by central differences.

    Parameters
    ----------
    nll : callable
        ``nll(theta)``; ``theta`` is a float if ``params`` is a number, else a 1-D array.
    params : float or array_like
        Where to evaluate it, usually the MLE.
    step : float or array_like, optional
        Step per parameter: one positive number, or one per parameter. Default: scaled to
        each parameter, a tenth of its standard error :math:`1/\\sqrt{J_{ii}}` from a pilot
        step ``eps**0.25 * max(|theta_i|, 1)``; every step is shrunk until the NLL is finite
        on both sides (near a boundary), so the probe stays inside the parameter space
        whether ``nll`` returns inf or raises ``ValueError`` outside it.

    Returns
    -------
    float or ndarray
        A float for one parameter, else a symmetric ``(d, d)`` matrix.

    Notes
    -----
    :math:`J_{ii} \\approx [f(\\theta + h_i e_i) - 2 f(\\theta) + f(\\theta - h_i e_i)] / h_i^2`,
    :math:`J_{ij} \\approx [f(++) - f(+-) - f(-+) + f(--)] / (4 h_i h_j)`, both
    Richardson-extrapolated from steps :math:`h` and :math:`h/2`, which leaves an
    :math:`O(h^4)` error.

    Examples
    --------
    >>> import numpy as np
    >>> k, n = 7, 10   # Bernoulli: J(p) = n / (p (1 - p)) at p = k / n
    >>> J = observed_information(lambda p: -(k * np.log(p) + (n - k) * np.log1p(-p)), 0.7)
    >>> round(J, 4), round(n / (0.7 * 0.3), 4)
    (47.619, 47.619)
    """
    as_callable(nll, "nll")
    theta = as_start_point(params, "params")
    scalar = theta.ndim == 0
    theta = np.atleast_1d(theta)
    d = theta.size

    def f(shift):
        t = theta + shift
        return finite_nll(nll, float(t[0]) if scalar else t, probe=True)

    f0 = finite_nll(nll, float(theta[0]) if scalar else theta.copy())
    if not np.isfinite(f0):
        raise ValueError("nll is not finite at params: the information needs a finite NLL there")
    if step is None:
        h = _pilot_steps(f, f0, theta)
    else:
        h = as_positive(step, "step")
        if h.shape not in ((), (d,)):
            raise ValueError(
                f"step must be one number or {d} numbers (one per parameter), got shape {h.shape}"
            )
        h = np.broadcast_to(h, (d,)).astype(float)
    for _ in range(1 if step is not None else 6):
        # Richardson extrapolation cancels the h^2 error: (4 D(h/2) - D(h)) / 3 = H + O(h^4).
        half, inside_half = _second_differences(f, f0, h / 2)
        full, inside_full = _second_differences(f, f0, h)
        if inside_half and inside_full:
            with np.errstate(all="ignore"):  # an entry past the float range: inf - inf
                hess = (4 * half - full) / 3
            past = np.isinf(half) & (np.sign(half) == np.sign(full))
            hess[past] = half[past]  # an information past the float range is inf
            if not np.isnan(hess).any():
                return float(hess[0, 0]) if scalar else hess
        h = h / 10  # a corner (theta_i + h_i, theta_j + h_j) left the parameter space
    raise ValueError("nll is not finite near params; cannot difference it (at a boundary?)")


def _shrink_until_finite(f, h, unit, size=0.0):
    """The step ``h`` divided by 10 until the NLL is finite at both ``+-h``; also the last
    step that was not (inf if none): a boundary lies within that distance. A parameter of
    ``size`` far below ``h`` (a rate near 1e-100, whose boundary 0 is that close) jumps to a
    step relative to its size first."""
    outside = np.inf
    for _ in range(13):
        if np.isfinite(f(h * unit)) and np.isfinite(f(-h * unit)):
            return h, outside
        outside = h
        h = _REL_STEP * size if 0 < _REL_STEP * size < h / 10 else h / 10
        size = 0.0  # the jump is made once
    raise ValueError("nll is not finite near params; cannot difference it (at a boundary?)")


def _pilot_steps(f, f0, theta):
    h = _REL_STEP * np.maximum(np.abs(theta), 1.0)
    for i, unit in enumerate(np.eye(theta.size)):
        h[i], outside = _shrink_until_finite(f, h[i], unit, abs(theta[i]))
        with np.errstate(all="ignore"):  # a curvature beyond the float range is inf
            curvature = (f(h[i] * unit) - 2 * f0 + f(-h[i] * unit)) / h[i] / h[i]
        if 0 < curvature < np.inf:  # a tenth of a standard error: the NLL's own scale
            h[i], outside_too = _shrink_until_finite(f, 0.1 / np.sqrt(curvature), unit)
            outside = min(outside, outside_too)
        # Near a boundary the NLL's higher derivatives grow like 1/distance**k, so the
        # O(h**4) error is small only for h well inside: a hundredth of the distance.
        h[i] = min(h[i], outside / 100)
    return h


def _second_differences(f, f0, h):
    """The central second differences with steps ``h``, and whether the NLL was finite at
    every point probed. Divided by one step at a time: ``h**2`` underflows for a step near
    1e-160, and then an entry past the float range is inf, not a division by 0."""
    steps, hess, inside = np.diag(h), np.empty((h.size, h.size)), True
    with np.errstate(all="ignore"):
        for i, ei in enumerate(steps):
            values = [f(ei), f(-ei)]
            hess[i, i] = (values[0] - 2 * f0 + values[1]) / h[i] / h[i]
            for j, ej in enumerate(steps[:i]):
                corners = [f(ei + ej), f(ei - ej), f(ej - ei), f(-ei - ej)]
                cross = corners[0] - corners[1] - corners[2] + corners[3]
                hess[i, j] = hess[j, i] = cross / 4 / h[i] / h[j]
                values += corners
            inside = inside and bool(np.all(np.isfinite(values)))
    return hess, inside


def standard_errors(information) -> np.ndarray | float:
    """Standard errors from an information matrix: :math:`\\sqrt{\\mathrm{diag}(J^{-1})}`.

    Parameters
    ----------
    information : float or array_like
        Observed or expected information (a positive number, or a positive-definite matrix).

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> standard_errors([[4.0, 0.0], [0.0, 100.0]]).tolist()
    [0.5, 0.1]
    """
    info = as_finite(information, "information")
    if info.ndim == 0:
        return float(1 / np.sqrt(as_positive(info, "information")))
    if info.ndim != 2 or info.shape[0] != info.shape[1] or info.size == 0:
        raise ValueError(f"information must be a square matrix, got shape {info.shape}")
    if not np.allclose(info, info.T, rtol=1e-8, atol=0):
        raise ValueError("information must be symmetric")
    # info[i, j] = info_u[i, j] * 2**(k[i] + k[j]), info_u's diagonal of size about 1, so
    # se[i] = se_u[i] / 2**k[i]. (An entry of info_u past the float range means an
    # off-diagonal entry far beyond sqrt(info[i, i] info[j, j]): not positive definite.)
    info_u, k = split_symmetric(info)
    try:
        if not np.isfinite(info_u).all():
            raise np.linalg.LinAlgError
        chol = np.linalg.cholesky(info_u)
    except np.linalg.LinAlgError:
        raise ValueError("information must be positive definite") from None
    inv_l = np.linalg.solve(chol, np.eye(len(info)))
    return np.ldexp(np.sqrt((inv_l**2).sum(axis=0)), -k)
