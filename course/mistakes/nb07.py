"""07_em: known wrong versions of each exercise."""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

from . import mistake


def _log_joint(X, weights, means, covs, *, weighted=True, det=True, dim=None):
    """a[i, j] = log weights[j] + log N(X[i]; means[j], covs[j]), with switches for mistakes."""
    X = np.asarray(X, dtype=float)
    means, covs = np.asarray(means, dtype=float), np.asarray(covs, dtype=float)
    n, d = X.shape
    a = np.empty((n, len(weights)))
    for j in range(len(weights)):
        L = np.linalg.cholesky(covs[j])
        z = np.linalg.solve(L, (X - means[j]).T)
        a[:, j] = (
            (np.log(weights[j]) if weighted else 0.0)
            - 0.5 * (d if dim is None else dim) * np.log(2 * np.pi)
            - (np.sum(np.log(np.diag(L))) if det else 0.0)
            - 0.5 * np.sum(z**2, axis=0)
        )
    return a


# --- gmm_log_likelihood ------------------------------------------------------------------


@mistake(
    "gmm_log_likelihood", "the mixing weights are missing: each term is weights[j] * N(x; ...)"
)
def no_weights(X, weights, means, covs):
    return float(np.sum(logsumexp(_log_joint(X, weights, means, covs, weighted=False), axis=1)))


@mistake(
    "gmm_log_likelihood",
    "log(sum(exp(a))) underflows to log(0) = -inf: combine the logs with scipy.special.logsumexp",
)
def naive_log_sum_exp(X, weights, means, covs):
    return float(np.sum(np.log(np.sum(np.exp(_log_joint(X, weights, means, covs)), axis=1))))


@mistake("gmm_log_likelihood", "the -1/2 log det(Sigma_j) term is missing")
def no_determinant(X, weights, means, covs):
    return float(np.sum(logsumexp(_log_joint(X, weights, means, covs, det=False), axis=1)))


@mistake(
    "gmm_log_likelihood",
    "you summed the logs over components; each point's term is the log of the SUM over components",
)
def sum_over_components(X, weights, means, covs):
    return float(np.sum(_log_joint(X, weights, means, covs)))


@mistake("gmm_log_likelihood", "you took the mean over points; the log-likelihood is their sum")
def mean_over_points(X, weights, means, covs):
    return float(np.mean(logsumexp(_log_joint(X, weights, means, covs), axis=1)))


@mistake("gmm_log_likelihood", "the constant is -(d/2) log(2 pi) with d the dimension, not 1/2")
def one_dimensional_constant(X, weights, means, covs):
    return float(np.sum(logsumexp(_log_joint(X, weights, means, covs, dim=1), axis=1)))


# --- e_step ------------------------------------------------------------------------------


def _normalise(a, axis=1):
    return np.exp(a - logsumexp(a, axis=axis, keepdims=True))


@mistake("e_step", "the weights pi_j are missing: r_ij is proportional to pi_j N(x_i; ...)")
def e_no_weights(X, weights, means, covs):
    return _normalise(_log_joint(X, weights, means, covs, weighted=False))


@mistake("e_step", "you normalised over the points (axis=0); each ROW must sum to 1 (axis=1)")
def normalised_over_points(X, weights, means, covs):
    return _normalise(_log_joint(X, weights, means, covs), axis=0)


@mistake(
    "e_step",
    "the densities underflow to 0 and 0/0 = nan: subtract the row's logsumexp, then exponentiate",
)
def naive_ratio(X, weights, means, covs):
    p = np.exp(_log_joint(X, weights, means, covs))
    return p / p.sum(axis=1, keepdims=True)


@mistake(
    "e_step",
    "you subtracted the largest value of the whole array; subtract each row's largest"
    " (or use logsumexp(a, axis=1, keepdims=True))",
)
def global_max_shift(X, weights, means, covs):
    a = _log_joint(X, weights, means, covs)
    r = np.exp(a - a.max())
    return r / r.sum(axis=1, keepdims=True)


@mistake("e_step", "you returned log-responsibilities; exponentiate them")
def log_responsibilities(X, weights, means, covs):
    a = _log_joint(X, weights, means, covs)
    return a - logsumexp(a, axis=1, keepdims=True)


@mistake("e_step", "you did not normalise: divide each row by its sum so that it sums to 1")
def unnormalised(X, weights, means, covs):
    return np.exp(_log_joint(X, weights, means, covs))


# --- m_step ------------------------------------------------------------------------------


def _m(
    X, resp, var_floor=0.0, *, weights_of=None, cov_den=None, diagonal=False, floor=True,
    floor_everywhere=False,
):  # fmt: skip
    X, resp = np.asarray(X, dtype=float), np.asarray(resp, dtype=float)
    n, d = X.shape
    Nk = resp.sum(axis=0)
    weights = Nk / n if weights_of is None else weights_of(Nk, n)
    means = (resp.T @ X) / Nk[:, None]
    covs = np.empty((resp.shape[1], d, d))
    for j in range(resp.shape[1]):
        D = X - means[j]
        c = (resp[:, j, None] * D).T @ D / (Nk[j] if cov_den is None else cov_den(Nk[j], n))
        c = np.diag(np.diag(c)) if diagonal else c
        if floor_everywhere:
            covs[j] = c + var_floor
        else:
            covs[j] = c + (var_floor * np.eye(d) if floor else 0)
    return weights, means, covs


@mistake("m_step", "the weights are N_j / n; you returned the counts N_j")
def weights_not_divided(X, resp, var_floor=0.0):
    return _m(X, resp, var_floor, weights_of=lambda Nk, n: Nk)


@mistake(
    "m_step", "you divided the covariance by n; divide component j's by N_j = resp[:, j].sum()"
)
def covariance_over_n(X, resp, var_floor=0.0):
    return _m(X, resp, var_floor, cov_den=lambda Nk, n: n)


@mistake("m_step", "you divided by N_j - 1; the MLE divides by N_j")
def covariance_over_nk_minus_1(X, resp, var_floor=0.0):
    return _m(X, resp, var_floor, cov_den=lambda Nk, n: Nk - 1)


@mistake(
    "m_step", "only the variances were computed: average the full outer products (x - mu)(x - mu)^T"
)
def diagonal_covariance(X, resp, var_floor=0.0):
    return _m(X, resp, var_floor, diagonal=True)


@mistake("m_step", "var_floor is ignored: add var_floor * I to every covariance")
def floor_ignored(X, resp, var_floor=0.0):
    return _m(X, resp, var_floor, floor=False)


@mistake("m_step", "var_floor goes on the diagonal only: add var_floor * np.eye(d)")
def floor_on_every_entry(X, resp, var_floor=0.0):
    return _m(X, resp, var_floor, floor_everywhere=True)


# --- fit_gmm_em --------------------------------------------------------------------------


def _em(X, k, init, max_iter=200, tol=1e-8, var_floor=0.0, *, lag=False, floor=True,
        fixed_weights=False, no_init=False, use_tol=True, cov_den=None):  # fmt: skip
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    weights, means, covs = (np.array(v, dtype=float) for v in init)
    a = _log_joint(X, weights, means, covs)
    trace = [float(np.sum(logsumexp(a, axis=1)))]
    previous = (weights, means, covs)
    for _ in range(max_iter):
        previous = (weights, means, covs)
        resp = np.exp(a - logsumexp(a, axis=1, keepdims=True))
        w_new, means, covs = _m(X, resp, var_floor if floor else 0.0, cov_den=cov_den)
        weights = weights if fixed_weights else w_new
        a = _log_joint(X, weights, means, covs)
        trace.append(float(np.sum(logsumexp(a, axis=1))))
        if use_tol and trace[-1] - trace[-2] < tol:
            break
    result = previous if lag else (weights, means, covs)
    return (*result, np.array(trace[1:] if no_init else trace))


@mistake(
    "fit_gmm_em",
    "you returned the parameters from BEFORE the last M-step; return the"
    " ones llf_trace[-1] belongs to",
)
def params_one_step_behind(X, k, init, max_iter=200, tol=1e-8, var_floor=0.0):
    return _em(X, k, init, max_iter, tol, var_floor, lag=True)


@mistake("fit_gmm_em", "var_floor is not passed on: every M-step adds var_floor * I")
def em_floor_ignored(X, k, init, max_iter=200, tol=1e-8, var_floor=0.0):
    return _em(X, k, init, max_iter, tol, var_floor, floor=False)


@mistake("fit_gmm_em", "the weights never change: the M-step updates them to N_j / n too")
def weights_never_updated(X, k, init, max_iter=200, tol=1e-8, var_floor=0.0):
    return _em(X, k, init, max_iter, tol, var_floor, fixed_weights=True)


@mistake("fit_gmm_em", "llf_trace must start with the log-likelihood at init, before any M-step")
def trace_without_init(X, k, init, max_iter=200, tol=1e-8, var_floor=0.0):
    return _em(X, k, init, max_iter, tol, var_floor, no_init=True)


@mistake("fit_gmm_em", "tol is ignored: stop at the first M-step that improves by less than tol")
def em_ignores_tol(X, k, init, max_iter=200, tol=1e-8, var_floor=0.0):
    return _em(X, k, init, max_iter, tol, var_floor, use_tol=False)


@mistake("fit_gmm_em", "the M-step divides the covariances by n; divide by N_j")
def em_covariance_over_n(X, k, init, max_iter=200, tol=1e-8, var_floor=0.0):
    return _em(X, k, init, max_iter, tol, var_floor, cov_den=lambda Nk, n: n)
