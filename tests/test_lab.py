"""`make lab`: the widget and ipympl front ends are installed and enabled, and JupyterLab starts.

Nothing here skips: a missing extension or a server that does not come up is a failure.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from lab_and_browser import jupyterlab

from course.grading import REPO_ROOT, scripts_dir

# The front-end (lab) extensions `make lab` needs: ipywidgets' manager and ipympl's canvas.
NEEDED = ("@jupyter-widgets/jupyterlab-manager", "jupyter-matplotlib")


def test_widget_and_ipympl_lab_extensions_are_installed_and_enabled():
    proc = subprocess.run(
        [str(scripts_dir() / "jupyter"), "labextension", "list"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    listing = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)
    assert proc.returncode == 0, listing
    for name in NEEDED:
        lines = [ln.split() for ln in listing.splitlines() if ln.split()[:1] == [name]]
        assert lines, f"{name} is not installed in {scripts_dir().parent}:\n{listing}"
        assert "enabled" in lines[0] and "OK" in lines[0], f"{name}: {' '.join(lines[0])}"


def _get(url: str, token: str, wait: float = 120):
    """The JSON at ``url``. A loaded machine's server may take a while to answer (one request
    took over 10 s with both cores busy), so a timed-out or refused request is tried again
    until ``wait`` seconds have passed; an HTTP error status is an answer and fails at once."""
    req = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    deadline = time.monotonic() + wait
    while True:
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return json.loads(r.read())
        except urllib.error.HTTPError:
            raise
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@pytest.mark.slow
def test_jupyterlab_serves_the_course_with_the_extensions(tmp_path: Path):
    # As `make lab` starts it: the repository as the root, opening release/.
    token = "mle-course-lab-test"
    with jupyterlab(tmp_path, token, root=REPO_ROOT, args=["release"]) as (base, _):
        assert "started" in _get(f"{base}/api/status", token)
        # The server's own view of the federated extensions the page will load.
        extensions = {e["name"]: e for e in _get(f"{base}/lab/api/extensions", token)}
        for name in NEEDED:
            key = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")  # how the API spells it
            assert key in extensions, f"JupyterLab does not load {name}: {sorted(extensions)}"
            assert extensions[key]["enabled"], f"{name} is disabled"
            assert extensions[key]["status"] == "ok", f"{name}: {extensions[key]}"
        assert "python3" in _get(f"{base}/api/kernelspecs", token)["kernelspecs"]
