"""A trial run of the course: one throwaway course and one synthetic class, graded once.

Every assignment of a ``source/`` folder goes into ONE course directory, and the class that
hands each of them in is built from the source notebook itself:

- ``solution``: the release notebook with every solution cell filled in from the source;
- ``blank``: the release notebook untouched;
- ``wrong_1``, ``wrong_2``, ...: the solution with a *set* of exercises left as the release's
  stub (:func:`stub_sets` says which), so a few students stand in for one per exercise.

Why a few students suffice. A notebook runs top to bottom, so a cell's result depends only on
the cells above it. For "leaving exercise ``e`` as the stub costs exactly ``e``'s points" the
pipeline tests need, for every exercise ``e``:

1. a student with ``e`` stubbed whose test cells of ``e`` score 0;
2. for every graded cell after ``e`` that belongs to another exercise ``j``, a student with
   ``e`` stubbed and ``j`` not, in which that cell scores full marks (the cells above ``e`` see
   exactly what the solution's see, and the solution earns full marks).

:func:`stub_sets` gives exercise ``i`` a distinct non-empty set of students, never contained in
the set of a later exercise, which is exactly condition 2; ``k`` students serve up to
``2**k - 1`` exercises (3 students for 4 to 7 exercises instead of 4 to 7).

The whole class of every assignment is autograded by :func:`course.grading.parallel.autograde`
(one nbgrader process per core, each grading its students' notebooks of every assignment):
starting nbgrader costs seconds, so the course shares as few starts as it can. The pipeline
tests read everything they assert from the returned :class:`Trial`. (``nbgrader validate`` of
each solution, which runs it once more in a plain kernel, is tests/test_checks_kernel.py's
run of the same notebook.)
"""

from __future__ import annotations

import copy
import itertools
import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from course.grading.gradebook import CellScore, cell_scores
from course.grading.parallel import autograde, default_jobs
from course.grading.pipeline import (
    assignment_ids,
    db_url,
    hand_in,
    make_course,
    run_nbgrader,
)
from course.grading.submissions import (
    Exercise,
    exercises,
    fill_solutions,
    read_notebook,
)

__all__ = ["Trial", "run_trial", "stub_sets", "synthetic_class"]

# The tests grade with warnings on stderr KEPT: a solution must earn full marks without the
# course's IgnorePattern safety net, and its stderr must be empty (checked on the graded copy,
# so the notebook is not run a second time for that).
STRICT_CONFIG = "c.IgnorePattern.enabled = False\n"


def stub_sets(n: int) -> list[list[int]]:
    """Which of ``n`` exercises (numbered 0..n-1 in notebook order) each wrong student stubs.

    Returns one sorted list of exercise numbers per student, as few students as can satisfy:
    every exercise is stubbed by at least one student, and for every pair ``i < j`` some
    student stubs ``i`` but not ``j``. Exercise ``i`` is given a distinct non-empty set of
    students, the sets in order of non-increasing size (a set is never inside a later set of
    the same or smaller size), the smallest sets that suffice (so each student stubs few).
    """
    if n < 0:
        raise ValueError(f"n must be a number of exercises (0 or more), got {n}")
    if n == 0:
        return []
    k = n.bit_length()  # the fewest students with 2**k - 1 >= n distinct non-empty sets
    smallest_first = [
        s for size in range(1, k + 1) for s in itertools.combinations(range(k), size)
    ][:n]
    signatures = sorted(smallest_first, key=len, reverse=True)  # stable: ties keep their order
    return [[i for i, sig in enumerate(signatures) if student in sig] for student in range(k)]


def synthetic_class(release, source) -> tuple[dict[str, object], dict[str, list[str]]]:
    """The class for one assignment and who stubbed what.

    Returns ``({student_id: notebook}, {student_id: [grade_id of each stubbed exercise]})``:
    the solution, the blank release, and one ``wrong_<n>`` per set of :func:`stub_sets`.
    """
    found = exercises(source)
    students = {"solution": fill_solutions(release, source), "blank": copy.deepcopy(release)}
    stubbed: dict[str, list[str]] = {}
    for number, indices in enumerate(stub_sets(len(found)), start=1):
        skip = tuple(found[i].grade_id for i in indices)
        students[f"wrong_{number}"] = fill_solutions(release, source, skip=skip)
        stubbed[f"wrong_{number}"] = list(skip)
    return students, stubbed


@dataclass
class Trial:
    """What a trial produced, per assignment: exercises, stubs and per-cell scores."""

    root: Path
    exercises: dict[str, list[Exercise]]
    # assignment -> wrong student -> grade_ids of the exercises that student left as the stub
    stubbed: dict[str, dict[str, list[str]]]
    # assignment -> student -> test cell grade_id -> score
    scores: dict[str, dict[str, dict[str, CellScore]]]
    seconds: dict[str, float] = field(default_factory=dict)

    def notebook(self, kind: str, assignment: str, student: str | None = None) -> Path:
        """Path of the ``source``/``release`` notebook, or a student's ``submitted``/
        ``autograded`` copy."""
        a = assignment
        if kind in ("source", "release"):
            return self.root / kind / a / f"{a}.ipynb"
        return self.root / kind / student / a / f"{a}.ipynb"

    def to_json(self) -> str:
        d = asdict(self)
        d["root"] = str(self.root)
        return json.dumps(d)

    @classmethod
    def from_json(cls, text: str) -> Trial:
        d = json.loads(text)
        d["root"] = Path(d["root"])
        d["exercises"] = {
            a: [Exercise(e["grade_id"], tuple(e["tests"]), e["points"]) for e in found]
            for a, found in d["exercises"].items()
        }
        d["scores"] = {
            a: {s: {g: CellScore(**v) for g, v in cells.items()} for s, cells in by_student.items()}
            for a, by_student in d["scores"].items()
        }
        return cls(**d)


def run_trial(
    source_dir: Path, root: Path, ids: Sequence[str] | None = None, *, jobs: int | None = None
) -> Trial:
    """Generate, hand in and autograde the assignments of ``source_dir``.

    ``ids`` picks assignments (default: all of them); ``root`` becomes the course directory;
    ``jobs`` is the number of autograde processes (default: one per core).
    """
    ids = list(assignment_ids(source_dir) if ids is None else ids)
    if not ids:
        raise ValueError(f"no assignments to try in {source_dir}")
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    root = make_course(root, [source_dir / a for a in ids], extra_config=STRICT_CONFIG)
    run_nbgrader(["generate_assignment", "*", "--force"], root)  # one start for all of them
    seconds["generate_assignment"] = time.perf_counter() - t0

    found, stubbed, handed_in = {}, {}, 0
    for a in ids:
        release = read_notebook(root / "release" / a / f"{a}.ipynb")
        source = read_notebook(root / "source" / a / f"{a}.ipynb")
        students, stubbed[a] = synthetic_class(release, source)
        found[a] = exercises(source)
        hand_in(root, a, students)
        handed_in += len(students)

    t0 = time.perf_counter()
    autograde(root, "*", jobs=jobs or default_jobs(), progress=False)
    seconds["autograde"] = time.perf_counter() - t0
    seconds["autograde_per_notebook"] = seconds["autograde"] / handed_in

    return Trial(
        root=root,
        exercises=found,
        stubbed=stubbed,
        scores={a: cell_scores(db_url(root), a) for a in ids},
        seconds=seconds,
    )
