"""The kernel side of autograde: serve the grader's calls, record what cell code reaches.

It lives outside ``course.grading`` on purpose: importing that package loads nbgrader, which
costs seconds at every kernel start and has no business in a student's kernel.

Loaded into the autograde kernel as an IPython extension (``--IPKernelApp.extensions=
course._warden``, added by :mod:`course.grading.sandbox` and, for the unsandboxed opt-out, by
``nbgrader_config.py``), so it runs before any cell of the submission. It

* marks the kernel as a grading kernel (``MLE_COURSE_GRADING=1``: widgets skip their work)
  and puts the stand-in for the reference library in place of ``mlelib`` (in the sandbox the
  real package is not even mounted, see :mod:`course.grading.sandbox`);
* installs an audit hook (:func:`sys.addaudithook`, which cannot be removed) that records
  attempts of cell code to reach files outside the kernel's folder, sockets and subprocesses;
* answers two message types on the kernel's shell channel, which never pass through
  ``run_cell``, transformers or event callbacks:

  - ``mle_warden_request``: the audit records since the last request (the grader asks after
    every cell and files them under that cell, for the integrity report);
  - ``mle_serve_request``: a graded test cell is running in the grader. The warden connects to
    the grader's socket (an ``ipc`` path in the kernel's private connection folder) and serves
    its requests until the cell is over: ``describe`` (which of the declared names are
    functions, and the plain value of the others) and ``call`` (run one of the student's
    functions on plain arguments and send back a plain result, or the error it raised).

Nothing here decides a grade. The warden runs in the student's process and the student's code
can change it; all that buys a submission is wrong answers for its own functions, because the
grader trusts nothing it receives beyond plain data (:mod:`course._wire`).
"""

from __future__ import annotations

import contextlib
import inspect
import io
import linecache
import os
import sys
import traceback
import types
import warnings

MSG_REQUEST = "mle_warden_request"
MSG_REPLY = "mle_warden_reply"
MSG_SERVE = "mle_serve_request"
MSG_SERVE_REPLY = "mle_serve_reply"
GRADING_ENV = "MLE_COURSE_GRADING"
MAX_EVENTS = 50
MAX_PRINTED = 20_000
PACKAGES = ("course", "mlelib")  # the project's own packages: mounted and trusted

# Captured at import, before any submission code runs, so that rebinding a builtin
# (``builtins.int = str``) cannot blind the audit hook.
_getattr, _isinstance, _repr, _len, _any, _list, _set = (
    getattr,
    isinstance,
    repr,
    len,
    any,
    list,
    set,
)
_int, _str, _bytes, _Exception, _TypeError = int, str, bytes, Exception, TypeError
_getcwd, _fspath, _getframe = os.getcwd, os.fspath, sys._getframe
_getpid, _exit = os.getpid, os._exit
_join, _normpath, _isabs, _realpath = (
    os.path.join,
    os.path.normpath,
    os.path.isabs,
    os.path.realpath,
)

# Audit events worth a record when cell code raises them, and how to name them.
_PATH_EVENTS = {
    "open": (0,),
    "os.listdir": (0,),
    "os.scandir": (0,),
    "os.chdir": (0,),
    "os.remove": (0,),
    "os.rmdir": (0,),
    "os.mkdir": (0,),
    "os.rename": (0, 1),
    "os.replace": (0, 1),
    "os.link": (0, 1),
    "os.symlink": (0, 1),
    "os.truncate": (0,),
    "os.chmod": (0,),
    "os.chown": (0,),
    "os.utime": (0,),
    "shutil.copyfile": (0, 1),
    "shutil.copytree": (0, 1),
    "shutil.rmtree": (0,),
    "shutil.move": (0, 1),
    "sqlite3.connect": (0,),
    "glob.glob": (0,),
}
_NET_EVENTS = {"socket.connect", "socket.bind", "socket.sendto", "socket.getaddrinfo"}
_PROC_EVENTS = {
    "subprocess.Popen",
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "os.forkpty",
    "pty.spawn",
    "os.kill",
    "os.killpg",
}


def package_dirs() -> dict[str, list[str]]:
    """The folders of the project's packages by name; an empty list for one not found.

    Shared with :mod:`course.grading.sandbox`, which refuses to start without them.
    """
    from importlib.util import find_spec

    found = {}
    for name in PACKAGES:
        spec = find_spec(name)
        found[name] = _list(spec.submodule_search_locations or ()) if spec is not None else []
    return found


def trusted_roots(dirs) -> list[str]:
    """``/usr`` first, then the base Python, the virtualenv and ``dirs`` not already inside one.

    Resolved (except ``/usr``). The sandbox mounts exactly these read-only, and the warden
    trusts code and paths under them. Called before any submission code runs.
    """
    roots = ["/usr"]
    for path in (sys.base_prefix, sys.prefix, *dirs):
        real = _realpath(path)
        if not _any(real == r or real.startswith(_join(r, "")) for r in roots):
            roots.append(real)
    return roots


class _Audit:
    """The audit hook: records cell code reaching outside its folder, the network, processes."""

    def __init__(self, cwd: str, trusted: tuple[str, ...]):
        self.cwd = cwd
        self.inside = _join(cwd, "")
        # When the course folder is itself under /tmp (tests), /tmp/<top> is the course, not
        # the kernel's private /tmp.
        parts = cwd.split("/")
        self.course_tmp = "/".join(parts[:3]) if _len(parts) > 3 and parts[1] == "tmp" else ""
        # Checked after the kernel's own folder (which _outside lets through first).
        self.allowed = ("/tmp/", "/dev/", "/proc/", "/sys/", "/etc/", *trusted)
        self.exact = {"/tmp", "/dev/null", "/dev/urandom", *(t.rstrip("/") for t in trusted)}
        self.events: list[dict] = []
        self.seen: set = set()

    def _from_cell(self) -> bool:
        frame = _getframe(2)
        while frame is not None:
            name = frame.f_code.co_filename
            if name.startswith(("<ipython-input", "<string>")) or "/ipykernel_" in name:
                return True
            frame = frame.f_back
        return False

    def _outside(self, path) -> str | None:
        if _isinstance(path, _int) or path is None:
            return None
        try:
            path = _fspath(path)
        except _TypeError:
            return None
        if _isinstance(path, _bytes):
            path = path.decode("utf-8", "replace")
        if not _isinstance(path, _str) or path in ("", ":memory:"):
            return None
        full = _normpath(path if _isabs(path) else _join(_getcwd(), path))
        if full == self.cwd or full.startswith(self.inside):
            return None
        if self.course_tmp and (full == self.course_tmp or full.startswith(self.course_tmp + "/")):
            return full  # the course itself lives in /tmp: its other folders are outside
        if full in self.exact or full.startswith(self.allowed):
            return None
        return full

    def _add(self, kind: str, detail: str) -> None:
        key = (kind, detail)
        if key in self.seen or _len(self.events) >= MAX_EVENTS:
            return
        self.seen.add(key)
        self.events.append({"kind": kind, "detail": detail[:300]})

    def __call__(self, event, args):
        try:
            if event in _PATH_EVENTS:
                outside = [self._outside(args[i]) for i in _PATH_EVENTS[event] if i < _len(args)]
                outside = [p for p in outside if p]
                if outside and self._from_cell():
                    self._add("outside-folder", f"{event}: {', '.join(outside)}")
            elif event in _NET_EVENTS:
                if self._from_cell():
                    where = args[:2] if event == "socket.getaddrinfo" else args[-1:]
                    self._add("network", f"{event}: {_repr(where)[:200]}")
            elif event in _PROC_EVENTS:
                if self._from_cell():
                    what = _repr(args[1] if _len(args) > 1 and event != "os.system" else args)
                    self._add("subprocess", f"{event}: {what[:200]}")
        except _Exception:  # an audit hook must never break the code it watches
            pass

    def drain(self) -> list[dict]:
        out, self.events = self.events, []
        self.seen = _set()
        return out


# --- the stand-in for the reference library -------------------------------------------------


class MlelibNotAvailable(RuntimeError):
    """Raised by every function of the stand-in ``mlelib`` in a grading kernel."""


def _unavailable(name: str):
    def stand_in(*args, **kwargs):
        raise MlelibNotAvailable(
            f"mlelib.{name} is not available while your notebook is graded: mlelib is the "
            "course's reference solution. Write the computation yourself with numpy/scipy."
        )

    stand_in.__name__ = stand_in.__qualname__ = name
    return stand_in


def standin_module(name: str = "mlelib") -> types.ModuleType:
    """A module whose every attribute is a function that raises :class:`MlelibNotAvailable`."""
    module = types.ModuleType(name, "The reference library is not available while grading.")
    module.__path__ = []  # a package, so ``import mlelib.x`` fails with a clear error
    module.__getattr__ = lambda attr: (
        _unavailable(attr)
        if not attr.startswith("__")
        else (_ for _ in ()).throw(AttributeError(attr))
    )
    return module


# --- serving the grader's calls --------------------------------------------------------------


def _where(tb) -> str:
    """`` (line 7: return x.sum())``: the last line of the notebook's own code in a traceback."""
    frames = [
        f
        for f in traceback.extract_tb(tb)
        if f.filename.startswith("<ipython-input")
        or "/ipykernel_" in f.filename
        or f.filename.startswith("<cell")
    ]
    if not frames:
        return ""
    f = frames[-1]
    line = (f.line or linecache.getline(f.filename, f.lineno or 0) or "").strip()
    return f" (line {f.lineno}: {line})" if line else f" (line {f.lineno})"


def _safe_str(exc: BaseException) -> str:
    """``str(exc)``, or its type's name when the exception's own ``__str__`` fails."""
    try:
        return str(exc)
    except Exception:  # noqa: BLE001 - a student's exception class may be broken
        return f"<{type(exc).__name__} whose message could not be read>"


def _builtin_error(text: str) -> Exception:
    """An error from the grader's side (``"ValueError: ..."``) as an exception of that type."""
    name, _, message = str(text).partition(": ")
    cls = (
        __builtins__.get(name)
        if _isinstance(__builtins__, dict)
        else _getattr(__builtins__, name, None)
    )
    if _isinstance(cls, type) and issubclass(cls, Exception):
        return cls(message)
    return RuntimeError(text)


_KERNEL_PID = _getpid()


def _end_an_escaped_fork(*_) -> None:
    """End this process if it is a child the student's code forked that got back to ours.

    A child that left the student's code by an exception instead of exiting is a second copy
    of the kernel: it cannot reply (ipykernel refuses to send from a fork), and a parent
    waiting for it would wait until the time limit.
    """
    if _getpid() != _KERNEL_PID:
        _exit(70)


class _Server:
    """Serves one test cell's requests over the grader's socket."""

    def __init__(self, shell, channel):
        self.shell, self.channel = shell, channel

    def handle(self, op, header, bufs):
        from course._wire import WireError

        if op == "describe":
            return self.describe(header.get("names") or [])
        if op == "call":
            return self.call(header, bufs)
        if op == "done":
            return {}, []
        raise WireError(f"unknown request {op!r}")

    def describe(self, names):
        from course._wire import NotPlain, encode

        ns, out, found = self.shell.user_ns, [], {}
        for name in names:
            if name not in ns:
                found[name] = {"kind": "missing"}
                continue
            obj = ns[name]
            if callable(obj) and not _isinstance(obj, type):
                try:
                    params = _list(inspect.signature(obj).parameters)
                except (TypeError, ValueError):
                    params = []
                found[name] = {"kind": "function", "params": params}
                continue
            try:
                found[name] = {"kind": "value", "value": encode(obj, out, where=name)}
            except NotPlain as exc:
                found[name] = {"kind": "other", "why": str(exc)}
        return {"names": found}, out

    def _callback(self, ident, name):
        from course._wire import decode, encode

        channel = self.channel

        def call_the_test(*args, **kwargs):
            out: list = []
            packed = encode([_list(args), kwargs], out, where=f"the arguments of {name}")
            reply, bufs = channel.request("callback", {"id": ident, "args": packed}, out)
            if reply.get("ok") is not True:
                raise _builtin_error(reply.get("error", "the test's function failed"))
            for i, state in reply.get("writeback") or ():
                if i < _len(args) and _isinstance(args[i], __import__("numpy").random.Generator):
                    args[i].bit_generator.state = decode(state, bufs)
            return decode(reply.get("value"), bufs)

        call_the_test.__name__ = call_the_test.__qualname__ = name
        return call_the_test

    def call(self, header, bufs):
        import numpy as np

        from course._wire import NotPlain, array_changed, arrays_in, decode, encode, follow

        name = header.get("name")
        fn = self.shell.user_ns.get(name)
        args, kwargs = decode(header.get("args"), bufs, callbacks=self._callback)
        printed = io.StringIO()
        # The arrays the arguments hold, top-level or inside tuples, lists and dicts: those the
        # student's function changes in place are written back into the test's own objects.
        before = {
            k: [(path, a.copy()) for path, a in arrays_in(v)]
            for k, v in [*enumerate(args), *kwargs.items()]
        }
        reply: dict = {}
        out: list = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
                    if not callable(fn):
                        raise NameError(f"name {name!r} is not a function in the notebook")
                    result = fn(*args, **kwargs)
                try:
                    reply["value"] = encode(result, out)
                except NotPlain as exc:
                    reply["not_plain"] = str(exc)
                except Exception as exc:  # noqa: BLE001 - an object that breaks when read
                    out.clear()
                    reply["not_plain"] = (
                        f"the result could not be read ({_safe_str(exc)}); return a plain "
                        "number, numpy array, or a tuple/list/dict of them"
                    )
            except BaseException as exc:  # noqa: BLE001 - reported to the grader as data
                reply["raised"] = {
                    "type": str(type(exc).__name__),
                    "message": _safe_str(exc)[:2000],
                    "where": _where(exc.__traceback__),
                }
        _end_an_escaped_fork()  # a forked child must not answer on the kernel's socket too
        back = []
        for key, value in [*enumerate(args), *kwargs.items()]:
            if type(value) is np.random.Generator:
                back.append([key, encode(value.bit_generator.state, out)])
                continue
            for path, old in before.get(key, ()):
                now = follow(value, path)
                if type(now) is np.ndarray and array_changed(old, now):
                    back.append([key, encode(now, out), path] if path else [key, encode(now, out)])
        reply["writeback"] = back
        reply["stdout"] = printed.getvalue()[:MAX_PRINTED]
        seen = []
        for w in caught:
            entry = [w.category.__name__, str(w.message)[:500]]
            if entry not in seen and _len(seen) < 20:
                seen.append(entry)
        reply["warnings"] = seen
        return reply, out


class Warden:
    """The audit hook and the two shell-channel handlers."""

    def __init__(self, shell, kernel):
        self.shell, self.kernel = shell, kernel
        dirs = [d for found in package_dirs().values() for d in found]
        trusted = tuple(sorted({_join(_realpath(r), "") for r in trusted_roots(dirs)}))
        self.audit = _Audit(_getcwd(), trusted)
        sys.addaudithook(self.audit)
        self.send = kernel.session.send

    def request(self, stream, idents, msg):
        """``mle_warden_request``: the audit records since the last request."""
        self.send(
            stream, MSG_REPLY, {"status": "ok", "events": self.audit.drain()}, msg, ident=idents
        )

    def serve(self, stream, idents, msg):
        """``mle_serve_request``: serve one test cell's calls until the grader says done."""
        import zmq

        from course._wire import Channel, ChannelClosed, WireError

        content = msg.get("content", {})
        socket = zmq.Context.instance().socket(zmq.PAIR)
        socket.linger = 0
        socket.setsockopt(zmq.SNDTIMEO, 5000)
        # A grader that went away without saying "done" must not hold the kernel forever.
        idle = float(content.get("timeout", 30)) + 30
        status = "ok"
        try:
            socket.connect(str(content.get("address", "")))
            channel = Channel(socket, None)
            channel.handler = _Server(self.shell, channel).handle
            channel.send({"kind": "hello", "token": str(content.get("token", ""))})
            while True:
                try:
                    header, bufs = channel.receive(idle)
                    if header.get("kind") == "req" and type(header.get("seq")) is int:
                        if channel.serve_one(header, bufs) == "done":
                            break
                except KeyboardInterrupt:  # the grader's time limit hit between two calls
                    continue
                except WireError:
                    continue
                except ChannelClosed:  # nothing for `idle` seconds, or the grader is gone
                    status = "the grader stopped sending requests"
                    break
        except Exception as exc:  # noqa: BLE001 - the grader hears about it and fails the cell
            status = f"error: {exc!r}"[:300]
        finally:
            socket.close(linger=0)
        reply = {"status": status, "events": self.audit.drain()}
        self.send(stream, MSG_SERVE_REPLY, reply, msg, ident=idents)


def load_ipython_extension(shell) -> None:
    """Install the warden in a kernel (no-op outside a kernel or when already installed)."""
    kernel = _getattr(shell, "kernel", None)
    if kernel is None or MSG_SERVE in kernel.shell_handlers:
        return
    os.environ[GRADING_ENV] = "1"
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    warden = Warden(shell, kernel)
    # Outside the sandbox (MLE_COURSE_UNSANDBOXED=1) this is all that keeps mlelib away, and a
    # submission can undo it; inside, the real package is not mounted at all.
    for name in [m for m in sys.modules if m == "mlelib" or m.startswith("mlelib.")]:
        del sys.modules[name]
    sys.modules["mlelib"] = standin_module()
    kernel.shell_handlers[MSG_REQUEST] = warden.request
    kernel.shell_handlers[MSG_SERVE] = warden.serve
    shell.events.register("post_run_cell", _end_an_escaped_fork)
