"""For the integrity report: derivation cells whose steps SymPy worked out itself."""

from __future__ import annotations

import ast

__all__ = ["SOLVERS", "derivation_findings"]

# SymPy functions that do the calculus or algebra a derivation exercise asks the student to do.
SOLVERS = frozenset(
    {
        "diff",
        "solve",
        "integrate",
        "dsolve",
        "limit",
        "solveset",
        "nsolve",
        "linsolve",
        "nonlinsolve",
    }
)


def derivation_findings(cell_source: str) -> list[str]:
    """Calls of SymPy's diff, solve, integrate, dsolve or limit in a derivation cell.

    The cell is read with :mod:`ast`, never run. Both ``sp.diff(f, x)`` and the method form
    ``f.diff(x)`` count, as do names imported under another name (``from sympy import diff
    as d``) and ``.doit()`` on a ``Derivative``/``Integral``/``Limit``. Each finding is one
    line for the integrity report; what it means is the instructor's call (it costs no
    points).
    """
    if type(cell_source) is not str:
        raise TypeError(f"cell_source must be a string, got {type(cell_source).__name__}")
    try:
        tree = ast.parse(cell_source)
    except SyntaxError as why:
        return [f"the cell could not be read as Python (line {why.lineno}), so it was not scanned"]
    aliases = {name: name for name in SOLVERS}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sympy":
            for a in node.names:
                if a.name in SOLVERS:
                    aliases[a.asname or a.name] = a.name
    lines = cell_source.splitlines()
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        what = _solver(node, aliases)
        if what:
            text = lines[node.lineno - 1].strip() if node.lineno <= len(lines) else ""
            found.append((node.lineno, node.col_offset, f"line {node.lineno}: {what}: {text}"))
    return [f for _, _, f in sorted(found)]


def _solver(node: ast.Call, aliases: dict) -> str | None:
    func = node.func
    if isinstance(func, ast.Name) and func.id in aliases:
        return f"calls SymPy's {aliases[func.id]}"
    if isinstance(func, ast.Attribute):
        if func.attr in SOLVERS:
            return f"calls SymPy's {func.attr}"
        if func.attr == "doit" and isinstance(func.value, ast.Call):
            inner = func.value.func
            name = inner.attr if isinstance(inner, ast.Attribute) else getattr(inner, "id", "")
            if name in ("Derivative", "Integral", "Limit"):
                return f"evaluates a {name} with doit()"
    return None
