"""The same test cells, interactively: in the student's own kernel, as in JupyterLab.

During autograde a test cell runs in the grader (course.grading.remote); in the student's own
notebook the very same cell runs in their kernel, with their functions and the real course
helpers. No test cell is written twice, so the visible tests of every release notebook are run
here in a plain kernel with the instructor's solutions pasted in (they must all pass), and with
each exercise's stub (its own test cell must fail, saying what to do, and no other).

The run with the solutions is nbgrader's own ``validate`` (what the student's Validate button
and ``nbgrader validate`` do), with the course's configuration: it must say the notebook passes,
and the notebook it executed must show every test cell's ✓.
"""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient
from nbgrader.validator import Validator

from course.grading import (
    REPO_ROOT,
    assignment_ids,
    course_config,
    fill_solutions,
    is_test_cell,
    meta,
    source_notebook,
)
from course.grading.submissions import exercises, read_notebook, write_notebook

pytestmark = pytest.mark.slow

IDS = assignment_ids(REPO_ROOT / "source")


class _Validator(Validator):
    """nbgrader's validator, keeping the notebook it executed."""

    executed: nbformat.NotebookNode | None = None

    def _preprocess(self, nb):
        self.executed = super()._preprocess(nb)
        return self.executed


def _run(nb) -> nbformat.NotebookNode:
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True).execute()
    return nb


def _errors(nb) -> dict[str, str]:
    return {
        meta(c).get("grade_id", f"cell {i}"): "\n".join(
            f"{o.ename}: {o.evalue}" for o in c.outputs if o.output_type == "error"
        )
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and any(o.output_type == "error" for o in c.outputs)
    }


@pytest.mark.parametrize("aid", IDS)
def test_nbgrader_validate_passes_the_solution_and_every_visible_test_prints_its_tick(
    aid, tmp_path
):
    source = source_notebook(aid)
    release = read_notebook(REPO_ROOT / "release" / aid / f"{aid}.ipynb")
    path = tmp_path / f"{aid}.ipynb"
    write_notebook(fill_solutions(release, source), path)
    config = course_config()
    validator = _Validator(config=config)
    results = validator.validate(str(path))
    assert results == {}, f"{aid}: nbgrader validate found {results}"  # "Success! ..."
    nb = validator.executed
    assert _errors(nb) == {}
    for cell in nb.cells:
        if is_test_cell(cell):
            text = "".join(o.get("text", "") for o in cell.outputs)
            assert "✓" in text, (meta(cell)["grade_id"], text)


def test_a_stub_fails_only_its_own_visible_test_and_says_why():
    aid = "01_coin_flips"
    source = source_notebook(aid)
    release = read_notebook(REPO_ROOT / "release" / aid / f"{aid}.ipynb")
    ex = next(e for e in exercises(source) if e.grade_id == "bernoulli_mle")
    nb = _run(fill_solutions(release, source, skip=(ex.grade_id,)))
    errors = _errors(nb)
    failed_tests = {gid for gid in errors if gid.startswith("test_")}
    assert failed_tests == set(ex.tests), errors
    assert "bernoulli_mle is not implemented yet" in errors[ex.tests[0]]
