"""Oracle table: every mlelib likelihood beside its scipy.stats twin.

Each family is checked on random inputs for
- logpdf/logpmf, loglik and nll against scipy.stats (to ~1e-10);
- the score against a high-accuracy finite difference of scipy's log-likelihood;
- the MLE against scipy's ``fit`` or a statsmodels GLM (closed forms ~1e-10, numerical ~1e-6);
- the Fisher information against its textbook closed form AND against the variance of
  the one-observation score, summed exactly over the support or integrated by quadrature
  under scipy's density.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from scipy import integrate, special, stats
from scipy.differentiate import derivative

import mlelib as ml

SEEDS = [0, 1, 2]


@dataclass(frozen=True)
class Family:
    name: str
    ours: str  # prefix of the six mlelib functions
    twin: Callable  # scipy log-density, (x, *params) -> array
    draw: Callable  # rng -> (x, params)
    score_index: tuple[int, ...]  # which params the score differentiates

    def fn(self, suffix: str) -> Callable:
        kind = "logpmf" if suffix == "logpdf" and self.discrete else suffix
        return getattr(ml, f"{self.ours}_{kind}")

    @property
    def discrete(self) -> bool:
        return self.ours in ("bernoulli", "binomial", "categorical", "poisson")


def _bernoulli(rng):
    p = rng.uniform(0.05, 0.95)
    return rng.binomial(1, p, size=rng.integers(5, 200)), (p,)


def _binomial(rng):
    m = rng.integers(5, 100)
    n, p = rng.integers(1, 60, size=m), rng.uniform(0.05, 0.95)
    return rng.binomial(n, p), (n, p)


def _categorical(rng):
    p = rng.dirichlet(np.ones(rng.integers(2, 7)))
    return rng.choice(p.size, size=rng.integers(5, 200), p=p), (p,)


def _poisson(rng):
    rate = rng.uniform(0.2, 30)
    return rng.poisson(rate, size=rng.integers(5, 200)), (rate,)


def _gaussian(rng):
    loc, scale = rng.normal(0, 10), rng.uniform(0.1, 5)
    return rng.normal(loc, scale, size=rng.integers(5, 200)), (loc, scale)


def _exponential(rng):
    rate = rng.uniform(0.1, 10)
    return rng.exponential(1 / rate, size=rng.integers(5, 200)), (rate,)


def _laplace(rng):
    loc, scale = rng.normal(0, 10), rng.uniform(0.1, 5)
    return rng.laplace(loc, scale, size=rng.integers(5, 200)), (loc, scale)


def _gamma(rng):
    shape, scale = rng.uniform(0.3, 20), rng.uniform(0.1, 5)
    return rng.gamma(shape, scale, size=rng.integers(5, 200)), (shape, scale)


def _categorical_twin(x, p):
    return stats.multinomial.logpmf(np.eye(len(p))[x], 1, p)


FAMILIES = [
    Family("bernoulli", "bernoulli", stats.bernoulli.logpmf, _bernoulli, (0,)),
    Family("binomial", "binomial", stats.binom.logpmf, _binomial, (1,)),
    Family("categorical", "categorical", _categorical_twin, _categorical, ()),
    Family("poisson", "poisson", stats.poisson.logpmf, _poisson, (0,)),
    Family("gaussian", "gaussian", stats.norm.logpdf, _gaussian, (0, 1)),
    Family(
        "exponential",
        "exponential",
        lambda x, r: stats.expon.logpdf(x, scale=1 / r),
        _exponential,
        (0,),
    ),  # fmt: skip
    Family("laplace", "laplace", stats.laplace.logpdf, _laplace, (0, 1)),
    Family("gamma", "gamma", lambda x, a, s: stats.gamma.logpdf(x, a, scale=s), _gamma, (0, 1)),
]
IDS = [f.name for f in FAMILIES]


def _fd(f: Callable[[float], float], t0: float, step: float | None = None) -> float:
    """Richardson-extrapolated central difference (scipy.differentiate), ~1e-10 accurate."""
    step = 1e-2 * max(abs(t0), 1e-3) if step is None else step
    res = derivative(np.vectorize(f), t0, initial_step=step)
    assert res.success
    return float(res.df)


# --- densities and totals -----------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("fam", FAMILIES, ids=IDS)
def test_logpdf_loglik_nll_match_scipy(fam, seed):
    x, params = fam.draw(np.random.default_rng(seed))
    want = fam.twin(x, *params)
    assert_allclose(fam.fn("logpdf")(x, *params), want, rtol=1e-10, atol=1e-12)
    assert_allclose(fam.fn("loglik")(x, *params), want.sum(), rtol=1e-10)
    assert_allclose(fam.fn("nll")(x, *params), -want.sum(), rtol=1e-10)
    assert isinstance(fam.fn("loglik")(x, *params), float)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("fam", [f for f in FAMILIES if f.score_index], ids=lambda f: f.name)
def test_score_matches_finite_difference_of_scipy_loglik(fam, seed):
    x, params = fam.draw(np.random.default_rng(seed))
    score = np.atleast_1d(fam.fn("score")(x, *params))
    assert score.shape == (len(fam.score_index),)
    for j, i in enumerate(fam.score_index):

        def loglik(t, i=i):
            return fam.twin(x, *params[:i], t, *params[i + 1 :]).sum()

        assert_allclose(score[j], _fd(loglik, params[i]), rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("seed", SEEDS)
def test_categorical_score_in_free_probabilities(seed):
    x, (p,) = _categorical(np.random.default_rng(seed))
    score = ml.categorical_score(x, p)
    assert score.shape == (p.size - 1,)
    for j in range(p.size - 1):

        def loglik(t, j=j):
            q = p.copy()
            q[j], q[-1] = t, p[-1] - (t - p[j])  # move p_j, the last one absorbs it
            return _categorical_twin(x, q).sum()

        assert_allclose(score[j], _fd(loglik, p[j]), rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("seed", SEEDS)
def test_censored_exponential_matches_scipy_logpdf_and_logsf(seed):
    rng = np.random.default_rng(seed)
    rate, n = rng.uniform(0.1, 10), 100
    x = rng.exponential(1 / rate, size=n)
    observed = rng.random(n) < 0.6
    want = np.where(
        observed, stats.expon.logpdf(x, scale=1 / rate), stats.expon.logsf(x, scale=1 / rate)
    )
    assert_allclose(ml.exponential_logpdf(x, rate, observed=observed), want, rtol=1e-10)
    assert_allclose(ml.exponential_loglik(x, rate, observed), want.sum(), rtol=1e-10)
    assert_allclose(ml.exponential_nll(x, rate, observed), -want.sum(), rtol=1e-10)

    def loglik(t):
        s = 1 / t
        return np.where(observed, stats.expon.logpdf(x, scale=s), stats.expon.logsf(x, scale=s))

    got = ml.exponential_score(x, rate, observed)
    assert_allclose(got, _fd(lambda t: loglik(t).sum(), rate), rtol=1e-7)


# --- MLEs ---------------------------------------------------------------------------------


def _glm_intercept(endog, family):
    res = sm.GLM(endog, np.ones((len(endog), 1)), family=family).fit(tol=1e-13)
    return res.fittedvalues[0], res.llf


@pytest.mark.parametrize("seed", SEEDS)
def test_closed_form_mles_match_scipy_fit(seed):
    rng = np.random.default_rng(seed)
    x, _ = _gaussian(rng)
    assert_allclose(ml.gaussian_mle(x), stats.norm.fit(x), rtol=1e-10)
    x, _ = _laplace(rng)
    assert_allclose(ml.laplace_mle(x), stats.laplace.fit(x), rtol=1e-10)
    x, _ = _exponential(rng)
    _, scale = stats.expon.fit(x, floc=0)
    assert_allclose(ml.exponential_mle(x), 1 / scale, rtol=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
def test_discrete_mles_match_statsmodels_glm(seed):
    rng = np.random.default_rng(seed)
    x, _ = _bernoulli(rng)
    p, llf = _glm_intercept(x, sm.families.Binomial())
    assert_allclose(ml.bernoulli_mle(x), p, rtol=1e-6)
    assert_allclose(ml.bernoulli_loglik(x, ml.bernoulli_mle(x)), llf, rtol=1e-9)
    k, (n, _) = _binomial(rng)
    p, llf = _glm_intercept(np.column_stack([k, n - k]), sm.families.Binomial())
    assert_allclose(ml.binomial_mle(k, n), p, rtol=1e-6)
    assert_allclose(ml.binomial_loglik(k, n, ml.binomial_mle(k, n)), llf, rtol=1e-9)
    k, _ = _poisson(rng)
    rate, llf = _glm_intercept(k, sm.families.Poisson())
    assert_allclose(ml.poisson_mle(k), rate, rtol=1e-6)
    assert_allclose(ml.poisson_loglik(k, ml.poisson_mle(k)), llf, rtol=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_categorical_mle_matches_statsmodels_mnlogit(seed):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(4) * 5)
    x = rng.choice(4, size=300, p=p)
    res = sm.MNLogit(x, np.ones((x.size, 1))).fit(method="newton", disp=0, tol=1e-12)
    assert_allclose(ml.categorical_mle(x, n_classes=4), res.predict()[0], rtol=1e-6)
    assert_allclose(ml.categorical_loglik(x, ml.categorical_mle(x)), res.llf, rtol=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_gamma_mle_matches_scipy_fit_with_floc_0(seed):
    x, _ = _gamma(np.random.default_rng(seed))
    a, _, scale = stats.gamma.fit(x, floc=0)
    assert_allclose(ml.gamma_mle(x), (a, scale), rtol=1e-6)
    assert_allclose(ml.gamma_score(x, *ml.gamma_mle(x)), 0, atol=1e-8 * x.size)


@pytest.mark.parametrize("seed", SEEDS)
def test_censored_exponential_mle_matches_scipy_censored_fit(seed):
    rng = np.random.default_rng(seed)
    x = rng.exponential(2.0, size=80)
    observed = rng.random(80) < 0.5
    data = stats.CensoredData(uncensored=x[observed], right=x[~observed])
    _, scale = stats.expon.fit(data, floc=0)
    assert_allclose(ml.exponential_mle(x, observed), 1 / scale, rtol=1e-6)


# --- Fisher information -------------------------------------------------------------------


def _score_moments(score, points, weights):
    """E[s] and E[s s^T] of the one-observation score over a weighted support."""
    s = np.array([np.atleast_1d(score(t)) for t in points])
    return weights @ s, (s * weights[:, None]).T @ s


def _check_fisher(fisher, score, points, weights, closed_form, rtol=1e-9):
    assert_allclose(fisher, closed_form, rtol=1e-12)
    mean, second = _score_moments(score, points, weights)
    assert_allclose(mean, 0, atol=1e-8 * np.abs(second).max() ** 0.5)
    assert_allclose(second, np.atleast_2d(fisher), rtol=rtol, atol=1e-10)


@pytest.mark.parametrize("p", [0.03, 0.5, 0.81])
def test_bernoulli_and_binomial_fisher(p):
    _check_fisher(
        ml.bernoulli_fisher(p), lambda t: ml.bernoulli_score([t], p),
        [0, 1], np.array([1 - p, p]), 1 / (p * (1 - p)),
    )  # fmt: skip
    assert_allclose(ml.bernoulli_fisher(p, n=7), 7 / (p * (1 - p)), rtol=1e-12)
    k = np.arange(13)
    _check_fisher(
        ml.binomial_fisher(12, p), lambda t: ml.binomial_score([t], 12, p),
        k, stats.binom.pmf(k, 12, p), 12 / (p * (1 - p)),
    )  # fmt: skip
    assert_allclose(ml.binomial_fisher([12, 3], p), 15 / (p * (1 - p)), rtol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_categorical_fisher_is_score_variance_and_inverts_to_multinomial_cov(seed):
    p = np.random.default_rng(seed).dirichlet(np.ones(5))
    fisher = ml.categorical_fisher(p)
    closed = np.diag(1 / p[:-1]) + 1 / p[-1]
    _check_fisher(fisher, lambda t: ml.categorical_score([t], p), range(5), p, closed)
    q = p[:-1]
    multinomial_cov = (np.diag(q) - np.outer(q, q)) / 10
    assert_allclose(np.linalg.inv(ml.categorical_fisher(p, n=10)), multinomial_cov, atol=1e-14)


@pytest.mark.parametrize("rate", [0.05, 1.0, 37.5])
def test_poisson_fisher(rate):
    k = np.arange(int(rate + 20 * np.sqrt(rate) + 40))  # the pmf beyond is below 1e-20
    _check_fisher(
        ml.poisson_fisher(rate), lambda t: ml.poisson_score([t], rate),
        k, stats.poisson.pmf(k, rate), 1 / rate,
    )  # fmt: skip


@pytest.mark.parametrize(("loc", "scale"), [(0.0, 1.0), (-3.0, 0.2), (12.0, 7.0)])
def test_gaussian_fisher_by_gauss_hermite(loc, scale):
    z, w = np.polynomial.hermite_e.hermegauss(20)  # exact for the polynomial score moments
    _check_fisher(
        ml.gaussian_fisher(loc, scale), lambda t: ml.gaussian_score([t], loc, scale),
        loc + scale * z, w / w.sum(), np.diag([1 / scale**2, 2 / scale**2]),
    )  # fmt: skip
    assert_allclose(ml.gaussian_fisher(loc, scale, n=5), 5 * ml.gaussian_fisher(loc, scale))


def _quad_moments(score, pdf, lo, hi, k, breakpoint=None):
    def entry(i, j):
        def f(t):
            s = score(t)
            return pdf(t) * s[i] * s[j]

        pieces = [(lo, hi)] if breakpoint is None else [(lo, breakpoint), (breakpoint, hi)]
        return sum(
            integrate.quad(f, a, b, epsabs=1e-13, epsrel=1e-10, limit=200)[0] for a, b in pieces
        )

    return np.array([[entry(i, j) for j in range(k)] for i in range(k)])


@pytest.mark.parametrize("rate", [0.3, 4.0])
def test_exponential_fisher_by_quadrature(rate):
    got = _quad_moments(
        lambda t: [ml.exponential_score([t], rate)],
        lambda t: rate * np.exp(-rate * t),
        0,
        np.inf,
        1,
    )
    assert_allclose(ml.exponential_fisher(rate), 1 / rate**2, rtol=1e-12)
    assert_allclose(got[0, 0], ml.exponential_fisher(rate), rtol=1e-8)


@pytest.mark.parametrize(("loc", "scale"), [(0.0, 1.0), (5.0, 0.3)])
def test_laplace_fisher_by_quadrature(loc, scale):
    def score(t):
        return ml.laplace_score([t], loc, scale)

    got = _quad_moments(score, stats.laplace(loc, scale).pdf, -np.inf, np.inf, 2, breakpoint=loc)
    assert_allclose(ml.laplace_fisher(loc, scale), np.eye(2) / scale**2, rtol=1e-12)
    assert_allclose(got, ml.laplace_fisher(loc, scale), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize(("shape", "scale"), [(0.7, 2.0), (3.5, 0.4)])
def test_gamma_fisher_by_quadrature(shape, scale):
    def score(t):
        return ml.gamma_score([t], shape, scale)

    pdf = stats.gamma(shape, scale=scale).pdf
    got = _quad_moments(score, pdf, 0, np.inf, 2, breakpoint=shape * scale)
    closed = [[special.polygamma(1, shape), 1 / scale], [1 / scale, shape / scale**2]]
    assert_allclose(ml.gamma_fisher(shape, scale), closed, rtol=1e-12)
    assert_allclose(got, ml.gamma_fisher(shape, scale), rtol=1e-7)


# --- multivariate normal ------------------------------------------------------------------


def _spd(rng, d):
    A = rng.normal(size=(d, d))
    return A @ A.T + d * np.eye(d)


@pytest.mark.parametrize("seed", SEEDS)
def test_mvn_logpdf_loglik_nll_and_mle_match_scipy(seed):
    rng = np.random.default_rng(seed)
    d = int(rng.integers(1, 5))
    mean, cov = rng.normal(size=d), _spd(rng, d)
    X = rng.multivariate_normal(mean, cov, size=50)
    want = stats.multivariate_normal.logpdf(X, mean, cov)
    assert_allclose(ml.mvn_logpdf(X, mean, cov), want, rtol=1e-10)
    assert_allclose(ml.mvn_loglik(X, mean, cov), want.sum(), rtol=1e-10)
    assert_allclose(ml.mvn_nll(X, mean, cov), -want.sum(), rtol=1e-10)
    mean_hat, cov_hat = ml.mvn_mle(X)
    fit_mean, fit_cov = stats.multivariate_normal.fit(X)
    assert_allclose(mean_hat, fit_mean, rtol=1e-10)
    assert_allclose(cov_hat, fit_cov, rtol=1e-10)
    assert_allclose(cov_hat, np.cov(X.T, bias=True).reshape(d, d), rtol=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
def test_mvn_score_matches_finite_difference_in_mean_and_vech(seed):
    rng = np.random.default_rng(seed)
    d = 3
    mean, cov = rng.normal(size=d), _spd(rng, d)
    X = rng.multivariate_normal(mean + 0.3, cov * 1.5, size=40)
    score = ml.mvn_score(X, mean, cov)
    rows, cols = np.tril_indices(d)
    assert score.shape == (d + rows.size,)
    for i in range(d):
        e = np.eye(d)[i]
        fd = _fd(
            lambda t, e=e: stats.multivariate_normal.logpdf(X, mean + t * e, cov).sum(), 0, 0.05
        )
        assert_allclose(score[i], fd, rtol=1e-7)
    for m, (r, c) in enumerate(zip(rows, cols, strict=True)):
        E = np.zeros((d, d))
        E[r, c] = E[c, r] = 1.0  # vech moves both symmetric entries

        def loglik(t, E=E):
            return stats.multivariate_normal.logpdf(X, mean, cov + t * E).sum()

        assert_allclose(score[d + m], _fd(loglik, 0.0, 0.05), rtol=1e-7, atol=1e-9)


def _duplication(d):
    rows, cols = np.tril_indices(d)
    D = np.zeros((d * d, rows.size))
    for m, (r, c) in enumerate(zip(rows, cols, strict=True)):
        D[r * d + c, m] = D[c * d + r, m] = 1
    return D


@pytest.mark.parametrize("seed", SEEDS)
def test_mvn_fisher_blocks(seed):
    rng = np.random.default_rng(seed)
    d, n = 3, 60
    mean, cov = rng.normal(size=d), _spd(rng, d)
    info = ml.mvn_fisher(mean, cov, n=n)
    m = d * (d + 1) // 2
    assert info.shape == (d + m, d + m)
    assert_allclose(info[:d, :d], n * np.linalg.inv(cov), rtol=1e-10)
    assert_allclose(info[:d, d:], 0)
    # the inverse of the cov block is the asymptotic covariance of vech(cov_hat):
    # (2 / n) D+ (cov kron cov) D+^T (Magnus & Neudecker), derived independently.
    D = _duplication(d)
    Dp = np.linalg.pinv(D)
    assert_allclose(np.linalg.inv(info[d:, d:]), 2 / n * Dp @ np.kron(cov, cov) @ Dp.T, rtol=1e-9)
    # The Hessian of the log-likelihood is linear in the data's first two moments, so
    # its expectation is the Hessian on data whose moments are exactly (mean, cov).
    Z = rng.normal(size=(n, d))
    Z -= Z.mean(axis=0)
    L = np.linalg.cholesky(cov)
    W = np.linalg.cholesky(Z.T @ Z / n)
    X = mean + Z @ np.linalg.inv(W).T @ L.T
    assert_allclose(np.cov(X.T, bias=True), cov, rtol=1e-10)
    theta = np.concatenate([mean, cov[np.tril_indices(d)]])

    def score_at(vec):
        C = np.zeros((d, d))
        C[np.tril_indices(d)] = vec[d:]
        C = C + np.tril(C, -1).T
        return ml.mvn_score(X, vec[:d], C)

    h = 1e-5 * np.maximum(np.abs(theta), 1)
    steps = h[:, None] * np.eye(theta.size)
    jac = np.column_stack(
        [(score_at(theta + e) - score_at(theta - e)) / (2 * e.max()) for e in steps]
    )
    assert_allclose(-jac, info, rtol=1e-6, atol=1e-6 * np.abs(info).max())


def test_mvn_with_one_dimension_is_the_gaussian_in_variance():
    x = np.random.default_rng(3).normal(2.0, 1.5, size=30)
    assert_allclose(ml.mvn_loglik(x[:, None], [2.0], [[2.25]]), ml.gaussian_loglik(x, 2.0, 1.5))
    # I(sigma^2) = n / (2 sigma^4) for the variance parametrisation
    assert_allclose(ml.mvn_fisher([2.0], [[2.25]], n=30), np.diag([30 / 2.25, 15 / 2.25**2]))
