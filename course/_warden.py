"""The kernel side of graded execution: undo in-kernel tampering before each locked cell.

It lives outside ``course.grading`` on purpose: importing that package loads nbgrader, which
costs seconds at every kernel start and has no business in a student's kernel.

Loaded into the autograde kernel as an IPython extension (``--IPKernelApp.extensions=
course._warden``, added by :mod:`course.grading.sandbox` and, for the unsandboxed
opt-out, by ``nbgrader_config.py``), so it runs before any cell of the submission. It

* captures the environment a test cell relies on: IPython's transformer lists, AST
  transformers, custom exception handler, event callbacks and the shell/kernel methods that run
  and report a cell; ``sys.excepthook``/``displayhook``/``stdout``/trace functions; the builtins;
  and, on the first request, every attribute of the modules the notebook's locked cells import
  (numpy, scipy, math, ``course.checks``, ``mlelib``...);
* installs an audit hook (:func:`sys.addaudithook`, which cannot be removed) that records
  attempts of cell code to reach files outside the kernel's folder, sockets and subprocesses;
* answers ``mle_warden_request`` messages on the kernel's shell channel. These never pass
  through ``run_cell``, input transformers, ``user_expressions`` or event callbacks, so a
  submission's hooks do not see them. ``course.grading.execute.GuardedExecute`` sends one
  before and after each locked or graded cell: the warden restores everything above to what
  it captured, re-binds the names locked cells defined (``check``, ``case``, ``np``...) and
  replies with what it had to undo and what the audit hook saw.

Limits, stated plainly: all of this runs inside the same Python process as the submission, so
code written to seek out the warden itself (through ``gc``, say) could still defeat it. The
sandbox is what keeps the gradebook and the solutions out of reach; this layer makes the
generic cheats (transformers, monkeypatching, rebinding, swallowed errors) fail and leaves a
record of them. What it finds is returned as ``{"kind": ..., "detail": ...}`` entries, kinds
``ipython-hook``, ``patched-helper``, ``rebound-name``, ``outside-folder``, ``network``,
``subprocess``, ``background-thread``.
"""

from __future__ import annotations

import builtins
import importlib
import os
import sys
import threading
import types

MSG_REQUEST = "mle_warden_request"
MSG_REPLY = "mle_warden_reply"
MAX_EVENTS = 50
PACKAGES = ("course", "mlelib")  # the project's own packages: mounted and trusted

# Captured at import, before any submission code runs: a submission can rebind builtins and
# module attributes (``builtins.int = str``, ``threading.enumerate = lambda: []``), so nothing
# that runs after it looks them up again.
_getattr, _setattr, _delattr, _hasattr = getattr, setattr, delattr, hasattr
_isinstance, _id, _vars, _type, _callable = isinstance, id, vars, type, callable
_list, _dict, _tuple, _str, _repr, _len, _sorted = list, dict, tuple, str, repr, len, sorted
_set, _int, _bytes, _range, _any = set, int, bytes, range, any
_staticmethod, _classmethod, _property = staticmethod, classmethod, property
_Exception, _TypeError = Exception, TypeError
_getcwd, _fspath = os.getcwd, os.fspath
_join, _normpath, _isabs, _realpath = (
    os.path.join,
    os.path.normpath,
    os.path.isabs,
    os.path.realpath,
)
_getframe = sys._getframe
_settrace, _setprofile, _gettrace, _getprofile = (
    sys.settrace,
    sys.setprofile,
    sys.gettrace,
    sys.getprofile,
)
_sys_modules = sys.modules
_import_module = importlib.import_module
_FunctionType, _ModuleType = types.FunctionType, types.ModuleType
_MethodType, _BuiltinFunctionType = types.MethodType, types.BuiltinFunctionType
_enumerate_threads = threading.enumerate
_thread_settrace, _thread_setprofile = threading.settrace, threading.setprofile

# The names a test cell may look up in builtins: every builtin function and class.
_BUILTIN_SKIP = {"_", "__", "___", "exit", "quit", "get_ipython", "display", "__IPYTHON__"}

# Modules whose attributes a verdict can depend on; others imported by locked cells (plots,
# widgets) are left alone.
_PROTECTED_PACKAGES = {
    "builtins",
    "math",
    "cmath",
    "numpy",
    "scipy",
    "statistics",
    "fractions",
    "decimal",
    "operator",
    "functools",
    "itertools",
    "random",
    "mlelib",
    "course",
}
_UNPROTECTED = ("course.widgets", "course.grading")

# Attributes of the shell and kernel objects that decide how a cell runs and is reported.
_SHELL_ATTRS = (
    "input_transformer_manager ast_transformers input_transformers_post custom_exceptions "
    "CustomTB compile displayhook display_pub display_trap builtin_trap events user_module "
    "user_ns InteractiveTB SyntaxTB"
).split()
_KERNEL_ATTRS = "shell session shell_handlers iopub_socket".split()
_LIST_ATTRS = {
    "shell": ("ast_transformers", "input_transformers_post"),
    "input_transformer_manager": ("cleanup_transforms", "line_transforms", "token_transformers"),
}
_SYS_HOOKS = "excepthook displayhook breakpointhook stdout stderr".split()

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


def _code_of(fn):
    code = _getattr(fn, "__code__", None)
    if code is None:
        code = _getattr(_getattr(fn, "__func__", None), "__code__", None)
    return code


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


class _ObjectState:
    """Chosen attributes, list contents, instance-dict callables and class dicts of an object."""

    def __init__(self, label: str, obj, attrs=(), lists=()):
        self.label, self.obj = label, obj
        self.attrs = {a: _getattr(obj, a) for a in attrs if _hasattr(obj, a)}
        self.lists = {a: _tuple(_getattr(obj, a)) for a in lists if _hasattr(obj, a)}
        self.instance = _dict(_getattr(obj, "__dict__", {}))
        self.classes = [
            (cls, _dict(_vars(cls)))
            for cls in _type(obj).__mro__
            if cls is not object and _getattr(cls, "__module__", "") != "builtins"
        ]

    def restore(self, found: list) -> None:
        obj, label = self.obj, self.label
        for name, value in self.attrs.items():
            if _getattr(obj, name, None) is not value:
                _setattr(obj, name, value)
                found.append(("ipython-hook", f"{label}.{name} was replaced"))
        for name, items in self.lists.items():
            current = _getattr(obj, name)
            if [_id(x) for x in current] != [_id(x) for x in items]:
                current[:] = _list(items)
                found.append(("ipython-hook", f"{label}.{name} was changed"))
        for cls, saved in self.classes:
            now = _vars(cls)
            for name, value in saved.items():
                if now.get(name, value) is not value and _callable_like(value):
                    _setattr(cls, name, value)
                    found.append(("ipython-hook", f"{cls.__name__}.{name} was replaced"))
            for name in [n for n in now if n not in saved]:
                if _isinstance(now[name], (_FunctionType, _staticmethod, _classmethod)):
                    _delattr(cls, name)
                    found.append(("ipython-hook", f"{cls.__name__}.{name} was added"))
        inst = _getattr(obj, "__dict__", None)
        if inst is None:
            return
        for name, value in _list(inst.items()):
            if name in self.attrs:
                continue
            if name in self.instance:
                old = self.instance[name]
                if value is not old and _callable_like(old):
                    inst[name] = old
                    found.append(("ipython-hook", f"{label}.{name} was replaced"))
            elif _callable(value) and _callable(_getattr(_type(obj), name, None)):
                del inst[name]
                found.append(("ipython-hook", f"{label}.{name} was replaced"))


def _callable_like(value) -> bool:
    return _isinstance(
        value, (_FunctionType, _MethodType, _staticmethod, _classmethod, _property)
    ) or _isinstance(value, _BuiltinFunctionType)


class _ModuleState:
    """Every attribute of a module; code and defaults of its functions; its classes' dicts."""

    def __init__(self, module):
        self.module = module
        self.name = module.__name__
        self.attrs = _dict(_vars(module))
        self.functions = {}
        self.classes = {}
        deep = self.name.split(".")[0] in ("course", "mlelib")
        for value in self.attrs.values():
            if _isinstance(value, _FunctionType):
                self.functions[_id(value)] = (
                    value,
                    value.__code__,
                    value.__defaults__,
                    value.__kwdefaults__,
                )
            elif deep and _isinstance(value, _type) and value.__module__.startswith(self.name):
                self.classes[_id(value)] = (value, _dict(_vars(value)))

    def restore(self, found: list) -> None:
        mod, now = self.module, _vars(self.module)
        if _sys_modules.get(self.name) is not mod:
            _sys_modules[self.name] = mod
            found.append(("patched-helper", f"the module {self.name} was swapped in sys.modules"))
        for name, value in self.attrs.items():
            if name in now and now[name] is not value or name not in now:
                if name.startswith("__") and name.endswith("__") and name != "__getattr__":
                    continue  # __loader__, __spec__... are not what a test calls
                now[name] = value
                found.append(("patched-helper", f"{self.name}.{name} was replaced"))
        for fn, code, defaults, kwdefaults in self.functions.values():
            if fn.__code__ is not code:
                fn.__code__ = code
                found.append(("patched-helper", f"the code of {self.name}.{fn.__name__} changed"))
            if fn.__defaults__ is not defaults or fn.__kwdefaults__ is not kwdefaults:
                fn.__defaults__, fn.__kwdefaults__ = defaults, kwdefaults
                found.append(("patched-helper", f"the defaults of {self.name}.{fn.__name__}"))
        for cls, saved in self.classes.values():
            cnow = _vars(cls)
            for name, value in saved.items():
                if cnow.get(name, value) is not value and not name.startswith("__dict"):
                    _setattr(cls, name, value)
                    found.append(("patched-helper", f"{self.name}.{cls.__name__}.{name}"))


class Warden:
    """What the kernel looked like before any cell ran, and the means to go back to it."""

    def __init__(self, shell, kernel):
        self.shell, self.kernel = shell, kernel
        self.cwd = _getcwd()
        dirs = [d for found in package_dirs().values() for d in found]
        self.trusted = _tuple(_sorted({_join(_realpath(r), "") for r in trusted_roots(dirs)}))
        self.audit = _Audit(self.cwd, self.trusted)
        sys.addaudithook(self.audit)
        self.send = kernel.session.send
        self.modules: dict[str, _ModuleState] = {}
        self.remembered: dict[str, object] = {"__builtins__": builtins}
        self.builtins = {
            k: v
            for k, v in _vars(builtins).items()
            if k not in _BUILTIN_SKIP and (_isinstance(v, type) or _callable_like(v))
        }
        self.sys_hooks = {name: _getattr(sys, name) for name in _SYS_HOOKS}
        self.trace, self.profile = _gettrace(), _getprofile()
        self.objects = [
            _ObjectState("shell", shell, _SHELL_ATTRS, _LIST_ATTRS["shell"]),
            _ObjectState(
                "input_transformer_manager",
                shell.input_transformer_manager,
                lists=_LIST_ATTRS["input_transformer_manager"],
            ),
            _ObjectState("shell.compile", shell.compile),
            _ObjectState("shell.displayhook", shell.displayhook),
            _ObjectState("shell.InteractiveTB", shell.InteractiveTB),
            _ObjectState("kernel", kernel, _KERNEL_ATTRS),
            _ObjectState("kernel.session", kernel.session),
        ]
        self.events = shell.events
        self.callbacks = {k: _tuple(v) for k, v in shell.events.callbacks.items()}
        self.threads = {_id(t) for t in _enumerate_threads()}
        self.handler = self.handle  # one bound method, so identity checks work
        self.handlers = _dict(kernel.shell_handlers)
        self.handlers[MSG_REQUEST] = self.handler
        self.protect("math")

    # --- what a request does -------------------------------------------------------------
    def protect(self, name: str) -> None:
        """Import ``name`` (and its parent packages) and capture its attributes."""
        top = name.split(".")[0]
        if top not in _PROTECTED_PACKAGES or top == "builtins" or name.startswith(_UNPROTECTED):
            return
        parts = name.split(".")
        for i in _range(1, _len(parts) + 1):
            sub = ".".join(parts[:i])
            if sub in self.modules:
                continue
            try:
                module = _import_module(sub)
            except _Exception:
                return
            self.modules[sub] = _ModuleState(module)
            for attr in _list(_vars(module).values()):  # submodules already loaded
                if _isinstance(attr, _ModuleType) and attr.__name__.startswith(sub + "."):
                    if attr.__name__ not in self.modules and not attr.__name__.startswith(
                        _UNPROTECTED
                    ):
                        self.modules[attr.__name__] = _ModuleState(attr)

    def _trusted_code(self, fn) -> bool:
        code = _code_of(fn)
        if code is None:
            code = _code_of(_getattr(_type(fn), "__call__", None))
        return code is not None and code.co_filename.startswith(self.trusted)

    def reset(self) -> list[tuple[str, str]]:
        """Put everything captured back; return what had to be undone."""
        found: list[tuple[str, str]] = []
        shell = self.shell
        for state in self.modules.values():
            state.restore(found)
        bvars = _vars(builtins)
        for name, value in self.builtins.items():
            if bvars.get(name) is not value:
                bvars[name] = value
                found.append(("patched-helper", f"builtins.{name} was replaced"))
        for name, value in self.sys_hooks.items():
            if _getattr(sys, name) is not value:
                _setattr(sys, name, value)
                found.append(("ipython-hook", f"sys.{name} was replaced"))
        if _gettrace() is not self.trace:
            _settrace(self.trace)
            found.append(("ipython-hook", "a trace function (sys.settrace) was installed"))
        if _getprofile() is not self.profile:
            _setprofile(self.profile)
            found.append(("ipython-hook", "a profile function (sys.setprofile) was installed"))
        if _getattr(threading, "_trace_hook", None) or _getattr(threading, "_profile_hook", None):
            _thread_settrace(None)
            _thread_setprofile(None)
            found.append(("ipython-hook", "threading.settrace/setprofile was used"))
        for state in self.objects:
            state.restore(found)
        if shell.events is not self.events:
            shell.events = self.events
            found.append(("ipython-hook", "shell.events was replaced"))
        for event, callbacks in _list(self.events.callbacks.items()):
            keep = [
                cb
                for cb in callbacks
                if _any(cb is c for c in self.callbacks.get(event, ())) or self._trusted_code(cb)
            ]
            if _len(keep) != _len(callbacks):
                dropped = [_getattr(cb, "__name__", _type(cb).__name__) for cb in callbacks]
                callbacks[:] = keep
                found.append(("ipython-hook", f"{event} callback(s) removed: {dropped}"))
        kh = self.kernel.shell_handlers
        for name, handler in self.handlers.items():
            if kh.get(name) is not handler:
                kh[name] = handler
                found.append(("ipython-hook", f"the kernel's {name} handler was replaced"))
        for thread in _enumerate_threads():
            if _id(thread) not in self.threads:
                target = _getattr(thread, "_target", None)
                if target is not None and not self._trusted_code(target):
                    found.append(
                        ("background-thread", f"a thread runs {_getattr(target, '__name__', '?')}")
                    )
                self.threads.add(_id(thread))
        return found

    def restore_names(self, names) -> list[tuple[str, str]]:
        found = []
        ns = self.shell.user_ns
        for name in names:
            if name in self.remembered and ns.get(name, self) is not self.remembered[name]:
                ns[name] = self.remembered[name]
                found.append(("rebound-name", f"{name!r} was rebound after the cell defining it"))
        return found

    def sync(self, content: dict) -> dict:
        for name in content.get("protect", ()):
            self.protect(_str(name))
        found = self.reset() if content.get("reset") else []
        found += self.restore_names(content.get("restore", ()))
        ns = self.shell.user_ns
        for name in content.get("remember", ()):
            if name in ns:
                self.remembered[name] = ns[name]
        unique = []
        for kind, detail in found:
            if {"kind": kind, "detail": detail} not in unique:
                unique.append({"kind": kind, "detail": detail})
        return {"status": "ok", "findings": unique, "events": self.audit.drain()}

    def handle(self, stream, idents, msg):
        """The shell-channel handler for ``mle_warden_request``."""
        try:
            reply = self.sync(msg.get("content", {}))
        except _Exception as exc:  # reported to the grader, which fails closed
            reply = {"status": "error", "error": _repr(exc)[:500], "findings": [], "events": []}
        self.send(stream, MSG_REPLY, reply, msg, ident=idents)


def load_ipython_extension(shell) -> None:
    """Install the warden in a kernel (no-op outside a kernel or when already installed)."""
    kernel = _getattr(shell, "kernel", None)
    if kernel is None or MSG_REQUEST in kernel.shell_handlers:
        return
    warden = Warden(shell, kernel)
    kernel.shell_handlers[MSG_REQUEST] = warden.handler
