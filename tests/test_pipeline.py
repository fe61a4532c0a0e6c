"""The nbgrader pipeline, end to end, for EVERY assignment found in source/.

Assignments are discovered at collection time, so a new ``source/<id>/<id>.ipynb`` is covered
with no change here. One trial (``course.grading.trial``) builds a throwaway course with every
assignment, generates the releases, hands in a synthetic class per assignment (the solution,
the blank release, and a few students who each leave a set of exercises as the stub, chosen so
that every exercise is shown to cost exactly its own points) and autogrades them all. Every
test below only reads that trial. (``nbgrader validate`` of every solution is in
tests/test_checks_kernel.py, which runs the same notebook in the student's plain kernel.)

Under ``pytest -n N`` (xdist) the workers share the trial through ``run_once`` (conftest.py),
so the course is graded once per session.
"""

from __future__ import annotations

import ast
import contextlib
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course.grading import (
    REPO_ROOT,
    NbgraderError,
    assignment_ids,
    course_config,
    db_url,
    exercises,
    fill_solutions,
    generate,
    hand_in,
    leaked_lines,
    make_course,
    meta,
    nbgrader_command,
    read_notebook,
    run_nbgrader,
    total_scores,
)
from course.grading.trial import Trial, run_trial, stub_sets

# The trial's tests: they run nbgrader, and the graded kernels run in the bubblewrap sandbox.
GRADED = [pytest.mark.slow, pytest.mark.sandbox]


def graded(test):
    """Mark a test of the trial with GRADED (it stays out of `make check`)."""
    for mark in GRADED:
        test = mark(test)
    return test


SOURCE = REPO_ROOT / "source"
IDS = assignment_ids(SOURCE)
EXERCISES = [
    pytest.param(aid, ex, id=f"{aid}-{ex.grade_id}", marks=GRADED)
    for aid in IDS
    for ex in exercises(read_notebook(SOURCE / aid / f"{aid}.ipynb"))
]


@pytest.fixture(scope="session")
def trial(shared_dir, run_once, bwrap) -> Trial:
    """The trial of every assignment: run once per session (whichever worker asks first)."""
    return Trial.from_json(
        run_once("pipeline-trial", lambda: run_trial(SOURCE, shared_dir / "course").to_json())
    )


def _describe(trial: Trial, aid: str, student: str, want: dict[str, float]) -> list[str]:
    got = trial.scores[aid].get(student)
    if got is None:
        return [f"{aid}/{student}: no submission in the gradebook (autograde failed?)"]
    return [
        f"{aid}/{student}: {cell} scored {got[cell].score:g}/{got[cell].max_score:g}, "
        f"expected {points:g}"
        for cell, points in want.items()
        if cell not in got or got[cell].score != points
    ]


def _max_points(trial: Trial, aid: str) -> dict[str, float]:
    return {t: s.max_score for t, s in trial.scores[aid]["solution"].items()}


@graded
@pytest.mark.parametrize("aid", IDS)
def test_source_runs_top_to_bottom_without_error_or_stderr(trial, aid):
    # The graded solution is the source notebook with the student-facing cells as released; it
    # was executed with stderr kept (no IgnorePattern), so any warning shows up here.
    nb = read_notebook(trial.notebook("autograded", aid, "solution"))
    problems = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                problems.append(f"cell {i}: {out.ename}: {out.evalue}")
            elif out.output_type == "stream" and out.name == "stderr":
                problems.append(f"cell {i} wrote to stderr: {out.text.strip()[:300]}")
    unexecuted = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and c.source.strip() and c.get("execution_count") is None
    ]
    assert not unexecuted, f"{aid}: cells never executed: {unexecuted}"
    assert not problems, f"{aid}:\n" + "\n".join(problems)


@graded
@pytest.mark.parametrize("aid", IDS)
def test_release_has_no_solution_code_and_no_hidden_tests(trial, aid):
    source = read_notebook(trial.notebook("source", aid))
    release = read_notebook(trial.notebook("release", aid))
    assert any(meta(c).get("solution") for c in release.cells), f"{aid}: no solution cells"
    leaked = leaked_lines(source, release)
    assert not leaked, f"{aid}: the release gives away:\n" + "\n".join(leaked)


@graded
@pytest.mark.parametrize("aid", IDS)
def test_solution_earns_full_marks(trial, aid):
    full = _max_points(trial, aid)
    assert sum(full.values()) > 0, f"{aid}: no points to earn"
    manual = [t for t, s in trial.scores[aid]["solution"].items() if s.needs_manual_grade]
    assert not manual, f"{aid}: cells need manual grading: {manual}"
    problems = _describe(trial, aid, "solution", full)
    assert not problems, "\n".join(problems)


@graded
@pytest.mark.parametrize("aid", IDS)
def test_untouched_release_earns_zero(trial, aid):
    problems = _describe(trial, aid, "blank", {t: 0.0 for t in _max_points(trial, aid)})
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("aid", "exercise"), EXERCISES)
def test_one_wrong_exercise_loses_exactly_its_points(trial, aid, exercise):
    # Each wrong student left a set of exercises as the stub (course.grading.trial explains
    # why a few such students prove what one student per exercise would): every student who
    # stubbed this exercise must lose all its points and keep every point of the exercises
    # they did not stub, and every graded cell after this exercise must have been graded with
    # this exercise stubbed and its own exercise not.
    assert exercise.tests, f"{aid}: exercise {exercise.grade_id} has no test cell after it"
    full = _max_points(trial, aid)
    owner = {t: ex.grade_id for ex in trial.exercises[aid] for t in ex.tests}
    students = {s: set(g) for s, g in trial.stubbed[aid].items() if exercise.grade_id in g}
    assert students, f"{aid}: no student left {exercise.grade_id} as the stub"
    problems = []
    for student, stubbed in students.items():
        want = {t: (0.0 if owner.get(t) in stubbed else m) for t, m in full.items()}
        problems += _describe(trial, aid, student, want)
    assert not problems, f"{aid}: with {exercise.grade_id} stubbed:\n" + "\n".join(problems)

    in_order = [t for ex in trial.exercises[aid] for t in ex.tests]
    later = in_order[in_order.index(exercise.tests[-1]) + 1 :]
    unproven = [t for t in later if all(owner[t] in stubbed for stubbed in students.values())]
    assert not unproven, (
        f"{aid}: no student stubbed {exercise.grade_id} but not the exercise of {unproven}"
    )


@pytest.mark.parametrize("n", range(16))
def test_stub_sets_cover_every_exercise_and_every_later_one(n):
    sets = stub_sets(n)
    assert len(sets) == n.bit_length()  # k students for up to 2**k - 1 exercises
    assert all(sets) or n == 0
    assert sorted({i for s in sets for i in s}) == list(range(n))  # every exercise stubbed
    for i in range(n):
        for j in range(i + 1, n):
            assert any(i in s and j not in s for s in sets), f"n={n}: {i} never without {j}"


def test_stub_sets_refuses_a_negative_count():
    with pytest.raises(ValueError, match="n must be"):
        stub_sets(-1)


# --- the course configuration itself ----------------------------------------------------------


def test_nbgrader_config_makes_the_repo_root_the_course_directory():
    c = course_config()
    assert c.CourseDirectory.course_id == "mle-course"
    assert Path(c.CourseDirectory.root) == REPO_ROOT
    assert "db_url" not in c.CourseDirectory  # the default: <root>/gradebook.db
    assert 0 < c.Execute.timeout <= 60
    assert c.IgnorePattern.enabled and re.search(c.IgnorePattern.pattern, "RuntimeWarning: x")
    assert c.OverwriteCells.add_missing_cells is True
    assert "raise NotImplementedError()" in c.ClearSolutions.code_stub["python"]
    feedback = [p.rsplit(".", 1)[-1] for p in c.GenerateFeedback.preprocessors]
    assert feedback.index("ClearHiddenTracebacks") < feedback.index("ClearHiddenTests")


# What the course's nbgrader launcher (course._nbgrader) leaves out, seen from inside a process
# started the same way: the IRI parsers are never imported, nbformat still validates, and
# jsonschema's other format checks are all there.
_LAUNCHER_PROBE = """
import sys

import course._nbgrader  # noqa: F401 - what `python -m course._nbgrader` runs first
import jsonschema
import nbformat

nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]))
try:
    nbformat.validate({"nbformat": 4, "cells": "not a list"})
except nbformat.ValidationError:
    print("invalid notebook refused")
print(sys.modules.get("rfc3987_syntax"))
print(sorted(jsonschema.FormatChecker.checkers))
"""


def test_the_nbgrader_launcher_skips_only_the_iri_parsers():
    proc = subprocess.run(
        [sys.executable, "-c", _LAUNCHER_PROBE], capture_output=True, text=True, check=True
    )
    refused, module, formats = proc.stdout.splitlines()
    assert refused == "invalid notebook refused"
    assert module == "None"
    checkers = set(ast.literal_eval(formats))
    assert "iri" not in checkers and "iri-reference" not in checkers
    assert {"uri", "uri-reference", "email", "ipv4", "date", "regex"} <= checkers
    assert nbgrader_command()[1:] == ["-m", "course._nbgrader"]


@pytest.mark.slow
def test_the_nbgrader_launcher_is_nbgraders_command_line(tmp_path):
    import nbgrader

    proc = run_nbgrader(["--version"], tmp_path)
    assert proc.stdout.strip().splitlines()[-1] == f"nbgrader version {nbgrader.__version__}"
    with pytest.raises(NbgraderError, match="`nbgrader generate_assignment nope` failed"):
        run_nbgrader(["generate_assignment", "nope"], tmp_path)  # no such assignment


def _alembic_heads() -> str:
    """The head of nbgrader's gradebook schema, from the real ``alembic heads`` command."""
    from nbgrader.dbutil import _temp_alembic_ini

    alembic = Path(sys.executable).with_name("alembic")
    with _temp_alembic_ini("sqlite:////tmp/unused.db") as ini:
        out = subprocess.run([alembic, "-c", ini, "heads"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()[0].split(" ")[0]  # "<revision> (head)", as nbgrader reads it


def test_the_nbgrader_launcher_reads_the_newest_revision_of_the_gradebook_schema():
    # The head, read here from the migration scripts themselves: the one revision that no
    # other revision names as its down_revision. (The slow test below compares the gradebook
    # the launcher makes with the real `alembic heads`.)
    from nbgrader.dbutil import ALEMBIC_DIR

    from course._nbgrader import alembic_head

    revisions, parents = set(), set()
    for script in (Path(ALEMBIC_DIR) / "versions").glob("*.py"):
        for node in ast.parse(script.read_text()).body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                names = {t.id for t in node.targets if isinstance(t, ast.Name)}
                if "revision" in names:
                    revisions.add(node.value.value)
                if "down_revision" in names and node.value.value:
                    parents.add(node.value.value)
    assert len(revisions) >= 6, revisions  # nbgrader 0.9 ships six migrations
    assert [alembic_head()] == sorted(revisions - parents)


@pytest.mark.slow
def test_a_gradebook_made_by_the_launcher_is_stamped_without_alembic_on_path(tmp_path):
    # Plain nbgrader runs `alembic heads` to stamp a new gradebook and fails without alembic on
    # PATH; the launcher asks alembic in its own process, so no such PATH is needed.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    proc = subprocess.run(
        [*nbgrader_command(), "db", "student", "add", "ada"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    with contextlib.closing(sqlite3.connect(tmp_path / "gradebook.db")) as con:
        stamped = con.execute("select version_num from alembic_version").fetchall()
        students = con.execute("select id from student").fetchall()
    assert stamped == [(_alembic_heads(),)]
    assert students == [("ada",)]


def _toy_assignment(folder: Path) -> Path:
    """A one-exercise assignment whose correct answer makes its test cell warn on stderr."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }

    def cell(source, **grading):
        c = nbformat.v4.new_code_cell(source)
        c.metadata["nbgrader"] = {
            "solution": False,
            "grade": False,
            "locked": True,
            "task": False,
            "schema_version": 3,
            **grading,
        }
        nb.cells.append(c)

    cell(
        "def half(x):\n    ### BEGIN SOLUTION\n    return x / 2\n    ### END SOLUTION",
        grade_id="half",
        solution=True,
        locked=False,
    )
    cell(
        "# your code: half\nimport warnings\n\n"
        "warnings.warn('float division', RuntimeWarning)\nassert half(3) == 1.5",
        grade_id="test_half",
        grade=True,
        points=2,
    )
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{folder.name}.ipynb")
    return folder


@pytest.mark.slow
@pytest.mark.sandbox
def test_course_config_does_not_zero_a_correct_answer_that_warns(tmp_path):
    # Graded with the course's own settings (no STRICT_CONFIG): the warning on stderr is dropped.
    src = _toy_assignment(tmp_path / "src" / "toy")
    root = make_course(tmp_path / "course", [src])
    release, source = generate(root, "toy")
    hand_in(root, "toy", {"alice": fill_solutions(release, source)})
    run_nbgrader(["autograde", "toy", "--force"], root)
    assert total_scores(db_url(root), "toy") == {"alice": (2.0, 2.0)}
