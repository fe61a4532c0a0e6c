"""A throwaway JupyterLab server and Debian's chromium, for the tests that need them.

``tests/test_browser.py`` and ``tests/test_math_render.py`` drive JupyterLab pages in
chromium through Playwright; ``tests/test_lab.py`` starts the server as ``make lab`` does.
Every wait here returns as soon as its condition holds, and a server that exits or never
answers fails the test (never skips it).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


def free_port() -> int:
    """A TCP port on the loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def jupyterlab(
    home: Path,
    token: str,
    *,
    root: Path | None = None,
    settings: Mapping[str, Mapping] = {},  # noqa: B006 - read only
    args: Sequence[str] = (),
    timeout: float = 120,
) -> Iterator[tuple[str, Path]]:
    """``with jupyterlab(home, token) as (url, root):`` a JupyterLab on a free loopback port.

    Its settings, workspaces, runtime and config folders live in ``home``, so nothing of the
    user's own JupyterLab is read or written; ``root`` (default ``home/notebooks``, created) is
    the folder it serves. ``settings`` maps a plugin (``"notebook-extension/tracker"``) to the
    settings it starts with; ``args`` go after the server's own options. The server is stopped
    and reaped when the block ends.
    """
    if root is None:
        root = home / "notebooks"
        root.mkdir(parents=True, exist_ok=True)
    for plugin, values in settings.items():
        path = home / "settings" / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(dict(values)))
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
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        *(["--allow-root"] if os.geteuid() == 0 else []),
        *args,
    ]
    log_path = home / "lab.log"
    url = f"http://127.0.0.1:{port}"
    with log_path.open("w") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root)
        try:
            _wait_for_server(url, token, server, log_path, timeout)
            yield url, root
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a loaded machine: stop it, and reap it
                server.kill()
                server.wait()


def _wait_for_server(
    url: str, token: str, server: subprocess.Popen, log: Path, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    pytest.fail(f"JupyterLab did not answer within {timeout} s:\n{log.read_text()}")


@contextlib.contextmanager
def chromium():
    """``with chromium() as browser:`` Debian's chromium, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install -y chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield browser
        finally:
            browser.close()
