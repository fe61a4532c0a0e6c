"""What the autograde sandbox costs per submission.

The same class (``MLE_BENCH_SANDBOX_N`` copies of the solution of 01_coin_flips, default 6) is
autograded three times, one ``nbgrader autograde`` call each:

* the course's configuration: bubblewrap sandbox, test cells run in the grader and calling the
  student's functions across the sandbox (``GuardedExecute``);
* the same without the sandbox (``MLE_COURSE_UNSANDBOXED=1``);
* plain nbgrader: its own ``Execute``, test cells in the ``python3`` kernel (the peer).

The time per notebook is read from nbgrader's log (timestamps added through
``c.Application.log_format``), from "Autograding <notebook>" to the write of its result, so it
covers the kernel start, the sandbox set-up and the execution but not nbgrader's own start-up.
The rows give the median per notebook; ``ratio`` below 1 is the overhead factor.
"""

from __future__ import annotations

import os
import re
import statistics
import tempfile
from pathlib import Path

from bench._timing import row
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
from course.grading.sandbox import ENV_UNSANDBOXED

AID = "01_coin_flips"
TOTAL = sum(source_points(AID).values())
LOG_FORMAT = 'c.Application.log_format = "%(created).3f %(message)s"\n'
PLAIN_NBGRADER = """
c.Execute.kernel_name = "python3"
c.Execute.extra_arguments = []
c.KernelManager.transport = "tcp"
c.KernelManager.connection_file = ""
# the course's preprocessors, with nbgrader's own Execute in place of GuardedExecute
c.Autograde.autograde_preprocessors = [
    "nbgrader.preprocessors.Execute" if p == "course.grading.execute.GuardedExecute" else p
    for p in c.Autograde.autograde_preprocessors
]
"""

_LINE = re.compile(r"^(\d+\.\d+) (.*)$")


def per_notebook_seconds(log: str) -> list[float]:
    """Seconds from each "Autograding <nb>" log line to the next "Writing ... autograded" line."""
    times, start = [], None
    for line in log.splitlines():
        m = _LINE.match(line.strip())
        if not m:
            continue
        t, msg = float(m.group(1)), m.group(2)
        if msg.startswith("Autograding "):
            start = t
        elif start is not None and msg.startswith("Writing ") and "autograded" in msg:
            times.append(t - start)
            start = None
    return times


def _grade(base: Path, name: str, n: int, extra: str, env: dict[str, str]) -> list[float]:
    root = make_course(base / name, [REPO_ROOT / "source" / AID], extra_config=LOG_FORMAT + extra)
    release, source = generate(root, AID, env=env)
    nb = fill_solutions(release, source)
    hand_in(root, AID, {f"s{i:02d}": nb for i in range(n)})
    proc = run_nbgrader(["autograde", AID, "--force"], root, env=env)
    scores = total_scores(db_url(root), AID)
    if sorted(scores.values()) != [(TOTAL, TOTAL)] * n:
        raise RuntimeError(f"{name}: unexpected scores {scores}")
    seconds = per_notebook_seconds(proc.stdout + proc.stderr)
    if len(seconds) != n:
        raise RuntimeError(f"{name}: found {len(seconds)} timings for {n} notebooks in the log")
    return seconds


def run() -> list[dict]:
    n = int(os.environ.get("MLE_BENCH_SANDBOX_N", "6"))
    with tempfile.TemporaryDirectory(prefix="bench-sandbox-") as tmp:
        base = Path(tmp)
        sandboxed = _grade(base, "sandbox", n, "", {ENV_UNSANDBOXED: ""})
        remote = _grade(base, "remote", n, "", {ENV_UNSANDBOXED: "1"})
        plain = _grade(base, "plain", n, PLAIN_NBGRADER, {ENV_UNSANDBOXED: ""})
    med = statistics.median
    note = f"autograde 01, {n} notebooks per run, same scores ({TOTAL:g}/{TOTAL:g})"
    return [
        row(
            "autograde per notebook: sandbox + remote test cells",
            med(sandboxed),
            "plain nbgrader",
            med(plain),
            note,
        ),
        row(
            "autograde per notebook: remote test cells, no sandbox",
            med(remote),
            "plain nbgrader",
            med(plain),
            note,
        ),
        {
            "benchmark": "sandbox + remote test cells: extra seconds per notebook",
            "ours_s": med(sandboxed) - med(plain),
            "peer": None,
            "peer_s": None,
            "ratio": None,
            "agreement": "median(sandbox + remote) - median(plain nbgrader)",
        },
    ]


if __name__ == "__main__":
    for r in run():
        print(r)
