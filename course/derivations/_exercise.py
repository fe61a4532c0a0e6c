"""A derivation exercise (:class:`Derivation`) and a derivation that passed (its echo)."""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence

import sympy

from ._probe import Probe

__all__ = ["Derivation", "DerivationResult"]

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
        from ._check import check_derivation

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
