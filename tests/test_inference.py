"""mlelib's inference (information, intervals, comparison) against statsmodels and closed forms."""

import math

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import optimize, special, stats

from mlelib.comparison import LRTResult, aic, bic, likelihood_ratio_test
from mlelib.information import observed_information, standard_errors
from mlelib.intervals import profile_likelihood_interval, wald_interval

RNG = np.random.default_rng(7)
XL = sm.add_constant(RNG.normal(size=(300, 3)))
YL = (RNG.random(300) < 1 / (1 + np.exp(-XL @ [0.3, 1.0, -0.5, 0.0]))).astype(float)
FULL = sm.Logit(YL, XL).fit(disp=0, method="newton", tol=1e-12)
NULL = sm.Logit(YL, XL[:, :2]).fit(disp=0, method="newton", tol=1e-12)
CHI = stats.chi2.ppf(0.95, 1)


def logit_nll(b):
    eta = XL @ b
    return -(YL * eta - np.logaddexp(0, eta)).sum()


def bern_nll(k, n):
    return lambda p: -(special.xlogy(k, p) + special.xlog1py(n - k, -p))


def test_observed_information_matches_statsmodels_hessian():
    J = observed_information(logit_nll, FULL.params)
    np.testing.assert_allclose(J, -FULL.model.hessian(FULL.params), rtol=1e-6)


def test_observed_information_bernoulli_closed_form():
    k, n = 37, 120
    p = k / n
    assert observed_information(bern_nll(k, n), p) == pytest.approx(n / (p * (1 - p)), rel=1e-7)


def test_standard_errors_and_wald_match_statsmodels():
    info = -FULL.model.hessian(FULL.params)
    np.testing.assert_allclose(standard_errors(info), FULL.bse, rtol=1e-10)
    lo, hi = wald_interval(FULL.params, FULL.bse, level=0.9)
    np.testing.assert_allclose(np.column_stack([lo, hi]), FULL.conf_int(alpha=0.1), rtol=1e-12)
    assert standard_errors(25.0) == 0.2


def solve_bernoulli_lr_interval(k, n):
    """Closed-form LR interval for a binomial proportion by brentq in the test."""
    p_hat = k / n

    def ll(p):
        return stats.binom.logpmf(k, n, p)

    def g(p):
        return 2 * (ll(p_hat) - ll(p)) - CHI

    lo = 0.0 if k == 0 else optimize.brentq(g, 1e-15, p_hat, xtol=1e-14)
    hi = 1.0 if k == n else optimize.brentq(g, p_hat, 1 - 1e-15, xtol=1e-14)
    return lo, hi


@pytest.mark.parametrize(("k", "n"), [(7, 10), (73, 100), (1, 40), (10, 10), (0, 25)])
def test_profile_interval_bernoulli(k, n):
    lo, hi = profile_likelihood_interval(bern_nll(k, n), k / n, bounds=(0, 1))
    want = solve_bernoulli_lr_interval(k, n)
    assert (lo, hi) == pytest.approx(want, abs=1e-8)
    if k == n:
        assert hi == 1.0  # exact boundary
    if k == 0:
        assert lo == 0.0


def test_profile_interval_poisson_unbounded_search():
    k = RNG.poisson(4.0, size=30)
    s, n = k.sum(), len(k)
    nll = lambda r: -stats.poisson.logpmf(k, r).sum()  # noqa: E731
    lo, hi = profile_likelihood_interval(nll, k.mean(), bounds=(0, np.inf))
    g = lambda r: 2 * (s * np.log(k.mean() / r) - n * (k.mean() - r)) - CHI  # noqa: E731
    assert lo == pytest.approx(optimize.brentq(g, 1e-6, k.mean()), abs=1e-8)
    assert hi == pytest.approx(optimize.brentq(g, k.mean(), 100.0), abs=1e-8)


def test_profile_interval_gaussian_mean_profiles_out_sigma():
    x = RNG.normal(2.0, 3.0, size=25)
    n = len(x)

    def nll(t):  # (mu, log sigma)
        return -stats.norm.logpdf(x, t[0], np.exp(t[1])).sum()

    hat = [x.mean(), np.log(x.std())]
    lo, hi = profile_likelihood_interval(nll, hat, index=0)
    # profile NLL = n/2 log mean((x - mu)^2) + const, so the ends solve a closed form
    half = x.std() * np.sqrt(np.exp(CHI / n) - 1)
    assert (lo, hi) == pytest.approx((x.mean() - half, x.mean() + half), abs=1e-6)


def test_lrt_aic_bic_match_statsmodels():
    res = likelihood_ratio_test(NULL.llf, FULL.llf, df=2)
    stat = 2 * (FULL.llf - NULL.llf)  # statsmodels' own llf values and chi2 p-value
    p, df = stats.chi2.sf(stat, 2), FULL.df_model - NULL.df_model
    assert isinstance(res, LRTResult)
    assert res.statistic == pytest.approx(stat, rel=1e-12)
    assert res.pvalue == pytest.approx(p, rel=1e-10)
    assert res.df == df == 2
    assert aic(FULL.llf, 4) == pytest.approx(FULL.aic, rel=1e-14)
    assert bic(FULL.llf, 4, 300) == pytest.approx(FULL.bic, rel=1e-14)


def test_bic_of_a_sample_size_beyond_int64():
    # n = 10**300 is a Python int numpy cannot take the log of ("no callable log method").
    assert bic(-1.0, 3, 10**300) == pytest.approx(3 * 300 * math.log(10) + 2, rel=1e-15)


def test_lrt_rounding_negative_is_clipped_and_swapped_models_refused():
    res = likelihood_ratio_test(-100.0, -100.0 - 1e-12, 1)
    assert res.statistic == 0.0 and res.pvalue == 1.0
    with pytest.raises(ValueError, match="swapped"):
        likelihood_ratio_test(-90.0, -100.0, 1)


@pytest.mark.parametrize(
    ("call", "exc", "word"),
    [
        (lambda: observed_information("f", 1.0), TypeError, "nll"),
        (lambda: observed_information(lambda p: p, np.nan), ValueError, "params"),
        (lambda: observed_information(np.log, 1.0, step=0.0), ValueError, "step"),
        (lambda: observed_information(lambda p: -np.log(p), 0.0), ValueError, "not finite"),
        (lambda: standard_errors([[1.0, 2.0], [2.0, 1.0]]), ValueError, "information"),
        (lambda: standard_errors([[1.0, 0.0]]), ValueError, "information"),
        (lambda: standard_errors(-1.0), ValueError, "information"),
        (lambda: wald_interval(0.5, -0.1), ValueError, "se"),
        (lambda: wald_interval(0.5, 0.1, level=1.5), ValueError, "level"),
        (lambda: wald_interval([0.5, 0.2], [0.1, 0.1, 0.1]), ValueError, "shape"),
        (lambda: profile_likelihood_interval(np.square, [1.0], index=2), ValueError, "index"),
        (lambda: profile_likelihood_interval(np.square, 2.0, bounds=(0, 1)), ValueError, "bounds"),
        (lambda: profile_likelihood_interval(np.square, [[1.0, 2.0]]), ValueError, "params_hat"),
        (lambda: wald_interval(0.5, 0.1, level=[0.9, 0.95]), ValueError, "level"),
        (lambda: likelihood_ratio_test([-2.0, -3.0], -1.0, 1), ValueError, "llf_null"),
        (lambda: aic([-1.0, -2.0], 2), ValueError, "llf"),
        (lambda: likelihood_ratio_test(np.inf, 0.0, 1), ValueError, "llf_null"),
        (lambda: likelihood_ratio_test(-2.0, -1.0, 0), ValueError, "df"),
        (lambda: aic(-1.0, -2), ValueError, "k"),
        (lambda: bic(-1.0, 2, 0), ValueError, "n"),
        (lambda: bic(np.nan, 2, 10), ValueError, "llf"),
    ],
)
def test_bad_input(call, exc, word):
    with pytest.raises(exc, match=word):
        call()
