"""Self-paced learners: grade your own notebook with the full tests, see your progress, and read
a worked solution once you have tried.

    mle-course check [NOTEBOOK ...]       grade saved notebooks (default: every one in release/)
    mle-course progress [--html PAGE]     points per notebook from your last checks
    mle-course solution NOTEBOOK EXERCISE [--anyway]
                                          the reference solution of one exercise

``check`` grades the notebook **as saved on disk** (save it in JupyterLab first: a change that
is only in the browser is not seen) exactly as the instructor's autograde does: the visible and
hidden tests of ``source/`` run in the grader, your functions in a sandboxed kernel when
bubblewrap is installed (otherwise without the sandbox, and it says so). It prints the points of
each exercise and, for a failing one, the message the instructor's feedback would show, never
the hidden test code; it writes ``<notebook>.feedback.html`` beside the notebook and records the
result in ``.mle-progress.json`` at the top of the course (git-ignored), which ``progress`` and
``solution`` read. Your notebook itself is only read.

In an instructor's class the notebooks come without ``source/``: grading is the instructor's,
and these commands say so and stop.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat

from course.grading.pipeline import REPO_ROOT

__all__ = ["PROGRESS_FILE", "ExerciseResult", "check", "main", "progress", "solution"]

PROGRESS_FILE = ".mle-progress.json"
STUDENT = "you"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class UsageError(Exception):
    """A one-line message for the learner; no traceback."""


class NoSource(UsageError):
    """No ``source/``: a student in an instructor's class, for whom grading is the instructor's."""


@dataclass
class ExerciseResult:
    exercise: str
    points: float
    possible: float
    message: str  # the first failing test's feedback ('' when every test passed)
    attempted: bool  # the solution cell is no longer the release's stub


# --- finding things ------------------------------------------------------------------------


def _assignments(root: Path) -> list[str]:
    source = root / "source"
    if not source.is_dir():
        raise NoSource(
            "this copy of the course has no source/ folder, so it cannot grade itself: in an "
            "instructor's class, grading is the instructor's (submit your notebook as they say)"
        )
    return sorted(p.name for p in source.iterdir() if (p / f"{p.name}.ipynb").is_file())


def _read(path: Path) -> nbformat.NotebookNode:
    if not path.is_file():
        raise UsageError(f"no such notebook: {path}")
    try:
        return nbformat.read(os.fspath(path), as_version=4)
    except Exception as exc:  # noqa: BLE001 - any reader error is a corrupt file to the learner
        raise UsageError(
            f"{path} is not a readable notebook ({type(exc).__name__}): is the "
            ".ipynb file complete? JupyterLab's File > Revert can help"
        ) from None


def _assignment_of(path: Path, nb, root: Path) -> str:
    from course.grading.submissions import grade_cells, read_notebook

    ids = _assignments(root)
    for aid in ids:
        if path.stem == aid or path.parent.name == aid:
            ours = set(grade_cells(read_notebook(root / "source" / aid / f"{aid}.ipynb")))
            if set(grade_cells(nb)) <= ours and grade_cells(nb):
                return aid
    raise UsageError(f"{path} is not one of the course's notebooks ({', '.join(ids)})")


def _resolve(name: str, root: Path) -> str:
    """An assignment id from an id, a prefix such as '01', or a notebook path."""
    ids = _assignments(root)
    stem = Path(name).stem
    found = [a for a in ids if a == stem or a.startswith(stem + "_") or a.split("_")[0] == stem]
    if len(found) != 1:
        raise UsageError(f"unknown notebook {name!r}: use one of {', '.join(ids)}")
    return found[0]


def _progress_path(root: Path) -> Path:
    return root / PROGRESS_FILE


def _load_progress(root: Path) -> dict:
    path = _progress_path(root)
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text())
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _save_progress(root: Path, data: dict) -> None:
    path = _progress_path(root)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
    tmp.replace(path)  # never a half-written file


# --- check -----------------------------------------------------------------------------------


def _feedback_text(cell) -> str:
    """The failing test's message as the instructor's feedback shows it (hidden lines removed)."""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            lines = [_ANSI.sub("", line) for line in out.get("traceback", [])]
            text = "\n".join(lines).strip() or f"{out.get('ename')}: {out.get('evalue')}"
            return text
    return ""


def _grade(path: Path, nb, aid: str, root: Path) -> tuple[list[ExerciseResult], str, Path]:
    from course.grading import sandbox
    from course.grading.feedback import ClearHiddenTracebacks
    from course.grading.gradebook import cell_scores
    from course.grading.pipeline import db_url, generate, hand_in, make_course, run_nbgrader
    from course.grading.submissions import exercises, meta, read_notebook

    try:
        sandbox.find_bwrap()
        env, how = {sandbox.ENV_UNSANDBOXED: ""}, "in the sandbox"
    except sandbox.SandboxError:
        env, how = {sandbox.ENV_UNSANDBOXED: "1"}, "WITHOUT the sandbox (bubblewrap not found)"
    with tempfile.TemporaryDirectory(prefix="mle-check-") as tmp:
        course = make_course(Path(tmp) / "course", [root / "source" / aid])
        generate(course, aid, env=env)
        hand_in(course, aid, {STUDENT: nb})
        run_nbgrader(["autograde", aid, "--force"], course, env=env, check=False)
        graded_path = course / "autograded" / STUDENT / aid / f"{aid}.ipynb"
        scores = cell_scores(db_url(course), aid).get(STUDENT)
        if not graded_path.is_file() or scores is None:
            raise UsageError(
                f"{path} could not be graded: the notebook stopped the grading kernel (does a "
                "cell call os._exit or loop forever outside a function?)"
            )
        graded, _ = ClearHiddenTracebacks().preprocess(read_notebook(graded_path), {})
        run_nbgrader(["generate_feedback", aid, "--force"], course, env=env, check=False)
        page = course / "feedback" / STUDENT / aid / f"{aid}.html"
        feedback = path.with_name(f"{path.stem}.feedback.html")
        if page.is_file():
            shutil.copyfile(page, feedback)
        by_id = {meta(c).get("grade_id"): c for c in graded.cells}
        release = read_notebook(course / "release" / aid / f"{aid}.ipynb")
        stubs = {
            meta(c).get("grade_id"): c.source.strip()
            for c in release.cells
            if meta(c).get("solution")
        }
        mine = {
            meta(c).get("grade_id"): c.source.strip() for c in nb.cells if meta(c).get("solution")
        }
        results = []
        for ex in exercises(read_notebook(root / "source" / aid / f"{aid}.ipynb")):
            got = sum(scores[t].score for t in ex.tests if t in scores)
            message = next(
                (
                    _feedback_text(by_id[t])
                    for t in ex.tests
                    if t in by_id and scores.get(t) and scores[t].score < scores[t].max_score
                ),
                "",
            )
            attempted = mine.get(ex.grade_id, "") not in ("", stubs.get(ex.grade_id))
            results.append(ExerciseResult(ex.grade_id, got, ex.points, message, attempted))
    return results, how, feedback


def check(paths: list[str], root: Path = REPO_ROOT, out=print) -> int:
    """Grade each notebook, print the results, record them. Returns an exit code."""
    targets = [Path(p) for p in paths] or [
        root / "release" / aid / f"{aid}.ipynb" for aid in _assignments(root)
    ]
    progress = _load_progress(root)
    for path in targets:
        nb = _read(path)
        aid = _assignment_of(path, nb, root)
        saved = dt.datetime.fromtimestamp(path.stat().st_mtime).strftime("%H:%M:%S")
        start = time.monotonic()
        results, how, feedback = _grade(path, nb, aid, root)
        got = sum(r.points for r in results)
        possible = sum(r.possible for r in results)
        out(
            f"{aid}: {got:g}/{possible:g} points (the file saved at {saved}, graded {how}, "
            f"{time.monotonic() - start:.0f} s)"
        )
        width = max(len(r.exercise) for r in results)
        for r in results:
            mark = "✓" if r.points == r.possible else "✗"
            out(f"  {mark} {r.exercise:<{width}}  {r.points:g}/{r.possible:g}")
            for line in r.message.splitlines()[:12]:
                out(f"        {line}")
        out(f"  feedback: {feedback}")
        progress[aid] = {
            "notebook": str(path),
            "checked": dt.datetime.now().isoformat(timespec="seconds"),
            "exercises": [asdict(r) for r in results],
        }
        _save_progress(root, progress)
    return 0


# --- progress ----------------------------------------------------------------------------------


def _rows(root: Path) -> list[dict]:
    from course.grading.submissions import exercises, read_notebook

    data = _load_progress(root)
    rows = []
    for aid in _assignments(root):
        exs = exercises(read_notebook(root / "source" / aid / f"{aid}.ipynb"))
        record = data.get(aid, {})
        done = {e.get("exercise"): e for e in record.get("exercises", []) if isinstance(e, dict)}
        got = sum(float(done[e.grade_id]["points"]) for e in exs if e.grade_id in done)
        open_ = [
            e.grade_id
            for e in exs
            if e.grade_id not in done or done[e.grade_id]["points"] < e.points
        ]
        rows.append(
            {
                "assignment": aid,
                "points": got,
                "possible": sum(e.points for e in exs),
                "open": open_,
                "checked": record.get("checked", ""),
            }
        )
    return rows


def progress(root: Path = REPO_ROOT, html_path: str | None = None, out=print) -> int:
    rows = _rows(root)
    width = max(len(r["assignment"]) for r in rows)
    out(f"{'notebook':<{width}}  points   last checked         still open")
    for r in rows:
        checked = r["checked"].replace("T", " ") if r["checked"] else "never"
        pts = f"{r['points']:g}/{r['possible']:g}"
        out(f"{r['assignment']:<{width}}  {pts:<7}  {checked:<19}  {', '.join(r['open']) or '-'}")
    total = sum(r["points"] for r in rows), sum(r["possible"] for r in rows)
    out(f"{'total':<{width}}  {total[0]:g}/{total[1]:g}")
    if html_path:
        Path(html_path).write_text(_progress_html(rows))
        out(f"written: {html_path}")
    return 0


def _progress_html(rows: list[dict]) -> str:
    bars = []
    for r in rows:
        share = 0 if not r["possible"] else 100 * r["points"] / r["possible"]
        bars.append(
            f"<tr><td>{html.escape(r['assignment'])}</td>"
            f"<td><div class='bar'><div style='width:{share:.0f}%'></div></div></td>"
            f"<td>{r['points']:g}/{r['possible']:g}</td>"
            f"<td>{html.escape(r['checked'].replace('T', ' ') or 'never')}</td>"
            f"<td>{html.escape(', '.join(r['open']) or '-')}</td></tr>"
        )
    return (
        "<!doctype html><meta charset='utf-8'><title>MLE course: progress</title><style>"
        "body{font-family:sans-serif;margin:2em}td{padding:4px 10px}"
        ".bar{width:240px;height:14px;background:#eee}.bar div{height:14px;background:#2a7}"
        "</style><h1>Your progress</h1><table><tr><th>notebook</th><th></th><th>points</th>"
        "<th>last checked</th><th>still open</th></tr>" + "".join(bars) + "</table>"
    )


# --- solution ----------------------------------------------------------------------------------


def solution(
    name: str, exercise: str, root: Path = REPO_ROOT, anyway: bool = False, out=print
) -> int:
    from course.grading.submissions import meta, read_notebook

    aid = _resolve(name, root)
    source = read_notebook(root / "source" / aid / f"{aid}.ipynb")
    cells = source.cells
    index = next(
        (
            i
            for i, c in enumerate(cells)
            if c.cell_type == "code"
            and meta(c).get("solution")
            and meta(c).get("grade_id") == exercise
        ),
        None,
    )
    if index is None:
        names = [
            meta(c)["grade_id"] for c in cells if c.cell_type == "code" and meta(c).get("solution")
        ]
        raise UsageError(
            f"{aid} has no exercise {exercise!r}: its exercises are {', '.join(names)}"
        )
    tried = {
        e.get("exercise")
        for e in _load_progress(root).get(aid, {}).get("exercises", [])
        if isinstance(e, dict) and e.get("attempted")
    }
    if exercise not in tried and not anyway:
        out(
            f"Try {exercise} first: write your answer, save the notebook and run "
            f"`mle-course check release/{aid}/{aid}.ipynb`; then ask again "
            "(or add --anyway to read it now)."
        )
        return 1
    explanation = next(
        (cells[i].source for i in range(index - 1, -1, -1) if cells[i].cell_type == "markdown"), ""
    )
    code = "\n".join(
        line
        for line in cells[index].source.splitlines()
        if "BEGIN SOLUTION" not in line and "END SOLUTION" not in line
    )
    out(f"{aid}, exercise {exercise}\n")
    out(explanation.strip() + "\n")
    out(code)
    return 0


# --- command line ------------------------------------------------------------------------------


def main(command: str, argv: list[str], root: Path = REPO_ROOT, out=print) -> int:
    """``mle-course check|progress|solution ARGS``; ``out`` prints one line."""
    parser = argparse.ArgumentParser(
        prog=f"mle-course {command}",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    if command == "check":
        parser.add_argument(
            "notebooks", nargs="*", help="saved notebooks (default: all of release/)"
        )
    elif command == "progress":
        parser.add_argument("--html", metavar="PAGE", help="also write the table as a web page")
    else:
        parser.add_argument("notebook", help="an assignment id, its number, or its notebook")
        parser.add_argument("exercise", help="the exercise (its function's name)")
        parser.add_argument("--anyway", action="store_true", help="show it without trying first")
    args = parser.parse_args(argv)
    try:
        if command == "check":
            return check(args.notebooks, root, out)
        if command == "progress":
            return progress(root, args.html, out)
        return solution(args.notebook, args.exercise, root, args.anyway, out)
    except UsageError as exc:
        out(f"mle-course {command}: {exc}")
        return 0 if isinstance(exc, NoSource) else 2
    except BrokenPipeError:  # `mle-course solution ... | head`
        return 0
