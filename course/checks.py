"""Check helpers: what every test cell in the course calls.

A check runs a student's function on a list of cases and compares each result with
a hand-derived value or with the reference implementation in :mod:`mlelib`. When a
case fails, the message is written for the student: which case, the input, the
expected and the received value, and a hint for the likely mistake. ::

    from course.checks import case, check
    check(bernoulli_mle, [case([1, 0, 1, 1], expected=0.75)])

A check never passes in an environment it can see was tampered with. It refuses, and
says why, when the notebook has replaced numpy, math, numpy.testing or builtins
functions, patched ``course.checks`` or ``mlelib``, installed IPython input or AST
transformers or other hooks, or when the function returns an object of its own type
(whose ``__eq__`` or ``__float__`` could lie), the wrong shape, NaN, or hands the work
to ``mlelib``. See ``course/_guard.py`` for what is watched and how.
"""

from __future__ import annotations

import copy
import math
import os
import sys
import traceback
import types
from dataclasses import dataclass, field

import numpy as np

import mlelib

from . import _guard, _values

__all__ = [
    "Case",
    "CheckFailure",
    "case",
    "check",
    "check_monte_carlo",
    "check_property",
    "check_value",
]

_MISSING = object()
_deepcopy = copy.deepcopy
_print = print


class CheckFailure(AssertionError):
    """A failed check. Its traceback is the message alone: no test source is shown."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines

    def _render_traceback_(self):  # IPython shows these lines instead of a traceback
        return ["CheckFailure: " + self.lines[0], *self.lines[1:]]


@dataclass(frozen=True)
class Case:
    """One input to a student's function, with its expected result if known."""

    args: tuple
    kwargs: dict = field(default_factory=dict)
    expected: object = _MISSING
    hint: str | None = None
    rtol: float | None = None
    atol: float | None = None


def case(*args, expected=_MISSING, hint=None, rtol=None, atol=None, **kwargs) -> Case:
    """A test case: the arguments to pass, and optionally the expected result.

    Give ``expected`` for a hand-derived value; leave it out to compare with the
    check's ``reference``. ``hint`` is shown if this case fails; ``rtol``/``atol``
    override the check's tolerances for this case only.
    """
    return Case(args, kwargs, expected, hint, rtol, atol)


# --- the environment as it was when the notebook's first cell imported us -------------

_PACKAGE_ROOTS = [os.path.dirname(mlelib.__file__), os.path.dirname(__file__)]


def _protected_modules() -> dict[str, types.ModuleType]:
    names = [n for n in sys.modules if n == "mlelib" or n.startswith("mlelib.")]
    names += [__name__, _values.__name__, _guard.__name__]
    return {n: sys.modules[n] for n in names}


# A second import of this module (after ``del sys.modules[...]``) reuses the first
# snapshot, so re-importing after patching numpy does not launder the patch.
_SNAPSHOT: _guard.Snapshot = getattr(sys, "_mle_course_snapshot", None) or _guard.Snapshot(
    _protected_modules()
)
sys._mle_course_snapshot = _SNAPSHOT
_FORBIDDEN = _guard.ForbiddenCalls(_PACKAGE_ROOTS)


def _refuse_if_tampered(name: str) -> None:
    changes = _SNAPSHOT.changes()
    if not changes:
        return
    lines = [
        f"{name}: not graded, because this notebook changed the testing environment",
        *(f"    - {c}" for c in changes[:8]),
        "    Checks refuse to pass in a patched environment. Remove the code that does this,",
        "    restart the kernel and run all cells again.",
    ]
    hooks_touched = any("IPython" in c or "kernel" in c for c in changes)
    if hooks_touched:
        # The shell may have been told to swallow this cell's exception: report the
        # failure through the kernel's socket too, then put the shell back in order.
        _guard.emit_error(_SNAPSHOT, "CheckFailure", lines[0], lines)
        _SNAPSHOT.restore_shell_hooks()
    raise CheckFailure(lines)


# --- running the student's function -----------------------------------------------------


def _arg_names(fn, n: int) -> list[str]:
    if type(fn) is types.FunctionType:
        code = fn.__code__
        names = list(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
        return (names + [f"arg{i}" for i in range(len(names), n)])[:n]
    return [f"arg{i}" for i in range(n)]


def _show_input(fn, c: Case) -> str:
    names = _arg_names(fn, len(c.args))
    parts = [f"{k} = {_show_arg(v)}" for k, v in zip(names, c.args, strict=True)]
    parts += [f"{k} = {_show_arg(v)}" for k, v in c.kwargs.items()]
    return ", ".join(parts) if parts else "(no arguments)"


def _show_arg(value) -> str:
    if callable(value) and not isinstance(value, np.ndarray):
        return getattr(value, "__name__", "a function")
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return repr(int(value))
    if type(value) in (list, tuple) and len(value) <= 12:
        return repr(value)
    try:
        return _values.show(_values.plain(value))
    except (_values.Rejected, TypeError):
        return _values.show(value)


def _where_raised(exc: BaseException) -> str:
    """The last line of the student's own code in the traceback, if any."""
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if not f.filename.startswith(tuple(_PACKAGE_ROOTS))]
    if not mine:
        return ""
    f = mine[-1]
    return f" (line {f.lineno}: {f.line})" if f.line else f" (line {f.lineno})"


def _call(fn, c: Case, name: str, index: int, total: int):
    """Run one case. Return the plain result, or raise CheckFailure."""
    args = tuple(_FORBIDDEN.allow(a) if _is_plain_callable(a) else a for a in _deepcopy(c.args))
    kwargs = {
        k: _FORBIDDEN.allow(v) if _is_plain_callable(v) else v
        for k, v in _deepcopy(c.kwargs).items()
    }
    head = f"{name} failed on case {index} of {total}"
    shown = _show_input(fn, c)
    try:
        result, forbidden, removed = _FORBIDDEN.run(fn, args, kwargs)
    except NotImplementedError:
        raise CheckFailure(
            [
                f"{name} is not implemented yet",
                "    hint: replace `raise NotImplementedError()` with your code",
            ]
        ) from None
    except CheckFailure:
        raise
    except Exception as exc:
        _refuse_if_tampered(name)
        raise CheckFailure(
            [
                head,
                f"    input:    {shown}",
                f"    raised:   {type(exc).__name__}: {exc}{_where_raised(exc)}",
                *([f"    hint:     {c.hint}"] if c.hint else []),
            ]
        ) from None
    _refuse_if_tampered(name)
    if removed:
        raise CheckFailure([f"{name}: not graded, because it changed sys.setprofile while running"])
    if forbidden:
        raise CheckFailure(
            [
                f"{name}: not graded, because it hands the work to the reference library",
                f"    input:    {shown}",
                f"    it called {forbidden}, part of the course's reference code that answers",
                "    are compared with. Write the computation yourself with numpy/scipy.",
            ]
        )
    try:
        return _values.plain(result), head, shown
    except _values.Rejected as why:
        raise CheckFailure([head, f"    input:    {shown}", f"    problem:  {why}"]) from None


def _is_plain_callable(value) -> bool:
    return callable(value) and not isinstance(value, (np.ndarray, type))


# --- public API -------------------------------------------------------------------------


def check(student_fn, cases, reference=None, *, rtol=1e-7, atol=1e-10, name=None, hint=None):
    """Compare ``student_fn`` with expected values or a reference over ``cases``.

    Parameters
    ----------
    student_fn : callable
        The function the student wrote.
    cases : list of Case
        Built with :func:`case`. Each is passed to ``student_fn`` as a deep copy.
    reference : callable, optional
        Computes the expected result of cases that do not give ``expected``.
    rtol, atol : float
        Tolerances: ``|got - expected| <= atol + rtol * |expected|``, elementwise.
        Infinities must match exactly; NaN never passes.
    name : str, optional
        What to call the function in messages (default: its ``__name__``).
    hint : str, optional
        Shown with any failure that has no case-specific hint.
    """
    name = name or getattr(student_fn, "__name__", "your function")
    _refuse_if_tampered(name)
    if not callable(student_fn):
        raise CheckFailure([f"{name} should be a function, got {type(student_fn).__name__}"])
    cases = list(cases)
    for i, c in enumerate(cases, start=1):
        if c.expected is not _MISSING:
            expected = _values.plain(c.expected, "the expected value")
        elif reference is not None:
            expected = _values.plain(reference(*_deepcopy(c.args), **_deepcopy(c.kwargs)))
        else:
            raise TypeError(f"case {i} has no expected value and the check has no reference")
        got, head, shown = _call(student_fn, c, name, i, len(cases))
        r = c.rtol if c.rtol is not None else rtol
        a = c.atol if c.atol is not None else atol
        problem = _values.compare(got, expected, r, a)
        if problem:
            lines = [
                head,
                f"    input:    {shown}",
                f"    expected: {_values.show(expected)}",
                f"    got:      {_values.show(got)}",
                f"    problem:  {problem}",
            ]
            guess = c.hint or _guess(got, expected, c) or hint
            if guess:
                lines.append(f"    hint:     {guess}")
            raise CheckFailure(lines)
    _print(f"✓ {name}: {len(cases)} case{'s' if len(cases) != 1 else ''} passed")


def check_value(got, expected, *, name, rtol=1e-7, atol=1e-10, hint=None):
    """Compare a value the student computed (not a function) with ``expected``."""
    _refuse_if_tampered(name)
    try:
        got = _values.plain(got, name)
    except _values.Rejected as why:
        raise CheckFailure([f"{name} cannot be graded", f"    problem:  {why}"]) from None
    expected = _values.plain(expected, "the expected value")
    problem = _values.compare(got, expected, rtol, atol, name)
    if problem:
        lines = [
            f"{name} is not right",
            f"    expected: {_values.show(expected)}",
            f"    got:      {_values.show(got)}",
            f"    problem:  {problem}",
        ]
        guess = hint or _guess(got, expected, None)
        if guess:
            lines.append(f"    hint:     {guess}")
        raise CheckFailure(lines)
    _print(f"✓ {name} is correct")


def check_property(student_fn, cases, predicate, *, description, name=None):
    """Check that ``predicate(result, *args, **kwargs)`` holds for every case.

    For answers with no single right value (a path, a trace, a random draw):
    ``predicate`` gets the student's result as plain floats/arrays/tuples and returns
    ``True`` or a string saying what is wrong. ``description`` names the property
    in messages, e.g. "the log-likelihood never decreases".
    """
    name = name or getattr(student_fn, "__name__", "your function")
    _refuse_if_tampered(name)
    cases = list(cases)
    for i, c in enumerate(cases, start=1):
        got, head, shown = _call(student_fn, c, name, i, len(cases))
        verdict = predicate(got, *_deepcopy(c.args), **_deepcopy(c.kwargs))
        if verdict is not True:
            lines = [
                head,
                f"    input:    {shown}",
                f"    expected: {description}",
                f"    got:      {_values.show(got)}",
            ]
            if isinstance(verdict, str):
                lines.append(f"    problem:  {verdict}")
            if c.hint:
                lines.append(f"    hint:     {c.hint}")
            raise CheckFailure(lines)
    _print(f"✓ {name}: {description} ({len(cases)} case{'s' if len(cases) != 1 else ''})")


def check_monte_carlo(got, expected, mc_se, *, name, z=4.0, hint=None):
    """Check a simulation result against its target within ``z`` Monte Carlo standard errors.

    The tolerance ``z * mc_se`` is derived from the simulation's own noise: with
    ``z = 4`` a correct simulation fails about once in 16,000 runs (and the course's
    simulations use fixed seeds, so a correct answer passes every time).
    """
    _refuse_if_tampered(name)
    try:
        got = _values.plain(got, name)
    except _values.Rejected as why:
        raise CheckFailure([f"{name} cannot be graded", f"    problem:  {why}"]) from None
    expected = _values.plain(expected, "the expected value")
    tol = z * float(mc_se)
    problem = _values.compare(got, expected, 0.0, tol, name)
    if problem:
        lines = [
            f"{name} is further from its target than simulation noise explains",
            f"    expected: {_values.show(expected)} ± {tol:.3g}"
            f" ({z:g} Monte Carlo standard errors)",
            f"    got:      {_values.show(got)}",
            f"    problem:  {problem}",
        ]
        if hint:
            lines.append(f"    hint:     {hint}")
        raise CheckFailure(lines)
    _print(f"✓ {name} is within {z:g} Monte Carlo standard errors of {_values.show(expected)}")


# --- hints for the usual mistakes ------------------------------------------------------


def _guess(got, expected, c: Case | None) -> str | None:
    """Recognise common mistakes from how ``got`` relates to ``expected``."""
    if type(got) is not type(expected):
        return None
    g = np.atleast_1d(np.asarray(got, dtype=float)) if not isinstance(got, (tuple, dict)) else None
    e = np.atleast_1d(np.asarray(expected, dtype=float)) if g is not None else None
    if g is None or g.shape != e.shape:
        return None
    if np.isnan(g).any():
        return (
            "NaN usually means 0·log(0), log of zero or a negative number, or 0/0. "
            "scipy.special.xlogy(x, y) computes x·log(y) with 0·log(0) = 0."
        )
    finite = np.isfinite(g) & np.isfinite(e)
    if not finite.all():
        if np.isinf(g).any() and not np.isinf(e).any():
            return "an infinite result: is a log of 0 or an overflow hiding in your formula?"
        return None

    def close(a):
        return bool(np.allclose(g, a, rtol=1e-6, atol=1e-9))

    if np.any(e != 0) and close(-e):
        return "the sign is flipped: log-likelihood and negative log-likelihood differ by a sign"
    if np.all(e < 700) and close(np.exp(e)):
        return "this looks like exp of the expected value: return the log, not the likelihood"
    if np.all(e > 0) and close(np.log(e)):
        return "this looks like the log of the expected value: was the log wanted here?"
    n = _sample_size(c)
    if n and n > 1:
        for factor, text in [
            (n, "n times too large: a sum where a mean is wanted?"),
            (1 / n, "n times too small: a mean where a sum is wanted?"),
            (n / (n - 1), "divide by n, not n - 1: the MLE of a variance uses n"),
            (math.sqrt(n / (n - 1)), "divide by n, not n - 1, before taking the square root"),
        ]:
            if close(e * factor):
                return text
    return None


def _sample_size(c: Case | None) -> int | None:
    if c is None:
        return None
    for a in c.args:
        if isinstance(a, (list, tuple, np.ndarray)) and len(a) > 0:
            return len(a)
    return None


class _ChecksModule(types.ModuleType):
    """This module's own type: refuses attribute assignment, so a notebook cannot
    quietly swap ``course.checks.check`` for a function that always passes."""

    def __setattr__(self, name, value):
        raise AttributeError(f"course.checks is read-only: cannot set {name!r}")

    def __delattr__(self, name):
        raise AttributeError(f"course.checks is read-only: cannot delete {name!r}")


sys.modules[__name__].__class__ = _ChecksModule
