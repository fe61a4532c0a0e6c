"""Malformed arguments to every public fitting function are refused, naming the argument.

The likelihood families have their own table in ``test_likelihood_inputs.py``; this one
covers every other public function of ``mlelib.__all__``. ``GOOD`` holds one valid call
per function (checked to succeed), ``KINDS`` says what kind of value each argument is,
and ``BAD`` lists per kind the values that must raise ``TypeError`` or ``ValueError``
with the argument's name in the message. Every combination is one test.
"""

from __future__ import annotations

import inspect
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

FAMILIES = (bernoulli, binomial, categorical, exponential, gamma, gaussian, laplace)
# The likelihood families' functions have their table in test_likelihood_inputs.py.
LIKELIHOOD_FUNCTIONS = {name for m in FAMILIES + (multivariate, poisson) for name in m.__all__}

NAN, INF = float("nan"), float("inf")


def _quadratic(t):
    return float(np.sum((np.asarray(t) - 1.0) ** 2))


def _quadratic_grad(t):
    return 2.0 * (np.asarray(t) - 1.0)


def _quadratic_hess(t):
    return 2.0 * np.eye(2)


def _coin_nll(p):  # 7 heads in 10 flips
    return -(7 * np.log(p) + 3 * np.log1p(-p))


X_REG = np.column_stack([np.ones(8), np.arange(8.0)])
Y_REG = np.array([0.1, 1.2, 1.9, 3.2, 3.9, 5.1, 6.0, 7.2])
Y_BIN = np.array([0, 0, 1, 0, 1, 1, 0, 1])
X_GMM = np.array([-2.1, -1.9, -2.0, 3.9, 4.1, 4.0])
RESP = np.eye(2)[[0, 0, 0, 1, 1, 1]]
W2, MU2, VAR2 = [0.5, 0.5], [-2.0, 4.0], [1.0, 1.0]

GOOD: dict[str, dict] = {
    "aic": {"llf": -10.0, "k": 2},
    "bic": {"llf": -10.0, "k": 2, "n": 100},
    "likelihood_ratio_test": {"llf_null": -10.0, "llf_alt": -8.0, "df": 1},
    "beta_bernoulli_map": {"x": [1, 0, 1], "a": 2.0, "b": 2.0},
    "beta_bernoulli_posterior": {"x": [1, 0, 1], "a": 2.0, "b": 2.0},
    "beta_log_prior": {"p": 0.3, "a": 2.0, "b": 2.0},
    "gaussian_log_prior": {"w": [0.5, -1.0], "scale": 2.0},
    "laplace_log_prior": {"w": [0.5, -1.0], "scale": 2.0},
    "dirichlet_log_prior": {"p": [0.2, 0.3, 0.5], "alpha": [1.0, 2.0, 3.0]},
    "binary_cross_entropy": {"y": [1, 0, 1], "p": [0.9, 0.2, 0.6]},
    "binary_cross_entropy_with_logits": {"y": [1, 0], "logits": [2.0, -1.0]},
    "log_softmax": {"logits": [[1.0, 2.0], [0.0, 0.0]], "axis": -1},
    "cross_entropy": {"logits": [[2.0, 0.0, -1.0], [0.0, 0.0, 0.0]], "y": [0, 2]},
    "mse": {"y": [1.0, 2.0], "y_pred": [0.0, 4.0]},
    "gaussian_nll_loss": {"y": [1.0, 3.0], "mean": [1.0, 1.0], "var": 4.0, "full": True},
    "poisson_nll_loss": {"y": [0, 2], "log_rate": [0.0, 0.5], "full": True},
    "gradient_descent": {"grad": _quadratic_grad, "x0": [0.5, 2.0], "lr": 0.1, "n_steps": 5},
    "newton_method": {
        "grad": _quadratic_grad,
        "hess": _quadratic_hess,
        "x0": [0.5, 2.0],
        "tol": 1e-10,
        "max_iter": 20,
        "nll": _quadratic,
    },
    "minimize_nll": {
        "nll": _quadratic,
        "x0": [0.5, 2.0],
        "grad": _quadratic_grad,
        "hess": _quadratic_hess,
        "method": "bfgs",
        "positive": [1],
        "lr": 0.01,
        "tol": 1e-8,
        "max_iter": 200,
    },
    "observed_information": {"nll": _quadratic, "params": [1.0, 1.0], "step": [1e-3, 1e-3]},
    "standard_errors": {"information": [[4.0, 0.0], [0.0, 100.0]]},
    "wald_interval": {"estimate": 0.7, "se": 0.1, "level": 0.95},
    "profile_likelihood_interval": {
        "nll": _coin_nll,
        "params_hat": 0.7,
        "index": 0,
        "level": 0.95,
        "bounds": (0.0, 1.0),
    },
    "linear_regression_mle": {"X": X_REG, "y": Y_REG},
    "ridge_map": {"X": X_REG, "y": Y_REG, "sigma2": 1.0, "tau2": 1.0},
    "lasso_map": {"X": X_REG, "y": Y_REG, "lam": 1.0, "n_iter": 100, "tol": 1e-8, "method": "ista"},
    "logistic_regression": {"X": X_REG, "y": Y_BIN, "l2": 0.0, "tol": 1e-10, "max_iter": 50},
    "gmm_log_likelihood": {"X": X_GMM, "weights": W2, "means": MU2, "covs": VAR2},
    "gmm_e_step": {"X": X_GMM, "weights": W2, "means": MU2, "covs": VAR2},
    "gmm_m_step": {"X": X_GMM, "resp": RESP, "var_floor": 1e-6},
    "fit_gmm": {
        "X": X_GMM,
        "k": 2,
        "init": "kmeans++",
        "max_iter": 20,
        "tol": 1e-8,
        "var_floor": 1e-6,
        "n_restarts": 2,
        "rng": 0,
    },
}

KINDS: dict[str, dict[str, str]] = {
    "aic": {"llf": "real", "k": "count"},
    "bic": {"llf": "real", "k": "count", "n": "count1"},
    "likelihood_ratio_test": {"llf_null": "real", "llf_alt": "real", "df": "count1"},
    "beta_bernoulli_map": {"x": "binary", "a": "positive", "b": "positive"},
    "beta_bernoulli_posterior": {"x": "binary", "a": "positive", "b": "positive"},
    "beta_log_prior": {"p": "probabilities", "a": "positive", "b": "positive"},
    "gaussian_log_prior": {"w": "finite", "scale": "positive"},
    "laplace_log_prior": {"w": "finite", "scale": "positive"},
    "dirichlet_log_prior": {"p": "simplex", "alpha": "alpha"},
    "binary_cross_entropy": {"y": "probabilities", "p": "probabilities"},
    "binary_cross_entropy_with_logits": {"y": "probabilities", "logits": "finite"},
    "log_softmax": {"logits": "logits", "axis": "axis"},
    "cross_entropy": {"logits": "logits", "y": "labels"},
    "mse": {"y": "finite", "y_pred": "finite"},
    "gaussian_nll_loss": {"y": "finite", "mean": "finite", "var": "positives", "full": "flag"},
    "poisson_nll_loss": {"y": "counts", "log_rate": "finite", "full": "flag"},
    "gradient_descent": {"grad": "grad", "x0": "start", "lr": "nonnegative", "n_steps": "count"},
    "newton_method": {
        "grad": "grad",
        "hess": "hess",
        "x0": "start",
        "tol": "positive",
        "max_iter": "count",
        "nll": "nll",
    },
    "minimize_nll": {
        "nll": "nll",
        "x0": "start",
        "grad": "grad",
        "hess": "hess",
        "method": "method",
        "positive": "positive_indices",
        "lr": "positive",
        "tol": "positive",
        "max_iter": "count",
    },
    "observed_information": {"nll": "nll", "params": "start", "step": "step"},
    "standard_errors": {"information": "information"},
    "wald_interval": {"estimate": "finite", "se": "nonnegatives", "level": "level"},
    "profile_likelihood_interval": {
        "nll": "nll",
        "params_hat": "start",
        "index": "index",
        "level": "level",
        "bounds": "bounds",
    },
    "linear_regression_mle": {"X": "design", "y": "response"},
    "ridge_map": {"X": "design", "y": "response", "sigma2": "positive", "tau2": "positive"},
    "lasso_map": {
        "X": "design",
        "y": "response",
        "lam": "nonnegative",
        "n_iter": "count",
        "tol": "nonnegative",
        "method": "method",
    },
    "logistic_regression": {
        "X": "design",
        "y": "binary_response",
        "l2": "nonnegative",
        "tol": "positive",
        "max_iter": "count",
    },
    "gmm_log_likelihood": {
        "X": "mixture_data",
        "weights": "weights",
        "means": "means",
        "covs": "covs",
    },
    "gmm_e_step": {"X": "mixture_data", "weights": "weights", "means": "means", "covs": "covs"},
    "gmm_m_step": {"X": "mixture_data", "resp": "resp", "var_floor": "positive"},
    "fit_gmm": {
        "X": "mixture_data",
        "k": "components",
        "init": "init",
        "max_iter": "count",
        "tol": "nonnegative",
        "var_floor": "positive",
        "n_restarts": "count1",
        "rng": "rng",
    },
}

_SCALAR = [
    (NAN, ValueError),
    (INF, ValueError),
    ("a", TypeError),
    (None, TypeError),
    ([1.0, 2.0], ValueError),
]
_COUNT = [
    (-1, ValueError),
    (1.5, ValueError),
    (NAN, ValueError),
    ("a", TypeError),
    (True, TypeError),
    (None, TypeError),
    (10**400, ValueError),  # a whole number past the float range: not an OverflowError
]
_ARRAY = [([1.0, NAN], ValueError), ([1.0, INF], ValueError), ("ab", TypeError), (None, TypeError)]
_ARRAY += [([1, "a"], TypeError), ([[1.0], [1.0, 2.0]], TypeError)]  # mixed, ragged
# np.asarray drops a mask: the hidden value would be used as data.
_ARRAY += [(np.ma.masked_array([1.0, 1e6], mask=[False, True]), ValueError)]


def _returns(value):
    return lambda *args: value


_CALLABLE = [(3, TypeError), ("f", TypeError), (_returns(None), TypeError)]
_CALLABLE += [(_returns("ab"), TypeError), (_returns(object()), TypeError)]

BAD: dict[str, list] = {
    "real": _SCALAR,
    "positive": _SCALAR + [(0.0, ValueError), (-1.0, ValueError), (-INF, ValueError)],
    "nonnegative": _SCALAR + [(-1.0, ValueError)],
    "positives": _ARRAY + [([1.0, 0.0], ValueError), ([-1.0], ValueError)],
    "nonnegatives": _ARRAY + [([-1.0], ValueError), ([0.0, -1e-300], ValueError)],
    "count": _COUNT,
    "count1": _COUNT + [(0, ValueError)],
    "components": _COUNT + [(0, ValueError), (7, ValueError)],
    "level": _SCALAR + [(0.0, ValueError), (1.0, ValueError), (1.5, ValueError)],
    "flag": [("no", TypeError), (1, TypeError), (None, TypeError), ("True", TypeError)],
    "finite": _ARRAY,
    "probabilities": _ARRAY + [([0.5, 1.5], ValueError), ([-0.1, 0.5], ValueError)],
    "binary": _ARRAY + [([0, 2], ValueError), ([0.5, 1], ValueError)],  # [] is no flips yet
    "counts": _ARRAY + [([1, -1], ValueError), ([1, 1.5], ValueError)],
    "labels": _ARRAY + [([0, 3], ValueError), ([0.5, 1], ValueError), ([0, 1, 2], ValueError)],
    "simplex": _ARRAY + [([0.5, 0.6, 0.1], ValueError), ([1.2, -0.2, 0.0], ValueError)],
    "alpha": _ARRAY + [([1.0, 0.0, 1.0], ValueError), ([1.0, 2.0], ValueError)],
    "logits": _ARRAY + [([], ValueError), (3.0, ValueError)],
    "axis": [("x", TypeError), (None, TypeError), (5, ValueError), (-3, ValueError)]
    + [(1.5, ValueError), (True, TypeError)],
    "start": _ARRAY + [([], ValueError), ([[1.0, 2.0]], ValueError)],
    "step": [([1e-3] * 3, ValueError), ([[1e-3, 1e-3]], ValueError), (0.0, ValueError)]
    + [(-1e-3, ValueError), (NAN, ValueError), ("a", TypeError)],
    "information": [([[1.0, 2.0], [3.0, 4.0]], ValueError), ([[1.0, 0.0], [0.0, -1.0]], ValueError)]
    + [([[NAN, 0.0], [0.0, 1.0]], ValueError), ("a", TypeError), (None, TypeError)]
    + [(-1.0, ValueError), (np.ones((2, 2, 2)), ValueError), ([1.0, 2.0], ValueError)],
    "nll": _CALLABLE + [(_returns(np.ones(3)), ValueError)],
    "grad": _CALLABLE + [(_returns(np.ones(3)), ValueError)],
    "hess": _CALLABLE + [(_returns(np.ones(3)), ValueError)],
    "method": [("x", ValueError), (3, ValueError), (None, ValueError), (["bfgs"], ValueError)],
    "positive_indices": [(3, TypeError), (None, TypeError), ("ab", TypeError), ([5], ValueError)]
    + [([-1], ValueError), ([1.5], ValueError), (["a"], TypeError), ([True], TypeError)],
    "index": [(-1, ValueError), (1, ValueError), (1.5, ValueError), ("a", TypeError)]
    + [(True, TypeError), (None, TypeError)],
    "bounds": [("ab", TypeError), (3, TypeError), ((0.0, 0.5, 1.0), TypeError)]
    + [((1.0, 0.0), ValueError), ((NAN, 1.0), ValueError), ((0.8, 1.0), ValueError)]
    + [(("a", 1.0), TypeError), ({"low": 0, "high": 1}, TypeError)],
    "design": [([], ValueError), (np.zeros((8, 2, 2)), ValueError), ("ab", TypeError)]
    + [(None, TypeError), (np.full((8, 2), NAN), ValueError), (np.ones((7, 2)), ValueError)],
    "response": _ARRAY + [([1.0, 2.0], ValueError), (np.zeros((8, 2)), ValueError)],
    "binary_response": _ARRAY + [([0, 1], ValueError), ([0, 2] * 4, ValueError)],
    "mixture_data": [([], ValueError), ([1.0, NAN], ValueError), ("ab", TypeError)]
    + [(None, TypeError), (np.zeros((6, 1, 1)), ValueError)],
    "weights": [([0.5, 0.6], ValueError), ([-0.5, 1.5], ValueError), ("ab", TypeError)]
    + [(None, TypeError), ([[0.5, 0.5]], ValueError), ([0.5, NAN], ValueError)],
    "means": [([0.0], ValueError), ([0.0, NAN], ValueError), ("ab", TypeError), (None, TypeError)],
    "covs": [([1.0, -1.0], ValueError), ([1.0], ValueError), ("ab", TypeError)]
    + [(None, TypeError), ([1.0, NAN], ValueError), ([1.0, 0.0], ValueError)],
    "resp": [(np.zeros((6, 0)), ValueError), (np.ones((5, 2)) / 2, ValueError)]
    + [(np.full((6, 2), -0.5), ValueError), (np.full((6, 2), NAN), ValueError)]
    + [("ab", TypeError), (None, TypeError), (np.ones(6), ValueError)],
    "init": [(5, TypeError), ("x", ValueError), ({"weights": W2, "means": MU2}, ValueError)]
    + [((W2, MU2), TypeError), ((W2, MU2, [1.0, -1.0]), ValueError)],
    "rng": [("x", TypeError), (-1, ValueError), (1.5, TypeError), (True, TypeError)]
    + [([1, 2], TypeError)],
}
# init's start values are checked, and named, as the arguments they stand for.
ALIASES = {"init": {"init", "weights", "means", "covs"}}

FUNCTIONS = sorted(GOOD)


def test_every_public_function_is_covered_by_one_table():
    public = {
        name for name in ml.__all__ if inspect.isfunction(getattr(ml, name))
    }  # the classes (results, warnings) take no checked arguments
    assert set(FUNCTIONS) | set(LIKELIHOOD_FUNCTIONS) == public
    assert not set(FUNCTIONS) & set(LIKELIHOOD_FUNCTIONS)
    for name in FUNCTIONS:
        signature = inspect.signature(getattr(ml, name)).parameters
        assert set(KINDS[name]) == set(GOOD[name]) == set(signature), name


@pytest.mark.parametrize("name", FUNCTIONS)
def test_good_call_succeeds(name):
    getattr(ml, name)(**GOOD[name])


def _cases():
    for name in FUNCTIONS:
        for arg, kind in KINDS[name].items():
            for i, (value, exc) in enumerate(BAD[kind]):
                yield pytest.param(name, arg, kind, value, exc, id=f"{name}-{arg}-{i}")


def _named(message: str, arg: str) -> bool:
    return bool(set(re.findall(r"\w+", message)) & ALIASES.get(arg, {arg}))


@pytest.mark.parametrize(("name", "arg", "kind", "value", "exc"), list(_cases()))
def test_bad_argument_is_refused_by_name(name, arg, kind, value, exc):
    with pytest.raises(exc) as info:
        getattr(ml, name)(**{**GOOD[name], arg: value})
    assert _named(str(info.value), arg), f"{name}({arg}={value!r}): {info.value}"


# A count may come as any numpy or Python number that holds a whole number: np.float32(2)
# once warned of an overflow (the float range's end was cast to float32 to compare).
COUNTS = [
    (name, arg)
    for name in FUNCTIONS
    for arg, kind in KINDS[name].items()
    if kind in ("count", "count1", "components")
]
WHOLE_NUMBER_TYPES = [float, np.float16, np.float32, np.float64, np.int16, np.uint16, np.int64]


@pytest.mark.parametrize(("name", "arg"), COUNTS)
@pytest.mark.parametrize("number_type", WHOLE_NUMBER_TYPES, ids=lambda t: t.__name__)
def test_a_count_of_any_number_type_is_the_same_count(name, arg, number_type):
    want = getattr(ml, name)(**GOOD[name])
    got = getattr(ml, name)(**{**GOOD[name], arg: number_type(GOOD[name][arg])})
    assert repr(got) == repr(want)
