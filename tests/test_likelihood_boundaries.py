"""Boundary cases of the likelihoods, as first-class tests.

An MLE on the boundary is returned exactly; a log-likelihood at p = 0 or 1 (or rate 0)
is exactly 0 or -inf, never NaN and never with a warning (pytest turns warnings into
errors); where no MLE exists the function raises a ValueError that says why; and a
very large n does not underflow.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

import mlelib as ml

# --- p at 0 and 1 -------------------------------------------------------------------------


def test_all_heads_and_all_tails_give_exact_boundary_mles():
    assert ml.bernoulli_mle([1] * 17) == 1.0
    assert ml.bernoulli_mle([0] * 17) == 0.0
    assert ml.binomial_mle([10, 4], [10, 4]) == 1.0
    assert ml.binomial_mle([0, 0], [10, 4]) == 0.0
    assert ml.categorical_mle([2, 2, 2], n_classes=3).tolist() == [0.0, 0.0, 1.0]
    assert ml.categorical_mle([0, 0]).tolist() == [1.0, 0.0]  # K defaults to at least 2


def test_loglik_at_the_boundary_mle_is_exactly_zero():
    assert ml.bernoulli_loglik([1] * 17, 1.0) == 0.0
    assert ml.bernoulli_loglik([0] * 17, 0.0) == 0.0
    assert ml.binomial_loglik([10, 4], [10, 4], 1.0) == 0.0
    assert ml.categorical_loglik([2, 2], [0.0, 0.0, 1.0]) == 0.0


def test_impossible_data_give_minus_infinity_not_nan():
    assert ml.bernoulli_loglik([1, 0, 1], 0.0) == -math.inf
    assert ml.bernoulli_loglik([1, 0, 1], 1.0) == -math.inf
    assert ml.bernoulli_logpmf([0, 1], 0.0).tolist() == [0.0, -math.inf]
    assert ml.bernoulli_logpmf([0, 1], 1.0).tolist() == [-math.inf, 0.0]
    assert ml.binomial_logpmf([0, 3], 5, 0.0).tolist() == [0.0, -math.inf]
    assert ml.binomial_logpmf([5, 3], 5, 1.0).tolist() == [0.0, -math.inf]
    assert ml.categorical_loglik([0, 1], [1.0, 0.0]) == -math.inf
    assert ml.categorical_logpmf([0, 1], [1.0, 0.0]).tolist() == [0.0, -math.inf]


def test_boundary_values_agree_with_scipy():
    for p in (0.0, 1.0):
        assert_allclose(ml.bernoulli_logpmf([0, 1], p), stats.bernoulli.logpmf([0, 1], p))
        assert_allclose(ml.binomial_logpmf([0, 2, 4], 4, p), stats.binom.logpmf([0, 2, 4], 4, p))
    assert_allclose(ml.poisson_logpmf([0, 3], 0.0), stats.poisson.logpmf([0, 3], 0.0))


@pytest.mark.parametrize("p", [0.0, 1.0])
def test_score_and_fisher_refuse_the_boundary_and_say_why(p):
    for call in (
        lambda: ml.bernoulli_score([1, 0], p),
        lambda: ml.bernoulli_fisher(p),
        lambda: ml.binomial_score([1], 3, p),
        lambda: ml.binomial_fisher(3, p),
        lambda: ml.categorical_score([0], [p, 1 - p]),
        lambda: ml.categorical_fisher([p, 1 - p]),
    ):
        with pytest.raises(ValueError, match=r"^p must .*strictly"):
            call()


# --- rate 0 -------------------------------------------------------------------------------


def test_poisson_all_zeros_gives_rate_exactly_zero_and_a_finite_loglik():
    k = [0] * 12
    assert ml.poisson_mle(k) == 0.0
    assert ml.poisson_loglik(k, 0.0) == 0.0
    assert ml.poisson_nll(k, 0.0) == 0.0
    assert ml.poisson_loglik([0, 2], 0.0) == -math.inf
    with pytest.raises(ValueError, match=r"^rate must be positive"):
        ml.poisson_score(k, 0.0)


def test_censored_data_with_no_events_give_rate_exactly_zero():
    x, observed = [2.0, 3.5, 1.0], [False, False, False]
    assert ml.exponential_mle(x, observed) == 0.0
    assert ml.exponential_loglik(x, 0.0, observed) == 0.0
    assert ml.exponential_logpdf(x, 0.0, observed).tolist() == [0.0, 0.0, 0.0]
    # the log-likelihood falls as the rate leaves 0: the boundary really is the maximum
    assert ml.exponential_loglik(x, 1e-3, observed) < 0.0
    assert ml.exponential_loglik(x, 0.0, [True, False, False]) == -math.inf


def test_exponential_with_no_time_on_test_raises():
    with pytest.raises(ValueError, match=r"^x sums to 0"):
        ml.exponential_mle([0.0, 0.0], [True, False])


# --- MLEs that do not exist ---------------------------------------------------------------


@pytest.mark.parametrize("x", [[3.2], [1.5, 1.5, 1.5]])
def test_gaussian_and_laplace_scale_zero_raise_with_the_reason(x):
    for mle in (ml.gaussian_mle, ml.laplace_mle):
        with pytest.raises(
            ValueError, match=r"^x has a single observation or no spread.*unbounded"
        ):
            mle(x)
    # the likelihood really is unbounded there: it grows as scale shrinks
    values = [ml.gaussian_loglik(x, x[0], s) for s in (1.0, 1e-3, 1e-9)]
    assert values == sorted(values) and np.isfinite(values).all()


def test_gamma_without_spread_raises():
    with pytest.raises(ValueError, match=r"^x has no spread"):
        ml.gamma_mle([2.0, 2.0, 2.0])


@pytest.mark.parametrize(
    "X", [[[1.0, 2.0]], [[1.0, 2.0], [0.0, 1.0]], [[0.0, 0.0], [1.0, 2.0], [2.0, 4.0], [3.0, 6.0]]]
)
def test_mvn_with_a_singular_covariance_mle_raises(X):
    with pytest.raises(ValueError, match=r"^X .* singular covariance MLE"):
        ml.mvn_mle(X)


def test_gamma_with_nearly_equal_data_gives_a_huge_finite_shape_or_says_why():
    x = [1.0, 1.0 + 1e-6]
    shape, scale = ml.gamma_mle(x)
    # s = log(mean) - mean(log x) ~ d**2 / 8, and the root of log k - digamma(k) = s
    # is k ~ 1 / (2 s) = 4e12; s itself carries ~1e-3 relative rounding from the mean
    assert 3.9e12 < shape < 4.1e12
    assert_allclose(shape * scale, np.mean(x), rtol=1e-12)
    with pytest.raises(ValueError, match=r"^x has too little spread"):
        ml.gamma_mle([1.0, 1.0 + 2**-52])


def test_gamma_mle_stops_with_an_error_when_out_of_steps():
    with pytest.raises(RuntimeError, match="did not converge"):
        ml.gamma_mle([0.5, 1.0, 4.0], max_iter=1, tol=1e-300)


# --- large n ------------------------------------------------------------------------------


def test_ten_million_bernoulli_trials_do_not_underflow():
    n, k, p = 10**7, 3 * 10**6, 0.3
    x = np.zeros(n, dtype=np.int8)
    x[:k] = 1
    assert np.prod(np.where(x[:2000] == 1, p, 1 - p)) == 0.0  # the product already underflows
    want = k * math.log(p) + (n - k) * math.log1p(-p)
    assert_allclose(ml.bernoulli_loglik(x, p), want, rtol=1e-12)
    assert ml.bernoulli_mle(x) == 0.3


def test_a_million_gaussian_points_match_scipy_and_stay_finite():
    x = np.random.default_rng(0).normal(5.0, 2.0, size=10**6)
    got = ml.gaussian_loglik(x, 5.0, 2.0)
    assert_allclose(got, stats.norm.logpdf(x, 5.0, 2.0).sum(), rtol=1e-10)
    assert_allclose(ml.gaussian_mle(x), stats.norm.fit(x), rtol=1e-10)


def test_huge_counts_and_trials_use_log_gamma_without_overflow():
    # 10**7 trials: the binomial coefficient has ~2.6 million digits, its logarithm is fine
    k, n, p = 3 * 10**6, 10**7, 0.3
    got = ml.binomial_loglik([k], [n], p)
    assert_allclose(got, stats.binom.logpmf(k, n, p), rtol=1e-10)
    # Poisson at k = rate = 10**7 against Stirling: -log(2 pi k) / 2 - 1 / (12 k) + O(k^-3);
    # rtol 1e-8 is the documented cancellation in k log(rate) - log k! (~ k log k * 1e-16)
    k = 10**7
    stirling = -0.5 * math.log(2 * math.pi * k) - 1 / (12 * k)
    assert_allclose(ml.poisson_loglik([k], float(k)), stirling, rtol=1e-8)
    assert ml.bernoulli_fisher(0.5, n=10**12) == 4e12
