"""Property tests: random data whose columns (or parameters) are in units up to 2^±900 apart.

Each test computes an independent answer on data of size about 1 (numpy, scipy, statsmodels,
scikit-learn, or a closed form), then multiplies the data by powers of 2, which is exact,
and asks mlelib for the answer on the scaled data. The two must agree after the answer is
scaled back by the same powers. mlelib's units-free formulas (each column divided by its own
power of 2, see mlelib/_scaling.py) are what make this hold far outside the range where the
plain formulas overflow or lose precision; the examples are drawn by Hypothesis (``make
explore`` draws many more, see tests/properties.py).
"""

from __future__ import annotations

import warnings

import numpy as np
import statsmodels.api as sm
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from properties import budget
from scipy import linalg, optimize, stats
from scipy.special import expit
from sklearn.linear_model import Lasso

import mlelib as ml

seeds = st.integers(0, 2**32 - 1)


def exponents(d: int, limit: int):
    """``d`` powers of 2 between 2**-limit and 2**limit, one per column."""
    return st.lists(st.integers(-limit, limit), min_size=d, max_size=d).map(np.array)


def _both_sides(M: np.ndarray, e: np.ndarray) -> np.ndarray:
    """``D M D`` with ``D = diag(2**e)`` (exact): a covariance or information in new units."""
    return np.ldexp(np.ldexp(M, e[:, None]), e[None, :])


def _positive_definite(rng, d: int, ridge: float) -> np.ndarray:
    """``A A^T + ridge I`` for a standard-normal ``A``: well conditioned for a ridge near d."""
    a = rng.standard_normal((d, d))
    return a @ a.T + ridge * np.eye(d)


def _design(rng, n: int, d: int) -> np.ndarray:
    """An intercept and d - 1 standard-normal columns: well conditioned, size about 1."""
    return np.column_stack([np.ones(n), rng.standard_normal((n, d - 1))])


@settings(max_examples=budget(30))
@given(seeds, st.integers(1, 4), st.data())
def test_mvn_mle_in_columns_of_any_units_against_numpy(seed, d, data):
    e = data.draw(exponents(d, 500))  # a covariance entry is 2**(e_i + e_j): within range
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((max(d + 2, 12), d)) @ rng.standard_normal((d, d)) + rng.normal(size=d)
    assume(np.linalg.cond(np.cov(z.T, bias=True).reshape(d, d)) < 1e8)
    mean, cov = ml.mvn_mle(np.ldexp(z, e))
    assert_allclose(np.ldexp(mean, -e), z.mean(axis=0), rtol=1e-12, atol=1e-14)
    # Back in unit-size columns, entry (i, j) of the covariance, in units of the sds of i and j.
    unit = _both_sides(cov, -e)
    want = np.cov(z.T, bias=True).reshape(d, d)
    sd = np.sqrt(np.diag(want))
    assert_allclose(unit / np.outer(sd, sd), want / np.outer(sd, sd), rtol=1e-10, atol=1e-12)


@settings(max_examples=budget(30))
@given(seeds, st.integers(1, 4), st.integers(-400, 400), st.data())
def test_linear_regression_in_columns_of_any_units_against_statsmodels(seed, d, f, data):
    e = data.draw(exponents(d, 900).filter(lambda e: np.all(np.abs(f - e) <= 900)))
    rng = np.random.default_rng(seed)
    z = _design(rng, 30, d)
    y = z @ rng.normal(size=d) + rng.normal(size=30)
    ols = sm.OLS(y, z).fit()
    beta, sigma2 = ml.linear_regression_mle(np.ldexp(z, e), np.ldexp(y, f))
    assert_allclose(np.ldexp(beta, e - f), ols.params, rtol=1e-9, atol=1e-12)
    assert_allclose(np.ldexp(sigma2, -2 * f), ols.ssr / 30, rtol=1e-9)


@settings(max_examples=budget(20))
@given(seeds, st.integers(1, 3), st.data())
def test_logistic_regression_in_columns_of_any_units_against_statsmodels(seed, d, data):
    e = data.draw(exponents(d, 900))
    rng = np.random.default_rng(seed)
    z = _design(rng, 200, d)
    y = (rng.random(200) < 1 / (1 + np.exp(-z @ rng.normal(0, 0.5, size=d)))).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # statsmodels warns on (quasi-)separation: not this test
        try:
            fit = sm.Logit(y, z).fit(disp=0, method="newton", tol=1e-12, maxiter=100)
        except Exception:  # noqa: BLE001 - separated or singular data: draw again
            assume(False)
    assume(fit.mle_retvals["converged"])
    res = ml.logistic_regression(np.ldexp(z, e), y)
    assert res.converged
    assert_allclose(np.ldexp(res.params, e), fit.params, rtol=1e-8, atol=1e-10)
    assert_allclose(np.ldexp(res.bse, e), fit.bse, rtol=1e-7)
    assert_allclose(res.llf, fit.llf, rtol=1e-12)


@settings(max_examples=budget(30))
@given(seeds, st.integers(-900, 900), st.integers(1, 3).flatmap(lambda d: exponents(d, 900)))
@example(0, -664, np.array([0, -40]))  # l2 = 1e-200 beside a column of 1e-12
def test_penalised_logistic_regression_in_any_units_meets_its_first_order_condition(seed, k, e):
    # The MAP with prior precision l2 = 2**k solves X^T (y - p) = l2 beta (a strictly convex
    # objective: that condition is the whole answer). In units where column j has size 1 it
    # reads z_j^T (y - p) = (l2 / 4**e_j) (2**e_j beta_j), checked against the size of its terms.
    assume(np.all(np.abs(k - 2 * e) <= 1000))  # the prior neither infinite nor 0 in those units
    rng = np.random.default_rng(seed)
    z = _design(rng, 100, len(e))
    y = (rng.random(100) < 0.5).astype(float)  # independent of z: the classes never separate
    res = ml.logistic_regression(np.ldexp(z, e), y, l2=np.ldexp(1.0, k))
    assert res.converged, res.message
    gamma = np.ldexp(res.params, e)  # the coefficients of the unit-size columns
    residual = y - expit(z @ gamma)
    pull = np.ldexp(1.0, k - 2 * e) * gamma  # the prior's pull, in the same units
    size = np.abs(z).T @ np.abs(residual) + np.abs(pull)
    assert np.all(np.abs(z.T @ residual - pull) <= 1e-9 * size), (z.T @ residual - pull, size)


@settings(max_examples=budget(30))
@given(seeds, st.integers(1, 4), st.integers(-900, 900), st.integers(-500, 500))
@example(0, 2, 600, 300)  # columns whose squares pass the float range
@example(0, 3, -538, -38)  # columns whose squares fall below it (found by make explore)
def test_ridge_in_any_units_against_the_normal_equations(seed, d, e, f):
    # Every column times 2**e, y times 2**f: the same posterior has sigma2 times 4**f and
    # tau2 times 4**(f - e), and its coefficients are 2**(f - e) times the unit-size ones.
    assume(abs(f - e) <= 500)
    rng = np.random.default_rng(seed)
    z = _design(rng, 25, d)
    y = z @ rng.normal(size=d) + rng.normal(size=25)
    sigma2, tau2 = rng.uniform(0.1, 4.0, size=2)
    want = linalg.solve(z.T @ z + sigma2 / tau2 * np.eye(d), z.T @ y, assume_a="pos")
    got = ml.ridge_map(
        np.ldexp(z, e), np.ldexp(y, f), np.ldexp(sigma2, 2 * f), np.ldexp(tau2, 2 * (f - e))
    )
    assert_allclose(np.ldexp(got, e - f), want, rtol=1e-10, atol=1e-12)


@settings(max_examples=budget(20))
@given(seeds, st.integers(1, 4), st.integers(-900, 900), st.integers(-900, 900))
def test_lasso_in_any_units_against_scikit_learn(seed, d, e, f):
    # Columns times 2**e, y times 2**f: the penalty times 2**(e + f) keeps the same solution,
    # in coefficients 2**(f - e) times the unit-size ones.
    assume(abs(f - e) <= 900 and abs(f + e) <= 1000)
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((40, d))
    y = z @ rng.normal(size=d) + rng.normal(size=40)
    lam = rng.uniform(0.5, 20.0)
    sk = Lasso(alpha=lam / 40, fit_intercept=False, tol=1e-14, max_iter=100_000).fit(z, y)
    got = ml.lasso_map(np.ldexp(z, e), np.ldexp(y, f), np.ldexp(lam, e + f), tol=1e-13)
    assert_allclose(np.ldexp(got, e - f), sk.coef_, rtol=1e-6, atol=1e-7 * np.abs(sk.coef_).max())
    assert np.array_equal(got == 0, sk.coef_ == 0)


@settings(max_examples=budget(30))
@given(seeds, st.integers(1, 4), st.data())
def test_standard_errors_of_an_information_in_any_units_against_numpy(seed, d, data):
    e = data.draw(exponents(d, 500))
    rng = np.random.default_rng(seed)
    info = _positive_definite(rng, d, d)  # condition number below about 10**3
    se = ml.standard_errors(_both_sides(info, e))
    assert_allclose(np.ldexp(se, e), np.sqrt(np.diag(np.linalg.inv(info))), rtol=1e-12)


@settings(max_examples=budget(30))
@given(seeds, st.integers(1, 3), st.data())
def test_mvn_logpdf_in_any_units_against_scipy(seed, d, data):
    e = data.draw(exponents(d, 500))
    rng = np.random.default_rng(seed)
    cov = _positive_definite(rng, d, 0.5)
    mean, z = rng.normal(size=d), rng.normal(size=(5, d)) * 2
    want = stats.multivariate_normal(mean, cov).logpdf(z) - e.sum() * np.log(2.0)
    got = ml.mvn_logpdf(np.ldexp(z, e), np.ldexp(mean, e), _both_sides(cov, e))
    assert_allclose(got, np.atleast_1d(want), rtol=1e-12, atol=1e-9)


@settings(max_examples=budget(30))
@given(seeds, st.integers(2, 200), st.integers(-500, 500))
def test_observed_information_of_a_rate_of_any_size_against_the_closed_form(seed, n, e):
    # Exponential data at scale 2**e: at the MLE rate 1 / mean, the information is n mean**2.
    x = np.ldexp(np.random.default_rng(seed).exponential(size=n), e)
    rate = ml.exponential_mle(x)
    info = ml.observed_information(lambda r: ml.exponential_nll(x, r[0]), [rate])
    assert_allclose(np.ravel(info), [n * np.mean(x) ** 2], rtol=1e-5)


@settings(max_examples=budget(30))
@given(seeds, st.integers(1, 300), st.floats(0.5, 0.999), st.integers(-900, 900))
def test_profile_interval_of_a_rate_of_any_size_against_the_closed_form(seed, n, level, e):
    # The exponential rate's profile interval is rate_hat * t for the two roots t of
    # 2 n (t - 1 - log t) = chi2_1 quantile: solved here with scipy, free of units.
    x = np.ldexp(np.random.default_rng(seed).exponential(size=n), e)
    rate = ml.exponential_mle(x)
    cut = stats.chi2.ppf(level, 1) / (2 * n)

    def excess(t):
        return t - 1 - np.log(t) - cut

    lo = optimize.brentq(excess, 1e-300, 1.0, xtol=1e-300, rtol=1e-15)
    hi = optimize.brentq(excess, 1.0, 1e6, rtol=1e-15)
    got = ml.profile_likelihood_interval(
        lambda r: ml.exponential_nll(x, r[0]), [rate], level=level, bounds=(0.0, None)
    )
    assert_allclose(got, (lo * rate, hi * rate), rtol=1e-8)
