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

import shutil
from pathlib import Path

import nbformat
import pytest
from lab_and_browser import chromium, jupyterlab
from playwright.sync_api import Page
from test_notebook_lint import formulas

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
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


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab on a free loopback port, settings in a temporary directory, with the
    notebook's windowing off so that every cell is rendered, not only the visible ones."""
    settings = {
        "apputils-extension/notification": {"fetchNews": "false"},
        "notebook-extension/tracker": {"windowingMode": "none"},
    }
    with jupyterlab(tmp_path_factory.mktemp("math-lab"), TOKEN, settings=settings) as served:
        yield served


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


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
