"""A trial run of one assignment: a throwaway course and a synthetic class, graded once.

The class is built from the source notebook itself:

- ``solution``: the release notebook with every solution cell filled in from the source;
- ``blank``: the release notebook untouched;
- ``wrong_<exercise>``: the solution with that one exercise left as the release's stub.

All of them are autograded in ONE ``nbgrader autograde`` call (starting nbgrader costs seconds,
so the class shares one start), while ``nbgrader validate`` checks the solution alongside.
The pipeline tests read everything they assert from the returned :class:`Trial`.
"""

from __future__ import annotations

import copy
import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from course.grading.gradebook import CellScore, cell_scores
from course.grading.pipeline import db_url, generate, hand_in, make_course, run_nbgrader
from course.grading.submissions import (
    Exercise,
    exercises,
    fill_solutions,
)

__all__ = ["VALIDATE_SUCCESS", "Trial", "run_trial", "synthetic_class"]

VALIDATE_SUCCESS = "Success! Your notebook passes all the tests."

# The tests grade with warnings on stderr KEPT: a solution must earn full marks without the
# course's IgnorePattern safety net, and its stderr must be empty (checked on the graded copy,
# so the notebook is not run a second time for that).
STRICT_CONFIG = "c.IgnorePattern.enabled = False\n"


@dataclass
class Trial:
    """What a trial produced: paths, the exercises, per-cell scores and the validate output."""

    root: Path
    assignment: str
    exercises: list[Exercise]
    scores: dict[str, dict[str, CellScore]]
    validate_output: str
    seconds: dict[str, float] = field(default_factory=dict)

    def notebook(self, kind: str, student: str | None = None) -> Path:
        """Path of the ``source``/``release`` notebook, or a student's ``submitted``/
        ``autograded`` copy."""
        a = self.assignment
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
        d["exercises"] = [
            Exercise(e["grade_id"], tuple(e["tests"]), e["points"]) for e in d["exercises"]
        ]
        d["scores"] = {
            s: {g: CellScore(**v) for g, v in cells.items()} for s, cells in d["scores"].items()
        }
        return cls(**d)


def synthetic_class(release, source) -> dict[str, object]:
    """``{student_id: notebook}``: the solution, the blank release, one wrong exercise each."""
    students = {"solution": fill_solutions(release, source), "blank": copy.deepcopy(release)}
    for ex in exercises(source):
        students[f"wrong_{ex.grade_id}"] = fill_solutions(release, source, skip=(ex.grade_id,))
    return students


def run_trial(source_folder: Path, root: Path) -> Trial:
    """Generate, hand in, autograde and validate the assignment at ``source_folder``."""
    aid = source_folder.name
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    root = make_course(root, [source_folder], extra_config=STRICT_CONFIG)
    release, source = generate(root, aid)
    seconds["generate_assignment"] = time.perf_counter() - t0

    students = synthetic_class(release, source)
    hand_in(root, aid, students)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        graded = pool.submit(run_nbgrader, ["autograde", aid, "--force"], root)
        validated = pool.submit(
            run_nbgrader, ["validate", root / "submitted" / "solution" / aid / f"{aid}.ipynb"], root
        )
        graded.result()
        seconds["autograde"] = time.perf_counter() - t0
        validate_output = validated.result().stdout
    seconds["autograde_per_notebook"] = seconds["autograde"] / len(students)

    return Trial(
        root=root,
        assignment=aid,
        exercises=exercises(source),
        scores=cell_scores(db_url(root), aid),
        validate_output=validate_output,
        seconds=seconds,
    )
