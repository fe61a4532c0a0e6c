"""The integrity report: it names hostile submissions and is silent on honest ones.

No nbgrader run here: submissions are built from the release notebooks in ``release/`` and the
solutions in ``source/``, and autograded notebooks are stood in for by copies carrying the
outputs the tests would print. The demo test (tests/test_demo.py) and the parallel test check
the report on really autograded notebooks.
"""

from __future__ import annotations

import copy
import csv

import nbformat
import pytest

from course.grading import (
    REPO_ROOT,
    assignment_ids,
    fill_solutions,
    meta,
    read_notebook,
    write_notebook,
)
from course.grading.integrity import (
    Finding,
    format_findings,
    integrity_report,
    scan_code,
    scan_notebook,
    write_report,
)
from course.grading.submissions import is_test_cell

IDS = assignment_ids(REPO_ROOT / "source")


def _pair(aid: str):
    source = read_notebook(REPO_ROOT / "source" / aid / f"{aid}.ipynb")
    release = read_notebook(REPO_ROOT / "release" / aid / f"{aid}.ipynb")
    return source, release


@pytest.mark.parametrize("aid", IDS)
def test_the_solution_handed_in_has_no_findings(aid):
    source, release = _pair(aid)
    submitted = fill_solutions(release, source)
    found = scan_notebook("ada", aid, submitted, release, autograded=copy.deepcopy(submitted))
    assert found == [], format_findings(found)


@pytest.mark.parametrize("aid", IDS)
def test_every_solution_cell_scans_clean(aid):
    source, _ = _pair(aid)
    for cell in source.cells:
        if meta(cell).get("solution") and cell.cell_type == "code":
            assert scan_code(cell.source) == [], (aid, meta(cell)["grade_id"])


HOSTILE = {
    "check = lambda *a, **k: print('✓ all cases passed')": "helper-rebound",
    "def case(*args, **kwargs):\n    return None": "helper-rebound",
    "np.isclose = lambda *a, **k: True": "patched",
    "import numpy\nnumpy.testing.assert_allclose = print": "patched",
    "import builtins\nbuiltins.abs = lambda x: 0": "patched",
    "from course import _guard": "patched",
    "get_ipython().input_transformers_post.append(lambda lines: lines)": "hook",
    "ip = get_ipython()\nip.ast_transformers.clear()": "hook",
    "get_ipython().events.register('post_run_cell', print)": "hook",
    "import sys\nsys.setprofile(None)": "hook",
    "open('../../../source/01_coin_flips/01_coin_flips.ipynb').read()": "outside-folder",
    "from pathlib import Path\nPath('/etc/passwd').read_text()": "outside-folder",
    "import sqlite3\nsqlite3.connect('gradebook.db')": "outside-folder",
    "import socket\nsocket.create_connection(('example.org', 80))": "outside-folder",
    "import subprocess\nsubprocess.run(['ls', '..'])": "outside-folder",
    "import os\nos.system('cat ~/.ssh/id_rsa')": "outside-folder",
    "import os\nos._exit(0)": "outside-folder",
    "!ls /": "outside-folder",
    "import mlelib as helpers": "mlelib",
    "print(_ih)": "history",
    "print(In[-2])": "history",
    "x = _i3": "history",
    "get_ipython().history_manager.get_range()": "history",
    "from mlelib.bernoulli import bernoulli_mle": "mlelib",
    "m = __import__('mlelib')": "mlelib",
    "class Yes(float):\n    def __eq__(self, other):\n        return True": "lying-object",
    "class Any:\n    def __eq__(self, other):\n        return True": "lying-object",
    "exec('x = 1')": "dynamic-code",
}


@pytest.mark.parametrize("code, kind", HOSTILE.items(), ids=range(len(HOSTILE)))
def test_the_static_scan_names_each_kind_of_tampering(code, kind):
    found = scan_code(code)
    assert kind in {k for k, _ in found}, found
    assert all(d.startswith("line ") for _, d in found)


def test_the_scan_tolerates_code_that_does_not_parse():
    assert scan_code("def f(:\n    pass") == []


def _solution_cell(nb):
    return next(c for c in nb.cells if meta(c).get("solution") and c.cell_type == "code")


def _test_cell(nb, index=0):
    return [c for c in nb.cells if is_test_cell(c)][index]


def test_edited_and_deleted_test_cells_are_found():
    aid = "01_coin_flips"
    source, release = _pair(aid)
    submitted = fill_solutions(release, source)
    edited = _test_cell(submitted, 0)
    edited.source = "pass"
    deleted = _test_cell(submitted, 1)
    submitted.cells.remove(deleted)
    locked = next(c for c in submitted.cells if meta(c).get("locked") and c.cell_type == "code")
    locked.source += "\nnp.isclose = lambda *a, **k: True"
    found = scan_notebook("dan", aid, submitted, release, autograded=submitted)
    by_kind = {f.kind: f for f in found}
    assert by_kind["test-cell-edited"].cell == meta(edited)["grade_id"]
    assert "pass" in by_kind["test-cell-edited"].detail
    assert by_kind["test-cell-deleted"].cell == meta(deleted)["grade_id"]
    assert by_kind["locked-cell-edited"].cell == meta(locked)["grade_id"]
    assert by_kind["patched"].cell == meta(locked)["grade_id"]


def test_grading_records_timeouts_and_os_errors_in_the_graded_notebook_are_found():
    # What grading saw is carried as data in the cell metadata (kinds, not sentences), and
    # an OS error or a time limit shows in the error output's name.
    aid = "01_coin_flips"
    source, release = _pair(aid)
    submitted = fill_solutions(release, source)
    graded = copy.deepcopy(submitted)
    cells = [_test_cell(graded, i) for i in range(4)]

    def error(ename, evalue):
        return nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[])

    cells[0].metadata["mle_integrity"] = [{"kind": "not-plain", "detail": "a Liar object"}]
    cells[1].metadata["mle_integrity"] = [{"kind": "mlelib", "detail": "f called mlelib"}]
    cells[2].outputs = [error("PermissionError", "[Errno 13] Permission denied: '/work'")]
    cells[3].outputs = [error("CellTimeoutError", "A cell timed out while it was being executed")]
    cells[3].metadata["mle_integrity"] = [{"kind": "network", "detail": "socket.connect"}]
    found = scan_notebook("eve", aid, submitted, release, autograded=graded)
    got = {(f.cell, f.kind) for f in found}
    ids = [meta(c)["grade_id"] for c in cells]
    assert (ids[0], "not-plain") in got
    assert (ids[1], "mlelib") in got
    assert (ids[2], "outside-folder") in got
    assert (ids[3], "timeout") in got
    assert (ids[3], "network") in got
    assert "called mlelib" in next(f for f in found if f.kind == "mlelib").detail


def test_a_failing_check_alone_is_not_a_finding():
    # A wrong answer is not tampering: the report reads kinds from the metadata, never the
    # wording of a check's message.
    aid = "01_coin_flips"
    source, release = _pair(aid)
    submitted = fill_solutions(release, source)
    graded = copy.deepcopy(submitted)
    _test_cell(graded, 0).outputs = [
        nbformat.v4.new_output(
            "error",
            ename="CheckFailure",
            evalue="bernoulli_mle: not graded, because it hands the work to the reference library",
            traceback=["CheckFailure: bernoulli_mle failed on case 1 of 4"],
        )
    ]
    assert scan_notebook("ada", aid, submitted, release, autograded=graded) == []


def test_a_submission_without_a_graded_notebook_is_reported():
    aid = "01_coin_flips"
    source, release = _pair(aid)
    found = scan_notebook("fay", aid, fill_solutions(release, source), release, autograded=None)
    assert [f.kind for f in found] == ["not-graded"]


def test_the_report_files_of_a_course_directory(tmp_path):
    aid = "01_coin_flips"
    source, release = _pair(aid)
    root = tmp_path / "course"
    write_notebook(release, root / "release" / aid / f"{aid}.ipynb")
    honest = fill_solutions(release, source)
    cheat = fill_solutions(release, source)
    _solution_cell(cheat).source = "import mlelib\n" + _solution_cell(cheat).source
    for student, nb in [("ada", honest), ("finn", cheat)]:
        for step in ("submitted", "autograded"):
            write_notebook(nb, root / step / student / aid / f"{aid}.ipynb")
    findings = integrity_report(root, aid)
    assert {f.student for f in findings} == {"finn"}
    assert {f.kind for f in findings} == {"mlelib"}
    csv_path, md_path = write_report(root, aid, findings)
    assert csv_path == root / "reports" / aid / "integrity.csv"
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert [Finding(**r) for r in rows] == findings
    assert "finn" in md_path.read_text() and "ada" not in md_path.read_text()
    text = format_findings(findings, ["ada", "finn"])
    assert "ada: nothing found" in text and "finn: 1 finding(s)" in text


def test_a_missing_release_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="generate_assignment"):
        integrity_report(tmp_path, "01_coin_flips")


def test_derivation_steps_worked_out_by_sympy_are_noted():
    aid = "01_coin_flips"
    source, release = _pair(aid)
    submitted = fill_solutions(release, source)
    cell = nbformat.v4.new_code_cell(
        "import sympy as sp\nscore_steps = [sp.diff(k * sp.log(t), t)]\n"
    )
    cell.metadata["nbgrader"] = {
        "solution": True,
        "grade": False,
        "grade_id": "score_steps",
        "locked": False,
    }
    submitted.cells.append(cell)
    found = scan_notebook("dee", aid, submitted, release, autograded=submitted)
    notes = [f for f in found if f.kind == "derivation-sympy"]
    assert notes and notes[0].cell == "score_steps" and "diff" in notes[0].detail


def test_an_honest_variable_named_like_a_helper_is_not_a_finding():
    assert scan_code("check, case = 'done', 3\nexpected = 0.75\nm = 2") == []
