"""Self-paced learners: `mle-course check`, `progress` and `solution` (course.selfpaced).

A copy of the course with 01 only (source/ and release/) in a temporary folder, so the learner's
progress file of the real checkout is never touched. One learner notebook with exactly the first
two exercises solved is checked once; the tests read that run.
"""

from __future__ import annotations

import hashlib
import shutil

import nbformat
import pytest

from course.cli import main as cli
from course.grading import REPO_ROOT, fill_solutions, read_notebook, write_notebook
from course.grading.submissions import exercises, grade_cells, marked_lines
from course.selfpaced import PROGRESS_FILE, main

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

AID = "01_coin_flips"


def _is_derivation(grade_id: str) -> bool:
    return grade_id.endswith("_steps")  # a list of steps for course.derivations


def _defines(grade_id: str) -> str:
    """How the reference solution of an exercise starts: a function or a derivation's list."""
    return f"{grade_id} = [" if _is_derivation(grade_id) else f"def {grade_id}("


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("selfpaced")
    for top in ("source", "release"):
        shutil.copytree(REPO_ROOT / top / AID, root / top / AID)
    source = read_notebook(root / "source" / AID / f"{AID}.ipynb")
    release = read_notebook(root / "release" / AID / f"{AID}.ipynb")
    exs = exercises(source)
    mine = root / "work" / f"{AID}.ipynb"
    write_notebook(fill_solutions(release, source, skip=tuple(e.grade_id for e in exs[2:])), mine)
    return {"root": root, "notebook": mine, "exercises": exs, "source": source}


class Lines:
    """Collects what a command prints (its ``out``)."""

    def __init__(self):
        self.lines: list[str] = []

    def __call__(self, text: str = "") -> None:
        self.lines.extend(str(text).splitlines() or [""])

    def take(self) -> str:
        text, self.lines = "\n".join(self.lines), []
        return text


def run(command, argv, root):
    lines = Lines()
    code = main(command, argv, root, out=lines)
    return code, lines.take()


@pytest.fixture(scope="module")
def checked(course):
    before = _digest(course["notebook"])
    code, out = run("check", [str(course["notebook"])], course["root"])
    return {"code": code, "out": out, "before": before}


def test_check_gives_exactly_the_points_of_the_solved_exercises(course, checked):
    exs = course["exercises"]
    solved = sum(e.points for e in exs[:2])
    total = sum(grade_cells(course["source"]).values())
    assert checked["code"] == 0
    assert f"{AID}: {solved:g}/{total:g} points" in checked["out"]
    for e in exs[:2]:
        assert f"✓ {e.grade_id}" in checked["out"]
    for e in exs[2:]:
        assert f"✗ {e.grade_id}" in checked["out"]
        if not _is_derivation(e.grade_id):  # a derivation's stub leaves its list undefined
            assert f"{e.grade_id} is not implemented yet" in checked["out"]


def test_check_shows_no_hidden_test_source_and_leaves_the_notebook_alone(course, checked):
    hidden, _ = marked_lines(
        "\n".join(c.source for c in course["source"].cells),
        ("BEGIN HIDDEN TESTS",),
        ("END HIDDEN TESTS",),
    )
    distinctive = [h for h in hidden if len(h) > 20]
    assert distinctive
    assert not [h for h in distinctive if h in checked["out"]]
    assert _digest(course["notebook"]) == checked["before"]
    page = course["notebook"].with_name(f"{AID}.feedback.html")
    assert page.is_file() and "bernoulli_mle" in page.read_text()
    assert (course["root"] / PROGRESS_FILE).is_file()


def test_progress_reflects_the_check(course, checked):
    code, out = run("progress", [], course["root"])
    assert code == 0
    exs = course["exercises"]
    line = next(line for line in out.splitlines() if line.startswith(AID))
    assert f"{sum(e.points for e in exs[:2]):g}/{sum(e.points for e in exs):g}" in line
    assert exs[2].grade_id in line and exs[0].grade_id not in line
    page = course["root"] / "progress.html"
    assert run("progress", ["--html", str(page)], course["root"])[0] == 0
    assert "Your progress" in page.read_text()


def test_solution_waits_for_a_try_then_shows_the_reference(course, checked):
    exs = course["exercises"]
    # exercise 3 was left as the stub: not tried yet
    code, out = run("solution", ["01", exs[2].grade_id], course["root"])
    assert code == 1 and "Try" in out and _defines(exs[2].grade_id) not in out
    code, shown = run("solution", ["01", exs[2].grade_id, "--anyway"], course["root"])
    assert code == 0
    assert _defines(exs[2].grade_id) in shown and "BEGIN SOLUTION" not in shown
    # exercise 1 was written and checked: shown at once
    code, shown = run("solution", [AID, exs[0].grade_id], course["root"])
    assert code == 0 and _defines(exs[0].grade_id) in shown


@pytest.mark.parametrize("kind", ["missing", "foreign", "corrupt", "no-source", "bad-exercise"])
def test_clear_one_line_errors(course, tmp_path, kind):
    root = course["root"]
    argv = ["check", str(tmp_path / "nothing.ipynb")]
    if kind == "foreign":
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
        write_notebook(nb, tmp_path / "mine.ipynb")
        argv = ["check", str(tmp_path / "mine.ipynb")]
    elif kind == "corrupt":
        (tmp_path / f"{AID}.ipynb").write_text('{"cells": [')
        argv = ["check", str(tmp_path / f"{AID}.ipynb")]
    elif kind == "no-source":
        root = tmp_path / "class-copy"
        shutil.copytree(course["root"] / "release", root / "release")
        argv = ["check"]
    elif kind == "bad-exercise":
        argv = ["solution", "01", "no_such_function"]
    before = {p: _digest(p) for p in tmp_path.rglob("*.ipynb")}
    code, out = run(argv[0], argv[1:], root)
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"mle-course {argv[0]}: "), out
    assert "Traceback" not in out
    assert code == (0 if kind == "no-source" else 2)
    assert {p: _digest(p) for p in tmp_path.rglob("*.ipynb")} == before


def test_the_commands_are_on_the_mle_course_command_line(capsys):
    assert cli(["--help"]) == 0
    assert "mle-course check" in capsys.readouterr().out
