"""Checks of the non-data arguments of the fitting functions, shared like ``_validate``.

Flags, axes, lists of parameter indices, parameter ranges, random generators, and what a
user's callable (an NLL, a gradient, a Hessian) returns. Each raises a ``TypeError`` or
``ValueError`` that names the argument, as :mod:`mlelib._validate` does.
"""

from __future__ import annotations

from numbers import Real

import numpy as np

from ._validate import as_int

__all__ = [
    "as_bool",
    "as_axis",
    "as_index_list",
    "as_bounds",
    "as_rng",
    "as_returned",
    "as_start_values",
]


def as_bool(value, name: str) -> bool:
    """``True`` or ``False`` (numpy bools too); anything else, e.g. ``"no"``, is refused.

    A string is truthy in Python, so ``full="no"`` would silently mean ``full=True``.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def as_axis(value, name: str, ndim: int) -> int:
    """An axis of an ``ndim``-dimensional array, ``-ndim <= axis < ndim``."""
    axis = as_int(value, name, minimum=-ndim)
    if axis >= ndim:
        raise ValueError(f"{name} must be in -{ndim}..{ndim - 1} for {ndim}-D input, got {axis}")
    return axis


def as_index_list(value, name: str, size: int) -> list[int]:
    """A list (or tuple, or array) of indices into ``size`` parameters; it may be empty."""
    if value is None or isinstance(value, (str, bytes, Real, np.generic)):
        raise TypeError(f"{name} must be a sequence of parameter indices, got {value!r}")
    try:
        items = list(value)
    except TypeError:
        raise TypeError(f"{name} must be a sequence of parameter indices, got {value!r}") from None
    indices = [as_int(i, name) for i in items]
    for i in indices:
        if i >= size:
            raise ValueError(f"{name} lists index {i}, but there are only {size} parameters")
    return indices


def as_bounds(value, name: str) -> tuple[float, float]:
    """A range ``(low, high)`` with ``low < high``; ``None`` or an infinity leaves a side open."""
    if value is None:
        return -np.inf, np.inf
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__len__") or len(value) != 2:
        raise TypeError(f"{name} must be a pair (low, high), got {value!r}")
    low, high = list(value)
    pair = [-np.inf if low is None else low, np.inf if high is None else high]
    if not all(isinstance(v, (Real, np.integer, np.floating)) for v in pair) or any(
        isinstance(v, (bool, np.bool_)) for v in pair
    ):
        raise TypeError(f"{name} must be a pair of numbers (low, high), got {value!r}")
    arr = np.array(pair, dtype=float)
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN")
    if not arr[0] < arr[1]:
        raise ValueError(f"{name} must have low < high, got {value!r}")
    return float(arr[0]), float(arr[1])


def as_rng(value, name: str = "rng") -> np.random.Generator:
    """A ``numpy.random.Generator`` from ``None``, a non-negative int seed or a Generator."""
    if value is None or isinstance(value, np.random.Generator):
        return np.random.default_rng(value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"{name} must be None, a non-negative integer seed or a numpy Generator, got {value!r}"
        )
    if value < 0:
        raise ValueError(f"{name} must be a non-negative integer seed, got {value}")
    return np.random.default_rng(int(value))


def as_returned(value, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """What a user's function returned, as a float array of ``shape``.

    NaN and inf pass (an optimiser treats them as "outside the parameter space" or as
    divergence); ``None``, strings and arrays of another size are refused, naming ``name``.
    """
    if value is None or isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must return numbers, got {type(value).__name__}")
    try:
        arr = np.asarray(value)
    except Exception as exc:
        raise TypeError(f"{name} returned something that is not numeric: {exc}") from None
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise TypeError(f"{name} must return numbers, got an array of dtype {arr.dtype}")
    size = int(np.prod(shape))
    if arr.size != size:
        want = "a single number" if size == 1 else f"shape {shape}"
        raise ValueError(f"{name} must return {want}, got shape {arr.shape}")
    return arr.astype(float).reshape(shape)


def as_start_values(init, name: str = "init") -> tuple:
    """A mixture's ``(weights, means, covs)`` from a tuple/list of three or a dict with those
    keys (``fit_gmm``'s ``init``); the values themselves are checked by the caller."""
    keys = ("weights", "means", "covs")
    if isinstance(init, dict):
        missing = [key for key in keys if key not in init]
        if missing or len(init) != 3:
            raise ValueError(f"{name} must have exactly the keys {keys}, got {list(init)}")
        return tuple(init[key] for key in keys)
    if not isinstance(init, (tuple, list)) or len(init) != 3:
        raise TypeError(
            f"{name} must be None, 'random', 'kmeans++', a (weights, means, covs) tuple or a dict "
            f"with those keys, got {init!r}"
        )
    return tuple(init)
