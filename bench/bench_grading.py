"""Grading benchmark: a sample class autograded sequentially and in parallel.

A throwaway course with every assignment in ``source/`` and a synthetic class handed in for
each: a third of the students submit the solution, a third the blank release, a third solve
every other exercise (built with ``course.grading.submissions`` as the pipeline trials do).
The whole class is then graded twice, from scratch each time (``--force``):

- sequentially: ONE ``nbgrader autograde '*' --force`` process for every notebook;
- in parallel: ``course.grading.parallel.autograde(root, '*')``, one nbgrader process per group
  of students, one group per core.

Reported: wall time, notebooks per minute, and whether both runs gave the same score to every
graded cell. One run each (minutes, not milliseconds: no medians). The size is set by
environment variables, for a quicker run:

- ``MLE_BENCH_STUDENTS`` (default 30): students in the class;
- ``MLE_BENCH_ASSIGNMENTS`` (default: all): comma-separated assignment ids;
- ``MLE_BENCH_JOBS`` (default: the number of cores): parallel processes.

Run it alone with ``python -m bench grading``.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from bench._timing import row
from course.grading import (
    REPO_ROOT,
    assignment_ids,
    cell_scores,
    db_url,
    exercises,
    fill_solutions,
    generate,
    hand_in,
    make_course,
    run_nbgrader,
)
from course.grading.parallel import autograde, default_jobs


def _class(release, source, n: int) -> dict:
    skip = tuple(ex.grade_id for ex in exercises(source)[1::2])
    kinds = [
        lambda: fill_solutions(release, source),
        lambda: release,
        lambda: fill_solutions(release, source, skip=skip),
    ]
    return {f"student{i:03d}": kinds[i % 3]() for i in range(n)}


def _scores(root: Path, ids: list[str]) -> dict:
    return {aid: cell_scores(db_url(root), aid) for aid in ids}


def run() -> list[dict]:
    n = int(os.environ.get("MLE_BENCH_STUDENTS", "30"))
    ids = [a for a in os.environ.get("MLE_BENCH_ASSIGNMENTS", "").split(",") if a]
    ids = ids or assignment_ids(REPO_ROOT / "source")
    jobs = int(os.environ.get("MLE_BENCH_JOBS", "0")) or default_jobs()
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        root = make_course(Path(tmp) / "course", [REPO_ROOT / "source" / a for a in ids])
        for aid in ids:
            release, source = generate(root, aid)
            hand_in(root, aid, _class(release, source, n))
        notebooks = n * len(ids)

        t0 = time.perf_counter()
        run_nbgrader(["autograde", "*", "--force"], root)
        sequential = time.perf_counter() - t0
        seq_scores = _scores(root, ids)

        t0 = time.perf_counter()
        result = autograde(root, "*", jobs=jobs, progress=False)
        parallel = time.perf_counter() - t0
        same = _scores(root, ids) == seq_scores and not result.failed

    per_min = 60 * notebooks
    label = f"autograde {n} students x {len(ids)} assignments ({notebooks} notebooks)"
    print(
        f"  {label}: sequential {sequential:.0f} s ({per_min / sequential:.1f} notebooks/min), "
        f"parallel x{len(result.groups)} {parallel:.0f} s ({per_min / parallel:.1f} notebooks/min)"
    )
    return [
        row(
            f"{label}, {len(result.groups)} processes",
            parallel,
            "one nbgrader process",
            sequential,
            f"{per_min / parallel:.1f} vs {per_min / sequential:.1f} notebooks/min; "
            f"same cell scores: {'yes' if same else 'NO'}",
        )
    ]
