"""What a fit reports: :class:`OptimizeResult`, and how an optimiser fills one in.

Names are as statsmodels uses them (``params``, ``llf``, ``bse``, ``converged``,
``n_iter``). :func:`fit_result` and :func:`shape_like` are for the optimisers in
:mod:`mlelib.optimize` and :mod:`mlelib.minimize`, not part of the public API.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .information import standard_errors

__all__ = ["OptimizeResult"]


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


def shape_like(value, x0: np.ndarray):
    """``value`` as a float if ``x0`` is 0-d, else as an array of ``x0``'s shape."""
    arr = np.asarray(value, dtype=float)
    return float(arr.reshape(())) if x0.ndim == 0 else arr.reshape(x0.shape)


def fit_result(x0, params, nll, hessian, n_iter, converged, path, message) -> OptimizeResult:
    """Package a fit; bse = sqrt(diag(H^-1)) when H is finite and positive definite."""
    bse = None
    if hessian is not None and np.all(np.isfinite(hessian)):
        try:
            bse = shape_like(standard_errors(0.5 * (hessian + hessian.T)), x0)
        except ValueError:
            bse = None
    return OptimizeResult(
        params=shape_like(params, x0),
        nll=nll,
        llf=None if nll is None else -nll,
        n_iter=int(n_iter),
        converged=bool(converged),
        hessian=float(hessian[0, 0]) if x0.ndim == 0 and hessian is not None else hessian,
        bse=bse,
        path=np.array(path),
        message=str(message),
    )
