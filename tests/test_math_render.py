"""Every formula of the eight release notebooks, typeset by JupyterLab's own MathJax in
Debian's chromium, without a math error.

JupyterLab 4 loads MathJax 3 with all its TeX packages, ``noerrors`` and ``noundefined``
among them, and that decides what a broken formula looks like on the page (checked by
``test_the_detector_sees_every_kind_of_broken_formula`` on a notebook broken on purpose):

- a TeX error (``\\begin{pmatrix}`` closed by ``\\end{bmatrix}``, a stray ``\\end``) becomes
  an ``mjx-merror`` element whose ``data-mjx-error`` holds the message;
- an undefined macro is typeset as red text, the macro's name with its backslash, which the
  page's hidden MathML shows as an ``mtext`` starting with ``\\`` (outside an ``merror``,
  whose ``mtext`` is the failed formula's source);
- a formula MathJax cannot even delimit (an unclosed brace) is left in the page as plain
  text, dollar signs and backslashes included.

A tab or backspace that replaced a ``\\t`` or ``\\b`` can typeset silently as wrong letters;
``test_notebook_lint.py`` forbids those characters outright.

The notebooks are opened (not run) in a JupyterLab with windowing off, so every cell is in
the page; the test waits until MathJax has typeset as many formulas as the notebook holds,
then looks for the three signs above. There is no skip: without chromium or playwright the
test fails.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import Page, sync_playwright
from test_notebook_lint import formulas

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
TOKEN = "mle-course-math-render-test"
RELEASES = sorted(ROOT.glob("release/*/*.ipynb"))

# Everything on the page that says a formula did not typeset, as [cell index, kind, detail].
PROBLEMS_JS = r"""
() => {
  const out = [];
  document.querySelectorAll('.jp-Notebook .jp-Cell').forEach((cell, i) => {
    const md = cell.querySelector('.jp-RenderedMarkdown');
    if (!md) return;
    md.querySelectorAll('mjx-merror').forEach(e =>
      out.push([i, 'math error', e.getAttribute('data-mjx-error') || '']));
    md.querySelectorAll('mjx-assistive-mml mtext').forEach(e => {
      // an merror's own text is the formula's source: already reported as a math error
      if (e.textContent.startsWith('\\') && !e.closest('merror')) {
        out.push([i, 'undefined macro', e.textContent]);
      }
    });
    const copy = md.cloneNode(true);
    copy.querySelectorAll('mjx-container, code, pre').forEach(e => e.remove());
    const text = copy.textContent;
    const left = text.search(/\$|\\[A-Za-z]+/);
    if (left >= 0) out.push([i, 'TeX left as text', text.slice(Math.max(0, left - 30), left + 50)]);
  });
  return out;
}
"""
TYPESET_JS = (
    "() => document.querySelectorAll('.jp-Notebook .jp-RenderedMarkdown mjx-container').length"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab on a free loopback port, settings in a temporary directory, with the
    notebook's windowing off so that every cell is rendered, not only the visible ones."""
    home = tmp_path_factory.mktemp("math-lab")
    root = home / "notebooks"
    root.mkdir()
    settings = home / "settings" / "@jupyterlab"
    for plugin, values in [
        ("apputils-extension/notification", {"fetchNews": "false"}),
        ("notebook-extension/tracker", {"windowingMode": "none"}),
    ]:
        path = settings / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
    }
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("jupyter-lab")),
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={TOKEN}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log_path = home / "lab.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for_server(url, server, log_path)
            yield url, root
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a loaded machine: stop it, and reap it
                server.kill()
                server.wait()


def wait_for_server(url: str, server: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    pytest.fail(f"JupyterLab did not answer within {timeout} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install -y chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    yield page
    context.close()


def expected_formulas(nb) -> int:
    return sum(len(formulas(c.source)) for c in nb.cells if c.cell_type == "markdown")


def render(page: Page, lab, notebook: Path, expected: int, timeout: float) -> tuple[int, list]:
    """Open ``notebook`` (a copy) and wait until MathJax has typeset ``expected`` formulas,
    or ``timeout`` seconds have passed; return the count typeset and the problems seen."""
    url, root = lab
    shutil.copy(notebook, root / notebook.name)
    workspace = notebook.stem  # a workspace of its own, reset: no other tab is restored
    page.goto(f"{url}/lab/workspaces/{workspace}/tree/{notebook.name}?token={TOKEN}&reset")
    page.wait_for_selector(".jp-Notebook .jp-RenderedMarkdown", timeout=90_000)
    try:
        page.wait_for_function(
            f"n => ({TYPESET_JS})() >= n", arg=expected, timeout=timeout * 1000, polling=200
        )
    except Exception:  # a shortfall is reported below, with the formulas left as text
        pass
    return page.evaluate(TYPESET_JS), page.evaluate(PROBLEMS_JS)


@pytest.mark.parametrize("notebook", RELEASES, ids=lambda p: p.parent.name)
def test_every_formula_typesets_without_error(lab, page, notebook):
    nb = nbformat.read(notebook, as_version=4)
    expected = expected_formulas(nb)
    assert expected > 0, f"{notebook.name}: no formula found"
    typeset, problems = render(page, lab, notebook, expected, timeout=90)
    assert not problems, f"{notebook.name}: formulas that did not typeset: {problems}"
    assert typeset == expected, (
        f"{notebook.name}: MathJax typeset {typeset} formulas, the markdown holds {expected}"
    )


def test_all_eight_release_notebooks_are_checked():
    assert len(RELEASES) == 8, RELEASES


BROKEN = [
    ("fine", "A formula that works: $x^2$ and $$\\frac{a}{b}$$"),
    ("TeX left as text", "An unclosed brace: $\\frac{1}{2$ here"),
    ("math error", "Mismatched environments: $\\begin{pmatrix} a \\end{bmatrix}$"),
    ("undefined macro", "A typo: $\\thetx + 1$"),
    ("math error", "A lost backslash: $n\begin{pmatrix} a \\\\ b \\end{pmatrix}$"),
]


def test_the_detector_sees_every_kind_of_broken_formula(lab, page, tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(text) for _, text in BROKEN]
    broken = tmp_path / "broken_on_purpose.ipynb"
    nbformat.write(nb, broken)
    # five formulas MathJax can delimit; the unclosed one it never finds
    typeset, problems = render(page, lab, broken, expected=5, timeout=30)
    assert typeset == 5, typeset
    kinds = {(cell, kind) for cell, kind, _ in problems}
    wanted = {(i, kind) for i, (kind, _) in enumerate(BROKEN) if kind != "fine"}
    assert kinds == wanted, problems
