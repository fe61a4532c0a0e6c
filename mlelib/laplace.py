"""Likelihood of the Laplace (double exponential) distribution.

Its MLE is robust: the location is the median and the scale the mean absolute
deviation from it, which is why a Laplace prior or noise model gives L1 penalties
and least absolute deviations.
"""

from __future__ import annotations

import numpy as np

from ._scaling import exact, rounded, split_residuals
from ._validate import as_data, as_int, as_location_scale, as_scalar, as_scalar_positive

__all__ = [
    "laplace_logpdf",
    "laplace_loglik",
    "laplace_nll",
    "laplace_score",
    "laplace_mle",
    "laplace_fisher",
]


def laplace_logpdf(x, loc: float, scale: float) -> np.ndarray:
    """Log-density of each observation under Laplace(``loc``, ``scale``).

    Parameters
    ----------
    x : array_like
        Observations.
    loc : float
        Location (the median).
    scale : float
        Scale, ``scale > 0`` (the mean absolute deviation from ``loc``).

    Returns
    -------
    ndarray
        ``-log(2 scale) - |x - loc| / scale``.

    Examples
    --------
    >>> laplace_logpdf([0.0, 1.0], 0.0, 1.0).round(6)
    array([-0.693147, -1.693147])
    """
    x, loc, scale = as_location_scale(x, loc, scale)
    with np.errstate(over="ignore"):  # |x - loc| / scale beyond 1e308: log density -inf
        return -np.log(2.0) - np.log(scale) - np.abs(x - loc) / scale


def laplace_loglik(x, loc: float, scale: float) -> float:
    """Total Laplace log-likelihood ``-n log(2 scale) - sum|x - loc| / scale``.

    Examples
    --------
    >>> round(laplace_loglik([0.0, 1.0], 0.0, 1.0), 6)
    -2.386294
    """
    x, loc, scale = as_location_scale(x, loc, scale)
    u, e = split_residuals(x, loc)  # x - loc = u * 2**e: the sum of |x - loc| cannot overflow
    spread = rounded(exact(np.abs(u).sum()) * exact(2) ** e / exact(scale))
    return float(-x.size * (np.log(2.0) + np.log(scale)) - spread)


def laplace_nll(x, loc: float, scale: float) -> float:
    """Negative Laplace log-likelihood, ``-laplace_loglik(x, loc, scale)``.

    Examples
    --------
    >>> round(laplace_nll([0.0, 1.0], 0.0, 1.0), 6)
    2.386294
    """
    return -laplace_loglik(x, loc, scale)


def laplace_score(x, loc: float, scale: float) -> np.ndarray:
    """Gradient of the Laplace log-likelihood in ``(loc, scale)``.

    Returns
    -------
    ndarray, shape (2,)
        ``[sum(sign(x - loc)) / scale, -n / scale + sum|x - loc| / scale**2]``.

    Notes
    -----
    The log-likelihood has a kink in ``loc`` at every data point; there the loc
    entry uses ``sign(0) = 0``, the midpoint of the one-sided derivatives. Exact at any
    scale (as :func:`mlelib.gaussian_score`): an entry beyond the float range is ``+-inf``.

    Examples
    --------
    >>> laplace_score([-1.0, 1.0], 0.0, 1.0)
    array([0., 0.])
    """
    x, loc, scale = as_location_scale(x, loc, scale)
    u, e = split_residuals(x, loc)  # x - loc = u * 2**e exactly, |u| < 1
    sigma = exact(scale)
    d_loc = exact(np.sign(u).sum()) / sigma
    d_scale = (exact(np.abs(u).sum()) * exact(2) ** e / sigma - x.size) / sigma
    return np.array([rounded(d_loc), rounded(d_scale)])


def laplace_mle(x) -> tuple[float, float]:
    """The MLE ``(loc, scale)``: the median and the mean absolute deviation from it.

    Parameters
    ----------
    x : array_like
        Observations, not all equal.

    Returns
    -------
    tuple of float
        ``(median(x), mean(|x - median(x)|))``. For even ``n`` every point between the
        two middle values maximises the likelihood; this returns their midpoint,
        and the scale is the same for all of them.

    Raises
    ------
    ValueError
        If ``x`` has no spread (one observation, or all equal): the scale MLE would
        be 0, where the likelihood is unbounded. Also if the spread is below the
        normal float range (about 2e-308), where it cannot be represented accurately.

    Notes
    -----
    The median is a middle value of ``x`` itself, or the exact midpoint of the two middle
    values rounded once, so it neither overflows near 1e308 nor loses a tiny median beside
    huge data. The deviations are summed as ``|x - loc| / 2**e`` (``max < 1``) and scaled
    back, so their sum does not overflow.

    Examples
    --------
    >>> laplace_mle([1.0, 2.0, 6.0])
    (2.0, 1.6666666666666667)
    """
    x = as_data(x, "x")
    if x.min() == x.max():
        raise ValueError(
            "x has a single observation or no spread: the scale MLE would be 0, where the "
            "likelihood is unbounded"
        )
    loc = _median(x)
    r, e = split_residuals(x, loc)
    scale = float(np.ldexp(np.abs(r).mean(), e))
    if scale < np.finfo(float).tiny:
        raise ValueError(
            f"x has a spread of about {scale:.3g}, below the normal float range: the scale MLE "
            "cannot be represented accurately (rescale x, e.g. by 1e300)"
        )
    return loc, scale


def _median(x: np.ndarray) -> float:
    """The median of ``x``: its middle value, or the midpoint of its two middle values."""
    n = x.size
    middle = np.partition(x, [(n - 1) // 2, n // 2])
    low, high = middle[(n - 1) // 2], middle[n // 2]
    return float(low) if low == high else rounded((exact(low) + exact(high)) / 2)


def laplace_fisher(loc: float, scale: float, n: int = 1) -> np.ndarray:
    """Expected Fisher information of ``n`` observations in ``(loc, scale)``.

    Returns
    -------
    ndarray, shape (2, 2)
        ``n diag(1 / scale**2, 1 / scale**2)``: ``E[sign(x - loc)**2] = 1`` and
        ``Var|x - loc| = scale**2``. Rounded once: ``inf`` beyond the float range, 0.0
        below it.

    Examples
    --------
    >>> laplace_fisher(0.0, 2.0, n=4)
    array([[1., 0.],
           [0., 1.]])
    """
    as_scalar(loc, "loc")
    scale, n = as_scalar_positive(scale, "scale"), as_int(n, "n", minimum=1)
    return np.diag([rounded(exact(n) / exact(scale) ** 2)] * 2)
