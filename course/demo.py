"""``make demo``: the instructor's whole pipeline on a sample class, in ``demo/``.

It wipes and rebuilds ``demo/`` (git-ignored)::

    demo/course/     an nbgrader course directory (the course's own nbgrader_config.py, loaded)
    demo/exchange/   the nbgrader exchange the class shares
    demo/students/   one home folder per student

and runs: ``db student import`` -> ``generate_assignment`` -> ``release_assignment`` -> each
student ``fetch_assignment``, edits, ``submit --student <id>`` (own HOME and USER) -> ``collect``
-> ``autograde`` (in parallel: one nbgrader process per group of students, about one group
per core, see ``course.grading.parallel``) -> ``generate_feedback`` -> ``export`` to CSV ->
the integrity report (``course.grading.integrity``, written to
``demo/course/reports/<assignment>/integrity.{csv,md}``). Then it prints the grade table, the
integrity findings and where the feedback is.

The class, on assignment 01_coin_flips, each with the exercises they lose:

=============  =============================================================================
perfect        every exercise solved
blank          hands in the notebook as fetched
partial        solves the 1st, 3rd and 5th exercises only
tamperer       a wrong bernoulli_log_likelihood, and its test cell replaced by ``pass``
               (nbgrader restores the test from the gradebook)
looper         binomial_log_likelihood loops forever: every cell that calls it (its test and
               two later cells) is cut by the per-cell time limit, and the exercises after it
               are still graded
mlelib_user    bernoulli_mle hands the work to mlelib under another name (in the grading
               sandbox mlelib is a stand-in that raises, so the test fails)
=============  =============================================================================

The demo course loads the course's own nbgrader_config.py with one change: its per-cell limit
is :data:`TIME_LIMIT` (10 s of the kernel's computing time) instead of the course's 30 s, so the
looper's three cells hold the demo up for half a minute, not a minute and a half. No other
student comes near it: the most expensive cell of 01_coin_flips (its imports) takes a second or
two.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from tqdm import tqdm

from course.grading import integrity, parallel
from course.grading.pipeline import REPO_ROOT, make_course, run_nbgrader
from course.grading.submissions import (
    Exercise,
    exercises,
    fill_solutions,
    read_notebook,
    set_cell_source,
    write_notebook,
)

__all__ = ["ASSIGNMENT", "CLASS", "TIME_LIMIT", "Student", "expected_scores", "main", "run_demo"]

ASSIGNMENT = "01_coin_flips"
DEMO_DIR = REPO_ROOT / "demo"
TIME_LIMIT = 10  # the demo course's per-cell limit (c.Execute.timeout), seconds of CPU time

# --- what the students hand in --------------------------------------------------------------

WRONG_LOG_LIKELIHOOD = """\
def bernoulli_log_likelihood(x, theta):
    # Only the heads: the (1 - x) log(1 - theta) term for the tails is missing.
    x = np.asarray(x, dtype=float)
    return float(np.sum(x * np.log(theta)))
"""

LOOPING_BINOMIAL = """\
def binomial_log_likelihood(k, n, theta):
    # log C(n, k) as a sum of logs ... but j is never incremented: this never returns.
    log_coef, j = 0.0, 1
    while j <= k:
        log_coef += math.log((n - k + j) / j)
    return log_coef + k * math.log(theta) + (n - k) * math.log(1 - theta)
"""

MLELIB_MLE = """\
import mlelib as helpers


def bernoulli_mle(x):
    return helpers.bernoulli_mle(x)
"""


@dataclass(frozen=True)
class Student:
    """A sample student: how they edit the fetched notebook, and which exercises they lose."""

    id: str
    first_name: str
    last_name: str
    description: str
    edit: Callable  # (fetched notebook, source notebook) -> the notebook they submit
    loses: Callable[[list[Exercise]], set[str]]  # the exercises that earn nothing
    flagged: bool = False  # whether the integrity report must list something for them


def _every_other(exs: list[Exercise]) -> set[str]:
    """The 2nd, 4th, ... exercises: the ones the partial student skips."""
    return {ex.grade_id for ex in exs[1::2]}


def _with(grade_id: str, code: str, test_code: str | None = None) -> Callable:
    """An edit: every solution pasted in, then ``grade_id`` (and maybe its test) overwritten."""

    def edit(nb, source):
        nb = fill_solutions(nb, source)
        set_cell_source(nb, grade_id, code)
        if test_code is not None:
            set_cell_source(nb, f"test_{grade_id}", test_code)
        return nb

    return edit


CLASS = [
    Student(
        "perfect",
        "Ada",
        "Lovelace",
        "solves every exercise",
        edit=lambda nb, src: fill_solutions(nb, src),
        loses=lambda exs: set(),
    ),
    Student(
        "blank",
        "Bob",
        "Blank",
        "hands in the notebook as fetched",
        edit=lambda nb, src: nb,
        loses=lambda exs: {ex.grade_id for ex in exs},
    ),
    Student(
        "partial",
        "Carol",
        "Half",
        "solves the 1st, 3rd, 5th ... exercises",
        edit=lambda nb, src: fill_solutions(nb, src, skip=tuple(_every_other(exercises(src)))),
        loses=_every_other,
    ),
    Student(
        "tamperer",
        "Dan",
        "Fiddle",
        "wrong log-likelihood, its test cell replaced by `pass`",
        edit=_with("bernoulli_log_likelihood", WRONG_LOG_LIKELIHOOD, test_code="pass"),
        loses=lambda exs: {"bernoulli_log_likelihood"},
        flagged=True,
    ),
    Student(
        "looper",
        "Eve",
        "Loop",
        "binomial_log_likelihood never returns",
        edit=_with("binomial_log_likelihood", LOOPING_BINOMIAL),
        loses=lambda exs: {"binomial_log_likelihood"},
        flagged=True,
    ),
    Student(
        "mlelib_user",
        "Finn",
        "Shortcut",
        "bernoulli_mle calls mlelib under another name",
        edit=_with("bernoulli_mle", MLELIB_MLE),
        loses=lambda exs: {"bernoulli_mle"},
        flagged=True,
    ),
]


def expected_scores(source) -> dict[str, tuple[float, float]]:
    """``{student: (score, max_score)}`` predicted from the points in the source notebook."""
    exs = exercises(source)
    total = sum(ex.points for ex in exs)
    out = {}
    for s in CLASS:
        lost = s.loses(exs)
        unknown = lost - {ex.grade_id for ex in exs}
        if unknown:
            raise ValueError(f"{ASSIGNMENT} has no exercise(s) {sorted(unknown)}")
        out[s.id] = (total - sum(ex.points for ex in exs if ex.grade_id in lost), total)
    return out


# --- the pipeline ---------------------------------------------------------------------------


def _student_turn(student: Student, demo: Path, exchange: str, source) -> None:
    home = demo / "students" / student.id
    home.mkdir(parents=True)
    as_student = {"USER": student.id, "LOGNAME": student.id, "HOME": str(home)}
    opts = ["--course", "mle-course", f"--Exchange.root={exchange}"]
    run_nbgrader(["fetch_assignment", ASSIGNMENT, *opts], home, env=as_student)
    path = home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    write_notebook(student.edit(read_notebook(path), source), path)
    # nbgrader 0.9.6 names a submission after the OS account (pwd), not $USER: in a demo where
    # one account plays every student, --student says who is submitting.
    run_nbgrader(["submit", ASSIGNMENT, *opts, "--student", student.id], home, env=as_student)


def run_demo(demo: Path = DEMO_DIR, *, quiet: bool = False) -> dict:
    """Run the whole pipeline in ``demo`` (wiped first). Returns grades, paths and timings."""
    t_start = time.perf_counter()
    say = (lambda *a: None) if quiet else print
    if demo.exists():
        shutil.rmtree(demo)
    exchange = str(demo / "exchange")
    root = make_course(
        demo / "course",
        [REPO_ROOT / "source" / ASSIGNMENT],
        extra_config=f"c.Exchange.root = {exchange!r}\nc.Execute.timeout = {TIME_LIMIT}\n",
    )
    source = read_notebook(root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    expected = expected_scores(source)

    say(f"demo course directory: {root}")
    with open(root / "students.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "first_name", "last_name", "email"])
        for s in CLASS:
            w.writerow([s.id, s.first_name, s.last_name, f"{s.id}@example.org"])
    steps = [
        ("add the class to the gradebook", ["db", "student", "import", "students.csv"]),
        ("generate the student version", ["generate_assignment", ASSIGNMENT, "--force"]),
        ("release it to the exchange", ["release_assignment", ASSIGNMENT, "--force"]),
    ]
    timings = {}
    for what, args in steps:
        say(f"- {what}: nbgrader {' '.join(args)}")
        t0 = time.perf_counter()
        run_nbgrader(args, root)
        timings[args[0]] = time.perf_counter() - t0

    say("- students fetch, work and submit (nbgrader fetch_assignment, submit --student <id>)")
    t0 = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        jobs = [pool.submit(_student_turn, s, demo, exchange, source) for s in CLASS]
        for job in tqdm(jobs, desc="students", unit="student", disable=quiet, file=sys.stdout):
            job.result()
    timings["students"] = time.perf_counter() - t0

    say("- collect the submissions: nbgrader collect")
    t0 = time.perf_counter()
    run_nbgrader(["collect", ASSIGNMENT], root)
    timings["collect"] = time.perf_counter() - t0

    jobs = parallel.default_jobs()
    say(
        f"- autograde in {min(jobs, len(CLASS))} parallel groups (a cell loops: the {TIME_LIMIT} s "
        f"limit cuts it): nbgrader autograde {ASSIGNMENT} --force --student ..."
    )
    t0 = time.perf_counter()
    parallel.autograde(root, ASSIGNMENT, jobs=jobs, progress=not quiet)
    timings["autograde"] = time.perf_counter() - t0

    for what, args in [
        ("generate feedback", ["generate_feedback", ASSIGNMENT, "--force"]),
        ("export the grades", ["export", "--to", "grades.csv"]),
    ]:
        say(f"- {what}: nbgrader {' '.join(args)}")
        t0 = time.perf_counter()
        run_nbgrader(args, root)
        timings[args[0]] = time.perf_counter() - t0

    say("- integrity report: course.grading.integrity")
    findings = integrity.integrity_report(root, ASSIGNMENT)
    reports = integrity.write_report(root, ASSIGNMENT, findings)

    with open(root / "grades.csv", newline="") as f:
        grades = {
            row["student_id"]: (float(row["score"]), float(row["max_score"]))
            for row in csv.DictReader(f)
        }
    timings["autograde_per_notebook"] = timings["autograde"] / len(CLASS)
    timings["total"] = time.perf_counter() - t_start
    return {
        "root": root,
        "grades": grades,
        "expected": expected,
        "feedback": {
            s.id: root / "feedback" / s.id / ASSIGNMENT / f"{ASSIGNMENT}.html" for s in CLASS
        },
        "seconds": timings,
        "integrity": [asdict(f) for f in findings],
        "integrity_reports": [str(p) for p in reports],
    }


def _table(result: dict) -> str:
    rows = [("student", "score", "max", "predicted", "what they did")]
    for s in CLASS:
        got = result["grades"].get(s.id, (float("nan"), float("nan")))
        rows.append(
            (s.id, f"{got[0]:g}", f"{got[1]:g}", f"{result['expected'][s.id][0]:g}", s.description)
        )
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(r[:4], widths, strict=True)) + "  " + r[4]
        for r in rows
    ]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course.demo",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.parse_args(argv)
    result = run_demo()
    root = result["root"]
    print()
    print(_table(result))
    print()
    print("integrity report (what looked like tampering; the grades do not depend on it):")
    findings = [integrity.Finding(**f) for f in result["integrity"]]
    print(integrity.format_findings(findings, [s.id for s in CLASS]))
    print()
    print(f"grades (CSV):  {root / 'grades.csv'}")
    print(f"integrity:     {', '.join(result['integrity_reports'])}")
    print(f"feedback:      {root / 'feedback'}/<student>/{ASSIGNMENT}/{ASSIGNMENT}.html")
    print(
        f"time:          {result['seconds']['total']:.0f} s in all, autograde "
        f"{result['seconds']['autograde']:.0f} s for {len(CLASS)} notebooks"
    )
    mismatched = [s for s, v in result["expected"].items() if result["grades"].get(s) != v]
    flagged = {f.student for f in findings}
    mismatched += [s.id for s in CLASS if s.flagged != (s.id in flagged)]
    if mismatched:
        print(f"NOT AS PREDICTED: {', '.join(mismatched)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
