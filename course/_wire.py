"""Plain data on the wire between the grader and a student's kernel.

During autograde a test cell runs in the grader's process, and the student's functions run in
the sandboxed kernel (see :mod:`course.grading.remote` and :mod:`course._warden`). Everything
that passes between the two goes through this module, as data that cannot execute anything:

* ``None``, ``bool``, ``int``, ``float`` (inf and NaN included) and ``str``;
* ``tuple``, ``list`` and ``dict`` of those (dict keys: str, int, float, bool or None);
* numpy arrays and numpy scalars of boolean, integer or floating dtype, sent as their raw bytes
  with the dtype and shape beside them;
* a :class:`numpy.random.Generator`, sent as its bit generator's name and state (plain ints);
* a SymPy expression or a derivation move (:mod:`course.derivations`), sent as its ``srepr``
  text and received as a plain ``str``, which only ``course.derivations.parse`` reads;
* a reference to a callable on the other side (a ``loglik`` that a test passes to a student's
  ``grid_search_mle``, say). Calling it sends its arguments back and waits for the answer.

A message is one JSON document (``json``, which builds only dicts, lists, strings and numbers)
followed by the raw array buffers it refers to. :func:`decode` rebuilds values from exactly
those types and checks every dtype, shape and buffer length; anything else is refused with a
:class:`WireError` that says what was wrong. There is no pickle and no ``eval``.

An object that is none of the above (a float subclass, an object whose ``__eq__`` lies, a
scipy ``OptimizeResult``) cannot be encoded: :func:`encode` raises :class:`NotPlain` with a
message for the student. Subclasses count as their own type, not as their base: only the exact
built-in types are plain.

This module is imported by the kernel too, so it needs numpy alone.
"""

from __future__ import annotations

import json
import math
import sys

import numpy as np

__all__ = [
    "MAX_ARRAYS",
    "MAX_ARRAY_DEPTH",
    "MAX_BYTES",
    "Callback",
    "NotPlain",
    "WireError",
    "array_changed",
    "arrays_in",
    "decode",
    "dumps",
    "encode",
    "follow",
    "loads",
    "new_generator",
    "show_type",
]

MAX_BYTES = 512 * 2**20  # one message at most: a million-row float array is 8 MB
MAX_DEPTH = 32
MAX_ITEMS = 2_000_000

# Array dtypes that can cross, by their numpy ``str``: booleans, integers and floats.
_DTYPES = frozenset(
    f"{order}{kind}{size}"
    for order in "<>|"
    for kind, sizes in (("b", (1,)), ("i", (1, 2, 4, 8)), ("u", (1, 2, 4, 8)), ("f", (2, 4, 8)))
    for size in sizes
) | {"|b1"}
_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


class WireError(ValueError):
    """What arrived is not plain data; the message says what was wrong."""


class NotPlain(TypeError):
    """A value that cannot be sent as plain data; the message is written for the student."""


class Callback:
    """A callable that lives on the other side, by its id: ``encode`` writes it as a reference."""

    def __init__(self, ident: int, name: str = "function"):
        self.ident, self.name = ident, name


MAX_ARRAY_DEPTH = 3  # arrays_in looks this deep into an argument's tuples, lists and dicts
MAX_ARRAYS = 64  # and finds at most this many


def arrays_in(value, path=(), depth=0, found=None) -> list:
    """``[(path, array)]`` for the arrays in ``value`` and its tuples, lists and dicts.

    ``path`` is the list of indices and str keys that leads to the array (:func:`follow` walks
    it); the value itself is ``[]``. Only exact built-in containers are looked into. The
    kernel's warden writes back the arrays a student's function changed in place, and
    ``course.checks`` fails such a function, from the same list.
    """
    found = [] if found is None else found
    t = type(value)
    if t is np.ndarray:
        if len(found) < MAX_ARRAYS:
            found.append((list(path), value))
    elif depth < MAX_ARRAY_DEPTH and t in (tuple, list):
        for i, item in enumerate(value):
            arrays_in(item, (*path, i), depth + 1, found)
    elif depth < MAX_ARRAY_DEPTH and t is dict:
        for key, item in value.items():
            if type(key) is str:
                arrays_in(item, (*path, key), depth + 1, found)
    return found


def array_changed(old: np.ndarray, now) -> bool:
    """Whether ``now`` is no longer an array equal to ``old`` (NaN equal to NaN)."""
    if type(now) is not np.ndarray or now.shape != old.shape:
        return True
    return not np.array_equal(now, old, equal_nan=old.dtype.kind in "fc")


def follow(value, path):
    """What ``path`` (indices into tuples and lists, str keys into dicts) leads to in ``value``.

    Only exact built-in containers are walked, as the wire builds them; None when a step leads
    nowhere. Both sides use it for the arrays inside arguments that a call changed in place.
    """
    for step in path:
        t = type(value)
        if t in (tuple, list) and type(step) is int and 0 <= step < len(value):
            value = value[step]
        elif t is dict and type(step) is str and step in value:
            value = value[step]
        else:
            return None
    return value


def show_type(value) -> str:
    """``float``, ``numpy.ndarray``, ``MyFloat (a subclass of float)``: for messages."""
    t = type(value)
    name = (
        t.__name__ if t.__module__ in ("builtins", "__main__") else f"{t.__module__}.{t.__name__}"
    )
    bases = [b for b in t.__mro__[1:] if b is not object]
    if bases and t.__module__ not in ("builtins", "numpy"):
        return f"{name} (a subclass of {bases[0].__name__})"
    return name


# --- encoding ------------------------------------------------------------------------------


def encode(value, buffers: list, *, callables=None, where: str = "the result"):
    """A JSON-able description of ``value``; raw array bytes are appended to ``buffers``.

    ``callables(fn) -> int`` registers a callable of this side and returns its id; without it a
    callable cannot be sent.
    """
    return _Encoder(buffers, callables).encode(value, where, 0)


class _Encoder:
    def __init__(self, buffers, callables):
        self.buffers, self.callables, self.items = buffers, callables, 0

    def encode(self, v, where, depth):
        self.items += 1
        if depth > MAX_DEPTH or self.items > MAX_ITEMS:
            raise NotPlain(f"{where} is nested too deeply or holds too many items to grade")
        t = type(v)
        if v is None or t is bool or t is str:
            return v
        if t is int:
            return v if abs(v) < 2**53 else {"t": "int", "v": str(v)}
        if t is float:
            return v if math.isfinite(v) else {"t": "float", "v": repr(v)}
        if t is tuple or t is list:
            items = [self.encode(x, f"{where}[{i}]", depth + 1) for i, x in enumerate(v)]
            return {"t": t.__name__, "v": items}
        if t is dict:
            pairs = []
            for k, x in v.items():
                if type(k) not in (str, int, float, bool) and k is not None:
                    raise NotPlain(f"{where} has a key of type {show_type(k)}; use str keys")
                pairs.append(
                    [self.encode(k, where, depth + 1), self.encode(x, f"{where}[{k!r}]", depth + 1)]
                )
            return {"t": "dict", "v": pairs}
        if t is np.ndarray:
            return self._array(v, where)
        if isinstance(v, np.generic) and t.__module__ == "numpy":
            if v.dtype.str not in _DTYPES:
                raise NotPlain(f"{where} is a numpy {v.dtype} number; return a real number")
            return {"t": "scalar", "d": v.dtype.str, "b": self._buffer(np.asarray(v))}
        if t is np.random.Generator:
            bg = v.bit_generator
            return {"t": "rng", "v": self.encode(bg.state, where, depth + 1)}
        if isinstance(v, Callback):
            return {"t": "callback", "id": v.ident, "name": v.name}
        if _is_derivation_step(v):  # a SymPy expression or a move: its srepr text
            from course.derivations import to_wire

            try:
                return {"t": "expr", "v": to_wire([v])[0]}
            except TypeError as exc:
                raise NotPlain(f"{where}: {exc}") from None
        if callable(v) and self.callables is not None:
            name = getattr(v, "__name__", None)
            return {"t": "callback", "id": self.callables(v), "name": str(name or "function")}
        raise NotPlain(_not_plain(v, where))

    def _array(self, a, where):
        if a.dtype.str not in _DTYPES:
            kind = "objects" if a.dtype.kind == "O" else f"dtype {a.dtype}"
            raise NotPlain(
                f"{where} is an array of {kind}; return numbers (an array of floats or integers)"
            )
        return {"t": "array", "d": a.dtype.str, "s": list(a.shape), "b": self._buffer(a)}

    def _buffer(self, a) -> int:
        self.buffers.append(np.ascontiguousarray(a).tobytes())
        return len(self.buffers) - 1


def _is_derivation_step(v) -> bool:
    sympy = sys.modules.get("sympy")  # only if the notebook uses it
    if sympy is not None and isinstance(v, sympy.Basic):
        return True  # a subclass too: its text names it, and the parser refuses it
    return (type(v).__module__ or "").startswith("course.derivations")


def _not_plain(v, where) -> str:
    t = type(v)
    if t.__name__ == "OptimizeResult":
        return (
            f"{where} is a scipy OptimizeResult; return the numbers you were asked for "
            "(for example result.x), not the optimiser's result object"
        )
    if isinstance(v, (bool, int, float, str, tuple, list, dict, np.ndarray)):
        return (
            f"{where} is a {show_type(v)} object, not a plain {t.__mro__[1].__name__}. Return a "
            "plain number, numpy array or tuple of them: objects of your own type are not graded."
        )
    return (
        f"{where} is a {show_type(v)} object; return a plain number, numpy array, or a "
        "tuple/list/dict of them"
    )


# --- decoding ------------------------------------------------------------------------------


def decode(obj, buffers: list, *, callbacks=None, generator=None, depth: int = 0):
    """Rebuild a value written by :func:`encode` from JSON types and ``buffers``.

    ``callbacks(ident, name)`` turns a callable reference into something callable on this side;
    without it a reference is refused. ``generator(state)`` builds the random generator for a
    checked state (default: a new one each time). Raises :class:`WireError` on anything
    unexpected.
    """
    return _Decoder(buffers, callbacks, generator).decode(obj, depth)


class _Decoder:
    def __init__(self, buffers, callbacks, generator=None):
        self.buffers, self.callbacks, self.items = buffers, callbacks, 0
        self.generator = generator

    def decode(self, o, depth):
        self.items += 1
        if depth > MAX_DEPTH or self.items > MAX_ITEMS:
            raise WireError("the value is nested too deeply or holds too many items")
        t = type(o)
        if o is None or t is bool or t is str or t is int:
            return o
        if t is float:
            return o
        if t is not dict or type(o.get("t")) is not str:
            raise WireError(f"unexpected {t.__name__} in the message")
        tag = o["t"]
        if tag in ("tuple", "list"):
            items = [self.decode(x, depth + 1) for x in _list(o, "v")]
            return tuple(items) if tag == "tuple" else items
        if tag == "dict":
            out = {}
            for pair in _list(o, "v"):
                if type(pair) is not list or len(pair) != 2:
                    raise WireError("a dict entry is not a [key, value] pair")
                key = self.decode(pair[0], depth + 1)
                if type(key) not in (str, int, float, bool) and key is not None:
                    raise WireError("a dict key is not a plain scalar")
                out[key] = self.decode(pair[1], depth + 1)
            return out
        if tag == "int":
            text = _str(o, "v")
            if len(text) > 4000 or not text.lstrip("-").isdigit():
                raise WireError("a big integer is not written in digits")
            return int(text)
        if tag == "float":
            text = _str(o, "v")
            if text not in ("inf", "-inf", "nan"):
                raise WireError(f"{text!r} is not a float")
            return float(text)
        if tag == "array":
            shape = _list(o, "s")
            if not all(type(n) is int and 0 <= n < 2**40 for n in shape) or len(shape) > 32:
                raise WireError("an array shape is not a list of sizes")
            return self._array(_str(o, "d"), shape, o.get("b"))
        if tag == "scalar":
            return self._array(_str(o, "d"), [], o.get("b"))[()]
        if tag == "expr":  # a derivation step: text that course.derivations.parse reads safely
            return _str(o, "v")
        if tag == "rng":
            state = self.decode(o.get("v"), depth + 1)
            if type(state) is not dict or state.get("bit_generator") not in _BIT_GENERATORS:
                raise WireError("a random generator's state is not one numpy knows")
            return (self.generator or new_generator)(state)
        if tag == "callback":
            if self.callbacks is None or type(o.get("id")) is not int:
                raise WireError("a function reference cannot be accepted here")
            return self.callbacks(o["id"], str(o.get("name", "function"))[:100])
        raise WireError(f"unknown value tag {tag[:40]!r}")

    def _array(self, dtype, shape, index):
        if dtype not in _DTYPES:
            raise WireError(f"array dtype {dtype[:20]!r} is not a number type")
        if type(index) is not int or not 0 <= index < len(self.buffers):
            raise WireError("an array refers to a missing buffer")
        dt = np.dtype(dtype)
        data = self.buffers[index]
        if len(data) != dt.itemsize * math.prod(shape):
            raise WireError("an array's bytes do not match its shape and dtype")
        return np.frombuffer(data, dtype=dt).reshape(shape).copy()


def _list(o, key):
    v = o.get(key)
    if type(v) is not list:
        raise WireError(f"field {key!r} is not a list")
    return v


def _str(o, key):
    v = o.get(key)
    if type(v) is not str:
        raise WireError(f"field {key!r} is not a string")
    return v


def new_generator(state: dict, reuse: np.random.Generator | None = None) -> np.random.Generator:
    """A generator in ``state`` (checked by numpy): ``reuse`` if given and of the same kind."""
    if reuse is not None and type(reuse.bit_generator).__name__ == state.get("bit_generator"):
        gen = reuse
    else:
        gen = np.random.Generator(getattr(np.random, state["bit_generator"])(0))
    try:
        gen.bit_generator.state = state
    except (TypeError, ValueError, KeyError) as exc:
        raise WireError(f"a random generator's state was refused: {exc}") from None
    return gen


# --- messages ------------------------------------------------------------------------------


def dumps(header: dict, buffers: list) -> list[bytes]:
    """The frames of one message: the JSON header, then the buffers."""
    return [json.dumps(header, allow_nan=False).encode(), *buffers]


def loads(frames: list[bytes]) -> tuple[dict, list[bytes]]:
    """``(header, buffers)`` of a message; :class:`WireError` unless the header is a JSON object."""
    if not frames or sum(len(f) for f in frames) > MAX_BYTES:
        raise WireError("the message is empty or too large")
    try:
        header = json.loads(frames[0].decode("utf-8"))
    except (ValueError, RecursionError, UnicodeDecodeError) as exc:
        raise WireError(f"the message is not JSON: {str(exc)[:100]}") from None
    if type(header) is not dict:
        raise WireError("the message is not a JSON object")
    return header, [bytes(f) for f in frames[1:]]


# --- a channel: requests both ways over one socket ---------------------------------------


class ChannelClosed(ConnectionError):
    """The other side stopped answering, died, or the time ran out."""


class Channel:
    """Requests and replies both ways over one ZeroMQ ``PAIR`` socket.

    While a side waits for the reply to its request it serves the other side's requests with
    ``handler(op, header, buffers) -> (fields, buffers)``: a student's function calling a
    ``loglik`` that lives in the grader, which may call a student's function in turn. A handler
    that raises replies ``{"ok": False, "error": ...}``.

    ``wait(timeout)`` blocks until a message arrives or ``timeout`` seconds pass (None: forever)
    and returns whether one arrived; the grader's version also checks that the kernel is alive.
    """

    def __init__(self, socket, handler, *, wait=None):
        self.socket, self.handler = socket, handler
        self.wait = wait or (
            lambda timeout: bool(socket.poll(None if timeout is None else timeout * 1000))
        )
        self.seq = 0

    def send(self, header: dict, buffers=()) -> None:
        import zmq

        try:  # the socket has a send timeout: a peer that is gone must not block us
            self.socket.send_multipart(dumps(header, list(buffers)), copy=False)
        except zmq.Again:
            raise ChannelClosed("the other side is not connected") from None

    def receive(self, timeout=None) -> tuple[dict, list]:
        if not self.wait(timeout):
            raise ChannelClosed("no message arrived in time")
        return loads(self.socket.recv_multipart())

    def request(self, op: str, fields: dict, buffers=(), *, timeout=None):
        """Send a request and return ``(reply, buffers)``, serving requests meanwhile."""
        self.seq += 1
        seq = self.seq
        self.send({"kind": "req", "seq": seq, "op": op, **fields}, buffers)
        while True:
            header, bufs = self.receive(timeout)
            if header.get("kind") == "rep" and header.get("re") == seq:
                return header, bufs
            if header.get("kind") == "req" and type(header.get("seq")) is int:
                self.serve_one(header, bufs)
            else:
                self.unexpected(header)

    def serve_one(self, header: dict, bufs: list) -> str:
        op = header.get("op")
        try:
            fields, out = self.handler(op, header, bufs)
            reply = {"ok": True, **fields}
        except Exception as exc:  # noqa: BLE001 - the other side gets the error as data
            reply, out = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:2000]}, []
        self.send({"kind": "rep", "re": header["seq"], **reply}, out)
        return op

    def unexpected(self, header: dict) -> None:
        """A message that is neither our reply nor a request: ignored by default."""
