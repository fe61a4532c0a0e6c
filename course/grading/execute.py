"""Autograde execution that a submission cannot talk its way through.

``GuardedExecute`` replaces nbgrader's ``Execute`` in ``Autograde.autograde_preprocessors``
(see ``nbgrader_config.py``). It runs the notebook exactly as nbgrader does, and around every
code cell it exchanges one ``mle_warden_request`` with the warden that
:mod:`course._warden` installed in the kernel before any cell ran:

* before the first cell: the modules the locked cells import are captured (numpy, scipy,
  ``course.checks``...), while nothing of the submission has run yet;
* before each locked or graded cell: IPython's transformers, AST transformers, custom exception
  handler, event callbacks, ``sys`` hooks, builtins and those modules are restored, and the
  names the cell reads that earlier locked cells defined (``check``, ``case``, ``np``...) are
  bound to what those cells bound;
* after each graded cell: the same check again. Anything that changed *while the test ran*
  (the student's function patching ``np.isclose`` when called, say) fails that test cell with
  an ``IntegrityError`` output, whatever the cell printed;
* after every cell: what the kernel's audit hook saw (files outside the submission's folder,
  sockets, subprocesses).

Everything undone or seen is recorded in the cell's metadata as
``cell.metadata["mle_integrity"] = [{"kind": ..., "detail": ...}, ...]`` (kinds
``ipython-hook``, ``patched-helper``, ``rebound-name``, ``swallowed-error``, ``outside-folder``,
``network``, ``subprocess``, ``background-thread``, ``warden``): findings of a reset go on the
cell about to run, audit events on the cell that caused them. The integrity report reads them
from the autograded notebook.

The warden's requests travel on the kernel's shell channel as their own message type, so they
bypass ``run_cell``, input transformers, ``user_expressions`` and event callbacks. If the warden
does not answer (it was not loaded, or the submission broke it), the notebook fails closed: no
answer before the first cell stops the submission; no answer around a graded cell fails that
cell.
"""

from __future__ import annotations

import ast
import time
from queue import Empty

from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool, Float, List, Unicode

from course._warden import MSG_REPLY, MSG_REQUEST
from course.grading.submissions import INTEGRITY_KEY, is_test_cell, meta, parse_cell

# MSG_REQUEST and MSG_REPLY: the message types of course._warden, importable from here too.
__all__ = [
    "MSG_REPLY",
    "MSG_REQUEST",
    "GuardedExecute",
    "WardenError",
    "bound_names",
    "imported_modules",
    "read_names",
]


class WardenError(RuntimeError):
    """The kernel's warden did not answer: the submission is not graded."""


def _targets(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Starred):
        return _targets(node.value)
    if isinstance(node, ast.Tuple | ast.List):
        return [n for elt in node.elts for n in _targets(elt)]
    return []


def bound_names(source: str) -> list[str]:
    """The global names a cell binds at its top level: imports, assignments, defs, classes."""
    tree = parse_cell(source)
    names: list[str] = []

    def visit(stmts):
        for st in stmts:
            if isinstance(st, ast.Import):
                names.extend((a.asname or a.name.split(".")[0]) for a in st.names)
            elif isinstance(st, ast.ImportFrom):
                names.extend((a.asname or a.name) for a in st.names if a.name != "*")
            elif isinstance(st, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.append(st.name)
            elif isinstance(st, ast.Assign):
                names.extend(n for t in st.targets for n in _targets(t))
            elif isinstance(st, ast.AnnAssign | ast.AugAssign):
                names.extend(_targets(st.target))
            elif isinstance(st, ast.For | ast.AsyncFor):
                names.extend(_targets(st.target))
            if isinstance(st, ast.If | ast.For | ast.AsyncFor | ast.While | ast.With | ast.Try):
                for field in ("body", "orelse", "finalbody"):
                    visit(getattr(st, field, []))
                for handler in getattr(st, "handlers", []):
                    visit(handler.body)

    if tree is not None:
        visit(tree.body)
    return list(dict.fromkeys(names))


def read_names(source: str) -> list[str]:
    """Every name a cell reads (anywhere in it, function bodies included)."""
    tree = parse_cell(source)
    if tree is None:
        return []
    found = (
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    )
    return list(dict.fromkeys(found))


def imported_modules(source: str) -> list[str]:
    """The absolute module names a cell imports."""
    tree = parse_cell(source)
    mods: list[str] = []
    for node in ast.walk(tree) if tree is not None else ():
        if isinstance(node, ast.Import):
            mods.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            mods.append(node.module)
            mods.extend(f"{node.module}.{a.name}" for a in node.names if a.name != "*")
    return list(dict.fromkeys(mods))


def _is_locked(cell) -> bool:
    m = meta(cell)
    return is_test_cell(cell) or (bool(m.get("locked")) and not m.get("solution"))


def _record(cell, entries) -> None:
    if not entries:
        return
    existing = cell.metadata.setdefault(INTEGRITY_KEY, [])
    for e in entries:
        entry = {"kind": str(e.get("kind", "?")), "detail": str(e.get("detail", ""))}
        if entry not in existing:
            existing.append(entry)


def _fail(cell, ename: str, lines: list[str]) -> None:
    cell.outputs.append(
        NotebookNode(output_type="error", ename=ename, evalue=lines[0], traceback=lines)
    )


class GuardedExecute(Execute):
    """nbgrader's ``Execute`` plus the warden exchanges described in the module docstring."""

    warden_timeout = Float(
        10.0, help="Seconds to wait for the kernel's warden to answer one request."
    ).tag(config=True)
    require_warden = Bool(
        True,
        help="Stop grading a submission whose kernel has no warden (fail closed). Only turn "
        "this off for a kernel that cannot load course._warden.",
    ).tag(config=True)
    protected_modules = List(
        Unicode(),
        ["numpy", "numpy.testing", "math", "course.checks", "course._guard", "course._values"],
        help="Modules captured before the first cell, besides those the locked cells import.",
    ).tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._mle_protect = list(self.protected_modules)
        for cell in nb.cells:
            if cell.cell_type == "code" and _is_locked(cell):
                self._mle_protect.extend(imported_modules(cell.source))
        self._mle_protect = list(dict.fromkeys(self._mle_protect))
        self._mle_started = False
        self._mle_failed: dict[int, str] = {}
        self._mle_silent = False  # the warden stopped answering: no more waiting for it
        self._mle_silence_recorded = False
        return super().preprocess(nb, resources, km)

    async def _mle_sync(self, content: dict) -> dict | None:
        """Send one request to the warden; its reply content, or None if none came in time.

        After one unanswered request the warden is taken as gone (removed by the submission, or
        the kernel is stuck) and no further request is sent: each would cost the full
        ``warden_timeout``, and every graded cell from then on fails anyway.
        """
        if self._mle_silent:
            return None
        reply = await self._mle_request(content)
        if reply is None:
            self._mle_silent = True
        return reply

    async def _mle_request(self, content: dict) -> dict | None:
        msg = self.kc.session.msg(MSG_REQUEST, content)
        self.kc.shell_channel.send(msg)
        deadline = time.monotonic() + self.warden_timeout
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                reply = await self.kc.shell_channel.get_msg(timeout=remaining)
            except Empty:
                return None
            if reply.get("parent_header", {}).get("msg_id") == msg["header"]["msg_id"]:
                if reply["content"].get("status") != "ok":
                    return None
                return reply["content"]
        return None

    def _mle_missing(self, cell, when: str) -> None:
        """Record the warden's silence on the cell where it began and on every graded cell."""
        if is_test_cell(cell) or not self._mle_silence_recorded:
            detail = f"the warden did not answer {when} this cell"
            _record(cell, [{"kind": "warden", "detail": detail}])
            self._mle_silence_recorded = True

    async def on_cell_execute(self, cell, cell_index, **kwargs):
        request: dict = {}
        if not self._mle_started:
            request["protect"] = self._mle_protect
        if _is_locked(cell):
            request["reset"] = True
            request["restore"] = ["__builtins__", *read_names(cell.source)]
        if not request:
            return
        reply = await self._mle_sync(request)
        if reply is None:
            if not self._mle_started and self.require_warden:
                raise WardenError(
                    "the autograde kernel's warden (course._warden) did not answer "
                    "before the first cell; this submission is not graded. Is the kernel "
                    "the mle-sandbox one (nbgrader_config.py)?"
                )
            if is_test_cell(cell):
                self._mle_failed[cell_index] = "before"
            self._mle_missing(cell, "before")
        else:
            _record(cell, reply["findings"])
            _record(cell, reply["events"])
        self._mle_started = True

    def on_cell_executed(self, **kwargs):
        cell = kwargs["cell"]
        reply = kwargs["execute_reply"]
        errors_before = sum(o.get("output_type") == "error" for o in cell.outputs)
        super().on_cell_executed(**kwargs)
        if (
            is_test_cell(cell)
            and reply["content"].get("status") == "error"
            and not errors_before
            and reply["content"].get("ename") != "CellTimeoutError"
        ):
            _record(
                cell,
                [
                    {
                        "kind": "swallowed-error",
                        "detail": f"the test raised {reply['content'].get('ename')} but "
                        "no error was shown",
                    }
                ],
            )
        return self._after_cell(cell, kwargs["cell_index"])

    async def _after_cell(self, cell, cell_index):
        graded = is_test_cell(cell)
        request: dict = {"reset": graded}
        if _is_locked(cell):
            request["remember"] = bound_names(cell.source)
        reply = await self._mle_sync(request)
        if reply is None:
            if graded:
                self._mle_failed.setdefault(cell_index, "after")
            self._mle_missing(cell, "after")
        else:
            _record(cell, reply["events"])
            _record(cell, reply["findings"])
            if graded and reply["findings"]:
                what = "; ".join(f["detail"] for f in reply["findings"])
                _fail(
                    cell,
                    "IntegrityError",
                    [
                        "IntegrityError: the environment was changed while this test ran, so "
                        "its result cannot be trusted",
                        what[:1000],
                    ],
                )
        if cell_index in self._mle_failed:
            _fail(
                cell,
                "IntegrityError",
                [
                    "IntegrityError: the grading kernel did not answer its integrity check "
                    f"{self._mle_failed.pop(cell_index)} this test, so it is not counted",
                ],
            )
