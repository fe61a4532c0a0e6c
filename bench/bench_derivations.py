"""Derivation checks: how long one student's derivation takes to grade (budget: 2 s).

For each exercise in ``course.derivations.exercises``, two derivations from the test
catalogue (``tests/test_derivations.py``): the right one as the notebook teaches it, and a
wrong one that the checker must stop at its first bad step and diagnose (the slower path:
it rebuilds the step with each known slip). Both are checked as the grader sees them, from
srepr text through the safe parser, and *cold*: the exercise's compiled probe functions are
forgotten before every run, as for a submission whose expressions the grader has not seen.
The "peer" column is SymPy's own ``simplify(a - b) == 0`` on each written step of the right
derivation against what the step before implies (plain rewrites, logs and derivatives), the
symbolic check that this module backs with numeric probing; its agreement column counts the
steps simplify proves (the rest it cannot, though they are right). The last row is the
slowest single check over the whole catalogue, each run once, cold.
Run alone with ``python -m bench derivations``.
"""

from __future__ import annotations

import contextlib
import io
import sys
import time
from pathlib import Path

import sympy

from bench._timing import median_time, row
from course.checks import CheckFailure
from course.derivations import Diff, Log, Move, check_derivation, to_wire

BUDGET_S = 2.0
REPEAT = 5


def _catalogue():
    root = str(Path(__file__).resolve().parent.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    from tests import test_derivations as t

    return t


def _right(ex, steps) -> bool:
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            check_derivation(ex, steps)
        except CheckFailure:
            return False
    return True


def _cold(ex, wire):
    def go():
        ex.clear_cache()
        sympy.core.cache.clear_cache()
        _right(ex, wire)

    return go


def _simplify_each(ex, steps):
    """simplify(a - b) == 0 for each written step against what the step before implies."""
    pairs, state, move = [], ex.start, None
    for step in steps:
        if isinstance(step, Move):
            move = step
            continue
        if isinstance(state, sympy.Expr) and isinstance(step, sympy.Expr):
            implied = ex.expand(state)
            if isinstance(move, Log):
                implied = sympy.log(implied)
            elif isinstance(move, Diff):
                implied = sympy.diff(implied, move.var)
            if move is None or isinstance(move, (Log, Diff)):
                pairs.append((implied, ex.expand(step)))
        state, move = step, None

    def go():
        sympy.core.cache.clear_cache()
        return sum(sympy.simplify(a - b) == 0 for a, b in pairs)

    return go, len(pairs)


def run() -> list[dict]:
    t = _catalogue()
    rows = []
    worst = 0.0
    for ex in t.X.ALL:
        right = next(c for c in t.RIGHT if c.exercise is ex)
        wrong = next(c for c in t.WRONG if c.exercise is ex)
        wire_right, wire_wrong = to_wire(right.steps), to_wire(wrong.steps)
        assert _right(ex, wire_right) and not _right(ex, wire_wrong)
        ours = median_time(_cold(ex, wire_right), repeat=REPEAT)
        peer, n_pairs = _simplify_each(ex, right.steps)
        proved = peer()
        peer_s = median_time(peer, repeat=REPEAT) if n_pairs else None
        note = f"simplify proves {proved}/{n_pairs} rewrites" if n_pairs else "no rewrite steps"
        if peer_s is None:
            rows.append(
                {
                    "benchmark": f"{ex.name}: right",
                    "ours_s": ours,
                    "peer_s": None,
                    "agreement": note,
                }
            )
        else:
            rows.append(row(f"{ex.name}: right", ours, "simplify per step", peer_s, note))
        slow = median_time(_cold(ex, wire_wrong), repeat=REPEAT)
        rows.append(
            {
                "benchmark": f"{ex.name}: wrong ({wrong.label})",
                "ours_s": slow,
                "peer_s": None,
                "agreement": f"stops at step {wrong.bad}",
            }
        )
        worst = max(worst, ours, slow)
    for case in t.RIGHT + t.WRONG:  # every catalogue derivation, once each, cold
        start = time.perf_counter()
        _cold(case.exercise, to_wire(case.steps))()
        worst = max(worst, time.perf_counter() - start)
    rows.append(
        {
            "benchmark": f"slowest of all {len(t.RIGHT) + len(t.WRONG)} catalogue checks "
            "(budget 2 s)",
            "ours_s": worst,
            "peer_s": None,
            "agreement": "within budget" if worst < BUDGET_S else "OVER BUDGET",
        }
    )
    return rows
