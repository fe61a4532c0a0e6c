"""Likelihood of the univariate Gaussian N(``loc``, ``scale``**2).

The totals use one pass for the sum of squares of the standardised data, so large
data and scales neither overflow nor lose precision. The multivariate normal is in
:mod:`mlelib.multivariate`.
"""

from __future__ import annotations

import numpy as np

from ._constants import LOG_2PI
from ._scaling import exact, rounded, safe_mean, split_residuals
from ._validate import as_data, as_int, as_location_scale, as_scalar, as_scalar_positive

__all__ = [
    "gaussian_logpdf",
    "gaussian_loglik",
    "gaussian_nll",
    "gaussian_score",
    "gaussian_mle",
    "gaussian_fisher",
]


def _sum_of_squares(x: np.ndarray, loc: float, scale: float) -> float:
    """``sum(z**2)`` for ``z = (x - loc) / scale``, with one temporary array.

    Not ``z @ z``: a BLAS dot wakes its worker threads, which on a busy machine costs
    far more than the sum itself; numpy's pairwise ``sum`` is fast and keeps the
    rounding error at O(log n) ulps. Standardising before squaring keeps large data
    and scales from overflowing; a ``z**2`` beyond 1e308 overflows to inf, the exact
    limit of a density that has underflowed to 0.
    """
    with np.errstate(over="ignore"):  # an overflow is the honest inf of a far-off point
        z = x - loc
        if scale != 1.0:
            z /= scale
        np.square(z, out=z)
        return float(z.sum())


def gaussian_logpdf(x, loc: float, scale: float) -> np.ndarray:
    """Log-density of each observation under N(``loc``, ``scale``**2).

    Parameters
    ----------
    x : array_like
        Observations.
    loc : float
        Mean.
    scale : float
        Standard deviation, ``scale > 0``.

    Returns
    -------
    ndarray
        ``-((x - loc) / scale)**2 / 2 - log(scale) - log(2 pi) / 2``.

    Examples
    --------
    >>> gaussian_logpdf([0.0], 0.0, 1.0).round(6)
    array([-0.918939])
    """
    x, loc, scale = as_location_scale(x, loc, scale)
    with np.errstate(over="ignore"):  # z**2 beyond 1e308: the log density is -inf
        z = (x - loc) / scale
        return -0.5 * z * z - np.log(scale) - 0.5 * LOG_2PI


def gaussian_loglik(x, loc: float, scale: float) -> float:
    """Total Gaussian log-likelihood.

    Parameters
    ----------
    x : array_like
        Observations.
    loc, scale : float
        Mean and standard deviation (``scale > 0``).

    Returns
    -------
    float
        ``-n log(2 pi) / 2 - n log(scale) - sum((x - loc)**2) / (2 scale**2)``.

    Notes
    -----
    The sum of squares takes one temporary array and one pass, so 10**6 points cost
    about a millisecond.

    Examples
    --------
    >>> round(gaussian_loglik([-1.0, 1.0], 0.0, 1.0), 6)
    -2.837877
    """
    x, loc, scale = as_location_scale(x, loc, scale)
    zz = _sum_of_squares(x, loc, scale)
    return float(-x.size * (0.5 * LOG_2PI + np.log(scale)) - 0.5 * zz)


def gaussian_nll(x, loc: float, scale: float) -> float:
    """Negative Gaussian log-likelihood, ``-gaussian_loglik(x, loc, scale)``.

    Examples
    --------
    >>> round(gaussian_nll([-1.0, 1.0], 0.0, 1.0), 6)
    2.837877
    """
    return -gaussian_loglik(x, loc, scale)


def gaussian_score(x, loc: float, scale: float) -> np.ndarray:
    """Gradient of the Gaussian log-likelihood in ``(loc, scale)``.

    Returns
    -------
    ndarray, shape (2,)
        ``[sum(x - loc) / scale**2, -n / scale + sum((x - loc)**2) / scale**3]``.

    Notes
    -----
    Exact at any scale (see :mod:`mlelib._scaling`): the residuals are summed as
    ``u * 2**e`` with ``|u| < 1``, and the sums, ``scale`` and ``n`` are combined as exact
    fractions, so ``scale = 1e-200`` neither underflows ``scale**2`` nor divides by 0. An
    entry beyond the float range is ``+-inf``.

    Examples
    --------
    >>> gaussian_score([-1.0, 1.0], 0.0, 1.0)
    array([0., 0.])
    """
    x, loc, scale = as_location_scale(x, loc, scale)
    u, e = split_residuals(x, loc)  # x - loc = u * 2**e exactly, |u| < 1
    two_e, sigma = exact(2) ** e, exact(scale)
    d_loc = exact(u.sum()) * two_e / sigma**2
    d_scale = (exact((u * u).sum()) * two_e**2 / sigma**2 - x.size) / sigma
    return np.array([rounded(d_loc), rounded(d_scale)])


def gaussian_mle(x) -> tuple[float, float]:
    """The MLE ``(loc, scale)``: the mean and the ddof-0 standard deviation.

    Parameters
    ----------
    x : array_like
        At least two observations that are not all equal.

    Returns
    -------
    tuple of float
        ``(mean(x), sqrt(mean((x - mean(x))**2)))``.

    Raises
    ------
    ValueError
        If ``x`` has one observation or no spread: then the scale MLE would be 0,
        where the likelihood is unbounded (+inf), so no finite maximum exists. Also if
        the spread is below the normal float range (about 2e-308), where it cannot be
        represented accurately.

    Notes
    -----
    At any scale: data near 1e-300 have squares that underflow, data near 1e300 squares
    that overflow, so then the residuals are split as ``u * 2**e`` (exactly, ``|u| < 1``)
    and ``scale = sqrt(mean(u**2)) * 2**e``.

    Examples
    --------
    >>> gaussian_mle([1.0, 3.0])
    (2.0, 1.0)
    """
    x = as_data(x, "x")
    loc = safe_mean(x)
    ss = _sum_of_squares(x, loc, 1.0)
    if not 1e-250 < ss < np.inf:  # squares may have underflowed or overflowed: split
        u, e = split_residuals(x, loc)
        ss_u = (u * u).sum()
        scale = np.ldexp(np.sqrt(ss_u / x.size), e) if ss_u > 0 else 0.0
    else:
        scale = np.sqrt(ss / x.size)
    # Equal data leave only rounding (a few ulps of loc) in the residuals, so scale == 0
    # is not the test; a tiny scale triggers the exact one, and costs nothing otherwise.
    if x.size == 1 or (scale <= 64 * np.finfo(float).eps * abs(loc) and (x == x[0]).all()):
        raise ValueError(
            "x has a single observation or no spread: the scale MLE would be 0, where the "
            "likelihood is unbounded"
        )
    if scale < np.finfo(float).tiny:
        raise ValueError(
            f"x has a spread of about {scale:.3g}, below the normal float range: the scale MLE "
            "cannot be represented accurately (rescale x, e.g. by 1e300)"
        )
    return loc, float(scale)


def gaussian_fisher(loc: float, scale: float, n: int = 1) -> np.ndarray:
    """Expected Fisher information of ``n`` observations in ``(loc, scale)``.

    Returns
    -------
    ndarray, shape (2, 2)
        ``n diag(1 / scale**2, 2 / scale**2)``, each entry rounded once: ``inf`` when it
        is beyond the float range (``scale = 1e-200``), 0.0 when below it (``scale = 1e200``).

    Examples
    --------
    >>> gaussian_fisher(0.0, 2.0, n=4)
    array([[1., 0.],
           [0., 2.]])
    """
    as_scalar(loc, "loc")
    scale, n = as_scalar_positive(scale, "scale"), as_int(n, "n", minimum=1)
    per_var = exact(n) / exact(scale) ** 2
    return np.diag([rounded(per_var), rounded(2 * per_var)])
