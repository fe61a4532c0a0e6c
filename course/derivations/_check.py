"""The checker: :func:`check_derivation` reads the steps and follows them one by one."""

from __future__ import annotations

import sympy

from ..checks import CheckFailure
from ._exercise import Derivation, DerivationResult
from ._explain import Explain, Failure
from ._moves import Diff, Expect, Grad, Log, Move, Solve, Subs
from ._probe import Mismatch
from ._slips import big_powers
from ._text import block, move_note, num, right_so_far, shape, show_roots
from ._wire import WireError, parse, to_wire

__all__ = ["check_derivation"]


def check_derivation(ex: Derivation, steps, *, name: str | None = None) -> DerivationResult:
    """Check a student's derivation step by step; raise CheckFailure at the first bad step.

    ``steps`` is a list of SymPy expressions, equations, tuples and moves (in the student's
    kernel) or of their ``srepr`` strings (on the grader's side); both are read through the
    same safe parser. On success prints one line and returns a :class:`DerivationResult`,
    which a notebook shows as the student's derivation, typeset.
    """
    if not isinstance(ex, Derivation):
        raise TypeError(f"ex must be a Derivation, got {type(ex).__name__}")
    name = name or ex.name
    try:
        rows = _Run(ex, _read(ex, steps)).run()
    except Failure as failure:
        raise CheckFailure([f"{name}: {failure.lines[0]}", *failure.lines[1:]]) from None
    n = len(rows) - 1
    steps_text = "the step follows" if n == 1 else f"all {n} steps follow"
    print(f"✓ {name}: {steps_text}, and the result is right")
    return DerivationResult(name, rows)


def _read(ex: Derivation, steps) -> list:
    try:
        wire = to_wire(steps)
    except TypeError as why:
        raise CheckFailure(
            [f"{ex.name}: the derivation cannot be read", f"    problem:  {why}"]
        ) from None
    if not wire:
        raise CheckFailure([f"{ex.name}: the derivation has no steps"])
    parsed = []
    for i, text in enumerate(wire, start=1):
        try:
            parsed.append(parse(text, ex.namespace))
        except WireError as why:
            raise CheckFailure(
                [f"{ex.name}: step {i} cannot be read", f"    problem:  {why}"]
            ) from None
    return parsed


class _Run(Explain):
    def __init__(self, ex: Derivation, steps: list):
        self.ex = ex
        self.steps = steps
        self.probe = ex.probe

    def run(self) -> list:
        ex = self.ex
        state, where = ex.start, 0
        objective = ex.objective
        rows = [(ex.start, r"\text{given}")]
        pending, pending_at = None, 0
        for i, step in enumerate(self.steps, start=1):
            if isinstance(step, Move):
                if pending is not None:
                    raise Failure(
                        [
                            f"step {pending_at} is a move with no result",
                            f"    after {pending.describe()}, write the expression it gives "
                            "as the next step, then the next move",
                        ]
                    )
                self._allowed(step, state, i)
                pending, pending_at = step, i
                continue
            if pending is not None and not isinstance(pending, (Log, Subs)):
                objective = False
            self._follows(state, where, pending, pending_at, step, i, objective)
            note = move_note(pending) if pending is not None else r"\text{rewrite}"
            if pending is None and isinstance(step, sympy.Eq) and _is_expr(state):
                note = r"\text{set to zero}"
            if isinstance(pending, Solve) and not isinstance(step, sympy.Eq):
                step = sympy.Eq(pending.var, step, evaluate=False)
            if pending is None and isinstance(step, sympy.Eq):
                objective = False
            rows.append((step, rf"\text{{step {i}: }}{note}"))
            state, where, pending = step, i, None
        if pending is not None:
            raise Failure(
                [
                    f"step {pending_at} is a move with no result",
                    f"    after {pending.describe()}, write the expression it gives as a last step",
                ]
            )
        self._final(state, where)
        if len(rows) - 1 < ex.min_steps:
            raise Failure(
                [
                    f"the result is right, but the derivation shows {len(rows) - 1} written "
                    f"step{'s' * (len(rows) != 2)}; this exercise asks for at least {ex.min_steps}",
                    "    show your working: write the expression each move gives",
                ]
            )
        return rows

    # --- moves ---------------------------------------------------------------------------

    def _allowed(self, move, state, i):
        ex = self.ex
        if isinstance(move, Subs):
            pairs = [(f.lhs, f.rhs) for f in ex.facts] + [(f.rhs, f.lhs) for f in ex.facts]
            if (move.old, move.new) not in pairs:
                given = "; ".join(f"{sympy.sstr(f.lhs)} = {sympy.sstr(f.rhs)}" for f in ex.facts)
                raise Failure(
                    [
                        f"step {i}: {move.describe()} is not one of this exercise's facts",
                        f"    Subs may use: {given or 'nothing (this exercise gives no facts)'}",
                    ]
                )
        if isinstance(move, Expect) and not ex.expectations:
            raise Failure([f"step {i}: this exercise has no expectations to take"])
        if isinstance(move, Solve) and isinstance(state, sympy.Tuple):
            raise Failure([f"step {i}: Solve works on one equation, not on a tuple"])
        for v in getattr(move, "vars", ()) or [getattr(move, "var", None)]:
            if v is not None and v not in ex.symbols:
                raise Failure([f"step {i}: {v} is not one of this exercise's symbols"])

    def _apply(self, move, state):
        """What ``move`` makes of ``state`` (definitions put in)."""
        ex = self.ex
        s = ex.expand(state)
        if isinstance(move, Log):
            return _each(s, sympy.log)
        if isinstance(move, Diff):
            return _each(s, lambda e: sympy.diff(e, move.var))
        if isinstance(move, Grad):
            if isinstance(s, (sympy.Eq, sympy.Tuple)):
                raise Failure(["Grad works on one expression, not on an equation or a tuple"])
            return sympy.Tuple(*(sympy.diff(s, v) for v in move.vars))
        if isinstance(move, Subs):
            return ex.expand(state.subs(move.old, move.new))
        if isinstance(move, Expect):
            return _each(s, self._expect)
        raise AssertionError(move)  # Solve is checked by substitution, not applied

    def _expect(self, expr):
        table = {self.ex.expand(k): self.ex.expand(v) for k, v in self.ex.expectations.items()}
        randoms = set().union(*(k.free_symbols for k in table))
        total = sympy.Integer(0)
        for term in sympy.Add.make_args(sympy.expand(expr)):
            coeff, rand = term.as_independent(*randoms, as_Add=False)
            if rand == 1:
                total += term
            elif rand in table:
                total += coeff * table[rand]
            else:
                given = ", ".join(f"E[{sympy.sstr(k)}] = {sympy.sstr(v)}" for k, v in table.items())
                raise Failure(
                    [
                        f"taking the expectation needs E[{sympy.sstr(rand)}], which this "
                        "exercise does not give",
                        f"    it gives: {given}. Rewrite the step so that only these appear.",
                    ]
                )
        return total

    # --- does one step follow from the last? ---------------------------------------------

    def _follows(self, state, where, move, move_at, step, i, objective):
        ex = self.ex
        if isinstance(move, Solve):
            return self._solved(state, where, move, step, i)
        try:
            implied = self._apply(move, state) if move is not None else ex.expand(state)
        except Failure as f:
            raise Failure([f"step {move_at}: {f.lines[0]}", *f.lines[1:]]) from None
        got = ex.expand(step)
        if move is None and isinstance(step, sympy.Eq) and _is_expr(implied):
            if objective:
                raise Failure(
                    [
                        f"step {i} sets step {where} to zero, but step {where} is the "
                        "function to maximise, not its derivative",
                        "    differentiate first (Diff), then set the derivative to zero",
                    ]
                )
            implied = sympy.Eq(implied, 0, evaluate=False)
        self._compare(implied, got, state, where, move, move_at, step, i, objective)

    def _compare(self, implied, got, state, where, move, move_at, step, i, objective):
        shape_i, shape_g = shape(implied), shape(got)
        if shape_i != shape_g:
            raise Failure(
                [
                    f"step {i} should be {shape_i}, because {self._source(where, move, move_at)} "
                    f"gives one; it is {shape_g}",
                    *block(f"step {where}", state),
                    *block(f"step {i}", step),
                ]
            )
        if isinstance(implied, sympy.Tuple):
            if len(implied) != len(got):
                raise Failure([f"step {i} has {len(got)} parts; it should have {len(implied)}"])
            for j, (a, b) in enumerate(zip(implied, got, strict=True), start=1):
                bad = self._mismatch(a, b, objective)
                if bad:
                    prev = _part(self.ex.expand(state), j) if move is None else state
                    self._fail(a, b, bad, prev, where, move, move_at, step, i, objective, part=j)
            return
        bad = self._mismatch(implied, got, objective)
        if bad:
            self._fail(implied, got, bad, state, where, move, move_at, step, i, objective)

    def _mismatch(self, implied, got, objective) -> Mismatch | None:
        probe = self.probe
        if isinstance(implied, sympy.Eq):
            f, g = implied.lhs - implied.rhs, got.lhs - got.rhs
            bad = probe.same_sign_ratio(g, f)
            if bad:
                return bad
            var = self._unknown(f, g)
            return probe.same_roots(g, f, var) if var is not None else None
        if not objective and _symbolic_zero(got - implied):
            return None
        try:
            return probe.same(got, implied, up_to_constant=objective)
        except ValueError:  # the previous step and move give nothing defined on the domain
            return Mismatch(0, None, None, "undefined")

    def _unknown(self, *exprs):
        for p in self.ex.params:
            if all(e.has(p) for e in exprs):
                return p
        return None

    def _source(self, where, move, move_at) -> str:
        if move is None:
            return f"step {where}"
        return f"step {where} with the move in step {move_at} ({move.describe()})"

    def _solved(self, state, where, move, step, i):
        ex, x = self.ex, move.var
        if isinstance(step, sympy.Eq):
            if step.lhs == x:
                value = step.rhs
            elif step.rhs == x:
                value = step.lhs
            else:
                raise Failure(
                    [
                        f"step {i} should give {x} by itself: Eq({x}, ...) or just the value",
                        *block(f"step {i}", step),
                    ]
                )
        else:
            value = step
        if ex.expand(value).has(x):
            raise Failure(
                [f"step {i} still has {x} on the right: it is not solved for {x}"]
                + block(f"step {i}", step)
            )
        s = ex.expand(state)
        residual = s.lhs - s.rhs if isinstance(s, sympy.Eq) else s
        plugged = residual.xreplace({x: ex.expand(value)})
        terms = [t.xreplace({x: ex.expand(value)}) for t in sympy.Add.make_args(residual)]
        bad = self.probe.zero(plugged, terms)
        if bad is None:
            return
        at = self.probe.describe(bad.point, skip=(x,))
        mine = self.probe.value(ex.expand(value), self.probe.points[bad.point])
        roots = (
            self.probe.roots(residual, x, self.probe.points[bad.point])
            if x in self.probe.symbols
            else []
        )
        zero = "" if isinstance(s, sympy.Eq) else " = 0"
        lines = [
            f"step {i} does not solve step {where}{zero} for {sympy.pretty(x)}",
            *block(f"step {where}", state),
            f"    move:     {move.describe()}",
            *block(f"step {i}", step),
            f"    witness:  at {at}, step {i} gives {sympy.pretty(x)} = {num(mine)}, which leaves "
            f"{num(bad.got)} instead of 0 in step {where}"
            + (f"; step {where} is solved by {show_roots(x, roots)}" if roots else ""),
        ]
        raise Failure(lines + right_so_far(where, i))

    # --- the result ----------------------------------------------------------------------

    def _final(self, state, where):
        ex = self.ex
        answer, got = ex.expand(ex.answer), ex.expand(state)
        lines_head = f"every step follows, but step {where} is not the result asked for"
        if shape(answer) != shape(got):
            raise Failure(
                [
                    lines_head,
                    f"    the derivation should end with {shape(answer)}; step {where} is "
                    f"{shape(got)}",
                    *block(f"step {where}", state),
                ]
            )
        pairs = (
            list(zip(answer, got, strict=False))
            if isinstance(answer, sympy.Tuple)
            else [(answer, got)]
        )
        if isinstance(answer, sympy.Tuple) and len(answer) != len(got):
            raise Failure([lines_head, f"    it should have {len(answer)} parts"])
        for want, have in pairs:
            if isinstance(want, sympy.Eq):
                unknowns = want.lhs.free_symbols
                sides = [have.lhs, have.rhs]
                if not any(not s.free_symbols & unknowns for s in sides):
                    raise Failure(
                        [
                            lines_head,
                            f"    solve it: one side should be free of "
                            f"{', '.join(sorted(map(str, unknowns)))}",
                            *block(f"step {where}", state),
                        ]
                    )
                if have.rhs == want.lhs:
                    have = sympy.Eq(have.rhs, have.lhs, evaluate=False)
                if have.lhs == want.lhs:
                    bad = self.probe.same(have.rhs, want.rhs)
                else:
                    bad = self._mismatch(want, have, False)
            else:
                bad = self.probe.same(have, want)
            if bad is not None:
                lines = [lines_head, *block(f"step {where}", state)]
                at = self.probe.describe(bad.point)
                if bad.kind == "value":
                    lines.append(
                        f"    witness:  at {at}, step {where} gives {num(bad.got)} where the "
                        f"answer is {num(bad.want)}"
                    )
                raise Failure(lines)


def _is_expr(e) -> bool:
    return isinstance(e, sympy.Expr)


def _part(e, j):
    return e[j - 1] if isinstance(e, sympy.Tuple) else e


def _each(e, fn):
    if isinstance(e, sympy.Eq):
        return sympy.Eq(fn(e.lhs), fn(e.rhs), evaluate=False)
    if isinstance(e, sympy.Tuple):
        return sympy.Tuple(*(fn(a) for a in e))
    return fn(e)


def _symbolic_zero(expr) -> bool:
    """A cheap symbolic proof that ``expr`` is 0 under the symbols' assumptions."""
    if expr == 0:
        return True
    if sympy.count_ops(expr) > 120 or big_powers(expr):
        return False
    try:
        return sympy.cancel(sympy.expand(expr)) == 0
    except (sympy.PolynomialError, RecursionError, ValueError, TypeError):
        return False
