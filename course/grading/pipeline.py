"""Run nbgrader on a course directory, from Python, as subprocesses.

Every nbgrader command runs as its own process (:func:`nbgrader_command`: nbgrader's command
line, started without an import it never uses) with the interpreter's scripts folder first on
PATH (nbgrader shells out to ``alembic``), so the caller never has to activate the virtualenv.
A throwaway course directory loads the repository's ``nbgrader_config.py`` and then points the
root and the gradebook at itself: tests and the demo grade with exactly the course's settings.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterable, Mapping
from pathlib import Path

import nbformat

from course.grading.submissions import grade_cells, read_notebook, write_notebook

REPO_ROOT = Path(__file__).resolve().parents[2]
REPO_CONFIG = REPO_ROOT / "nbgrader_config.py"

__all__ = [
    "REPO_CONFIG",
    "REPO_ROOT",
    "SQLITE_TIMEOUT",
    "NbgraderError",
    "assignment_ids",
    "course_config",
    "db_url",
    "generate",
    "hand_in",
    "make_course",
    "nbgrader_command",
    "nbgrader_env",
    "run_nbgrader",
    "scripts_dir",
    "source_notebook",
    "source_points",
]


class NbgraderError(RuntimeError):
    """An nbgrader command exited with an error; the message carries its output."""


def scripts_dir() -> Path:
    """The folder holding this interpreter's console scripts (``.venv/bin``)."""
    return Path(sysconfig.get_path("scripts"))


def nbgrader_command() -> list[str]:
    """The command that starts nbgrader, its arguments to follow: this interpreter running
    :mod:`course._nbgrader`, which is nbgrader's own command line minus a slow import
    nbgrader does not use and the ``alembic`` subprocess it starts for a new gradebook (see
    that module)."""
    return [sys.executable, "-m", "course._nbgrader"]


def nbgrader_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A copy of the environment with :func:`scripts_dir` first on PATH, plus ``extra``."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(scripts_dir()), env.get("PATH", "")])
    if extra:
        env.update(extra)
    return env


def run_nbgrader(
    args: Iterable[str],
    cwd: str | os.PathLike[str],
    *,
    env: Mapping[str, str] | None = None,
    check: bool = True,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``nbgrader *args`` in ``cwd`` and return the finished process (text output).

    Raises :class:`NbgraderError` with the command's output when it fails and ``check`` is true.
    nbgrader logs to stderr, so a failure message shows both streams.
    """
    args = [str(a) for a in args]
    proc = subprocess.run(
        [*nbgrader_command(), *args],
        cwd=cwd,
        env=nbgrader_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and proc.returncode != 0:
        raise NbgraderError(
            f"`nbgrader {' '.join(args)}` failed with exit code {proc.returncode} in {cwd}\n"
            f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
        )
    return proc


SQLITE_TIMEOUT = 60


def db_url(root: str | os.PathLike[str], *, timeout: float | None = SQLITE_TIMEOUT) -> str:
    """The SQLAlchemy URL of the SQLite gradebook of the course directory ``root``.

    ``timeout`` (seconds) is SQLite's busy timeout, passed by SQLAlchemy to
    ``sqlite3.connect``: a writer waits that long for another process's lock instead of failing
    with "database is locked". Parallel autograde (several nbgrader processes on one gradebook)
    relies on it. ``timeout=None`` gives nbgrader's own default URL, without the parameter.
    (``nbgrader db upgrade`` treats everything after ``sqlite:///`` as a file name: run it with
    ``--CourseDirectory.db_url=sqlite:///<root>/gradebook.db``.)
    """
    url = f"sqlite:///{Path(root).resolve() / 'gradebook.db'}"
    return url if timeout is None else f"{url}?timeout={timeout:g}"


def assignment_ids(source_dir: str | os.PathLike[str] = REPO_ROOT / "source") -> list[str]:
    """The assignments in ``source_dir``: sub-folders holding ``<id>/<id>.ipynb``, sorted."""
    source_dir = Path(source_dir)
    if not source_dir.is_dir():
        return []
    return sorted(p.name for p in source_dir.iterdir() if (p / f"{p.name}.ipynb").is_file())


def course_config():
    """The course's nbgrader settings (``nbgrader_config.py``), as a traitlets ``Config``."""
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader(REPO_CONFIG.name, path=str(REPO_CONFIG.parent)).load_config()


def source_notebook(
    assignment: str, source_dir: str | os.PathLike[str] = REPO_ROOT / "source"
) -> nbformat.NotebookNode:
    """The source notebook ``<source_dir>/<assignment>/<assignment>.ipynb`` (solutions and
    hidden tests included)."""
    return read_notebook(Path(source_dir) / assignment / f"{assignment}.ipynb")


def source_points(
    assignment: str, source_dir: str | os.PathLike[str] = REPO_ROOT / "source"
) -> dict[str, float]:
    """``{grade_id: points}`` of the assignment's autograded test cells, in notebook order;
    ``sum(source_points(a).values())`` is its total."""
    return grade_cells(source_notebook(assignment, source_dir))


_CONFIG_TEMPLATE = """\
# Written by course.grading.make_course: the course's settings, this folder as the root.
c = get_config()  # noqa: F821
load_subconfig({repo_config!r})
c.CourseDirectory.root = {root!r}
c.CourseDirectory.db_url = {db_url!r}
"""


def make_course(
    root: str | os.PathLike[str],
    assignments: Iterable[str | os.PathLike[str]] = (),
    *,
    extra_config: str = "",
    gradebook_url: str | None = None,
) -> Path:
    """Create a throwaway nbgrader course directory at ``root`` and return its path.

    ``root`` gets an ``nbgrader_config.py`` that loads the repository's configuration and then
    sets the root and the gradebook to ``root`` (SQLite with a busy timeout, see :func:`db_url`,
    unless ``gradebook_url`` gives another SQLAlchemy URL, e.g. ``postgresql://...``);
    ``extra_config`` (Python, using ``c``) is appended. Each path in ``assignments`` is a
    source assignment folder (``.../source/<id>``), copied with all its files to
    ``root/source/<id>``.
    """
    root = Path(root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    config = _CONFIG_TEMPLATE.format(
        repo_config=str(REPO_CONFIG), root=str(root), db_url=gradebook_url or db_url(root)
    )
    (root / "nbgrader_config.py").write_text(config + extra_config)
    for folder in map(Path, assignments):
        dest = root / "source" / folder.name
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(folder, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return root


def generate(
    root: str | os.PathLike[str], assignment: str, *, env: Mapping[str, str] | None = None
) -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
    """Run ``nbgrader generate_assignment`` in ``root``; return the release and source notebooks.

    The pair is what :func:`~course.grading.submissions.fill_solutions` takes to build a
    submission, for :func:`hand_in`. ``env`` is added to the command's environment.
    """
    root = Path(root)
    run_nbgrader(["generate_assignment", assignment, "--force"], root, env=env)
    notebook = f"{assignment}/{assignment}.ipynb"
    return read_notebook(root / "release" / notebook), read_notebook(root / "source" / notebook)


def hand_in(
    root: str | os.PathLike[str], assignment: str, notebooks: Mapping[str, object]
) -> list[Path]:
    """Put ``{student: notebook}`` into ``root/submitted/<student>/<assignment>/``.

    Each student's folder gets the release's files (data shipped with the notebook) and their
    notebook under the release notebook's name, as ``nbgrader collect`` would leave it; the
    release must exist (:func:`generate`). Returns the notebooks' paths.
    """
    root = Path(root)
    release = root / "release" / assignment
    if not (release / f"{assignment}.ipynb").is_file():
        raise FileNotFoundError(f"no release of {assignment!r} in {root}: generate it first")
    paths = []
    for student, nb in notebooks.items():
        folder = root / "submitted" / student / assignment
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(release, folder)
        paths.append(write_notebook(nb, folder / f"{assignment}.ipynb"))
    return paths
