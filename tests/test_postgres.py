"""The course grades against a real PostgreSQL gradebook, in parallel too.

The test starts its own PostgreSQL server (Debian's ``postgresql`` package: ``initdb`` and
``pg_ctl`` from ``/usr/lib/postgresql/<version>/bin``) in a temporary folder, listening on
127.0.0.1 at a free port with its unix socket in that folder, creates a database, and points a
throwaway course at ``postgresql+psycopg2://postgres@127.0.0.1:<port>/mle``. Then
generate_assignment, a parallel autograde of a small class (two nbgrader processes writing to
the one database) and export run against it, and the grades are checked cell by cell. The
server is stopped at the end.

Running as root, the server runs as the ``postgres`` account (``runuser``), which PostgreSQL
requires. Without the PostgreSQL binaries or the psycopg2 driver the test FAILS and says what
to install: it is part of the course's definition of done, not optional.
"""

from __future__ import annotations

import csv
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from course.grading import (
    REPO_ROOT,
    cell_scores,
    exercises,
    fill_solutions,
    generate,
    hand_in,
    make_course,
    run_nbgrader,
    total_scores,
)
from course.grading.parallel import autograde

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

AID = "01_coin_flips"


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    on_path = shutil.which("initdb")
    if not found and not on_path:
        pytest.fail(
            "PostgreSQL server binaries not found (no /usr/lib/postgresql/*/bin/initdb and no "
            "initdb on PATH): install them, e.g. `apt-get install postgresql`"
        )
    return Path(found[-1] if found else on_path).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_url():
    """A fresh PostgreSQL server and database; yields its SQLAlchemy URL."""
    try:
        import psycopg2  # noqa: F401 - the driver the URL names (postgresql+psycopg2)
    except ImportError:
        pytest.fail("psycopg2 is missing: `pip install psycopg2-binary` (in the dev extra)")
    bindir = _pg_bin()
    as_root = os.geteuid() == 0
    prefix: list[str] = []
    home = Path(tempfile.mkdtemp(prefix="mle-pg-"))
    if as_root:
        try:
            pg = pwd.getpwnam("postgres")
        except KeyError:
            pytest.fail("running as root, but there is no `postgres` account to run the server")
        os.chown(home, pg.pw_uid, pg.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    data, port = home / "data", _free_port()

    def run(*cmd: str) -> None:
        proc = subprocess.run([*prefix, *cmd], capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            pytest.fail(f"`{' '.join(cmd)}` failed:\n{proc.stdout}\n{proc.stderr}")

    run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8")
    options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off"
    log = str(home / "log")
    run(str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", log, "-w", "start")
    try:
        run(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "mle")
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/mle"
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(home, ignore_errors=True)


def test_generate_autograde_in_parallel_and_export_against_postgresql(postgres_url, tmp_path):
    root = make_course(
        tmp_path / "course", [REPO_ROOT / "source" / AID], gradebook_url=postgres_url
    )
    assert f"db_url = {postgres_url!r}" in (root / "nbgrader_config.py").read_text()
    release, source = generate(root, AID)
    assert not (root / "gradebook.db").exists(), "the gradebook went to SQLite, not PostgreSQL"

    exs = exercises(source)
    skipped = exs[0]
    hand_in(
        root,
        AID,
        {
            "ada": fill_solutions(release, source),
            "bob": release,
            "cy": fill_solutions(release, source, skip=(skipped.grade_id,)),
        },
    )
    result = autograde(root, AID, jobs=2, progress=False)
    assert len(result.groups) == 2 and result.failed == []

    total = sum(ex.points for ex in exs)
    assert total_scores(postgres_url, AID) == {
        "ada": (total, total),
        "bob": (0.0, total),
        "cy": (total - skipped.points, total),
    }
    cells = cell_scores(postgres_url, AID)
    for test in skipped.tests:
        assert cells["cy"][test].score == 0.0
        assert cells["ada"][test].score == cells["ada"][test].max_score > 0

    run_nbgrader(["export", "--to", "grades.csv"], root)
    with open(root / "grades.csv", newline="") as f:
        rows = {r["student_id"]: float(r["score"]) for r in csv.DictReader(f)}
    assert rows == {"ada": total, "bob": 0.0, "cy": total - skipped.points}
