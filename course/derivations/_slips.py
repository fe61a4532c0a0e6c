"""Known slips: rebuild the right step with one classic mistake in it, and compare.

When a step does not follow, the checker makes each slip on purpose to the step it
expected (flip the sign of one term, drop a factor n, write σ for σ², forget the inner
derivative of log(1 - θ), drop a term) and probes whether the student's step equals
that wrong version. The first that matches names the mistake. Each candidate is a
SymPy expression, so adding a slip is adding one line to :func:`candidates`.
"""

from __future__ import annotations

import sympy

_COMPOSITES = (sympy.log, sympy.exp)


def _text(expr) -> str:
    return sympy.sstr(expr)


def _terms(expr) -> tuple:
    return sympy.Add.make_args(expr)


def _has_factor(term, symbol) -> bool:
    return any(
        f == symbol or (f.is_Pow and f.base == symbol and f.exp.is_positive)
        for f in sympy.Mul.make_args(term)
    )


def _inner(f):
    """The inside of a composite (log(u), exp(u), u**c) and the outer derivative at it."""
    if f.func in _COMPOSITES:
        u = f.args[0]
        return u, (1 / u if f.func is sympy.log else f)
    if f.is_Pow and f.exp.is_number and not f.base.is_Symbol:
        return f.base, f.exp * f.base ** (f.exp - 1)
    return None, None


def chain_rule(previous, var) -> list[tuple]:
    """d/dvar of ``previous`` with the inner derivative left out of one composite."""
    out = []
    composites = [
        f for f in sympy.preorder_traversal(previous) if f.has(var) and (f.is_Pow or f.is_Function)
    ]
    seen = set()
    for f in composites:
        u, outer = _inner(f)
        if u is None or u == var or not u.has(var) or f in seen:
            continue
        seen.add(f)
        g = sympy.Function("_G")(var)
        derivative = sympy.diff(previous.xreplace({f: g}), var)
        wrong = derivative.subs(sympy.Derivative(g, var), outer).xreplace({g: f})
        du = sympy.diff(u, var)
        out.append(
            (
                wrong,
                f"the chain rule is missing on {_text(f)}: its derivative needs the factor "
                f"d/d{var}({_text(u)}) = {_text(du)}",
                "chain",
            )
        )
    return out


def candidates(implied, previous, move_var, *, n=None, scales=(), params=(), objective=False):
    """(wrong step, diagnosis, kind of slip) triples, most specific first."""
    out = []
    if move_var is not None and previous is not None:
        out += chain_rule(previous, move_var)
    terms = _terms(implied)
    if len(terms) > 1:
        out += [
            (implied - 2 * t, f"the sign of the term {_text(t)} was lost", "sign") for t in terms
        ]
    out.append((-implied, "a lost minus sign: the whole step has the opposite sign", "sign"))
    for s in scales:
        if not implied.has(s):
            continue
        half, double = {s: sympy.sqrt(s)}, {s: s**2}
        name = _text(s)
        out.append((implied.xreplace(half), f"{name} where {name}**2 belongs", "half"))
        out.append((implied.xreplace(double), f"{name}**2 where {name} belongs", "double"))
        for t in terms if len(terms) > 1 else ():
            if t.has(s):
                out.append(
                    (
                        implied - t + t.xreplace(half),
                        f"{name} where {name}**2 belongs in {_text(t)}",
                        "half",
                    )
                )
                out.append(
                    (
                        implied - t + t.xreplace(double),
                        f"{name}**2 where {name} belongs in {_text(t)}",
                        "double",
                    )
                )
    if n is not None and implied.has(n):
        out.append((implied / n, f"a missing factor {n}: the step is {n} times too small", "n"))
        out.append((implied * n, f"an extra factor {n}: the step is {n} times too large", "n"))
        for t in terms if len(terms) > 1 else ():
            where = f"in the term {_text(t)}" if _has_factor(t, n) else f"on the term {_text(t)}"
            out.append((implied - t + t / n, f"a missing factor {n} {where}", "n"))
    for t in terms if len(terms) > 1 else ():
        depends = [p for p in params if t.has(p)]
        if depends and objective:
            names = ", ".join(_text(p) for p in depends)
            why = (
                f"the term {_text(t)} was dropped, but it depends on {names}: it is a "
                f"constant only in the data, so it matters for the maximum. Only terms "
                f"free of {names} may be dropped"
            )
        elif depends:
            why = f"the term {_text(t)} was dropped; it depends on {_text(depends[0])}"
        else:
            why = f"the term {_text(t)} was dropped"
        out.append((implied - t, why, "dropped"))
    return out


def big_powers(expr) -> bool:
    """True if expanding ``expr`` could take long: a sum raised to a power above 6."""
    return any(
        p.is_Pow and p.base.is_Add and p.exp.is_Integer and abs(int(p.exp)) > 6
        for p in sympy.preorder_traversal(expr)
    )
