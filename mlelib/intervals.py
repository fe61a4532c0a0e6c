"""Confidence intervals for one parameter: the Wald interval and the profile-likelihood one.

The Wald interval is the MLE plus or minus a normal quantile times the standard
error: symmetric, and poor when the likelihood is skewed or the MLE near a boundary.
The profile-likelihood interval inverts the likelihood-ratio test instead, so it
follows the shape of the likelihood and respects the parameter's range.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import optimize as _sopt
from scipy import stats

from ._arguments import as_bounds
from ._validate import (
    as_callable,
    as_finite,
    as_int,
    as_nonnegative,
    as_scalar,
    as_start_point,
)
from .information import finite_nll

__all__ = ["wald_interval", "profile_likelihood_interval"]


def _level(level) -> float:
    level = as_scalar(level, "level")
    if not 0 < level < 1:
        raise ValueError(f"level must be strictly between 0 and 1, got {level:g}")
    return level


def wald_interval(estimate, se, level: float = 0.95) -> tuple:
    """Wald interval :math:`\\hat\\theta \\pm z_{(1+\\ell)/2}\\, \\mathrm{se}`.

    ``se`` may be 0: the interval is then the single point ``(estimate, estimate)``, as for a
    Bernoulli MLE of 0 or 1, whose plug-in standard error is 0 (notebook 05 shows why that
    interval fails).

    Returns
    -------
    (lower, upper) : floats, or arrays for array input.

    Examples
    --------
    >>> lo, hi = wald_interval(0.7, 0.1449)
    >>> round(lo, 4), round(hi, 4)
    (0.416, 0.984)
    """
    est = as_finite(estimate, "estimate")
    se = as_nonnegative(se, "se")
    if est.shape != se.shape and se.ndim > 0:
        raise ValueError(f"estimate and se must have the same shape, got {est.shape}, {se.shape}")
    with np.errstate(over="ignore"):  # a half-width beyond the float range is inf
        half = stats.norm.ppf(0.5 + _level(level) / 2) * se
    lo, hi = est - half, est + half
    return (float(lo), float(hi)) if lo.ndim == 0 else (lo, hi)


def profile_likelihood_interval(
    nll: Callable, params_hat, index: int = 0, level: float = 0.95, bounds=None
) -> tuple[float, float]:
    """Profile-likelihood interval for one parameter.

    Parameters
    ----------
    nll : callable
        ``nll(theta)``, a float for one parameter else a 1-D array.
    params_hat : float or array_like
        The MLE.
    index, level : int, float
        Which parameter the interval is for, and the confidence level.
    bounds : (float, float), optional
        The parameter's range, e.g. ``(0, 1)`` for a probability, with ``low < high``;
        ``None`` or an infinity for an open side. An end of the interval that reaches a
        bound is returned exactly as that bound.

    Returns
    -------
    (lower, upper) : tuple of float
        ``+-inf`` on a side where the profile never rises by enough (a flat likelihood).

    Notes
    -----
    The interval is :math:`\\{\\theta_j : 2[\\ell_p(\\theta_j) - \\hat\\ell] \\le
    \\chi^2_{1,\\ell}\\}` with the profile NLL :math:`\\ell_p(\\theta_j) = \\min_{\\theta_{-j}}
    \\mathrm{nll}`; each end is found by ``brentq``, the nuisance parameters by BFGS.

    Examples
    --------
    >>> import numpy as np
    >>> nll = lambda p: -10 * np.log(p)          # 10 heads in 10 flips
    >>> lo, hi = profile_likelihood_interval(nll, 1.0, bounds=(0, 1))
    >>> round(lo, 6), hi
    (0.825247, 1.0)
    """
    as_callable(nll, "nll")
    hat = as_start_point(params_hat, "params_hat")
    scalar = hat.ndim == 0
    hat = np.atleast_1d(hat)
    index = as_int(index, "index")
    if index >= hat.size:
        raise ValueError(f"index must be below the number of parameters {hat.size}, got {index}")
    lo_b, hi_b = as_bounds(bounds, "bounds")
    if not lo_b <= hat[index] <= hi_b:
        raise ValueError(
            f"bounds must be (low, high) around params_hat[{index}] = {hat[index]:g}, got {bounds}"
        )
    target = stats.chi2.ppf(_level(level), 1) / 2
    others = [i for i in range(hat.size) if i != index]
    warm = {"x": hat[others]}

    def full(t, rest, probe=True):  # a ValueError past a boundary counts as inf there
        theta = hat.copy()
        theta[index], theta[others] = t, rest
        return finite_nll(nll, float(theta[0]) if scalar else theta, probe=probe)

    nll_min = full(hat[index], hat[others], probe=False)
    if not np.isfinite(nll_min):
        raise ValueError("nll is not finite at params_hat: the interval needs a finite NLL there")

    def excess(t):  # profile NLL rise minus the cut-off; capped so brentq sees finite values
        if others:
            res = _sopt.minimize(lambda r: full(t, r), warm["x"], method="BFGS")
            warm["x"] = res.x
            value = res.fun
        else:
            value = full(t, [])
        return min(value - nll_min - target, 1e300)

    # brentq stops at a relative tolerance of the root, or an absolute xtol; that is in the
    # units of the MLE (a fixed 1e-12 would call a parameter near 1e-300 found at once, at the
    # MLE), 1e-12 when the MLE is 0. A bracket as wide as 0.01 around a root near 1e-300
    # takes about 1000 bisections, so brentq may take that many.
    xtol = 1e-12 * abs(hat[index]) or 1e-12

    def root(inner, outer):
        return _sopt.brentq(excess, inner, outer, xtol=xtol, maxiter=4000)

    def end(sign, bound):
        warm["x"], inner = hat[others], hat[index]
        if np.isfinite(bound):
            return bound if excess(bound) <= 0 else root(inner, bound)
        step = 0.01 * max(abs(inner), 1.0)
        for _ in range(200):
            outer = hat[index] + sign * step
            if excess(outer) > 0:
                return root(inner, outer)
            inner, step = outer, 2 * step
        return sign * np.inf

    return float(end(-1, lo_b)), float(end(+1, hi_b))
