"""Every catalogued mistake, planted as a student's answer, is named by its notebook's test cell.

For each entry of :mod:`course.mistakes` the exercise's whole test cell (visible and hidden
tests) runs in this process with the student's name bound to the wrong version, as
``nbgrader`` would run it in the student's kernel, and with the real ``mlelib``. The cell must
fail, the failure's message must name that entry, whichever case failed first, and the visible
tests alone must already give that message. The same holds through a stand-in whose results
and errors cross ``course._wire``, as they do during autograde.
"""

from __future__ import annotations

import functools
import inspect
import warnings

import numpy as np
import pytest

from course import mistakes
from course._wire import decode, encode
from course.checks import CheckFailure, case, check
from course.grading import REPO_ROOT, assignment_ids, is_test_cell, read_notebook
from course.grading.integrity import DERIVATION_SUFFIX
from course.grading.remote import _remote_error, declared_names


@functools.cache
def _test_cells() -> dict[str, tuple[str, str]]:
    """exercise name -> (assignment id, test cell source), for the exercises that are functions.

    A derivation exercise (``<name>_steps``) is checked step by step by ``course.derivations``,
    which names its slips itself; its catalogue of wrong derivations is tests/test_derivations.py.
    """
    cells = {}
    for aid in assignment_ids(REPO_ROOT / "source"):
        for c in read_notebook(REPO_ROOT / "source" / aid / f"{aid}.ipynb").cells:
            name = declared_names(c.source)[0] if is_test_cell(c) else ""
            if name and not name.endswith(DERIVATION_SUFFIX):
                cells[name] = (aid, c.source)
    return cells


ENTRIES = [
    pytest.param(name, i, id=f"{name}-{m.__name__}")
    for name, entries in sorted(mistakes.exercises().items())
    for i, m in enumerate(entries)
]


def _as_student(fn, name):
    """The wrong version under the exercise's name, as the student's function would be."""

    @functools.wraps(fn)
    def student(*args, **kwargs):
        return fn(*args, **kwargs)

    student.__name__ = student.__qualname__ = name
    return student


def _run_cell(name, fn, *, visible_only=False) -> str | None:
    """Run the exercise's test cell with ``fn`` as the student's; the failure message or None."""
    _, source = _test_cells()[name]
    if visible_only:
        source = source.split("### BEGIN HIDDEN TESTS", 1)[0]
    namespace = {"__name__": "__main__", name: fn}
    # In a notebook a warning is printed, not raised (pytest's filter here turns them into errors).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            exec(compile(source, f"<test cell of {name}>", "exec"), namespace)
        except CheckFailure as failure:
            return str(failure)
    return None


@pytest.mark.parametrize("name, index", ENTRIES)
def test_a_planted_mistake_is_named(name, index, capsys):
    entry = mistakes.exercises()[name][index]
    message = _run_cell(name, _as_student(entry.fn, name))
    assert message is not None, f"the test cell of {name} passes {entry.__name__}: add a case"
    likely = [line for line in message.splitlines() if line.lstrip().startswith(("likely:", "or:"))]
    assert any(entry.says in line for line in likely), (
        f"{entry.__name__} was not named; the message was:\n{message}"
    )
    # A known mistake is caught by the tests the student sees, not only by the hidden ones.
    visible = _run_cell(name, _as_student(entry.fn, name), visible_only=True)
    assert visible == message, f"the visible tests of {name} do not catch {entry.__name__}"


def test_every_exercise_has_a_catalogue_of_at_least_three():
    exercises = mistakes.exercises()
    assert set(exercises) <= set(_test_cells()), "a catalogue names no exercise of the notebooks"
    short = {n: len(exercises.get(n, ())) for n in _test_cells() if len(exercises.get(n, ())) < 3}
    assert not short, f"exercises with fewer than three catalogued mistakes: {short}"


def test_every_mistake_has_the_signature_of_its_exercise():
    for entries in mistakes.exercises().values():
        for m in entries:
            assert m.says and len(m.says) <= 160, m
            assert inspect.signature(m.fn).parameters, m


class _StandIn:
    """What autograde binds to the student's name (course.grading.remote.StudentFunction): a
    callable with the student's ``__name__`` and parameters whose result comes back through the
    wire as plain data, and whose errors come back as ``RemoteError`` subclasses. No kernel: the
    wrong version runs here, and only its result and its error cross ``course._wire``."""

    def __init__(self, fn, name):
        self._fn, self.__name__ = fn, name
        kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
        params = [p.name for p in inspect.signature(fn).parameters.values()]
        self.__signature__ = inspect.Signature([inspect.Parameter(p, kind) for p in params])

    def __call__(self, *args, **kwargs):
        try:
            result = self._fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - every error crosses as a RemoteError
            raise _remote_error(type(exc).__name__, str(exc), "") from None
        buffers: list = []
        return decode(encode(result, buffers), buffers)


@pytest.mark.parametrize("name, index", ENTRIES)
def test_the_message_is_the_same_through_a_stand_in(name, index, capsys):
    entry = mistakes.exercises()[name][index]
    direct = _run_cell(name, _as_student(entry.fn, name))
    remote = _run_cell(name, _StandIn(entry.fn, name))
    assert remote == direct


def test_the_catalogue_is_looked_up_by_name_and_can_be_given():
    def bernoulli_mle(x):
        return float(np.sum(x))

    with pytest.raises(CheckFailure) as info:
        check(bernoulli_mle, [case([1, 0, 1, 1], expected=0.75)])
    assert "likely:" in str(info.value)
    with pytest.raises(CheckFailure) as info:
        check(bernoulli_mle, [case([1, 0, 1, 1], expected=0.75)], mistakes=())
    assert "likely:" not in str(info.value)
