"""Uncertainty after the fit: observed information, standard errors, intervals, tests, AIC/BIC."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy import optimize as _sopt
from scipy import stats

from ._validate import as_finite, as_int, as_positive

__all__ = [
    "observed_information",
    "standard_errors",
    "wald_interval",
    "profile_likelihood_interval",
    "LRTResult",
    "likelihood_ratio_test",
    "aic",
    "bic",
]

# Relative step for central second differences: truncation error O(h^2) against rounding
# error O(eps / h^2) balances at h ~ eps^(1/4).
_REL_STEP = np.finfo(float).eps ** 0.25


def _level(level) -> float:
    level = float(as_finite(level, "level"))
    if not 0 < level < 1:
        raise ValueError(f"level must be strictly between 0 and 1, got {level:g}")
    return level


def observed_information(nll: Callable, params, step=None) -> np.ndarray | float:
    """Observed information: the Hessian of the NLL at ``params``, by central differences.

    Parameters
    ----------
    nll : callable
        ``nll(theta)``; ``theta`` is a float if ``params`` is a number, else a 1-D array.
    params : float or array_like
        Where to evaluate it, usually the MLE.
    step : float or array_like, optional
        Step per parameter. Default: scaled to each parameter, a tenth of its standard
        error :math:`1/\\sqrt{J_{ii}}` from a pilot step ``eps**0.25 * max(|theta_i|, 1)``;
        every step is shrunk until the NLL is finite on both sides (near a boundary).

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
    if not callable(nll):
        raise TypeError(f"nll must be callable, got {type(nll).__name__}")
    theta = as_finite(params, "params")
    scalar = theta.ndim == 0
    theta = np.atleast_1d(theta)
    if theta.ndim != 1 or theta.size == 0:
        raise ValueError(f"params must be a number or a non-empty 1-D array, got {theta.shape}")
    d = theta.size

    def f(shift):
        t = theta + shift
        with np.errstate(all="ignore"):  # a boundary shows up as a non-finite value, below
            value = float(nll(float(t[0]) if scalar else t))
        return value if np.isfinite(value) else np.inf

    f0 = f(np.zeros(d))
    if step is None:
        h = _pilot_steps(f, f0, theta)
    else:
        h = np.broadcast_to(as_positive(step, "step"), (d,)).astype(float)
    # Richardson extrapolation cancels the h^2 error term: (4 D(h/2) - D(h)) / 3 = H + O(h^4).
    hess = (4 * _second_differences(f, f0, h / 2) - _second_differences(f, f0, h)) / 3
    if not np.all(np.isfinite(hess)):
        raise ValueError("nll is not finite near params; cannot difference it (at a boundary?)")
    return float(hess[0, 0]) if scalar else hess


def _shrink_until_finite(f, h, unit):
    for _ in range(12):
        if np.isfinite(f(h * unit)) and np.isfinite(f(-h * unit)):
            return h
        h /= 10
    raise ValueError("nll is not finite near params; cannot difference it (at a boundary?)")


def _pilot_steps(f, f0, theta):
    h = _REL_STEP * np.maximum(np.abs(theta), 1.0)
    for i, unit in enumerate(np.eye(theta.size)):
        h[i] = _shrink_until_finite(f, h[i], unit)
        curvature = (f(h[i] * unit) - 2 * f0 + f(-h[i] * unit)) / h[i] ** 2
        if curvature > 0:  # a tenth of a standard error: the NLL's own scale for theta_i
            h[i] = _shrink_until_finite(f, 0.1 / np.sqrt(curvature), unit)
    return h


def _second_differences(f, f0, h):
    steps, hess = np.diag(h), np.empty((h.size, h.size))
    for i, ei in enumerate(steps):
        hess[i, i] = (f(ei) - 2 * f0 + f(-ei)) / h[i] ** 2
        for j, ej in enumerate(steps[:i]):
            cross = f(ei + ej) - f(ei - ej) - f(ej - ei) + f(-ei - ej)
            hess[i, j] = hess[j, i] = cross / (4 * h[i] * h[j])
    return hess


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
    try:
        chol = np.linalg.cholesky(info)
    except np.linalg.LinAlgError:
        raise ValueError("information must be positive definite") from None
    inv_l = np.linalg.solve(chol, np.eye(len(info)))
    return np.sqrt((inv_l**2).sum(axis=0))


def wald_interval(estimate, se, level: float = 0.95) -> tuple:
    """Wald interval :math:`\\hat\\theta \\pm z_{(1+\\ell)/2}\\, \\mathrm{se}`.

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
    se = as_positive(se, "se")
    if est.shape != se.shape and se.ndim > 0:
        raise ValueError(f"estimate and se must have the same shape, got {est.shape}, {se.shape}")
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
        The parameter's range, e.g. ``(0, 1)`` for a probability. An end of the
        interval that reaches a bound is returned exactly as that bound.

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
    if not callable(nll):
        raise TypeError(f"nll must be callable, got {type(nll).__name__}")
    hat = as_finite(params_hat, "params_hat")
    scalar = hat.ndim == 0
    hat = np.atleast_1d(hat).astype(float)
    index = as_int(index, "index")
    if index >= hat.size:
        raise ValueError(f"index must be below the number of parameters {hat.size}, got {index}")
    lo_b, hi_b = (-np.inf, np.inf) if bounds is None else map(float, bounds)
    if np.isnan(lo_b) or np.isnan(hi_b) or not lo_b <= hat[index] <= hi_b:
        raise ValueError(f"bounds must be (low, high) around params_hat, got {bounds}")
    target = stats.chi2.ppf(_level(level), 1) / 2
    others = [i for i in range(hat.size) if i != index]
    warm = {"x": hat[others]}

    def full(t, rest):
        theta = hat.copy()
        theta[index], theta[others] = t, rest
        with np.errstate(all="ignore"):
            value = float(nll(float(theta[0]) if scalar else theta))
        return value if np.isfinite(value) else np.inf

    nll_min = full(hat[index], hat[others])

    def excess(t):  # profile NLL rise minus the cut-off; capped so brentq sees finite values
        if others:
            res = _sopt.minimize(lambda r: full(t, r), warm["x"], method="BFGS")
            warm["x"] = res.x
            value = res.fun
        else:
            value = full(t, [])
        return min(value - nll_min - target, 1e300)

    def end(sign, bound):
        warm["x"], inner = hat[others], hat[index]
        if np.isfinite(bound):
            return bound if excess(bound) <= 0 else _sopt.brentq(excess, inner, bound, xtol=1e-12)
        step = 0.01 * max(abs(inner), 1.0)
        for _ in range(200):
            outer = hat[index] + sign * step
            if excess(outer) > 0:
                return _sopt.brentq(excess, inner, outer, xtol=1e-12)
            inner, step = outer, 2 * step
        return sign * np.inf

    return float(end(-1, lo_b)), float(end(+1, hi_b))


class LRTResult(NamedTuple):
    """Likelihood-ratio test: ``statistic`` = 2 (llf_alt - llf_null), ``df``, ``pvalue``."""

    statistic: float
    df: int
    pvalue: float


def likelihood_ratio_test(llf_null: float, llf_alt: float, df: int) -> LRTResult:
    """Likelihood-ratio test of a nested null model against an alternative.

    Parameters
    ----------
    llf_null, llf_alt, df : float, float, int
        Maximised log-likelihoods of the null (nested) and alternative models, and the
        number of extra free parameters in the alternative.

    Returns
    -------
    LRTResult
        ``pvalue`` from Wilks' :math:`\\chi^2_{df}` approximation. A statistic negative
        only by rounding (within 1e-8 of the llf size) is set to 0; a clearly negative
        one raises ``ValueError``: the models look swapped.

    Examples
    --------
    >>> res = likelihood_ratio_test(-10.0, -8.0, 1)
    >>> res.statistic, round(res.pvalue, 6)
    (4.0, 0.0455)
    """
    null = float(as_finite(llf_null, "llf_null"))
    alt = float(as_finite(llf_alt, "llf_alt"))
    df = as_int(df, "df", minimum=1)
    statistic = 2 * (alt - null)
    if statistic < -1e-8 * max(1.0, abs(null), abs(alt)):
        raise ValueError(f"llf_alt ({alt:g}) < llf_null ({null:g}): the models look swapped")
    statistic = max(statistic, 0.0)
    return LRTResult(statistic, df, float(stats.chi2.sf(statistic, df)))


def aic(llf: float, k: int) -> float:
    """Akaike information criterion :math:`2k - 2\\ell`.

    Examples
    --------
    >>> aic(-10.0, 2)
    24.0
    """
    return 2 * as_int(k, "k") - 2 * float(as_finite(llf, "llf"))


def bic(llf: float, k: int, n: int) -> float:
    """Bayesian information criterion :math:`k \\log n - 2\\ell`.

    Examples
    --------
    >>> round(bic(-10.0, 2, 100), 6)
    29.21034
    """
    k, n = as_int(k, "k"), as_int(n, "n", minimum=1)
    return k * float(np.log(n)) - 2 * float(as_finite(llf, "llf"))
