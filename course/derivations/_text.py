"""How steps, numbers and moves read in messages and in the typeset echo."""

from __future__ import annotations

import mpmath
import sympy

from ._moves import Diff, Grad, Move, Solve, Subs


def show(expr) -> list[str]:
    if isinstance(expr, Move):
        return [expr.describe()]
    return sympy.pretty(expr, use_unicode=True, wrap_line=False).splitlines()


def block(label: str, expr) -> list[str]:
    """``expr`` typeset (SymPy's 2-D text), under a label in the message's left column."""
    lines = show(expr)
    head = f"    {label + ':':<10}"
    return [head + lines[0], *(" " * len(head) + line for line in lines[1:])]


def right_so_far(where: int, i: int) -> list[str]:
    if where == 0:
        return []
    done = "Step 1 is" if where == 1 else f"Steps 1-{where} are"
    return [f"    {done} right; fix step {i} and run the cell again."]


def num(v) -> str:
    if v is None:
        return "undefined"
    return mpmath.nstr(v, 4, strip_zeros=True)


def move_note(move) -> str:
    """How a move reads beside its result in the typeset derivation."""
    if isinstance(move, Diff):
        return r"\text{differentiate with respect to }" + sympy.latex(move.var)
    if isinstance(move, Grad):
        return r"\text{gradient in }" + sympy.latex(sympy.Tuple(*move.vars))
    if isinstance(move, Solve):
        return r"\text{set to zero and solve for }" + sympy.latex(move.var)
    if isinstance(move, Subs):
        return r"\text{substitute }" + sympy.latex(sympy.Eq(move.old, move.new, evaluate=False))
    return r"\text{" + move.describe() + "}"


def show_roots(var, roots) -> str:
    if not roots:
        return "no solution in the domain"
    return " and ".join(f"{sympy.pretty(var)} = {num(r)}" for r in roots)


def shape(e) -> str:
    if isinstance(e, sympy.Eq):
        return "an equation"
    if isinstance(e, sympy.Tuple):
        return "a tuple"
    return "an expression"
