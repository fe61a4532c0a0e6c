"""The explorers in a real browser: JupyterLab driven by Playwright in Debian's chromium.

A fresh JupyterLab serves a temporary copy of each release notebook (so autosave never
writes outputs into ``release/``). The test runs all cells from the menu, waits for the
explorer, moves a slider with the keyboard (or presses the EM stepper's step button), clicks
the Gaussian explorer's plot, and checks the numbers and the pixels the learner sees.
Screenshots go to ``build/screenshots/``.

There is no skip: a missing chromium, playwright package or release notebook is a failure.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import time
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest
from lab_and_browser import chromium, jupyterlab
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "build" / "screenshots"
TOKEN = "mle-course-browser-test"
# How long any one condition may take to come true (seconds). Every wait below returns as
# soon as its condition holds; nothing is read once and trusted.
WAIT = 60

# notebook -> the explorer's CSS class and what to do with it
NOTEBOOKS = {
    "release/01_coin_flips/01_coin_flips.ipynb": ("mle-coin-flip-explorer", "slider"),
    "release/02_numerical_mle/02_numerical_mle.ipynb": ("mle-gradient-descent-explorer", "slider"),
    "release/03_gaussian/03_gaussian.ipynb": ("mle-gaussian-explorer", "click"),
    "release/05_uncertainty/05_uncertainty.ipynb": ("mle-sampling-distribution-explorer", "slider"),
    "release/06_map_and_regularisation/06_map_and_regularisation.ipynb": (
        "mle-prior-posterior-explorer",
        "slider",
    ),
    "release/07_em/07_em.ipynb": ("mle-em-stepper", "step"),
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab on a free loopback port, with every setting in a temporary directory."""
    # the "Jupyter news" pop-up would cover the notebook; only this setting removes it
    no_news = {"apputils-extension/notification": {"fetchNews": "false"}}
    with jupyterlab(tmp_path_factory.mktemp("lab"), TOKEN, settings=no_news) as served:
        yield served


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    # Playwright's own waits (click, press, expect...) get as long as ours: on a loaded
    # machine the kernel answers slowly, and a wait returns as soon as its condition holds.
    context.set_default_timeout(WAIT * 1000)
    page = context.new_page()
    yield page
    context.close()


def wait_for(read, ok, what: str, timeout: float = WAIT):
    """Call ``read()`` until ``ok(value)`` holds and return that value; fail after ``timeout``
    seconds, naming ``what`` was awaited and the last value seen."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if ok(value):
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout} s for {what}; last seen: {value!r}"[:2000])
        time.sleep(0.1)


def open_and_run_all(page: Page, url: str, name: str) -> None:
    # A workspace of its own, reset, so no tab of an earlier test is restored beside it.
    workspace = Path(name).stem
    page.goto(f"{url}/lab/workspaces/{workspace}/tree/{name}?token={TOKEN}&reset")
    # The execution indicator reads "idle" before the kernel connects; the status bar's
    # kernel text only says Idle once it has. When the kernel specs load late, JupyterLab
    # asks which kernel to start instead: accept its default, the notebook's python3.
    idle = page.get_by_text("(ipykernel) | Idle")
    select_kernel = page.locator(".jp-Dialog").filter(has_text="Select Kernel")

    def kernel_ready() -> bool:
        if select_kernel.is_visible():
            with contextlib.suppress(PlaywrightError):  # it may close before the click lands
                select_kernel.get_by_role("button", name="Select", exact=True).click(timeout=2000)
        return idle.is_visible() and not page.locator(".jp-Dialog").is_visible()

    wait_for(kernel_ready, bool, "the notebook's kernel to become idle", timeout=2 * WAIT)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.get_by_text("Run All Cells", exact=True).click()


# True once Run All is over: some cell has run, none is queued or running ("[*]"), and no
# widget output is still loading. JupyterLab queues every cell at once and numbers a cell
# only after its outputs have arrived; the first cell left as a stub stops the run there.
RUN_ALL_DONE = """() => {
    const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
        .map(p => p.textContent);
    const loading = [...document.querySelectorAll('.jp-Notebook .jp-OutputArea-output')]
        .some(o => o.textContent.includes('Loading widget'));
    const ran = prompts.some(p => /\\[\\d+\\]/.test(p));
    return ran && !prompts.some(p => p.includes('*')) && !loading;
}"""


def status(explorer) -> tuple[str, dict[str, float]]:
    """The explorer's status line, read in one go: its text and the full-precision number
    behind each ``name = ...`` in it."""
    text, values = explorer.locator(".mle-status").evaluate(
        """el => [el.textContent, [...el.querySelectorAll('.mle-value')]
                                      .map(s => [s.dataset.name, s.dataset.value])]"""
    )
    return text, {name: float(value) for name, value in values}


def canvas_pixels(explorer) -> bytes:
    return explorer.locator(".mle-canvas").screenshot()


def is_drawn(png: bytes) -> bool:
    """Whether a screenshot shows a drawing: not one flat colour (a canvas before its frame)."""
    pixels = matplotlib.image.imread(io.BytesIO(png), format="png")[..., :3]
    return bool(np.ptp(pixels) > 0)


def settled(read, what: str, ok=lambda value: True, pause: float = 0.5):
    """``read()`` once it satisfies ``ok`` and reads the same twice ``pause`` seconds apart:
    an explorer still catching up with an earlier change is not a "before" to compare with."""
    previous = []

    def steady():
        value = read()
        same = bool(previous) and value == previous[-1]
        previous.append(value)
        if not same:
            time.sleep(pause)
        return value, same

    value, _ = wait_for(steady, lambda v: v[1] and ok(v[0]), f"{what} to settle")
    return value


def settled_status(explorer) -> tuple[str, dict[str, float]]:
    return settled(lambda: status(explorer), "the status line", ok=lambda s: bool(s[1]))


def settled_pixels(explorer) -> bytes:
    return settled(lambda: canvas_pixels(explorer), "the plot", ok=is_drawn)


def readout_number(readout) -> float | None:
    """The number the slider's readout shows, or None while it shows none (it is briefly
    empty whenever it re-renders, also while the widget first renders)."""
    try:
        return float(readout.text_content().strip())
    except ValueError:
        return None


def drive_slider(page: Page, explorer, shots: Path) -> None:
    """Move the explorer's first slider one step right with the keyboard."""
    readout = explorer.locator(".widget-readout").first
    before = wait_for(
        lambda: readout_number(readout), lambda v: v is not None, "the slider's readout"
    )
    before_status = settled_status(explorer)
    before_pixels = settled_pixels(explorer)
    explorer.locator(".widget-slider .noUi-handle").first.press("ArrowRight")
    after = wait_for(
        lambda: readout_number(readout),
        lambda v: v is not None and v != before,
        f"the slider's readout to move from {before}",
    )
    assert after > before
    wait_for(lambda: status(explorer), lambda s: s != before_status, "the status line to change")
    wait_for(lambda: canvas_pixels(explorer), lambda p: p != before_pixels, "the plot to change")
    page.screenshot(path=shots / "2-after-slider.png", full_page=True)


POINTS = re.compile(r"n = (\d+) points")


def drive_click(page: Page, explorer, shots: Path) -> None:
    """Click the Gaussian explorer's plot: one more point, a new log-likelihood."""
    text, values = settled_status(explorer)
    match = POINTS.search(text)
    assert match, text
    n_before = int(match.group(1))
    loglik_before = values["log L(μ, σ)"]
    before_pixels = settled_pixels(explorer)
    top = explorer.locator(".mle-canvas canvas").last
    expect(top).to_be_visible()
    box = top.bounding_box()
    # right of centre, mid-height: inside the axes, away from the default data near x = 1
    page.mouse.click(box["x"] + 0.8 * box["width"], box["y"] + 0.5 * box["height"])
    text, values = wait_for(
        lambda: status(explorer),
        lambda s: f"n = {n_before + 1} points" in s[0],
        f"the status line to show n = {n_before + 1} points",
    )
    assert values["log L(μ, σ)"] != loglik_before
    wait_for(lambda: canvas_pixels(explorer), lambda p: p != before_pixels, "the plot to change")
    page.screenshot(path=shots / "3-after-click.png", full_page=True)


def drive_step(page: Page, explorer, shots: Path) -> None:
    """Press the EM stepper's step button: the next iteration, a higher log-likelihood."""
    text, values = settled_status(explorer)
    assert "iteration 0:" in text, text
    loglik_before = values["log L"]
    before_pixels = settled_pixels(explorer)
    explorer.locator(".mle-step").click()
    text, values = wait_for(
        lambda: status(explorer),
        lambda s: "iteration 1:" in s[0],
        "the status line to show iteration 1",
    )
    assert values["log L"] > loglik_before
    wait_for(lambda: canvas_pixels(explorer), lambda p: p != before_pixels, "the plot to change")
    page.screenshot(path=shots / "2-after-step.png", full_page=True)


@pytest.mark.parametrize("notebook", list(NOTEBOOKS))
def test_explorer_in_jupyterlab(lab, page, notebook):
    css_class, action = NOTEBOOKS[notebook]
    source = ROOT / notebook
    assert source.exists(), f"{notebook} is missing: run `make release` first"
    url, root = lab
    shutil.copy(source, root / source.name)
    shots = SHOTS / source.stem
    shots.mkdir(parents=True, exist_ok=True)

    try:
        drive(page, url, source.name, css_class, action, shots)
    except BaseException:
        page.screenshot(path=shots / "failure.png", full_page=True)
        raise


def drive(page: Page, url: str, name: str, css_class: str, action: str, shots: Path) -> None:
    open_and_run_all(page, url, name)
    explorer = page.locator(f".{css_class}")
    expect(explorer).to_be_visible(timeout=2 * WAIT * 1000)
    explorer.scroll_into_view_if_needed()
    expect(explorer.locator(".mle-status .mle-value").first).to_be_visible()
    page.wait_for_function(RUN_ALL_DONE, timeout=2 * WAIT * 1000)
    settled_pixels(explorer)  # the first frame has arrived and holds still
    page.screenshot(path=shots / "1-widget.png", full_page=True)
    # the explorer did not switch the notebook to ipympl: once every cell that ran has its
    # outputs, its figure is the only widget figure (the plots after it stay inline)
    expect(page.locator(".jupyter-matplotlib-figure")).to_have_count(1)
    expect(explorer.locator(".jupyter-matplotlib-figure")).to_have_count(1)

    if action == "step":
        drive_step(page, explorer, shots)
    else:
        drive_slider(page, explorer, shots)
    if action == "click":
        drive_click(page, explorer, shots)
    explorer.screenshot(path=shots / "4-widget.png")
