"""The fast lane stays fast: a test that starts nbgrader, a kernel, a server or a browser
carries a slow-lane marker, or the guard in conftest.py fails it.

These tests run in the fast lane themselves: the guard is exercised in a small pytest session
of its own whose "heavy" programs are stand-ins named like the real ones.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import LANE_MARKERS, heavy_command, shared_build_modules
from jupyter_client.kernelspec import KernelSpecManager

from course.grading import REPO_ROOT, nbgrader_command, sandbox

TESTS = Path(__file__).resolve().parent

INNER_TESTS = """
import subprocess
import sys

import pytest
from jupyter_client.kernelspec import KernelSpecManager

BIN = {bin!r}


def test_unmarked_runs_nbgrader():
    subprocess.run([BIN + "/nbgrader", "autograde", "ps1"], check=True)


def test_unmarked_starts_a_kernel_as_jupyter_client_would():
    argv = KernelSpecManager().get_kernel_spec("python3").argv
    subprocess.run(["true", *argv[1:]], check=True)  # the kernel's command line, run by `true`


@pytest.fixture
def browser():
    subprocess.run([BIN + "/chromium", "--headless"], check=True)


def test_unmarked_uses_a_fixture_that_starts_a_browser(browser):
    pass


@pytest.mark.parametrize("marker", {markers!r})
def test_marked_may_run_nbgrader(request, marker):
    request.applymarker(getattr(pytest.mark, marker))
    subprocess.run([BIN + "/nbgrader", "autograde", "ps1"], check=True)


def test_unmarked_runs_ordinary_processes():
    subprocess.run(["true"], check=True)
    subprocess.run([sys.executable, "-c", "print('nbgrader')"], check=True)
"""


def _inner_session(tmp_path: Path) -> dict[str, str]:
    """Run INNER_TESTS under this folder's conftest.py: ``{test name: outcome and message}``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("nbgrader", "chromium"):  # stand-ins: they start nothing and exit 0
        (bin_dir / name).write_text("#!/bin/sh\nexit 0\n")
        (bin_dir / name).chmod(0o755)
    for helper in ("conftest.py", "properties.py"):  # conftest imports properties
        (tmp_path / helper).write_text((TESTS / helper).read_text())
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nmarkers =\n" + "".join(f"    {m}: a lane marker\n" for m in LANE_MARKERS)
    )
    (tmp_path / "test_inner.py").write_text(
        INNER_TESTS.format(bin=str(bin_dir), markers=list(LANE_MARKERS))
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist",
         "--strict-markers", f"--junitxml={tmp_path / 'report.xml'}", str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert (tmp_path / "report.xml").exists(), proc.stdout + proc.stderr
    outcomes = {}
    for case in ET.parse(tmp_path / "report.xml").iter("testcase"):
        bad = case.find("failure")
        bad = case.find("error") if bad is None else bad
        outcomes[case.get("name")] = (
            "passed" if bad is None else f"{bad.tag}: {bad.get('message')}\n{bad.text}"
        )
    return outcomes


def test_the_guard_fails_unmarked_tests_that_start_slow_lane_programs(tmp_path):
    got = _inner_session(tmp_path)
    for name in (
        "test_unmarked_runs_nbgrader",
        "test_unmarked_starts_a_kernel_as_jupyter_client_would",
        "test_unmarked_uses_a_fixture_that_starts_a_browser",
    ):
        assert got.get(name, "").startswith(("failure", "error")), f"{name}: {got.get(name)}"
        assert "carries none of the markers" in got[name], got[name]
    assert "nbgrader" in got["test_unmarked_runs_nbgrader"]
    assert "a Jupyter kernel" in got["test_unmarked_starts_a_kernel_as_jupyter_client_would"]
    assert "a browser" in got["test_unmarked_uses_a_fixture_that_starts_a_browser"]
    for marker in LANE_MARKERS:
        assert got.get(f"test_marked_may_run_nbgrader[{marker}]") == "passed", got
    assert got.get("test_unmarked_runs_ordinary_processes") == "passed", got


def test_the_real_commands_of_kernels_servers_and_browsers_are_recognised():
    python3 = KernelSpecManager().get_kernel_spec("python3").argv
    spec = sandbox.KERNELSPEC_PATH / "kernels" / sandbox.KERNEL_NAME / "kernel.json"
    sandboxed = json.loads(spec.read_text())["argv"]
    assert heavy_command(python3) == "a Jupyter kernel"
    assert heavy_command(sandboxed) == "the sandboxed kernel"
    assert heavy_command([sys.executable, "-m", "nbgrader", "validate", "x.ipynb"]) == "nbgrader"
    assert heavy_command("/venv/bin/nbgrader autograde ps1 --force") == "nbgrader"
    assert heavy_command([*nbgrader_command(), "autograde", "ps1", "--force"]) == "nbgrader"
    assert heavy_command(["/venv/bin/jupyter-lab", "--no-browser"]) == "a Jupyter server"
    assert heavy_command(["/venv/bin/jupyter", "lab", "--no-browser"]) == "a Jupyter lab"
    assert heavy_command(["jupyter", "nbconvert", "--to", "html", "--execute", "a.ipynb"])
    assert heavy_command(["runuser", "-u", "postgres", "--", "/usr/lib/x/bin/initdb"])
    assert heavy_command(["/usr/bin/chromium", "--headless"]) == "a browser"
    assert heavy_command(["/x/playwright/driver/node", "/x/playwright/driver/package/cli.js"])
    # ...and ordinary commands are not: the fast lane may run them
    assert heavy_command(["/venv/bin/jupyter", "labextension", "list"]) is None
    assert heavy_command(["jupyter", "nbconvert", "--to", "html", "a.ipynb"]) is None
    assert heavy_command([sys.executable, "-c", "import course.widgets"]) is None
    assert heavy_command("git status") is None


def test_the_lane_markers_are_the_registered_ones(pytestconfig):
    registered = {line.split(":")[0].strip() for line in pytestconfig.getini("markers")}
    assert set(LANE_MARKERS) <= registered


def test_the_modules_that_share_a_build_are_found(tmp_path):
    (tmp_path / "tests").mkdir()
    sources = {
        "test_a.py": "@pytest.fixture(scope='module')\ndef course(): ...",
        "test_b.py": "import pytest as p\n@p.fixture(scope='session')\ndef lab(): ...",
        "test_c.py": "@pytest.fixture\ndef cheap(): ...\n@pytest.fixture(scope='function')\n"
        "def cheap2(): ...",
        "test_d.py": "def test_plain(): ...",
        "helper.py": "@pytest.fixture(scope='module')\ndef not_a_test_module(): ...",
    }
    for name, source in sources.items():
        (tmp_path / "tests" / name).write_text(source)
    assert shared_build_modules(tmp_path) == {"tests/test_a.py", "tests/test_b.py"}
    # and in this repository: the graded classes, the kernel, JupyterLab, PostgreSQL
    found = shared_build_modules(REPO_ROOT)
    assert {"tests/test_pipeline.py", "tests/test_browser.py", "tests/test_postgres.py"} <= found
    assert "tests/test_likelihoods.py" not in found
