"""The declared moves: small markers a student writes between two steps of a derivation.

A move says how the next step is obtained from the one before; the checker applies it
itself and compares the result with what the student wrote next. Every move must be
followed by the expression it gives, so the working stays visible.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

__all__ = ["Diff", "Expect", "Grad", "Log", "Move", "Solve", "Subs"]


class Move:
    """Base class of the declared moves (not used directly)."""

    def describe(self) -> str:  # pragma: no cover - every move overrides it
        raise NotImplementedError

    def __srepr__(self) -> str:  # what sympy.srepr and the wire use
        args = ", ".join(sympy.srepr(a) for a in self._wire_args())
        return f"{type(self).__name__}({args})"

    def _wire_args(self) -> tuple:
        return ()

    def _sympyrepr(self, printer) -> str:  # sympy.srepr(move) when nested in a list
        return self.__srepr__()

    def _latex(self, printer) -> str:
        return r"\text{" + self.describe().replace("_", r"\_") + "}"


def _need_symbol(value, move: str) -> sympy.Symbol:
    if not isinstance(value, sympy.Symbol):
        raise TypeError(
            f"{move} needs one of the exercise's symbols (such as theta), "
            f"got {type(value).__name__} {value!r}"
        )
    return value


@dataclass(frozen=True, eq=True)
class Log(Move):
    """Take the natural log of the previous step (of both sides of an equation)."""

    def describe(self) -> str:
        return "take the log"


@dataclass(frozen=True, eq=True)
class Diff(Move):
    """Differentiate the previous step with respect to ``var`` (both sides of an equation)."""

    var: sympy.Symbol

    def __post_init__(self):
        _need_symbol(self.var, "Diff(var)")

    def _wire_args(self):
        return (self.var,)

    def describe(self) -> str:
        return f"differentiate with respect to {sympy.pretty(self.var)}"


@dataclass(frozen=True, eq=False)
class Grad(Move):
    """The gradient: one partial derivative per variable, as a tuple, in the order given."""

    vars: tuple

    def __init__(self, *vars):
        if not vars:
            raise TypeError("Grad(*vars) needs at least one variable, e.g. Grad(mu, s)")
        object.__setattr__(self, "vars", tuple(_need_symbol(v, "Grad(*vars)") for v in vars))

    def __eq__(self, other):
        return type(other) is Grad and other.vars == self.vars

    def __hash__(self):
        return hash(("Grad", self.vars))

    def _wire_args(self):
        return self.vars

    def describe(self) -> str:
        return "take the gradient in (" + ", ".join(sympy.pretty(v) for v in self.vars) + ")"


@dataclass(frozen=True, eq=True)
class Solve(Move):
    """Set the previous step to zero (unless it is an equation already) and solve for ``var``.

    The next step is the solution: ``Eq(var, value)`` or just ``value``.
    """

    var: sympy.Symbol

    def __post_init__(self):
        _need_symbol(self.var, "Solve(var)")

    def _wire_args(self):
        return (self.var,)

    def describe(self) -> str:
        return f"set to zero and solve for {sympy.pretty(self.var)}"


@dataclass(frozen=True, eq=True)
class Subs(Move):
    """Replace ``old`` by ``new``, where ``old = new`` is one of the exercise's given facts."""

    old: sympy.Basic
    new: sympy.Basic

    def __post_init__(self):
        for name in ("old", "new"):
            value = getattr(self, name)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                object.__setattr__(self, name, sympy.sympify(value))
            elif not isinstance(value, sympy.Basic):
                raise TypeError(f"Subs(old, new): {name} must be a SymPy expression")

    def _wire_args(self):
        return (self.old, self.new)

    def describe(self) -> str:
        return f"substitute {sympy.sstr(self.old)} = {sympy.sstr(self.new)}"


@dataclass(frozen=True, eq=True)
class Expect(Move):
    """Take the expectation, term by term, with the expectations the exercise gives."""

    def describe(self) -> str:
        return "take the expectation"


MOVES = {cls.__name__: cls for cls in (Log, Diff, Grad, Solve, Subs, Expect)}
