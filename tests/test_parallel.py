"""Parallel autograde gives the grades of a sequential run, and re-grading changes nothing.

One small class of 01_coin_flips is graded twice in one course directory:

1. sequentially, by one plain ``nbgrader autograde 01_coin_flips --force``;
2. in parallel (``course.grading.parallel``, two groups), over the same submissions: a
   re-grade of a graded class, with ``check=True`` so that the broken submission raises.

Both runs must give the same score for every graded cell of every student, the same rows in
``nbgrader export``, and the same set of autograded notebooks. The class has ids with a space
and a quote in them (groups are selected by exact id, not by a glob pattern), and one
submission that is not a notebook at all, which nbgrader fails: the parallel run must name that
student, not swallow the failure, and still grade everybody else.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from course.grading import (
    REPO_ROOT,
    cell_scores,
    db_url,
    exercises,
    fill_solutions,
    generate,
    hand_in,
    make_course,
    run_nbgrader,
)
from course.grading.integrity import integrity_report
from course.grading.parallel import (
    ParallelAutogradeError,
    autograde,
    group_args,
    split_class,
    submitted_students,
    ungradable_students,
)

pytestmark = pytest.mark.slow

AID = "01_coin_flips"


def _export(root: Path, name: str) -> list[tuple[str, ...]]:
    run_nbgrader(["export", "--to", name], root)
    with open(root / name, newline="") as f:
        return sorted(tuple(row) for row in csv.reader(f))


def _graded(root: Path) -> list[str]:
    return sorted(p.parent.parent.name for p in (root / "autograded").glob(f"*/{AID}/{AID}.ipynb"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = make_course(tmp_path_factory.mktemp("parallel") / "course", [REPO_ROOT / "source" / AID])
    release, source = generate(root, AID)
    first = exercises(source)[0].grade_id
    hand_in(
        root,
        AID,
        {
            "ada": fill_solutions(release, source),
            "bob blank": release,
            "o'hara": fill_solutions(release, source, skip=(first,)),
            "zed": fill_solutions(release, source, skip=(exercises(source)[-1].grade_id,)),
        },
    )
    broken = root / "submitted" / "broken" / AID
    shutil.copytree(root / "release" / AID, broken)
    (broken / f"{AID}.ipynb").write_text("this is not a notebook")

    out = {"root": root, "source": source}
    seq = run_nbgrader(["autograde", AID, "--force"], root, check=False)
    out["sequential"] = (cell_scores(db_url(root), AID), _export(root, "seq.csv"), _graded(root))
    out["sequential_stderr"] = seq.stderr

    with pytest.raises(ParallelAutogradeError) as err:
        autograde(root, AID, jobs=2, progress=False)
    out["parallel_error"] = str(err.value)
    out["parallel_result"] = err.value.result
    out["parallel"] = (cell_scores(db_url(root), AID), _export(root, "par.csv"), _graded(root))
    return out


def test_the_class_is_read_from_the_submitted_folders(runs):
    everyone = ["ada", "bob blank", "broken", "o'hara", "zed"]
    assert submitted_students(runs["root"], AID) == everyone
    assert ungradable_students(runs["root"], AID) == []
    assert runs["parallel_result"].students == everyone


def test_groups_partition_the_class_exactly():
    everyone = ["a b", "c", "d,e", "f*", "g"]
    groups = split_class(sorted(everyone), 2)
    assert sorted(s for g in groups for s in g) == sorted(everyone)
    assert len(groups) == 2
    assert split_class(["x"], 4) == [["x"]]
    assert group_args("A", ["f*"], everyone)[-2:] == ["--student", "f[*]"]
    with pytest.raises(ValueError, match="comma"):
        group_args("A", ["a b", "c"], everyone)
    args = group_args("A", ["a b", "g"], ["a b", "c", "f*", "g"])
    assert args[-2:] == ["*", "--CourseDirectory.student_id_exclude=c,f*"]
    with pytest.raises(ValueError, match="jobs"):
        split_class(everyone, 0)


def test_the_sequential_run_graded_everyone_but_the_broken_submission(runs):
    scores, _, graded = runs["sequential"]
    assert graded == ["ada", "bob blank", "o'hara", "zed"]
    total = sum(ex.points for ex in exercises(runs["source"]))
    assert sum(c.score for c in scores["ada"].values()) == total
    assert sum(c.score for c in scores["bob blank"].values()) == 0
    assert "for student 'broken'" in runs["sequential_stderr"]


def test_parallel_regrading_gives_the_same_cell_scores_as_sequential(runs):
    # The parallel run re-grades (--force) the class the sequential run graded.
    seq, par = runs["sequential"][0], runs["parallel"][0]
    assert set(par) == set(seq)
    for student in seq:
        assert par[student] == seq[student], student


def test_parallel_regrading_gives_the_same_export_rows_and_notebooks(runs):
    assert runs["parallel"][1] == runs["sequential"][1]
    assert runs["parallel"][2] == runs["sequential"][2]


def test_a_failing_submission_is_reported_not_swallowed(runs):
    result = runs["parallel_result"]
    assert result.failed == ["broken"]
    bad = [g for g in result.groups if not g.ok]
    assert len(bad) == 1 and "broken" in bad[0].students and bad[0].returncode != 0
    assert all(g.ok for g in result.groups if "broken" not in g.students)
    assert "broken" in runs["parallel_error"]
    assert "exited with" in runs["parallel_error"]
    # Why it failed, whatever was graded after it: nbgrader's traceback for that notebook.
    why = runs["parallel_error"].split("--- why:\n", 1)[1].split("--- log tail:", 1)[0]
    assert "/broken/" in why.splitlines()[0] and "Traceback" in why


def test_the_integrity_report_of_the_graded_class_names_only_the_broken_submission(runs):
    findings = integrity_report(runs["root"], AID)
    assert [(f.student, f.kind) for f in findings] == [("broken", "unreadable")]


def test_the_cli_names_what_is_missing(capsys):
    from course.cli import main as cli

    assert cli(["autograde", "no_such_assignment"]) == 2
    assert "no gradable submissions of 'no_such_assignment'" in capsys.readouterr().err
    assert cli(["integrity", "no_such_assignment"]) == 2
    assert "generate_assignment" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli(["autograde", "no_such_assignment", "--jobs", "0"])
    assert "--jobs must be at least 1" in capsys.readouterr().err
