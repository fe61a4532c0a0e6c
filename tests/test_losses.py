"""mlelib.losses: each loss is the mean NLL from scipy.stats, up to the documented constants."""

import decimal
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from properties import budget
from scipy import stats
from scipy.special import expit

from mlelib.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    gaussian_nll_loss,
    log_softmax,
    mse,
    poisson_nll_loss,
)

RNG = np.random.default_rng(3)
PI_80 = decimal.Decimal("3.14159265358979323846264338327950288419716939937510582097494")
N = 50
Y01 = RNG.integers(0, 2, N).astype(float)
P = RNG.uniform(0.01, 0.99, N)
LOGITS = RNG.normal(0, 3, N)
LOG2PI = np.log(2 * np.pi)
FINITE = st.floats(-30, 30, allow_nan=False)


def test_bce_is_mean_bernoulli_nll():
    want = -stats.bernoulli.logpmf(Y01, P).mean()
    assert binary_cross_entropy(Y01, P) == pytest.approx(want, rel=1e-12)


def test_bce_boundaries_exact_zero_or_inf_never_nan():
    assert binary_cross_entropy([1, 0, 1], [1.0, 0.0, 1.0]) == 0.0
    assert binary_cross_entropy([1, 0], [0.0, 0.0]) == np.inf
    assert binary_cross_entropy([0], [1.0]) == np.inf


def test_bce_with_logits_is_mean_bernoulli_nll():
    want = -stats.bernoulli.logpmf(Y01, expit(LOGITS)).mean()
    assert binary_cross_entropy_with_logits(Y01, LOGITS) == pytest.approx(want, rel=1e-12)


def test_bce_with_logits_finite_at_extremes():
    got = binary_cross_entropy_with_logits([1, 0, 0, 1], [1000.0, -1000.0, 1000.0, -1000.0])
    assert got == pytest.approx(1000.0 / 2, rel=1e-15)


@settings(max_examples=budget(40))
@given(arrays(float, st.integers(1, 20), elements=FINITE), st.data())
def test_property_bce_logits_equals_bernoulli_nll(z, data):
    y = np.array(data.draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=z.size, max_size=z.size)))
    # P(y | z) = bernoulli.pmf(1, expit(z)) if y = 1 else bernoulli.pmf(1, expit(-z)); written
    # this way so that scipy's oracle does not lose digits to 1 - expit(z) for large z.
    want = -stats.bernoulli.logpmf(1, expit(np.where(y == 1, z, -z))).mean()
    assert binary_cross_entropy_with_logits(y, z) == pytest.approx(want, rel=1e-9, abs=1e-12)


def test_log_softmax_and_cross_entropy_match_categorical_nll():
    z = RNG.normal(0, 2, (N, 4))
    y = RNG.integers(0, 4, N)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(log_softmax(z), np.log(p), rtol=1e-12)
    np.testing.assert_allclose(log_softmax(z.T, axis=0), np.log(p).T, rtol=1e-12)
    onehot = np.eye(4)[y]
    want = -np.mean([stats.multinomial.logpmf(onehot[i], 1, p[i]) for i in range(N)])
    assert cross_entropy(z, y) == pytest.approx(want, rel=1e-10)


def test_cross_entropy_finite_for_huge_logits():
    z = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]])
    assert cross_entropy(z, [0, 1]) == 0.0
    assert cross_entropy(z, [1, 0]) == pytest.approx(2000.0)
    assert np.all(np.isfinite(log_softmax(z)))


def test_mse_is_twice_unit_gaussian_nll_minus_constant():
    y, m = RNG.normal(size=N), RNG.normal(size=N)
    nll = -stats.norm.logpdf(y, m, 1.0).mean()
    assert mse(y, m) == pytest.approx(2 * nll - LOG2PI, rel=1e-12)


@settings(max_examples=budget(40))
@given(arrays(float, st.integers(1, 20), elements=FINITE), st.floats(-5, 5))
def test_property_mse_equals_gaussian_nll_up_to_constant_and_scale(y, shift):
    m = y + shift
    nll = -stats.norm.logpdf(y, m, 1.0).mean()
    assert mse(y, m) / 2 + LOG2PI / 2 == pytest.approx(nll, rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("per_point", [False, True])
def test_gaussian_nll_loss_is_mean_gaussian_nll(per_point):
    y, m = RNG.normal(size=N), RNG.normal(size=N)
    var = RNG.uniform(0.1, 3, N) if per_point else 2.5
    nll = -stats.norm.logpdf(y, m, np.sqrt(var)).mean()
    assert gaussian_nll_loss(y, m, var, full=True) == pytest.approx(nll, rel=1e-12)
    assert gaussian_nll_loss(y, m, var) == pytest.approx(nll - LOG2PI / 2, rel=1e-12)


def test_poisson_nll_loss_is_mean_poisson_nll():
    eta = RNG.normal(1, 1, N)
    y = RNG.poisson(np.exp(eta)).astype(float)
    nll = -stats.poisson.logpmf(y, np.exp(eta)).mean()
    assert poisson_nll_loss(y, eta, full=True) == pytest.approx(nll, rel=1e-12)
    # log k! from the exact integer factorial (an int64 product overflows from k = 21)
    log_fact = np.mean([math.log(math.factorial(k)) for k in y.astype(int).tolist()])
    assert poisson_nll_loss(y, eta) == pytest.approx(nll - log_fact, rel=1e-12)


def test_poisson_nll_loss_extremes_without_warnings():
    assert poisson_nll_loss([0.0], [-1000.0]) == 0.0
    assert poisson_nll_loss([3.0], [1000.0]) == np.inf


def test_losses_whose_terms_sum_past_the_float_range_are_still_their_mean():
    # Each term is within the float range, their sum is not: the mean is (np.mean gave inf).
    assert binary_cross_entropy_with_logits([0.0, 1.0], [1.7e308, -1.7e308]) == 1.7e308
    assert mse([1.2e154, -1.2e154], [0.0, 0.0]) == 1.2e154**2
    assert cross_entropy(np.array([[1.7e308, 0.0], [1.7e308, 0.0]]), [1, 1]) == 1.7e308
    want = 0.5 * (math.log(1e-300) + (1e4 / 1e-150) ** 2)  # each (y - mean)^2 / var is 1e308
    assert gaussian_nll_loss([1e4, -1e4], [0.0, 0.0], [1e-300, 1e-300]) == pytest.approx(want)
    # (y - mean)^2 = 1e400 is past the range, its ratio to var = 1e300 is not
    want = 0.5 * (math.log(1e300) + 1e100)
    assert gaussian_nll_loss([1e200], [0.0], [1e300]) == pytest.approx(want, rel=1e-15)
    assert mse([1e308, -1e308], [-1e308, 1e308]) == np.inf  # 4e616: past the range itself


@pytest.mark.parametrize(
    ("y", "eta"),
    [
        (1e306, 800.0),  # e^eta and y eta both past the float range: e^eta is far larger
        (1.7e308, 710.0),  # both past it, y eta larger by 500 times: -inf
        (2.3e306, 712.0),  # both past it, their difference within it
        (1e300, 1e300),
        (1e250, -1e300),  # e^eta = 0, y eta = -inf: +inf
    ],
)
@pytest.mark.parametrize("full", [False, True])
def test_poisson_nll_loss_where_its_terms_leave_the_float_range(y, eta, full):
    got = poisson_nll_loss([y], [eta], full=full)
    if eta > 1e4:  # e^eta > e^10000 dwarfs y eta < e^1500 and log y! < e^720
        assert got == np.inf
        return
    # The exact value, e^eta - y eta (+ log y!), in 80-digit decimals; never inf - inf.
    ctx = decimal.Context(prec=80, Emax=10**9, Emin=-(10**9))
    d_y, d_eta = decimal.Decimal(y), decimal.Decimal(eta)
    exact = ctx.subtract(ctx.exp(d_eta), ctx.multiply(d_y, d_eta))
    if full:  # log y! by Stirling: its next term, 1 / (360 y^3), is nothing at y >= 1e250
        log_fact = d_y * ctx.ln(d_y) - d_y + ctx.ln(2 * PI_80 * d_y) / 2 + ctx.divide(1, 12 * d_y)
        exact = ctx.add(exact, log_fact)
    if abs(exact) > decimal.Decimal(np.finfo(float).max):
        assert got == (np.inf if exact > 0 else -np.inf)
    else:
        # Where the terms leave the float range they are summed from their logarithms: a
        # term e^L (L up to about 720) comes back with L * 2^-53 of relative error, about
        # 1e-13, and at (1.7e308, 710) terms of 1e311 cancel to 7e306.
        assert got == pytest.approx(float(exact), rel=1e-8)


@pytest.mark.parametrize(
    ("call", "exc", "word"),
    [
        (lambda: binary_cross_entropy([1, 0], [0.5, 1.2]), ValueError, "p"),
        (lambda: binary_cross_entropy([2, 0], [0.5, 0.5]), ValueError, "y"),
        (lambda: binary_cross_entropy([1, 0, 1], [0.5, 0.5]), ValueError, "shapes"),
        (lambda: binary_cross_entropy([], []), ValueError, "empty"),
        (lambda: binary_cross_entropy_with_logits([1], [np.nan]), ValueError, "logits"),
        (lambda: binary_cross_entropy_with_logits("1", [0.0]), TypeError, "y"),
        (lambda: log_softmax([]), ValueError, "logits"),
        (lambda: log_softmax([1.0, 2.0], axis=3), ValueError, "axis"),
        (lambda: cross_entropy([[0.0, 1.0]], [2]), ValueError, "y"),
        (lambda: cross_entropy([[0.0, 1.0]], [0, 1]), ValueError, "y"),
        (lambda: cross_entropy([[0.0, np.inf]], [0]), ValueError, "logits"),
        (lambda: cross_entropy([[0.0, 1.0]], [-1]), ValueError, "y"),
        (lambda: mse([1.0, 2.0], [1.0, 2.0, 3.0]), ValueError, "shapes"),
        (lambda: mse([np.inf], [1.0]), ValueError, "y"),
        (lambda: gaussian_nll_loss([1.0], [1.0], 0.0), ValueError, "var"),
        (lambda: gaussian_nll_loss([1.0], [1.0], -1.0), ValueError, "var"),
        (lambda: poisson_nll_loss([-1.0], [0.0]), ValueError, "y"),
        (lambda: poisson_nll_loss([1.5], [0.0]), ValueError, "y"),
        (lambda: poisson_nll_loss([1.0, 2.0], [0.0, 0.0, 1.0]), ValueError, "shapes"),
    ],
)
def test_bad_input(call, exc, word):
    with pytest.raises(exc, match=word):
        call()
