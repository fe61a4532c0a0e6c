"""Argument checks shared by every public mlelib function.

Each helper returns a clean float array (or float) and raises a ``TypeError`` or
``ValueError`` whose message names the argument and the problem. Nothing here
ever returns NaN: bad input is refused at the door.
"""

from __future__ import annotations

from numbers import Real

import numpy as np

__all__ = [
    "as_data",
    "as_counts",
    "as_labels",
    "as_probability",
    "as_positive",
    "as_finite",
    "as_matrix",
    "same_length",
    "as_int",
]


def _as_float_array(value, name: str) -> np.ndarray:
    if value is None:
        raise TypeError(f"{name} must be a number or an array of numbers, got None")
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be numeric, got a string {value!r}")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} could not be read as a numeric array: {exc}") from None
    if arr.dtype == bool:
        arr = arr.astype(float)
    if not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(f"{name} must be numeric, got an array of dtype {arr.dtype}")
    return arr.astype(float, copy=False)


def _reject_nonfinite(arr: np.ndarray, name: str) -> None:
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN")
    if np.isinf(arr).any():
        raise ValueError(f"{name} contains inf")


def as_finite(value, name: str) -> np.ndarray:
    """A float array (any shape, possibly 0-d) with no NaN or inf."""
    arr = _as_float_array(value, name)
    _reject_nonfinite(arr, name)
    return arr


def as_data(value, name: str = "x", *, ndim: int = 1) -> np.ndarray:
    """Observations: a non-empty, finite float array of ``ndim`` dimensions.

    A scalar is accepted as one observation when ``ndim == 1``.
    """
    arr = as_finite(value, name)
    if ndim == 1 and arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty: at least one observation is needed")
    return arr


def as_matrix(value, name: str = "X") -> np.ndarray:
    """A non-empty finite 2-D array; a 1-D array is read as one column."""
    arr = as_finite(value, name)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-dimensional (n, d), got shape {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} is empty: got shape {arr.shape}")
    return arr


def as_counts(value, name: str = "k", *, allow_empty: bool = False) -> np.ndarray:
    """Non-negative whole numbers (as floats), e.g. Poisson or Binomial counts."""
    arr = as_finite(value, name)
    if arr.ndim == 0:
        arr = arr.reshape(1) if not allow_empty else arr
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name} is empty: at least one count is needed")
    if (arr < 0).any():
        raise ValueError(f"{name} must be non-negative counts, got {arr[arr < 0].flat[0]:g}")
    if (arr != np.round(arr)).any():
        bad = arr[arr != np.round(arr)].flat[0]
        raise ValueError(f"{name} must be whole-number counts, got {bad:g}")
    return arr


def as_labels(value, name: str = "x", *, n_classes: int | None = None) -> np.ndarray:
    """Class labels 0..K-1 as an int array (binary data are labels with K = 2)."""
    arr = as_counts(value, name)
    if n_classes is not None and (arr >= n_classes).any():
        bad = arr[arr >= n_classes].flat[0]
        raise ValueError(f"{name} must be labels in 0..{n_classes - 1}, got {bad:g}")
    return arr.astype(int)


def as_probability(value, name: str = "p") -> np.ndarray:
    """A probability (or array of them) in the closed interval [0, 1]."""
    arr = as_finite(value, name)
    if ((arr < 0) | (arr > 1)).any():
        bad = arr[(arr < 0) | (arr > 1)].flat[0]
        raise ValueError(f"{name} must be a probability in [0, 1], got {bad:g}")
    return arr


def as_positive(value, name: str = "scale") -> np.ndarray:
    """A strictly positive, finite parameter such as a scale, rate or variance."""
    arr = as_finite(value, name)
    if (arr <= 0).any():
        bad = arr[arr <= 0].flat[0]
        raise ValueError(f"{name} must be positive, got {bad:g}")
    return arr


def as_int(value, name: str, *, minimum: int = 0) -> int:
    """A whole number >= ``minimum`` (bools are refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, Real)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if isinstance(value, Real) and not float(value).is_integer():
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    value = int(value)
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def same_length(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Refuse two arrays whose first dimensions differ."""
    if a.shape[0] != b.shape[0]:
        raise ValueError(
            f"{name_a} and {name_b} must have the same length, got {a.shape[0]} and {b.shape[0]}"
        )
