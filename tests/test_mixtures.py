"""mlelib.mixtures against scipy.stats densities, weighted numpy moments and scikit-learn."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from properties import budget
from scipy import stats
from scipy.special import logsumexp
from sklearn.mixture import GaussianMixture

from mlelib.mixtures import GMMResult, fit_gmm, gmm_e_step, gmm_log_likelihood, gmm_m_step

RNG = np.random.default_rng(99)
W = np.array([0.5, 0.3, 0.2])
MU = np.array([[0.0, 0.0], [4.0, 1.0], [-2.0, 5.0]])
COV = np.array([[[1.0, 0.3], [0.3, 1.0]], [[0.5, -0.2], [-0.2, 2.0]], [[2.0, 0.0], [0.0, 0.3]]])
X2 = np.vstack([RNG.multivariate_normal(m, c, 150) for m, c in zip(MU, COV, strict=True)])
X1 = np.concatenate([RNG.normal(-2, 0.7, 120), RNG.normal(3, 1.5, 80)])


def scipy_log_joint(X, w, mu, cov):
    if X.ndim == 1:
        return np.column_stack(
            [
                np.log(wk) + stats.norm.logpdf(X, m, np.sqrt(v))
                for wk, m, v in zip(w, mu, cov, strict=True)
            ]
        )
    return np.column_stack(
        [
            np.log(wk) + stats.multivariate_normal.logpdf(X, m, c)
            for wk, m, c in zip(w, mu, cov, strict=True)
        ]
    )


def test_log_likelihood_and_e_step_match_scipy_2d():
    lj = scipy_log_joint(X2, W, MU, COV)
    assert gmm_log_likelihood(X2, W, MU, COV) == pytest.approx(
        logsumexp(lj, axis=1).sum(), rel=1e-12
    )
    resp, llf = gmm_e_step(X2, W, MU, COV)
    np.testing.assert_allclose(resp, np.exp(lj - logsumexp(lj, axis=1, keepdims=True)), atol=1e-12)
    assert llf == pytest.approx(logsumexp(lj, axis=1).sum(), rel=1e-12)
    assert resp.shape == (len(X2), 3)


def test_log_likelihood_and_e_step_match_scipy_1d():
    w, mu, var = np.array([0.6, 0.4]), np.array([-2.0, 3.0]), np.array([0.5, 2.0])
    lj = scipy_log_joint(X1, w, mu, var)
    assert gmm_log_likelihood(X1, w, mu, var) == pytest.approx(logsumexp(lj, axis=1).sum(), 1e-12)
    resp, _ = gmm_e_step(X1, w, mu, var)
    np.testing.assert_allclose(resp, np.exp(lj - logsumexp(lj, axis=1, keepdims=True)), atol=1e-12)


def test_log_likelihood_many_dimensions_matches_scipy():
    d = 10  # above 8 dimensions the E-step takes its one-BLAS-product branch
    mu = RNG.normal(size=(2, d))
    a = RNG.normal(size=(2, d, d))
    cov = a @ a.transpose(0, 2, 1) + d * np.eye(d)
    X = RNG.normal(size=(40, d))
    lj = scipy_log_joint(X, [0.4, 0.6], mu, cov)
    want = logsumexp(lj, axis=1).sum()
    assert gmm_log_likelihood(X, [0.4, 0.6], mu, cov) == pytest.approx(want, rel=1e-12)


def test_e_step_far_points_do_not_underflow():
    resp, llf = gmm_e_step([1e3, -1e3], [0.5, 0.5], [0.0, 1.0], [1.0, 1.0])
    assert np.all(np.isfinite(resp)) and np.isfinite(llf)
    np.testing.assert_allclose(resp, [[0.0, 1.0], [1.0, 0.0]], atol=1e-300)


def test_m_step_matches_weighted_moments():
    resp = RNG.dirichlet(np.ones(3), size=len(X2))
    w, mu, cov = gmm_m_step(X2, resp)
    np.testing.assert_allclose(w, resp.mean(axis=0), rtol=1e-12)
    for k in range(3):
        np.testing.assert_allclose(mu[k], np.average(X2, axis=0, weights=resp[:, k]), rtol=1e-12)
        np.testing.assert_allclose(cov[k], np.cov(X2.T, aweights=resp[:, k], bias=True), rtol=1e-10)
    w1, mu1, var1 = gmm_m_step(X1, resp[: len(X1), :2] / resp[: len(X1), :2].sum(1, keepdims=True))
    assert mu1.shape == (2,) and var1.shape == (2,)


def sklearn_fit(X, w, mu, cov, tol):
    gm = GaussianMixture(
        len(w), covariance_type="full", weights_init=w, means_init=mu,
        precisions_init=np.linalg.inv(cov), reg_covar=0.0, tol=tol, max_iter=1000,
    )  # fmt: skip
    return gm.fit(X.reshape(len(X), -1))


def test_fit_gmm_matches_sklearn_with_the_same_start_2d():
    start = (np.full(3, 1 / 3), X2[[0, 200, 400]], np.repeat(np.eye(2)[None], 3, axis=0))
    res = fit_gmm(X2, 3, init=start, tol=1e-12, max_iter=1000)
    gm = sklearn_fit(X2, *start, tol=1e-12)
    assert isinstance(res, GMMResult) and res.converged
    assert res.llf == pytest.approx(gm.score(X2) * len(X2), rel=1e-9)
    np.testing.assert_allclose(res.weights, gm.weights_, atol=1e-6)
    np.testing.assert_allclose(res.means, gm.means_, atol=1e-5)
    np.testing.assert_allclose(res.covs, gm.covariances_, atol=1e-5)
    assert res.resp.shape == (len(X2), 3) and len(res.llf_trace) == res.n_iter + 1


def test_fit_gmm_matches_sklearn_1d_and_returns_1d_shapes():
    start = ([0.5, 0.5], [-1.0, 1.0], [1.0, 1.0])
    res = fit_gmm(X1, 2, init=start, tol=1e-12)
    gm = sklearn_fit(
        X1,
        np.array(start[0]),
        np.array(start[1])[:, None],
        np.array(start[2]).reshape(2, 1, 1),
        1e-12,
    )
    assert res.means.shape == (2,) and res.covs.shape == (2,)
    assert res.llf == pytest.approx(gm.score(X1[:, None]) * len(X1), rel=1e-9)
    np.testing.assert_allclose(res.means, gm.means_[:, 0], atol=1e-5)
    np.testing.assert_allclose(res.covs, gm.covariances_[:, 0, 0], atol=1e-5)


def test_collapsing_component_stays_finite_at_the_floor():
    x = np.concatenate([RNG.normal(0, 1, 50), [100.0]])
    res = fit_gmm(x, 2, init=([0.9, 0.1], [0.0, 100.0], [1.0, 1e-12]), var_floor=1e-6)
    assert res.covs[1] == pytest.approx(1e-6, rel=1e-12)  # without the floor: variance 0, llf inf
    assert res.means[1] == pytest.approx(100.0, rel=1e-12)
    assert np.isfinite(res.llf) and np.all(np.isfinite(res.resp))
    assert np.all(np.diff(res.llf_trace) >= -1e-9 * np.abs(res.llf_trace[1:]))


def test_restarts_keep_the_best_and_strategies_run():
    single = fit_gmm(X2, 3, rng=5)
    best = fit_gmm(X2, 3, n_restarts=4, rng=5)  # the first restart is the single run's start
    assert best.llf >= single.llf - 1e-9
    pp = fit_gmm(X2, 3, init="kmeans++", rng=1)
    assert pp.converged and np.isfinite(pp.llf)


@settings(max_examples=budget(25))
@given(st.integers(0, 2**32 - 1), st.integers(1, 4), st.sampled_from([1, 2, 3]))
def test_property_em_never_lowers_the_log_likelihood(seed, k, d):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(60, d)) * rng.uniform(0.1, 5, d) + rng.integers(-5, 5, (60, 1))
    res = fit_gmm(X if d > 1 else X[:, 0], k, rng=rng, max_iter=60, tol=0.0)
    steps = np.diff(res.llf_trace)
    assert np.all(steps >= -1e-10 * np.abs(res.llf_trace[1:]))


@pytest.mark.parametrize(
    ("call", "exc", "word"),
    [
        (lambda: gmm_log_likelihood(X2, [0.5, 0.6], MU[:2], COV[:2]), ValueError, "weights"),
        (lambda: gmm_log_likelihood(X2, W, MU[:2], COV), ValueError, "means"),
        (lambda: gmm_log_likelihood(X2, W, MU, COV[:2]), ValueError, "covs"),
        (lambda: gmm_log_likelihood(X2, W, MU, -COV), ValueError, "covs"),
        (lambda: gmm_log_likelihood(X1, [0.5, 0.5], [0.0, 1.0], [1.0, 0.0]), ValueError, "covs"),
        (lambda: gmm_e_step(np.full((3, 2), np.nan), W, MU, COV), ValueError, "X"),
        (lambda: gmm_e_step([], [1.0], [0.0], [1.0]), ValueError, "X"),
        (lambda: gmm_m_step(X2, np.ones((5, 2))), ValueError, "resp"),
        (lambda: gmm_m_step(X2, np.full((len(X2), 2), 1.5)), ValueError, "resp"),
        (
            lambda: gmm_m_step(X1, np.full((len(X1), 2), 0.5), var_floor=0.0),
            ValueError,
            "var_floor",
        ),
        (lambda: fit_gmm(X1, 0), ValueError, "k"),
        (lambda: fit_gmm(X1[:3], 4), ValueError, "k"),
        (lambda: fit_gmm(X1, 2, init="magic"), ValueError, "init"),
        (lambda: fit_gmm(X1, 2, init=([1.0], [0.0], [1.0])), ValueError, "init"),
        (
            lambda: fit_gmm(X1, 2, init=([0.5, 0.5], [0.0, 1.0], [1.0, 1.0]), n_restarts=3),
            ValueError,
            "n_restarts",
        ),
        (lambda: fit_gmm(X1, 2, tol=-1.0), ValueError, "tol"),
        (lambda: fit_gmm(X1, 2, max_iter=1.5), ValueError, "max_iter"),
    ],
)
def test_bad_input(call, exc, word):
    with pytest.raises(exc, match=word):
        call()
