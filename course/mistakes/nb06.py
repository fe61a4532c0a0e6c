"""06_map_and_regularisation: known wrong versions of each exercise."""

from __future__ import annotations

import numpy as np

from . import mistake

# --- beta_bernoulli_map ------------------------------------------------------------------


def _kn(x):
    x = np.asarray(x)
    return float(np.sum(x)), x.size


@mistake(
    "beta_bernoulli_map", "the prior is missing: k / n is the MLE; the MAP adds a - 1 and b - 1"
)
def prior_ignored(x, a, b):
    k, n = _kn(x)
    return k / n


@mistake(
    "beta_bernoulli_map",
    "(k + a) / (n + a + b) is the posterior MEAN; the MAP is its mode"
    " (k + a - 1) / (n + a + b - 2)",
)
def posterior_mean(x, a, b):
    k, n = _kn(x)
    return (k + a) / (n + a + b)


@mistake(
    "beta_bernoulli_map",
    "a and b are swapped: a counts imaginary heads (with k), b imaginary tails",
)
def a_b_swapped(x, a, b):
    k, n = _kn(x)
    return (k + b - 1.0) / (n + a + b - 2.0)


@mistake(
    "beta_bernoulli_map",
    "you subtracted 1 only on top: the mode is (k + a - 1) / (n + a + b - 2)",
)
def minus_one_on_top_only(x, a, b):
    k, n = _kn(x)
    return (k + a - 1.0) / (n + a + b)


# --- gaussian_log_prior ------------------------------------------------------------------


@mistake("gaussian_log_prior", "tau is a standard deviation: square it (tau^2 is the variance)")
def tau_as_variance(w, tau):
    w = np.asarray(w, dtype=float)
    return float(-0.5 * w.size * np.log(2 * np.pi * tau) - np.sum(w**2) / (2 * tau))


@mistake("gaussian_log_prior", "the normalising constant -d/2 log(2 pi tau^2) is missing")
def no_constant(w, tau):
    w = np.asarray(w, dtype=float)
    return float(-np.sum(w**2) / (2 * tau**2))


@mistake(
    "gaussian_log_prior",
    "the constant -1/2 log(2 pi tau^2) comes once per coordinate; you added it once",
)
def constant_once(w, tau):
    w = np.asarray(w, dtype=float)
    return float(-0.5 * np.log(2 * np.pi * tau**2) - np.sum(w**2) / (2 * tau**2))


@mistake(
    "gaussian_log_prior", "w may be a Python list: convert it first with np.asarray(w, dtype=float)"
)
def list_not_converted(w, tau):
    return float(-0.5 * w.size * np.log(2 * np.pi * tau**2) - np.sum(w**2) / (2 * tau**2))


@mistake("gaussian_log_prior", "the sign is flipped: a log density has -||w||^2 / (2 tau^2)")
def gaussian_sign_flipped(w, tau):
    w = np.asarray(w, dtype=float)
    return float(0.5 * w.size * np.log(2 * np.pi * tau**2) + np.sum(w**2) / (2 * tau**2))


# --- laplace_log_prior -------------------------------------------------------------------


@mistake("laplace_log_prior", "you multiplied by b; b is a scale: divide, -sum(|w|) / b")
def times_b(w, b):
    w = np.asarray(w, dtype=float)
    return float(-w.size * np.log(2 * b) - np.sum(np.abs(w)) * b)


@mistake("laplace_log_prior", "the sign is flipped: the log-prior is -d log(2b) - sum(|w|) / b")
def laplace_sign_flipped(w, b):
    w = np.asarray(w, dtype=float)
    return float(w.size * np.log(2 * b) + np.sum(np.abs(w)) / b)


@mistake("laplace_log_prior", "you used w instead of |w|; the absolute value is what makes L1")
def no_abs(w, b):
    w = np.asarray(w, dtype=float)
    return float(-w.size * np.log(2 * b) - np.sum(w) / b)


@mistake("laplace_log_prior", "the constant -d log(2b) is missing")
def laplace_no_constant(w, b):
    return float(-np.sum(np.abs(np.asarray(w, dtype=float))) / b)


@mistake("laplace_log_prior", "the constant is -d log(2b), not -d log(b)")
def log_b_not_log_2b(w, b):
    w = np.asarray(w, dtype=float)
    return float(-w.size * np.log(b) - np.sum(np.abs(w)) / b)


@mistake("laplace_log_prior", "w^2 belongs to the Gaussian prior; the Laplace prior uses |w|")
def squared(w, b):
    w = np.asarray(w, dtype=float)
    return float(-w.size * np.log(2 * b) - np.sum(w**2) / b)


# --- ridge_map ---------------------------------------------------------------------------


def _ridge(X, y, penalty):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    return np.linalg.solve(X.T @ X + penalty(X.shape[1]), X.T @ y)


@mistake("ridge_map", "the prior term (sigma2 / tau2) I is missing: that is least squares")
def no_penalty(X, y, sigma2, tau2):
    return np.linalg.lstsq(np.asarray(X, float), np.asarray(y, float), rcond=None)[0]


@mistake("ridge_map", "lambda is sigma2 / tau2, not tau2 / sigma2")
def inverted_lambda(X, y, sigma2, tau2):
    return _ridge(X, y, lambda d: tau2 / sigma2 * np.eye(d))


@mistake(
    "ridge_map",
    "you left the first weight unpenalised; the prior is on every weight: + lambda * I",
)
def first_unpenalised(X, y, sigma2, tau2):
    def penalty(d):
        p = sigma2 / tau2 * np.eye(d)
        p[0, 0] = 0.0
        return p

    return _ridge(X, y, penalty)


@mistake(
    "ridge_map",
    "you added lambda to every entry of X^T X; add it to the diagonal only: + lambda * I",
)
def lambda_everywhere(X, y, sigma2, tau2):
    return _ridge(X, y, lambda d: np.full((d, d), sigma2 / tau2))


@mistake("ridge_map", "lambda = 1 / tau2 leaves out sigma2: lambda = sigma2 / tau2")
def no_sigma2(X, y, sigma2, tau2):
    return _ridge(X, y, lambda d: np.eye(d) / tau2)


# --- lasso_map ---------------------------------------------------------------------------


def _ista(X, y, lam, n_iter, *, shrink, threshold=lambda lam, L: lam / L, which=-1, extra=0):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    XtX, Xty = X.T @ X, X.T @ y
    L = np.linalg.eigvalsh(XtX)[which]
    w = np.zeros(X.shape[1])
    if L == 0.0:
        return w
    for _ in range(n_iter + extra):
        z = w + (Xty - XtX @ w) / L
        w = shrink(z, threshold(lam, L))
    return w


def _soft(z, t):
    return np.sign(z) * np.maximum(np.abs(z) - t, 0.0)


@mistake("lasso_map", "the penalty is missing: soft-threshold each step at lambda / L")
def no_threshold(X, y, lam, n_iter=1000):
    return _ista(X, y, lam, n_iter, shrink=lambda z, t: z)


@mistake("lasso_map", "you thresholded at lambda; with step 1/L the threshold is lambda / L")
def threshold_lambda(X, y, lam, n_iter=1000):
    return _ista(X, y, lam, n_iter, shrink=_soft, threshold=lambda lam, L: lam)


@mistake(
    "lasso_map",
    "max(|z| - t, 0) is missing: small coordinates must become exactly 0, not change sign",
)
def no_max(X, y, lam, n_iter=1000):
    return _ista(X, y, lam, n_iter, shrink=lambda z, t: np.sign(z) * (np.abs(z) - t))


@mistake("lasso_map", "L is the LARGEST eigenvalue of X^T X (eigvalsh sorts ascending: take [-1])")
def smallest_eigenvalue(X, y, lam, n_iter=1000):
    return _ista(X, y, lam, n_iter, shrink=_soft, which=0)


@mistake(
    "lasso_map",
    "hard thresholding keeps z unshrunk; soft-thresholding subtracts the threshold",
)
def hard_threshold(X, y, lam, n_iter=1000):
    return _ista(X, y, lam, n_iter, shrink=lambda z, t: np.where(np.abs(z) > t, z, 0.0))


@mistake("lasso_map", "L is the largest eigenvalue of X^T X, ||X||_2 squared, not ||X||_2")
def spectral_norm_not_squared(X, y, lam, n_iter=1000):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    L = np.linalg.norm(X, 2)
    w = np.zeros(X.shape[1])
    if L == 0.0:
        return w
    for _ in range(n_iter):
        z = w + (X.T @ (y - X @ w)) / L
        w = _soft(z, lam / L)
    return w


@mistake("lasso_map", "one iteration too many: run exactly n_iter steps from w = 0")
def one_too_many(X, y, lam, n_iter=1000):
    return _ista(X, y, lam, n_iter, shrink=_soft, extra=1)


# --- held_out_log_likelihood -------------------------------------------------------------


def _residuals(w, X, y):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    return y - X @ np.asarray(w, dtype=float)


@mistake(
    "held_out_log_likelihood", "you returned the NLL; return the log-likelihood (its negative)"
)
def returned_nll(w, X, y, sigma2):
    r = _residuals(w, X, y)
    return float(0.5 * r.size * np.log(2 * np.pi * sigma2) + np.sum(r**2) / (2 * sigma2))


@mistake("held_out_log_likelihood", "you took the mean over points; the total (a sum) is wanted")
def mean_not_total(w, X, y, sigma2):
    r = _residuals(w, X, y)
    return float(np.mean(-0.5 * np.log(2 * np.pi * sigma2) - r**2 / (2 * sigma2)))


@mistake("held_out_log_likelihood", "sigma2 is already a variance: do not square it again")
def squared_variance(w, X, y, sigma2):
    r = _residuals(w, X, y)
    return float(-0.5 * r.size * np.log(2 * np.pi * sigma2**2) - np.sum(r**2) / (2 * sigma2**2))


@mistake("held_out_log_likelihood", "the constant -m/2 log(2 pi sigma2) is missing")
def held_out_no_constant(w, X, y, sigma2):
    r = _residuals(w, X, y)
    return float(-np.sum(r**2) / (2 * sigma2))
