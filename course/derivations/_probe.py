"""Numeric probing: is one step the same as another at random valid points?

Symbolic simplification has blind spots (``log(1 - theta)`` does not expand when SymPy
cannot tell that ``1 - theta > 0``), so every comparison is decided by evaluating both
sides at the same points of the exercise's domain, with 30 significant digits (mpmath),
where a rounding error cannot pass for a difference. Most points are "nice" (θ = 0.35,
n = 12) so that a witness reads well; a few are not rounded, so that no identity that
happens to hold on round numbers slips through.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import mpmath
import sympy

DPS = 30
RTOL = mpmath.mpf("1e-15")
ATOL = mpmath.mpf("1e-18")
GRID = 81
CACHE = 512
_UNKNOWN = object()


@dataclass(frozen=True)
class Mismatch:
    """Where two steps disagree: the point, and what each side gives there."""

    point: int
    got: object  # mpf, None (undefined there) or a list of roots
    want: object
    kind: str = "value"  # "value", "constant" (differs by a term that depends on a parameter),
    # "roots" (different solutions), "sign" (an equation multiplied by something that changes sign)


def close(a, b) -> bool:
    return abs(a - b) <= ATOL + RTOL * max(abs(a), abs(b))


class Probe:
    """The probe points of one exercise, and the comparisons made at them."""

    def __init__(self, symbols, domains, params, seed: int, groups: int = 5, raw: int = 4):
        self.symbols = tuple(symbols)
        self.domains = domains
        self.params = tuple(params)
        rng = random.Random(seed)
        self.points: list[dict] = []
        self.texts: list[dict] = []
        self.group: list[int] = []
        for g in range(groups + raw):
            nice = g < groups
            values, texts = self._draw(rng, nice, {})
            self._add(values, texts, g)
            if nice and self.params:
                keep = {s: v for s, v in values.items() if s not in self.params}
                self._add(*self._draw(rng, nice, keep), g)
        self._compiled: dict = {}
        self._known: dict = {}

    # --- drawing points ---------------------------------------------------------------

    def _add(self, values, texts, group):
        self.points.append(values)
        self.texts.append(texts)
        self.group.append(group)

    def bounds(self, sym, values) -> tuple[float, float]:
        lo, hi = self.domains[sym]
        sub = {s: sympy.Float(str(v), DPS) for s, v in values.items()}
        return float(sympy.sympify(lo).xreplace(sub)), float(sympy.sympify(hi).xreplace(sub))

    def _draw(self, rng, nice: bool, keep: dict):
        values, texts = {}, {}
        for sym in self.symbols:
            if sym in keep:
                values[sym] = keep[sym]
                texts[sym] = self.texts[-1][sym]
                continue
            lo, hi = self.bounds(sym, values)
            if sym.is_integer:
                v = rng.randint(math.ceil(lo), math.floor(hi))
                values[sym], texts[sym] = mpmath.mpf(v), str(v)
                continue
            x = lo + (hi - lo) * rng.uniform(0.02, 0.98)
            if nice:
                step = 10.0 ** (math.floor(math.log10(hi - lo)) - 1)
                rounded = round(round(x / step) * step, 10)
                x = rounded if lo < rounded < hi else x
                text = f"{x:.10g}"
            else:
                text = f"{x:.17g}"
            with mpmath.workdps(DPS):
                values[sym] = mpmath.mpf(text)
            texts[sym] = text if nice else f"{x:.6g}"
        return values, texts

    def describe(self, i: int, skip=(), only=None) -> str:
        """``θ = 0.3, n = 10, k = 7``: the point in words, for a witness."""
        return ", ".join(
            f"{sympy.pretty(s)} = {self.texts[i][s]}"
            for s in self.symbols
            if s not in skip and (only is None or s in only)
        )

    # --- evaluating -------------------------------------------------------------------

    def clear(self) -> None:
        self._compiled.clear()
        self._known.clear()

    def function(self, expr):
        if expr not in self._compiled:
            if len(self._compiled) > CACHE:  # a grader checks many submissions: stay bounded
                self.clear()
            self._compiled[expr] = sympy.lambdify(self.symbols, expr, modules="mpmath")
        return self._compiled[expr]

    def at(self, expr, i: int):
        """The value of ``expr`` at probe point ``i``, computed once."""
        known = self._known.get(expr)
        if known is None:
            self.function(expr)  # may clear the caches
            known = self._known[expr] = [_UNKNOWN] * len(self.points)
        if known[i] is _UNKNOWN:
            known[i] = self.value(expr, self.points[i])
        return known[i]

    def could_be_same(self, got, want, up_to_constant: bool = False) -> bool:
        """A cheap first look (the first two groups of points) before :meth:`same`."""
        idx = [i for i in range(len(self.points)) if self.group[i] < 2]
        g, w = [self.at(got, i) for i in idx], [self.at(want, i) for i in idx]
        if any(b is not None and a is None for a, b in zip(g, w, strict=True)):
            return False
        if up_to_constant:
            return True
        return all(b is None or close(a, b) for a, b in zip(g, w, strict=True))

    def value(self, expr, point: dict):
        """The value of ``expr`` at ``point`` (an mpf), or None where it is not defined."""
        fn = self.function(expr)
        with mpmath.workdps(DPS):
            try:
                v = fn(*(point[s] for s in self.symbols))
            except (ZeroDivisionError, ValueError, OverflowError, TypeError):
                return None
            if isinstance(v, mpmath.mpc):
                if abs(v.imag) > ATOL + RTOL * abs(v.real):
                    return None
                v = v.real
            try:
                v = mpmath.mpf(v)
            except (TypeError, ValueError):
                return None
            return v if mpmath.isfinite(v) else None

    def values(self, expr) -> list:
        return [self.at(expr, i) for i in range(len(self.points))]

    # --- comparisons ------------------------------------------------------------------

    def same(self, got, want, up_to_constant: bool = False) -> Mismatch | None:
        """None if ``got`` equals ``want`` wherever ``want`` is defined, else a witness.

        With ``up_to_constant``, ``got`` may differ from ``want`` by a term that does not
        depend on the exercise's parameters (a dropped constant of a log-likelihood).
        """
        g, w = self.values(got), self.values(want)
        if sum(v is not None for v in w) < 3:
            raise ValueError(
                f"the exercise's domains leave {sympy.sstr(want)} undefined at almost every "
                "probe point; widen or fix `domains`"
            )
        for i, (a, b) in enumerate(zip(g, w, strict=True)):
            if b is not None and a is None:
                return Mismatch(i, None, b)
        if not up_to_constant:
            for i, (a, b) in enumerate(zip(g, w, strict=True)):
                if b is not None and not close(a, b):
                    return Mismatch(i, a, b)
            return None
        additive = self._constant(g, w, lambda a, b: a - b)
        if additive is None:
            return None
        # or by a positive factor free of the parameters (a likelihood's constant, or a
        # log-likelihood divided by n)
        scalable = all(b is None or (b != 0 and a / b > 0) for a, b in zip(g, w, strict=True))
        factor = self._constant(g, w, lambda a, b: a / b) if scalable else additive
        if factor is None:
            return None
        positive = all(b is None or b > 0 for b in w)
        return additive if want.is_Add or not positive else factor

    def _constant(self, g, w, gap) -> Mismatch | None:
        """None if ``gap(got, want)`` is the same at every point of each group of points."""
        first: dict[int, int] = {}
        for i, (a, b) in enumerate(zip(g, w, strict=True)):
            if b is None:
                continue
            j = first.setdefault(self.group[i], i)
            here, there = gap(a, b), gap(g[j], w[j])
            scale = max(abs(a), abs(b), abs(g[j]), abs(w[j])) if gap(2, 1) == 1 else 0
            if not close(here, there) and abs(here - there) > RTOL * scale:
                kind = "constant" if gap(2, 1) == 1 else "factor"
                return Mismatch(i, a, b, kind)
        return None

    def zero(self, expr, scale_terms) -> Mismatch | None:
        """None if ``expr`` is zero at every point (relative to the size of its terms)."""
        for i, p in enumerate(self.points):
            v = self.value(expr, p)
            if v is None:
                continue
            scale = max([abs(self.value(t, p) or 0) for t in scale_terms] + [mpmath.mpf(1)])
            if abs(v) > 1e-12 * scale:
                return Mismatch(i, v, mpmath.mpf(0))
        return None

    def roots(self, expr, var, point: dict) -> list:
        """The sign changes of ``expr`` in ``var`` over its domain, other symbols at ``point``."""
        lo, hi = self.bounds(var, point)
        fn = self.function(expr)
        args = [point[s] for s in self.symbols]
        at = self.symbols.index(var)

        def f(x):
            args[at] = x
            try:
                v = fn(*args)
            except (ZeroDivisionError, ValueError, OverflowError, TypeError):
                return None
            if isinstance(v, mpmath.mpc):
                v = v.real if abs(v.imag) <= ATOL + RTOL * abs(v.real) else None
            return mpmath.mpf(v) if v is not None and mpmath.isfinite(v) else None

        found = []
        with mpmath.workdps(DPS):
            xs = [mpmath.mpf(lo) + (hi - lo) * (j + 0.5) / GRID for j in range(GRID)]
            fs = [f(x) for x in xs]
            for j in range(GRID - 1):
                a, b, fa, fb = xs[j], xs[j + 1], fs[j], fs[j + 1]
                if fa is None or fb is None:
                    continue
                if fa == 0:
                    found.append(a)
                    continue
                if fa * fb > 0:
                    continue
                size = min(abs(fa), abs(fb)) if fb != 0 else abs(fa)
                for _ in range(70):
                    m = (a + b) / 2
                    fm = f(m)
                    if fm is None:
                        break
                    if fa * fm <= 0:
                        b, fb = m, fm
                    else:
                        a, fa = m, fm
                fm = f((a + b) / 2)
                if fm is not None and abs(fm) <= 1e-6 * max(size, ATOL):  # a root, not a pole
                    found.append((a + b) / 2)
                elif fm is not None and size == 0:
                    found.append((a + b) / 2)
        return found

    def same_roots(self, got, want, var) -> Mismatch | None:
        """None if ``got = 0`` and ``want = 0`` have the same solutions in ``var``."""
        firsts = sorted({self.group[i]: i for i in reversed(range(len(self.points)))}.values())
        for i in firsts[:3]:
            p = self.points[i]
            r_got, r_want = self.roots(got, var, p), self.roots(want, var, p)
            if len(r_got) != len(r_want) or any(
                abs(a - b) > 1e-9 * (1 + abs(b)) for a, b in zip(r_got, r_want, strict=True)
            ):
                return Mismatch(i, r_got, r_want, "roots")
        return None

    def same_sign_ratio(self, got, want) -> Mismatch | None:
        """None if ``got / want`` keeps one sign: both sides scaled by a factor that is never 0."""
        g, w = self.values(got), self.values(want)
        signs = set()
        for i, (a, b) in enumerate(zip(g, w, strict=True)):
            if a is None or b is None:
                if (a is None) != (b is None) and b is not None:
                    return Mismatch(i, a, b)
                continue
            if (abs(a) <= ATOL) != (abs(b) <= ATOL):
                return Mismatch(i, a, b, "sign")
            if abs(a) > ATOL:
                signs.add((a > 0) == (b > 0))
                if len(signs) > 1:
                    return Mismatch(i, a, b, "sign")
        return None
