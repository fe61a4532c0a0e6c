"""Hypothesis properties of the mlelib likelihoods.

Invariants, not values: the MLE beats every perturbation, the score vanishes at an
interior MLE, totals are sums of the per-observation terms, fits are equivariant under
rescaling, and families that nest (Binomial n = 1, Categorical K = 2, MVN d = 1,
uncensored Exponential) agree with the simpler one.
"""

from __future__ import annotations

import numpy as np
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from properties import budget

import mlelib as ml

props = settings(max_examples=budget(40))

bits = st.lists(st.integers(0, 1), min_size=1, max_size=60)
counts = st.lists(st.integers(0, 40), min_size=1, max_size=60)
reals = st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=60)
positives = st.lists(st.floats(1e-3, 1e3), min_size=2, max_size=60)
unit = st.floats(0.0, 1.0)
log_factor = st.floats(-3.0, 3.0).filter(lambda t: abs(t) > 1e-6)


def _beats(best: float, other: float) -> bool:
    """``best >= other`` up to rounding of the larger of the two totals."""
    return best >= other - 1e-10 * (1.0 + abs(best))


def _spread(x) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    assume(np.ptp(x) > 1e-3 * (1 + np.abs(x).max()))
    return x


# --- the MLE beats every perturbation -----------------------------------------------------


@props
@given(bits, unit)
def test_bernoulli_mle_beats_any_p(x, p):
    assert _beats(ml.bernoulli_loglik(x, ml.bernoulli_mle(x)), ml.bernoulli_loglik(x, p))


@props
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=1), unit)
def test_binomial_mle_beats_any_p(pairs, p):
    k = [min(a, b) for a, b in pairs]
    n = [max(a, b) for a, b in pairs]
    assume(sum(n) > 0)
    best = ml.binomial_loglik(k, n, ml.binomial_mle(k, n))
    assert _beats(best, ml.binomial_loglik(k, n, p))


@props
@given(st.lists(st.integers(0, 4), min_size=1, max_size=60), st.lists(unit, min_size=5, max_size=5))
def test_categorical_mle_beats_any_p(x, w):
    assume(sum(w) > 1e-3)
    p = np.asarray(w) / sum(w)
    best = ml.categorical_loglik(x, ml.categorical_mle(x, n_classes=5))
    assert _beats(best, ml.categorical_loglik(x, p))


@props
@given(counts, st.floats(0.0, 100.0))
def test_poisson_mle_beats_any_rate(k, rate):
    assert _beats(ml.poisson_loglik(k, ml.poisson_mle(k)), ml.poisson_loglik(k, rate))


@props
@given(reals, st.floats(-2e3, 2e3), log_factor)
def test_gaussian_mle_beats_any_perturbation(x, loc, log_c):
    x = _spread(x)
    mu, sigma = ml.gaussian_mle(x)
    best = ml.gaussian_loglik(x, mu, sigma)
    assert _beats(best, ml.gaussian_loglik(x, loc, sigma * np.exp(log_c)))
    assert _beats(best, ml.gaussian_loglik(x, loc, sigma))
    assert _beats(best, ml.gaussian_loglik(x, mu, sigma * np.exp(log_c)))


@props
@given(reals, st.floats(-2e3, 2e3), log_factor)
def test_laplace_mle_beats_any_perturbation(x, loc, log_c):
    x = _spread(x)
    m, b = ml.laplace_mle(x)
    best = ml.laplace_loglik(x, m, b)
    assert _beats(best, ml.laplace_loglik(x, loc, b * np.exp(log_c)))
    assert _beats(best, ml.laplace_loglik(x, loc, b))


@props
@given(positives, st.lists(st.booleans(), min_size=60, max_size=60), st.floats(0.0, 1e3))
def test_censored_exponential_mle_beats_any_rate(x, observed, rate):
    observed = observed[: len(x)]
    best = ml.exponential_loglik(x, ml.exponential_mle(x, observed), observed)
    assert _beats(best, ml.exponential_loglik(x, rate, observed))


@props
@given(positives, log_factor, log_factor)
def test_gamma_mle_beats_any_perturbation(x, log_a, log_c):
    x = _spread(x)
    shape, scale = ml.gamma_mle(x)
    best = ml.gamma_loglik(x, shape, scale)
    assert _beats(best, ml.gamma_loglik(x, shape * np.exp(log_a), scale * np.exp(log_c)))
    assert _beats(best, ml.gamma_loglik(x, shape * np.exp(log_a), scale))
    assert _beats(best, ml.gamma_loglik(x, shape, scale * np.exp(log_c)))


@props
@given(st.integers(0, 2**32 - 1), st.integers(1, 3))
def test_mvn_mle_beats_random_perturbations(seed, d):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(int(rng.integers(d + 2, 30)), d)) @ rng.normal(size=(d, d))
    mean, cov = ml.mvn_mle(X)
    best = ml.mvn_loglik(X, mean, cov)
    A = rng.normal(size=(d, d)) * 0.3
    other_cov = (np.eye(d) + A) @ cov @ (np.eye(d) + A).T
    assert _beats(best, ml.mvn_loglik(X, mean + rng.normal(size=d), cov))
    assert _beats(best, ml.mvn_loglik(X, mean, other_cov))


# --- the score is zero at an interior MLE -------------------------------------------------


@props
@given(bits, counts, reals, positives)
def test_score_vanishes_at_the_mle(b, k, x, t):
    if 0 < sum(b) < len(b):
        assert abs(ml.bernoulli_score(b, ml.bernoulli_mle(b))) < 1e-9 * len(b)
    if sum(k) > 0:
        assert abs(ml.poisson_score(k, ml.poisson_mle(k))) < 1e-9 * len(k)
    assert abs(ml.exponential_score(t, ml.exponential_mle(t))) < 1e-9 * len(t)
    x, t = _spread(x), _spread(t)
    for score, mle, data in [
        (ml.gaussian_score, ml.gaussian_mle, x),
        (ml.laplace_score, ml.laplace_mle, x),
        (ml.gamma_score, ml.gamma_mle, t),
    ]:
        params = mle(data)
        # each score entry is a sum of n terms of size ~ |x| / scale**k: compare with that
        size = len(data) * (1 + np.abs(data).max()) * max(1.0, 1 / params[1]) ** 3
        got = score(data, *params)
        if score is ml.laplace_score:
            # loc has a kink at each data point: 0 must be a subgradient, i.e. the
            # sign(0) = 0 midpoint is off by at most the number of ties at the median
            ties = np.sum(np.asarray(data) == params[0])
            assert abs(got[0] * params[1]) <= ties
            got = got[1:]
        assert_allclose(got, 0.0, atol=1e-12 * size)


@props
@given(st.lists(st.integers(0, 3), min_size=4, max_size=60))
def test_categorical_score_vanishes_at_the_mle(x):
    assume(len(set(x)) == 4)
    assert_allclose(ml.categorical_score(x, ml.categorical_mle(x)), 0.0, atol=1e-9 * len(x))


# --- structure: totals, equivariance, nesting ---------------------------------------------


@props
@given(reals, st.floats(-10, 10), st.floats(0.01, 10))
def test_totals_are_sums_of_terms(x, loc, scale):
    for logpdf, loglik, nll in [
        (ml.gaussian_logpdf, ml.gaussian_loglik, ml.gaussian_nll),
        (ml.laplace_logpdf, ml.laplace_loglik, ml.laplace_nll),
    ]:
        total = loglik(x, loc, scale)
        assert_allclose(total, logpdf(x, loc, scale).sum(), rtol=1e-12)
        assert nll(x, loc, scale) == -total


@props
@given(reals, st.floats(-100, 100), st.floats(1e-2, 1e2))
@example([0.0, 0.0, 1.0], 5e-324, 1.0)  # once lost a median of 5e-324 beside the 1.0
@example([342.0, -341.9999999999999], 0.0, 0.01171875)  # a location of 1e-16 beside data of 4
def test_location_scale_fits_are_equivariant(x, a, b):
    x = _spread(x)
    # a + b*x is rounded once per value, which moves a location by up to an ulp of the largest
    # |a + b*x|: a location near 0 amid large data is only that accurate, absolutely.
    size = abs(a) + b * np.abs(x).max()
    for mle in (ml.gaussian_mle, ml.laplace_mle):
        loc, scale = mle(x)
        assert_allclose(mle(a + b * x), (a + b * loc, b * scale), rtol=1e-9, atol=1e-9 * size)


@props
@given(positives, st.floats(1e-2, 1e2))
def test_gamma_and_exponential_fits_rescale(x, c):
    x = _spread(x)
    shape, scale = ml.gamma_mle(x)
    assert_allclose(ml.gamma_mle(c * np.asarray(x)), (shape, c * scale), rtol=1e-8)
    assert_allclose(ml.exponential_mle(c * np.asarray(x)), ml.exponential_mle(x) / c, rtol=1e-12)


@props
@given(bits, unit)
def test_nested_families_agree_with_bernoulli(x, p):
    want = ml.bernoulli_logpmf(x, p)
    assert_allclose(ml.binomial_logpmf(x, 1, p), want, rtol=1e-12)
    # atol: log(1 - p) rounds to 0 once 1 - p does, xlog1py(1, -p) keeps -p
    assert_allclose(ml.categorical_logpmf(x, [1 - p, p]), want, rtol=1e-12, atol=1e-15)


@props
@given(positives, st.floats(1e-3, 10))
def test_uncensored_exponential_is_the_default(x, rate):
    observed = np.ones(len(x), dtype=bool)
    assert ml.exponential_loglik(x, rate, observed) == ml.exponential_loglik(x, rate)
    assert ml.exponential_mle(x, observed) == ml.exponential_mle(x)


@props
@given(reals, st.floats(-10, 10), st.floats(0.1, 10))
def test_mvn_in_one_dimension_is_the_gaussian(x, loc, scale):
    assert_allclose(
        ml.mvn_loglik(np.asarray(x)[:, None], [loc], [[scale**2]]),
        ml.gaussian_loglik(x, loc, scale),
        rtol=1e-10,
    )


@props
@given(st.floats(1e-3, 1 - 1e-3), st.floats(1e-3, 1e3), st.integers(1, 10**6))
def test_fisher_information_adds_up_over_observations(p, scale, n):
    pairs = [
        (ml.bernoulli_fisher(p, n=n), ml.bernoulli_fisher(p)),
        (ml.poisson_fisher(scale, n=n), ml.poisson_fisher(scale)),
        (ml.exponential_fisher(scale, n=n), ml.exponential_fisher(scale)),
        (ml.gaussian_fisher(0.0, scale, n=n), ml.gaussian_fisher(0.0, scale)),
        (ml.laplace_fisher(0.0, scale, n=n), ml.laplace_fisher(0.0, scale)),
        (ml.gamma_fisher(p * 10, scale, n=n), ml.gamma_fisher(p * 10, scale)),
    ]
    for many, one in pairs:
        assert_allclose(many, n * np.asarray(one), rtol=1e-12)
        assert np.all(np.linalg.eigvalsh(np.atleast_2d(one)) > 0)
