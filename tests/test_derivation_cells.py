"""The derivation exercises as the notebooks grade them, and the points they add.

Each exercise of ``course.derivations.exercises`` is graded in exactly one notebook by a test
cell ``check_derivation(exercises.<name>, <name>_steps)``. Its solution is run here the way a
student's kernel would run it (the notebook's own setup cells, then the solution cell, in a
fresh namespace) and checked twice: with the SymPy objects, and with the srepr text that
crosses to the grader. The README's course table must promise the points the notebooks grade.
"""

from __future__ import annotations

import contextlib
import io
import re

import pytest

from course.derivations import check_derivation, to_wire
from course.derivations import exercises as X
from course.grading import REPO_ROOT, assignment_ids, is_test_cell, meta, read_notebook
from course.grading.remote import declared_names
from course.grading.submissions import free_names

IDS = assignment_ids(REPO_ROOT / "source")
NOTEBOOKS = {aid: read_notebook(REPO_ROOT / "source" / aid / f"{aid}.ipynb") for aid in IDS}
CALL = re.compile(r"^check_derivation\(exercises\.(\w+), (\w+)\)$", re.M)


def _derivation_cells() -> dict[str, tuple[str, int]]:
    """``exercise name -> (assignment id, index of its test cell)``."""
    found: dict[str, list[tuple[str, int]]] = {}
    for aid, nb in NOTEBOOKS.items():
        for i, cell in enumerate(nb.cells):
            if is_test_cell(cell):
                for name, _ in CALL.findall(cell.source):
                    found.setdefault(name, []).append((aid, i))
    assert all(len(v) == 1 for v in found.values()), f"graded more than once: {found}"
    return {name: places[0] for name, places in found.items()}


CELLS = _derivation_cells()


def test_every_derivation_exercise_is_graded_in_one_notebook():
    assert sorted(CELLS) == sorted(ex.name for ex in X.ALL)


def _setup_namespace(nb, upto: int) -> dict:
    """Run the notebook's derivation setup cells before ``upto`` (locked, ungraded code cells
    that import from course.derivations), as the student's kernel would."""
    namespace: dict = {}
    for cell in nb.cells[:upto]:
        m = meta(cell)
        if (
            cell.cell_type == "code"
            and m.get("grade_id", "").startswith("setup_")
            and "course.derivations" in cell.source
        ):
            exec(compile(cell.source, m["grade_id"], "exec"), namespace)  # noqa: S102
    return namespace


@pytest.mark.parametrize("form", ["objects", "wire"])
@pytest.mark.parametrize("name", sorted(CELLS))
def test_the_notebook_solution_passes_in_the_kernel_and_on_the_wire(name, form):
    aid, index = CELLS[name]
    nb = NOTEBOOKS[aid]
    test = nb.cells[index]
    ((exercise, steps_name),) = CALL.findall(test.source)
    assert exercise == name and steps_name == f"{name}_steps"
    assert declared_names(test.source) == [steps_name]
    assert meta(test)["grade_id"] == f"test_{steps_name}"
    assert meta(test)["points"] in (1, 2), "1 point per derivation, 2 for a long one"

    solution = next(c for c in nb.cells[:index] if meta(c).get("grade_id") == steps_name)
    assert meta(solution)["solution"] and not meta(solution)["locked"]
    assert "### BEGIN SOLUTION\n" + steps_name + " = [" in solution.source, (
        "the solution region must be the whole assignment, so the release stub replaces it"
    )
    namespace = _setup_namespace(nb, index)
    missing = [n for n in free_names(solution.source) if n not in namespace]
    assert not missing, f"{aid}: the solution of {name} reads {missing}, which no setup cell gives"
    exec(compile(solution.source, steps_name, "exec"), namespace)  # noqa: S102
    steps = namespace[steps_name]
    ex = getattr(X, name)
    with contextlib.redirect_stdout(io.StringIO()) as out:
        check_derivation(ex, steps if form == "objects" else to_wire(steps))
    assert out.getvalue().startswith(f"✓ {name}: "), out.getvalue()


def test_a_derivation_setup_cell_is_locked_and_ungraded():
    setups = [
        (aid, meta(c))
        for aid, nb in NOTEBOOKS.items()
        for c in nb.cells
        if meta(c).get("grade_id", "").startswith("setup_") and "course.derivations" in c.source
    ]
    assert len(setups) >= len(set(aid for aid, _ in CELLS.values()))
    bad = [(aid, m["grade_id"]) for aid, m in setups if not m["locked"] or m["grade"]]
    assert not bad, bad


# -- the README's course table -----------------------------------------------------------------
README_ROW = re.compile(r"^\| (\d\d) \| `(\w+)` \| .+ \| (\d+) \|$", re.M)
README_TOTAL = re.compile(r"^\| \| \*\*total\*\* \| \| \*\*(\d+)\*\* \|$", re.M)


def _graded_points(nb) -> int:
    return sum(int(meta(c)["points"]) for c in nb.cells if is_test_cell(c))


def test_the_readme_table_promises_the_points_each_notebook_grades():
    text = (REPO_ROOT / "README.md").read_text()
    rows = {aid: int(points) for _, aid, points in README_ROW.findall(text)}
    graded = {aid: _graded_points(nb) for aid, nb in NOTEBOOKS.items()}
    assert rows == graded
    assert README_TOTAL.findall(text) == [str(sum(graded.values()))]
