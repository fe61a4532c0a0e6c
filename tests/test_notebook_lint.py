"""A lint for the eight notebooks: what a reviewer would otherwise have to catch by eye.

Static checks, no kernel: control characters, the reference library in narrative cells,
stored outputs, the points a student is promised, and LaTeX that cannot typeset (the
browser test in ``test_math_render.py`` checks the rendering itself). Each failure names
the notebook and the cell index.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted(ROOT.glob("source/*/*.ipynb"))
RELEASES = sorted(ROOT.glob("release/*/*.ipynb"))
ALL = SOURCES + RELEASES


def test_all_eight_notebooks_are_linted():
    assert len(SOURCES) == 8 and len(RELEASES) == 8, (SOURCES, RELEASES)


def label(path: Path) -> str:
    return str(path.relative_to(ROOT))


def grading(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def is_test_cell(cell) -> bool:
    m = grading(cell)
    return bool(m.get("grade")) and not m.get("solution")


@pytest.fixture(scope="module", params=ALL, ids=label)
def notebook(request):
    return request.param, nbformat.read(request.param, as_version=4)


@pytest.fixture(scope="module", params=SOURCES, ids=label)
def source(request):
    return request.param, nbformat.read(request.param, as_version=4)


# -- characters ------------------------------------------------------------------------------
# C0 controls except the newline, DEL and the C1 controls. A tab or a backspace in a markdown
# cell is what "\theta" and "\begin" became when a string with single backslashes was
# written through Python: the formula then renders as garbage.
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def test_no_control_characters(notebook):
    path, nb = notebook
    found = [
        (i, repr(m.group()), cell.source[max(0, m.start() - 20) : m.end() + 20])
        for i, cell in enumerate(nb.cells)
        for m in CONTROL.finditer(cell.source)
    ]
    assert not found, f"{label(path)}: control characters (cell, char, context): {found}"


def test_the_control_character_rule_catches_a_lost_backslash():
    assert CONTROL.search("$\theta$")  # "\t" + "heta": a tab
    assert CONTROL.search("$\begin{pmatrix}$")  # "\b": a backspace
    assert not CONTROL.search("$\\theta$\n| a | b |")


# -- the reference library -------------------------------------------------------------------
MLELIB = re.compile(r"\bmlelib\b")


def test_only_test_cells_use_the_reference_library(source):
    """While a submission is graded, mlelib is a stand-in that raises: a narrative cell that
    uses it would fail there (and a solution must not hand its work to it)."""
    path, nb = source
    bad = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and not is_test_cell(cell) and MLELIB.search(cell.source)
    ]
    assert not bad, f"{label(path)}: code cells {bad} use mlelib but are not test cells"


# -- stored state ----------------------------------------------------------------------------
def test_source_notebooks_are_committed_without_outputs(source):
    path, nb = source
    bad = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not bad, f"{label(path)}: cells {bad} carry outputs or execution counts"


# -- points ----------------------------------------------------------------------------------
# A row names a function with its signature (`bernoulli_mle(x)`) or a derivation by its list
# (`bernoulli_score_steps`); an exercise numbered after another is "3b".
TABLE_ROW = re.compile(r"^\|\s*(\d+[a-z]?)\s*\|\s*`(\w+)(?:\(.*?\))?`\s*\|\s*(\d+)\s*\|\s*$", re.M)
TOTAL_ROW = re.compile(r"^\|\s*\|\s*\*\*total\*\*\s*\|\s*\*\*(\d+)\*\*\s*\|\s*$", re.M)
HEADING = re.compile(r"^#+ .*\bExercise\b.*$", re.M)
HEADING_POINTS = re.compile(r"\((\d+) points?\)")


def graded(nb) -> list[tuple[str, int]]:
    """(function name, points) of every graded test cell, in order."""
    out = []
    for cell in nb.cells:
        if is_test_cell(cell):
            m = grading(cell)
            out.append((m["grade_id"].removeprefix("test_"), int(m["points"])))
    return out


def test_the_intro_table_lists_every_exercise_with_its_points(source):
    path, nb = source
    expected = graded(nb)
    assert expected, f"{label(path)} has no graded cell"
    intro = nb.cells[0].source
    rows = [(name, int(points)) for _, name, points in TABLE_ROW.findall(intro)]
    assert rows == expected, (
        f"{label(path)}: the points table of cell 0 lists {rows}, the graded cells are {expected}"
    )
    total = TOTAL_ROW.findall(intro)
    assert total == [str(sum(p for _, p in expected))], f"{label(path)}: total row {total}"


def test_every_exercise_heading_states_its_points(source):
    path, nb = source
    headings = [
        (i, h)
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "markdown"
        for h in HEADING.findall(cell.source)
    ]
    expected = graded(nb)
    assert len(headings) == len(expected), (
        f"{label(path)}: {len(headings)} exercise headings for {len(expected)} graded cells"
    )
    for (i, heading), (name, points) in zip(headings, expected, strict=True):
        stated = HEADING_POINTS.findall(heading)
        assert stated == [str(points)], f"{label(path)} cell {i}: {heading!r} for {name} ({points})"


# -- LaTeX that cannot typeset ---------------------------------------------------------------
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)
MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$", re.S)


def formulas(markdown: str) -> list[str]:
    text = CODE.sub("", markdown)
    return [a or b for a, b in MATH.findall(text)]


def brace_problem(tex: str) -> str | None:
    depth = 0
    for ch in re.sub(r"\\[{}]", "", tex):
        depth += (ch == "{") - (ch == "}")
        if depth < 0:
            return "a } closes nothing"
    if depth:
        return f"{depth} unclosed {{"
    begins = re.findall(r"\\begin\{(\w+\*?)\}", tex)
    ends = re.findall(r"\\end\{(\w+\*?)\}", tex)
    if begins != ends[::-1] and sorted(begins) != sorted(ends):
        return f"\\begin{begins} against \\end{ends}"
    lefts, rights = len(re.findall(r"\\left\b", tex)), len(re.findall(r"\\right\b", tex))
    if lefts != rights:
        return f"{lefts} \\left against {rights} \\right"
    return None


def test_every_formula_has_balanced_braces_and_environments(notebook):
    path, nb = notebook
    bad = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        text = CODE.sub("", cell.source)
        if len(re.findall(r"(?<!\\)\$\$", text)) % 2:
            bad.append((i, "an odd number of $$"))
        for tex in formulas(cell.source):
            problem = brace_problem(tex)
            if problem:
                bad.append((i, problem, tex[:80]))
    assert not bad, f"{label(path)}: {bad}"


def test_the_formula_check_catches_what_it_should():
    assert formulas("a $x^2$ and `$not$` and $$\\frac{1}{2}$$") == ["x^2", "\\frac{1}{2}"]
    assert brace_problem("\\frac{1}{2") == "1 unclosed {"
    assert brace_problem("\\begin{pmatrix} a \\end{bmatrix}")
    assert brace_problem("\\left( x \\big)")
    assert brace_problem("\\bigl( \\{x\\} \\bigr)") is None


# -- the data the notebooks read -------------------------------------------------------------
def test_challenger_launches_are_listed_in_date_order():
    """Dates are month/day/year; a day and month swapped (STS-5 once read 01/11/1982 for
    11 November 1982) shows up as a launch out of order."""
    with open(ROOT / "course/data/challenger_oring.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    days = []
    for row in rows:
        month, day, year = (int(v) for v in row["Date"].split("/"))
        days.append(date(year + 1900 if year < 100 else year, month, day))
    late = [
        (rows[i]["Date"], rows[i + 1]["Date"])
        for i in range(len(days) - 1)
        if days[i + 1] <= days[i]
    ]
    assert not late, f"launches out of order: {late}"
    assert days[4] == date(1982, 11, 11)  # STS-5, the fifth flight
    assert days[-1] == date(1986, 1, 28)  # the accident


@pytest.mark.parametrize("release", RELEASES, ids=lambda p: p.parent.name)
def test_the_last_cell_tells_a_learner_how_to_check_the_whole_notebook(release):
    last = nbformat.read(release, as_version=4).cells[-1]
    aid = release.parent.name
    assert last.cell_type == "markdown"
    assert f"mle-course check release/{aid}/{aid}.ipynb" in last.source
    assert "Save it" in last.source and "instructor" in last.source
