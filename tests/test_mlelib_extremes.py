"""mlelib at extreme scales (data and parameters near 1e-300 and 1e300) against exact oracles.

The oracles are exact rational arithmetic (``fractions.Fraction``) on the very floats
mlelib receives, rounded once to a float at the end, or ``decimal`` at 60 digits for a
square root or a logarithm, or scipy at unit scale where the answer is scale-free. mlelib's
rule (see ``mlelib/_scaling.py``): every answer is the exact value rounded to a float,
``inf`` beyond the float range and 0 below it, or a ``ValueError``; never NaN, a warning
(pytest turns warnings into errors here), ``OverflowError`` or ``ZeroDivisionError``.
"""

from __future__ import annotations

import decimal
import math
from fractions import Fraction as F

import numpy as np
import pytest
from scipy import special, stats
from scipy.optimize import brentq

import mlelib as ml

SCALES = [1e-300, 1e-200, 1e-160, 1e160, 1e200]
TINY = np.finfo(float).tiny
Z = np.random.default_rng(314).normal(size=40)  # unit-scale data
Z_POS = np.random.default_rng(315).gamma(2.5, 1.0, size=40)
CTX = decimal.Context(prec=60, Emax=10**6, Emin=-(10**6))


def to_float(q: F) -> float:
    """The exact value rounded once to a float, inf beyond the range (the oracle's rounding)."""
    try:
        return float(q)
    except OverflowError:
        return math.inf if q > 0 else -math.inf


def assert_rounded(got, want, rtol: float = 1e-13):
    """``got`` is ``want`` (a float from an exact value) up to ``rtol``; inf and 0 exactly."""
    got, want = np.atleast_1d(np.asarray(got, dtype=float)), np.atleast_1d(want)
    assert not np.isnan(got).any(), got
    for g, w in zip(got.ravel(), np.asarray(want, dtype=float).ravel(), strict=True):
        if math.isinf(w) or w == 0.0:
            assert g == w, (g, w)
        elif abs(w) < TINY:  # subnormal: the result can only be as exact as the format
            assert abs(g - w) <= 4 * 5e-324 + rtol * abs(w), (g, w)
        else:
            assert abs(g - w) <= rtol * abs(w), (g, w)


def exact_sum(values) -> F:
    return sum((F(float(v)) for v in values), F(0))


# --- Fisher information: closed forms in exact arithmetic ----------------------------------


@pytest.mark.parametrize("s", SCALES)
def test_gaussian_and_laplace_fisher(s):
    n = 7
    per_var = F(n) / F(s) ** 2
    got = ml.gaussian_fisher(0.5 * s, s, n=n)
    assert_rounded(np.diag(got), [to_float(per_var), to_float(2 * per_var)], rtol=1e-15)
    assert got[0, 1] == got[1, 0] == 0.0
    got = ml.laplace_fisher(-s, s, n=n)
    assert_rounded(np.diag(got), [to_float(per_var)] * 2, rtol=1e-15)
    assert got[0, 1] == got[1, 0] == 0.0


@pytest.mark.parametrize("s", SCALES)
def test_gamma_exponential_poisson_fisher(s):
    n, shape = 5, 2.5
    got = ml.gamma_fisher(shape, s, n=n)
    assert got[0, 0] == pytest.approx(n * special.polygamma(1, shape), rel=1e-13)
    assert_rounded([got[0, 1], got[1, 0]], [to_float(F(n) / F(s))] * 2, rtol=1e-15)
    assert_rounded(got[1, 1], to_float(n * F(shape) / F(s) ** 2), rtol=1e-15)
    assert_rounded(ml.exponential_fisher(s, n=n), to_float(F(n) / F(s) ** 2), rtol=1e-15)
    assert_rounded(ml.poisson_fisher(s, n=n), to_float(F(n) / F(s)), rtol=1e-15)


def _mvn_fisher_exact(C, c: F, n: int) -> list[list[F]]:
    """n diag(P, D^T (P kron P) D / 2) for cov = c C, with 2x2 P = C^-1 in exact fractions."""
    P = _inverse_2x2(C, (F(1), F(1)))
    return _mvn_fisher_of_precision([[v / c for v in row] for row in P], n)


def _inverse_2x2(C, scales) -> list[list[F]]:
    """The exact inverse of cov = diag(sqrt(scales)) C diag(sqrt(scales)), given
    scales = (s0, s1): cov[i][j] = C[i][j] * sqrt(s_i s_j), so P[i][j] = C^-1[i][j] / sqrt(..)."""
    (a, b), (_, d) = C
    det = a * d - b * b
    inv = [[d / det, -b / det], [-b / det, a / det]]
    root = [_exact_sqrt(v) for v in scales]
    return [[inv[i][j] / (root[i] * root[j]) for j in range(2)] for i in range(2)]


def _exact_sqrt(v: F) -> F:
    """The square root of an even power of two (or of 4 ** k times a square), exactly."""
    num, den = math.isqrt(v.numerator), math.isqrt(v.denominator)
    assert F(num, den) ** 2 == v, v
    return F(num, den)


def _mvn_fisher_of_precision(P, n: int) -> list[list[F]]:
    """n diag(P, D^T (P kron P) D / 2) for a 2x2 precision P, in exact fractions."""
    vech = [(0, 0), (1, 0), (1, 1)]  # np.tril_indices(2) order
    out = [[F(0)] * 5 for _ in range(5)]
    for i in range(2):
        for j in range(2):
            out[i][j] = n * P[i][j]
    for r, (i, j) in enumerate(vech):
        for q, (k, l_) in enumerate(vech):
            pairs_r = {(i, j), (j, i)}
            pairs_q = {(k, l_), (l_, k)}
            total = sum(P[u][w] * P[v][x] for (u, v) in pairs_r for (w, x) in pairs_q)
            out[2 + r][2 + q] = F(n, 2) * total
    return out


@pytest.mark.parametrize("s", SCALES)
def test_mvn_fisher_never_nan(s):
    C = [[F(2), F(1, 2)], [F(1, 2), F(1)]]
    c = F(2) ** round(math.log2(s))  # a power of two near s: cov = c C is then exact
    cov = np.array([[float(v * c) for v in row] for row in C])
    want = [[to_float(v) for v in row] for row in _mvn_fisher_exact(C, c, 3)]
    assert_rounded(ml.mvn_fisher([s, -s], cov, n=3), np.array(want), rtol=1e-13)


def _mvn_score_exact(X, mean, P) -> list[F]:
    """The 2-d mvn score (mean block, then vech of G) for precision P, in exact fractions."""
    R = [[F(float(v)) - F(float(m)) for v, m in zip(row, mean, strict=True)] for row in X]
    rsum = [sum(row[i] for row in R) for i in range(2)]
    S = [[sum(row[i] * row[j] for row in R) for j in range(2)] for i in range(2)]
    PSP = [[sum(P[i][a] * S[a][b] * P[b][j] for a in range(2) for b in range(2)) for j in range(2)]
           for i in range(2)]  # fmt: skip
    G = [[(PSP[i][j] - len(X) * P[i][j]) / 2 for j in range(2)] for i in range(2)]
    want = [sum(P[i][j] * rsum[j] for j in range(2)) for i in range(2)]
    return want + [G[0][0], 2 * G[1][0], G[1][1]]


# Variances 4**a and 4**b far apart (a correlated covariance, each coordinate at its own size):
# one power of two for the whole covariance pushed the smaller variance below the float range
# and called the covariance not positive definite.
APART = [(166, -166), (-250, 60), (300, -300), (-200, -240)]


def _apart_cov(a: int, b: int) -> tuple[list[list[F]], tuple[F, F], np.ndarray]:
    C = [[F(2), F(1, 2)], [F(1, 2), F(1)]]
    scales = (F(4) ** a, F(4) ** b)
    sd = [_exact_sqrt(v) for v in scales]
    cov = np.array([[float(C[i][j] * sd[i] * sd[j]) for j in range(2)] for i in range(2)])
    return C, scales, cov


@pytest.mark.parametrize(("a", "b"), APART)
def test_mvn_fisher_with_variances_far_apart(a, b):
    C, scales, cov = _apart_cov(a, b)
    want = _mvn_fisher_of_precision(_inverse_2x2(C, scales), 3)
    got = ml.mvn_fisher([1.0, -1.0], cov, n=3)
    assert_rounded(got, np.array([[to_float(v) for v in row] for row in want]), rtol=1e-13)


@pytest.mark.parametrize(("a", "b"), APART)
def test_mvn_score_with_variances_far_apart(a, b):
    C, scales, cov = _apart_cov(a, b)
    sd = np.array([float(_exact_sqrt(v)) for v in scales])
    X = np.column_stack([Z, 0.5 * Z + Z_POS]) * sd  # each column at its coordinate's size
    mean = X.mean(axis=0) + np.array([0.3, -0.2]) * sd
    want = _mvn_score_exact(X, mean, _inverse_2x2(C, scales))
    assert_rounded(ml.mvn_score(X, mean, cov), [to_float(w) for w in want], rtol=1e-10)
    assert np.isfinite(ml.mvn_logpdf(X, mean, cov)).all()


# --- scores: exact sums of the float data ---------------------------------------------------


@pytest.mark.parametrize("s", SCALES)
def test_gaussian_and_laplace_scores(s):
    x = Z * s
    loc, scale = float(np.mean(x)) + 0.5 * s, 0.7 * s
    r = [F(float(v)) - F(loc) for v in x]
    sig, n = F(scale), len(x)
    want = [sum(r) / sig**2, (sum(v * v for v in r) / sig**2 - n) / sig]
    assert_rounded(ml.gaussian_score(x, loc, scale), [to_float(w) for w in want], rtol=1e-12)
    signs = sum((v > 0) - (v < 0) for v in r)
    want = [F(signs) / sig, (sum(abs(v) for v in r) / sig - n) / sig]
    assert_rounded(ml.laplace_score(x, loc, scale), [to_float(w) for w in want], rtol=1e-12)


@pytest.mark.parametrize("s", SCALES)
def test_gamma_exponential_poisson_scores(s):
    x, shape, scale, n = Z_POS * s, 1.7, 1.9 * s, len(Z_POS)
    d_scale = (exact_sum(x) / F(scale) - n * F(shape)) / F(scale)
    logs = sum(CTX.ln(decimal.Decimal(float(v))) for v in x)
    d_shape = float(logs - n * CTX.ln(decimal.Decimal(scale))) - n * special.digamma(shape)
    got = ml.gamma_score(x, shape, scale)
    assert got[0] == pytest.approx(d_shape, rel=1e-12, abs=1e-9 * n)
    assert_rounded(got[1], to_float(d_scale), rtol=1e-12)
    rate = 0.6 / s
    assert_rounded(ml.exponential_score(x, rate), to_float(n / F(rate) - exact_sum(x)), 1e-12)
    k = np.arange(n) % 5
    want = to_float(F(int(k.sum())) / F(s) - n)
    assert_rounded(ml.poisson_score(k, s), want, rtol=1e-15)


@pytest.mark.parametrize("s", SCALES)
def test_mvn_score_never_nan(s):
    c = F(4) ** round(math.log2(s) / 2)  # variances near s, standard deviations sqrt(c)
    sd = math.sqrt(c)
    X = np.column_stack([Z, 0.5 * Z + Z_POS]) * sd
    mean = X.mean(axis=0) + [0.3 * sd, -0.2 * sd]
    cov = np.array([[2.0, 0.5], [0.5, 1.0]]) * float(c)
    det = F(2) * 1 - F(1, 4)
    P = [[F(1) / det / c, -F(1, 2) / det / c], [-F(1, 2) / det / c, F(2) / det / c]]
    want = _mvn_score_exact(X, mean, P)
    assert_rounded(ml.mvn_score(X, mean, cov), [to_float(w) for w in want], rtol=1e-10)


def test_scores_beyond_the_float_range_are_signed_inf():
    x = np.array([-1.0, 2.0, 4.0])  # sum(x - 0) = 5 > 0
    assert_rounded(ml.gaussian_score(x, 0.0, 1e-200), [math.inf, math.inf])
    assert_rounded(ml.laplace_score(x, 0.0, 1e-200), [to_float(F(1) / F(1e-200)), math.inf])
    assert_rounded(ml.gamma_score(x[1:], 2.0, 1e-200)[1], math.inf)
    assert_rounded(ml.exponential_score(x[1:], 1e-320), math.inf)
    # d / rate - sum(x) with both terms near the float range: exact, not inf - inf
    want = to_float(4 / F(1e-300) - 4 * F(1e307))
    assert_rounded(ml.exponential_score([1e307] * 4, 1e-300), want)
    assert ml.exponential_score([1e308] * 4, 1e-300) == -math.inf  # -4e308: beyond the range
    # Tiny data, huge scale: the data term underflows and the score is exactly -n / scale.
    assert_rounded(ml.gaussian_score(x * 1e-200, 0.0, 1e200)[1], to_float(-3 / F(1e200)))


# --- MLEs: exact where they are closed forms ------------------------------------------------


def _decimal_sd(x) -> float:
    xs = [decimal.Decimal(float(v)) for v in x]
    mean = CTX.divide(sum(xs, decimal.Decimal(0)), len(xs))
    var = CTX.divide(
        sum((CTX.multiply(v - mean, v - mean) for v in xs), decimal.Decimal(0)), len(xs)
    )
    return float(CTX.sqrt(var)), float(mean)


@pytest.mark.parametrize("s", SCALES + [1e-307, 1e300, 1e307])
def test_gaussian_mle_is_exact_at_any_scale(s):
    x = Z * s
    sd, mean = _decimal_sd(x)
    loc, scale = ml.gaussian_mle(x)
    assert scale == pytest.approx(sd, rel=1e-14, abs=0)  # was 0.0 at 1e-300, off by 1e-4 at 1e-160
    assert abs(loc - mean) <= 1e-14 * sd


def test_gaussian_mle_does_not_overflow_the_mean_or_squares():
    x = np.array([1.5e308, 1.7e308, 1.6e308, -1.0e308])
    sd, mean = _decimal_sd(x)
    loc, scale = ml.gaussian_mle(x)
    assert loc == pytest.approx(mean, rel=1e-14, abs=0)
    assert scale == pytest.approx(sd, rel=1e-14, abs=0)


def test_a_spread_below_the_float_range_is_refused_not_zero():
    for mle in (ml.gaussian_mle, ml.laplace_mle):
        with pytest.raises(ValueError, match=r"^x has a spread of about .* below the normal"):
            mle([0.0, 5e-324, 1e-323])


@pytest.mark.parametrize("s", SCALES + [1e307])
def test_laplace_and_exponential_mle_at_any_scale(s):
    x = Z * s
    loc, scale = ml.laplace_mle(x)
    med = np.sort(x)[len(x) // 2 - 1 : len(x) // 2 + 1]  # even n: the midpoint of the middle two
    want_loc = (F(float(med[0])) + F(float(med[1]))) / 2
    assert_rounded(loc, to_float(want_loc), rtol=1e-15)
    want_scale = sum(abs(F(float(v)) - F(loc)) for v in x) / len(x)
    assert_rounded(scale, to_float(want_scale), rtol=1e-13)
    t = np.abs(x)
    observed = np.arange(len(t)) % 3 > 0
    want = F(int(observed.sum())) / exact_sum(t)
    assert_rounded(ml.exponential_mle(t, observed), to_float(want), rtol=1e-13)


@pytest.mark.parametrize(
    "x",
    [
        [5e-324, 5e-324, 1.0],  # found by hypothesis: the median is the smallest subnormal
        [1e-300, 1e-300, 1e300],
        [1e-300, 2e-300, 3e300, -1e-290],  # even n: the midpoint of two tiny middle values
        [1e-300, 3e300, -3e300, 2e-300, 0.0],
        [-1e308, 1e308, 1.5e308, 1.7e308],  # the middle two sum past the float range
    ],
)
def test_laplace_median_beside_data_of_any_other_size(x):
    # A tiny median next to huge data is a value of x itself (or the midpoint of two), not
    # lost below the precision of the largest value.
    loc, scale = ml.laplace_mle(x)
    s = sorted(F(v) for v in x)
    n = len(s)
    want_loc = to_float((s[(n - 1) // 2] + s[n // 2]) / 2)
    assert loc == want_loc
    assert_rounded(scale, to_float(sum(abs(v - F(loc)) for v in s) / n), rtol=1e-13)


@pytest.mark.parametrize("scales", [(1e150, 1e-150), (1e-150, 1e150, 1.0), (1e100, 1e-100, 1e-150)])
def test_mvn_mle_with_columns_of_very_different_sizes(scales):
    # Each column has a representable variance; one power of two for the whole matrix pushed
    # the small column below the float range and called the covariance singular.
    d = len(scales)
    mix = np.array([[1.0, 0.3, 0.0], [0.0, 1.0, 0.5], [0.2, 0.0, 1.0]])[:d, :d]  # correlated
    X = np.random.default_rng(7).normal(size=(30, d)) @ mix * np.array(scales)
    mean, cov = ml.mvn_mle(X)
    rows = [[F(float(v)) for v in row] for row in X]
    n = len(rows)
    want_mean = [sum(r[j] for r in rows) / n for j in range(d)]
    for j in range(d):
        assert_rounded(mean[j], to_float(want_mean[j]), rtol=1e-13)
        for k in range(d):
            want = sum((r[j] - want_mean[j]) * (r[k] - want_mean[k]) for r in rows) / n
            assert_rounded(cov[j, k], to_float(want), rtol=1e-12)


@pytest.mark.parametrize("k", [-996, -664, -531, 531, 664, 1000])
def test_gamma_mle_is_scale_equivariant_against_scipy(k):
    # x * 2**k is exact, so scipy's unit-scale fit gives the exact oracle at any scale.
    shape, _, scale = stats.gamma.fit(Z_POS, floc=0, method="MLE")
    got_shape, got_scale = ml.gamma_mle(np.ldexp(Z_POS, k))
    assert got_shape == pytest.approx(shape, rel=1e-6)
    assert got_scale == pytest.approx(math.ldexp(scale, k), rel=1e-6, abs=0)


# --- observed information near a boundary ---------------------------------------------------


# 1e-4 from a boundary the NLL's higher derivatives are about 1e4 times its curvature; the
# steps stay a hundredth of the distance to it, so finite differences keep ~8 digits. Before,
# both calls raised.


def test_observed_information_stays_inside_when_the_nll_raises():
    x = np.array([1] * 9999 + [0])  # p_hat = 0.9999: the default pilot step reached p > 1
    got = ml.observed_information(lambda p: ml.bernoulli_nll(x, p), 0.9999)
    assert got == pytest.approx(1e4 / (0.9999 * 1e-4), rel=1e-7)  # n / (p (1 - p))
    got = ml.observed_information(lambda p: ml.bernoulli_nll(1 - x, p), 1e-4)
    assert got == pytest.approx(1e4 / (0.9999 * 1e-4), rel=1e-7)


def test_observed_information_shrinks_when_a_corner_leaves_the_simplex():
    labels = np.repeat([0, 1, 2], [4999, 5000, 1])
    p_hat = np.array([0.4999, 0.5])  # the last class has 1e-4: p0 + h, p1 + h leaves the simplex

    def nll(p):
        return ml.categorical_nll(labels, [p[0], p[1], 1.0 - p[0] - p[1]])

    n, p_last = len(labels), 1e-4
    want = n * (np.diag(1 / p_hat) + 1 / p_last)  # observed = expected at the categorical MLE
    np.testing.assert_allclose(ml.observed_information(nll, p_hat), want, rtol=1e-7)


@pytest.mark.parametrize("heads", [70, 98])
def test_minimize_nll_backs_off_where_the_nll_raises(heads):
    # BFGS's line search tried p > 1 and bernoulli_nll raised (it crashed even at p_hat = 0.7)
    x = np.array([1] * heads + [0] * (100 - heads))
    res = ml.minimize_nll(lambda p: ml.bernoulli_nll(x, p), 0.5)
    assert res.params == pytest.approx(heads / 100, abs=1e-7)  # the closed form k / n


def test_profile_interval_without_bounds_when_the_nll_raises_past_one():
    x = np.array([1] * 98 + [0] * 2)

    def loglik(p):  # the closed form, for the oracle
        return 98 * np.log(p) + 2 * np.log1p(-p)

    cut = stats.chi2.ppf(0.95, 1) / 2
    lo = brentq(lambda p: loglik(0.98) - loglik(p) - cut, 0.5, 0.98, xtol=1e-14)
    hi = brentq(lambda p: loglik(0.98) - loglik(p) - cut, 0.98, 1 - 1e-12, xtol=1e-14)
    got = ml.profile_likelihood_interval(lambda p: ml.bernoulli_nll(x, p), 0.98)
    np.testing.assert_allclose(got, (lo, hi), rtol=1e-10)


# --- models that are not identified, and start values that are not valid --------------------


def test_regressions_with_fewer_rows_than_columns_say_not_identified():
    X, y = np.random.default_rng(1).normal(size=(3, 5)), np.array([0.0, 1.0, 1.0])
    with pytest.raises(ValueError, match=r"^X has 3 rows and 5 columns: .* not identified"):
        ml.linear_regression_mle(X, y)
    with pytest.raises(ValueError, match=r"^X has 3 rows and 5 columns: .* not identified"):
        ml.logistic_regression(X, y)
    res = ml.logistic_regression(X, y, l2=1.0)  # a prior identifies it: the MAP exists
    assert res.converged and np.all(np.isfinite(res.params))


def test_linear_regression_with_collinear_columns_says_not_identified():
    t = np.arange(6.0)
    X = np.column_stack([np.ones(6), t, 2 * t + 1])
    with pytest.raises(ValueError, match=r"^X has rank 2 but 3 columns"):
        ml.linear_regression_mle(X, t**2)


def test_fit_gmm_refuses_a_start_covariance_that_is_not_positive_definite():
    X = np.random.default_rng(2).normal(size=(30, 2))
    bad = np.array([[[1.0, 2.0], [2.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]]])  # eigenvalues 3, -1
    start = ([0.5, 0.5], [[-1.0, 0.0], [1.0, 0.0]], bad)
    with pytest.raises(ValueError, match=r"^covs must be positive definite"):
        ml.gmm_log_likelihood(X, *start)
    with pytest.raises(ValueError, match=r"^covs must be positive definite"):
        ml.fit_gmm(X, 2, init=start)


# --- a sweep: every likelihood function at every scale, data and parameters mismatched too ---


def _calls(data_scale: float, param_scale: float):
    x, t, s = Z * data_scale, Z_POS * data_scale, param_scale
    X = np.column_stack([Z, Z_POS]) * data_scale
    cov = np.array([[2.0, 0.5], [0.5, 1.0]]) * s  # a variance of size s
    yield from [
        (ml.gaussian_logpdf, (x, 0.0, s)), (ml.gaussian_loglik, (x, 0.0, s)),
        (ml.gaussian_score, (x, 0.0, s)), (ml.gaussian_fisher, (0.0, s)),
        (ml.laplace_logpdf, (x, 0.0, s)), (ml.laplace_loglik, (x, 0.0, s)),
        (ml.laplace_score, (x, 0.0, s)), (ml.laplace_fisher, (0.0, s)),
        (ml.gamma_logpdf, (t, 2.0, s)), (ml.gamma_loglik, (t, 2.0, s)),
        (ml.gamma_score, (t, 2.0, s)), (ml.gamma_fisher, (2.0, s)),
        (ml.exponential_logpdf, (t, 1 / s)), (ml.exponential_loglik, (t, 1 / s)),
        (ml.exponential_score, (t, 1 / s)), (ml.exponential_fisher, (1 / s,)),
        (ml.poisson_loglik, (np.arange(5), s)), (ml.poisson_score, (np.arange(5), s)),
        (ml.mvn_logpdf, (X, [0.0, 0.0], cov)), (ml.mvn_score, (X, [0.0, 0.0], cov)),
        (ml.mvn_fisher, ([0.0, 0.0], cov)),
        (ml.gaussian_mle, (x,)), (ml.laplace_mle, (x,)), (ml.gamma_mle, (t,)),
        (ml.exponential_mle, (t,)), (ml.mvn_mle, (X,)),
    ]  # fmt: skip


@pytest.mark.parametrize("data_scale", [1.0] + SCALES)
@pytest.mark.parametrize("param_scale", [1.0] + SCALES)
def test_no_nan_no_warning_no_arithmetic_error(data_scale, param_scale):
    for fn, args in _calls(data_scale, param_scale):
        try:
            out = fn(*args)
        except ValueError:  # e.g. a 1 / s rate or an s**2 covariance outside the float range
            continue
        for part in out if isinstance(out, tuple) else (out,):
            assert not np.isnan(np.asarray(part, dtype=float)).any(), (fn.__name__, out)
        if fn.__name__.endswith("_mle"):  # a scale, rate or covariance MLE is never a silent 0
            scale = out[1] if isinstance(out, tuple) else out
            assert np.all(np.diag(np.atleast_2d(scale)) > 0), (fn.__name__, out)


# --- more of the same kind, found by sweeping the other public functions --------------------


@pytest.mark.parametrize("s", SCALES)
def test_priors_at_extreme_scales(s):
    log_s, log_2pi = math.log(s), math.log(2 * math.pi)
    # sum of N(0, s^2) log densities at w = (0, s): -(0 + 1) / 2 - 2 log s - log(2 pi)
    assert ml.gaussian_log_prior([0.0, s], s) == pytest.approx(
        -0.5 - 2 * log_s - log_2pi, rel=1e-14
    )
    assert ml.gaussian_log_prior([0.0], s) == pytest.approx(
        -log_s - log_2pi / 2, rel=1e-14
    )  # was NaN
    want = -1.0 - 2 * (math.log(2) + log_s)  # Laplace(0, s) at w = (0, s)
    assert ml.laplace_log_prior([0.0, s], s) == pytest.approx(want, rel=1e-14)


def test_scores_that_used_to_form_inf_minus_inf():
    # Two classes with p = 1e-320 and one count each: c_0 / p_0 - c_2 / p_2 is exactly 0, not
    # NaN; c_1 / p_1 - c_2 / p_2 = 0 - 1e320 is -inf.
    got = ml.categorical_score([0, 2], [1e-320, 1.0, 1e-320])
    np.testing.assert_array_equal(got, [0.0, -math.inf])
    p = 1 - 2.0**-50  # 1 - p is exact in fractions: the score is exact, not rounded twice
    want = to_float(3 / F(p) - 1 / (1 - F(p)))
    assert_rounded(ml.bernoulli_score([1, 1, 1, 0], p), want, rtol=1e-15)
    assert_rounded(ml.binomial_score([3], [4], p), want, rtol=1e-15)
    assert_rounded(ml.bernoulli_fisher(1e-320, n=3), math.inf)


@pytest.mark.parametrize("s", [1e-320, 1e-300, 1e300])
def test_standard_errors_of_an_information_near_the_float_range(s):
    info = np.array([[2.0, 0.5], [0.5, 1.0]]) * s
    det = decimal.Decimal(2.0 * 1.0 - 0.25)
    var = [CTX.divide(decimal.Decimal(1.0), det), CTX.divide(decimal.Decimal(2.0), det)]
    # the oracle for the scaled matrix: se_j = sqrt((info^-1)_jj) with info^-1 = C^-1 / s
    want = [float(CTX.sqrt(CTX.divide(v, decimal.Decimal(float(s))))) for v in var]
    rtol = 1e-5 if s < TINY else 1e-14  # a subnormal information has only a few digits
    np.testing.assert_allclose(ml.standard_errors(info), want, rtol=rtol)


@pytest.mark.parametrize(("a", "b"), [(1e300, 1e-300), (4e200, 1e-200), (1e-310, 1e10)])
def test_standard_errors_of_an_information_whose_diagonal_spans_the_float_range(a, b):
    # A parameter measured in tiny units beside one in huge units: one power of 2 for the
    # whole matrix pushed the smaller diagonal entry below the float range and called a
    # positive-definite information not positive definite.
    info = np.array([[a, 0.5], [0.5, b]]) if a * b > 1 else np.array([[a, 0.0], [0.0, b]])
    x = [[decimal.Decimal(float(v)) for v in row] for row in info]
    det = CTX.subtract(CTX.multiply(x[0][0], x[1][1]), CTX.multiply(x[0][1], x[1][0]))
    want = [float(CTX.sqrt(CTX.divide(x[1][1], det))), float(CTX.sqrt(CTX.divide(x[0][0], det)))]
    rtol = 1e-5 if min(a, b) < TINY else 1e-14  # a subnormal entry has only a few digits
    np.testing.assert_allclose(ml.standard_errors(info), want, rtol=rtol)


# Columns (and y) whose squares leave the float range: X^T X and X^T y were formed as they
# are, overflowed, and ridge raised scipy's "must not contain infs" while the lasso returned
# NaN. Oracles: the exact normal equations, and the lasso of orthogonal columns in closed form.
HUGE_DESIGNS = [(1e200, 1.0, 1.0), (1e300, 1e-100, 1.0), (1.0, 1.0, 1e300), (1e160, 1e160, 1e100)]


def _orthogonal_design(c0: float, c1: float, cy: float):
    X = np.array([[1.0, 1.0], [2.0, -1.0], [3.0, 1.0], [-1.0, 2.0]]) * [c0, c1]  # x0 . x1 = 0
    y = np.array([1.0, 2.0, 3.0, -0.5]) * cy
    return X, y, [[F(float(v)) for v in row] for row in X], [F(float(v)) for v in y]


def _ridge_exact(Xf, yf, alpha: F) -> list[float]:
    """The ridge coefficients of two columns from the normal equations, in exact fractions."""
    xtx = [[sum(r[i] * r[j] for r in Xf) + (alpha if i == j else 0) for j in range(2)]
           for i in range(2)]  # fmt: skip
    xty = [sum(r[i] * v for r, v in zip(Xf, yf, strict=True)) for i in range(2)]
    det = xtx[0][0] * xtx[1][1] - xtx[0][1] * xtx[1][0]
    want = [(xtx[1][1] * xty[0] - xtx[0][1] * xty[1]) / det,
            (xtx[0][0] * xty[1] - xtx[1][0] * xty[0]) / det]  # fmt: skip
    return [to_float(w) for w in want]


@pytest.mark.parametrize(("c0", "c1", "cy"), HUGE_DESIGNS)
def test_ridge_map_with_columns_past_the_float_range_squared(c0, c1, cy):
    X, y, Xf, yf = _orthogonal_design(c0, c1, cy)
    assert_rounded(ml.ridge_map(X, y, 2.0, 1.0), _ridge_exact(Xf, yf, F(2)), rtol=1e-12)


@pytest.mark.parametrize(
    ("sigma2", "tau2", "c"),
    [(1e200, 1e-200, 1e160), (1e300, 1e-10, 1e200), (1e-300, 1e300, 1.0), (1e-200, 1e200, 1e-50)],
)
def test_ridge_map_with_a_prior_ratio_outside_the_float_range(sigma2, tau2, c):
    # sigma2 / tau2 = 1e400 beside columns of 1e160 is a prior of moderate strength (1e80 in
    # the columns' units), and 1e-400 or 1e-600 is a negligible one: least squares, to the
    # last digit. Both were refused as "outside the float range".
    X, y, Xf, yf = _orthogonal_design(c, c, 1.0)
    want = _ridge_exact(Xf, yf, F(sigma2) / F(tau2))
    assert_rounded(ml.ridge_map(X, y, sigma2, tau2), want, rtol=1e-12)


def test_ridge_map_with_collinear_columns_and_a_vanishing_prior_says_so():
    X = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]])
    with pytest.raises(ValueError, match=r"^sigma2 / tau2 = .* too weak beside the collinear"):
        ml.ridge_map(X, [1.0, 2.0, 3.0], 1e-300, 1e300)


@pytest.mark.parametrize(("c0", "c1", "cy"), HUGE_DESIGNS)
def test_lasso_map_with_columns_past_the_float_range_squared(c0, c1, cy):
    X, y, Xf, yf = _orthogonal_design(c0, c1, cy)
    xy = [sum(r[j] * v for r, v in zip(Xf, yf, strict=True)) for j in range(2)]
    xx = [sum(r[j] * r[j] for r in Xf) for j in range(2)]
    lam = to_float(min(abs(v) for v in xy) / 2)  # shrinks both coefficients, zeroes neither
    # Orthogonal columns: each coefficient on its own, beta_j = soft(x_j . y, lam) / |x_j|^2.
    want = [(v - F(lam) if v > 0 else v + F(lam)) / w for v, w in zip(xy, xx, strict=True)]
    got = ml.lasso_map(X, y, lam, n_iter=100_000, tol=1e-15)
    assert_rounded(got, [to_float(w) for w in want], rtol=1e-9)


@pytest.mark.parametrize("s", [1.0, *SCALES, 1e300])
@pytest.mark.parametrize("bounds", [None, (0.0, math.inf)])
def test_profile_interval_of_a_rate_at_any_scale(s, bounds):
    # The exponential rate's interval is rate_hat * [u-, u+] with u - 1 - log u = q / (2n),
    # q the chi-square(1) 95% point: the same at every scale. A fixed xtol of 1e-12 returned
    # (rate_hat, rate_hat) for a rate near 1e-200.
    x = Z_POS * s
    rate, n = ml.exponential_mle(x), len(x)
    q = stats.chi2.ppf(0.95, 1)
    lo_u = brentq(lambda u: u - 1 - math.log(u) - q / (2 * n), 1e-3, 1.0, xtol=1e-15)
    hi_u = brentq(lambda u: u - 1 - math.log(u) - q / (2 * n), 1.0, 10.0, xtol=1e-15)
    got = ml.profile_likelihood_interval(lambda r: ml.exponential_nll(x, r), rate, bounds=bounds)
    np.testing.assert_allclose(got, [rate * lo_u, rate * hi_u], rtol=1e-9)


@pytest.mark.parametrize("s", [1.0, 1e20, *SCALES, 1e300])
def test_observed_information_of_a_parameter_of_any_size(s):
    # Closed forms: n / rate^2 for the exponential rate; n / sigma^2 and 2 n / sigma^2 for
    # the Gaussian (loc, scale), whose scale, like the rate, has its boundary 0 within a
    # distance of its own size. A step floored at 1e-16 never fitted inside a rate of 1e-20.
    x = Z_POS * s
    rate, n = ml.exponential_mle(x), len(x)
    want = to_float(n / F(rate) ** 2)
    got = ml.observed_information(lambda r: ml.exponential_nll(x, r), rate)
    assert got == want if want in (0.0, math.inf) else got == pytest.approx(want, rel=1e-6)
    y = Z * s
    loc, scale = ml.gaussian_mle(y)
    info = ml.observed_information(lambda p: ml.gaussian_nll(y, p[0], p[1]), [loc, scale])
    want = [to_float(n / F(scale) ** 2), to_float(2 * n / F(scale) ** 2)]
    for got_ii, want_ii in zip(np.diag(info), want, strict=True):
        if want_ii in (0.0, math.inf):
            assert got_ii == want_ii
        else:
            assert got_ii == pytest.approx(want_ii, rel=1e-6)
    assert abs(info[0, 1]) <= 1e-6 * math.sqrt(np.diag(info).prod()) or math.isinf(want[0])


def test_ridge_map_with_a_prior_ratio_past_the_float_range_is_the_exact_tiny_map():
    # sigma2 / tau2 = 1e320 beside x = (1, 2): beta = 5 / (5 + 1e320), a subnormal number,
    # rounded as the format allows (it was refused as "outside the float range").
    want = to_float(F(5) / (F(5) + F(1) / F(1e-320)))
    assert_rounded(ml.ridge_map([[1.0], [2.0]], [1.0, 2.0], 1.0, 1e-320), [want])


def test_models_whose_numbers_leave_the_float_range_say_so():
    with pytest.raises(ValueError, match=r"^X spreads up to .* beyond 1e150"):
        ml.fit_gmm(X_GMM_BIG, 2, rng=0)
    res = ml.logistic_regression(
        np.column_stack([np.ones(4), np.arange(4.0)]) * 1e-160, [0, 1, 0, 1]
    )
    assert np.all(np.isfinite(res.params))  # the MLE is 1e160 times larger, and finite


X_GMM_BIG = np.array([-2.1, -1.9, -2.0, 3.9, 4.1, 4.0]) * 1e160


@pytest.mark.parametrize(("data_scale", "var"), [(1e200, 1.0), (1e150, 1e-200), (1e300, 1e200)])
def test_mixture_points_beyond_the_float_range_from_every_component(data_scale, var):
    # Mahalanobis distances beyond 1e308: the log-likelihood is -inf (was NaN), and the
    # responsibilities cannot be told apart, so the E-step refuses (it returned NaN).
    X = np.array([-2.1, -1.9, 3.9, 4.1]) * data_scale
    args = ([0.5, 0.5], [0.0, 1.0], [var, var])
    assert ml.gmm_log_likelihood(X, *args) == -math.inf
    with pytest.raises(ValueError, match=r"^X\[0\] is so far from every component"):
        ml.gmm_e_step(X, *args)
