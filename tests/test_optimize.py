"""mlelib.optimize against closed forms and scipy.stats fits."""

import numpy as np
import pytest
from scipy import stats

from mlelib.minimize import minimize_nll
from mlelib.optimize import gradient_descent, newton_method
from mlelib.results import OptimizeResult

RNG = np.random.default_rng(20261122)
X = RNG.normal(1.5, 2.0, size=200)
COUNTS = RNG.poisson(3.2, size=150).astype(float)


def gauss_nll(t):
    return -stats.norm.logpdf(X, t[0], t[1]).sum()


def gauss_grad(t):
    mu, s = t
    r = X - mu
    return np.array([-r.sum() / s**2, len(X) / s - (r**2).sum() / s**3])


def gauss_hess(t):
    mu, s = t
    r = X - mu
    n = len(X)
    return np.array(
        [[n / s**2, 2 * r.sum() / s**3], [2 * r.sum() / s**3, -n / s**2 + 3 * (r**2).sum() / s**4]]
    )


def pois_nll(rate):
    return -stats.poisson.logpmf(COUNTS, rate).sum()


def pois_grad(rate):
    return len(COUNTS) - COUNTS.sum() / rate


def pois_hess(rate):
    return COUNTS.sum() / rate**2


def test_gradient_descent_matches_closed_form_path_on_a_quadratic():
    path = gradient_descent(lambda x: 2 * (x - 3.0), 0.0, lr=0.1, n_steps=30)
    t = np.arange(31)
    np.testing.assert_allclose(path, 3.0 - 3.0 * 0.8**t, rtol=1e-12)
    assert path.shape == (31,)


def test_gradient_descent_with_a_rate_of_zero_never_moves():
    # As notebook 02's hidden test expects of the students' gradient_descent.
    path = gradient_descent(lambda x: 2 * x - 1, np.array([1.0, -2.0]), lr=0.0, n_steps=4)
    assert path.tolist() == [[1.0, -2.0]] * 5


def test_gradient_descent_vector_shape_and_convergence():
    c = np.array([1.0, -2.0])
    path = gradient_descent(lambda x: x - c, np.zeros(2), lr=0.5, n_steps=60)
    assert path.shape == (61, 2)
    np.testing.assert_allclose(path[-1], c, atol=1e-12)


def test_gradient_descent_divergence_stops_with_finite_path_and_no_warning():
    path = gradient_descent(lambda x: 2 * x, 1.0, lr=1.5, n_steps=1000)  # |1 - 3| = 2 > 1
    assert len(path) < 1001
    assert np.all(np.isfinite(path))
    np.testing.assert_allclose(path[:5], (-2.0) ** np.arange(5))


def test_newton_poisson_rate_matches_closed_form():
    res = newton_method(pois_grad, pois_hess, 1.0, nll=pois_nll)
    assert isinstance(res, OptimizeResult) and res.converged
    assert res.params == pytest.approx(COUNTS.mean(), rel=1e-12)
    assert res.bse == pytest.approx(np.sqrt(COUNTS.mean() / len(COUNTS)), rel=1e-10)
    assert res.llf == pytest.approx(stats.poisson.logpmf(COUNTS, COUNTS.mean()).sum(), rel=1e-12)
    assert res.path[0] == 1.0 and len(res.path) == res.n_iter + 1


def test_newton_converges_quadratically():
    res = newton_method(pois_grad, pois_hess, 2.0)
    err = np.abs(res.path - COUNTS.mean())[:-1]
    err = err[err > 1e-13]
    ratios = err[1:] / err[:-1] ** 2
    assert np.all(ratios[-2:] < 10)  # e_{t+1} <= C e_t^2


def test_newton_singular_hessian_stops_unconverged():
    res = newton_method(lambda x: np.array([1.0, 1.0]), lambda x: np.zeros((2, 2)), [0.0, 0.0])
    assert not res.converged and "singular" in res.message


@pytest.mark.parametrize("method", ["bfgs", "newton", "gd"])
def test_minimize_nll_gaussian_matches_closed_form_and_scipy_fit(method):
    kwargs = {"grad": gauss_grad, "hess": gauss_hess} if method != "bfgs" else {}
    res = minimize_nll(
        gauss_nll, [0.0, 1.0], method=method, positive=[1], lr=0.002, max_iter=5000, **kwargs
    )
    loc, scale = stats.norm.fit(X)
    np.testing.assert_allclose(res.params, [X.mean(), X.std()], rtol=1e-6)
    np.testing.assert_allclose(res.params, [loc, scale], rtol=1e-6)
    n, s = len(X), X.std()
    np.testing.assert_allclose(res.bse, [s / np.sqrt(n), s / np.sqrt(2 * n)], rtol=1e-5)
    assert res.converged
    assert res.nll == pytest.approx(gauss_nll([X.mean(), X.std()]), rel=1e-10)
    assert res.llf == -res.nll
    assert res.path.shape[1] == 2 and np.all(res.path[:, 1] > 0)


def test_minimize_nll_scalar_poisson_on_log_scale():
    res = minimize_nll(pois_nll, 0.5, positive=[0])
    assert isinstance(res.params, float)
    assert res.params == pytest.approx(COUNTS.mean(), rel=1e-6)
    assert res.hessian == pytest.approx(len(COUNTS) / COUNTS.mean(), rel=1e-5)


def test_minimize_nll_uses_given_hessian_on_natural_scale():
    res = minimize_nll(pois_nll, 0.5, grad=pois_grad, hess=pois_hess, method="newton", positive=[0])
    assert res.hessian == pytest.approx(pois_hess(res.params), rel=1e-12)


def test_minimize_nll_gd_divergence_reported():
    res = minimize_nll(lambda x: x**2, 1.0, grad=lambda x: 2 * x, method="gd", lr=1.5)
    assert not res.converged and "diverged" in res.message
    assert np.isfinite(res.params) and res.n_iter < 1000


@pytest.mark.parametrize(
    ("call", "exc", "word"),
    [
        (lambda: gradient_descent(None, 0.0, 0.1, 3), TypeError, "grad"),
        (lambda: gradient_descent(lambda x: x, np.nan, 0.1, 3), ValueError, "x0"),
        (lambda: gradient_descent(lambda x: x, 0.0, -0.1, 3), ValueError, "lr"),
        (lambda: gradient_descent(lambda x: x, 0.0, 0.1, -1), ValueError, "n_steps"),
        (lambda: gradient_descent(lambda x: x, [], 0.1, 3), ValueError, "x0"),
        (lambda: newton_method(pois_grad, "h", 1.0), TypeError, "hess"),
        (lambda: newton_method(pois_grad, pois_hess, 1.0, tol=-1), ValueError, "tol"),
        (lambda: minimize_nll(pois_nll, 1.0, method="sgd"), ValueError, "method"),
        (lambda: minimize_nll(pois_nll, 1.0, positive=[3]), ValueError, "positive"),
        (lambda: minimize_nll(pois_nll, -1.0, positive=[0]), ValueError, "x0"),
        (lambda: minimize_nll(pois_nll, 1.0, method="newton"), ValueError, "hess"),
        (lambda: minimize_nll(pois_nll, [1.0, np.inf]), ValueError, "x0"),
    ],
)
def test_bad_input(call, exc, word):
    with pytest.raises(exc, match=word):
        call()
