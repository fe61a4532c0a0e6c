"""Turning a student's return value into plain numbers, and comparing them.

Values are admitted by their *exact* type: ``float``, ``int``, ``bool``, numpy scalars and
arrays of numbers, and ``tuple``/``list``/``dict`` of them. What comes out is made of
``float``, ``numpy.ndarray`` (float64), ``tuple`` and ``dict`` alone, so that a comparison
never depends on a method of an object the student made (a ``float`` subclass with its own
``__eq__``, a scipy ``OptimizeResult``): such a value is refused with a message saying what to
return instead. During autograde the values have already crossed from the kernel as plain data
(:mod:`course._wire`); this module then only normalises them.
"""

from __future__ import annotations

import math
import re

import numpy as np

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
    t = type(value)
    if t.__name__ == "Unavailable" and isinstance(getattr(value, "why", None), str):
        raise Rejected(value.why)  # a student's variable the grader could not read
    if value is None:
        raise Rejected(f"{where} is None: did you forget to `return` it?")
    if t is bool or t is int:
        return float(int(value))
    if t is float:
        return float(value)
    if t in _NUMPY_SCALARS:
        return float(value.item())
    if t is np.ndarray:
        if value.dtype.kind not in "biuf":
            raise Rejected(
                f"{where} is an array of dtype {value.dtype}; return numbers (an array of floats)"
            )
        return np.array(value, dtype=np.float64, copy=True, subok=False)
    if isinstance(value, tuple):  # namedtuples too; read through tuple's own methods
        return tuple(
            plain(tuple.__getitem__(value, i), f"{where}[{i}]") for i in range(tuple.__len__(value))
        )
    if t is list:
        items = [plain(value[i], f"{where}[{i}]") for i in range(len(value))]
        return _as_array_if_numbers(items)
    if t is dict:
        out = {}
        for key in list(value.keys()):
            if type(key) is not str:
                raise Rejected(f"{where} has a key of type {type(key).__name__}; use str keys")
            out[key] = plain(value[key], f"{where}[{key!r}]")
        return out
    sympy_text = _sympy_text(value)
    if sympy_text is not None:
        raise Rejected(
            f"{where} is the SymPy expression {sympy_text}, not a number: a name in your function "
            "(n? theta? log? sqrt?) is a SymPy symbol or function from a derivation cell. "
            "Compute with numbers: np.log and np.sqrt, and every variable defined in the function "
            "(or passed to it)"
        )
    if isinstance(value, (float, int, np.ndarray, list, dict)):
        raise Rejected(
            f"{where} is a {t.__name__} object, a subclass of {t.__mro__[1].__name__}. "
            "Return a plain number or numpy array: objects of your own type are not graded."
        )
    raise Rejected(
        f"{where} is a {t.__name__} object; return a plain number, numpy array or tuple of them"
    )


# During autograde a SymPy expression crosses from the kernel as its srepr text (course._wire).
_SREPR = re.compile(r"(Mul|Add|Pow|Symbol|Integer|Rational|Float|log|exp|sqrt|Tuple|Eq)\(")


def _sympy_text(value) -> str | None:
    """A SymPy expression (or its srepr text from the kernel), shortened; else None."""
    if (type(value).__module__ or "").startswith("sympy"):
        text = str(value)
    elif type(value) is str and _SREPR.match(value):
        text = value
    else:
        return None
    return text if len(text) <= 80 else text[:77] + "..."


def _as_array_if_numbers(items: list):
    if items and all(type(i) is float for i in items):
        return np.array(items, dtype=np.float64)
    if items and all(type(i) is np.ndarray for i in items):
        shapes = {i.shape for i in items}
        if len(shapes) == 1:
            return np.array(items, dtype=np.float64)
    return tuple(items)


def compare(got, expected, rtol: float, atol: float, where: str = "the result") -> str | None:
    """``None`` if ``got`` matches ``expected`` (both already :func:`plain`), else why not."""
    te, tg = type(expected), type(got)
    if te is float:
        if tg is np.ndarray and got.shape == ():
            got, tg = float(got.item()), float
        if tg is not float:
            return f"{where} should be a single number, got {describe_kind(got)}"
        return _compare_arrays(np.array(got), np.array(expected), rtol, atol, where)
    if te is np.ndarray:
        if tg is tuple and all(type(g) is float for g in got):
            got, tg = np.array(got, dtype=np.float64), np.ndarray
        if tg is float and expected.shape == ():
            got, tg = np.array(got), np.ndarray
        if tg is not np.ndarray:
            return f"{where} should be an array of shape {expected.shape}, got {describe_kind(got)}"
        if got.shape != expected.shape:
            return f"{where} has shape {got.shape}, expected shape {expected.shape}"
        return _compare_arrays(got, expected, rtol, atol, where)
    if te is tuple:
        if tg is np.ndarray and got.ndim == 1:
            got, tg = tuple(float(v) for v in got), tuple
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
    got_nan = np.isnan(got)
    if got_nan.any():
        if np.isnan(expected).any():
            raise ValueError("an expected value is NaN: the test itself is broken")
        return f"{where} contains NaN"
    exp_inf = np.isinf(expected)
    got_inf = np.isinf(got)
    # Infinities must match exactly, sign included (e.g. log 0 = -inf).
    same_inf = exp_inf & (got == expected)
    if (np.logical_or(exp_inf, got_inf) & ~same_inf).any():
        return f"{where} is infinite where it should be finite, or the other way round"
    finite = ~exp_inf
    diff = np.absolute(np.subtract(got[finite], expected[finite]))
    bound = atol + rtol * np.absolute(expected[finite])
    if not np.less_equal(diff, bound).all():
        return f"{where} differs from the expected value (by up to {float(diff.max()):.3g})"
    return None


def describe_kind(value) -> str:
    t = type(value)
    if t is float:
        return "a single number"
    if t is np.ndarray:
        return f"an array of shape {value.shape}"
    if t is tuple:
        return f"a tuple of {len(value)} values"
    if t is dict:
        return "a dict"
    return f"a {t.__name__}"


def show(value, limit: int = 160, precision: int = 6) -> str:
    """A short, readable rendering of a value for a feedback message.

    Arrays show ``precision`` digits; :func:`show_pair` asks for all of them when two values
    that differ would otherwise look the same.
    """
    if type(value) is float:
        return float.__repr__(value) if not math.isinf(value) else ("inf" if value > 0 else "-inf")
    if type(value) is np.ndarray:
        with np.printoptions(precision=precision, threshold=8, edgeitems=3, linewidth=limit):
            text = np.array2string(value, separator=", ")
        if value.ndim > 1:  # one line, not numpy's ragged rows: [[1., 2.], [3., 4.]]
            text = " ".join(text.split())
        return f"array({text})" if value.ndim else text
    if type(value) is tuple:
        inner = ", ".join(show(v, limit, precision) for v in value)
        return f"({inner}{',' if len(value) == 1 else ''})"
    if type(value) is dict:
        items = (f"{k!r}: {show(v, limit, precision)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def show_pair(expected, got) -> tuple[str, str]:
    """``show`` of both values, with every digit when six would make them look the same."""
    shown = show(expected), show(got)
    if shown[0] == shown[1]:
        shown = show(expected, precision=17), show(got, precision=17)
    return shown
