"""mlelib.linear and mlelib.logistic against statsmodels (OLS, Logit) and scikit-learn."""

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from properties import budget
from sklearn.linear_model import Lasso, LogisticRegression, Ridge

from mlelib.linear import lasso_map, linear_regression_mle, ridge_map
from mlelib.logistic import PerfectSeparationWarning, logistic_regression

RNG = np.random.default_rng(2026)
N, D = 200, 5
X = np.column_stack([np.ones(N), RNG.normal(size=(N, D - 1))])
BETA = np.array([0.5, 2.0, 0.0, -1.0, 0.0])
Y = X @ BETA + RNG.normal(0, 1.5, N)
YB = (RNG.random(N) < 1 / (1 + np.exp(-(X @ BETA)))).astype(float)


def test_linear_regression_matches_statsmodels_ols():
    beta, sigma2 = linear_regression_mle(X, Y)
    ols = sm.OLS(Y, X).fit()
    np.testing.assert_allclose(beta, ols.params, rtol=1e-10)
    assert sigma2 == pytest.approx(ols.ssr / N, rel=1e-10)  # the MLE divides by n, not n - p


@pytest.mark.parametrize(("sigma2", "tau2"), [(1.0, 1.0), (2.25, 0.1), (0.5, 100.0)])
def test_ridge_matches_sklearn(sigma2, tau2):
    want = Ridge(alpha=sigma2 / tau2, fit_intercept=False, solver="cholesky").fit(X, Y).coef_
    np.testing.assert_allclose(ridge_map(X, Y, sigma2, tau2), want, rtol=1e-10)


@settings(max_examples=budget(20))
@given(st.integers(0, 2**32 - 1), st.floats(0.01, 10.0))
def test_property_ridge_map_tends_to_mle(seed, tau2):
    rng = np.random.default_rng(seed)
    gaps = []
    for n in (20, 200, 2000):
        Xn = rng.normal(size=(n, 3))
        yn = Xn @ [1.0, -2.0, 0.5] + rng.normal(size=n)
        gaps.append(np.max(np.abs(ridge_map(Xn, yn, 1.0, tau2) - linear_regression_mle(Xn, yn)[0])))
    assert gaps[2] < gaps[0]
    assert gaps[2] < 5.0 / (tau2 * 2000)  # the shrinkage is O(alpha / n) with alpha = 1 / tau2


@pytest.mark.parametrize("lam", [0.0, 5.0, 40.0, 150.0])
@pytest.mark.parametrize("method", ["fista", "ista"])
def test_lasso_matches_sklearn(lam, method):
    sk = Lasso(alpha=lam / N, fit_intercept=False, tol=1e-14, max_iter=100_000)
    want = sk.fit(X, Y).coef_ if lam > 0 else np.linalg.lstsq(X, Y, rcond=None)[0]
    got = lasso_map(X, Y, lam, n_iter=100_000, tol=1e-13, method=method)
    np.testing.assert_allclose(got, want, atol=1e-6)
    assert np.array_equal(got == 0, np.abs(want) < 1e-12)  # exact zeros where sklearn has them


def test_lasso_huge_penalty_gives_all_exact_zeros():
    assert np.all(lasso_map(X, Y, 1e6) == 0.0)


def test_logistic_regression_matches_statsmodels_logit():
    res = logistic_regression(X, YB)
    sm_res = sm.Logit(YB, X).fit(disp=0, method="newton", tol=1e-12)
    assert res.converged
    np.testing.assert_allclose(res.params, sm_res.params, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(res.bse, sm_res.bse, rtol=1e-7)
    assert res.llf == pytest.approx(sm_res.llf, rel=1e-12)
    assert res.nll == pytest.approx(-sm_res.llf, rel=1e-12)


def test_logistic_regression_matches_sklearn_unpenalised_and_l2():
    # C = inf is scikit-learn's unpenalised fit (penalty=None is deprecated in 1.8)
    sk = LogisticRegression(C=np.inf, fit_intercept=False, tol=1e-12, max_iter=10_000)
    np.testing.assert_allclose(logistic_regression(X, YB).params, sk.fit(X, YB).coef_[0], atol=1e-6)
    l2 = 2.5
    sk = LogisticRegression(C=1 / l2, fit_intercept=False, tol=1e-12, max_iter=10_000)
    res = logistic_regression(X, YB, l2=l2)
    np.testing.assert_allclose(res.params, sk.fit(X, YB).coef_[0], atol=1e-6)
    assert res.nll > -res.llf  # the penalty is in nll, not in llf


def test_logistic_regression_perfect_separation_warns_and_stays_finite():
    x = np.array([-3.0, -2.0, -1.0, 1.0, 2.0, 3.0])
    Xs = np.column_stack([np.ones(6), x])
    with pytest.warns(PerfectSeparationWarning, match="separation"):
        res = logistic_regression(Xs, (x > 0).astype(float))
    assert not res.converged
    assert np.all(np.isfinite(res.params)) and np.isfinite(res.llf)
    # the L2 prior makes the MAP exist even for separated data
    res = logistic_regression(Xs, (x > 0).astype(float), l2=1.0)
    assert res.converged and np.all(np.isfinite(res.params))


def test_logistic_regression_extreme_logits_do_not_overflow():
    Xl = np.column_stack([np.ones(4), [-500.0, -400.0, 400.0, 500.0]])
    res = logistic_regression(Xl, [0, 1, 0, 1])
    assert np.isfinite(res.llf) and res.converged


# Columns in very different units: each fit must equal statsmodels' fit of the same data in
# units of size 1, its coefficients divided by the unit (the MLE does not depend on units).
UNITS = [(1e150, 1e-150), (1e100, 1.0), (1.0, 1e-200), (3e-170, 7e120)]


def _in_units(units):
    scale = np.array([1.0, *units, 1.0, 1.0])
    return X * scale, scale


@pytest.mark.parametrize("units", UNITS)
def test_linear_regression_in_any_units(units):
    Xu, scale = _in_units(units)
    beta, sigma2 = linear_regression_mle(Xu, Y)
    ols = sm.OLS(Y, X).fit()
    np.testing.assert_allclose(beta * scale, ols.params, rtol=1e-10, atol=1e-12)
    assert sigma2 == pytest.approx(ols.ssr / N, rel=1e-10)


@pytest.mark.parametrize("units", UNITS)
def test_logistic_regression_in_any_units(units):
    Xu, scale = _in_units(units)
    res = logistic_regression(Xu, YB)
    sm_res = sm.Logit(YB, X).fit(disp=0, method="newton", tol=1e-12)
    assert res.converged, res.message
    np.testing.assert_allclose(res.params * scale, sm_res.params, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(res.bse * scale, sm_res.bse, rtol=1e-7)
    assert res.llf == pytest.approx(sm_res.llf, rel=1e-12)
    with np.errstate(over="ignore"):  # an entry beyond the float range is inf
        want = -sm_res.model.hessian(sm_res.params) * scale[:, None] * scale[None, :]
    assert np.array_equal(np.isinf(res.hessian), np.isinf(want))
    finite = np.isfinite(want)
    np.testing.assert_allclose(res.hessian[finite], want[finite], rtol=1e-7)


def test_collinear_columns_in_different_units_are_still_not_identified():
    Xc = np.column_stack([X, X[:, 1] * 1e-300])
    with pytest.raises(ValueError, match="not identified"):
        linear_regression_mle(Xc, Y)
    res = logistic_regression(Xc, YB)
    assert not res.converged and "not positive definite" in res.message


@pytest.mark.parametrize(
    ("call", "exc", "word"),
    [
        (lambda: linear_regression_mle(X, Y[:-1]), ValueError, "same length"),
        (lambda: linear_regression_mle(np.zeros((0, 2)), []), ValueError, "X"),
        (lambda: linear_regression_mle(X, np.where(Y > 0, np.nan, Y)), ValueError, "y"),
        (lambda: ridge_map(X, Y, 0.0, 1.0), ValueError, "sigma2"),
        (lambda: ridge_map(X, Y, 1.0, -1.0), ValueError, "tau2"),
        (lambda: lasso_map(X, Y, -1.0), ValueError, "lam"),
        (lambda: lasso_map(X, Y, 1.0, n_iter=-5), ValueError, "n_iter"),
        (lambda: lasso_map(X, Y, 1.0, method="cd"), ValueError, "method"),
        (lambda: logistic_regression(X, Y), ValueError, "y"),
        (lambda: logistic_regression(X, YB, l2=-1.0), ValueError, "l2"),
        (lambda: logistic_regression(X, YB[:10]), ValueError, "same length"),
        (lambda: logistic_regression("X", YB), TypeError, "X"),
        (lambda: logistic_regression(X, YB, max_iter=2.5), ValueError, "max_iter"),
    ],
)
def test_bad_input(call, exc, word):
    with pytest.raises(exc, match=word):
        call()
