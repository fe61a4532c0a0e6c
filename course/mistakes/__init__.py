"""Catalogues of known wrong answers, one module per notebook.

Each graded exercise has a list of *mistakes*: small functions with the exercise's signature
that each make one named error, such as dividing by ``n - 1`` where the MLE divides by ``n``.
When a case of a check fails, :mod:`course.checks` runs the exercise's catalogue on that case's
input and, when an entry reproduces the student's output, names it in the message::

    likely:   you divided by n - 1; the MLE of a variance divides by n

Entries are written from how students actually go wrong (the hints of the test cells, the
issue tracker, teaching experience). They run on the checking side (the grader during
autograde), never in the student's kernel, and with the same inputs, callables included, as the
student's function. ``tests/test_mistakes.py`` plants every entry as a student's answer in its
notebook's test cell and checks that the failure message names it.

Adding an entry: write it in the notebook's module under ``@mistake("exercise_name", "what
the student did; what to do instead")``. Keep the message to one short line a student can act on.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

__all__ = ["NOTEBOOKS", "Mistake", "catalogue", "exercises", "mistake"]

NOTEBOOKS = ("nb01", "nb02", "nb03", "nb04", "nb05", "nb06", "nb07", "nb08")
_REGISTRY: dict[str, list[Mistake]] = {}
_loaded = False


class Mistake:
    """One known wrong version of an exercise: ``says`` is what the student is told."""

    def __init__(self, exercise: str, says: str, fn: Callable, then: Callable | None = None):
        self.exercise, self.says, self.fn, self.then = exercise, says, fn, then
        self.__name__ = getattr(fn, "__name__", "mistake")

    def __call__(self, *args, **kwargs):
        out = self.fn(*args, **kwargs)
        return out if self.then is None else self.then(out)

    def __repr__(self) -> str:
        return f"<mistake {self.exercise}.{self.__name__}: {self.says}>"


def mistake(exercise: str, says: str):
    """Register the decorated function as a known wrong version of ``exercise``."""

    def register(fn):
        _REGISTRY.setdefault(exercise, []).append(Mistake(exercise, says, fn))
        return fn

    return register


def _load() -> None:
    global _loaded
    if not _loaded:
        for module in NOTEBOOKS:
            importlib.import_module(f"{__name__}.{module}")
        _loaded = True


def catalogue(exercise: str, then: Callable | None = None) -> tuple[Mistake, ...]:
    """The known mistakes of ``exercise`` (a function name); empty for an unknown name.

    ``then`` transforms each entry's result, for a check that tests a wrapper of the student's
    function: ``catalogue("newton_method", then=lambda path: path[-1])`` matches a check of the
    last iterate.
    """
    _load()
    entries = _REGISTRY.get(exercise, [])
    if then is None:
        return tuple(entries)
    return tuple(Mistake(m.exercise, m.says, m.fn, then) for m in entries)


def exercises() -> dict[str, tuple[Mistake, ...]]:
    """Every catalogued exercise with its mistakes."""
    _load()
    return {name: tuple(entries) for name, entries in _REGISTRY.items()}
