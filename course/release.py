"""Regenerate ``release/`` (the student notebooks) from ``source/`` through nbgrader.

Usage::

    python -m course.release               # every assignment in source/  (make release)
    python -m course.release 01_coin_flips # just these
    python -m course.release --check       # regenerate into a temporary folder and report drift

Run from the repository (the course directory), ``nbgrader generate_assignment --force``
writes ``release/<id>/`` and stores the source cells, hidden tests included, in the gradebook,
which ``nbgrader autograde`` needs later. Release folders whose source is gone are removed.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from course.grading.pipeline import REPO_ROOT, assignment_ids, make_course, run_nbgrader
from course.grading.submissions import meta, read_notebook

__all__ = ["build_release", "diff_trees", "generate", "main"]


def generate(root: Path = REPO_ROOT, ids: Iterable[str] | None = None) -> None:
    """Run ``nbgrader generate_assignment --force`` in the course directory ``root``.

    With ``ids=None`` one nbgrader process generates every assignment in ``root/source``
    (nbgrader takes a glob): starting nbgrader costs seconds, generating a notebook much less.
    """
    if ids is None:
        if assignment_ids(root / "source"):
            run_nbgrader(["generate_assignment", "*", "--force"], root)
        return
    for aid in ids:
        run_nbgrader(["generate_assignment", aid, "--force"], root)


def build_release(source_dir: Path, out_dir: Path, ids: Sequence[str] | None = None) -> Path:
    """Generate the release of ``ids`` (default: all) from ``source_dir`` into ``out_dir``.

    It runs in a throwaway course directory with its own gradebook, so the repository's
    gradebook and ``release/`` are left alone.
    """
    ids = assignment_ids(source_dir) if ids is None else list(ids)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="release-") as tmp:
        root = make_course(tmp, [source_dir / aid for aid in ids])
        generate(root)
        for aid in ids:
            shutil.copytree(root / "release" / aid, out_dir / aid)
    return out_dir


def _cell_name(cell, index: int) -> str:
    gid = meta(cell).get("grade_id")
    first = cell.get("source", "").strip().splitlines()[:1]
    label = f"grade_id {gid!r}" if gid else f"first line {first[0]!r}" if first else "empty"
    return f"cell {index} ({cell.get('cell_type')}, {label})"


def _diff_notebooks(name: str, want_path: Path, got_path: Path) -> list[str]:
    want, got = read_notebook(want_path), read_notebook(got_path)
    problems = []
    if len(want.cells) != len(got.cells):
        problems.append(f"{name}: {len(got.cells)} cells, expected {len(want.cells)}")
    for i, (w, g) in enumerate(zip(want.cells, got.cells, strict=False)):
        for field in ("cell_type", "source", "metadata", "outputs"):
            if w.get(field) != g.get(field):
                problems.append(f"{name}: {_cell_name(w, i)} differs in its {field}")
    if not problems:
        problems.append(f"{name}: notebook metadata or formatting differs")
    return problems


def diff_trees(expected: Path, actual: Path) -> list[str]:
    """Describe how the folder ``actual`` differs from ``expected`` (empty list: identical).

    Notebooks are compared cell by cell, so a message names the notebook and the cell.
    """

    def files(d: Path) -> set[str]:
        if not d.is_dir():
            return set()
        skip = {".ipynb_checkpoints", "__pycache__"}
        return {
            str(p.relative_to(d))
            for p in d.rglob("*")
            if p.is_file() and not skip & set(p.relative_to(d).parts)
        }

    want, got = files(expected), files(actual)
    problems = [f"{f}: missing" for f in sorted(want - got)]
    problems += [f"{f}: not generated from source/ (stale?)" for f in sorted(got - want)]
    for f in sorted(want & got):
        if (expected / f).read_bytes() == (actual / f).read_bytes():
            continue
        if f.endswith(".ipynb"):
            problems += _diff_notebooks(f, expected / f, actual / f)
        else:
            problems.append(f"{f}: contents differ")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course.release", description=__doc__)
    parser.add_argument("ids", nargs="*", help="assignment ids (default: all in source/)")
    parser.add_argument("--check", action="store_true", help="only report drift, write nothing")
    args = parser.parse_args(argv)

    available = assignment_ids(REPO_ROOT / "source")
    unknown = sorted(set(args.ids) - set(available))
    if unknown:
        parser.error(f"no source/<id>/<id>.ipynb for: {', '.join(unknown)}")
    ids = args.ids or available

    if args.check:
        with tempfile.TemporaryDirectory(prefix="release-check-") as tmp:
            fresh = build_release(REPO_ROOT / "source", Path(tmp), ids)
            problems = []
            for aid in ids:
                problems += diff_trees(fresh / aid, REPO_ROOT / "release" / aid)
        for p in problems:
            print("release/" + p)
        print("release/ is up to date" if not problems else "run `make release`")
        return 1 if problems else 0

    if not args.ids:
        release = REPO_ROOT / "release"
        for stale in sorted(release.iterdir() if release.is_dir() else []):
            if stale.is_dir() and stale.name not in available:
                print(f"removing release/{stale.name} (no source)")
                shutil.rmtree(stale)
    print(f"generating release/ for: {', '.join(ids) or 'nothing (source/ is empty)'}", flush=True)
    generate(REPO_ROOT, None if not args.ids else ids)
    return 0


if __name__ == "__main__":
    sys.exit(main())
