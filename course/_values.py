"""Turning a student's return value into plain numbers, and comparing them.

A test cell must not trust the objects a submission returns: a ``float`` subclass
can claim to equal anything, a list subclass can lie about its items, an object can
lie in ``__float__``. So values are admitted by their *exact* type only and read
through the built-in types' own methods (``tuple.__getitem__``, ``dict.keys``),
never through methods the submission could override. What comes out is made of
``float``, ``numpy.ndarray`` (float64), ``tuple`` and ``dict`` alone, and the
comparison uses ufuncs captured when this module was imported.
"""

from __future__ import annotations

import math

import numpy as np

# Captured at import, before any student code runs. ufuncs are C objects whose
# behaviour cannot be patched from Python; keeping our own references means that
# rebinding ``np.isnan`` or ``np.abs`` in a notebook changes nothing here.
_array = np.array
_isnan = np.isnan
_isinf = np.isinf
_absolute = np.absolute
_subtract = np.subtract
_less_equal = np.less_equal
_logical_or = np.logical_or
_ndarray = np.ndarray
_generic = np.generic
_float = float
_int = int
_bool = bool
_type = type
_tuple_getitem = tuple.__getitem__
_tuple_len = tuple.__len__
_list_getitem = list.__getitem__
_list_len = list.__len__
_dict_keys = dict.keys
_dict_getitem = dict.__getitem__
_float_repr = float.__repr__

_NUMPY_SCALARS = frozenset(
    {
        np.float64,
        np.float32,
        np.float16,
        np.longdouble,
        np.int8,
        np.int16,
        np.int32,
        np.int64,
        np.uint8,
        np.uint16,
        np.uint32,
        np.uint64,
        np.bool_,
    }
)


class Rejected(Exception):
    """A returned value that cannot be graded; the message says why."""


def plain(value, where: str = "the result"):
    """Convert ``value`` to floats, float arrays, tuples and dicts, or raise :class:`Rejected`."""
    t = _type(value)
    if value is None:
        raise Rejected(f"{where} is None: did you forget to `return` it?")
    if t is _bool or t is _int:
        return _float(_int.__int__(value))
    if t is _float:
        return _float.__float__(value)
    if t in _NUMPY_SCALARS:
        return _float(value.item())
    if t is _ndarray:
        if value.dtype.kind not in "biuf":
            raise Rejected(
                f"{where} is an array of dtype {value.dtype}; return numbers (an array of floats)"
            )
        return _array(value, dtype=np.float64, copy=True, subok=False)
    if isinstance(value, tuple):
        return tuple(
            plain(_tuple_getitem(value, i), f"{where}[{i}]") for i in range(_tuple_len(value))
        )
    if t is list:
        items = [plain(_list_getitem(value, i), f"{where}[{i}]") for i in range(_list_len(value))]
        return _as_array_if_numbers(items)
    if t is dict:
        out = {}
        for key in list(_dict_keys(value)):
            if _type(key) is not str:
                raise Rejected(f"{where} has a key of type {_type(key).__name__}; use str keys")
            out[key] = plain(_dict_getitem(value, key), f"{where}[{key!r}]")
        return out
    if isinstance(value, (_float, _int, _ndarray, list, dict)):
        raise Rejected(
            f"{where} is a {t.__name__} object, a subclass of {t.__mro__[1].__name__}. "
            "Return a plain number or numpy array: objects of your own type are not graded."
        )
    raise Rejected(
        f"{where} is a {t.__name__} object; return a plain number, numpy array or tuple of them"
    )


def _as_array_if_numbers(items: list):
    if items and all(_type(i) is _float for i in items):
        return _array(items, dtype=np.float64)
    if items and all(_type(i) is _ndarray for i in items):
        shapes = {i.shape for i in items}
        if len(shapes) == 1:
            return _array(items, dtype=np.float64)
    return tuple(items)


def compare(got, expected, rtol: float, atol: float, where: str = "the result") -> str | None:
    """``None`` if ``got`` matches ``expected`` (both already :func:`plain`), else why not."""
    te, tg = _type(expected), _type(got)
    if te is _float:
        if tg is _ndarray and got.shape == ():
            got, tg = _float(got.item()), _float
        if tg is not _float:
            return f"{where} should be a single number, got {describe_kind(got)}"
        return _compare_arrays(_array(got), _array(expected), rtol, atol, where)
    if te is _ndarray:
        if tg is tuple and all(_type(g) is _float for g in got):
            got, tg = _array(got, dtype=np.float64), _ndarray
        if tg is _float and expected.shape == ():
            got, tg = _array(got), _ndarray
        if tg is not _ndarray:
            return f"{where} should be an array of shape {expected.shape}, got {describe_kind(got)}"
        if got.shape != expected.shape:
            return f"{where} has shape {got.shape}, expected shape {expected.shape}"
        return _compare_arrays(got, expected, rtol, atol, where)
    if te is tuple:
        if tg is _ndarray and got.ndim == 1:
            got, tg = tuple(_float(v) for v in got), tuple
        if tg is not tuple:
            return f"{where} should be a tuple of {len(expected)} values, got {describe_kind(got)}"
        if len(got) != len(expected):
            return f"{where} has {len(got)} values, expected {len(expected)}"
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            problem = compare(g, e, rtol, atol, f"{where}[{i}]")
            if problem:
                return problem
        return None
    if te is dict:
        if tg is not dict:
            return f"{where} should be a dict, got {describe_kind(got)}"
        if set(got) != set(expected):
            return f"{where} has keys {sorted(got)}, expected {sorted(expected)}"
        for key in expected:
            problem = compare(got[key], expected[key], rtol, atol, f"{where}[{key!r}]")
            if problem:
                return problem
        return None
    raise TypeError(f"cannot compare with an expected value of type {te.__name__}")


def _compare_arrays(got, expected, rtol, atol, where) -> str | None:
    got_nan = _isnan(got)
    if got_nan.any():
        if _isnan(expected).any():
            raise ValueError("an expected value is NaN: the test itself is broken")
        return f"{where} contains NaN"
    exp_inf = _isinf(expected)
    got_inf = _isinf(got)
    # Infinities must match exactly, sign included (e.g. log 0 = -inf).
    same_inf = exp_inf & (got == expected)
    if (_logical_or(exp_inf, got_inf) & ~same_inf).any():
        return f"{where} is infinite where it should be finite, or the other way round"
    finite = ~exp_inf
    diff = _absolute(_subtract(got[finite], expected[finite]))
    bound = atol + rtol * _absolute(expected[finite])
    if not _less_equal(diff, bound).all():
        return f"{where} differs from the expected value (by up to {_float(diff.max()):.3g})"
    return None


def describe_kind(value) -> str:
    t = _type(value)
    if t is _float:
        return "a single number"
    if t is _ndarray:
        return f"an array of shape {value.shape}"
    if t is tuple:
        return f"a tuple of {len(value)} values"
    if t is dict:
        return "a dict"
    return f"a {t.__name__}"


def show(value, limit: int = 160) -> str:
    """A short, readable rendering of a value for a feedback message."""
    if _type(value) is _float:
        return _float_repr(value) if not math.isinf(value) else ("inf" if value > 0 else "-inf")
    if _type(value) is _ndarray:
        with np.printoptions(precision=6, threshold=8, edgeitems=3, linewidth=limit):
            text = np.array2string(value, separator=", ")
        return f"array({text})" if value.ndim else text
    if _type(value) is tuple:
        inner = ", ".join(show(v, limit) for v in value)
        return f"({inner}{',' if len(value) == 1 else ''})"
    if _type(value) is dict:
        return "{" + ", ".join(f"{k!r}: {show(v, limit)}" for k, v in value.items()) + "}"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
