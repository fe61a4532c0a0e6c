"""`make demo`: the sample class gets exactly the predicted scores, cell by cell.

The predictions come from the points in source/01_coin_flips and from which exercises each
sample student gets wrong (course.demo.CLASS), never from hard-coded totals.
"""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import pytest

from course.demo import ASSIGNMENT, CLASS, TIME_LIMIT, expected_scores, run_demo
from course.grading import cell_scores, db_url, exercises, is_test_cell, read_notebook
from course.grading.remote import WALL_FACTOR

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(shared_dir, run_once):
    """The demo's result, run once per session even under xdist (workers share it)."""
    text = run_once(
        "demo", lambda: json.dumps(run_demo(shared_dir / "demo", quiet=True), default=str)
    )
    result = json.loads(text)
    result["root"] = Path(result["root"])
    result["feedback"] = {s: Path(p) for s, p in result["feedback"].items()}
    for key in ("grades", "expected"):
        result[key] = {s: tuple(v) for s, v in result[key].items()}
    return result


def _autograded(demo, student):
    return read_notebook(demo["root"] / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")


def test_every_student_gets_exactly_the_predicted_score(demo):
    source = read_notebook(demo["root"] / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    assert demo["expected"] == expected_scores(source)
    assert set(demo["grades"]) == {s.id for s in CLASS}
    for s in CLASS:
        assert demo["grades"][s.id] == demo["expected"][s.id], s.id


def test_each_lost_exercise_is_exactly_the_predicted_one(demo):
    source = read_notebook(demo["root"] / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    exs = exercises(source)
    scores = cell_scores(db_url(demo["root"]), ASSIGNMENT)
    for s in CLASS:
        lost = s.loses(exs)
        for ex in exs:
            for test in ex.tests:
                got = scores[s.id][test]
                want = 0.0 if ex.grade_id in lost else got.max_score
                assert got.score == want, f"{s.id}: {test} scored {got.score:g}, expected {want:g}"


def test_the_csv_export_has_one_row_per_student(demo):
    with open(demo["root"] / "grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert sorted(r["student_id"] for r in rows) == sorted(s.id for s in CLASS)
    assert {r["assignment"] for r in rows} == {ASSIGNMENT}


def test_the_edited_test_cell_was_restored(demo):
    nb = _autograded(demo, "tamperer")
    cell = next(
        c
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == "test_bernoulli_log_likelihood"
    )
    assert cell.source.strip() != "pass"
    assert "check(" in cell.source


def test_the_endless_cell_was_cut_by_the_timeout_and_grading_went_on(demo):
    nb = _autograded(demo, "looper")
    # Its test cell (run in the grader) and the two later cells of its own that call the
    # function (run in the kernel): each stopped by the time limit, saying so. (Its computing
    # time, as a rule; on a machine so loaded that the loop gets under a quarter of a core, the
    # clock's limit of four times as long comes first. tests/test_sandbox.py and
    # tests/test_remote.py show each limit on its own.)
    clock = WALL_FACTOR * TIME_LIMIT
    limit = re.compile(rf"more than {TIME_LIMIT} s of computing time|ran for more than {clock:g} s")
    cut = [
        c
        for c in nb.cells
        if any(
            o.output_type == "error" and o.ename == "CellTimeoutError" and limit.search(o.evalue)
            for o in c.get("outputs", [])
        )
    ]
    assert len(cut) == 3, [
        [(o.ename, o.get("evalue", "")[:80]) for o in c.get("outputs", [])]
        for c in nb.cells
        if any(o.output_type == "error" for o in c.get("outputs", []))
    ]
    assert sum(is_test_cell(c) for c in cut) == 1
    last = nb.cells[-1] if nb.cells[-1].cell_type == "code" else None
    executed = [c for c in nb.cells if c.cell_type == "code" and c.get("execution_count")]
    assert executed and (last is None or last.get("execution_count"))


def test_the_mlelib_shortcut_is_named_in_the_message(demo):
    nb = _autograded(demo, "mlelib_user")
    cell = next(
        c
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == "test_bernoulli_mle"
    )
    # the message the student reads: the error's lines (the check's "raised:" line names it)
    text = " ".join(
        " ".join([str(o.get("evalue", "")), str(o.get("text", "")), *o.get("traceback", [])])
        for o in cell.outputs
    )
    assert "MlelibNotAvailable" in text and "mlelib.bernoulli_mle" in text, text


def test_feedback_exists_and_gives_no_hidden_test_away(demo):
    source = read_notebook(demo["root"] / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    hidden = []
    for cell in source.cells:
        inside = False
        for line in map(str.strip, cell.source.splitlines()):
            if "BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "END HIDDEN TESTS" in line:
                inside = False
            elif inside and len(line) > 12:  # long enough not to occur by chance
                hidden.append(line)
    assert hidden, "01_coin_flips has no hidden tests to leak"
    public = "\n".join(
        c.source
        for c in read_notebook(demo["root"] / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").cells
    )
    secret = [h for h in hidden if h not in public]
    for s in CLASS:
        # The text a student reads: tags (syntax highlighting splits code into spans) removed.
        text = html.unescape(re.sub(r"<[^>]+>", "", demo["feedback"][s.id].read_text()))
        assert "HIDDEN TESTS" not in text, s.id
        # A hidden line the student wrote themselves (e.g. `import mlelib`) is theirs to see.
        own = "\n".join(
            c.source
            for c in read_notebook(
                demo["root"] / "submitted" / s.id / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
            ).cells
        )
        leaked = [h for h in secret if h in text and h not in own]
        assert not leaked, f"{s.id}'s feedback shows hidden test lines: {leaked[:3]}"


def test_the_integrity_report_names_exactly_the_cheats(demo):
    flagged = {f["student"] for f in demo["integrity"]}
    assert flagged == {s.id for s in CLASS if s.flagged}
    kinds = {(f["student"], f["kind"]) for f in demo["integrity"]}
    assert ("tamperer", "test-cell-edited") in kinds
    assert ("looper", "timeout") in kinds
    assert ("mlelib_user", "mlelib") in kinds
    report = demo["root"] / "reports" / ASSIGNMENT / "integrity.csv"
    with open(report, newline="") as f:
        assert {r["student"] for r in csv.DictReader(f)} == flagged
