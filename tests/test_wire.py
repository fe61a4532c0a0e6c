"""Plain data on the wire (course._wire): what crosses between the grader and the kernel.

What the kernel sends is written by the student's process, so the decoder is tested as an
attacker would feed it: wrong tags, dtypes, shapes and buffer lengths, deep nesting, oversized
numbers. Nothing but the plain types may come out, and nothing may run.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from course._wire import (
    MAX_ARRAY_DEPTH,
    MAX_ARRAYS,
    Callback,
    NotPlain,
    WireError,
    array_changed,
    arrays_in,
    decode,
    dumps,
    encode,
    follow,
    loads,
)


def roundtrip(value, **kwargs):
    buffers: list = []
    frames = dumps({"v": encode(value, buffers, **kwargs)}, buffers)
    header, bufs = loads(frames)
    return decode(header["v"], bufs, **{k: v for k, v in kwargs.items() if k == "callbacks"})


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        0,
        -7,
        2**80,
        1.5,
        -0.0,
        math.inf,
        -math.inf,
        "théta",
        (),
        (1, 2.5, "x"),
        [1, [2, (3,)]],
        {"a": 1, 2: (3.0, None), None: [], 1.5: True},
        np.float64(0.1),
        np.int32(-3),
        np.bool_(True),
        np.arange(12, dtype=np.int64).reshape(3, 4),
        np.linspace(0, 1, 5, dtype=np.float32),
        np.array([], dtype=float),
        np.zeros((2, 0, 3)),
        np.array([True, False]),
        np.arange(6.0).reshape(2, 3).T,  # not contiguous
    ],
)
def test_plain_values_round_trip_with_their_exact_types(value):
    got = roundtrip(value)
    assert type(got) is type(value)
    if isinstance(value, np.ndarray):
        assert got.dtype == value.dtype and got.shape == value.shape
        np.testing.assert_array_equal(got, value)
    elif isinstance(value, float) and value == 0:
        assert math.copysign(1, got) == math.copysign(1, value)
    else:
        assert got == value


def test_nan_crosses_as_nan():
    assert math.isnan(roundtrip(math.nan))
    assert np.isnan(roundtrip(np.array([np.nan]))).all()


def test_a_random_generator_crosses_as_its_state():
    rng = np.random.default_rng(42)
    rng.normal(size=3)
    copy = roundtrip(rng)
    assert type(copy) is np.random.Generator and copy is not rng
    np.testing.assert_array_equal(copy.normal(size=5), rng.normal(size=5))


class Liar(float):
    def __eq__(self, other):
        return True


class MyArray(np.ndarray):
    pass


@pytest.mark.parametrize(
    "value, words",
    [
        (Liar(0.5), "subclass of float"),
        (np.zeros(2).view(MyArray), "subclass of ndarray"),
        (np.array([object()]), "array of objects"),
        (np.array(["a"]), "dtype <U1"),
        (np.array([1 + 2j]), "complex128"),
        ({1, 2}, "set"),
        (object(), "object"),
        ({(1, 2): 3}, "key of type tuple"),
    ],
)
def test_anything_else_is_refused_with_a_message_for_the_student(value, words):
    with pytest.raises(NotPlain, match=words.replace("(", r"\(")):
        encode(value, [])


def test_a_cycle_is_refused_not_followed_forever():
    loop: list = []
    loop.append(loop)
    with pytest.raises(NotPlain, match="nested too deeply"):
        encode(loop, [])


def test_a_scipy_result_object_gets_a_targeted_message():
    from scipy.optimize import minimize

    result = minimize(lambda x: (x[0] - 1) ** 2, [0.0])
    with pytest.raises(NotPlain, match="result.x"):
        encode(result, [])


def test_callables_cross_only_as_references_the_other_side_registers():
    seen = []

    def register(fn):
        seen.append(fn)
        return len(seen)

    buffers: list = []
    packed = encode([abs, 1.0], buffers, callables=register)
    assert seen == [abs] and packed["v"][0] == {"t": "callback", "id": 1, "name": "abs"}
    got = decode(packed, buffers, callbacks=lambda ident, name: (ident, name))
    assert got == [(1, "abs"), 1.0]
    with pytest.raises(NotPlain):
        encode(abs, [])  # without a registry, a function cannot be sent
    with pytest.raises(WireError, match="function reference"):
        decode({"t": "callback", "id": 1}, [])  # nor accepted
    assert encode(Callback(5, "f"), []) == {"t": "callback", "id": 5, "name": "f"}


@pytest.mark.parametrize(
    "obj, buffers, words",
    [
        ({"t": "pickle", "v": "cos\nsystem\n"}, [], "unknown value tag"),
        ({"t": "array", "d": "|O", "s": [1], "b": 0}, [b"\0" * 8], "not a number type"),
        ({"t": "array", "d": "<f8", "s": [3], "b": 0}, [b"\0" * 8], "do not match"),
        ({"t": "array", "d": "<f8", "s": [1], "b": 1}, [b"\0" * 8], "missing buffer"),
        ({"t": "array", "d": "<f8", "s": [-1], "b": 0}, [b""], "shape"),
        ({"t": "array", "d": "<f8", "s": "1", "b": 0}, [b""], "not a list"),
        ({"t": "int", "v": "12a"}, [], "digits"),
        ({"t": "int", "v": "9" * 5000}, [], "digits"),
        ({"t": "float", "v": "1e999999"}, [], "not a float"),
        ({"t": "dict", "v": [[{"t": "list", "v": []}, 1]]}, [], "key"),
        ({"t": "dict", "v": [[1]]}, [], "pair"),
        ({"t": "rng", "v": encode({"bit_generator": "os.system", "state": {}}, [])}, [], "state"),
        ({"t": "rng", "v": encode({"bit_generator": "PCG64", "state": "x"}, [])}, [], "refused"),
        ({"no": "tag"}, [], "unexpected dict"),
        ({"t": 3}, [], "unexpected dict"),
    ],
)
def test_malformed_data_is_refused(obj, buffers, words):
    with pytest.raises(WireError, match=words):
        decode(obj, buffers)


def test_deep_nesting_is_refused():
    deep: dict = {"t": "list", "v": []}
    for _ in range(100):
        deep = {"t": "list", "v": [deep]}
    with pytest.raises(WireError, match="nested too deeply"):
        decode(deep, [])


@pytest.mark.parametrize(
    "frames",
    [[], [b"not json"], [b"[1, 2]"], [b"\xff\xfe"], [b"[" * 100_000]],
)
def test_a_message_that_is_not_a_json_object_is_refused(frames):
    with pytest.raises(WireError):
        loads(frames)


def test_messages_hold_only_json_and_raw_bytes():
    buffers: list = []
    frames = dumps({"v": encode((np.arange(3.0), {"k": math.inf}), buffers)}, buffers)
    header = json.loads(frames[0])  # no NaN/Infinity literals either: allow_nan=False
    assert header["v"]["v"][1]["v"][0][1] == {"t": "float", "v": "inf"}
    assert frames[1] == np.arange(3.0).tobytes()


def test_a_derivation_crosses_as_srepr_text_for_the_safe_parser():
    import sympy

    from course.derivations import Diff, Log, parse
    from course.derivations.exercises import bernoulli_score

    n, k, theta = bernoulli_score.symbols
    steps = [Log(), k * sympy.log(theta) + (n - k) * sympy.log(1 - theta), Diff(theta)]
    got = roundtrip(steps)
    assert type(got) is list and all(type(s) is str for s in got)
    assert parse(got[1], bernoulli_score.namespace) == steps[1]

    class Lying(sympy.Symbol):
        def __eq__(self, other):
            return True

        __hash__ = sympy.Symbol.__hash__

    text = roundtrip(Lying("theta"))
    assert type(text) is str and "Lying" in text
    with pytest.raises(Exception, match="Lying"):
        parse(text, bernoulli_score.namespace)  # never rebuilt as the student's class


def test_follow_walks_only_plain_containers_by_index_and_str_key():
    a = np.zeros(2)
    value = ({"means": [a]}, 1.0)
    assert follow(value, [0, "means", 0]) is a
    assert follow(value, []) is value
    for path in ([2], [0, "covs"], [0, "means", 1], [True], [0, 0], [1, 0], [-1]):
        assert follow(value, path) is None, path


def test_arrays_in_finds_the_arrays_an_argument_holds_within_its_limits():
    a, b = np.zeros(2), np.ones(3)
    found = arrays_in(({"m": [a]}, b, "text", {1: np.zeros(1)}))
    assert [(path, arr is a or arr is b) for path, arr in found] == [
        ([0, "m", 0], True),
        ([1], True),
    ]
    deep = [np.zeros(1)]
    for _ in range(MAX_ARRAY_DEPTH - 1):
        deep = [deep]
    assert len(arrays_in(deep)) == 1  # MAX_ARRAY_DEPTH containers deep: found
    assert arrays_in([deep]) == []  # one more: not looked into
    assert len(arrays_in([np.zeros(1)] * (MAX_ARRAYS + 5))) == MAX_ARRAYS
    assert not array_changed(np.array([1.0, np.nan]), np.array([1.0, np.nan]))
    assert array_changed(np.array([1, 2]), np.array([1, 3]))
    assert array_changed(np.zeros(2), np.zeros(3)) and array_changed(np.zeros(2), 0.0)
