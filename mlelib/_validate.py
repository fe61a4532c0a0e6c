"""Argument checks shared by every public mlelib function.

Each helper returns a clean float array (or float) and raises a ``TypeError`` or
``ValueError`` whose message names the argument and the problem. Nothing here
ever returns NaN: bad input is refused at the door.
"""

from __future__ import annotations

from numbers import Real

import numpy as np

_FLOAT_MAX = float(np.finfo(float).max)

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
    "as_scalar",
    "as_scalar_probability",
    "as_nonnegative",
    "as_scalar_nonnegative",
    "as_scalar_positive",
    "as_count_vector",
    "as_label_vector",
    "as_binary",
    "as_location_scale",
    "as_callable",
    "as_start_point",
    "as_regression_data",
    "as_identified",
]


def _as_float_array(value, name: str) -> np.ndarray:
    if value is None:
        raise TypeError(f"{name} must be a number or an array of numbers, got None")
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be numeric, got a string {value!r}")
    if np.ma.isMaskedArray(value) and np.ma.getmaskarray(value).any():
        # np.asarray would drop the mask and use the hidden values as data.
        raise ValueError(
            f"{name} is a masked array with masked values, which would be used as data: "
            f"pass {name}.compressed() (or fill them) instead"
        )
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


def as_data(value, name: str = "x") -> np.ndarray:
    """Observations: a non-empty, finite 1-D float array (a scalar is one observation)."""
    arr = as_finite(value, name)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-dimensional, got shape {arr.shape}")
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


def as_counts(value, name: str = "k", *, empty_ok: bool = False) -> np.ndarray:
    """Non-negative whole numbers (as floats), e.g. Poisson or Binomial counts.

    Empty is refused unless ``empty_ok`` (a posterior after no data is the prior)."""
    arr = as_finite(value, name)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.size == 0 and not empty_ok:
        raise ValueError(f"{name} is empty: at least one count is needed")
    if (arr < 0).any():
        raise ValueError(f"{name} must be non-negative counts, got {arr[arr < 0].flat[0]:g}")
    if (arr != np.round(arr)).any():
        bad = arr[arr != np.round(arr)].flat[0]
        raise ValueError(f"{name} must be whole-number counts, got {bad:g}")
    return arr


def as_labels(
    value, name: str = "x", *, n_classes: int | None = None, empty_ok: bool = False
) -> np.ndarray:
    """Class labels 0..K-1 as an int array (binary data are labels with K = 2)."""
    arr = as_counts(value, name, empty_ok=empty_ok)
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


def as_nonnegative(value, name: str) -> np.ndarray:
    """A finite parameter (or array of them) that may be 0, such as a standard error."""
    arr = as_finite(value, name)
    if (arr < 0).any():
        raise ValueError(f"{name} must be >= 0, got {arr[arr < 0].flat[0]:g}")
    return arr


def as_positive(value, name: str = "scale") -> np.ndarray:
    """A strictly positive, finite parameter such as a scale, rate or variance."""
    arr = as_finite(value, name)
    if (arr <= 0).any():
        bad = arr[arr <= 0].flat[0]
        raise ValueError(f"{name} must be positive, got {bad:g}")
    return arr


def as_int(value, name: str, *, minimum: int = 0) -> int:
    """A whole number >= ``minimum`` within the float range (bools are refused)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer, Real)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if isinstance(value, np.floating):
        # Compared as a Python float below: exact for float16/32/64 (a longdouble past the
        # range becomes inf). Compared as itself, 1.8e308 would be cast to its narrower type,
        # which warns of an overflow for a count as ordinary as np.float32(2).
        value = float(value)
    # A Python int can be past the float range, where float() raises OverflowError; every
    # count here ends up in float arithmetic, so such a value is refused by name.
    if abs(value) > _FLOAT_MAX:
        shown = (
            repr(value)
            if isinstance(value, (float, np.floating))
            else f"a whole number of {len(str(abs(int(value))))} digits"
        )
        raise ValueError(f"{name} must be within the float range (about 1.8e308), got {shown}")
    if not isinstance(value, (int, np.integer)) and not float(value).is_integer():
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


# --- scalar parameters and 1-D data, as the likelihood families take them ----------------


def _scalar(arr: np.ndarray, name: str) -> float:
    """The single number in a 0-d array; parameters here are scalars, not arrays."""
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a single number, got an array of shape {arr.shape}")
    return float(arr)


def as_scalar(value, name: str) -> float:
    """A single finite number, e.g. a location."""
    return _scalar(as_finite(value, name), name)


def as_scalar_probability(value, name: str = "p", *, interior: bool = False) -> float:
    """A probability; ``interior=True`` also refuses 0 and 1, where the score and
    the Fisher information are infinite."""
    p = _scalar(as_probability(value, name), name)
    if interior and p in (0.0, 1.0):
        raise ValueError(f"{name} must lie strictly between 0 and 1 here, got {p:g}")
    return p


def as_scalar_nonnegative(value, name: str) -> float:
    """A rate that may be 0: the log-likelihood is defined there (and is the MLE
    when no event is seen), the score and the Fisher information are not."""
    v = as_scalar(value, name)
    if v < 0:
        raise ValueError(f"{name} must be non-negative, got {v:g}")
    return v


def as_scalar_positive(value, name: str) -> float:
    """A single strictly positive number, e.g. a scale, rate or shape."""
    v = as_scalar(value, name)
    if v <= 0:
        raise ValueError(f"{name} must be positive, got {v:g}")
    return v


def _one_dimensional(arr: np.ndarray, name: str) -> np.ndarray:
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-dimensional, got shape {arr.shape}")
    return arr


def as_count_vector(value, name: str) -> np.ndarray:
    """A 1-D array of counts (a scalar is one count), see :func:`as_counts`."""
    return _one_dimensional(as_counts(value, name), name)


def as_label_vector(
    value, name: str = "x", n_classes: int | None = None, *, empty_ok: bool = False
) -> np.ndarray:
    """A 1-D int array of labels (a scalar is one label), see :func:`as_labels`."""
    return _one_dimensional(as_labels(value, name, n_classes=n_classes, empty_ok=empty_ok), name)


def as_binary(value, name: str = "x") -> np.ndarray:
    """A 1-D float array of 0/1 observations."""
    return as_label_vector(value, name, n_classes=2).astype(float)


def as_location_scale(x, loc, scale) -> tuple[np.ndarray, float, float]:
    """Data, a location and a positive scale: the arguments of a location-scale family."""
    return as_data(x, "x"), as_scalar(loc, "loc"), as_scalar_positive(scale, "scale")


# --- optimiser arguments -------------------------------------------------------------------


def as_callable(fn, name: str):
    """``fn`` itself, if it can be called (a gradient, a Hessian, an NLL)."""
    if not callable(fn):
        raise TypeError(f"{name} must be callable, got {type(fn).__name__}")
    return fn


def as_start_point(x0, name: str = "x0") -> np.ndarray:
    """An optimiser's starting point: a finite number (0-d) or a non-empty 1-D array."""
    x = as_finite(x0, name)
    if x.ndim > 1 or x.size == 0:
        raise ValueError(f"{name} must be a number or a non-empty 1-D array, got shape {x.shape}")
    return x


# --- regression data -----------------------------------------------------------------------


def as_regression_data(X, y, *, labels: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """A design matrix ``X`` (n, d) and a response ``y`` (n,): real numbers, or 0/1 labels."""
    X = as_matrix(X, "X")
    y = as_binary(y, "y") if labels else as_data(y, "y")
    same_length(X, y, "X", "y")
    return X, y


def as_identified(X: np.ndarray, what: str) -> None:
    """Refuse a design with fewer rows than columns: the coefficients are not identified."""
    n, d = X.shape
    if n < d:
        raise ValueError(
            f"X has {n} rows and {d} columns: with fewer observations than coefficients the "
            f"{what} is not identified (many coefficient vectors fit equally well)"
        )
