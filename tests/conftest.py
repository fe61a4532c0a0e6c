"""Fixtures shared by the test modules."""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from course.grading import sandbox


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
