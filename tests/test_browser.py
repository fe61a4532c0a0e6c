"""The explorers in a real browser: JupyterLab driven by Playwright in Debian's chromium.

A fresh JupyterLab serves a temporary copy of each release notebook (so autosave never
writes outputs into ``release/``). The test runs all cells from the menu, waits for the
explorer, moves a slider with the keyboard (or presses the EM stepper's step button), clicks
the Gaussian explorer's plot, and checks the numbers and the pixels the learner sees.
Screenshots go to ``build/screenshots/``.

There is no skip: a missing chromium, playwright package or release notebook is a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "build" / "screenshots"
TOKEN = "mle-course-browser-test"

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab on a free loopback port, with every setting in a temporary directory."""
    home = tmp_path_factory.mktemp("lab")
    root = home / "notebooks"
    root.mkdir()
    settings = home / "settings"
    # the "Jupyter news" pop-up would cover the notebook; only this setting removes it
    notification = settings / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false"})
    )
    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
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
    log = (home / "lab.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(url, server, home / "lab.log")
        yield url, root
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


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


def open_and_run_all(page: Page, url: str, name: str) -> None:
    # A workspace of its own, reset, so no tab of an earlier test is restored beside it.
    workspace = Path(name).stem
    page.goto(f"{url}/lab/workspaces/{workspace}/tree/{name}?token={TOKEN}&reset")
    # The execution indicator reads "idle" before the kernel connects; the status bar's
    # kernel text only says Idle once it has. When the kernel specs load late, JupyterLab
    # asks which kernel to start instead: accept its default, the notebook's python3.
    idle = page.get_by_text("(ipykernel) | Idle")
    dialog = page.locator(".jp-Dialog")
    deadline = time.monotonic() + 90
    while not (idle.is_visible() and not dialog.is_visible()):
        if time.monotonic() > deadline:
            pytest.fail("the notebook's kernel did not become idle within 90 s")
        if dialog.is_visible() and "Select Kernel" in dialog.inner_text():
            dialog.get_by_role("button", name="Select", exact=True).click()
        page.wait_for_timeout(200)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.get_by_text("Run All Cells", exact=True).click()


def status_value(explorer, name: str) -> float:
    """The full-precision number behind ``name = ...`` in the explorer's status line."""
    span = explorer.locator(f'.mle-status .mle-value[data-name="{name}"]')
    return float(span.get_attribute("data-value"))


def canvas_pixels(explorer) -> bytes:
    return explorer.locator(".mle-canvas").screenshot()


def wait_until_changed(read, before, what: str, timeout: float = 15) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = read()
        if now != before:
            return now
        time.sleep(0.1)
    pytest.fail(f"{what} did not change within {timeout} s")


def drive_slider(page: Page, explorer, shots: Path) -> None:
    """Move the explorer's first slider one step right with the keyboard."""
    readout = explorer.locator(".widget-readout").first
    # The readout is briefly empty whenever it re-renders (also while the widget first
    # renders): read it only once it shows a number.
    number = re.compile(r"^\s*-?\d")
    expect(readout).to_have_text(number, timeout=15_000)
    before_text = readout.inner_text().strip()
    before_status = explorer.locator(".mle-status").inner_text()
    before_pixels = canvas_pixels(explorer)
    explorer.locator(".widget-slider .noUi-handle").first.press("ArrowRight")
    after_text = wait_until_changed(
        lambda: readout.inner_text().strip() or before_text, before_text, "the slider's readout"
    )
    assert float(after_text) > float(before_text)
    status = explorer.locator(".mle-status")
    wait_until_changed(status.inner_text, before_status, "the status line")
    wait_until_changed(lambda: canvas_pixels(explorer), before_pixels, "the plot")
    page.screenshot(path=shots / "2-after-slider.png", full_page=True)


def drive_click(page: Page, explorer, shots: Path) -> None:
    """Click the Gaussian explorer's plot: one more point, a new log-likelihood."""
    status = explorer.locator(".mle-status")
    match = re.search(r"n = (\d+) points", status.inner_text())
    assert match, status.inner_text()
    n_before = int(match.group(1))
    loglik_before = status_value(explorer, "log L(μ, σ)")
    before_pixels = canvas_pixels(explorer)
    box = explorer.locator(".mle-canvas canvas").last.bounding_box()
    # right of centre, mid-height: inside the axes, away from the default data near x = 1
    page.mouse.click(box["x"] + 0.8 * box["width"], box["y"] + 0.5 * box["height"])
    expect(status).to_contain_text(f"n = {n_before + 1} points", timeout=15_000)
    assert status_value(explorer, "log L(μ, σ)") != loglik_before
    wait_until_changed(lambda: canvas_pixels(explorer), before_pixels, "the plot")
    page.screenshot(path=shots / "3-after-click.png", full_page=True)


def drive_step(page: Page, explorer, shots: Path) -> None:
    """Press the EM stepper's step button: the next iteration, a higher log-likelihood."""
    status = explorer.locator(".mle-status")
    expect(status).to_contain_text("iteration 0:")
    loglik_before = status_value(explorer, "log L")
    before_pixels = canvas_pixels(explorer)
    explorer.locator(".mle-step").click()
    expect(status).to_contain_text("iteration 1:", timeout=15_000)
    assert status_value(explorer, "log L") > loglik_before
    wait_until_changed(lambda: canvas_pixels(explorer), before_pixels, "the plot")
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
    expect(explorer).to_be_visible(timeout=90_000)
    explorer.scroll_into_view_if_needed()
    # the first frame has arrived once the canvas is no longer blank
    expect(explorer.locator(".mle-status .mle-value").first).to_be_visible(timeout=30_000)
    page.wait_for_timeout(500)
    page.screenshot(path=shots / "1-widget.png", full_page=True)
    # the explorer did not switch the notebook to ipympl: its figure is the only widget figure
    assert page.locator(".jupyter-matplotlib-figure").count() == 1
    assert explorer.locator(".jupyter-matplotlib-figure").count() == 1

    if action == "step":
        drive_step(page, explorer, shots)
    else:
        drive_slider(page, explorer, shots)
    if action == "click":
        drive_click(page, explorer, shots)
    explorer.screenshot(path=shots / "4-widget.png")
