"""``mle-course``: the instructor commands in one place.

mle-course release [ids...] [--check]   regenerate release/ (same as make release)
mle-course demo                         the sample class (same as make demo)
mle-course autograde ASSIGNMENT [--jobs N] [--no-progress]
                                        autograde every submission of ASSIGNMENT in
                                        parallel (one nbgrader process per group of
                                        students, N groups, default: one per core), then
                                        write reports/ASSIGNMENT/integrity.{csv,md}
mle-course integrity ASSIGNMENT         (re)write and print the integrity report only
mle-course nbgrader ARGS...             nbgrader, run in the course directory with the
                                        virtualenv's bin/ on PATH (alembic is found)

For self-paced learners (see `mle-course check --help`):

mle-course check [NOTEBOOK ...]         grade your SAVED notebooks with the full tests
mle-course progress [--html PAGE]       your points per notebook from the last checks
mle-course solution NOTEBOOK EXERCISE   a worked solution, once you have tried it

The course directory is the repository root (where nbgrader_config.py is). When that
configuration leaves the gradebook at nbgrader's default, autograde uses the same SQLite file
with a busy timeout (sqlite:///<root>/gradebook.db?timeout=60) so that the parallel
processes wait for each other's writes.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Sequence

from course.grading.pipeline import (
    REPO_ROOT,
    course_config,
    db_url,
    nbgrader_command,
    nbgrader_env,
)

__all__ = ["main"]


def _configured_db_url() -> str | None:
    """The ``CourseDirectory.db_url`` that nbgrader_config.py sets, if it sets one."""
    return course_config().CourseDirectory.get("db_url")


def _integrity(assignment: str) -> int:
    from course.grading import integrity

    try:
        findings = integrity.integrity_report(REPO_ROOT, assignment)
    except FileNotFoundError as exc:
        print(f"mle-course integrity: {exc}", file=sys.stderr)
        return 2
    paths = integrity.write_report(REPO_ROOT, assignment, findings)
    print(integrity.format_findings(findings) or "integrity report: nothing found")
    print(f"integrity report: {', '.join(map(str, paths))}")
    return 0


def _autograde(argv: list[str]) -> int:
    from course.grading import parallel

    parser = argparse.ArgumentParser(prog="mle-course autograde")
    parser.add_argument("assignment")
    parser.add_argument(
        "--jobs", type=int, default=None, help="parallel nbgrader processes (default: one per core)"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.jobs is not None and args.jobs < 1:
        parser.error(f"--jobs must be at least 1, got {args.jobs}")
    url = None if _configured_db_url() else db_url(REPO_ROOT)
    try:
        result = parallel.autograde(
            REPO_ROOT,
            args.assignment,
            jobs=args.jobs,
            db_url=url,
            check=False,
            progress=not args.no_progress,
        )
    except ValueError as exc:  # no submissions, ids that cannot be grouped
        print(f"mle-course autograde: {exc}", file=sys.stderr)
        return 2
    status = 0
    print(
        f"autograded {len(result.students)} submission(s) of {args.assignment} in "
        f"{len(result.groups)} process(es), {result.seconds:.0f} s"
    )
    for g in result.groups:
        if not g.ok:
            status = 1
            print(f"FAILED: {g.describe()}", file=sys.stderr)
    if result.ungradable:
        status = 1
        print(
            "NOT GRADED (nbgrader cannot read folders whose names contain glob characters): "
            + ", ".join(result.ungradable),
            file=sys.stderr,
        )
    return _integrity(args.assignment) or status


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command == "release":
        from course.release import main as release

        return release(rest)
    if command == "demo":
        from course.demo import main as demo

        return demo(rest)
    if command == "autograde":
        return _autograde(rest)
    if command == "integrity":
        if len(rest) != 1 or rest[0].startswith("-"):
            print("usage: mle-course integrity ASSIGNMENT", file=sys.stderr)
            return 2
        return _integrity(rest[0])
    if command in ("check", "progress", "solution"):
        from course.selfpaced import main as selfpaced

        return selfpaced(command, rest)
    if command == "nbgrader":
        cmd = [*nbgrader_command(), *rest]
        return subprocess.run(cmd, cwd=REPO_ROOT, env=nbgrader_env(), check=False).returncode
    print(f"mle-course: unknown command {command!r}\n{__doc__}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
