"""mlelib.priors against scipy.stats densities and closed-form posteriors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from properties import budget
from scipy import stats

from mlelib.priors import (
    beta_bernoulli_map,
    beta_bernoulli_posterior,
    beta_log_prior,
    dirichlet_log_prior,
    gaussian_log_prior,
    laplace_log_prior,
)

RNG = np.random.default_rng(11)


@pytest.mark.parametrize(("a", "b"), [(2.0, 3.0), (0.5, 0.5), (1.0, 4.0), (7.5, 1.0)])
def test_beta_log_prior_matches_scipy(a, b):
    p = RNG.uniform(0.001, 0.999, 20)
    np.testing.assert_allclose(beta_log_prior(p, a, b), stats.beta.logpdf(p, a, b), rtol=1e-12)
    assert isinstance(beta_log_prior(0.3, a, b), float)


def test_beta_log_prior_at_the_boundary():
    assert beta_log_prior(0.0, 1.0, 3.0) == pytest.approx(np.log(3.0), rel=1e-14)
    assert beta_log_prior(1.0, 2.0, 1.0) == pytest.approx(np.log(2.0), rel=1e-14)
    assert beta_log_prior(0.0, 2.0, 2.0) == -np.inf
    assert beta_log_prior(0.0, 0.5, 0.5) == np.inf


def test_gaussian_and_laplace_log_priors_match_scipy():
    w = RNG.normal(0, 2, (3, 4))
    assert gaussian_log_prior(w, 1.7) == pytest.approx(stats.norm.logpdf(w, 0, 1.7).sum(), 1e-12)
    assert laplace_log_prior(w, 0.6) == pytest.approx(stats.laplace.logpdf(w, 0, 0.6).sum(), 1e-12)
    assert gaussian_log_prior(0.5, 2.0) == pytest.approx(stats.norm.logpdf(0.5, 0, 2.0), 1e-14)


def test_dirichlet_log_prior_matches_scipy():
    alpha = np.array([0.7, 2.0, 3.5, 1.0])
    p = RNG.dirichlet(alpha)
    p = p / p.sum()
    want = stats.dirichlet.logpdf(p, alpha)
    assert dirichlet_log_prior(p, alpha) == pytest.approx(want, rel=1e-12)
    # a zero probability with alpha_k = 1 is fine (0 * log 0 = 0); scipy refuses p_k = 0
    assert dirichlet_log_prior([0.0, 0.4, 0.6], [1.0, 2.0, 2.0]) == pytest.approx(
        np.log(stats.dirichlet.pdf([1e-300, 0.4, 0.6 - 1e-300], [1.0, 2.0, 2.0])), rel=1e-12
    )


@pytest.mark.parametrize(("a", "b"), [(2.0, 2.0), (0.5, 0.5), (1.0, 1.0), (3.0, 0.7)])
def test_beta_bernoulli_posterior_and_map(a, b):
    x = RNG.integers(0, 2, 30)
    k, n = x.sum(), x.size
    assert beta_bernoulli_posterior(x, a, b) == (a + k, b + n - k)
    A, B = a + k, b + n - k
    # the MAP maximises the posterior density: compare with a fine grid of scipy's beta.logpdf
    grid = np.linspace(1e-6, 1 - 1e-6, 200001)
    best = grid[np.argmax(stats.beta.logpdf(grid, A, B))]
    assert beta_bernoulli_map(x, a, b) == pytest.approx(best, abs=1e-5)


def test_beta_bernoulli_map_boundary_modes_are_exact():
    assert beta_bernoulli_map([1] * 10, 1.0, 1.0) == 1.0  # flat prior: MAP = MLE = 1
    assert beta_bernoulli_map([0] * 5, 0.5, 2.0) == 0.0  # A = 0.5 <= 1
    assert beta_bernoulli_map([1] * 5, 3.0, 0.3) == 1.0  # B = 0.3 <= 1
    assert beta_bernoulli_map([1] * 10, 2.0, 2.0) == pytest.approx(11 / 12, rel=1e-15)


@pytest.mark.parametrize(("a", "b"), [(3.0, 2.0), (1.5, 7.0), (1.0, 4.0), (0.5, 2.0), (6.0, 0.3)])
def test_no_flips_leave_the_prior_and_the_map_is_its_mode(a, b):
    # Notebook 06's test expects the prior's own mode for x = []; scipy's Beta density is the
    # oracle (its maximum on a fine grid, or the end where it rises without bound).
    assert beta_bernoulli_posterior([], a, b) == (a, b)
    grid = np.linspace(0.0, 1.0, 200001)
    with np.errstate(divide="ignore"):
        best = grid[np.argmax(stats.beta.logpdf(grid, a, b))]
    assert beta_bernoulli_map([], a, b) == pytest.approx(best, abs=1e-5)


@settings(max_examples=budget(30))
@given(st.floats(0.01, 0.99), st.floats(0.5, 20), st.floats(0.5, 20), st.integers(0, 2**32 - 1))
def test_property_map_tends_to_mle(p, a, b, seed):
    x = np.random.default_rng(seed).random(4000) < p
    gaps = [abs(beta_bernoulli_map(x[:n], a, b) - x[:n].mean()) for n in (40, 400, 4000)]
    # MAP - MLE = ((a - 1) - (a + b - 2) k/n) / (n + a + b - 2): it shrinks like 1/n
    for gap, n in zip(gaps, (40, 400, 4000), strict=True):
        assert gap <= (abs(a - 1) + abs(b - 1)) / (n + a + b - 2) + 1e-12
    assert gaps[2] <= 20 / 4000


@pytest.mark.parametrize(
    ("call", "exc", "word"),
    [
        (lambda: beta_log_prior(1.2, 1.0, 1.0), ValueError, "p"),
        (lambda: beta_log_prior(0.5, 0.0, 1.0), ValueError, "a"),
        (lambda: beta_log_prior(0.5, 1.0, [1.0, 2.0]), ValueError, "b"),
        (lambda: gaussian_log_prior([np.nan], 1.0), ValueError, "w"),
        (lambda: gaussian_log_prior([1.0], -1.0), ValueError, "scale"),
        (lambda: laplace_log_prior([1.0], 0.0), ValueError, "scale"),
        (lambda: laplace_log_prior("w", 1.0), TypeError, "w"),
        (lambda: dirichlet_log_prior([0.5, 0.6], [1.0, 1.0]), ValueError, "sum to 1"),
        (lambda: dirichlet_log_prior([0.5, 0.5], [1.0, 1.0, 1.0]), ValueError, "alpha"),
        (lambda: dirichlet_log_prior([0.5, 0.5], [1.0, -1.0]), ValueError, "alpha"),
        (lambda: dirichlet_log_prior([-0.5, 1.5], [1.0, 1.0]), ValueError, "p"),
        (lambda: beta_bernoulli_posterior([1, 2], 1.0, 1.0), ValueError, "x"),
        (lambda: beta_bernoulli_map([], 1.0, 1.0), ValueError, "no single mode"),
        (lambda: beta_bernoulli_map([], 0.5, 0.9), ValueError, "x is empty"),
        (lambda: beta_bernoulli_posterior([1, -1], 1.0, 1.0), ValueError, "x"),
        (lambda: beta_bernoulli_map([1, 0], 1.0, np.inf), ValueError, "b"),
        (lambda: beta_bernoulli_map([[1, 0]], 1.0, 1.0), ValueError, "x"),
    ],
)
def test_bad_input(call, exc, word):
    with pytest.raises(exc, match=word):
        call()
