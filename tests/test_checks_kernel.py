"""Cheats against the check helpers, run in a real IPython kernel.

Each scenario is a three-cell notebook: the course import (as in every notebook),
a "student" cell that tries to cheat, and a test cell as nbgrader would run it.
nbgrader fails a test cell exactly when it has an error output, so that is what
every scenario asserts, together with the reason the student is shown.
"""

from __future__ import annotations

import textwrap

import nbformat
import pytest
from nbclient import NotebookClient

IMPORTS = "import numpy as np\nfrom course.checks import case, check"
TEST_CELL = textwrap.dedent(
    """
    from course.checks import case, check
    check(bernoulli_mle, [case([1, 0, 1, 1], expected=0.75), case([1, 1, 1], expected=1.0)])
    """
)
WRONG = "def bernoulli_mle(x):\n    return 0.5\n"
RIGHT = "def bernoulli_mle(x):\n    return float(np.mean(x))\n"


def run_cells(*sources: str) -> list[dict]:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(textwrap.dedent(s)) for s in sources]
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute()
    return nb.cells


def errors(cell) -> str:
    """The text of a cell's error outputs ('' if it has none: nbgrader's pass)."""
    parts = []
    for out in cell.outputs:
        if out.output_type == "error":
            parts.append(out.ename + ": " + out.evalue + "\n" + "\n".join(out.traceback))
    return "\n".join(parts)


SCENARIOS = {
    "honest wrong answer": (WRONG, "failed on case"),
    "input transformer swallowing failures": (
        WRONG
        + textwrap.dedent(
            """
            def swallow(lines):
                body = "".join("    " + l for l in lines) or "    pass\\n"
                return ["try:\\n"] + [body] + ["except BaseException:\\n    pass\\n"]
            get_ipython().input_transformers_post.append(swallow)
            """
        ),
        "input_transformers_post",
    ),
    "AST transformer": (
        WRONG
        + textwrap.dedent(
            """
            import ast
            class Silence(ast.NodeTransformer):
                def visit_Module(self, node):
                    handler = ast.ExceptHandler(type=None, name=None, body=[ast.Pass()])
                    wrapped = ast.Try(body=node.body or [ast.Pass()], handlers=[handler],
                                      orelse=[], finalbody=[])
                    node.body = [wrapped]
                    return ast.fix_missing_locations(node)
            get_ipython().ast_transformers.append(Silence())
            """
        ),
        "AST transformers",
    ),
    "showtraceback silenced": (
        WRONG + "get_ipython().showtraceback = lambda *a, **k: None\n",
        "showtraceback",
    ),
    "custom exception handler": (
        WRONG + "get_ipython().set_custom_exc((Exception,), lambda *a, **k: None)\n",
        "custom exception handlers",
    ),
    "numpy comparison patched": (
        WRONG + "np.isclose = lambda *a, **k: True\nnp.allclose = lambda *a, **k: True\n",
        "numpy.isclose was replaced",
    ),
    "numpy.testing patched": (
        WRONG + "import numpy.testing as t\nt.assert_allclose = lambda *a, **k: None\n",
        "numpy.testing.assert_allclose was replaced",
    ),
    "math patched": (WRONG + "import math\nmath.isclose = lambda *a, **k: True\n", "math.isclose"),
    "builtins patched": (
        WRONG + "import builtins\nbuiltins.abs = lambda x: 0\n",
        "builtins.abs was replaced",
    ),
    "check function rebound in the notebook": (
        WRONG + "check = lambda *a, **k: None\n",
        "failed on case",
    ),
    "course.checks module dict edited": (
        WRONG + "import course.checks as C\nvars(C)['_values'].compare = lambda *a, **k: None\n",
        "was replaced",
    ),
    "lying float": (
        textwrap.dedent(
            """
            class Anything(float):
                def __eq__(self, other): return True
                def __float__(self): return 0.75
            def bernoulli_mle(x):
                return Anything(0.1)
            """
        ),
        "subclass of float",
    ),
    "lying array": (
        textwrap.dedent(
            """
            class Yes(np.ndarray):
                def __eq__(self, other): return True
            def bernoulli_mle(x):
                return np.zeros(1).view(Yes)
            """
        ),
        "Yes object",
    ),
    "wrong shape": (
        "def bernoulli_mle(x):\n    return np.array([np.mean(x)])\n",
        "single number",
    ),
    "returns NaN": ("def bernoulli_mle(x):\n    return float('nan')\n", "NaN"),
    "calls mlelib under another name": (
        "import mlelib as helper\ndef bernoulli_mle(x):\n    return helper.bernoulli_mle(x)\n",
        "hands the work to the reference library",
    ),
    "aliases an mlelib function": (
        "from mlelib import bernoulli_mle as my_mle\ndef bernoulli_mle(x):\n    return my_mle(x)\n",
        "hands the work to the reference library",
    ),
    "imports mlelib inside the function": (
        "def bernoulli_mle(x):\n    m = __import__('mle' + 'lib')\n    return m.bernoulli_mle(x)\n",
        "hands the work to the reference library",
    ),
    "turns off the call watcher": (
        "import sys\nimport mlelib\n"
        "def bernoulli_mle(x):\n    sys.setprofile(None)\n    return mlelib.bernoulli_mle(x)\n",
        "sys.setprofile",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_cheat_is_caught(scenario):
    student, reason = SCENARIOS[scenario]
    cells = run_cells(IMPORTS, student, TEST_CELL)
    text = errors(cells[2])
    assert text, f"{scenario}: the test cell passed"
    assert reason in text, f"{scenario}: the message does not say why:\n{text}"


@pytest.mark.slow
def test_honest_right_answer_passes_in_a_kernel():
    cells = run_cells(IMPORTS, RIGHT, TEST_CELL)
    assert errors(cells[2]) == ""
    shown = "".join(o.get("text", "") for o in cells[2].outputs)
    assert "✓ bernoulli_mle: 2 cases passed" in shown
