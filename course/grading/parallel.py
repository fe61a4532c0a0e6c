"""Autograde a class with several nbgrader processes at once, about one per CPU core.

nbgrader grades the submissions of one ``nbgrader autograde`` call one after the other, and
each call costs a few seconds to start (Python, nbgrader, the gradebook). So the class is split
into ``jobs`` groups of students, and each group gets ONE process::

    nbgrader autograde ASSIGNMENT --force --student '*' \\
        --CourseDirectory.student_id_exclude=<every student of the other groups>

nbgrader's ``--student`` is a file glob, and a glob cannot name an arbitrary set of ids, but
``student_id_exclude`` is a comma-separated list of exact ids. Excluding everyone outside the
group therefore selects exactly the group, whatever characters the ids contain (a group of
one uses the id itself, glob-escaped). The class is read from ``submitted/*/ASSIGNMENT/`` as
nbgrader reads it, so every submission lands in exactly one group. Ids containing a comma
cannot be excluded and are refused with ``jobs > 1`` (with ``jobs=1`` nothing is excluded).

Several processes write to one gradebook. PostgreSQL handles that by itself; SQLite needs a
busy timeout in its URL (``sqlite:///<root>/gradebook.db?timeout=60``, see
:func:`course.grading.pipeline.db_url`), which throwaway course directories get from
:func:`~course.grading.pipeline.make_course`.

A tqdm bar counts students as their autograded notebooks are written. A group whose process
fails is reported with the students nbgrader named and its log; the other groups still finish,
and :class:`ParallelAutogradeError` is raised at the end unless ``check=False``.
"""

from __future__ import annotations

import glob
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from course.grading.pipeline import NbgraderError, nbgrader_command, nbgrader_env

__all__ = [
    "AutogradeResult",
    "GroupResult",
    "ParallelAutogradeError",
    "autograde",
    "default_jobs",
    "group_args",
    "split_class",
    "submitted_students",
    "ungradable_students",
]

_FAILED_STUDENT = re.compile(r"There was an error processing assignment '.*' for student '(.*)'")


class ParallelAutogradeError(NbgraderError):
    """One or more autograde groups failed; the message names them and shows their logs.

    ``result`` is the :class:`AutogradeResult` of the whole run: every other group finished,
    and its students were graded.
    """

    def __init__(self, message: str, result: AutogradeResult):
        super().__init__(message)
        self.result = result


@dataclass
class GroupResult:
    """One nbgrader process: its students, exit code, output and which students failed."""

    students: list[str]
    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    failed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.failed

    def describe(self) -> str:
        """The failed command, its exit code, the students it failed, why, and the log's tail.

        "Why" is the traceback nbgrader logs right after "There was an error processing
        assignment: <path>", which the tail alone loses when other notebooks were graded
        after the failed one.
        """
        lines = self.stderr.splitlines()
        why = []
        for i, line in enumerate(lines):
            if "There was an error processing assignment: " in line:
                end = i + 2  # the path line, then the traceback's first line (its own record)
                while end < len(lines) and not lines[end].startswith("["):
                    end += 1
                block = "\n".join(lines[i + 1 : end])
                why.append(f"{line}\n{block if len(block) < 3000 else '...' + block[-3000:]}")
        reasons = "".join(f"\n--- why:\n{w}" for w in why[:3])
        return (
            f"`nbgrader {' '.join(self.args)}` exited with {self.returncode}; "
            f"failed: {', '.join(self.failed) or '(none named)'}{reasons}\n--- log tail:\n"
            f"{self.stderr[-2000:]}"
        )


@dataclass
class AutogradeResult:
    """All groups of one parallel autograde."""

    assignment: str
    groups: list[GroupResult]
    seconds: float
    ungradable: list[str] = field(default_factory=list)

    @property
    def students(self) -> list[str]:
        return sorted(s for g in self.groups for s in g.students)

    @property
    def failed(self) -> list[str]:
        return sorted(s for g in self.groups for s in g.failed)


def default_jobs() -> int:
    """The number of CPU cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def submitted_students(root: str | os.PathLike[str], assignment: str) -> list[str]:
    """Students whose ``submitted/<student>/<assignment>/`` nbgrader will grade, sorted.

    Found exactly as nbgrader finds them for ``--student '*'``: ``assignment`` may be a glob
    (``'*'``: every assignment), hidden folders are not students, and a folder whose name
    contains glob characters (``[``, ``*``, ``?``) is not graded by nbgrader at all (see
    :func:`ungradable_students`).
    """
    base = Path(root).resolve() / "submitted"
    found = set()
    for folder in glob.glob(os.path.join(glob.escape(str(base)), "*", assignment)):
        if glob.glob(os.path.join(folder, "*.ipynb")):  # unescaped, as nbgrader does
            found.add(Path(folder).parent.name)
    return sorted(found)


def ungradable_students(root: str | os.PathLike[str], assignment: str) -> list[str]:
    """Students who handed in a notebook that nbgrader will not see, sorted.

    nbgrader looks for ``<folder>/*.ipynb`` with the student's folder used as a glob pattern,
    so a student id such as ``x[1]`` silently finds no notebook. Rename such folders (and
    the student in the gradebook) before grading.
    """
    base = Path(root).resolve() / "submitted"
    handed_in = {
        p.name
        for p in base.glob("*")
        if not p.name.startswith(".") and any(p.glob(f"{assignment}/*.ipynb"))
    }
    return sorted(handed_in - set(submitted_students(root, assignment)))


def split_class(students: list[str], jobs: int) -> list[list[str]]:
    """``students`` dealt round-robin into at most ``jobs`` non-empty groups."""
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    groups = [students[i::jobs] for i in range(min(jobs, len(students)))]
    return [g for g in groups if g]


def group_args(assignment: str, group: list[str], everyone: list[str]) -> list[str]:
    """The ``nbgrader`` arguments that autograde exactly ``group`` out of ``everyone``."""
    base = ["autograde", assignment, "--force"]
    if len(group) == 1:
        return [*base, "--student", glob.escape(group[0])]
    others = sorted(set(everyone) - set(group))
    if not others:
        return [*base, "--student", "*"]
    commas = [s for s in everyone if "," in s]
    if commas:
        raise ValueError(
            f"student ids containing a comma cannot be graded in parallel groups: {commas}; "
            "use jobs=1"
        )
    return [*base, "--student", "*", f"--CourseDirectory.student_id_exclude={','.join(others)}"]


def _notebooks_done(root: Path, assignment: str, student: str, since: float) -> bool:
    """Whether every submitted notebook of ``student`` has an autograded copy newer than
    ``since``."""
    handed_in = list((root / "submitted" / student).glob(f"{assignment}/*.ipynb"))
    out = root / "autograded" / student
    try:
        return bool(handed_in) and all(
            (out / p.parent.name / p.name).stat().st_mtime >= since for p in handed_in
        )
    except FileNotFoundError:
        return False


@dataclass
class _Running:
    group: list[str]
    args: list[str]
    proc: subprocess.Popen
    out: object
    err: object
    started: float


def _wait(root: Path, assignment: str, running: list[_Running], bar, t0: float):
    """Poll the group processes until all have exited, ticking ``bar`` per graded student."""
    done: set[str] = set()
    results: list[GroupResult | None] = [None] * len(running)
    while True:
        for i, r in enumerate(running):
            if results[i] is not None:
                continue
            new = [s for s in r.group if s not in done and _notebooks_done(root, assignment, s, t0)]
            if r.proc.poll() is not None:
                r.out.seek(0)
                r.err.seek(0)
                stderr = r.err.read()
                failed = sorted(set(_FAILED_STUDENT.findall(stderr)) & set(r.group))
                if r.proc.returncode != 0 and not failed:
                    failed = list(r.group)  # the process failed as a whole
                results[i] = GroupResult(
                    r.group,
                    r.args,
                    r.proc.returncode,
                    r.out.read(),
                    stderr,
                    time.perf_counter() - r.started,
                    failed,
                )
                new = [s for s in r.group if s not in done]
            done.update(new)
            bar.update(len(new))
        if all(res is not None for res in results):
            return results
        time.sleep(0.25)


def autograde(
    root: str | os.PathLike[str],
    assignment: str,
    *,
    jobs: int | None = None,
    db_url: str | None = None,
    check: bool = True,
    progress: bool = True,
) -> AutogradeResult:
    """Autograde ``assignment`` in the course directory ``root`` with ``jobs`` processes.

    ``assignment`` is passed to nbgrader, which reads it as a glob: ``"*"`` grades every
    assignment of every student in the same processes (a student counts as done on the
    progress bar when all their notebooks are graded).

    Every submission found is graded (:func:`submitted_students`); ``jobs`` defaults to the
    number of cores. ``db_url`` overrides the gradebook URL on each command line (e.g. to
    add SQLite's busy timeout to a course that uses nbgrader's default). Submissions nbgrader
    cannot see
    (:func:`ungradable_students`) are listed in the result's ``ungradable``. Raises
    :class:`ParallelAutogradeError` if a group failed and ``check`` is true; otherwise the
    failures are in the returned result.
    """
    root = Path(root).resolve()
    everyone = submitted_students(root, assignment)
    if not everyone:
        raise ValueError(f"no gradable submissions of {assignment!r} in {root / 'submitted'}")
    jobs = default_jobs() if jobs is None else jobs
    groups = split_class(everyone, jobs)
    extra = [f"--CourseDirectory.db_url={db_url}"] if db_url else []

    t0 = time.time()
    start = time.perf_counter()
    running: list[_Running] = []
    bar = tqdm(
        total=len(everyone),
        desc=f"autograde {assignment} ({len(groups)} processes)",
        unit="student",
        disable=not progress,
        file=sys.stdout,
    )
    with tempfile.TemporaryDirectory(prefix="autograde-logs-") as logs:
        try:
            for i, group in enumerate(groups):
                args = [*group_args(assignment, group, everyone), *extra]
                out = open(Path(logs) / f"{i}.out", "w+")  # noqa: SIM115 - closed below
                err = open(Path(logs) / f"{i}.err", "w+")  # noqa: SIM115
                proc = subprocess.Popen(
                    [*nbgrader_command(), *args],
                    cwd=root,
                    env=nbgrader_env(),
                    stdout=out,
                    stderr=err,
                    text=True,
                )
                running.append(_Running(group, args, proc, out, err, time.perf_counter()))
            results = _wait(root, assignment, running, bar, t0)
        finally:
            for r in running:
                if r.proc.poll() is None:  # interrupted (Ctrl-C): stop the graders we started
                    r.proc.terminate()
                    r.proc.wait()
                r.out.close()
                r.err.close()
            bar.close()

    result = AutogradeResult(
        assignment, results, time.perf_counter() - start, ungradable_students(root, assignment)
    )
    bad = [g for g in result.groups if not g.ok]
    if check and bad:
        parts = [
            f"autograde of {assignment!r} failed for {len(result.failed)} student(s): "
            f"{', '.join(result.failed)}"
        ]
        parts += [f"--- {g.describe()}" for g in bad]
        raise ParallelAutogradeError("\n".join(parts), result)
    return result
