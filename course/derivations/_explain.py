"""What the checker says when a step does not follow: the witness and the likely slip."""

from __future__ import annotations

import sympy

from . import _slips
from ._moves import Diff
from ._text import block, num, right_so_far, show_roots


class Failure(Exception):
    """A failed derivation: its message lines (the exercise's name is added in front)."""

    def __init__(self, lines):
        self.lines = lines


class Explain:
    """The message-writing half of the checker (mixed into ``_check._Run``)."""

    def _fail(self, implied, got, bad, state, where, move, move_at, step, i, objective, part=None):
        probe = self.probe
        whose = f"part {part} of step {i}" if part else f"step {i}"
        lines = [
            f"step {i} does not follow from step {where}",
            *block(f"step {where}", state),
        ]
        if move is not None:
            lines.append(f"    move:     step {move_at}, {move.describe()}")
        lines += block(f"step {i}", step)
        at = probe.describe(bad.point)
        if bad.kind == "roots":
            var = self._unknown(implied.lhs - implied.rhs, got.lhs - got.rhs)
            at = probe.describe(bad.point, skip=(var,))
            lines.append(
                f"    witness:  at {at}, {whose} holds at {show_roots(var, bad.got)}, "
                f"where step {where} implies {show_roots(var, bad.want)}"
            )
        elif bad.kind == "sign":
            lines.append(
                f"    witness:  at {at}, left minus right is {num(bad.got)} in {whose} but "
                f"{num(bad.want)} in what step {where} implies: the equations are not "
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
            first = num(probe.value(gap, probe.points[j]))
            second = num(probe.value(gap, probe.points[bad.point]))
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
            raise Failure(lines)
        elif bad.got is None:
            lines.append(
                f"    witness:  at {at}, {whose} is undefined (a log of a negative number, or "
                f"a division by zero?) where step {where} implies {num(bad.want)}"
            )
        else:
            lines.append(
                f"    witness:  at {at}, {whose} gives {num(bad.got)} "
                f"where step {where} implies {num(bad.want)}"
            )
        why = self._diagnose(implied, got, state, move, objective)
        if why:
            lines.append(f"    likely:   {why}")
        raise Failure(lines + right_so_far(where, i))

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
        if not _slips.big_powers(implied):
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
