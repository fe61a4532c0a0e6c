"""Steps as plain data: ``to_wire`` on the student's side, ``parse`` on the grader's.

A step crosses any process boundary as SymPy's ``srepr`` text (``Add(Symbol('k'), ...)``).
The grader never evaluates that text. :func:`parse` reads it with :mod:`ast` and rebuilds
the expression from a short whitelist of SymPy constructors whose arguments must be
literals or other whitelisted calls; symbols are looked up by name in the exercise's own
table, so a student's symbol with other assumptions, or a subclass whose ``__eq__`` or
``equals`` lies, is replaced by the exercise's plain SymPy object before any comparison.
"""

from __future__ import annotations

import ast

import sympy

from ._moves import MOVES, Move

__all__ = ["WireError", "parse", "to_wire"]

# Constructors a step may use, and how many positional arguments each takes.
_FUNCTIONS = {
    "log": sympy.log,
    "exp": sympy.exp,
    "Abs": sympy.Abs,
    "gamma": sympy.gamma,
    "loggamma": sympy.loggamma,
    "factorial": sympy.factorial,
    "binomial": sympy.binomial,
}
_NARY = {"Add": sympy.Add, "Mul": sympy.Mul}
_CONSTANTS = {"pi": sympy.pi, "E": sympy.E}
_ASSUMPTIONS = {
    "positive",
    "negative",
    "nonnegative",
    "nonpositive",
    "nonzero",
    "real",
    "extended_real",
    "finite",
    "integer",
    "rational",
    "commutative",
}
_UNKNOWN = (
    "{name} is not one of the SymPy constructors a step may use (Symbol, numbers, Add, Mul, "
    "Pow, log, exp, Eq, Derivative, Tuple, gamma/loggamma/factorial/binomial, Abs, pi, E and "
    "the moves)"
)
MAX_NODES = 4000
MAX_DEPTH = 60
MAX_INT = 10**12
MAX_EXPONENT = 64
MAX_DIGITS = 20_000


def _digits(value) -> int:
    """Decimal digits of an exact number (0 for anything else): a guard against huge numbers."""
    if isinstance(value, sympy.Rational):
        return len(str(abs(value.p))) + len(str(value.q))
    return 0


class WireError(ValueError):
    """A step's text is not something the checker accepts."""


def to_wire(steps) -> list[str]:
    """The student's steps as a list of ``srepr`` strings, safe to send to the grader.

    Each step may be a SymPy expression, an ``Eq``, a tuple of expressions (a gradient),
    a number, a move such as ``Diff(theta)``, or already a string of ``srepr`` text.
    """
    if isinstance(steps, (str, bytes)) or not isinstance(steps, (list, tuple)):
        raise TypeError(
            f"steps must be a list of SymPy expressions and moves, got {type(steps).__name__}"
        )
    return [_one(step, i) for i, step in enumerate(steps, start=1)]


def _one(step, i: int) -> str:
    if type(step) is str:
        return step
    if isinstance(step, Move):
        return step.__srepr__()
    if type(step) in (list, tuple):
        return "Tuple(" + ", ".join(_one(s, i) for s in step) + ")"
    if type(step) is int:
        return sympy.srepr(sympy.Integer(step))
    if type(step) is float:
        return sympy.srepr(sympy.Float(step))
    if isinstance(step, sympy.Basic):
        return sympy.srepr(step)
    raise TypeError(
        f"step {i} is a {type(step).__name__}: a step must be a SymPy expression, an Eq, "
        "a tuple of expressions, or a move such as Diff(theta)"
    )


def parse(text: str, symbols: dict[str, sympy.Symbol]):
    """Rebuild one step from its ``srepr`` text, using only whitelisted constructors.

    ``symbols`` maps each name the exercise defines to its Symbol. Raises
    :class:`WireError` with a message for the student when the text uses anything else.
    """
    if type(text) is not str:
        raise WireError(f"a step on the wire must be text, got {type(text).__name__}")
    if len(text) > 200_000:
        raise WireError("the step is too long to check (over 200,000 characters)")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise WireError("the step's text is not SymPy srepr output") from None
    count = sum(1 for _ in ast.walk(tree))
    if count > MAX_NODES:
        raise WireError(f"the step is too large to check ({count} parts, at most {MAX_NODES})")
    step = _Builder(symbols).build(tree.body, 0)
    if isinstance(step, sympy.Basic):
        for part in sympy.preorder_traversal(step):  # Mul(x, x, ...) becomes x**n by itself
            if part.is_Pow and part.exp.is_Integer and abs(int(part.exp)) > MAX_EXPONENT:
                raise WireError(f"the exponent {part.exp} is too large (at most {MAX_EXPONENT})")
    return step


class _Builder:
    def __init__(self, symbols: dict[str, sympy.Symbol]):
        self.symbols = symbols

    def build(self, node, depth: int):
        if depth > MAX_DEPTH:
            raise WireError("the step is nested too deeply to check")
        if isinstance(node, ast.Name):
            if node.id in _CONSTANTS:
                return _CONSTANTS[node.id]
            if node.id in ("true", "false"):
                raise WireError(
                    f"the step is {node.id.title()}, not an equation: SymPy decides Eq(a, b) "
                    "at once when its sides are plainly equal or different; write "
                    "Eq(a, b, evaluate=False) to keep it"
                )
            raise WireError(f"{node.id} is not allowed in a step (only pi and E are)")
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            raise WireError(f"unexpected {type(node).__name__} in the step's text")
        name = node.func.id
        if name == "Symbol":
            return self.symbol(node)
        if name in ("Integer", "Rational", "Float"):
            return self.number(name, node)
        known = name in _NARY or name in _FUNCTIONS or name in MOVES
        if not known and name not in ("Pow", "Equality", "Eq", "Derivative", "Tuple"):
            raise WireError(_UNKNOWN.format(name=name))
        kwargs = {k.arg: self.literal(k.value) for k in node.keywords}
        if name != "Float" and set(kwargs) - {"evaluate"}:
            raise WireError(f"{name} takes no keyword arguments in a step")
        args = [self.build(a, depth + 1) for a in node.args]
        return self.call(name, args)

    def call(self, name: str, args: list):
        if name in _NARY:
            self.expressions(name, args)
            if sum(_digits(a) for a in args) > MAX_DIGITS:
                raise WireError("the numbers in the step are too large to check")
            return _NARY[name](*args)
        if name == "Pow":
            base, exponent = self.expressions(name, args, 2)
            if exponent.is_Integer and abs(int(exponent)) > MAX_EXPONENT:
                raise WireError(f"the exponent {exponent} is too large (at most {MAX_EXPONENT})")
            if exponent.is_Integer and _digits(base) * abs(int(exponent)) > MAX_DIGITS:
                raise WireError("the numbers in the step are too large to check")
            return sympy.Pow(base, exponent)
        if name in _FUNCTIONS:
            args = self.expressions(name, args, 1 if name != "binomial" else 2)
            if name != "log" and name != "exp" and any(a.is_Number and abs(a) > 1000 for a in args):
                raise WireError(f"{name} of a number above 1000 is too large to check")
            return _FUNCTIONS[name](*args)
        if name in ("Equality", "Eq"):
            return sympy.Eq(*self.expressions(name, args, 2), evaluate=False)
        if name == "Derivative":
            expr, *variables = args
            self.expressions(name, [expr])
            pairs = []
            for v in variables:
                if isinstance(v, sympy.Tuple) and len(v) == 2 and v[1].is_Integer:
                    pairs.append((v[0], int(v[1])))
                else:
                    pairs.append((v, 1))
            if any(not isinstance(v, sympy.Symbol) or not 0 < k <= 4 for v, k in pairs):
                raise WireError("Derivative takes symbols, each at most 4 times")
            return sympy.Derivative(expr, *pairs)
        if name == "Tuple":
            if any(isinstance(a, Move) for a in args):
                raise WireError("a move cannot sit inside a tuple")
            return sympy.Tuple(*args)
        if name in MOVES:
            if any(isinstance(a, Move) for a in args):
                raise WireError("a move cannot take another move")
            try:
                return MOVES[name](*args)
            except TypeError as why:
                raise WireError(str(why)) from None
        raise WireError(_UNKNOWN.format(name=name))

    def expressions(self, name: str, args: list, arity: int | None = None) -> list:
        if arity is not None and len(args) != arity:
            raise WireError(f"{name} takes {arity} argument{'s' * (arity != 1)}, got {len(args)}")
        for a in args:
            if not isinstance(a, sympy.Expr):
                raise WireError(f"{name} takes expressions, got {type(a).__name__}")
        return args

    def symbol(self, node):
        if len(node.args) != 1:
            raise WireError("Symbol takes one name")
        name = self.literal(node.args[0])
        for k in node.keywords:
            if k.arg not in _ASSUMPTIONS or type(self.literal(k.value)) is not bool:
                raise WireError(f"Symbol does not take the keyword {k.arg}")
        if type(name) is not str:
            raise WireError("a Symbol's name must be text")
        if name not in self.symbols:
            known = ", ".join(sorted(self.symbols))
            raise WireError(
                f"the symbol {name!r} is not one of this exercise's symbols ({known}); "
                "use the symbols the exercise gives you"
            )
        return self.symbols[name]

    def number(self, name: str, node):
        values = [self.literal(a) for a in node.args]
        if name == "Float":
            keywords = {k.arg: self.literal(k.value) for k in node.keywords}
            if set(keywords) - {"precision"} or len(values) != 1:
                raise WireError("Float takes one value and an optional precision")
            precision = keywords.get("precision", 53)
            if type(precision) is not int or not 1 <= precision <= 400:
                raise WireError("a Float's precision must be between 1 and 400 bits")
            if type(values[0]) not in (str, float) or len(str(values[0])) > 60:
                raise WireError("a Float's value must be a short number")
            try:
                value = sympy.Float(values[0], precision=precision)
            except (ValueError, TypeError):
                raise WireError(f"{values[0]!r} is not a number") from None
            if not value.is_finite:
                raise WireError("infinite or NaN numbers are not allowed in a step")
            return value
        if node.keywords or any(type(v) is not int or abs(v) > MAX_INT for v in values):
            raise WireError(f"{name} takes whole numbers of at most 12 digits")
        if name == "Integer" and len(values) == 1:
            return sympy.Integer(values[0])
        if name == "Rational" and len(values) == 2 and values[1] != 0:
            return sympy.Rational(values[0], values[1])
        raise WireError(f"{name} got the wrong arguments")

    def literal(self, node):
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            value = self.literal(node.operand)
            if type(value) in (int, float):
                return -value
        elif isinstance(node, ast.Constant) and type(node.value) in (int, float, str, bool):
            if type(node.value) is str and len(node.value) > 80:
                raise WireError("a name or number in the step is too long")
            return node.value
        raise WireError("only plain numbers and names may appear as arguments")
