"""Grading kernels pin BLAS and OpenMP to one thread, so a loaded machine still grades in time.

On a loaded two-core machine OpenBLAS's default threads made 07's twelve-restart cell take
112-155 s against a 30 s per-cell limit; with one thread it takes about 6 s. Here 07's solution
is autograded, in the sandbox, while two CPU burners keep both cores busy, and must still get
full marks.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys

import pytest

from course.grading import (
    REPO_ROOT,
    db_url,
    fill_solutions,
    generate,
    hand_in,
    make_course,
    run_nbgrader,
    source_points,
    total_scores,
)

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

AID = "07_em"


@contextlib.contextmanager
def cpu_burners(n: int):
    """``with cpu_burners(2):`` that many processes keep a core busy each while the block runs."""
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]
    try:
        yield burners
    finally:
        for b in burners:
            b.kill()
            b.wait()


def test_07_gets_full_marks_with_both_cores_busy(tmp_path, bwrap):
    root = make_course(tmp_path / "course", [REPO_ROOT / "source" / AID])
    release, source = generate(root, AID)
    hand_in(root, AID, {"solution": fill_solutions(release, source)})
    # The burners run while the notebook is graded, not while the course is set up.
    with cpu_burners(2) as burners:
        run_nbgrader(["autograde", AID, "--force"], root)
        assert all(b.poll() is None for b in burners), "the burners stopped early"
    total = sum(source_points(AID).values())
    assert total_scores(db_url(root), AID)["solution"] == (total, total)
