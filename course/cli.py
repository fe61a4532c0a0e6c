"""``mle-course``: the instructor commands in one place.

mle-course release [ids...] [--check]   regenerate release/ (same as make release)
mle-course demo                         the sample class (same as make demo)
mle-course nbgrader ARGS...             nbgrader, run in the course directory with the
                                        virtualenv's bin/ on PATH (alembic is found)
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence

from course.grading.pipeline import REPO_ROOT, nbgrader_env, scripts_dir

__all__ = ["main"]


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
    if command == "nbgrader":
        cmd = [str(scripts_dir() / "nbgrader"), *rest]
        return subprocess.run(cmd, cwd=REPO_ROOT, env=nbgrader_env(), check=False).returncode
    print(f"mle-course: unknown command {command!r}\n{__doc__}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
