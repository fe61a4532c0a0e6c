"""The exercise (:class:`Derivation`) and the checker (:func:`check_derivation`)."""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence

import mpmath
import sympy

from ..checks import CheckFailure
from . import _slips
from ._moves import Diff, Expect, Grad, Log, Move, Solve, Subs
from ._probe import Mismatch, Probe
from ._wire import WireError, parse, to_wire

__all__ = ["Derivation", "DerivationResult", "check_derivation"]

_DEFAULT_DOMAINS = {
    "positive integer": (2, 30),
    "integer": (-10, 10),
    "positive": (0.2, 5),
    "nonnegative": (0.2, 5),
    "real": (-3, 3),
}


class Derivation:
    """A derivation exercise: the symbols, where the student starts, and the answer.

    Parameters
    ----------
    name : str
        Names the exercise in messages (``"bernoulli_mle"``).
    symbols : sequence of sympy.Symbol
        Every symbol a step may use, with its assumptions (``positive=True``,
        ``integer=True``). Students get them as ``ex.symbols`` or ``ex.namespace``.
    start : sympy expression or Eq
        The given first line (step 0), e.g. the likelihood.
    answer : sympy expression, Eq or tuple
        The known result the last step must match, e.g. ``Eq(theta, k / n)``.
    domains : dict, optional
        ``symbol -> (low, high)``: where the probe points are drawn. Bounds may use symbols
        listed before (``k: (1, n - 1)``). Integer symbols get whole numbers in
        ``[low, high]``; others real numbers in ``(low, high)``. The domain of the
        parameter solved for must contain the solution. Defaults follow the assumptions.
    params : sequence of Symbol
        The parameters (θ, μ, σ ...): what may not be dropped from a log-likelihood.
    objective : bool
        True when ``start`` is a likelihood or log-likelihood: until the first
        differentiation, a step may drop an additive term (or a positive factor) that is free
        of every parameter.
    facts : sequence of Eq
        The substitutions a :class:`Subs` move may make (``Eq(mu, xbar)``).
    definitions : dict
        ``symbol -> expression`` identities that hold throughout (``SS: Q - n*xbar**2``):
        steps may use either side, and moves see through them.
    expectations : dict
        ``random quantity -> its expectation`` for :class:`Expect` (``x: theta``).
    sample_size : Symbol, optional
        The ``n`` of "a missing factor n" (default: the symbol named ``n``, if any).
    scales : sequence of Symbol
        Scale parameters for "σ in place of σ²" (default: the symbols named ``sigma``).
    min_steps : int
        The fewest written steps (moves not counted) a derivation must show (default 1).
    """

    def __init__(
        self,
        name: str,
        symbols: Sequence[sympy.Symbol],
        start,
        answer,
        *,
        domains: Mapping | None = None,
        params: Sequence[sympy.Symbol] = (),
        objective: bool = False,
        facts: Sequence[sympy.Eq] = (),
        definitions: Mapping | None = None,
        expectations: Mapping | None = None,
        sample_size: sympy.Symbol | None = None,
        scales: Sequence[sympy.Symbol] | None = None,
        min_steps: int = 1,
    ):
        if type(name) is not str or not name:
            raise TypeError("name must be a non-empty string naming the exercise")
        self.name = name
        if type(min_steps) is not int or min_steps < 1:
            raise ValueError(f"min_steps must be a whole number >= 1, got {min_steps!r}")
        self.min_steps = min_steps
        self.symbols = tuple(symbols)
        if not self.symbols or not all(isinstance(s, sympy.Symbol) for s in self.symbols):
            raise TypeError("symbols must be a non-empty sequence of sympy.Symbol")
        self.namespace = {s.name: s for s in self.symbols}
        if len(self.namespace) != len(self.symbols):
            raise ValueError("symbols: two symbols share a name")
        self.definitions = dict(definitions or {})
        self.start = self._own(start, "start")
        self.answer = self._own(_tupled(answer), "answer")
        self.params = tuple(params)
        self.objective = bool(objective)
        self.facts = tuple(self._own(f, "facts") for f in facts)
        if not all(isinstance(f, sympy.Eq) for f in self.facts):
            raise TypeError("facts must be a sequence of sympy.Eq")
        for k, v in self.definitions.items():
            self._own(k, "definitions")
            self._own(v, "definitions")
        self.expectations = dict(expectations or {})
        for k, v in self.expectations.items():
            self._own(k, "expectations")
            self._own(v, "expectations")
        for p in self.params:
            self._own(p, "params")
        self.sample_size = sample_size if sample_size is not None else self.namespace.get("n")
        self.scales = (
            tuple(scales)
            if scales is not None
            else tuple(s for s in self.symbols if s.name == "sigma")
        )
        probed = [s for s in self.symbols if s not in self.definitions]
        doms = dict(domains or {})
        for s in doms:
            self._own(s, "domains")
        self.domains = {s: doms.get(s) or _default_domain(s) for s in probed}
        self.probe = Probe(probed, self.domains, self.params, zlib.crc32(name.encode()))
        for what, expr in (("start", self.start), ("answer", self.answer)):
            for part in _parts(self.expand(expr)):
                defined = sum(v is not None for v in self.probe.values(part))
                if defined < len(self.probe.points) / 2:
                    raise ValueError(
                        f"domains: {what} is undefined at {len(self.probe.points) - defined} of "
                        f"{len(self.probe.points)} probe points ({sympy.sstr(part)}); "
                        "fix the domains so that it is defined"
                    )

    def _own(self, expr, what: str):
        if isinstance(expr, (int, float)) and not isinstance(expr, bool):
            expr = sympy.sympify(expr)
        if not isinstance(expr, sympy.Basic):
            raise TypeError(f"{what} must be SymPy objects, got {type(expr).__name__}")
        stray = expr.free_symbols - set(self.symbols)
        if stray:
            names = ", ".join(sorted(s.name for s in stray))
            raise ValueError(f"{what} uses symbols not in `symbols`: {names}")
        return expr

    def expand(self, expr):
        """``expr`` with the definitions put in and derivatives done: what is compared."""
        for _ in range(6):
            new = expr.xreplace(self.definitions)
            if new == expr:
                break
            expr = new
        return expr.doit() if expr.has(sympy.Derivative) else expr

    def clear_cache(self) -> None:
        """Forget the compiled probe functions and values (a benchmark's cold start)."""
        self.probe.clear()

    def check(self, steps) -> DerivationResult:
        """Same as ``check_derivation(self, steps)``."""
        return check_derivation(self, steps)

    def __repr__(self) -> str:
        return f"Derivation({self.name!r})"


def _default_domain(sym):
    if sym.is_integer:
        return _DEFAULT_DOMAINS["positive integer" if sym.is_positive else "integer"]
    if sym.is_positive or sym.is_nonnegative:
        return _DEFAULT_DOMAINS["positive"]
    return _DEFAULT_DOMAINS["real"]


def _parts(e) -> list:
    """The expressions an expression, equation or tuple is made of."""
    if isinstance(e, sympy.Eq):
        return [e.lhs, e.rhs]
    if isinstance(e, sympy.Tuple):
        return [p for a in e for p in _parts(a)]
    return [e]


def _tupled(value):
    return sympy.Tuple(*value) if type(value) in (list, tuple) else value


class DerivationResult:
    """A derivation that passed: the student's own steps, typeset as aligned LaTeX."""

    def __init__(self, name: str, rows: list[tuple[object, str]]):
        self.name = name
        self.rows = rows
        body = " \\\\\n".join(f"& {sympy.latex(expr)} && {note}" for expr, note in rows)
        self.latex = "\\begin{aligned}\n" + body + "\n\\end{aligned}"

    def _repr_latex_(self) -> str:
        return "$$" + self.latex + "$$"

    def __str__(self) -> str:
        return "\n".join(sympy.sstr(expr) for expr, _ in self.rows)


# --- the checker -------------------------------------------------------------------------


class _Failure(Exception):
    def __init__(self, lines):
        self.lines = lines


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
    except _Failure as failure:
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


def _show(expr) -> list[str]:
    if isinstance(expr, Move):
        return [expr.describe()]
    return sympy.pretty(expr, use_unicode=True, wrap_line=False).splitlines()


def _block(label: str, expr) -> list[str]:
    """``expr`` typeset (SymPy's 2-D text), under a label in the message's left column."""
    lines = _show(expr)
    head = f"    {label + ':':<10}"
    return [head + lines[0], *(" " * len(head) + line for line in lines[1:])]


def _right_so_far(where: int, i: int) -> list[str]:
    if where == 0:
        return []
    done = "Step 1 is" if where == 1 else f"Steps 1-{where} are"
    return [f"    {done} right; fix step {i} and run the cell again."]


def _num(v) -> str:
    if v is None:
        return "undefined"
    return mpmath.nstr(v, 4, strip_zeros=True)


class _Run:
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
                    raise _Failure(
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
            note = _note(pending) if pending is not None else r"\text{rewrite}"
            if pending is None and isinstance(step, sympy.Eq) and _is_expr(state):
                note = r"\text{set to zero}"
            if isinstance(pending, Solve) and not isinstance(step, sympy.Eq):
                step = sympy.Eq(pending.var, step, evaluate=False)
            if pending is None and isinstance(step, sympy.Eq):
                objective = False
            rows.append((step, rf"\text{{step {i}: }}{note}"))
            state, where, pending = step, i, None
        if pending is not None:
            raise _Failure(
                [
                    f"step {pending_at} is a move with no result",
                    f"    after {pending.describe()}, write the expression it gives as a last step",
                ]
            )
        self._final(state, where)
        if len(rows) - 1 < ex.min_steps:
            raise _Failure(
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
                raise _Failure(
                    [
                        f"step {i}: {move.describe()} is not one of this exercise's facts",
                        f"    Subs may use: {given or 'nothing (this exercise gives no facts)'}",
                    ]
                )
        if isinstance(move, Expect) and not ex.expectations:
            raise _Failure([f"step {i}: this exercise has no expectations to take"])
        if isinstance(move, Solve) and isinstance(state, sympy.Tuple):
            raise _Failure([f"step {i}: Solve works on one equation, not on a tuple"])
        for v in getattr(move, "vars", ()) or [getattr(move, "var", None)]:
            if v is not None and v not in ex.symbols:
                raise _Failure([f"step {i}: {v} is not one of this exercise's symbols"])

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
                raise _Failure(["Grad works on one expression, not on an equation or a tuple"])
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
                raise _Failure(
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
        except _Failure as f:
            raise _Failure([f"step {move_at}: {f.lines[0]}", *f.lines[1:]]) from None
        got = ex.expand(step)
        if move is None and isinstance(step, sympy.Eq) and _is_expr(implied):
            if objective:
                raise _Failure(
                    [
                        f"step {i} sets step {where} to zero, but step {where} is the "
                        "function to maximise, not its derivative",
                        "    differentiate first (Diff), then set the derivative to zero",
                    ]
                )
            implied = sympy.Eq(implied, 0, evaluate=False)
        self._compare(implied, got, state, where, move, move_at, step, i, objective)

    def _compare(self, implied, got, state, where, move, move_at, step, i, objective):
        shape_i, shape_g = _shape(implied), _shape(got)
        if shape_i != shape_g:
            raise _Failure(
                [
                    f"step {i} should be {shape_i}, because {self._source(where, move, move_at)} "
                    f"gives one; it is {shape_g}",
                    *_block(f"step {where}", state),
                    *_block(f"step {i}", step),
                ]
            )
        if isinstance(implied, sympy.Tuple):
            if len(implied) != len(got):
                raise _Failure([f"step {i} has {len(got)} parts; it should have {len(implied)}"])
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

    def _fail(self, implied, got, bad, state, where, move, move_at, step, i, objective, part=None):
        probe = self.probe
        whose = f"part {part} of step {i}" if part else f"step {i}"
        lines = [
            f"step {i} does not follow from step {where}",
            *_block(f"step {where}", state),
        ]
        if move is not None:
            lines.append(f"    move:     step {move_at}, {move.describe()}")
        lines += _block(f"step {i}", step)
        at = probe.describe(bad.point)
        if bad.kind == "roots":
            var = self._unknown(implied.lhs - implied.rhs, got.lhs - got.rhs)
            at = probe.describe(bad.point, skip=(var,))
            lines.append(
                f"    witness:  at {at}, {whose} holds at {_roots(var, bad.got)}, "
                f"where step {where} implies {_roots(var, bad.want)}"
            )
        elif bad.kind == "sign":
            lines.append(
                f"    witness:  at {at}, left minus right is {_num(bad.got)} in {whose} but "
                f"{_num(bad.want)} in what step {where} implies: the equations are not "
                "equivalent (an equation may be multiplied only by something that is never 0)"
            )
        elif bad.kind in ("constant", "factor"):
            j = probe.group.index(probe.group[bad.point])
            params = [p for p in self.ex.params if p in probe.symbols]
            data = probe.describe(j, skip=params)
            if bad.kind == "constant":
                gap, what = got - implied, "minus"
            else:
                gap, what = got / implied, "divided by"
            first = _num(probe.value(gap, probe.points[j]))
            second = _num(probe.value(gap, probe.points[bad.point]))
            lines.append(
                f"    witness:  {whose} {what} what step {where} implies is {first} at "
                f"{probe.describe(j, only=params)} but {second} at "
                f"{probe.describe(bad.point, only=params)}" + (f" ({data})" if data else "")
            )
            lines.append(
                "              that changes with the parameters, so it is not a constant "
                "that may be dropped"
            )
        elif bad.kind == "undefined":
            lines.append(
                f"    problem:  {self._source(where, move, move_at)} gives something undefined "
                "almost everywhere on this exercise's domain (a log of a negative number?)"
            )
            raise _Failure(lines)
        elif bad.got is None:
            lines.append(
                f"    witness:  at {at}, {whose} is undefined (a log of a negative number, or "
                f"a division by zero?) where step {where} implies {_num(bad.want)}"
            )
        else:
            lines.append(
                f"    witness:  at {at}, {whose} gives {_num(bad.got)} "
                f"where step {where} implies {_num(bad.want)}"
            )
        why = self._diagnose(implied, got, state, move, objective)
        if why:
            lines.append(f"    likely:   {why}")
        raise _Failure(lines + _right_so_far(where, i))

    def _diagnose(self, implied, got, state, move, objective):
        if isinstance(implied, sympy.Eq):
            if implied.lhs == got.lhs and isinstance(got.lhs, sympy.Symbol):
                implied, got = implied.rhs, got.rhs
            elif implied.rhs == 0 and got.rhs == 0:
                implied, got = implied.lhs, got.lhs
            else:
                return None
        ex = self.ex
        var = move.var if isinstance(move, Diff) else None
        previous = ex.expand(state) if var is not None else None
        forms = [implied]  # and the same with its terms spelt out, where the slips are
        if not _big_powers(implied):
            for spelt in (sympy.expand_log(implied, force=True), sympy.expand(implied)):
                if spelt not in forms:
                    forms.append(spelt)
        options = [
            option
            for form in forms
            for option in _slips.candidates(
                form,
                previous,
                var,
                n=ex.sample_size,
                scales=ex.scales,
                params=ex.params,
                objective=objective,
            )
        ]
        found, kinds, seen = [], set(), set()
        for wrong, why, kind in options:
            if wrong in seen or kind in kinds:  # one diagnosis per kind of slip
                continue
            seen.add(wrong)
            try:
                if self.probe.could_be_same(got, wrong, objective) and (
                    self.probe.same(got, wrong, up_to_constant=objective) is None
                ):
                    found.append(why)
                    kinds.add(kind)
            except ValueError:  # the slip's expression is undefined on the domain
                continue
            if len(found) == 2:
                break
        return " - or - ".join(found) or None

    def _solved(self, state, where, move, step, i):
        ex, x = self.ex, move.var
        if isinstance(step, sympy.Eq):
            if step.lhs == x:
                value = step.rhs
            elif step.rhs == x:
                value = step.lhs
            else:
                raise _Failure(
                    [
                        f"step {i} should give {x} by itself: Eq({x}, ...) or just the value",
                        *_block(f"step {i}", step),
                    ]
                )
        else:
            value = step
        if ex.expand(value).has(x):
            raise _Failure(
                [f"step {i} still has {x} on the right: it is not solved for {x}"]
                + _block(f"step {i}", step)
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
            *_block(f"step {where}", state),
            f"    move:     {move.describe()}",
            *_block(f"step {i}", step),
            f"    witness:  at {at}, step {i} gives {sympy.pretty(x)} = {_num(mine)}, which leaves "
            f"{_num(bad.got)} instead of 0 in step {where}"
            + (f"; step {where} is solved by {_roots(x, roots)}" if roots else ""),
        ]
        raise _Failure(lines + _right_so_far(where, i))

    # --- the result ----------------------------------------------------------------------

    def _final(self, state, where):
        ex = self.ex
        answer, got = ex.expand(ex.answer), ex.expand(state)
        lines_head = f"every step follows, but step {where} is not the result asked for"
        if _shape(answer) != _shape(got):
            raise _Failure(
                [
                    lines_head,
                    f"    the derivation should end with {_shape(answer)}; step {where} is "
                    f"{_shape(got)}",
                    *_block(f"step {where}", state),
                ]
            )
        pairs = (
            list(zip(answer, got, strict=False))
            if isinstance(answer, sympy.Tuple)
            else [(answer, got)]
        )
        if isinstance(answer, sympy.Tuple) and len(answer) != len(got):
            raise _Failure([lines_head, f"    it should have {len(answer)} parts"])
        for want, have in pairs:
            if isinstance(want, sympy.Eq):
                unknowns = want.lhs.free_symbols
                sides = [have.lhs, have.rhs]
                if not any(not s.free_symbols & unknowns for s in sides):
                    raise _Failure(
                        [
                            lines_head,
                            f"    solve it: one side should be free of "
                            f"{', '.join(sorted(map(str, unknowns)))}",
                            *_block(f"step {where}", state),
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
                lines = [lines_head, *_block(f"step {where}", state)]
                at = self.probe.describe(bad.point)
                if bad.kind == "value":
                    lines.append(
                        f"    witness:  at {at}, step {where} gives {_num(bad.got)} where the "
                        f"answer is {_num(bad.want)}"
                    )
                raise _Failure(lines)


def _note(move) -> str:
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


def _roots(var, roots) -> str:
    if not roots:
        return "no solution in the domain"
    return " and ".join(f"{sympy.pretty(var)} = {_num(r)}" for r in roots)


def _is_expr(e) -> bool:
    return isinstance(e, sympy.Expr)


def _shape(e) -> str:
    if isinstance(e, sympy.Eq):
        return "an equation"
    if isinstance(e, sympy.Tuple):
        return "a tuple"
    return "an expression"


def _part(e, j):
    return e[j - 1] if isinstance(e, sympy.Tuple) else e


def _each(e, fn):
    if isinstance(e, sympy.Eq):
        return sympy.Eq(fn(e.lhs), fn(e.rhs), evaluate=False)
    if isinstance(e, sympy.Tuple):
        return sympy.Tuple(*(fn(a) for a in e))
    return fn(e)


def _big_powers(expr) -> bool:
    """True if expanding ``expr`` could take long: a sum raised to a power above 6."""
    return any(
        p.is_Pow and p.base.is_Add and p.exp.is_Integer and abs(int(p.exp)) > 6
        for p in sympy.preorder_traversal(expr)
    )


def _symbolic_zero(expr) -> bool:
    """A cheap symbolic proof that ``expr`` is 0 under the symbols' assumptions."""
    if expr == 0:
        return True
    if sympy.count_ops(expr) > 120 or _big_powers(expr):
        return False
    try:
        return sympy.cancel(sympy.expand(expr)) == 0
    except (sympy.PolynomialError, RecursionError, ValueError, TypeError):
        return False
