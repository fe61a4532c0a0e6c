"""Bad input to every public likelihood function raises, and the message names the argument.

``GOOD`` holds one valid call per public function (checked to succeed); ``KINDS`` says
what kind of value each argument is; ``BAD`` lists, per kind, values that must be
refused with the exception type they must raise. Every combination is one test.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import mlelib as ml
from mlelib import (
    bernoulli,
    binomial,
    categorical,
    exponential,
    gamma,
    gaussian,
    laplace,
    multivariate,
    poisson,
)

NAN, INF = float("nan"), float("inf")
COV = [[2.0, 0.5], [0.5, 1.0]]
X2 = [[0.0, 1.0], [1.0, 0.5], [2.0, 2.0], [0.3, -1.0]]

# One valid call per family: the arguments of logpdf/loglik/nll/score, of the MLE and of
# the Fisher information; the kind of each argument; and ``strict`` kinds for the score and
# the Fisher information, which need parameters away from the boundary.
FAMILIES = {
    "bernoulli": dict(
        args={"x": [0, 1, 1], "p": 0.3},
        kinds={"x": "binary", "p": "probability"},
        strict={"p": "interior"},
        mle={"x": [0, 1, 1]},
        fisher={"p": 0.3, "n": 3},
    ),
    "binomial": dict(
        args={"k": [3, 0, 5], "n": 5, "p": 0.3},
        kinds={"k": "counts", "n": "trials", "p": "probability"},
        strict={"p": "interior"},
        mle={"k": [3, 0, 5], "n": [5, 5, 6]},
        fisher={"n": 5, "p": 0.3},
    ),
    "categorical": dict(
        args={"x": [0, 2, 2], "p": [0.2, 0.3, 0.5]},
        kinds={"x": "labels", "p": "simplex", "n_classes": "n_classes", "n": "n"},
        strict={"p": "interior_simplex"},
        mle={"x": [0, 2, 2], "n_classes": 3},
        fisher={"p": [0.2, 0.3, 0.5], "n": 3},
    ),
    "poisson": dict(
        args={"k": [3, 0, 5], "rate": 2.0},
        kinds={"k": "counts", "rate": "nonnegative"},
        strict={"rate": "positive"},
        mle={"k": [3, 0, 5]},
        fisher={"rate": 2.0, "n": 3},
    ),
    "gaussian": dict(
        args={"x": [0.1, -2.0, 3.0], "loc": 0.5, "scale": 2.0},
        kinds={"x": "reals", "loc": "real", "scale": "positive"},
        mle={"x": [0.1, -2.0, 3.0]},
        fisher={"loc": 0.5, "scale": 2.0, "n": 3},
    ),
    "laplace": dict(
        args={"x": [0.1, -2.0, 3.0], "loc": 0.5, "scale": 2.0},
        kinds={"x": "reals", "loc": "real", "scale": "positive"},
        mle={"x": [0.1, -2.0, 3.0]},
        fisher={"loc": 0.5, "scale": 2.0, "n": 3},
    ),
    "mvn": dict(
        args={"X": X2, "mean": [0.0, 1.0], "cov": COV},
        kinds={"X": "matrix", "mean": "mean", "cov": "cov"},
        mle={"X": X2},
        fisher={"mean": [0.0, 1.0], "cov": COV, "n": 3},
    ),
    "exponential": dict(
        args={"x": [0.5, 2.0, 1.0], "rate": 2.0, "observed": [True, False, True]},
        kinds={"x": "times", "rate": "nonnegative", "observed": "observed"},
        strict={"rate": "positive"},
        mle={"x": [0.5, 2.0, 1.0], "observed": [True, False, True]},
        fisher={"rate": 2.0, "n": 3},
    ),
    "gamma": dict(
        args={"x": [0.5, 2.0, 1.0], "shape": 2.0, "scale": 0.5},
        kinds={"x": "positive_data", "shape": "positive", "scale": "positive", "tol": "positive"},
        strict={"max_iter": "n"},
        mle={"x": [0.5, 2.0, 1.0], "tol": 1e-12, "max_iter": 50},
        fisher={"shape": 2.0, "scale": 0.5, "n": 3},
    ),
}
GOOD: dict[str, dict] = {}
KINDS: dict[str, dict[str, str]] = {}
for _prefix, _f in FAMILIES.items():
    _loose = {"n": "n", **_f["kinds"]}
    _strict = {**_loose, **_f.get("strict", {})}
    for _suffix, _args, _kinds in [
        ("logpdf", _f["args"], _loose),
        ("logpmf", _f["args"], _loose),
        ("loglik", _f["args"], _loose),
        ("nll", _f["args"], _loose),
        ("score", _f["args"], _strict),
        ("mle", _f["mle"], _strict),
        ("fisher", _f["fisher"], _strict),
    ]:
        if hasattr(ml, f"{_prefix}_{_suffix}"):
            GOOD[f"{_prefix}_{_suffix}"] = _args
            KINDS[f"{_prefix}_{_suffix}"] = {a: _kinds[a] for a in _args}
KINDS["binomial_fisher"]["n"] = "counts"  # binomial_fisher(n, p) has no k to clash with

_ANY_SCALAR = [
    (NAN, ValueError),
    (INF, ValueError),
    ("a", TypeError),
    (None, TypeError),
    ([1.0, 2.0], ValueError),
    (-INF, ValueError),
]
_ANY_DATA = [
    ([], ValueError),
    ([1.0, NAN], ValueError),
    ([1.0, INF], ValueError),
    ("ab", TypeError),
    (None, TypeError),
    ([[1.0, 1.0]], ValueError),
    ([1, "a"], TypeError),
    (np.ma.masked_array([1.0, 1e6], mask=[False, True]), ValueError),  # asarray drops a mask
]
_ANY_COUNTS = [(v, e) for v, e in _ANY_DATA] + [([1, -1], ValueError), ([1, 1.5], ValueError)]

BAD: dict[str, list] = {
    "probability": _ANY_SCALAR + [(-0.1, ValueError), (1.5, ValueError)],
    "interior": _ANY_SCALAR
    + [(-0.1, ValueError), (1.5, ValueError), (0.0, ValueError), (1.0, ValueError)],
    "real": _ANY_SCALAR,
    "positive": _ANY_SCALAR + [(0.0, ValueError), (-1.0, ValueError)],
    "nonnegative": _ANY_SCALAR + [(-1.0, ValueError)],
    "n": [
        (0, ValueError),
        (-2, ValueError),
        (1.5, ValueError),
        ("a", TypeError),
        (True, TypeError),
        (None, TypeError),
    ],
    "binary": _ANY_COUNTS + [([0, 2], ValueError)],
    "counts": _ANY_COUNTS,
    "trials": [(v, e) for v, e in _ANY_COUNTS if not (isinstance(v, list) and v == [])]
    + [([5, 5], ValueError), (2, ValueError)],
    "labels": _ANY_COUNTS + [([0, 3], ValueError)],
    "n_classes": [(1, ValueError), (2.5, ValueError), ("a", TypeError), (-3, ValueError)],
    "simplex": [
        ([0.5, 0.6, 0.1], ValueError),
        ([1.2, -0.2, 0.0], ValueError),
        ([NAN, 0.5, 0.5], ValueError),
        ([1.0], ValueError),
        ([[0.2, 0.3, 0.5]], ValueError),
        ("abc", TypeError),
        (0.5, ValueError),
        (None, TypeError),
    ],
    "interior_simplex": [
        ([0.5, 0.0, 0.5], ValueError),
        ([0.5, 0.6, 0.1], ValueError),
        ([1.0], ValueError),
        ("abc", TypeError),
    ],
    "reals": _ANY_DATA,
    "times": _ANY_DATA + [([1.0, -0.5], ValueError)],
    "positive_data": _ANY_DATA + [([1.0, 0.0], ValueError), ([1.0, -2.0], ValueError)],
    "observed": [
        ([True], ValueError),
        ([0.5, 1, 1], ValueError),
        ([2, 0, 1], ValueError),
        ("abc", TypeError),
        ([[True, True, False]], ValueError),
        ([1, NAN, 0], ValueError),
    ],
    "matrix": [
        ([], ValueError),
        ([[1.0, NAN]], ValueError),
        ([[1.0, INF]], ValueError),
        (np.zeros((2, 2, 2)), ValueError),
        ("ab", TypeError),
        (None, TypeError),
    ],
    "mean": [
        ([0.0, 1.0, 2.0], ValueError),
        ([0.0, NAN], ValueError),
        ([[0.0, 1.0]], ValueError),
        ("ab", TypeError),
        (None, TypeError),
    ],
    "cov": [
        (np.eye(3), ValueError),
        ([[1.0, 0.5], [0.0, 1.0]], ValueError),
        ([[1.0, 2.0], [2.0, 1.0]], ValueError),
        ([[1.0, NAN], [NAN, 1.0]], ValueError),
        ([1.0, 1.0], ValueError),
        ("ab", TypeError),
        (None, TypeError),
    ],
}
# Errors that concern a pair of arguments name both, e.g. "k and n must have the same length".
PAIRED = {"trials": ("k",), "observed": ("x",), "mean": ("X", "cov")}

PUBLIC = sorted(
    name
    for module in (bernoulli, binomial, categorical, poisson, gaussian, multivariate)
    + (exponential, gamma, laplace)
    for name in module.__all__
)


def test_every_public_function_is_covered():
    assert sorted(GOOD) == PUBLIC
    for name in PUBLIC:
        assert set(KINDS[name]) == set(GOOD[name]), name


@pytest.mark.parametrize("name", PUBLIC)
def test_good_call_succeeds(name):
    result = getattr(ml, name)(**GOOD[name])
    parts = result if isinstance(result, tuple) else (result,)
    assert all(np.isfinite(part).all() for part in parts)


def _cases():
    for name in PUBLIC:
        for arg, kind in KINDS[name].items():
            for i, (value, exc) in enumerate(BAD[kind]):
                yield pytest.param(name, arg, kind, value, exc, id=f"{name}-{arg}-{i}")


def _named(message: str, arg: str, kind: str) -> bool:
    if message.startswith(f"{arg} "):
        return True
    words = set(re.findall(r"\w+", message))
    return arg in words and bool(words & set(PAIRED.get(kind, ())))


@pytest.mark.parametrize(("name", "arg", "kind", "value", "exc"), list(_cases()))
def test_bad_input_is_refused_by_name(name, arg, kind, value, exc):
    with pytest.raises(exc) as info:
        getattr(ml, name)(**{**GOOD[name], arg: value})
    assert _named(str(info.value), arg, kind), f"{name}({arg}={value!r}): {info.value}"


def test_labels_beyond_n_classes_name_x():
    with pytest.raises(ValueError, match=r"^x must be labels in 0\.\.1"):
        ml.categorical_mle([0, 2, 2], n_classes=2)
