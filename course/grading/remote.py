"""Test cells run in the grader; the student's functions are called across the sandbox.

During autograde, :class:`course.grading.execute.GuardedExecute` does not send a graded test
cell to the student's kernel. It runs the cell here, in the grader's own process, with the real
``course.checks``, numpy, scipy and mlelib. The names of the student's code that the cell uses
are declared on its first line::

    # your code: bernoulli_mle, bernoulli_log_likelihood

and are bound to stand-ins: calling :class:`StudentFunction` sends the function's name and its
arguments, as plain data (:mod:`course._wire`), to the kernel, where :mod:`course._warden` runs
the student's function and sends back a plain result; a student's variable is fetched once as
plain data. Expected values, hints, hidden tests and the reference library never enter the
kernel, and nothing the kernel sends can run code here: a value that is not plain data fails
that case with a message saying so.

A callable that the test passes to a student's function (a ``loglik`` for a grid search, a
``simulate(rng)`` for a coverage study) stays here; the kernel gets a reference, and each call
of it comes back as a request that this side answers, so a hidden test's callable never leaves
the grader either. Arrays that the student's function changed in place (arguments, or arrays
inside an argument's tuples, lists and dicts) and random generators it drew from are written
back into the test's own objects, so a test sees what it would see if the cell ran in the
kernel: a check fails a function that overwrites its caller's data in both places.

The cell's printed output and its exception become the cell's outputs, so nbgrader scores the
cell exactly as it would have scored it in the kernel.

The time limit (nbgrader's ``c.Execute.timeout``, 30 s in this course) counts the student's
code, not the grader's: a test cell is stopped when the kernel's processes have used that many
seconds of CPU time since the cell began (:func:`process_tree_cpu`, read by the grader from the
operating system, not reported by the kernel), or when the cell has run :data:`WALL_FACTOR`
times as long by the clock (code that sleeps or waits uses no CPU): see :class:`CellClock`,
which course.grading.execute applies to the student's own cells too. A busy grading machine, or
a test whose own work is slow (thousands of calls of a test's ``simulate(rng)``, each a round
trip across the sandbox), does not make a correct student run out of time.
"""

from __future__ import annotations

import builtins
import contextlib
import inspect
import io
import os
import re
import secrets
import time
import traceback
import warnings

import numpy as np
import psutil
import zmq

from course._wire import (
    Channel,
    ChannelClosed,
    NotPlain,
    WireError,
    decode,
    encode,
    follow,
    new_generator,
)
from course.grading.submissions import parse_cell

__all__ = [
    "DECLARATION",
    "CellClock",
    "CellTimeout",
    "KernelGone",
    "RemoteError",
    "Session",
    "StudentFunction",
    "Unavailable",
    "declared_names",
    "process_tree_cpu",
    "run_test_cell",
]

# The first line of every test cell: which of the notebook's names are the student's.
DECLARATION = re.compile(r"^#\s*your code:\s*(?P<names>[A-Za-z_][\w, ]*?)\s*$")
MAX_PRINTED = 20_000  # characters of the student's own prints kept per test cell
LEASE = 0.25  # seconds between checks that the kernel is alive and within its time
# A test cell may run this many times its CPU limit by the clock: the limit for code that waits
# (sleeps, blocks) instead of computing, and for a grader slowed by a loaded machine.
WALL_FACTOR = 4.0


def declared_names(source: str) -> list[str] | None:
    """The names a test cell declares on its first line, or None when it declares none."""
    first = source.lstrip("\n").split("\n", 1)[0]
    m = DECLARATION.match(first.strip())
    if m is None:
        return None
    return [n.strip() for n in m.group("names").split(",") if n.strip()]


def process_tree_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) used so far by process ``pid`` and all its descendants.

    Live processes count with all their threads, and a process that ended counts in its
    parent's children times once it is reaped. None when ``pid`` is gone or cannot be read. The
    grader reads this from the operating system: nothing the kernel says enters it.
    """
    try:
        root = psutil.Process(pid)
        tree = [root, *root.children(recursive=True)]
    except psutil.Error:
        return None
    total = 0.0
    for process in tree:
        try:
            t = process.cpu_times()
        except psutil.Error:  # ended between the listing and the reading: its parent has it
            continue
        total += t.user + t.system + t.children_user + t.children_system
    return total


class CellClock:
    """One cell's time against its limit, from the moment it is made.

    ``limit`` is in seconds of the kernel's CPU time, read by ``cpu()`` (the CPU seconds its
    processes have used so far, :func:`process_tree_cpu`; None, or a reading of None: the clock
    counts instead); by the clock the cell may run :data:`WALL_FACTOR` times as long. ``what``
    names the cell in the reason given to the student.
    """

    def __init__(self, limit: float, cpu=None, what: str = "this cell"):
        self.limit, self.cpu, self.what = float(limit), cpu, what
        self.started = time.monotonic()
        self.cpu_start = cpu() if cpu is not None else None
        self.used: dict[str, float] = {"cpu": 0.0, "wall": 0.0}  # at the last look

    def out_of_time(self) -> str | None:
        """Why the cell is out of time now, written for the student, or None."""
        wall = time.monotonic() - self.started
        now = self.cpu() if self.cpu is not None else None
        cpu = wall if now is None or self.cpu_start is None else now - self.cpu_start
        self.used = {"cpu": cpu, "wall": wall}
        if cpu > self.limit:
            return (
                f"your code used more than {self.limit:g} s of computing time in {self.what} "
                "(an endless loop, or a computation far slower than it needs to be?)"
            )
        if wall > WALL_FACTOR * self.limit:
            return (
                f"{self.what} ran for more than {WALL_FACTOR * self.limit:g} s (does your code "
                "wait or sleep?)"
            )
        return None


class CellTimeout(BaseException):
    """The cell's time limit ran out (a BaseException, so no ``except Exception`` hides it)."""


class KernelGone(BaseException):
    """The kernel died or stopped answering the grader."""


class RemoteError(Exception):
    """The student's function raised in the kernel. ``where`` names the student's line."""

    def __init__(self, type_name: str, message: str, where: str = ""):
        super().__init__(message)
        self.type_name, self.where = type_name, where


# Built-in exceptions a test may catch by class (``except ValueError``): a student's error of
# one of these types is raised here as a subclass of the same built-in.
_BUILTIN_ERRORS = {
    name: getattr(builtins, name)
    for name in (
        "ValueError TypeError ZeroDivisionError ArithmeticError OverflowError FloatingPointError "
        "IndexError KeyError LookupError AttributeError NameError RuntimeError RecursionError "
        "NotImplementedError AssertionError UnboundLocalError MemoryError StopIteration "
        "OSError FileNotFoundError PermissionError ImportError ModuleNotFoundError"
    ).split()
}
_REMOTE_CLASSES: dict[str, type] = {}


def _remote_error(type_name: str, message: str, where: str) -> RemoteError:
    base = _BUILTIN_ERRORS.get(type_name)
    if base is None:
        return RemoteError(type_name, message, where)
    cls = _REMOTE_CLASSES.get(type_name)
    if cls is None:
        cls = type(type_name, (RemoteError, base), {"__module__": "builtins"})
        _REMOTE_CLASSES[type_name] = cls
    return cls(type_name, message, where)


class Unavailable:
    """A student's variable that could not be fetched as plain data; ``why`` says why."""

    def __init__(self, name: str, why: str):
        self.name, self.why = name, why

    def __repr__(self) -> str:
        return f"<{self.name}: {self.why}>"


class StudentFunction:
    """Calls the student's function of this name in the kernel."""

    def __init__(self, session: Session, name: str, params: list[str]):
        self._session, self.__name__, self.__qualname__ = session, name, name
        kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
        try:
            self.__signature__ = inspect.Signature([inspect.Parameter(p, kind) for p in params])
        except (ValueError, TypeError):
            self.__signature__ = inspect.Signature()

    def __call__(self, *args, **kwargs):
        return self._session.call(self.__name__, args, kwargs)

    def __repr__(self) -> str:
        return f"<your function {self.__name__}>"


class Session:
    """One test cell's connection to the kernel's warden.

    ``alive()`` says whether the kernel process still runs; ``interrupt()`` asks the kernel to
    stop what it is doing (sent when the cell's time runs out); ``cpu()`` gives the CPU seconds
    the kernel's processes have used so far (:func:`process_tree_cpu`), or None when they cannot
    be read, in which case the clock counts instead. ``timeout`` is the cell's limit in seconds
    of the kernel's CPU time; by the clock the cell may run ``WALL_FACTOR`` times as long. Both
    start once the kernel has connected (:meth:`hello`).
    """

    def __init__(self, folder: str, *, alive, interrupt, timeout: float, cpu=None):
        self.token = secrets.token_hex(8)
        self.address = f"ipc://{os.path.join(folder, 'mle-' + self.token[:8])}"
        self.context = zmq.Context.instance()
        self.socket = self.context.socket(zmq.PAIR)
        self.socket.linger = 0
        self.socket.setsockopt(zmq.MAXMSGSIZE, 512 * 2**20)
        self.socket.setsockopt(zmq.SNDTIMEO, 2000)  # never block on a kernel that is not there
        self.socket.bind(self.address)
        self.connected = False
        self.alive, self.interrupt, self.cpu = alive, interrupt, cpu
        self.timeout = float(timeout)
        self.clock: CellClock | None = None  # the limits apply once hello() has the kernel
        self._next_look = 0.0
        self.channel = Channel(self.socket, self._handle, wait=self._wait)
        self.channel.unexpected = self._unexpected
        self.callables: dict[int, object] = {}
        self._generators: dict[str, np.random.Generator] = {}
        self.records: list[dict] = []  # {"kind", "detail"} for the integrity report
        self.printed = io.StringIO()
        self.timed_out = False

    # --- waiting -------------------------------------------------------------------------
    def _wait(self, timeout=None) -> bool:
        """Wait for a message: True when one came, False after ``timeout`` seconds (None: no
        limit but the cell's own). Every LEASE seconds it looks at the kernel: KernelGone when
        it died, CellTimeout when the cell is out of time."""
        until = None if timeout is None else time.monotonic() + timeout
        while True:
            now = time.monotonic()
            if now >= self._next_look:
                self._look()
                self._next_look = now + LEASE
            if until is not None and now >= until:
                return False
            wait = self._next_look - now if until is None else min(self._next_look, until) - now
            if self.socket.poll(int(wait * 1000) + 1):
                return True
            if not self.alive():
                raise KernelGone("the kernel died while your code ran")

    @property
    def used(self) -> dict[str, float]:
        """The "cpu" and "wall" seconds the cell had used at the last look ({} before hello)."""
        return {} if self.clock is None else self.clock.used

    def _look(self) -> None:
        """CellTimeout when the kernel used ``timeout`` CPU seconds, or the clock ran out."""
        if self.clock is None:
            return
        why = self.clock.out_of_time()
        if why is not None:
            self._time_out(why)

    def _time_out(self, why: str = "the test cell ran out of time while your code was running"):
        if not self.timed_out:
            self.timed_out = True
            self.interrupt()
            self.records.append({"kind": "timeout", "detail": f"out of time: {why}"})
        raise CellTimeout(why)

    def _unexpected(self, header):
        late = header.get("kind") == "rep" and type(header.get("re")) is int
        if self.timed_out and late and header["re"] < self.channel.seq:
            return  # the interrupted student's answer to a call the time limit gave up on
        self.records.append(
            {
                "kind": "wire",
                "detail": f"the kernel sent an unexpected message ({str(header)[:120]})",
            }
        )

    # --- requests ------------------------------------------------------------------------
    def hello(self, timeout: float) -> None:
        """Wait for the kernel's warden to connect; KernelGone if it does not.

        The test cell's time limit starts once the kernel has connected: no student code runs
        before, and a kernel slow to connect on a loaded machine is not a cell that ran out of
        time.
        """
        try:
            header, _ = self.channel.receive(timeout)
        except (ChannelClosed, WireError) as exc:
            raise KernelGone(f"the grading kernel did not connect to the grader ({exc})") from None
        if header.get("kind") != "hello" or header.get("token") != self.token:
            raise KernelGone("the grading kernel answered with a message the grader did not expect")
        self.connected = True
        self.clock = CellClock(self.timeout, self.cpu, "this test cell")
        self._next_look = time.monotonic() + LEASE

    def _request(self, op: str, fields: dict, buffers=()):
        try:
            reply, bufs = self.channel.request(op, fields, buffers)
        except WireError as exc:
            self.records.append({"kind": "wire", "detail": f"the answer to {op!r}: {exc}"})
            raise KernelGone(f"the kernel's answer was not plain data: {exc}") from None
        except ChannelClosed as exc:
            raise KernelGone(f"the grading kernel stopped answering ({exc})") from None
        if reply.get("ok") is not True:
            raise KernelGone(f"the kernel could not do {op!r}: {str(reply.get('error'))[:300]}")
        return reply, bufs

    def describe(self, names: list[str]) -> dict[str, object]:
        """``{name: StudentFunction or value or Unavailable}`` for the names the kernel has."""
        reply, bufs = self._request("describe", {"names": list(names)})
        found = {}
        entries = reply.get("names")
        if type(entries) is not dict:
            self.records.append({"kind": "wire", "detail": "the description of names was garbled"})
            raise KernelGone("the kernel's description of your names was not plain data")
        for name in names:
            info = entries.get(name)
            if type(info) is not dict or info.get("kind") == "missing":
                continue
            if info.get("kind") == "function":
                params = info.get("params")
                ok = type(params) is list and all(type(p) is str for p in params)
                found[name] = StudentFunction(self, name, params if ok else [])
            elif "value" in info:
                try:
                    found[name] = decode(info["value"], bufs)
                except WireError as exc:
                    self.records.append({"kind": "wire", "detail": f"{name}: {exc}"})
                    found[name] = Unavailable(name, f"{name} could not be read: {exc}")
            else:
                why = str(info.get("why", "it is not a number, an array or a tuple of them"))
                found[name] = Unavailable(name, f"{name} cannot be graded: {why[:300]}")
        return found

    def call(self, name: str, args: tuple, kwargs: dict):
        """Run the student's ``name(*args, **kwargs)`` in the kernel and return its result."""
        buffers: list = []
        try:
            packed = encode([list(args), kwargs], buffers, callables=self._register, where="args")
        except NotPlain as exc:  # the test itself passed something that cannot cross
            raise TypeError(
                f"a test argument of {name} cannot be sent to the kernel: {exc}"
            ) from None
        reply, bufs = self._request("call", {"name": name, "args": packed}, buffers)
        try:
            self._write_back(reply.get("writeback"), bufs, args, kwargs)
            self._replay(reply)
            if "raised" in reply:
                raised = reply["raised"]
                if type(raised) is not dict:
                    raise WireError("the error report is not plain data")
                type_name = str(raised.get("type", "Exception"))[:100]
                if type_name == "MlelibNotAvailable":
                    self.records.append({"kind": "mlelib", "detail": f"{name} called mlelib"})
                raise _remote_error(
                    type_name,
                    str(raised.get("message", ""))[:2000],
                    str(raised.get("where", ""))[:500],
                )
            if "not_plain" in reply:
                why = str(reply["not_plain"])[:1000]
                self.records.append({"kind": "not-plain", "detail": f"{name}: {why[:200]}"})
                raise NotPlain(why)
            return decode(reply.get("value"), bufs)
        except WireError as exc:
            self.records.append({"kind": "wire", "detail": f"{name}: {exc}"})
            raise NotPlain(f"what {name} returned could not be read as plain data: {exc}") from None

    def _replay(self, reply: dict) -> None:
        printed = reply.get("stdout")
        if type(printed) is str and printed and self.printed.tell() < MAX_PRINTED:
            self.printed.write(printed[: MAX_PRINTED - self.printed.tell()])
        for entry in reply.get("warnings") or ():
            if type(entry) is list and len(entry) == 2:
                category = getattr(builtins, str(entry[0]), None)
                if not (isinstance(category, type) and issubclass(category, Warning)):
                    category = UserWarning
                warnings.warn(str(entry[1])[:500], category, stacklevel=2)

    @staticmethod
    def _write_back(entries, bufs, args, kwargs) -> None:
        """Copy arrays the student changed in place, and generator states, into the test's.

        An entry is ``[position, value]``, or ``[position, value, path]`` for an array inside
        the argument's tuples, lists and dicts (``path``: the indices and str keys that lead to
        it). Only an array of the same shape is written, into the test's own array.
        """
        for entry in entries or ():
            if type(entry) is not list or len(entry) not in (2, 3):
                raise WireError("a write-back entry is not [position, value] or with a path")
            where, value = entry[0], entry[1]
            if type(where) is int and 0 <= where < len(args):
                target = args[where]
            elif type(where) is str and where in kwargs:
                target = kwargs[where]
            else:
                raise WireError("a write-back entry names no argument")
            if len(entry) == 3:
                path = entry[2]
                if type(path) is not list or len(path) > 8:
                    raise WireError("a write-back path is not a short list")
                target = follow(target, path)
                if target is None:
                    raise WireError("a write-back path leads nowhere in the argument")
            new = decode(value, bufs)
            if type(target) is np.ndarray and type(new) is np.ndarray:
                if new.shape == target.shape and target.flags.writeable:
                    np.copyto(target, new, casting="unsafe")
            elif type(target) is np.random.Generator and type(new) is dict:
                new_generator(new, reuse=target)  # the test's own generator, advanced

    # --- callbacks: the kernel calling a test's callable ----------------------------------
    def _register(self, fn) -> int:
        ident = len(self.callables) + 1
        self.callables[ident] = fn
        return ident

    def _handle(self, op, header, bufs):
        if op != "callback" or header.get("id") not in self.callables:
            raise WireError(f"the kernel asked for {str(op)[:40]!r}, which the grader does not do")
        fn = self.callables[header["id"]]
        args, kwargs = decode(header.get("args"), bufs, generator=self._generator)
        if type(args) is not list or type(kwargs) is not dict:
            raise WireError("callback arguments are not [args, kwargs]")
        result = fn(*args, **kwargs)
        out: list = []
        value = encode(result, out, where="the value of a test's function")
        back = [
            [i, encode(a.bit_generator.state, out)]
            for i, a in enumerate(args)
            if type(a) is np.random.Generator
        ]
        return {"value": value, "writeback": back}, out

    def _generator(self, state: dict) -> np.random.Generator:
        """The generator a test's callable is given: one object per kind, reset to ``state``."""
        kind = state["bit_generator"]
        self._generators[kind] = new_generator(state, reuse=self._generators.get(kind))
        return self._generators[kind]

    def close(self, grace: float = 5.0) -> None:
        """Tell the warden the cell is over (it stops serving), then close the socket."""
        self.timing = False  # the student's time is over; the warden gets ``grace`` to answer
        try:
            if self.connected:
                self.channel.request("done", {}, timeout=grace)
        except (ChannelClosed, WireError, KernelGone, CellTimeout):
            pass
        finally:
            self.socket.close(linger=0)


# --- running a test cell here ------------------------------------------------------------


def run_test_cell(source: str, session: Session, names: list[str]) -> tuple[str, list | None, str]:
    """Run a test cell's code here; ``(printed text, error output or None, warnings text)``.

    The error output is ``[ename, evalue, traceback lines]`` as nbgrader stores it. Warnings
    (the student's, sent back from the kernel, and the test's own) are returned as the text
    the kernel would have written to stderr, so nbgrader treats them as it always did.
    """
    tree = parse_cell(source)
    printed = io.StringIO()
    if tree is None:
        return "", ["SyntaxError", "the test cell is not valid Python", ["SyntaxError"]], ""
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    error = None
    with contextlib.redirect_stdout(printed), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        try:
            namespace.update(session.describe(names))
            exec(compile(tree, "<test cell>", "exec"), namespace)  # noqa: S102 - instructor code
        except NameError as exc:
            if getattr(exc, "name", None) in names:  # declared, but the notebook never made it
                message = (
                    f"{exc.name} is not defined yet: write its cell (replace "
                    "`raise NotImplementedError()`) and run the notebook from the top"
                )
                error = ["NameError", message, [f"NameError: {message}"]]
            else:
                error = _error_output(exc)
        except CellTimeout as exc:
            error = ["CellTimeoutError", str(exc), [f"CellTimeoutError: {exc}"]]
        except KernelGone as exc:
            error = ["DeadKernelError", str(exc), [f"DeadKernelError: {exc}"]]
        except Exception as exc:  # noqa: BLE001 - becomes the cell's error output
            error = _error_output(exc)
    text = session.printed.getvalue()
    text = (text + "\n" if text and not text.endswith("\n") else text) + printed.getvalue()
    shown = dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught)
    return text, error, "".join(f"{line}\n" for line in list(shown)[:20])


def _error_output(exc: Exception) -> list:
    render = getattr(exc, "_render_traceback_", None)
    if render is not None:
        lines = list(render())
        return [type(exc).__name__, str(exc).split("\n", 1)[0], lines]
    name = exc.type_name if isinstance(exc, RemoteError) else type(exc).__name__
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == "<test cell>"]
    lines = [f"{name}: {exc}"]
    if isinstance(exc, RemoteError) and exc.where:
        lines.append(f"    raised in your code{exc.where}")
    if frames:
        lines.append(f"    (line {frames[-1].lineno} of the test cell)")
    return [name, str(exc), lines]
