"""Check helpers: what every test cell in the course calls.

A check runs a student's function on a list of cases and compares each result with
a hand-derived value or with the reference implementation in :mod:`mlelib`. When a
case fails, the message is written for the student: which case, the input, the
expected and the received value, and a hint for the likely mistake. ::

    from course.checks import case, check
    check(bernoulli_mle, [case([1, 0, 1, 1], expected=0.75)])

In the student's own notebook a test cell runs in their kernel, and these helpers call
their functions directly. During autograde the same test cell runs in the grader's process
(:mod:`course.grading.remote`): the student's functions are stand-ins that run the real ones
in the sandboxed kernel and bring back plain data, so expected values, references and hidden
tests never enter the student's process, and a result that is not a plain number, array or
tuple/list/dict of them (a float subclass whose ``__eq__`` lies, say) cannot even cross.
The checks read results by their exact type either way (:mod:`course._values`).

A case also fails when the student's function changes an array it was given (an argument, or
an array inside an argument's tuples, lists and dicts) in place: the result may be right, but
the caller's data are not what they were.

When a case fails, the check looks the student's function up by its ``__name__`` in
:mod:`course.mistakes`, the catalogue of known wrong versions of each exercise, runs every
entry on the failing case's input (here, on the trusted side) and names the entry that
reproduces the student's output ("likely: ..."). Only when none does, the case's hint and the
generic guesses are shown.
"""

from __future__ import annotations

import copy
import inspect
import math
import traceback
import warnings as _warnings
from dataclasses import dataclass, field

import numpy as np

from . import _values
from ._wire import array_changed, arrays_in, follow

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


# --- running the student's function -----------------------------------------------------


def _arg_names(fn, n: int) -> list[str]:
    try:
        params = inspect.signature(fn).parameters.values()
        names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        names = []
    return (names + [f"arg{i}" for i in range(len(names), n)])[:n]


def _show_input(fn, c: Case) -> str:
    names = _arg_names(fn, len(c.args))
    parts = [f"{k} = {_show_arg(v)}" for k, v in zip(names, c.args, strict=True)]
    parts += [f"{k} = {_show_arg(v)}" for k, v in c.kwargs.items()]
    return ", ".join(parts) if parts else "(no arguments)"


def _show_arg(value) -> str:
    if callable(value) and not isinstance(value, np.ndarray):
        return getattr(value, "__name__", "a function")
    if isinstance(value, np.random.Generator):  # its repr carries a memory address
        return f"a numpy Generator ({type(value.bit_generator).__name__})"
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return repr(int(value))
    if type(value) in (list, tuple) and len(value) <= 12:
        return repr(value)
    if type(value) is np.ndarray and value.dtype.kind in "biu":  # shown as the integers they are
        return _values.show(value)
    try:
        return _values.show(_values.plain(value))
    except (_values.Rejected, TypeError):
        return _values.show(value)


def _where_raised(exc: BaseException) -> str:
    """The last line of the student's own code in the traceback, if any."""
    remote = getattr(exc, "where", None)  # raised in the kernel during autograde
    if isinstance(remote, str):
        return remote
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if f.filename.startswith("<") or "/ipykernel_" in f.filename]
    if not mine:
        return ""
    f = mine[-1]
    return f" (line {f.lineno}: {f.line})" if f.line else f" (line {f.lineno})"


def _error_name(exc: BaseException) -> str:
    return getattr(exc, "type_name", None) or type(exc).__name__


def _call(
    fn,
    c: Case,
    name: str,
    index: int,
    total: int,
    *,
    warn=None,
    returns=None,
    mistakes=None,
    expected=_MISSING,
    tol=(1e-7, 1e-10),
):
    """Run one case. Return the plain result, or raise CheckFailure.

    With ``warn="fail"`` the warnings the call emits are collected (during autograde the
    stand-in re-emits the kernel's warnings here) and returned as a list of lines.
    ``expected`` (plain, when the check has one) decides what a result of the wrong type is
    told: with the right values inside (within ``tol = (rtol, atol)``), only the type is
    wrong, and no mistake is named.
    """
    args, kwargs = _deepcopy(c.args), _deepcopy(c.kwargs)
    head = f"{name} failed on case {index} of {total}"
    shown = _show_input(fn, c)
    caught = []
    try:
        if warn == "fail":
            with _warnings.catch_warnings(record=True) as caught:
                _warnings.simplefilter("always")
                result = fn(*args, **kwargs)
        else:
            result = fn(*args, **kwargs)
    except NotImplementedError:
        raise CheckFailure(
            [
                f"{name} is not implemented yet",
                "    hint: replace `raise NotImplementedError()` with your code",
            ]
        ) from None
    except CheckFailure:
        raise
    except TypeError as exc:
        if _is_not_plain(exc):  # autograde: the result could not cross from the kernel
            raise CheckFailure([head, f"    input:    {shown}", f"    problem:  {exc}"]) from None
        raise _raised(head, shown, exc, c, _diagnose_raised(fn, mistakes, c, exc)) from None
    except Exception as exc:
        raise _raised(head, shown, exc, c, _diagnose_raised(fn, mistakes, c, exc)) from None
    changed = _changed_in_place(fn, c, args, kwargs)
    if changed:
        raise CheckFailure(
            [
                head,
                f"    input:    {shown}",
                f"    problem:  your function changed its argument {changed} in place, so the "
                "caller's data are not what they were",
                "    hint:     np.asarray(x, dtype=float) hands back the caller's own array "
                "when x already is one: work on a copy (np.array(x, dtype=float)), or write "
                "x = x - m where x -= m overwrites the caller's array",
            ]
        )
    if returns is not None:
        wrong = _wrong_type(result, returns)
        if wrong:
            raise CheckFailure(
                [head, f"    input:    {shown}", f"    problem:  {wrong}"]
                + _wrong_type_advice(fn, mistakes, c, result, returns, expected, tol)
            )
    try:
        got = _values.plain(result)
    except _values.Rejected as why:
        raise CheckFailure([head, f"    input:    {shown}", f"    problem:  {why}"]) from None
    warned = [f"{w.category.__name__}: {w.message}" for w in caught]
    return got, head, shown, warned


def _changed_in_place(fn, c: Case, args, kwargs) -> str | None:
    """The name of an array argument (or of an array inside one) that the call changed.

    ``args``/``kwargs`` are the copies the student's function was given, ``c`` still holds
    the originals. The arrays compared are those the kernel writes back during autograde
    (``course._wire.arrays_in``: inside tuples, lists and dicts too), so the verdict is the
    same in the grader as in the student's kernel.
    """
    names = _arg_names(fn, len(args))
    pairs = [*zip(names, c.args, args, strict=True)]
    pairs += [(k, c.kwargs[k], kwargs[k]) for k in c.kwargs]
    for name, before, after in pairs:
        for path, old in arrays_in(before):
            now = follow(after, path)
            if now is not None and array_changed(old, now):
                return name + "".join(f"[{step!r}]" for step in path)
    return None


def _wrong_type(result, returns, where="the result") -> str | None:
    """Why ``result`` is not of the documented type ``returns`` (a type, or a tuple of them)."""
    if isinstance(returns, tuple):
        if type(result) is not tuple or len(result) != len(returns):
            return (
                f"{where} should be a tuple of {len(returns)} values, got a {type(result).__name__}"
            )
        for i, (r, t) in enumerate(zip(result, returns, strict=True)):
            wrong = _wrong_type(r, t, f"{where}[{i}]")
            if wrong:
                return wrong
        return None
    if returns is None or type(result) is returns:
        return None
    if returns is float and type(result) in (np.float64, np.float32):
        return None
    kind = "a numpy array (np.ndarray)" if returns is np.ndarray else f"a {returns.__name__}"
    return f"{where} should be {kind}, as the docstring says; got a {type(result).__name__}"


def _wrong_type_advice(fn, mistakes, c: Case, result, returns, expected, tol) -> list[str]:
    """What to add to "the result should be a tuple, got a list" and the like.

    When the values are right (compared with ``expected``), naming a catalogued mistake would
    send the student looking for a bug that is not there: on the hand cases several wrong
    versions give the right values too. Without an expected value (a property check) the type
    message stands alone.
    """
    try:
        got = _values.plain(result)
    except _values.Rejected:
        return []
    if expected is _MISSING:
        return []
    if _values.compare(got, expected, *tol) is None:
        return [f"    hint:     the values are right: return them as {_type_name(returns)}"]
    return _diagnose(fn, mistakes, c, got, *tol)


def _type_name(returns) -> str:
    if isinstance(returns, tuple):
        return f"a tuple of {len(returns)} ({', '.join(_type_name(r) for r in returns)})"
    return "a numpy array" if returns is np.ndarray else f"a {returns.__name__}"


_LIST_ARITHMETIC = (
    "a Python list has no arithmetic of its own (a list ** 2, a float * list): convert the "
    "argument first, x = np.asarray(x, dtype=float)"
)


def _raised(head: str, shown: str, exc: Exception, c: Case, likely=()) -> CheckFailure:
    if likely:
        advice = list(likely)
    elif _error_name(exc) == "TypeError" and "'list'" in str(exc):
        advice = [f"    hint:     {_LIST_ARITHMETIC}"]
    else:
        advice = [f"    hint:     {c.hint}"] if c.hint else []
    return CheckFailure(
        [
            head,
            f"    input:    {shown}",
            f"    raised:   {_error_name(exc)}: {exc}{_where_raised(exc)}",
        ]
        + advice
    )


def _is_not_plain(exc: BaseException) -> bool:
    return type(exc).__name__ == "NotPlain"


# --- public API -------------------------------------------------------------------------


def check(
    student_fn,
    cases,
    reference=None,
    *,
    rtol=1e-7,
    atol=1e-10,
    name=None,
    hint=None,
    mistakes=None,
    warnings=None,
    returns=None,
):
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
    mistakes : sequence of course.mistakes.Mistake, optional
        The known wrong versions to recognise when a case fails (default: the catalogue of
        ``student_fn.__name__``; pass ``()`` for none).
    warnings : {None, "fail"}
        ``"fail"``: a case whose call emits any warning fails, even with the right value.
    returns : type or tuple of types, optional
        The documented type of the result (``np.ndarray``, or a tuple such as
        ``(np.ndarray, float)``); another type fails the case.
    """
    name = name or getattr(student_fn, "__name__", "your function")
    if not callable(student_fn):
        raise CheckFailure([f"{name} should be a function, got {type(student_fn).__name__}"])
    if warnings not in (None, "fail"):
        raise ValueError(f'warnings must be None or "fail", got {warnings!r}')
    cases = list(cases)
    for i, c in enumerate(cases, start=1):
        if c.expected is not _MISSING:
            expected = _values.plain(c.expected, "the expected value")
        elif reference is not None:
            expected = _values.plain(reference(*_deepcopy(c.args), **_deepcopy(c.kwargs)))
        else:
            raise TypeError(f"case {i} has no expected value and the check has no reference")
        r = c.rtol if c.rtol is not None else rtol
        a = c.atol if c.atol is not None else atol
        got, head, shown, warned = _call(
            student_fn,
            c,
            name,
            i,
            len(cases),
            warn=warnings,
            returns=returns,
            mistakes=mistakes,
            expected=expected,
            tol=(r, a),
        )
        problem = _values.compare(got, expected, r, a)
        if problem:
            want, have = _values.show_pair(expected, got)
            lines = [
                head,
                f"    input:    {shown}",
                f"    expected: {want}",
                f"    got:      {have}",
                f"    problem:  {problem}",
            ]
            likely = _diagnose(student_fn, mistakes, c, got, r, a)
            if likely:
                lines += likely
            elif (near := _near_miss(got, expected, c)) is not None:
                lines.append(f"    hint:     {near}")
                if c.hint or hint:
                    lines.append(f"    or:       {c.hint or hint}")
            else:
                guess = c.hint or _guess(got, expected, c) or hint
                if guess:
                    lines.append(f"    hint:     {guess}")
            raise CheckFailure(lines)
        if warned:
            lines = [
                head,
                f"    input:    {shown}",
                f"    got:      {_values.show(got)} (the right value)",
                f"    problem:  your function emitted a warning: {warned[0]}",
            ]
            likely = _diagnose(student_fn, mistakes, c, got, r, a, warned=True)
            if likely:
                lines += likely
            else:
                lines.append(
                    "    hint:     the exercise asks for no warnings: compute the value without "
                    "passing through log(0), 0/0 or an overflow (e.g. scipy.special.xlogy)"
                )
            raise CheckFailure(lines)
    _print(f"✓ {name}: {len(cases)} case{'s' if len(cases) != 1 else ''} passed")


def check_value(got, expected, *, name, rtol=1e-7, atol=1e-10, hint=None):
    """Compare a value the student computed (not a function) with ``expected``."""
    try:
        got = _values.plain(got, name)
    except _values.Rejected as why:
        raise CheckFailure([f"{name} cannot be graded", f"    problem:  {why}"]) from None
    expected = _values.plain(expected, "the expected value")
    problem = _values.compare(got, expected, rtol, atol, name)
    if problem:
        want, have = _values.show_pair(expected, got)
        lines = [
            f"{name} is not right",
            f"    expected: {want}",
            f"    got:      {have}",
            f"    problem:  {problem}",
        ]
        guess = hint or _guess(got, expected, None)
        if guess:
            lines.append(f"    hint:     {guess}")
        raise CheckFailure(lines)
    _print(f"✓ {name} is correct")


def check_property(
    student_fn,
    cases,
    predicate,
    *,
    description,
    name=None,
    mistakes=None,
    rtol=1e-7,
    atol=1e-10,
    returns=None,
):
    """Check that ``predicate(result, *args, **kwargs)`` holds for every case.

    For answers with no single right value (a path, a trace, a random draw):
    ``predicate`` gets the student's result as plain floats/arrays/tuples and returns
    ``True`` or a string saying what is wrong. ``description`` names the property
    in messages, e.g. "the log-likelihood never decreases". ``mistakes`` (default: the
    catalogue of ``student_fn.__name__``) are recognised at the tolerances ``rtol``/``atol``;
    ``returns`` is the documented type of the result, as for :func:`check`.
    """
    name = name or getattr(student_fn, "__name__", "your function")
    cases = list(cases)
    for i, c in enumerate(cases, start=1):
        got, head, shown, _ = _call(
            student_fn, c, name, i, len(cases), returns=returns, mistakes=mistakes
        )
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
            r = c.rtol if c.rtol is not None else rtol
            a = c.atol if c.atol is not None else atol
            likely = _diagnose(student_fn, mistakes, c, got, r, a)
            if likely:
                lines += likely
            elif c.hint:
                lines.append(f"    hint:     {c.hint}")
            raise CheckFailure(lines)
    _print(f"✓ {name}: {description} ({len(cases)} case{'s' if len(cases) != 1 else ''})")


def check_monte_carlo(got, expected, mc_se, *, name, z=4.0, hint=None):
    """Check a simulation result against its target within ``z`` Monte Carlo standard errors.

    The tolerance ``z * mc_se`` is derived from the simulation's own noise: with
    ``z = 4`` a correct simulation fails about once in 16,000 runs (and the course's
    simulations use fixed seeds, so a correct answer passes every time).
    """
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


# --- naming the student's mistake ------------------------------------------------------

MAX_LIKELY = 3  # at most this many matching mistakes are named


def _diagnose(student_fn, mistakes, c: Case, got, rtol: float, atol: float, warned=False):
    """``likely:`` lines for the catalogued mistakes that reproduce ``got`` on case ``c``.

    Every entry runs here, on the checking side, with its own deep copy of the case's inputs
    (a generator argument therefore starts from the same state the student's call saw). An
    entry that raises, or whose result is not plain data, does not match. With ``warned`` the
    student's call warned, and only an entry that warns as well can match.
    """
    found: list[str] = []
    for m in _mistakes_of(student_fn, mistakes):
        try:
            out, warnings_seen = _run_mistake(m, c)
            out = _values.plain(out)
        except Exception:  # noqa: BLE001 - a wrong version may fail on any input
            continue
        if warned and not warnings_seen:
            continue
        if m.says not in found and _reproduces(got, out, rtol, atol):
            found.append(m.says)
    return _likely(found)


def _diagnose_raised(student_fn, mistakes, c: Case, exc: BaseException) -> list[str]:
    """``likely:`` lines for the mistakes that raise the same error as the student's function."""
    if _is_not_plain(exc):
        return []
    want = (_error_name(exc), str(exc))
    found: list[str] = []
    for m in _mistakes_of(student_fn, mistakes):
        try:
            _run_mistake(m, c)
        except Exception as raised:  # noqa: BLE001
            if (type(raised).__name__, str(raised)) == want and m.says not in found:
                found.append(m.says)
    return _likely(found)


def _mistakes_of(student_fn, mistakes):
    if mistakes is None:
        from course.mistakes import catalogue

        return catalogue(getattr(student_fn, "__name__", ""))
    return mistakes


def _run_mistake(m, c: Case):
    """The entry's result on the case, and whether it warned (its warnings are not shown)."""
    with _warnings.catch_warnings(record=True) as caught:
        _warnings.simplefilter("always")
        out = m(*_deepcopy(c.args), **_deepcopy(c.kwargs))
    return out, bool(caught)


def _likely(found: list[str]) -> list[str]:
    found = found[:MAX_LIKELY]
    return [f"    {'likely:' if i == 0 else 'or:':9} {text}" for i, text in enumerate(found)]


def _reproduces(got, out, rtol: float, atol: float) -> bool:
    """Whether ``got`` equals a mistake's output ``out``, NaN where ``out`` has NaN."""
    if type(out) is tuple:
        if type(got) is not tuple or len(got) != len(out):
            return False
        return all(_reproduces(g, o, rtol, atol) for g, o in zip(got, out, strict=True))
    if type(out) is dict:
        if type(got) is not dict or set(got) != set(out):
            return False
        return all(_reproduces(got[k], out[k], rtol, atol) for k in out)
    if type(got) is not type(out):
        return False
    g, o = np.asarray(got, dtype=float), np.asarray(out, dtype=float)
    if g.shape != o.shape:
        return False
    nan = np.isnan(o)
    if not np.array_equal(nan, np.isnan(g)):
        return False
    if nan.all():
        return True
    return _values.compare(g[~nan], o[~nan], rtol, atol) is None


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


NEAR_MISS = 1e-3  # a result this close, relative to the expected values' size, is "close"


def _near_miss(got, expected, c: Case | None) -> str | None:
    """What to say of a result within NEAR_MISS of the expected values but outside tolerance.

    A grid too coarse, a finite-difference step or an optimiser that stops early gives such a
    result, and a hint written for a wrong formula would send the student the wrong way. None
    when the result is further off, or when a usual formula mistake explains it (:func:`_guess`).
    """
    pairs = _aligned(got, expected)
    if not pairs or _guess(got, expected, c) is not None:
        return None
    if not all(np.isfinite(g).all() and np.isfinite(e).all() for g, e in pairs):
        return None
    overall = max(float(np.max(np.abs(e), initial=0.0)) for _, e in pairs)
    if overall == 0.0:
        return None
    relative = 0.0
    for g, e in pairs:  # each part (a tuple's entries) against its own size: (mu, sigma) differ
        size = float(np.max(np.abs(e), initial=0.0)) or overall
        relative = max(relative, float(np.max(np.abs(g - e), initial=0.0)) / size)
    if relative > NEAR_MISS:
        return None
    return (
        f"close, but outside the tolerance (off by {relative:.2g} of the expected size): "
        "usually a matter of precision, not of the formula: a grid too coarse, a "
        "finite-difference step, or an optimiser that stops too early"
    )


def _aligned(got, expected) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """``[(got part, expected part)]`` as float arrays of equal shapes, or None."""
    if type(expected) is tuple:
        if type(got) is not tuple or len(got) != len(expected):
            return None
        out = []
        for g, e in zip(got, expected, strict=True):
            part = _aligned(g, e)
            if part is None:
                return None
            out += part
        return out
    if type(expected) not in (float, np.ndarray) or type(got) not in (float, np.ndarray):
        return None
    g, e = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    return [(g, e)] if g.shape == e.shape else None


def _sample_size(c: Case | None) -> int | None:
    if c is None:
        return None
    for a in c.args:
        if isinstance(a, (list, tuple, np.ndarray)) and len(a) > 0:
            return len(a)
    return None
