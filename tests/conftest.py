"""Fixtures shared by the test modules, and the guard that keeps ``make check`` fast.

The fast lane (``make check``) runs every test without one of the markers in ``LANE_MARKERS``.
A test that starts nbgrader, a kernel, a Jupyter server, a browser, PostgreSQL or the sandbox
must carry one of them; the guard below watches every process a test starts through
``subprocess`` (as jupyter_client, nbclient, Playwright and ``course.grading`` all do) and fails
an unmarked test that starts one of those (``tests/test_lanes.py`` shows that it does).
"""

from __future__ import annotations

import ast
import contextlib
import fcntl
import os
import shlex
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import properties
import pytest

# Every test process imports nbgrader, and with it jsonschema, which loads rfc3987_syntax and
# builds its IRI parsers at import (a second or more of CPU time per process). No test checks an
# IRI: the tests go without it, as the nbgrader processes the course starts do (see
# course/_nbgrader.py).
sys.modules.setdefault("rfc3987_syntax", None)

# The property tests' examples: the same ones on every run unless `make explore` (properties.py).
properties.load()

# --- the fast lane's guard -----------------------------------------------------------------

# A test with none of these markers runs in `make check` and must start none of the below.
LANE_MARKERS = ("slow", "browser", "postgres", "sandbox")

# Programs (by file name, anywhere in the command: `runuser -u postgres -- initdb` counts)
# that start nbgrader, a kernel, a server, a browser or the sandbox.
_HEAVY_PROGRAMS = {
    "nbgrader": "nbgrader",
    "course._nbgrader": "nbgrader",  # python -m course._nbgrader
    "ipykernel_launcher": "a Jupyter kernel",
    "sandbox.py": "the sandboxed kernel",
    "bwrap": "the bubblewrap sandbox",
    "jupyter-lab": "a Jupyter server",
    "jupyter-server": "a Jupyter server",
    "jupyter-notebook": "a Jupyter server",
    "chromium": "a browser",
    "chrome": "a browser",
    "headless_shell": "a browser",
    "initdb": "PostgreSQL",
    "pg_ctl": "PostgreSQL",
    "postgres": "PostgreSQL",
}
# `jupyter <subcommand>`: the subcommands that start a server or a kernel.
_HEAVY_JUPYTER = {"lab", "server", "notebook", "console", "kernel", "execute"}


def heavy_command(args: str | bytes | os.PathLike | Sequence) -> str | None:
    """What the command ``args`` (as given to :class:`subprocess.Popen`) would start that keeps
    a test out of the fast lane, e.g. ``"nbgrader"``; None for anything else."""
    if isinstance(args, (str, bytes, os.PathLike)):
        text = os.fsdecode(args)
        try:
            tokens = shlex.split(text)
        except ValueError:  # unbalanced quotes: a plain split is good enough to look at names
            tokens = text.split()
    else:
        tokens = [os.fsdecode(a) for a in args]
    names = [os.path.basename(t) for t in tokens]
    for name in names:
        if name in _HEAVY_PROGRAMS:
            return _HEAVY_PROGRAMS[name]
    if any("playwright" in t and "driver" in t for t in tokens):
        return "a browser (Playwright's driver)"
    for i, name in enumerate(names[:-1]):
        following = names[i + 1 :]
        if name == "jupyter" and following[0] in _HEAVY_JUPYTER:
            return f"a Jupyter {following[0]}"
        if name in ("jupyter", "jupyter-nbconvert") and "--execute" in following:
            return "a Jupyter kernel (nbconvert --execute)"
    return None


_running: pytest.Item | None = None  # the test whose setup, call or teardown is running
_started = pytest.StashKey[list]()  # what it started, while it carries no lane marker


def _in_slow_lane(item: pytest.Item) -> bool:
    return any(item.get_closest_marker(name) for name in LANE_MARKERS)


_popen_init = subprocess.Popen.__init__


def _watched_popen_init(self, args, *rest, **kwargs):
    item = _running
    if item is not None and not _in_slow_lane(item):
        what = heavy_command(args)
        if what is not None:
            item.stash.setdefault(_started, []).append(f"{what}: {args!r}")
    _popen_init(self, args, *rest, **kwargs)


def pytest_configure(config):
    subprocess.Popen.__init__ = _watched_popen_init


def pytest_unconfigure(config):
    subprocess.Popen.__init__ = _popen_init


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    global _running
    _running = item
    try:
        yield
    finally:
        _running = None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    started = item.stash.get(_started, [])
    if not started:
        return
    item.stash[_started] = []
    report = outcome.get_result()
    message = (
        f"{item.nodeid} started {len(started)} process(es) that belong in the slow lane, but "
        f"carries none of the markers {', '.join(LANE_MARKERS)} (see pyproject.toml); mark it, "
        "so that `make check` stays fast:\n  " + "\n  ".join(started)
    )
    if report.passed or report.skipped:
        report.outcome = "failed"
        report.longrepr = message
    else:
        report.sections.append(("lane markers", message))


# --- scheduling under xdist ----------------------------------------------------------------


def _is_wide_fixture(decorator: ast.expr) -> bool:
    """Whether a decorator is ``pytest.fixture(scope=...)`` with a scope wider than a test."""
    if not isinstance(decorator, ast.Call):
        return False
    func = decorator.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return name == "fixture" and any(
        k.arg == "scope" and not (isinstance(k.value, ast.Constant) and k.value.value == "function")
        for k in decorator.keywords
    )


def shared_build_modules(root: Path) -> set[str]:
    """The test modules (``tests/test_x.py``, relative to ``root``) that define a fixture wider
    than one test: the graded class, kernel, JupyterLab or PostgreSQL server their tests share.
    """
    found = set()
    for path in sorted((root / "tests").glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                _is_wide_fixture(d) for d in node.decorator_list
            ):
                found.add(path.relative_to(root).as_posix())
                break
    return found


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadscope`` (make test): the tests of a module that shares a build run on one
    worker, which builds it once (under ``--dist load`` every worker that drew one of them
    built its own copy); every other test is scheduled on its own. xdist hands out the biggest
    groups first. (pytest 9.2 ignores the node ids ``--dist loadgroup`` rewrites, so its
    ``xdist_group`` marks group nothing.)"""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    shared = shared_build_modules(config.rootpath)

    class SharedBuildScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::")[0]
            return module if module in shared else nodeid

    return SharedBuildScheduling(config, log)


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory) -> Path:
    """A folder all xdist workers of this session share (the session's own one without xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def run_once(shared_dir) -> Callable[[str, Callable[[], str]], str]:
    """``run_once(name, build)``: the text ``build()`` returns, built once per session.

    Whichever xdist worker asks first runs ``build`` under a file lock and stores its text in
    the shared folder; every other worker waits for the lock and reads it.
    """

    def run(name: str, build: Callable[[], str]) -> str:
        done = shared_dir / f"{name}.json"
        with open(shared_dir / f"{name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            if not done.exists():
                done.write_text(build())
        return done.read_text()

    return run


@pytest.fixture(scope="session")
def bwrap() -> str:
    """The bubblewrap binary the sandbox will use; the test FAILS (not skips) without it."""
    from course.grading import sandbox  # here, not at the top: it imports nbgrader (seconds)

    try:
        return sandbox.find_bwrap()
    except sandbox.SandboxError as exc:
        pytest.fail(f"the sandbox tests need bubblewrap (Debian package `bubblewrap`): {exc}")


@pytest.fixture(scope="session")
def tcp_listener():
    """``with tcp_listener() as (port, accepted):`` a TCP server on the host's loopback.

    ``accepted`` lists the connections it accepted while the block ran: a sandboxed kernel
    that can reach the host's network shows up there.
    """

    @contextlib.contextmanager
    def listen():
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen(5)
        server.settimeout(0.5)
        accepted: list = []
        stop = threading.Event()

        def serve():
            while not stop.is_set():
                try:
                    accepted.append(server.accept())
                except OSError:  # the 0.5 s timeout: look at stop again
                    pass

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        try:
            yield server.getsockname()[1], accepted
        finally:
            stop.set()
            thread.join()
            server.close()
            for conn, _ in accepted:
                conn.close()

    return listen
