"""Arithmetic that stays exact at extreme scales (data or parameters near 1e-300 or 1e300).

A score or a Fisher information multiplies and divides numbers whose sizes can be far
apart: ``n / scale**2`` at ``scale = 1e-200`` is 1e400, past the float range, and the
intermediate ``scale**2 = 1e-400`` has already underflowed to 0. mlelib's rule:

- every result is the exact value rounded once to a float; a value beyond the float range
  is ``inf`` (with its sign), a value below it is ``0.0``. Never NaN, never a Python
  ``OverflowError`` or ``ZeroDivisionError``.

Two tools give that. Arrays are split into a power of two and a part of size about 1
(:func:`split`: multiplying by a power of two only changes the exponent, so it is exact
except for values it pushes below the normal range), so their sums neither overflow nor
underflow. The few scalars that are then combined (sums, the scale, ``n``) are combined as
exact fractions and rounded once (:func:`rounded`).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

__all__ = [
    "split",
    "split_residuals",
    "column_exponents",
    "split_symmetric",
    "exact",
    "rounded",
    "safe_mean",
]


def split(values: np.ndarray) -> tuple[np.ndarray, int]:
    """``(u, e)`` with ``values = u * 2**e``, ``max|u|`` in [0.5, 1) (e = 0 for zeros).

    Exact for every value of at least ``2**(e - 1022)`` in size. Smaller ones (possible only
    when ``e > 0``) may lose their lowest bits below ``2**-1074``: nothing a sum of ``u`` can
    show beside its largest term, but not for a statistic that may *be* such a value (a
    median), which is computed from ``values`` themselves.
    """
    big = float(np.abs(values).max()) if values.size else 0.0
    if big == 0.0:
        return values, 0
    e = int(np.frexp(big)[1])
    return np.ldexp(values, -e), e


def column_exponents(X: np.ndarray) -> np.ndarray:
    """``e`` with ``X[:, j] = U[:, j] * 2**e[j]``, ``max|U[:, j]|`` in [0.5, 1) (0 for zeros).

    Scaling each column by its own power of 2 is exact, and it takes the units out of a
    rank decision or a stopping rule: a column of 1e150s beside one of 1e-150s is not
    "nearly collinear" once both are of size about 1.
    """
    return np.frexp(np.abs(X).max(axis=0))[1]


def prior_column_exponents(X: np.ndarray, prior_exponent: int) -> np.ndarray:
    """:func:`column_exponents`, each at least high enough that a Gaussian prior's precision
    ``2**prior_exponent`` becomes at most about ``2**1000`` in the column's units.

    Dividing column ``j`` by ``2**e[j]`` multiplies the precision of its coefficient's prior
    by ``4**-e[j]``. A tiny column is therefore scaled up only as far as keeps that finite
    beside ``X^T X`` (beyond, the prior dominates the column anyway).
    """
    return np.maximum(column_exponents(X), -((1000 - prior_exponent) // 2))


def split_symmetric(M: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(M_u, k)`` with ``M[i, j] = M_u[i, j] * 2**(k[i] + k[j])``, ``M_u``'s diagonal in
    [0.5, 2) (``k = 0`` where the diagonal is 0).

    Each coordinate of a covariance or an information is scaled by its own power of 2
    (exact), so its inverse neither over- nor underflows on the way, also when the diagonal
    spans more than the float range. An off-diagonal entry far beyond
    ``sqrt(M[i, i] M[j, j])`` (so ``M`` is not positive definite) can become inf in ``M_u``.
    """
    k = np.frexp(np.abs(np.diag(M)))[1] // 2
    with np.errstate(over="ignore"):
        return np.ldexp(M, -np.add.outer(k, k)), k


def split_residuals(x: np.ndarray, loc: float) -> tuple[np.ndarray, int]:
    """:func:`split` of ``x - loc``, also when that difference overflows (``1e308 - -1e308``)."""
    with np.errstate(over="ignore"):
        r = x - loc
    if np.isfinite(r).all():
        return split(r)
    u, e = split(x * 0.5 - loc * 0.5)  # halving is exact for normal numbers and cannot overflow
    return u, e + 1


def exact(value) -> Fraction:
    """A float (or int) as the exact fraction it stands for."""
    return Fraction(value) if isinstance(value, int) else Fraction(float(value))


def rounded(value: Fraction) -> float:
    """An exact fraction rounded once to a float: ``+-inf`` beyond the range, 0 below it."""
    try:
        return float(value)
    except OverflowError:
        return np.inf if value > 0 else -np.inf


def safe_mean(x: np.ndarray) -> float:
    """``mean(x)`` for finite ``x``, also when ``sum(x)`` would overflow (``x`` near 1e308)."""
    with np.errstate(over="ignore"):
        mean = x.mean()
    if np.isfinite(mean):
        return float(mean)
    u, e = split(x)
    return float(np.ldexp(u.mean(), e))
