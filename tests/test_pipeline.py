"""The nbgrader pipeline, end to end, for EVERY assignment found in source/.

Assignments are discovered at collection time, so a new ``source/<id>/<id>.ipynb`` is covered
with no change here. Per assignment, one trial (``course.grading.trial``) builds a throwaway
course, generates the release, hands in a synthetic class (the solution, the blank release, and
one submission per exercise with just that exercise left as the stub), autogrades them all in
one nbgrader call and validates the solution. Every test below only reads that trial.

Under ``pytest -n N`` (xdist) the workers share the trials through ``run_once`` (conftest.py),
so each assignment is graded once per session.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from course.grading import (
    REPO_ROOT,
    assignment_ids,
    db_url,
    exercises,
    fill_solutions,
    generate,
    hand_in,
    leaked_lines,
    make_course,
    meta,
    read_notebook,
    run_nbgrader,
    total_scores,
)
from course.grading.trial import VALIDATE_SUCCESS, Trial, run_trial

pytestmark = pytest.mark.slow

SOURCE = REPO_ROOT / "source"
IDS = assignment_ids(SOURCE)
EXERCISES = [
    pytest.param(aid, ex, id=f"{aid}-{ex.grade_id}")
    for aid in IDS
    for ex in exercises(read_notebook(SOURCE / aid / f"{aid}.ipynb"))
]


@pytest.fixture(scope="session")
def trials(shared_dir, run_once):
    """``trial(aid)``: run (once per session, whichever worker comes first) or load a trial."""
    cache: dict[str, Trial] = {}

    def trial(aid: str) -> Trial:
        if aid not in cache:
            text = run_once(
                f"trial-{aid}",
                lambda: run_trial(SOURCE / aid, shared_dir / f"course-{aid}").to_json(),
            )
            cache[aid] = Trial.from_json(text)
        return cache[aid]

    return trial


def _describe(trial: Trial, student: str, want: dict[str, float]) -> list[str]:
    got = trial.scores.get(student)
    if got is None:
        return [f"{student}: no submission in the gradebook (autograde failed?)"]
    return [
        f"{student}: {cell} scored {got[cell].score:g}/{got[cell].max_score:g}, expected {points:g}"
        for cell, points in want.items()
        if cell not in got or got[cell].score != points
    ]


def _max_points(trial: Trial) -> dict[str, float]:
    return {t: s.max_score for t, s in trial.scores["solution"].items()}


@pytest.mark.parametrize("aid", IDS)
def test_source_runs_top_to_bottom_without_error_or_stderr(trials, aid):
    # The graded solution is the source notebook with the student-facing cells as released; it
    # was executed with stderr kept (no IgnorePattern), so any warning shows up here.
    trial = trials(aid)
    nb = read_notebook(trial.notebook("autograded", "solution"))
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


@pytest.mark.parametrize("aid", IDS)
def test_release_has_no_solution_code_and_no_hidden_tests(trials, aid):
    trial = trials(aid)
    source = read_notebook(trial.notebook("source"))
    release = read_notebook(trial.notebook("release"))
    assert any(meta(c).get("solution") for c in release.cells), f"{aid}: no solution cells"
    leaked = leaked_lines(source, release)
    assert not leaked, f"{aid}: the release gives away:\n" + "\n".join(leaked)


@pytest.mark.parametrize("aid", IDS)
def test_solution_earns_full_marks(trials, aid):
    trial = trials(aid)
    full = _max_points(trial)
    assert sum(full.values()) > 0, f"{aid}: no points to earn"
    manual = [t for t, s in trial.scores["solution"].items() if s.needs_manual_grade]
    assert not manual, f"{aid}: cells need manual grading: {manual}"
    problems = _describe(trial, "solution", full)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("aid", IDS)
def test_untouched_release_earns_zero(trials, aid):
    trial = trials(aid)
    problems = _describe(trial, "blank", {t: 0.0 for t in _max_points(trial)})
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("aid", "exercise"), EXERCISES)
def test_one_wrong_exercise_loses_exactly_its_points(trials, aid, exercise):
    trial = trials(aid)
    assert exercise.tests, f"{aid}: exercise {exercise.grade_id} has no test cell after it"
    want = {t: (0.0 if t in exercise.tests else m) for t, m in _max_points(trial).items()}
    problems = _describe(trial, f"wrong_{exercise.grade_id}", want)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("aid", IDS)
def test_nbgrader_validate_passes_on_the_solution(trials, aid):
    output = trials(aid).validate_output
    assert VALIDATE_SUCCESS in output, f"{aid}: nbgrader validate said:\n{output}"


# --- the course configuration itself ----------------------------------------------------------


def test_nbgrader_config_makes_the_repo_root_the_course_directory():
    from traitlets.config.loader import PyFileConfigLoader

    c = PyFileConfigLoader("nbgrader_config.py", path=str(REPO_ROOT)).load_config()
    assert c.CourseDirectory.course_id == "mle-course"
    assert Path(c.CourseDirectory.root) == REPO_ROOT
    assert "db_url" not in c.CourseDirectory  # the default: <root>/gradebook.db
    assert 0 < c.Execute.timeout <= 60
    assert c.IgnorePattern.enabled and re.search(c.IgnorePattern.pattern, "RuntimeWarning: x")
    assert c.OverwriteCells.add_missing_cells is True
    assert "raise NotImplementedError()" in c.ClearSolutions.code_stub["python"]
    feedback = [p.rsplit(".", 1)[-1] for p in c.GenerateFeedback.preprocessors]
    assert feedback.index("ClearHiddenTracebacks") < feedback.index("ClearHiddenTests")


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
        "import warnings\nwarnings.warn('float division', RuntimeWarning)\nassert half(3) == 1.5",
        grade_id="test_half",
        grade=True,
        points=2,
    )
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{folder.name}.ipynb")
    return folder


@pytest.mark.slow
def test_course_config_does_not_zero_a_correct_answer_that_warns(tmp_path):
    # Graded with the course's own settings (no STRICT_CONFIG): the warning on stderr is dropped.
    src = _toy_assignment(tmp_path / "src" / "toy")
    root = make_course(tmp_path / "course", [src])
    release, source = generate(root, "toy")
    hand_in(root, "toy", {"alice": fill_solutions(release, source)})
    run_nbgrader(["autograde", "toy", "--force"], root)
    assert total_scores(db_url(root), "toy") == {"alice": (2.0, 2.0)}
