"""Test cells in the grader, the student's functions in the kernel (course.grading.remote).

One plain IPython kernel with the warden extension loaded, as the grading kernel has it (the
sandbox around it is tested in test_sandbox.py); the tests define "student" code in it, then
run test-cell code here through a Session, exactly as GuardedExecute does during autograde.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import psutil
import pytest
from jupyter_client.manager import KernelManager

from course._warden import MSG_SERVE, MSG_SERVE_REPLY
from course._wire import NotPlain
from course.checks import CheckFailure, case, check
from course.grading import remote
from course.grading.remote import (
    WALL_FACTOR,
    CellTimeout,
    KernelGone,
    Session,
    process_tree_cpu,
    run_test_cell,
)

pytestmark = pytest.mark.slow


class Kernel:
    def __init__(self, folder):
        self.folder = str(folder)
        self.km = KernelManager(kernel_name="python3")
        self.km.start_kernel(
            extra_arguments=["--IPKernelApp.extensions=course._warden"], cwd=self.folder
        )
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=120)

    def run(self, code: str) -> str:
        reply = self.kc.execute_interactive(
            textwrap.dedent(code), timeout=60, output_hook=self._out
        )
        assert reply["content"]["status"] == "ok", reply["content"]
        out, self.printed = self.printed, ""
        return out

    printed = ""

    def _out(self, msg):
        if msg["msg_type"] == "stream":
            self.printed += msg["content"]["text"]

    def session(self, timeout: float = 20.0) -> Session:
        """A connected Session; close it with :meth:`finish`."""
        s = Session(
            self.folder,
            alive=self.km.is_alive,
            interrupt=self.km.interrupt_kernel,
            timeout=timeout,
            cpu=lambda: process_tree_cpu(self.km.provisioner.process.pid),
        )
        self.request = self.kc.session.msg(MSG_SERVE, {"address": s.address, "token": s.token})
        self.kc.shell_channel.send(self.request)
        s.hello(10)
        return s

    def finish(self, s: Session) -> dict:
        s.close()
        while True:
            reply = self.kc.get_shell_msg(timeout=30)
            if reply["parent_header"].get("msg_id") == self.request["header"]["msg_id"]:
                assert reply["msg_type"] == MSG_SERVE_REPLY
                return reply["content"]

    def close(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    k = Kernel(tmp_path_factory.mktemp("k"))
    k.run(
        """
        import numpy as np

        def bernoulli_mle(x):
            x = np.asarray(x, dtype=float)
            return float(x.mean())

        def draw(simulate, rng, reps):
            return [simulate(rng) for _ in range(reps)]

        def scale_in_place(a):
            a *= 2
            return float(a.sum())

        def shift_nested(init, extra):
            weights, means = init
            means[0] += 1.0                     # inside a tuple
            extra["cov"][0, 0] = 9.0            # inside a dict
            extra["copy"] = np.zeros(2)         # the dict entry rebound: its values count
            return 0.0

        def picky(x):
            if x < 0:
                raise ValueError("x must be non-negative")
            return x

        def stub(x):
            raise NotImplementedError()

        class Liar(float):
            def __eq__(self, other):
                return True

        def liar(x):
            return Liar(x)

        def noisy(x):
            print("looking at", x)
            return x

        def delegate(x):
            import mlelib
            return mlelib.bernoulli_mle(x)

        table = np.arange(6.0).reshape(2, 3)
        weird = {1, 2}
        """
    )
    yield k
    k.close()


def test_names_are_described_functions_values_and_missing(kernel):
    s = kernel.session()
    try:
        found = s.describe(["bernoulli_mle", "table", "weird", "nowhere"])
    finally:
        kernel.finish(s)
    assert str(found["bernoulli_mle"].__signature__) == "(x)"
    np.testing.assert_array_equal(found["table"], np.arange(6.0).reshape(2, 3))
    assert "set" in found["weird"].why
    assert "nowhere" not in found


def test_a_test_cell_runs_here_and_calls_the_student_function_there(kernel):
    s = kernel.session()
    cell = textwrap.dedent(
        """
        # your code: bernoulli_mle
        import os
        from course.checks import case, check
        print("grader pid", os.getpid())
        check(bernoulli_mle, [case([1, 0, 1, 1], expected=0.75), case([0], expected=0.0)])
        """
    )
    try:
        text, error, _ = run_test_cell(cell, s, ["bernoulli_mle"])
    finally:
        reply = kernel.finish(s)
    assert error is None, error
    import os

    assert f"grader pid {os.getpid()}" in text  # the cell ran in this process
    assert "✓ bernoulli_mle: 2 cases passed" in text
    assert reply["status"] == "ok"


def test_a_failing_case_becomes_the_cells_error_output(kernel):
    s = kernel.session()
    cell = "# your code: bernoulli_mle\nfrom course.checks import case, check\n"
    cell += "check(bernoulli_mle, [case([1, 1], expected=0.5, hint='look again')])\n"
    try:
        _, error, _ = run_test_cell(cell, s, ["bernoulli_mle"])
    finally:
        kernel.finish(s)
    ename, evalue, lines = error
    assert ename == "CheckFailure" and "failed on case 1 of 1" in evalue
    text = "\n".join(lines)
    assert "input:    x = [1, 1]" in text and "got:      1.0" in text and "look again" in text


def test_a_function_that_changes_its_arguments_fails_in_the_grader_as_in_the_kernel(kernel):
    # The student's function overwrites arrays of the test's arguments (one inside a tuple):
    # the kernel's changes come back, and the check run here names them.
    s = kernel.session()
    cell = "# your code: scale_in_place, shift_nested\nimport numpy as np\n"
    cell += "from course.checks import case, check\n"
    cell += "check(scale_in_place, [case(np.array([1.0, 2.0]), expected=6.0)])\n"
    nested = (
        "# your code: shift_nested\nimport numpy as np\nfrom course.checks import case, check\n"
    )
    nested += "check(shift_nested, [case((np.ones(2), np.zeros(2)), {'cov': np.eye(2)}, "
    nested += "expected=0.0)])\n"
    try:
        _, error, _ = run_test_cell(cell, s, ["scale_in_place", "shift_nested"])
        _, nested_error, _ = run_test_cell(nested, s, ["shift_nested"])
    finally:
        kernel.finish(s)
    assert "changed its argument a in place" in "\n".join(error[2])
    assert "changed its argument init[1] in place" in "\n".join(nested_error[2])


def test_callbacks_and_generators_behave_as_in_the_kernel(kernel):
    # The test's simulate(rng) stays here; the kernel's generator state goes back and forth,
    # so the draws and the generator afterwards are exactly those of a local run.
    s = kernel.session()
    try:
        rng = np.random.default_rng(7)
        got = s.describe(["draw"])["draw"](lambda r: float(r.normal()), rng, 4)
        after = rng.normal()
    finally:
        kernel.finish(s)
    local = np.random.default_rng(7)
    assert got == [float(local.normal()) for _ in range(4)]
    assert after == local.normal()


def test_arrays_changed_in_place_are_written_back(kernel):
    s = kernel.session()
    try:
        a = np.array([1.0, 2.0])
        total = s.describe(["scale_in_place"])["scale_in_place"](a)
    finally:
        kernel.finish(s)
    assert total == 6.0
    np.testing.assert_array_equal(a, [2.0, 4.0])


def test_arrays_inside_tuples_and_dicts_changed_in_place_are_written_back(kernel):
    # So that a check sees a student's function change its argument's arrays (an EM start
    # tuple, say) during autograde as it sees it in the student's kernel.
    weights, means = np.array([0.5, 0.5]), np.array([0.0, 1.0])
    extra = {"cov": np.eye(2), "copy": np.ones(2)}
    s = kernel.session()
    try:
        s.describe(["shift_nested"])["shift_nested"]((weights, means), extra)
    finally:
        kernel.finish(s)
    np.testing.assert_array_equal(means, [1.0, 1.0])
    np.testing.assert_array_equal(weights, [0.5, 0.5])
    np.testing.assert_array_equal(extra["cov"], [[9.0, 0.0], [0.0, 1.0]])
    np.testing.assert_array_equal(extra["copy"], [0.0, 0.0])  # same shape, so written


def test_errors_keep_their_type_and_the_students_line(kernel):
    s = kernel.session()
    try:
        fns = s.describe(["picky", "stub"])
        with pytest.raises(ValueError, match="non-negative") as info:
            fns["picky"](-1)
        assert "raise ValueError" in info.value.where
        with pytest.raises(CheckFailure, match="not implemented yet"):
            check(fns["stub"], [case(1, expected=1)])
    finally:
        kernel.finish(s)


def test_an_object_of_the_students_own_type_cannot_cross(kernel):
    s = kernel.session()
    try:
        liar = s.describe(["liar"])["liar"]
        with pytest.raises(NotPlain, match="subclass of float"):
            liar(0.5)
        with pytest.raises(CheckFailure, match="not graded|subclass of float"):
            check(liar, [case(0.5, expected=0.75)])
    finally:
        kernel.finish(s)
    assert {"kind": "not-plain"} in [{"kind": r["kind"]} for r in s.records]


def test_the_reference_library_is_a_stand_in_in_the_kernel(kernel):
    s = kernel.session()
    try:
        with pytest.raises(CheckFailure, match="MlelibNotAvailable"):
            check(s.describe(["delegate"])["delegate"], [case([1, 0], expected=0.5)])
    finally:
        kernel.finish(s)
    assert any(r["kind"] == "mlelib" for r in s.records)


def test_the_students_prints_are_kept(kernel):
    s = kernel.session()
    try:
        text, error, _ = run_test_cell("# your code: noisy\nnoisy(3)\n", s, ["noisy"])
    finally:
        kernel.finish(s)
    assert error is None and "looking at 3" in text


def test_the_time_limit_interrupts_the_student_and_the_kernel_serves_on(kernel, monkeypatch):
    # The clock's limit out of reach: only the kernel's CPU time can stop the loop, however
    # slowly a loaded machine lets it run.
    monkeypatch.setattr(remote, "WALL_FACTOR", 1000)
    kernel.run("def forever(x):\n    while True:\n        pass\n")
    s = kernel.session(timeout=3)
    try:
        with pytest.raises(CellTimeout, match="computing time"):
            s.describe(["forever"])["forever"](1)
    finally:
        kernel.finish(s)
    assert s.timed_out and s.used["cpu"] > 3
    assert [r["kind"] for r in s.records] == ["timeout"]
    s = kernel.session()
    try:
        assert s.describe(["bernoulli_mle"])["bernoulli_mle"]([1, 1, 0, 0]) == 0.5
    finally:
        kernel.finish(s)


def test_the_time_the_grader_spends_on_a_tests_callables_is_not_the_students(kernel):
    # A coverage study calls the test's simulate(rng) thousands of times across the sandbox; on
    # a loaded grader that took longer than the cell's limit by the clock, while the student's
    # loop itself needed a fraction of a second of the kernel's CPU.
    s = kernel.session(timeout=2)

    def slow_simulate(rng):
        time.sleep(0.3)  # the grader's own work, slowed by a busy machine
        return float(rng.normal())

    started = time.monotonic()
    try:
        draws = s.describe(["draw"])["draw"](slow_simulate, np.random.default_rng(1), 10)
    finally:
        kernel.finish(s)
    assert 2 < time.monotonic() - started < WALL_FACTOR * 2
    assert len(draws) == 10 and not s.timed_out and s.used["cpu"] < 2


def test_code_that_waits_is_stopped_by_the_clock(kernel):
    kernel.run("def dozes(x):\n    import time\n    time.sleep(3600)\n")
    s = kernel.session(timeout=1)
    started = time.monotonic()
    try:
        with pytest.raises(CellTimeout, match="wait or sleep"):
            s.describe(["dozes"])["dozes"](1)
    finally:
        kernel.finish(s)
    assert time.monotonic() - started >= WALL_FACTOR * 1
    assert s.timed_out and s.used["cpu"] < 1


def test_the_cpu_of_every_process_the_kernel_started_counts():
    # A grandchild that computes, under a shell that only waits: its time is the shell's tree's.
    # (`; :` keeps the shell from replacing itself with its last command)
    shell = subprocess.Popen(["sh", "-c", f'"{sys.executable}" -c "while True: pass"; :'])
    try:
        deadline = time.monotonic() + 120
        while (used := process_tree_cpu(shell.pid)) is None or used < 0.5:
            assert time.monotonic() < deadline, used
            time.sleep(0.05)
    finally:
        for p in psutil.Process(shell.pid).children(recursive=True):
            p.kill()
        shell.kill()
        shell.wait()
    assert process_tree_cpu(shell.pid) is None  # gone and reaped: nothing to read


def test_frames_tracebacks_and_the_garbage_collector_hold_no_answer(kernel):
    # The ten-line snippet that beat the in-kernel checks: walk up from the student's function,
    # through a traceback and through every object the collector knows, looking for the
    # expected value. In the kernel there is none to find.
    kernel.run(
        """
        import gc, sys

        def steal(x):
            def hunt(frame):
                while frame is not None:
                    for name, v in list(frame.f_locals.items()):
                        if name in ("expected", "exp") and isinstance(v, float):
                            return v
                        if hasattr(v, "expected") and isinstance(v.expected, float):
                            return v.expected
                    frame = frame.f_back
            found = hunt(sys._getframe(1))
            try:
                raise RuntimeError
            except RuntimeError as e:
                found = found or hunt(e.__traceback__.tb_frame.f_back)
            for o in gc.get_objects():
                if type(o).__name__ == "Case":
                    found = found or o.expected
                elif type(o) is dict and type(o.get("expected")) is float:
                    found = found or o["expected"]
            return found if found is not None else -1.0
        """
    )
    # The snippet is a real attack: when the check runs in the same process, it wins.
    out = kernel.run(
        "from course.checks import case as c_, check as k_\n"
        "k_(steal, [c_(1.0, expected=0.123456789)])"
    )
    assert "✓ steal: 1 case passed" in out
    s = kernel.session()
    try:
        with pytest.raises(CheckFailure, match="got:      -1.0"):
            check(s.describe(["steal"])["steal"], [case(1.0, expected=0.123456789)])
    finally:
        kernel.finish(s)


def test_honest_globals_named_like_the_test_helpers_do_not_matter(kernel):
    kernel.run("m, expected, case, check, np = 3, 0.75, 'my case', 'done', __import__('numpy')")
    cell = (
        "# your code: bernoulli_mle\nfrom course.checks import case, check\n"
        "m = 2\ncheck(bernoulli_mle, [case([1, 0] * m, expected=0.5)])\n"
    )
    s = kernel.session()
    try:
        _, error, _ = run_test_cell(cell, s, ["bernoulli_mle"])
    finally:
        kernel.finish(s)
    assert error is None, error


def test_garbage_from_the_kernel_fails_the_case_with_a_clear_message(kernel):
    kernel.run(
        """
        import course._warden as w
        _real_call = w._Server.call
        w._Server.call = lambda self, header, bufs: ({"value": {"t": "pickle", "v": "x"}}, [])
        """
    )
    s = kernel.session()
    try:
        with pytest.raises(CheckFailure, match="could not be read as plain data"):
            check(s.describe(["bernoulli_mle"])["bernoulli_mle"], [case([1], expected=1.0)])
    finally:
        kernel.finish(s)
        kernel.run("w._Server.call = _real_call")
    assert any(r["kind"] == "wire" for r in s.records)


def test_a_kernel_that_does_not_answer_fails_closed(kernel):
    kernel.run(
        """
        _kernel = get_ipython().kernel
        _real_serve = _kernel.shell_handlers["mle_serve_request"]
        _kernel.shell_handlers["mle_serve_request"] = lambda *args: None
        """
    )
    s = Session(kernel.folder, alive=kernel.km.is_alive, interrupt=lambda: None, timeout=20)
    request = kernel.kc.session.msg(MSG_SERVE, {"address": s.address, "token": s.token})
    kernel.kc.shell_channel.send(request)
    try:
        with pytest.raises(KernelGone, match="did not connect"):
            s.hello(2)
        # Closing a session nobody connected to must not wait for a peer that never came.
        closer = threading.Thread(target=s.close, daemon=True)
        closer.start()
        closer.join(10)
        assert not closer.is_alive(), "Session.close() blocked on an unconnected socket"
    finally:
        kernel.run("_kernel.shell_handlers['mle_serve_request'] = _real_serve")
    s = kernel.session()  # and the real warden serves again
    kernel.finish(s)


def test_a_forged_hello_is_refused(kernel):
    kernel.run(
        """
        import zmq
        _kernel = get_ipython().kernel
        _real_serve = _kernel.shell_handlers["mle_serve_request"]
        def _forge(stream, idents, msg):
            sock = zmq.Context.instance().socket(zmq.PAIR)
            sock.connect(msg["content"]["address"])
            sock.send_multipart([b'{"kind": "hello", "token": "guess"}'])
            sock.close(linger=1000)
        _kernel.shell_handlers["mle_serve_request"] = _forge
        """
    )
    s = Session(kernel.folder, alive=kernel.km.is_alive, interrupt=lambda: None, timeout=20)
    kernel.kc.shell_channel.send(
        kernel.kc.session.msg(MSG_SERVE, {"address": s.address, "token": s.token})
    )
    try:
        with pytest.raises(KernelGone, match="did not expect"):
            s.hello(5)
    finally:
        s.socket.close(linger=0)
        kernel.run("_kernel.shell_handlers['mle_serve_request'] = _real_serve")


def test_the_module_under_test_runs_here_not_in_the_kernel(kernel):
    # The hidden tests' reference library is this process's real mlelib.
    assert "mlelib" in sys.modules or __import__("mlelib")
    import mlelib

    assert mlelib.bernoulli_mle(np.array([1, 0, 1, 1])) == 0.75


def test_broken_exceptions_and_unreadable_results_fail_only_their_case(kernel):
    kernel.run(
        """
        class Broken(Exception):
            def __str__(self):
                raise RuntimeError("no message for you")

        def raises_broken(x):
            raise Broken()

        def huge(x):
            return 10 ** 5000
        """
    )
    s = kernel.session()
    try:
        fns = s.describe(["raises_broken", "huge"])
        with pytest.raises(CheckFailure, match="Broken whose message could not be read"):
            check(fns["raises_broken"], [case(1, expected=1.0)])
        with pytest.raises(CheckFailure, match="could not be read"):
            check(fns["huge"], [case(1, expected=1.0)])
        # and the kernel still serves the next call
        assert s.describe(["bernoulli_mle"])["bernoulli_mle"]([1, 0]) == 0.5
    finally:
        kernel.finish(s)


def test_a_declared_name_the_notebook_never_defined_says_so(kernel):
    s = kernel.session()
    try:
        _, error, _ = run_test_cell(
            "# your code: score_steps\nprint(len(score_steps))\n", s, ["score_steps"]
        )
    finally:
        kernel.finish(s)
    assert error[0] == "NameError" and "score_steps is not defined yet" in error[1]
