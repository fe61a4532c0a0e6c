"""Autograde execution in which grades are decided outside the student's process.

``GuardedExecute`` replaces nbgrader's ``Execute`` in ``Autograde.autograde_preprocessors``
(see ``nbgrader_config.py``). The student's cells run in the sandboxed kernel as nbgrader runs
them. A graded test cell does not: it runs here, in the grader's process
(:mod:`course.grading.remote`), and calls the student's functions across the sandbox with plain
data. Its printed output and its error become the cell's outputs, so nbgrader's scoring, its
timeout rule (an error output) and the rest of the pipeline see what they always saw.

Every cell has the same time limit (nbgrader's ``c.Execute.timeout``): the CPU time of the
kernel's processes since the cell began, or :data:`~course.grading.remote.WALL_FACTOR` times
that by the clock (:class:`course.grading.remote.CellClock`). The grader watches it for the
student's own cells too, and interrupts the kernel when it runs out; nbclient's own clock limit
stays behind it as a backstop (``WALL_FACTOR`` times the limit plus :data:`BACKSTOP` seconds)
for code that ignores the interrupt. A loaded grading machine slows a cell down by the clock
without making a correct student run out of time.

Around every cell the grader also asks the kernel's warden (:mod:`course._warden`) what its
audit hook saw (files outside the submission's folder, sockets, subprocesses) and files it in
the cell's metadata, ``cell.metadata["mle_integrity"] = [{"kind", "detail"}, ...]``, together
with what a test cell's calls ran into (``timeout``, ``mlelib``, ``not-plain``, ``wire``,
``warden``). The integrity report reads those records; no grade depends on them.

It fails closed: a kernel without the warden (the sandbox did not start it, or the submission
removed it) cannot serve a test cell, so every test cell from then on scores 0, and when the
warden is missing before the first cell the submission is not graded at all.
"""

from __future__ import annotations

import asyncio
import os
import time
from queue import Empty

from jupyter_core.utils import run_sync
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool, Float, Integer

from course._warden import MSG_REQUEST, MSG_SERVE
from course.grading import sandbox
from course.grading.remote import (
    LEASE,
    WALL_FACTOR,
    CellClock,
    KernelGone,
    Session,
    declared_names,
    process_tree_cpu,
    run_test_cell,
)
from course.grading.submissions import INTEGRITY_KEY, is_test_cell

__all__ = ["BACKSTOP", "GuardedExecute", "WardenError"]

# Seconds nbclient waits for a cell beyond the grader's own clock limit before it gives up on
# the cell itself (code that keeps running after the grader's interrupt).
BACKSTOP = 30.0


class WardenError(RuntimeError):
    """The kernel's warden did not answer: the submission is not graded."""


def _record(cell, entries) -> None:
    if not entries:
        return
    existing = cell.metadata.setdefault(INTEGRITY_KEY, [])
    for e in entries:
        if not isinstance(e, dict):
            continue
        entry = {"kind": str(e.get("kind", "?"))[:40], "detail": str(e.get("detail", ""))[:300]}
        if entry not in existing and len(existing) < 50:
            existing.append(entry)


def _output_size(content) -> int:
    """The bytes an output message would add to the notebook (its text, data and traceback)."""
    if not isinstance(content, dict):
        return 0
    size = len(str(content.get("text", "")))
    data = content.get("data")
    if isinstance(data, dict):
        size += sum(len(str(v)) for v in data.values())
    traceback = content.get("traceback")
    if isinstance(traceback, list):
        size += sum(len(str(line)) for line in traceback)
    return size


class GuardedExecute(Execute):
    """nbgrader's ``Execute``, with graded test cells run in the grader (module docstring)."""

    warden_timeout = Float(
        30.0,
        help="Seconds to wait for the kernel's warden to answer one request (to connect for a "
        "test cell, to finish one). Generous: on a loaded machine a sandboxed kernel can take "
        "seconds to answer, and a warden taken for silent fails the rest of the submission.",
    ).tag(config=True)
    require_warden = Bool(
        True,
        help="Stop grading a submission whose kernel has no warden (fail closed). Only turn "
        "this off for a kernel that cannot load course._warden.",
    ).tag(config=True)

    max_output_bytes = Integer(
        5 * 2**20,
        help="The most output (text, images, error tracebacks) one cell may keep, in bytes. "
        "What comes after is dropped, with a notice in the cell and an integrity record: a "
        "submission printing gigabytes would otherwise fill the grader's memory and the graded "
        "notebook. A figure is about 50 kB.",
    ).tag(config=True)

    max_notebook_seconds = Float(
        600.0,
        help="Seconds by the clock one notebook may take from its first cell on; the cells after "
        "that are not run (an error in each, so their tests score 0, and a line in the "
        "integrity report). The per-cell limit alone lets a notebook of many cells that each "
        "wait just under it hold a grading process for hours; the course's notebooks take under "
        "a minute.",
    ).tag(config=True)

    def create_kernel_manager(self):
        """nbclient's kernel manager, able to find the sandbox kernelspec (and only this one).

        With the ``ipc`` transport (the sandbox's) the kernel gets a connection folder of its
        own (:func:`course.grading.sandbox.kernel_connection_file`), removed by
        :meth:`preprocess` once the kernel has stopped: nothing one submission leaves there
        reaches the next kernel.
        """
        km = super().create_kernel_manager()
        kernels = str(sandbox.KERNELSPEC_PATH / "kernels")
        ksm = km.kernel_spec_manager
        if kernels not in ksm.kernel_dirs:
            ksm.kernel_dirs = [kernels, *ksm.kernel_dirs]
        if km.transport == "ipc":
            km.connection_file = sandbox.kernel_connection_file()
            km.ip = os.path.splitext(km.connection_file)[0] + "-ipc"  # beside it, as the default
            self._mle_connection_files.append(km.connection_file)
        return km

    def preprocess(self, nb, resources=None, km=None):
        self._mle_started = False
        self._mle_count = 0
        self._mle_silent = False  # the kernel stopped serving test cells: they all fail
        self._mle_audit_silent = False  # the warden stopped answering audit requests
        self._mle_connection_files: list[str] = []
        self._mle_output_bytes: dict[int, int] = {}  # cell index -> output bytes kept
        self._mle_first_cell: float | None = None  # when the first cell began (time.monotonic)
        self._mle_out_of_time = False
        for cell in nb.cells:  # only what this grading sees: a submission may have written some
            cell.metadata.pop(INTEGRITY_KEY, None)
        try:
            return super().preprocess(nb, resources, km)
        finally:  # the kernel has stopped (nbclient shuts down the kernel it started)
            for conn_file in self._mle_connection_files:
                sandbox.remove_kernel_connection_folder(conn_file)

    # --- output ---------------------------------------------------------------------------
    def output(self, outs, msg, display_id, cell_index):
        """nbclient's output handling, keeping at most ``max_output_bytes`` per cell.

        What a ``clear_output`` removed no longer counts (a cell that redraws one figure keeps
        one figure), but once a cell is cut it stays cut.
        """
        kept = self._mle_output_bytes.get(cell_index, 0)
        if self.clear_before_next_output and kept <= self.max_output_bytes:
            kept = 0  # nbclient clears the cell's outputs before it adds this one
        if kept > self.max_output_bytes:  # already cut: drop the rest
            return None
        size = _output_size(msg.get("content", {}))
        if kept + size <= self.max_output_bytes:
            self._mle_output_bytes[cell_index] = kept + size
            return super().output(outs, msg, display_id, cell_index)
        self._mle_output_bytes[cell_index] = self.max_output_bytes + 1
        n = self.max_output_bytes
        limit = f"{n / 2**20:g} MB" if n >= 2**20 else f"{n} bytes"
        notice = NotebookNode(
            output_type="stream",
            name="stdout",
            text=f"[the grader kept {limit} of this cell's output and dropped the rest]\n",
        )
        outs.append(notice)
        _record(
            self.nb.cells[cell_index],
            [
                {
                    "kind": "output",
                    "detail": f"the cell's output passed {limit}; the rest was dropped",
                }
            ],
        )
        return None

    def clear_output(self, outs, msg, cell_index):
        super().clear_output(outs, msg, cell_index)
        if not self.clear_before_next_output and not outs:  # cleared now, not deferred
            if self._mle_output_bytes.get(cell_index, 0) <= self.max_output_bytes:
                self._mle_output_bytes[cell_index] = 0

    # --- the warden's audit records ------------------------------------------------------
    async def _mle_request(self, msg_type: str, content: dict, timeout: float) -> dict | None:
        """Send one shell request to the warden; its reply content, or None."""
        msg = self.kc.session.msg(msg_type, content)
        self.kc.shell_channel.send(msg)
        return await self._await_reply(msg, timeout)

    async def _mle_audit(self, cell) -> None:
        if self._mle_audit_silent or self._mle_silent:
            return
        reply = await self._mle_request(MSG_REQUEST, {}, self.warden_timeout)
        if reply is None or reply.get("status") != "ok":
            self._mle_audit_silent = True
            _record(
                cell, [{"kind": "warden", "detail": "the warden did not answer after this cell"}]
            )
            return
        _record(cell, reply.get("events"))

    async def on_cell_execute(self, cell, cell_index, **kwargs):
        if self._mle_started:
            return
        reply = await self._mle_request(MSG_REQUEST, {}, self.warden_timeout)
        if reply is None and self.require_warden:
            raise WardenError(
                "the autograde kernel's warden (course._warden) did not answer before the first "
                "cell; this submission is not graded. Is the kernel the mle-sandbox one "
                "(nbgrader_config.py)?"
            )
        self._mle_started = True

    def on_cell_executed(self, **kwargs):
        super().on_cell_executed(**kwargs)
        return self._mle_audit(kwargs["cell"])

    # --- graded test cells: run here -----------------------------------------------------
    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.cell_type != "code" or not cell.source.strip():
            return await super().async_execute_cell(
                cell, cell_index, execution_count, store_history
            )
        if self._mle_first_cell is None:
            self._mle_first_cell = time.monotonic()
        elif time.monotonic() - self._mle_first_cell > self.max_notebook_seconds:
            return self._skip_for_time(cell)
        # One count for the kernel's cells and the grader's together, in notebook order.
        self._mle_count += 1
        if not is_test_cell(cell):
            return await self._run_in_kernel(
                cell, cell_index, execution_count or self._mle_count, store_history
            )
        await self.on_cell_execute(cell=cell, cell_index=cell_index)
        cell.outputs = []
        cell.execution_count = self._mle_count
        names = declared_names(cell.source)
        if names is None:
            self._fail(
                cell,
                "TestCellError",
                "this test cell does not declare the names it tests "
                "(its first line must be `# your code: name, ...`)",
            )
            return cell
        if self._mle_silent:
            self._fail(
                cell,
                "DeadKernelError",
                "the grading kernel stopped answering the grader; this test is not counted",
            )
            return cell
        await self._run_remote(cell, names)
        return cell

    def _skip_for_time(self, cell):
        """A cell after the notebook's time ran out: not run, an error in its place."""
        budget = f"{self.max_notebook_seconds:g} s"
        cell.outputs = []
        self._fail(
            cell,
            "NotebookTimeout",
            f"the notebook took more than its {budget} by the clock; this cell was not run",
        )
        if not self._mle_out_of_time:
            self._mle_out_of_time = True
            detail = f"the notebook ran out of its {budget}: this cell and those after it not run"
            _record(cell, [{"kind": "timeout", "detail": detail}])
        return cell

    # nbclient binds ``execute_cell`` to its own ``async_execute_cell`` at class creation.
    execute_cell = run_sync(async_execute_cell)

    # --- the time limit --------------------------------------------------------------------
    def _cpu_limit(self, cell) -> float | None:
        """The cell's limit in CPU seconds (``timeout``, or ``timeout_func``); None: no limit."""
        return super()._get_timeout(cell)

    def _get_timeout(self, cell):
        """nbclient's clock limit for a cell the kernel runs: behind the grader's (a backstop)."""
        limit = self._cpu_limit(cell)
        return None if limit is None else WALL_FACTOR * limit + BACKSTOP

    async def _run_in_kernel(self, cell, cell_index, execution_count, store_history):
        """One of the student's cells, run by nbclient in the kernel while the grader watches
        its time (module docstring). Out of time, the kernel is interrupted, and the cell gets
        an error saying why and an integrity record."""
        limit = self._cpu_limit(cell)
        if limit is None or self._kernel_process() is None:
            return await super().async_execute_cell(
                cell, cell_index, execution_count, store_history
            )
        stopped: list[str] = []
        watch = asyncio.ensure_future(self._watch(limit, stopped))
        try:
            await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        finally:
            watch.cancel()
        if stopped:
            why = stopped[0]
            self._fail(cell, "CellTimeoutError", why)
            _record(cell, [{"kind": "timeout", "detail": f"out of time: {why}"}])
        return cell

    async def _watch(self, limit: float, stopped: list[str]) -> None:
        """Every LEASE seconds, compare the kernel's CPU time and the clock since the cell began
        with ``limit``; out of time, say why in ``stopped`` and interrupt the kernel, once."""
        clock = CellClock(limit, self._kernel_cpu)
        while True:
            await asyncio.sleep(LEASE)
            why = clock.out_of_time()
            if why is not None:
                stopped.append(why)
                self._interrupt()
                return

    async def _run_remote(self, cell, names: list[str]) -> None:
        timeout = self._cpu_limit(cell) or 30
        session = Session(
            os.path.dirname(os.path.abspath(self.km.connection_file)),
            alive=self._kernel_alive,
            interrupt=self._interrupt,
            timeout=timeout,
            cpu=self._kernel_cpu,
        )
        request = self.kc.session.msg(
            MSG_SERVE, {"address": session.address, "token": session.token}
        )
        self.kc.shell_channel.send(request)
        started = time.monotonic()
        try:
            session.hello(self.warden_timeout)  # the limit starts once the kernel has connected
            text, error, warned = run_test_cell(cell.source, session, names)
        except KernelGone as exc:
            text, error, warned = "", ["DeadKernelError", str(exc), [f"DeadKernelError: {exc}"]], ""
            self._mle_silent = True
            _record(
                cell, [{"kind": "warden", "detail": f"the kernel did not serve the test: {exc}"}]
            )
        finally:
            session.close()
        self.log.debug(
            "test cell %s ran in the grader in %.2f s (the kernel's CPU: %.2f s at the last look)",
            cell.metadata.get("nbgrader", {}).get("grade_id"),
            time.monotonic() - started,
            session.used.get("cpu", 0.0),
        )
        if text:
            cell.outputs.append(NotebookNode(output_type="stream", name="stdout", text=text))
        if warned:  # as the kernel would have shown them; IgnorePattern drops them for grading
            cell.outputs.append(NotebookNode(output_type="stream", name="stderr", text=warned))
        if error is not None:
            ename, evalue, lines = error
            cell.outputs.append(
                NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=lines)
            )
        _record(cell, session.records)
        if not self._mle_silent:
            reply = await self._await_reply(request, self.warden_timeout)
            if reply is None:
                self._mle_silent = True
                _record(cell, [{"kind": "warden", "detail": "the kernel did not finish this test"}])
            else:
                _record(cell, reply.get("events"))
        if self._mle_silent and not any(o.output_type == "error" for o in cell.outputs):
            self._fail(cell, "DeadKernelError", "the grading kernel stopped answering the grader")

    async def _await_reply(self, request, timeout: float) -> dict | None:
        """The kernel's reply to ``request``; None after ``timeout`` or once the kernel died
        (a kernel that ended itself, say by ``os._exit`` in the student's function, is seen
        within LEASE seconds instead of holding the grader for the whole wait)."""
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                reply = await self.kc.shell_channel.get_msg(timeout=min(remaining, LEASE))
            except Empty:
                if not self._kernel_alive():
                    return None
                continue
            if reply.get("parent_header", {}).get("msg_id") == request["header"]["msg_id"]:
                return reply["content"]
        return None

    def _kernel_process(self):
        """The process the kernel manager started (the sandbox launcher), or None."""
        return getattr(getattr(self.km, "provisioner", None), "process", None)

    def _kernel_alive(self) -> bool:
        process = self._kernel_process()
        return process is None or process.poll() is None

    def _kernel_cpu(self) -> float | None:
        """CPU seconds used so far by the kernel and every process it started (the sandbox's
        whole process tree), read by the grader from the operating system."""
        process = self._kernel_process()
        return None if process is None else process_tree_cpu(process.pid)

    def _interrupt(self) -> None:
        """Ask the kernel to interrupt the student's code (the kernelspec's message mode)."""
        self.kc.control_channel.send(self.kc.session.msg("interrupt_request", {}))

    @staticmethod
    def _fail(cell, ename: str, evalue: str) -> None:
        cell.outputs.append(
            NotebookNode(
                output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"]
            )
        )
