"""The bubblewrap autograde kernel: what it can see, and that it fails closed.

One sandboxed kernel is started in a fake course layout (a gradebook, ``source/``, two
students' ``autograded/`` folders) with its working directory in one student's folder, exactly
as nbgrader starts it; each test runs code in it. The fail-closed and opt-out tests run
``nbgrader autograde`` on a small course. These tests need bubblewrap: without it they fail
(never skip), since an autograde kernel without the sandbox is what they guard against.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

from course._warden import MSG_REPLY, MSG_REQUEST
from course.grading import (
    REPO_ROOT,
    course_config,
    db_url,
    fill_solutions,
    generate,
    hand_in,
    make_course,
    run_nbgrader,
    sandbox,
    source_points,
    total_scores,
)
from course.grading.remote import process_tree_cpu

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

AID = "01_coin_flips"
TOTAL = sum(source_points(AID).values())


@pytest.fixture(scope="module")
def fake_course(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("course")
    (root / "gradebook.db").write_text("GRADES-SECRET")
    (root / "source" / AID).mkdir(parents=True)
    (root / "source" / AID / "solution.txt").write_text("SOLUTION-SECRET")
    for student in ("alice", "bob"):
        (root / "autograded" / student / AID).mkdir(parents=True)
        (root / "autograded" / student / AID / "notes.txt").write_text(f"{student} notes")
    return root


class Kernel:
    """A running sandboxed kernel and a way to run code in it."""

    def __init__(self, cwd: Path, env: dict[str, str] | None = None):
        ksm = KernelSpecManager(kernel_dirs=[str(sandbox.KERNELSPEC_PATH / "kernels")])
        self.km = KernelManager(
            kernel_name=sandbox.KERNEL_NAME,
            kernel_spec_manager=ksm,
            transport="ipc",
            connection_file=sandbox.connection_file(),
        )
        self.km.start_kernel(cwd=str(cwd), env={**os.environ, **(env or {})})
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=120)

    def run(self, code: str) -> tuple[str, str]:
        """Run ``code``; return (stdout text, 'ename: evalue' of an error or '')."""
        msg_id = self.kc.execute(textwrap.dedent(code))
        out, err = [], ""
        while True:
            msg = self.kc.get_iopub_msg(timeout=60)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind == "error":
                err = f"{content['ename']}: {content['evalue']}"
            elif kind == "status" and content["execution_state"] == "idle":
                return "".join(out), err

    def warden(self, content: dict) -> dict:
        msg = self.kc.session.msg(MSG_REQUEST, content)
        self.kc.shell_channel.send(msg)
        while True:
            reply = self.kc.get_shell_msg(timeout=30)
            if reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                assert reply["msg_type"] == MSG_REPLY
                return reply["content"]

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def kernel(fake_course, bwrap):
    k = Kernel(
        fake_course / "autograded" / "alice" / AID, env={"MLE_TEST_SECRET": "host-environment"}
    )
    yield k
    k.close()


def test_kernel_sees_its_own_folder_and_the_packages(kernel, fake_course):
    out, err = kernel.run(
        """
        import os, mlelib, course.checks
        print(os.getcwd()); print(sorted(os.listdir('.'))); print(open('notes.txt').read())
        """
    )
    assert not err
    assert str(fake_course / "autograded" / "alice" / AID) in out
    assert "['notes.txt']" in out and "alice notes" in out


@pytest.mark.parametrize(
    "path",
    [
        "../../../gradebook.db",
        "../../../source/01_coin_flips/solution.txt",
        "../../bob/01_coin_flips/notes.txt",
    ],
)
def test_kernel_cannot_read_the_course_outside_its_folder(kernel, path):
    out, err = kernel.run(f"print(open({path!r}).read())")
    assert err.startswith("FileNotFoundError"), (out, err)
    assert "SECRET" not in out and "bob notes" not in out


def test_kernel_sees_nothing_of_the_course_root(kernel, fake_course):
    out, err = kernel.run(f"import os; print(sorted(os.listdir({str(fake_course)!r})))")
    assert not err
    assert out.strip() == "['autograded']"  # only the path down to its own (copied) folder
    out, err = kernel.run(f"print(sorted(os.listdir({str(fake_course / 'autograded')!r})))")
    assert out.strip() == "['alice']"


def test_kernel_has_a_clear_environment(kernel):
    out, _ = kernel.run("import os; print(os.environ.get('MLE_TEST_SECRET'))")
    assert out.strip() == "None"


def test_writes_and_symlinks_stay_in_the_scratch_copy(kernel, fake_course):
    victim = fake_course / "victim.txt"
    victim.write_text("untouched")
    _, err = kernel.run(
        f"""
        import os
        open('written.txt', 'w').write('x')
        os.remove('notes.txt')
        os.symlink({str(victim)!r}, 'notes.txt')
        """
    )
    assert not err
    real = fake_course / "autograded" / "alice" / AID
    assert sorted(os.listdir(real)) == ["notes.txt"]
    assert not (real / "notes.txt").is_symlink() and (real / "notes.txt").read_text() == (
        "alice notes"
    )
    assert victim.read_text() == "untouched"


def test_kernel_has_no_network(kernel, tcp_listener):
    with tcp_listener() as (port, accepted):
        out, err = kernel.run(
            f"""
            import socket
            s = socket.socket()
            s.settimeout(2)
            s.connect(('127.0.0.1', {port}))
            """
        )
    assert err.startswith(("ConnectionRefusedError", "OSError", "TimeoutError")), err
    assert not accepted, "the sandboxed kernel reached a TCP server on the host"
    _, err = kernel.run("socket.getaddrinfo('example.org', 80)")
    assert err.startswith("gaierror"), err


def test_warden_reports_attempts_outside_the_folder(kernel):
    kernel.warden({})  # drain what the earlier tests did
    kernel.run("import os\ntry:\n    os.listdir('../../../source')\nexcept OSError:\n    pass")
    reply = kernel.warden({})
    assert reply["status"] == "ok"
    kinds = {(e["kind"], e["detail"].split(":")[0]) for e in reply["events"]}
    assert ("outside-folder", "os.listdir") in kinds, reply


def test_the_reference_library_is_a_stand_in_on_every_route(kernel):
    # mlelib is not mounted in the sandbox: its stand-in raises when called, from the main
    # thread, another thread and a forked child alike, and the real files cannot be read.
    out, err = kernel.run(
        """
        import os, threading, mlelib, course
        print(os.environ.get("MLE_COURSE_GRADING"), os.environ.get("OPENBLAS_NUM_THREADS"))
        def attempt():
            try:
                return repr(mlelib.bernoulli_mle([1, 0, 1]))
            except Exception as e:
                return type(e).__name__
        print("main", attempt())
        box = []
        t = threading.Thread(target=lambda: box.append(attempt()))
        t.start(); t.join()
        print("thread", box[0])
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.write(w, attempt().encode()); os._exit(0)
        os.waitpid(pid, 0)
        print("fork", os.read(r, 100).decode())
        real = os.path.join(os.path.dirname(os.path.dirname(course.__file__)), "mlelib")
        print("files", sorted(os.listdir(real)) if os.path.isdir(real) else "none")
        try:
            import mlelib.bernoulli
            print("submodule imported")
        except ImportError as e:
            print("submodule", type(e).__name__)
        """
    )
    assert not err, err
    lines = out.splitlines()
    assert lines[0] == "1 1"
    for route in ("main", "thread", "fork"):
        assert f"{route} MlelibNotAvailable" in lines, out
    files = next(line for line in lines if line.startswith("files"))
    assert "bernoulli.py" not in files and "gaussian.py" not in files, files
    assert "submodule ModuleNotFoundError" in lines, out


def test_warden_audit_survives_a_rebound_builtin(kernel):
    # The audit hook runs inside the student's calls: it must not use builtins they replaced.
    kernel.warden({})
    kernel.run(
        """
        import builtins, os
        _real_int = builtins.int
        builtins.int = str
        try:
            os.listdir('../../../source')
        except OSError:
            pass
        finally:
            builtins.int = _real_int
        """
    )
    reply = kernel.warden({})
    kinds = {(e["kind"], e["detail"].split(":")[0]) for e in reply["events"]}
    assert ("outside-folder", "os.listdir") in kinds, reply


# --- fail closed -------------------------------------------------------------------------------
def _connection_file(tmp_path: Path, transport: str = "ipc") -> Path:
    conn = tmp_path / "conn"
    conn.mkdir(mode=0o700)
    info = {"transport": transport, "ip": str(conn / "kernel-ipc"), "key": "x"}
    (conn / "kernel.json").write_text(json.dumps(info))
    return conn / "kernel.json"


def _wrapper(tmp_path: Path, env: dict[str, str], transport: str = "ipc"):
    """Start the sandbox's wrapper with the command line of its kernelspec, as nbgrader does."""
    conn = _connection_file(tmp_path, transport)
    ksm = KernelSpecManager(kernel_dirs=[str(sandbox.KERNELSPEC_PATH / "kernels")])
    spec = ksm.get_kernel_spec(sandbox.KERNEL_NAME)
    argv = [a.format(resource_dir=spec.resource_dir, connection_file=conn) for a in spec.argv]
    assert argv[0] == "python"  # jupyter_client starts it with its own interpreter
    return subprocess.run(
        [sys.executable, *argv[1:]],
        cwd=tmp_path,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_grader_sees_the_cpu_time_of_every_process_in_the_sandbox(kernel):
    # A test cell's time limit is the CPU time of the sandbox's processes, read by the grader
    # from outside (course.grading.remote.process_tree_cpu); a forked child computes here.
    root = kernel.km.provisioner.process.pid
    before = process_tree_cpu(root)
    _, err = kernel.run(
        """
        import os, time
        child = os.fork()
        if child == 0:
            end = time.process_time() + 1.2
            while time.process_time() < end:
                pass
            os._exit(0)
        """
    )
    assert not err and before is not None
    deadline = time.monotonic() + 120
    while (used := process_tree_cpu(root) - before) < 1.0:  # the child's 1.2 s, not yet reaped
        assert time.monotonic() < deadline, used
        time.sleep(0.05)
    _, err = kernel.run("os.waitpid(child, 0)")
    assert not err and process_tree_cpu(root) - before >= 1.0  # and in its parent's, once reaped


def test_private_tmp_is_mounted_before_what_may_lie_under_it(monkeypatch):
    # A course cloned under /tmp has its virtualenv and packages there: a mount on /tmp after
    # their read-only binds would hide them, and the kernel would die at start.
    monkeypatch.setattr(sys, "prefix", "/tmp/clone/.venv")
    monkeypatch.setattr(
        sandbox,
        "_package_dirs",
        lambda: {"course": [Path("/tmp/clone/course")], "mlelib": [Path("/tmp/clone/mlelib")]},
    )
    cmd = sandbox.bwrap_command(
        "bwrap",
        workdir="/tmp/clone/autograded/alice/a1",
        scratch_work="/var/scratch/work",
        scratch_tmp="/var/scratch/tmp",
        conn_dir="/tmp/mle-grading-x/conn",
        kernel_argv=["python"],
    )
    mounts = [
        (i, cmd[i + 2])
        for i, arg in enumerate(cmd[: cmd.index("--")])
        if arg in ("--bind", "--ro-bind", "--ro-bind-try")
    ]
    tmp_at = next(i for i, dest in mounts if dest == "/tmp")
    under_tmp = {dest: i for i, dest in mounts if dest.startswith("/tmp/")}
    assert set(under_tmp) >= {"/tmp/clone/.venv", "/tmp/clone/course", "/tmp/clone/mlelib"}
    assert all(i > tmp_at for i in under_tmp.values()), cmd
    # the reference library's folder shows the stand-in, never the real package
    assert cmd[under_tmp["/tmp/clone/mlelib"] + 1] == str(sandbox.STANDIN)


def test_wrapper_refuses_without_bwrap_on_path(tmp_path):
    env = {"PATH": str(tmp_path / "empty"), sandbox.ENV_BWRAP: ""}
    proc = _wrapper(tmp_path, env)
    assert proc.returncode != 0
    assert "SANDBOX NOT STARTED" in proc.stderr and "bubblewrap" in proc.stderr


def test_wrapper_refuses_a_missing_configured_bwrap(tmp_path):
    proc = _wrapper(tmp_path, {sandbox.ENV_BWRAP: "/nonexistent/bwrap"})
    assert proc.returncode != 0
    assert "SANDBOX NOT STARTED" in proc.stderr and "/nonexistent/bwrap" in proc.stderr


def test_wrapper_refuses_a_tcp_connection(tmp_path, bwrap):
    proc = _wrapper(tmp_path, {}, transport="tcp")
    assert proc.returncode != 0
    assert "ipc" in proc.stderr


def test_course_config_selects_the_sandbox_for_autograde_only(monkeypatch):
    monkeypatch.delenv("JUPYTER_PATH", raising=False)
    config = course_config()
    assert config.GuardedExecute.kernel_name == sandbox.KERNEL_NAME
    assert config.KernelManager.transport == "ipc"
    assert "course.grading.execute.GuardedExecute" in config.Autograde.autograde_preprocessors
    # Loading the course's config (as JupyterLab's nbgrader extension does) must not put the
    # grading kernel where a launcher finds it.
    assert "JUPYTER_PATH" not in os.environ
    assert sandbox.KERNEL_NAME not in KernelSpecManager().find_kernel_specs()


def test_the_grader_waits_for_a_loaded_kernels_last_output_as_long_as_for_a_cell():
    # nbgrader fails the whole submission when a cell's last output is later than
    # iopub_timeout after its reply (nbclient's default 4 s was exceeded under load).
    from course.grading.execute import GuardedExecute

    config = course_config()
    grader = GuardedExecute(config=config)
    assert grader.raise_on_iopub_timeout  # nbgrader's choice, kept
    assert grader.iopub_timeout >= grader.timeout == 30


def test_the_grading_preprocessor_finds_the_sandbox_kernelspec():
    from traitlets.config import Config

    from course.grading.execute import GuardedExecute

    cfg = Config()
    cfg.GuardedExecute.kernel_name = sandbox.KERNEL_NAME
    km = GuardedExecute(config=cfg).create_kernel_manager()
    assert km.kernel_spec.display_name.startswith("Python 3 (mle-course")


@pytest.fixture(scope="module")
def small_course(tmp_path_factory):
    """A course with 01 generated and one perfect submission handed in (autograded per test)."""
    root = make_course(tmp_path_factory.mktemp("small"), [REPO_ROOT / "source" / AID])
    release, source = generate(root, AID)
    hand_in(root, AID, {"ann": fill_solutions(release, source)})
    return root


def test_autograde_fails_closed_when_bwrap_is_missing(small_course):
    proc = run_nbgrader(
        ["autograde", AID, "--force"],
        small_course,
        env={sandbox.ENV_BWRAP: "/nonexistent/bwrap"},
        check=False,
    )
    log = proc.stdout + proc.stderr
    assert "SANDBOX NOT STARTED" in log and "/nonexistent/bwrap" in log
    assert proc.returncode != 0
    scores = total_scores(db_url(small_course), AID)
    assert scores.get("ann", (0.0, TOTAL))[0] == 0.0, "a submission was graded without the sandbox"


def test_opt_out_runs_unsandboxed_and_warns(small_course):
    proc = run_nbgrader(
        ["autograde", AID, "--force"], small_course, env={sandbox.ENV_UNSANDBOXED: "1"}
    )
    assert "WITHOUT the sandbox" in proc.stderr
    assert total_scores(db_url(small_course), AID)["ann"] == (TOTAL, TOTAL)


# Grades <folder>/in.ipynb into <folder>/out.ipynb with the course's grading preprocessor;
# argv: the folder, then Python lines that change ``config``.
_GRADE = """
import sys

import nbformat

from course.grading import course_config
from course.grading.execute import GuardedExecute

folder, settings = sys.argv[1], sys.argv[2]
config = course_config()
exec(settings)
nb = nbformat.read(f"{folder}/in.ipynb", 4)
try:
    GuardedExecute(config=config).preprocess(nb, {"metadata": {"path": folder}})
except Exception as exc:
    print("RAISED", type(exc).__name__)
nbformat.write(nb, f"{folder}/out.ipynb")
"""


def _grade_cells(folder: Path, cells, settings: str, timeout: float = 120):
    """Run ``cells`` through the course's grading preprocessor (GuardedExecute, sandboxed
    kernel) in a process of its own, with the config lines ``settings`` (``config.…``) added.
    Returns that process and the notebook it wrote; a grader still running after ``timeout``
    seconds fails the test."""
    import nbformat

    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, folder / "in.ipynb")
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _GRADE, str(folder), settings],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the grader was still running after {timeout} s")
    assert (folder / "out.ipynb").exists(), proc.stdout + proc.stderr
    return proc, nbformat.read(folder / "out.ipynb", 4)


def test_a_kernel_that_ends_itself_in_a_test_cell_is_seen_at_once(tmp_path, bwrap):
    # The student's function calls os._exit while a test cell runs in the grader; the check
    # takes that for the function's own error, as it takes any. The grader must then see that
    # the kernel is gone instead of waiting out the warden's time for its end-of-cell reply
    # (600 s here: a grader that waits is stopped by the subprocess timeout, a fifth of that).
    import nbformat

    student = nbformat.v4.new_code_cell("import os\n\n\ndef leave(x):\n    os._exit(0)\n")
    test = nbformat.v4.new_code_cell(
        "# your code: leave\nfrom course.checks import case, check\n\n"
        "check(leave, [case(1, expected=1)])\n"
    )
    test.metadata["nbgrader"] = {"grade": True, "grade_id": "test_leave", "points": 1}
    proc, nb = _grade_cells(
        tmp_path,
        [student, test, nbformat.v4.new_code_cell("1 + 1")],
        "config.GuardedExecute.warden_timeout = 600.0",
    )
    # nbclient's DeadKernelError at the cell after the test
    assert "RAISED DeadKernelError" in proc.stdout, proc.stdout + proc.stderr
    errors = [o for o in nb.cells[1].outputs if o.output_type == "error"]
    assert errors and errors[-1].ename == "DeadKernelError", nb.cells[1].outputs


# Grades <folder>/first/in.ipynb, then <folder>/second/in.ipynb, with ONE grading
# preprocessor in one process, as nbgrader grades the students of a group one after another.
_GRADE_TWO = """
import sys

import nbformat

from course.grading import course_config
from course.grading.execute import GuardedExecute

grader = GuardedExecute(config=course_config())
for name in ("first", "second"):
    folder = f"{sys.argv[1]}/{name}"
    nb = nbformat.read(f"{folder}/in.ipynb", 4)
    try:
        grader.preprocess(nb, {"metadata": {"path": folder}})
    except Exception as exc:
        print("RAISED", name, type(exc).__name__, exc)
    nbformat.write(nb, f"{folder}/out.ipynb")
"""

# What a red-team submission did to the grading process's shared connection folder: it turned
# its kernel's connection file into a folder (so the next kernel could not start) and left a
# file there (which the next students' kernels could read).
_SQUAT = """
import os, ipykernel.connect
conn = ipykernel.connect.get_connection_file()
with open(os.path.join(os.path.dirname(conn), "left-by-the-first"), "w") as f:
    f.write("a message for the next student")
os.remove(conn)
os.mkdir(conn)
print("squatted", os.path.dirname(conn))
"""
_LOOK = """
import os, ipykernel.connect
folder = os.path.dirname(ipykernel.connect.get_connection_file())
print("sees", folder, sorted(os.listdir(folder)))
"""


def test_each_kernel_gets_a_connection_folder_of_its_own(tmp_path, bwrap):
    # The sandbox mounts the kernel's connection folder read-write (its sockets live there).
    # Were it one folder per grading process, a submission could stop every later kernel of
    # its group from starting, or leave files for the next students to read.
    import nbformat

    for name, code in (("first", _SQUAT), ("second", _LOOK)):
        (tmp_path / name).mkdir()
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        nbformat.write(nb, tmp_path / name / "in.ipynb")
    proc = subprocess.run(
        [sys.executable, "-c", _GRADE_TWO, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "RAISED" not in proc.stdout, log
    first, second = (
        nbformat.read(tmp_path / n / "out.ipynb", 4).cells[0] for n in ("first", "second")
    )
    squatted = "".join(o.get("text", "") for o in first.outputs).split()
    assert squatted[0] == "squatted", first.outputs
    seen = "".join(o.get("text", "") for o in second.outputs)
    assert seen.startswith("sees "), second.outputs  # the second kernel started and ran
    assert "left-by-the-first" not in seen
    assert seen.split()[1] != squatted[1]
    assert not Path(squatted[1]).exists(), "the first kernel's folder outlived it"


@pytest.fixture(scope="module")
def timed_cells(tmp_path_factory, bwrap):
    """Three of the student's own cells (not test cells) graded under a 2 s limit: one sleeps
    3 s, one sleeps for an hour, one prints."""
    import nbformat

    sources = ["import time\ntime.sleep(3)\nprint('woke up')", "time.sleep(3600)", "print(1 + 1)"]
    proc, nb = _grade_cells(
        tmp_path_factory.mktemp("timed"),
        [nbformat.v4.new_code_cell(src) for src in sources],
        "config.GuardedExecute.timeout = 2",
    )
    assert "RAISED" not in proc.stdout, proc.stdout + proc.stderr
    return nb


def _cut(cell) -> list[str]:
    """The reasons the grader gave for stopping ``cell`` (its CellTimeoutError outputs)."""
    return [o.evalue for o in cell.outputs if o.get("ename") == "CellTimeoutError"]


def test_a_students_cell_that_computes_past_the_limit_is_stopped_and_says_why(tmp_path, bwrap):
    # The clock's limit is put out of reach (1000 times the limit instead of 4), so only the
    # kernel's CPU time can stop the loop, however slowly a loaded machine lets it run.
    import nbformat

    loop = nbformat.v4.new_code_cell("while True:\n    pass")
    settings = (
        "import course.grading.execute, course.grading.remote\n"
        "course.grading.execute.WALL_FACTOR = course.grading.remote.WALL_FACTOR = 1000\n"
        "config.GuardedExecute.timeout = 2"
    )
    proc, nb = _grade_cells(tmp_path, [loop, nbformat.v4.new_code_cell("print(1 + 1)")], settings)
    assert "RAISED" not in proc.stdout, proc.stdout + proc.stderr
    cell = nb.cells[0]
    assert _cut(cell) and "more than 2 s of computing time" in _cut(cell)[0], cell.outputs
    record = {"kind": "timeout", "detail": f"out of time: {_cut(cell)[0]}"}
    assert record in cell.metadata["mle_integrity"]
    assert [o.get("text") for o in nb.cells[1].outputs] == ["2\n"], nb.cells[1].outputs


def test_a_students_cell_that_waits_longer_than_the_limit_by_the_clock_is_not_cut(timed_cells):
    # 3 s by the clock, almost no CPU: a grader slowed down by a busy machine is not the
    # student's time (a 2 s limit by the clock would have cut it).
    cell = timed_cells.cells[0]
    assert not _cut(cell), cell.outputs
    assert [o.text for o in cell.outputs if o.output_type == "stream"] == ["woke up\n"]


def test_a_students_cell_that_waits_forever_is_stopped_by_the_clock(timed_cells):
    cell = timed_cells.cells[1]
    assert _cut(cell) and "ran for more than 8 s (does your code wait or sleep?)" in _cut(cell)[0]
    last = timed_cells.cells[2]
    assert [o.get("text") for o in last.outputs] == ["2\n"], last.outputs


def test_integrity_records_a_submission_wrote_itself_are_dropped(tmp_path, bwrap):
    # Fifty made-up records filled a cell's list (it keeps at most 50), so what grading saw
    # would not have been recorded; and the report would have shown what the student chose.
    import nbformat

    cell = nbformat.v4.new_code_cell("import os\nos.listdir('/root')\n")
    fake = [{"kind": "note", "detail": f"all fine {i}"} for i in range(50)]
    cell.metadata["mle_integrity"] = fake
    proc, nb = _grade_cells(tmp_path, [cell], "")
    records = nb.cells[0].metadata.get("mle_integrity", [])
    assert not [r for r in records if r["kind"] == "note"], records
    assert [r for r in records if r["kind"] == "outside-folder"], (records, proc.stdout)


def test_a_cell_keeps_at_most_max_output_bytes_of_output(tmp_path, bwrap):
    # A red-team submission printed 12 displays of 100 MB: the grader held them all (1.6 GB) and
    # wrote a 21 MB graded notebook. Here the limit is 1000 bytes, to keep the test small.
    import nbformat

    flood = nbformat.v4.new_code_cell("for i in range(50):\n    print('x' * 99)\n")
    after = nbformat.v4.new_code_cell("print('after')\n")
    redraw = nbformat.v4.new_code_cell(
        "from IPython.display import clear_output\n"
        "for i in range(30):\n"
        "    clear_output(wait=True)\n"
        "    print(str(i) * 99)\n"
    )
    proc, nb = _grade_cells(
        tmp_path, [flood, after, redraw], "config.GuardedExecute.max_output_bytes = 1000"
    )
    text = [
        "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        for cell in nb.cells
    ]
    assert text[0].endswith(
        "[the grader kept 1000 bytes of this cell's output and dropped the rest]\n"
    )
    assert len(text[0]) < 1000 + 100, len(text[0])
    records = nb.cells[0].metadata.get("mle_integrity", [])
    assert [r for r in records if r["kind"] == "output"], (records, proc.stdout)
    assert text[1] == "after\n"  # the next cell is not cut
    # A cell that clears and redraws keeps what it shows last, and is not cut.
    assert text[2] == "29" * 99 + "\n", text[2][:300]
    assert not nb.cells[2].metadata.get("mle_integrity")


def test_cells_after_the_notebooks_time_is_up_are_not_run(tmp_path, bwrap):
    # Each cell waiting just under its own limit (2 minutes by the clock) held a grading process
    # for as long as the notebook had cells. Here the notebook's budget is 3 s.
    import nbformat

    cells = [
        nbformat.v4.new_code_cell("import time\ntime.sleep(2)\nprint('one')"),
        nbformat.v4.new_code_cell("time.sleep(2)\nprint('two')"),
        nbformat.v4.new_code_cell("print('three')"),
        nbformat.v4.new_code_cell("print('four')"),
    ]
    proc, nb = _grade_cells(tmp_path, cells, "config.GuardedExecute.max_notebook_seconds = 3.0")
    printed = ["".join(o.get("text", "") for o in c.outputs) for c in nb.cells]
    assert printed[:2] == ["one\n", "two\n"], (printed, proc.stdout)
    for cell in nb.cells[2:]:
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert [e.ename for e in errors] == ["NotebookTimeout"], cell.outputs
        assert "3 s" in errors[0].evalue
    records = nb.cells[2].metadata.get("mle_integrity", [])
    assert [r for r in records if r["kind"] == "timeout"], records
