"""Tamper detection for the check helpers.

Student code runs in the same kernel as the tests, so it can rebind library
functions, install IPython hooks that rewrite or silence later cells, or quietly
call the reference implementation. This module records what the environment looked
like when ``course.checks`` was first imported (the first cell of every notebook,
before any student code) and tells a check what has changed since.

It is one layer of defence, not the only one: nbgrader restores edited test cells,
and the sandboxed autograde kernel keeps a submission away from the gradebook and the
solutions. What this layer promises is narrower: a check never *passes* in an
environment it can see was tampered with, and it says what it saw.
"""

from __future__ import annotations

import builtins
import math
import os
import sys
import types

import numpy as np
import numpy.testing

_THIS_FILE = __file__
_getprofile = sys.getprofile
_setprofile = sys.setprofile
_id = id

# Attributes a submission has no business replacing. Each is compared by identity.
_WATCHED_MODULE_ATTRS: dict[types.ModuleType, tuple[str, ...]] = {
    np: (
        "isclose allclose array_equal array_equiv asarray array abs absolute isnan isinf "
        "isfinite all any max min sum mean where round float64 ndarray nan_to_num"
    ).split(),
    math: "isclose isnan isinf isfinite fabs exp log".split(),
    numpy.testing: (
        "assert_allclose assert_almost_equal assert_array_almost_equal assert_equal "
        "assert_array_equal assert_approx_equal assert_array_less"
    ).split(),
    builtins: (
        "float int bool isinstance issubclass type abs len round repr print getattr hasattr "
        "callable tuple list dict str sum min max all any range zip enumerate __import__ "
        "Exception AssertionError NotImplementedError"
    ).split(),
}

# IPython machinery that decides how a cell is transformed, run and reported.
_SHELL_METHODS = (
    "run_cell run_cell_async run_ast_nodes run_code transform_cell transform_ast "
    "showtraceback _showtraceback showsyntaxerror should_run_async _run_cell"
).split()


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return None
    return get_ipython()


def _hook_lists(shell) -> dict[str, tuple]:
    """The IPython hook collections, as tuples of object ids."""
    tm = shell.input_transformer_manager
    hooks = {
        "input_transformers_post": shell.input_transformers_post,
        "input transformers (cleanup)": tm.cleanup_transforms,
        "input transformers (line)": tm.line_transforms,
        "input transformers (token)": tm.token_transformers,
        "AST transformers": shell.ast_transformers,
        "custom exception handlers": shell.custom_exceptions,
    }
    # Event callbacks (pre_run_cell, post_execute, ...) are left out on purpose: matplotlib
    # and ipympl register them legitimately, and a callback cannot retract an error output
    # that has already been sent; anything it patches is caught by the attribute checks.
    return {name: tuple(_id(h) for h in items) for name, items in hooks.items()}


class Snapshot:
    """What the environment looked like when it was taken."""

    def __init__(self, protected: dict[str, types.ModuleType]):
        self.attrs = {
            (mod.__name__, name): getattr(mod, name)
            for mod, names in _WATCHED_MODULE_ATTRS.items()
            for name in names
            if hasattr(mod, name)
        }
        # Protected modules (course.checks, mlelib, ...): every public function and
        # its code object, so swapping either is visible.
        self.protected = protected
        self.functions = {}
        for modname, mod in protected.items():
            for name, obj in list(vars(mod).items()):
                if not name.startswith("_") and isinstance(obj, types.FunctionType):
                    self.functions[(modname, name)] = (obj, obj.__code__, obj.__defaults__)
        self.shell = _shell()
        if self.shell is not None:
            self.hooks = _hook_lists(self.shell)
            cls = type(self.shell)
            self.shell_methods = {
                m: (getattr(cls, m, None), vars(self.shell).get(m)) for m in _SHELL_METHODS
            }
            kernel = getattr(self.shell, "kernel", None)
            self.session_send = getattr(getattr(kernel, "session", None), "send", None)

    def changes(self) -> list[str]:
        """Human-readable descriptions of everything that differs from the snapshot."""
        found = []
        modules = {m.__name__: m for m in _WATCHED_MODULE_ATTRS}
        for (modname, name), original in self.attrs.items():
            if getattr(modules[modname], name, None) is not original:
                found.append(f"{modname}.{name} was replaced")
        for modname, mod in self.protected.items():
            if sys.modules.get(modname) is not mod:
                found.append(f"the module {modname} was swapped in sys.modules")
        for (modname, name), (obj, code, defaults) in self.functions.items():
            current = vars(self.protected[modname]).get(name)
            if current is not obj:
                found.append(f"{modname}.{name} was replaced")
            elif obj.__code__ is not code or obj.__defaults__ is not defaults:
                found.append(f"the code of {modname}.{name} was rewritten")
        if self.shell is not None:
            found.extend(self._shell_changes())
        return found

    def _shell_changes(self) -> list[str]:
        found = []
        shell = self.shell
        now = _hook_lists(shell)
        for name, ids in now.items():
            if ids != self.hooks.get(name, ()):
                found.append(f"IPython's {name} were changed")
        cls = type(shell)
        for method, (on_class, on_instance) in self.shell_methods.items():
            if getattr(cls, method, None) is not on_class or vars(shell).get(method) is not (
                on_instance
            ):
                found.append(f"IPython's {method} was replaced")
        kernel = getattr(shell, "kernel", None)
        session = getattr(kernel, "session", None)
        if session is not None and "send" in vars(session):
            found.append("the kernel's message sending was replaced")
        return found

    def restore_shell_hooks(self) -> None:
        """Undo hook-list changes, so that the cells after this one run untouched."""
        shell = self.shell
        if shell is None:
            return
        tm = shell.input_transformer_manager
        targets = {
            "input_transformers_post": shell.input_transformers_post,
            "input transformers (cleanup)": tm.cleanup_transforms,
            "input transformers (line)": tm.line_transforms,
            "input transformers (token)": tm.token_transformers,
            "AST transformers": shell.ast_transformers,
        }
        for name, items in targets.items():
            keep = set(self.hooks.get(name, ()))
            items[:] = [h for h in items if _id(h) in keep]
        for method, (_, on_instance) in self.shell_methods.items():
            if vars(shell).get(method) is not on_instance:
                if on_instance is None:
                    delattr(shell, method)
                else:
                    setattr(shell, method, on_instance)


def emit_error(snapshot: Snapshot, ename: str, evalue: str, lines: list[str]) -> None:
    """Put an error output on the current cell straight through the kernel's socket.

    Used when the shell itself may have been told to swallow exceptions: the error
    output reaches nbgrader (which fails any test cell that has one) whatever hooks
    the submission installed.
    """
    shell = snapshot.shell
    kernel = getattr(shell, "kernel", None)
    send = snapshot.session_send
    if kernel is None or send is None:
        return
    content = {"ename": ename, "evalue": evalue, "traceback": lines}
    send(kernel.iopub_socket, "error", content, kernel.get_parent("shell"))


class ForbiddenCalls:
    """Watches a call for frames running code from the reference packages.

    Installed with ``sys.setprofile`` around the student's function. Callables the
    *test* passed in (a log-likelihood for a grid search, say) are wrapped with
    :meth:`allow`, and whatever they call is not held against the student.
    """

    def __init__(self, roots: list[str]):
        self.roots = tuple(os.path.join(os.path.realpath(r), "") for r in roots)
        self.allowed_depth = 0
        self.seen: str | None = None
        self._hook = self._profile  # one bound method, so identity checks work

    def _profile(self, frame, event, arg):
        if event == "call" and self.seen is None and self.allowed_depth == 0:
            filename = frame.f_code.co_filename
            if filename.startswith(self.roots) and filename != _THIS_FILE:
                module = frame.f_globals.get("__name__", filename)
                self.seen = f"{module}.{frame.f_code.co_name}"

    def allow(self, fn):
        def allowed(*args, **kwargs):
            self.allowed_depth += 1
            try:
                return fn(*args, **kwargs)
            finally:
                self.allowed_depth -= 1

        allowed.__name__ = getattr(fn, "__name__", "function")
        allowed.__doc__ = getattr(fn, "__doc__", None)
        return allowed

    def run(self, fn, args, kwargs):
        """Call ``fn``; return ``(result, forbidden, profile_removed)``."""
        previous = _getprofile()
        self.seen = None
        _setprofile(self._hook)
        try:
            result = fn(*args, **kwargs)
        finally:
            removed = _getprofile() is not self._hook
            _setprofile(previous)
        return result, self.seen, removed
