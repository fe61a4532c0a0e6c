"""08_neural_losses: known wrong versions of each exercise."""

from __future__ import annotations

import numpy as np
from scipy.special import expit, factorial, gammaln, logsumexp, xlog1py, xlogy

from . import mistake

# --- binary_cross_entropy ----------------------------------------------------------------


def _yp(y, p):
    return np.asarray(y, dtype=float), np.asarray(p, dtype=float)


@mistake("binary_cross_entropy", "you summed over observations; BCE is the MEAN")
def bce_sum(y, p):
    y, p = _yp(y, p)
    return float(-np.sum(xlogy(y, p) + xlog1py(1 - y, -p)))


@mistake("binary_cross_entropy", "the sign is flipped: BCE is MINUS the mean log-likelihood")
def bce_sign(y, p):
    y, p = _yp(y, p)
    return float(np.mean(xlogy(y, p) + xlog1py(1 - y, -p)))


@mistake("binary_cross_entropy", "y * log(p) gives 0 * log(0) = nan: use xlogy and xlog1py")
def bce_naive_logs(y, p):
    y, p = _yp(y, p)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


@mistake(
    "binary_cross_entropy",
    "clipping p to [eps, 1 - eps] changes the answer (not 0 when certain and right, not inf)",
)
def bce_clipped(y, p):
    y, p = _yp(y, p)
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


@mistake(
    "binary_cross_entropy",
    "np.where computes log(0) in both branches and warns: use xlogy / xlog1py",
)
def bce_where(y, p):
    y, p = _yp(y, p)
    return float(-np.mean(np.where(y == 1, np.log(p), np.log(1 - p))))


# --- fit_logistic_regression -------------------------------------------------------------


def _irls(X, y, *, grad_over_n=False, sign=1.0, steps=100, link=expit, intercept=False):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    if intercept:
        X = np.column_stack([np.ones(len(y)), X])
    beta = np.zeros(X.shape[1])
    for _ in range(steps):
        p = link(X @ beta)
        score = X.T @ (y - p) / (len(y) if grad_over_n else 1.0)
        info = X.T @ (X * (expit(X @ beta) * (1 - expit(X @ beta)))[:, None])
        step = np.linalg.solve(info, score)
        beta = beta + sign * step
        if np.max(np.abs(step)) < 1e-10:
            break
    return beta


@mistake(
    "fit_logistic_regression",
    "you divided the gradient by n but not the Hessian: the step comes out n times too short",
)
def gradient_over_n(X, y):
    return _irls(X, y, grad_over_n=True)


@mistake(
    "fit_logistic_regression", "the step has the wrong sign: beta += solve(X^T W X, X^T (y - p))"
)
def wrong_step_sign(X, y):
    return _irls(X, y, sign=-1.0)


@mistake(
    "fit_logistic_regression",
    "three Newton steps are not enough: iterate until the largest step is below 1e-10",
)
def three_iterations(X, y):
    return _irls(X, y, steps=3)


@mistake(
    "fit_logistic_regression", "p is sigmoid(X @ beta); you used X @ beta itself as the probability"
)
def no_sigmoid(X, y):
    return _irls(X, y, link=lambda z: z)


@mistake(
    "fit_logistic_regression",
    "you added a column of ones; X already holds the intercept column",
)
def added_intercept(X, y):
    return _irls(X, y, intercept=True)


# --- log_softmax -------------------------------------------------------------------------


@mistake("log_softmax", "exp(1000) overflows: subtract each row's maximum before exponentiating")
def naive_log_softmax(logits):
    z = np.asarray(logits, dtype=float)
    return z - np.log(np.sum(np.exp(z), axis=-1, keepdims=True))


@mistake(
    "log_softmax",
    "you took the log of the probabilities: exp(-1000) underflows to 0 and log(0) = -inf;"
    " return shifted - log(sum(exp(shifted)))",
)
def log_of_probabilities(logits):
    z = np.asarray(logits, dtype=float)
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return np.log(e / np.sum(e, axis=-1, keepdims=True))


@mistake("log_softmax", "you returned probabilities (softmax); return their logs")
def softmax_not_log(logits):
    z = np.asarray(logits, dtype=float)
    return np.exp(z - logsumexp(z, axis=-1, keepdims=True))


@mistake(
    "log_softmax",
    "you normalised over the whole array; normalise each row (axis=-1, keepdims=True)",
)
def whole_array(logits):
    z = np.asarray(logits, dtype=float)
    return z - logsumexp(z)


@mistake(
    "log_softmax",
    "you subtracted the global maximum; subtract each ROW's maximum (axis=-1, keepdims=True)",
)
def global_max(logits):
    z = np.asarray(logits, dtype=float)
    shifted = z - np.max(z)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


@mistake(
    "log_softmax",
    "without keepdims=True the row sums broadcast along the wrong axis",
)
def no_keepdims(logits):
    z = np.asarray(logits, dtype=float)
    shifted = z - np.max(z, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1))


# --- cross_entropy -----------------------------------------------------------------------


def _zy(logits, y):
    return np.asarray(logits, dtype=float), np.asarray(y, dtype=int)


@mistake("cross_entropy", "exp(1000) overflows: use a stable log-sum-exp (your log_softmax)")
def naive_cross_entropy(logits, y):
    z, y = _zy(logits, y)
    return float(np.mean(np.log(np.sum(np.exp(z), axis=1)) - z[np.arange(len(y)), y]))


@mistake("cross_entropy", "you summed over rows; cross-entropy is the MEAN over examples")
def ce_sum(logits, y):
    z, y = _zy(logits, y)
    return float(np.sum(logsumexp(z, axis=1) - z[np.arange(len(y)), y]))


@mistake(
    "cross_entropy",
    "z[:, y] picks whole columns; pick one logit per row: z[np.arange(n), y]",
)
def column_indexing(logits, y):
    z, y = _zy(logits, y)
    return float(np.mean(logsumexp(z, axis=1) - z[:, y]))


@mistake("cross_entropy", "the sign is flipped: CE = -mean log_softmax[i, y_i] >= 0")
def ce_sign(logits, y):
    z, y = _zy(logits, y)
    return float(np.mean(z[np.arange(len(y)), y] - logsumexp(z, axis=1)))


@mistake(
    "cross_entropy",
    "you averaged over every class; only the observed class y_i of each row counts",
)
def every_class(logits, y):
    z, _ = _zy(logits, y)
    return float(-np.mean(z - logsumexp(z, axis=1, keepdims=True)))


# --- gaussian_nll ------------------------------------------------------------------------


def _ymv(y, mean, var):
    y = np.asarray(y, dtype=float)
    return (
        y,
        np.broadcast_to(np.asarray(mean, float), y.shape),
        np.broadcast_to(np.asarray(var, float), y.shape),
    )


@mistake("gaussian_nll", "var is the variance sigma^2, not sigma: do not square it again")
def var_as_std(y, mean, var):
    y, m, v = _ymv(y, mean, var)
    return float(np.mean(0.5 * np.log(2 * np.pi * v**2) + (y - m) ** 2 / (2 * v**2)))


@mistake("gaussian_nll", "the constant 1/2 log(2 pi) is missing: this exercise includes it")
def gnll_no_constant(y, mean, var):
    y, m, v = _ymv(y, mean, var)
    return float(np.mean(0.5 * np.log(v) + (y - m) ** 2 / (2 * v)))


@mistake("gaussian_nll", "you summed over observations; the loss is the MEAN")
def gnll_sum(y, mean, var):
    y, m, v = _ymv(y, mean, var)
    return float(np.sum(0.5 * np.log(2 * np.pi * v) + (y - m) ** 2 / (2 * v)))


@mistake("gaussian_nll", "the log term is 1/2 log(2 pi var): the factor 1/2 is missing")
def no_half_on_log(y, mean, var):
    y, m, v = _ymv(y, mean, var)
    return float(np.mean(np.log(2 * np.pi * v) + (y - m) ** 2 / (2 * v)))


@mistake("gaussian_nll", "the 1/2 log(var) term is missing: a larger variance must cost something")
def no_log_var(y, mean, var):
    y, m, v = _ymv(y, mean, var)
    return float(np.mean(0.5 * np.log(2 * np.pi) + (y - m) ** 2 / (2 * v)))


# --- poisson_nll -------------------------------------------------------------------------


def _yeta(y, log_rate):
    y = np.asarray(y, dtype=float)
    return y, np.broadcast_to(np.asarray(log_rate, float), y.shape)


@mistake(
    "poisson_nll",
    "you used log_rate as the rate; the rate is exp(log_rate): exp(eta) - y * eta + log(y!)",
)
def log_rate_as_rate(y, log_rate):
    y, eta = _yeta(y, log_rate)
    return float(np.mean(eta - y * np.log(eta) + gammaln(y + 1)))


@mistake("poisson_nll", "log(y!) is missing: add gammaln(y + 1)")
def no_log_factorial(y, log_rate):
    y, eta = _yeta(y, log_rate)
    return float(np.mean(np.exp(eta) - y * eta))


@mistake("poisson_nll", "you summed over observations; the loss is the MEAN")
def pnll_sum(y, log_rate):
    y, eta = _yeta(y, log_rate)
    return float(np.sum(np.exp(eta) - y * eta + gammaln(y + 1)))


@mistake("poisson_nll", "the y * eta term is subtracted: exp(eta) - y * eta + log(y!)")
def plus_y_eta(y, log_rate):
    y, eta = _yeta(y, log_rate)
    return float(np.mean(np.exp(eta) + y * eta + gammaln(y + 1)))


@mistake("poisson_nll", "y! overflows to inf for large counts: use gammaln(y + 1) for log(y!)")
def log_of_factorial(y, log_rate):
    y, eta = _yeta(y, log_rate)
    return float(np.mean(np.exp(eta) - y * eta + np.log(factorial(y))))


# --- mlp_gradients -----------------------------------------------------------------------


def _backprop(params, X, y, *, mean=True, tanh_prime=lambda h: 1 - h**2, sign=1.0,
              through_w2=True, b2_array=False, transpose_w1=False):  # fmt: skip
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    h = np.tanh(X @ params["W1"] + params["b1"])
    z = h @ params["w2"] + params["b2"]
    delta = sign * (expit(z) - y) / (len(y) if mean else 1)
    back = np.outer(delta, params["w2"]) if through_w2 else delta[:, None] * np.ones_like(h)
    Delta = back * tanh_prime(h)
    W1 = X.T @ Delta
    return {
        "W1": W1.T if transpose_w1 else W1,
        "b1": Delta.sum(axis=0),
        "w2": h.T @ delta,
        "b2": np.array([delta.sum()]) if b2_array else float(delta.sum()),
    }


@mistake("mlp_gradients", "the 1/n of the mean is missing: dL/dz = (sigmoid(z) - y) / n")
def no_mean(params, X, y):
    return _backprop(params, X, y, mean=False)


@mistake("mlp_gradients", "tanh'(a) = 1 - tanh(a)^2: the square is missing")
def tanh_prime_unsquared(params, X, y):
    return _backprop(params, X, y, tanh_prime=lambda h: 1 - h)


@mistake("mlp_gradients", "the sign is flipped: dL/dz = sigmoid(z) - y, not y - sigmoid(z)")
def mlp_sign(params, X, y):
    return _backprop(params, X, y, sign=-1.0)


@mistake("mlp_gradients", "w2 is missing on the way back: Delta = outer(delta, w2) * (1 - h**2)")
def not_through_w2(params, X, y):
    return _backprop(params, X, y, through_w2=False)


@mistake("mlp_gradients", "b2's gradient is a float (the sum of delta), not an array")
def b2_as_array(params, X, y):
    return _backprop(params, X, y, b2_array=True)


@mistake("mlp_gradients", "dL/dW1 is X.T @ Delta, shaped like W1 (d, H); yours is transposed")
def w1_transposed(params, X, y):
    return _backprop(params, X, y, transpose_w1=True)
