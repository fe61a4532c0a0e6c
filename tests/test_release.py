"""The committed release/ is what nbgrader generates from source/, and gives nothing away."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from course.grading import REPO_ROOT, assignment_ids, leaked_lines, read_notebook
from course.release import build_release, diff_trees, main

SOURCE, RELEASE = REPO_ROOT / "source", REPO_ROOT / "release"


@pytest.mark.slow
def test_committed_release_matches_a_fresh_generation(tmp_path):
    fresh = build_release(SOURCE, tmp_path / "release")
    problems = diff_trees(fresh, RELEASE)
    assert not problems, (
        "release/ has drifted from source/; run `make release` and commit release/:\n  "
        + "\n  ".join(f"release/{p}" for p in problems)
    )


@pytest.mark.parametrize("aid", assignment_ids(SOURCE))
def test_committed_release_gives_away_no_solution_and_no_hidden_test(aid):
    release = RELEASE / aid / f"{aid}.ipynb"
    assert release.is_file(), f"release/{aid}/{aid}.ipynb is missing; run `make release`"
    leaked = leaked_lines(read_notebook(SOURCE / aid / f"{aid}.ipynb"), read_notebook(release))
    assert not leaked, f"release/{aid} gives away:\n" + "\n".join(leaked)


def _tiny_notebook(cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    for grade_id, source in cells:
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["nbgrader"] = {"grade_id": grade_id, "locked": True}
        nb.cells.append(cell)
    return nb


def test_diff_trees_names_the_notebook_and_the_cell(tmp_path):
    a, b = tmp_path / "a" / "x", tmp_path / "b" / "x"
    a.mkdir(parents=True)
    nbformat.write(_tiny_notebook([("intro", "1"), ("test_f", "check(f, [])")]), a / "x.ipynb")
    (a / "data.csv").write_text("k\n1\n")
    shutil.copytree(a, b)
    assert diff_trees(a.parent, b.parent) == []

    nbformat.write(_tiny_notebook([("intro", "1"), ("test_f", "pass")]), b / "x.ipynb")
    (b / "data.csv").unlink()
    (b / "old.txt").write_text("stale")
    problems = diff_trees(a.parent, b.parent)
    assert "x/data.csv: missing" in problems
    assert any(p.startswith("x/old.txt") for p in problems)
    assert "x/x.ipynb: cell 1 (code, grade_id 'test_f') differs in its source" in problems


def test_leaked_lines_finds_solution_and_hidden_test_lines():
    source = _tiny_notebook(
        [
            ("f", "def f(x):\n    ### BEGIN SOLUTION\n    return x**2 + 1\n    ### END SOLUTION"),
            (
                "test_f",
                "check(f, [case(1)])\n### BEGIN HIDDEN TESTS\ncheck(f, [case(7)])\n"
                "### END HIDDEN TESTS",
            ),
        ]
    )
    clean = _tiny_notebook(
        [("f", "def f(x):\n    raise NotImplementedError()"), ("test_f", "check(f, [case(1)])")]
    )
    assert leaked_lines(source, clean) == []
    leaky = _tiny_notebook(
        [
            ("f", "def f(x):\n    return x**2 + 1"),
            ("test_f", "check(f, [case(1)])\ncheck(f, [case(7)])"),
        ]
    )
    assert leaked_lines(source, leaky) == ["check(f, [case(7)])", "return x**2 + 1"]


def test_release_command_rejects_an_unknown_assignment(capsys):
    with pytest.raises(SystemExit):
        main(["no_such_assignment"])
    assert "no_such_assignment" in capsys.readouterr().err


def test_release_of_an_empty_source_is_empty(tmp_path):
    (tmp_path / "source").mkdir()
    out = build_release(tmp_path / "source", tmp_path / "release")
    assert list(Path(out).iterdir()) == []


def test_cli_dispatches_and_rejects_unknown_commands(capsys):
    from course.cli import main as cli

    assert cli(["frobnicate"]) == 2
    assert "unknown command 'frobnicate'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli(["release", "no_such_assignment"])
    assert "no_such_assignment" in capsys.readouterr().err
