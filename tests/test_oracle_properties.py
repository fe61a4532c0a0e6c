"""Property tests: mlelib beside scipy on random inputs from across the float range.

``test_likelihoods.py`` compares every family with its scipy twin on a few fixed draws of
ordinary size. Here Hypothesis draws the parameters themselves: scales and rates from 2**-900
to 2**900, probabilities down to 2**-1000 and up to 1 - 2**-53, logits up to 1e300, data
that put a Bernoulli MLE on the boundary. The oracles are scipy (``stats``, ``special``,
``optimize``) and closed forms (the Fisher informations' in exact fractions, rounded once).
``make explore`` draws many more examples (tests/properties.py).
"""

from __future__ import annotations

import math
from fractions import Fraction as F

import numpy as np
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from properties import budget
from scipy import optimize, special, stats
from test_mlelib_extremes import assert_rounded, to_float

import mlelib as ml

seeds = st.integers(0, 2**32 - 1)
powers = st.integers(-900, 900)  # a scale, rate or location of 2**power
# Probabilities from 2**-1000 to 1 - 2**-53, as often near either end as in the middle.
probabilities = st.one_of(
    st.integers(-1000, -1).map(lambda k: math.ldexp(1.0, k)),
    st.integers(-53, -1).map(lambda k: 1.0 - math.ldexp(1.0, k)),
    st.floats(0.0, 1.0, exclude_min=True, exclude_max=True),
)


def _positive_definite(rng, d: int) -> np.ndarray:
    """A random covariance: a sample covariance of d + 3 normal draws, plus 0.3 I."""
    return np.cov(rng.standard_normal((d + 3, d)).T).reshape(d, d) + 0.3 * np.eye(d)


def _close(got, want, rtol=1e-10):
    """Equal to ``rtol`` relative to each value, and to ``rtol`` absolutely near 0."""
    assert_allclose(got, want, rtol=rtol, atol=rtol)


@settings(max_examples=budget(40))
@given(seeds, powers, st.floats(-3.0, 3.0))
def test_location_scale_densities_at_any_scale_match_scipy(seed, k, shift):
    z = np.random.default_rng(seed).standard_normal(8) * 2
    scale = math.ldexp(1.0, k)
    loc = shift * scale
    x = loc + scale * z
    for ours, twin in (
        (ml.gaussian_logpdf, stats.norm.logpdf),
        (ml.laplace_logpdf, stats.laplace.logpdf),
    ):
        want = twin(x, loc, scale)  # -log(scale) - ...: of size up to 624
        _close(ours(x, loc, scale), want)
        _close(ours(x, loc, scale).sum(), want.sum())


@settings(max_examples=budget(40))
@given(seeds, powers, st.floats(0.05, 50.0))
def test_rate_and_shape_densities_at_any_scale_match_scipy(seed, k, shape):
    rng = np.random.default_rng(seed)
    scale = math.ldexp(1.0, k)
    x = rng.gamma(shape, size=8) * scale
    assume(np.all(x > 0))
    _close(ml.exponential_logpdf(x, 1 / scale), stats.expon.logpdf(x, scale=scale))
    _close(ml.gamma_logpdf(x, shape, scale), stats.gamma.logpdf(x, shape, scale=scale))


@settings(max_examples=budget(40))
@given(seeds, st.integers(-900, 700))
def test_poisson_at_any_rate_matches_scipy(seed, k):
    rate = math.ldexp(1.0, k)
    rng = np.random.default_rng(seed)
    counts = rng.poisson(min(rate, 1e15), size=6).astype(float)
    counts = np.append(counts, [0.0, 1.0, 3.0])
    _close(ml.poisson_logpmf(counts, rate), stats.poisson.logpmf(counts, rate))
    if counts.sum() > 0:
        assert ml.poisson_mle(counts) == counts.mean()


@settings(max_examples=budget(40))
@given(seeds, probabilities, st.integers(1, 60))
def test_bernoulli_and_binomial_at_any_probability_match_scipy(seed, p, trials):
    rng = np.random.default_rng(seed)
    x = rng.binomial(1, p, size=12)
    k = rng.binomial(trials, p, size=6)
    n = np.full(6, trials)
    _close(ml.bernoulli_logpmf(x, p), stats.bernoulli.logpmf(x, p))
    _close(ml.binomial_logpmf(k, n, p), stats.binom.logpmf(k, n, p))
    _close(ml.binomial_loglik(k, n, p), stats.binom.logpmf(k, n, p).sum())
    _close(ml.bernoulli_fisher(p, n=trials), trials / (p * (1 - p)))


@settings(max_examples=budget(40))
@given(seeds, st.integers(1, 6), st.integers(-1000, 1000), st.integers(1, 4))
def test_log_softmax_and_cross_entropy_at_any_scale_match_scipy(seed, classes, k, rows):
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal((rows, classes)) * math.ldexp(1.0, min(k, 1020))
    labels = rng.integers(0, classes, size=rows)
    want = special.log_softmax(logits, axis=-1)
    got = ml.log_softmax(logits)
    finite = np.isfinite(want)
    assert np.array_equal(np.isfinite(got), finite)
    _close(got[finite], want[finite])
    picked = want[np.arange(rows), labels]
    if np.all(np.isfinite(picked)):
        _close(ml.cross_entropy(logits, labels), -np.mean(picked))


@settings(max_examples=budget(40))
@given(st.integers(1, 400), st.data(), st.floats(0.5, 0.999))
def test_bernoulli_profile_interval_matches_scipy_roots(n, data, level):
    # k heads in n flips; the ends solve 2 (l(p_hat) - l(p)) = chi2_1 quantile (scipy's binom
    # and brentq), and an end whose bound stays inside the set is the bound itself.
    k = data.draw(st.sampled_from([0, n]) | st.integers(0, n))
    p_hat = k / n
    cut = stats.binom.logpmf(k, n, p_hat) - stats.chi2.ppf(level, 1) / 2

    def excess(p):
        return stats.binom.logpmf(k, n, p) - cut

    lo = 0.0 if k == 0 else optimize.brentq(excess, 0.0, p_hat, xtol=1e-15, rtol=1e-13)
    hi = 1.0 if k == n else optimize.brentq(excess, p_hat, 1.0, xtol=1e-15, rtol=1e-13)
    got = ml.profile_likelihood_interval(
        lambda p: ml.binomial_nll([k], [n], p[0]), [p_hat], level=level, bounds=(0.0, 1.0)
    )
    assert_allclose(got, (lo, hi), rtol=1e-8, atol=1e-13)
    assert (got[0] == 0.0) == (k == 0) and (got[1] == 1.0) == (k == n)


@settings(max_examples=budget(30))
@given(seeds, st.integers(1, 5))
def test_minimize_nll_finds_the_minimum_of_a_quadratic(seed, d):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((d, d))
    A = a @ a.T + d * np.eye(d)  # condition number below about 10**3
    b = rng.normal(size=d) * 3
    want = np.linalg.solve(A, b)

    def nll(t):
        return float(0.5 * t @ A @ t - b @ t)

    for method in ("bfgs", "newton"):
        res = ml.minimize_nll(
            nll, np.zeros(d), grad=lambda t: A @ t - b, hess=lambda t: A, method=method
        )
        # scipy's BFGS may stop a hair above gtol with "precision loss" (so does scipy itself
        # on these quadratics); the minimum is found either way.
        assert res.converged or "precision loss" in res.message, (method, res.message)
        assert_allclose(res.params, want, rtol=1e-6, atol=1e-8)


@settings(max_examples=budget(40))
@given(st.floats(-1e6, 1e6), st.floats(0.0, 1e6), st.floats(0.5, 0.9999))
def test_wald_interval_matches_scipy(estimate, se, level):
    # se = 0 (a plug-in standard error at a boundary MLE): the single point, as notebook 05 has
    want = stats.norm.interval(level, loc=estimate, scale=se) if se > 0 else (estimate, estimate)
    assert_allclose(ml.wald_interval(estimate, se, level), want, rtol=1e-12, atol=1e-12)


@settings(max_examples=budget(40))
@given(st.floats(-1e6, 0.0), st.floats(0.0, 1e4), st.integers(1, 20))
def test_likelihood_ratio_test_matches_scipy(llf_null, gain, df):
    res = ml.likelihood_ratio_test(llf_null, llf_null + gain, df)
    statistic = 2 * ((llf_null + gain) - llf_null)
    assert_allclose(res.statistic, statistic, rtol=1e-12, atol=1e-12)
    assert_allclose(res.pvalue, stats.chi2.sf(statistic, df), rtol=1e-10, atol=1e-300)


# --- Fisher informations at any scale: the closed forms, in exact fractions, rounded once ---

exponents_of_2 = st.integers(-1074, 1023)  # every power of 2 a float holds, subnormals too


@settings(max_examples=budget(40))
@given(exponents_of_2, st.integers(1, 10**6), st.floats(-4.0, 4.0))
def test_location_scale_fisher_informations_at_any_scale(k, n, shift):
    s = math.ldexp(1.0, k)
    assume(math.isfinite(shift * s))
    per_var = F(n) / F(s) ** 2  # n / s**2, exactly
    got = ml.gaussian_fisher(shift * s, s, n=n)
    assert_rounded(np.diag(got), [to_float(per_var), to_float(2 * per_var)], rtol=1e-15)
    assert got[0, 1] == got[1, 0] == 0.0
    got = ml.laplace_fisher(shift * s, s, n=n)
    assert_rounded(np.diag(got), [to_float(per_var)] * 2, rtol=1e-15)


@settings(max_examples=budget(40))
@given(exponents_of_2, st.integers(1, 10**6), st.floats(0.01, 1e3))
def test_rate_and_shape_fisher_informations_at_any_scale(k, n, shape):
    s = math.ldexp(1.0, k)
    got = ml.gamma_fisher(shape, s, n=n)
    assert_allclose(got[0, 0], n * special.polygamma(1, shape), rtol=1e-13)
    assert_rounded([got[0, 1], got[1, 0]], [to_float(F(n) / F(s))] * 2, rtol=1e-15)
    assert_rounded(got[1, 1], to_float(n * F(shape) / F(s) ** 2), rtol=1e-15)
    assert_rounded(ml.exponential_fisher(s, n=n), to_float(F(n) / F(s) ** 2), rtol=1e-15)
    assert_rounded(ml.poisson_fisher(s, n=n), to_float(F(n) / F(s)), rtol=1e-15)


@settings(max_examples=budget(40))
@given(probabilities, st.integers(1, 10**6))
def test_bernoulli_and_binomial_fisher_informations_at_any_probability(p, n):
    want = to_float(F(n) / (F(p) * (1 - F(p))))  # n / (p (1 - p)), exactly
    assert_rounded(ml.bernoulli_fisher(p, n=n), want, rtol=1e-15)
    assert_rounded(ml.binomial_fisher([n], p), want, rtol=1e-15)


def _near(got: float, want: F, size: F, rtol: F = F(1, 10**13)) -> None:
    """``got`` within ``rtol`` of the size of the terms that sum to ``want``, exactly compared.

    A score is a difference of terms (it is 0 at the MLE), so it can be accurate only
    relative to their size, not to itself. A value past the float range must be that inf.
    """
    if math.isinf(to_float(want)) or math.isinf(got):
        assert got == to_float(want), (got, want)
    else:
        assert abs(F(got) - want) <= rtol * size + F(2) ** -1072, (got, float(want), float(size))


@settings(max_examples=budget(40))
@given(seeds, exponents_of_2, st.floats(-4.0, 4.0))
@example(181, 1023, 2.0)  # a location past the float range: not a case (the test once added inf)
def test_location_scale_scores_at_any_scale(seed, k, shift):
    # The Gaussian score (sum(x - mu) / s**2, -n / s + sum((x - mu)**2) / s**3) and the
    # Laplace score (sum(sign(x - mu)) / b, -n / b + sum|x - mu| / b**2) in exact fractions.
    s = math.ldexp(1.0, k)
    loc = shift * s
    assume(math.isfinite(loc))
    with np.errstate(over="ignore"):
        x = loc + s * np.random.default_rng(seed).standard_normal(6)
    assume(np.all(np.isfinite(x)) and np.all(x != loc))
    d = [F(float(v)) - F(loc) for v in x]
    n, S = len(d), F(s)
    squares = sum(v * v for v in d)
    got = ml.gaussian_score(x, loc, s)
    _near(got[0], sum(d) / S**2, sum(abs(v) for v in d) / S**2)
    _near(got[1], -n / S + squares / S**3, n / S + squares / S**3)
    got = ml.laplace_score(x, loc, s)
    _near(got[0], F(sum(1 if v > 0 else -1 for v in d)) / S, n / S)
    _near(got[1], -n / S + sum(abs(v) for v in d) / S**2, n / S + sum(abs(v) for v in d) / S**2)


@settings(max_examples=budget(40))
@given(seeds, st.floats(0.05, 500.0), powers, st.integers(5, 200))
@example(202, 389.0, -830, 66)  # logs near -575 cost s = 0.0016 ten digits (make explore)
def test_gamma_mle_at_any_scale_solves_its_likelihood_equations(seed, shape, k, n):
    # The MLE solves log(a) - digamma(a) = log(mean x) - mean(log x) with scale = mean x / a
    # (scipy's digamma; the two sides in unit-free form, so the scale 2**k cancels exactly).
    z = np.random.default_rng(seed).gamma(shape, size=n)
    assume(np.all(z > 0) and np.ptp(z) > 1e-6 * z.mean())
    x = np.ldexp(z, k)
    a, scale = ml.gamma_mle(x)
    rhs = math.log(z.mean()) - np.log(z).mean()  # of z: free of the 2**k
    assert_allclose(math.log(a) - special.digamma(a), rhs, rtol=1e-10)
    assert_allclose(np.ldexp(scale, -k), z.mean() / a, rtol=1e-10)


@settings(max_examples=budget(30))
@given(seeds, st.integers(1, 3), st.integers(1, 3), st.integers(-500, 500))
def test_mixture_log_likelihood_at_any_scale_matches_scipy(seed, d, components, k):
    # Data, means and covariances in units of 2**k: every density is 2**(-k d) times the
    # unit-size one, so the total is scipy's unit-size total minus n d k log 2.
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((30, d)) * 2
    weights = rng.dirichlet(np.ones(components))
    means = rng.standard_normal((components, d))
    covs = np.array([_positive_definite(rng, d) for _ in range(components)])
    dens = [
        stats.multivariate_normal(m, c).logpdf(z).reshape(-1)
        for m, c in zip(means, covs, strict=True)
    ]
    want = special.logsumexp(np.log(weights)[:, None] + np.array(dens), axis=0).sum()
    want -= z.shape[0] * d * k * math.log(2.0)
    X, M, C = np.ldexp(z, k), np.ldexp(means, k), np.ldexp(covs, 2 * k)
    if d == 1:  # one dimension: data (n,), means (K,), variances (K,)
        X, M, C = X[:, 0], M[:, 0], C[:, 0, 0]
    assert_allclose(ml.gmm_log_likelihood(X, weights, M, C), want, rtol=1e-11)
