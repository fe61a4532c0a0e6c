"""Read the exercises of an nbgrader notebook and build synthetic submissions from it.

An *exercise* is a solution cell together with the graded test cells that follow it, up to the
next solution cell: the points a student earns by writing that one cell. Submissions are built
from the release notebook (what a student fetches) by pasting in the instructor's solution
cells, or a stub, or anything else, by ``grade_id``.
"""

from __future__ import annotations

import ast
import copy
import os
from dataclasses import dataclass
from pathlib import Path

import nbformat

# The cell metadata key under which grading records what looked like tampering: written by
# ``course.grading.execute``, read by ``course.grading.integrity``.
INTEGRITY_KEY = "mle_integrity"

__all__ = [
    "INTEGRITY_KEY",
    "Exercise",
    "exercises",
    "fill_solutions",
    "grade_cells",
    "is_test_cell",
    "leaked_lines",
    "marked_lines",
    "meta",
    "read_notebook",
    "set_cell_source",
    "write_notebook",
]


def read_notebook(path: str | os.PathLike[str]) -> nbformat.NotebookNode:
    """Read a notebook (nbformat 4) from ``path``."""
    return nbformat.read(os.fspath(path), as_version=4)


def write_notebook(nb: nbformat.NotebookNode, path: str | os.PathLike[str]) -> Path:
    """Write ``nb`` to ``path``, creating its folder; return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, os.fspath(path))
    return path


def meta(cell: nbformat.NotebookNode) -> dict:
    """The cell's ``nbgrader`` metadata (empty for an unmarked cell)."""
    return cell.get("metadata", {}).get("nbgrader", {})


def is_test_cell(cell: nbformat.NotebookNode) -> bool:
    """Whether the cell is an autograded test cell: graded, and not a solution cell."""
    m = meta(cell)
    return bool(m.get("grade")) and not m.get("solution")


def parse_cell(source: str) -> ast.Module | None:
    """A code cell as a Python AST, IPython syntax (``%magic``, ``!shell``) translated first;
    None when it is not valid Python (it would not run either)."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        source = TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 - IPython could not transform it: parse it as it is
        pass
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


def grade_cells(nb: nbformat.NotebookNode) -> dict[str, float]:
    """``{grade_id: points}`` of the autograded test cells, in notebook order."""
    return {
        meta(c)["grade_id"]: float(meta(c).get("points", 0)) for c in nb.cells if is_test_cell(c)
    }


@dataclass(frozen=True)
class Exercise:
    """One solution cell and the test cells that grade it."""

    grade_id: str
    tests: tuple[str, ...]
    points: float


def exercises(nb: nbformat.NotebookNode) -> list[Exercise]:
    """The notebook's exercises in order: each solution cell with the test cells after it.

    Test cells before the first solution cell grade nothing a student writes and belong to no
    exercise.
    """
    found: list[tuple[str, list[tuple[str, float]]]] = []
    for cell in nb.cells:
        m = meta(cell)
        if m.get("solution") and cell.cell_type == "code":
            found.append((m["grade_id"], []))
        elif is_test_cell(cell) and found:
            found[-1][1].append((m["grade_id"], float(m.get("points", 0))))
    return [
        Exercise(gid, tuple(t for t, _ in tests), sum(p for _, p in tests)) for gid, tests in found
    ]


def _cells_by_id(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    return {meta(c)["grade_id"]: c for c in nb.cells if "grade_id" in meta(c)}


def fill_solutions(
    release: nbformat.NotebookNode,
    source: nbformat.NotebookNode,
    *,
    skip: tuple[str, ...] = (),
) -> nbformat.NotebookNode:
    """A copy of the release notebook with the source's solution cells pasted in.

    Solution cells whose ``grade_id`` is in ``skip`` keep the release's stub, as a student
    who did not attempt them would leave them.
    """
    nb = copy.deepcopy(release)
    solutions = _cells_by_id(source)
    for cell in nb.cells:
        m = meta(cell)
        if m.get("solution") and m["grade_id"] not in skip:
            cell.source = solutions[m["grade_id"]].source
    return nb


def set_cell_source(nb: nbformat.NotebookNode, grade_id: str, source: str) -> None:
    """Replace the source of the cell ``grade_id`` in place (KeyError if there is none)."""
    cells = _cells_by_id(nb)
    if grade_id not in cells:
        raise KeyError(f"the notebook has no cell with grade_id {grade_id!r}")
    cells[grade_id].source = source


def marked_lines(
    source: str, begins: tuple[str, ...], ends: tuple[str, ...], *, markers: bool = False
) -> tuple[list[str], list[str]]:
    """The stripped non-empty lines inside the regions ``begins[i]`` ... ``ends[i]`` of
    ``source``, and those outside, in order. The marker lines themselves count as inside when
    ``markers`` is true, and are left out otherwise.

    The one reader of nbgrader's ``BEGIN/END SOLUTION`` and ``BEGIN/END HIDDEN TESTS`` regions:
    the release leak check, the feedback scrubber and the tests use it.
    """
    inside_lines, outside, inside = [], [], False
    for line in map(str.strip, source.splitlines()):
        begin = any(b in line for b in begins)
        end = any(e in line for e in ends)
        if begin:
            inside = True
        if line and (inside and (markers or not (begin or end))):
            inside_lines.append(line)
        elif line and not inside:
            outside.append(line)
        if end:
            inside = False
    return inside_lines, outside


def _secret_and_public(source: str) -> tuple[list[str], list[str]]:
    """Stripped non-empty lines inside solution/hidden-test regions, and those outside."""
    return marked_lines(
        source, ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS"), ("END SOLUTION", "END HIDDEN TESTS")
    )


def leaked_lines(source: nbformat.NotebookNode, release: nbformat.NotebookNode) -> list[str]:
    """What of the source's solutions and hidden tests the release gives away.

    Returns the region markers left in the release and every solution or hidden-test line
    found in it, except lines that the source also shows in public (``return result``, say).
    Outputs count too: a release must have none.
    """
    text = "\n".join(c.source for c in release.cells)
    found = [
        f"### {m}"
        for m in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
        if m in text
    ]
    found += [f"outputs in cell {i}" for i, c in enumerate(release.cells) if c.get("outputs")]
    secret, public = _secret_and_public("\n".join(c.source for c in source.cells))
    released = {line.strip() for line in text.splitlines()}
    found += sorted({ln for ln in secret if ln not in public and ln in released})
    return found


def free_names(source: str) -> list[str]:
    """The global names a cell reads but does not bind itself (builtins excluded), in order.

    A self-contained test cell's free names are exactly the student's names it declares (see
    :func:`course.grading.remote.declared_names`): everything else it imports or defines.
    """
    import builtins
    import symtable

    from IPython.core.inputtransformer2 import TransformerManager

    code = TransformerManager().transform_cell(source)
    table = symtable.symtable(code, "<cell>", "exec")
    bound = {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()}
    # ``total += x`` reads ``total`` first: a name only ever augmented is not bound here.
    tree = ast.parse(code)
    augmented = {
        n.target.id
        for n in ast.walk(tree)
        if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name)
    }
    plainly = {
        t.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Assign | ast.AnnAssign | ast.For)
        for t in ast.walk(n.targets[0] if isinstance(n, ast.Assign) else n.target)
        if isinstance(t, ast.Name)
    }
    bound -= augmented - plainly
    found: list[str] = []

    def visit(t):
        for s in t.get_symbols():
            name = s.get_name()
            top = t.get_type() == "module"
            reads = s.is_referenced() and (s.is_global() or top) and not s.is_declared_global()
            if reads and name not in bound and not hasattr(builtins, name) and name not in found:
                found.append(name)
        for child in t.get_children():
            visit(child)

    visit(table)
    found += [n for n in sorted(augmented - plainly) if n not in found and n not in bound]
    return found
