"""Every test cell is self-contained and declares which of the notebook's names are the student's.

During autograde a test cell runs in the grader's process with a fresh namespace
(course.grading.remote): it sees what it imports and defines itself, and the names on its first
line (``# your code: a, b``), which are the student's and are fetched from the kernel. A test
cell that reads any other notebook state (a variable of a narrative cell, ``np`` from the first
cell) would fail there, so this test fails first, for every source notebook.
"""

from __future__ import annotations

import ast

import pytest

from course.grading import REPO_ROOT, assignment_ids, is_test_cell, meta, read_notebook
from course.grading.remote import declared_names
from course.grading.submissions import free_names, parse_cell

CELLS = [
    pytest.param(aid, i, id=f"{aid}-{meta(c)['grade_id']}")
    for aid in assignment_ids(REPO_ROOT / "source")
    for i, c in enumerate(read_notebook(REPO_ROOT / "source" / aid / f"{aid}.ipynb").cells)
    if is_test_cell(c)
]


def _notebook(aid):
    return read_notebook(REPO_ROOT / "source" / aid / f"{aid}.ipynb")


def _solution_names(nb) -> set[str]:
    """What the student's solution cells define: functions, classes and assigned names."""
    names: set[str] = set()
    for c in nb.cells:
        if c.cell_type == "code" and meta(c).get("solution"):
            for node in parse_cell(c.source).body:
                if isinstance(node, ast.FunctionDef | ast.ClassDef):
                    names.add(node.name)
                elif isinstance(node, ast.Assign):
                    names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


@pytest.mark.parametrize("aid, index", CELLS)
def test_a_test_cell_reads_only_its_own_code_and_the_names_it_declares(aid, index):
    nb = _notebook(aid)
    source = nb.cells[index].source
    declared = declared_names(source)
    assert declared, "the first line must be `# your code: name, ...`"
    assert set(declared) <= _solution_names(nb), (
        f"declared {declared}, but the solution cells define {sorted(_solution_names(nb))}"
    )
    undeclared = [n for n in free_names(source) if n not in declared]
    assert not undeclared, (
        f"the test cell reads {undeclared}, which it neither imports nor defines nor declares "
        "as the student's"
    )
    unused = [n for n in declared if n not in free_names(source)]
    assert not unused, f"declared but never used: {unused}"


def test_the_declaration_is_visible_in_the_release():
    # The first line is outside the hidden region, so the student sees it in the release too.
    for aid in assignment_ids(REPO_ROOT / "release"):
        release = read_notebook(REPO_ROOT / "release" / aid / f"{aid}.ipynb")
        for c in release.cells:
            if is_test_cell(c):
                assert declared_names(c.source), (aid, meta(c)["grade_id"])


@pytest.mark.parametrize(
    "source, free",
    [
        ("x = 1\nprint(x)", []),
        ("import numpy as np\nnp.mean(y)", ["y"]),
        ("def f(a):\n    return a + b\nf(c)", ["b", "c"]),
        ("for i in range(3):\n    total += i", ["total"]),
        ("[k for k in ks]", ["ks"]),
        ("lambda t, _x=_x: g(_x, t)", ["_x", "g"]),
        ("%matplotlib inline\nplt.plot(z)", ["get_ipython", "plt", "z"]),  # no magics in tests
        ("class A:\n    v = w\n    def m(self):\n        return self.v + u", ["w", "u"]),
    ],
)
def test_free_names_finds_what_a_cell_reads_from_outside(source, free):
    assert sorted(free_names(source)) == sorted(free)
