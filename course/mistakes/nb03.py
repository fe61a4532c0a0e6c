"""03_gaussian: known wrong versions of each exercise."""

from __future__ import annotations

import numpy as np

from . import mistake

_LOG_2PI = np.log(2 * np.pi)

# --- gaussian_log_likelihood -------------------------------------------------------------


def _ss(x, mu):
    x = np.asarray(x, dtype=float)
    return x.size, float(np.sum((x - mu) ** 2))


@mistake(
    "gaussian_log_likelihood", "the constant -n/2 log(2 pi) is missing: keep it for each point"
)
def no_constant(x, mu, sigma):
    n, ss = _ss(x, mu)
    return float(-n * np.log(sigma) - ss / (2 * sigma**2))


@mistake(
    "gaussian_log_likelihood",
    "you wrote -n log(sigma^2); with sigma the standard deviation the term is -n log(sigma)",
)
def log_sigma_squared(x, mu, sigma):
    n, ss = _ss(x, mu)
    return float(-0.5 * n * _LOG_2PI - n * np.log(sigma**2) - ss / (2 * sigma**2))


@mistake(
    "gaussian_log_likelihood",
    "you used sigma as the variance; square it: (x - mu)^2 / (2 sigma^2)",
)
def sigma_as_variance(x, mu, sigma):
    n, ss = _ss(x, mu)
    return float(-0.5 * n * np.log(2 * np.pi * sigma) - ss / (2 * sigma))


@mistake(
    "gaussian_log_likelihood",
    "the product of the densities underflows to 0: add the log densities instead",
)
def log_of_product(x, mu, sigma):
    x = np.asarray(x, dtype=float)
    dens = np.exp(-((x - mu) ** 2) / (2 * sigma**2)) / np.sqrt(2 * np.pi * sigma**2)
    return float(np.log(np.prod(dens)))


@mistake("gaussian_log_likelihood", "you took the mean over points; the log-likelihood is a sum")
def mean_not_sum(x, mu, sigma):
    n, ss = _ss(x, mu)
    return float((-0.5 * n * _LOG_2PI - n * np.log(sigma) - ss / (2 * sigma**2)) / n)


@mistake(
    "gaussian_log_likelihood",
    "you added the constants once; -1/2 log(2 pi) - log(sigma) comes once PER observation",
)
def constant_once(x, mu, sigma):
    _, ss = _ss(x, mu)
    return float(-0.5 * _LOG_2PI - np.log(sigma) - ss / (2 * sigma**2))


# --- gaussian_mle ------------------------------------------------------------------------


@mistake("gaussian_mle", "you divided by n - 1; the MLE of the variance divides by n")
def ddof_one(x):
    x = np.asarray(x, dtype=float)
    return float(np.mean(x)), float(np.std(x, ddof=1))


@mistake("gaussian_mle", "you returned the variance; return sigma_hat, its square root")
def returned_variance(x):
    x = np.asarray(x, dtype=float)
    return float(np.mean(x)), float(np.var(x))


@mistake("gaussian_mle", "the order is (mu_hat, sigma_hat); you returned (sigma_hat, mu_hat)")
def swapped(x):
    x = np.asarray(x, dtype=float)
    return float(np.std(x)), float(np.mean(x))


@mistake("gaussian_mle", "you measured deviations from 0; measure them from the sample mean mu_hat")
def deviations_from_zero(x):
    x = np.asarray(x, dtype=float)
    return float(np.mean(x)), float(np.sqrt(np.mean(x**2)))


# --- variance_bias_simulation ------------------------------------------------------------


def _samples(n, sigma, reps, rng):
    return rng.normal(0.0, sigma, size=(reps, n))


@mistake(
    "variance_bias_simulation",
    "you divided by n - 1 (nan for n = 1); the MLE variance divides by n",
)
def sim_ddof_one(n, sigma, reps, rng):
    return np.var(_samples(n, sigma, reps, rng), axis=1, ddof=1)


@mistake(
    "variance_bias_simulation",
    "you measured deviations from the true mean 0; use each sample's own mean",
)
def sim_true_mean(n, sigma, reps, rng):
    return np.mean(_samples(n, sigma, reps, rng) ** 2, axis=1)


@mistake("variance_bias_simulation", "you returned sigma_hat; return the variances sigma_hat^2")
def sim_returned_sigma(n, sigma, reps, rng):
    return np.std(_samples(n, sigma, reps, rng), axis=1)


@mistake(
    "variance_bias_simulation",
    "you averaged over the wrong axis: one variance per simulated SAMPLE (axis=1 of (reps, n))",
)
def sim_wrong_axis(n, sigma, reps, rng):
    return np.var(_samples(n, sigma, reps, rng), axis=0)


@mistake(
    "variance_bias_simulation",
    "you made your own generator; draw with the rng argument so a seed reproduces the simulation",
)
def sim_own_generator(n, sigma, reps, rng):
    return np.var(_samples(n, sigma, reps, np.random.default_rng(0)), axis=1)


# --- linear_regression_mle ---------------------------------------------------------------


def _lstsq(X, y):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    beta = np.linalg.lstsq(X, y, rcond=None)[0]
    r = y - X @ beta
    return beta, float(r @ r), y.size, X.shape[1]


@mistake(
    "linear_regression_mle",
    "you added a column of ones; X already holds the columns to use, intercept included",
)
def added_ones(X, y):
    X = np.asarray(X, dtype=float)
    beta, rss, n, _ = _lstsq(np.column_stack([np.ones(X.shape[0]), X]), y)
    return beta, rss / n


@mistake("linear_regression_mle", "RSS / (n - p) is the unbiased estimate; the MLE is RSS / n")
def unbiased_variance(X, y):
    beta, rss, n, p = _lstsq(X, y)
    return beta, rss / (n - p)


@mistake("linear_regression_mle", "you returned sigma_hat; return the variance RSS / n")
def returned_sigma(X, y):
    beta, rss, n, _ = _lstsq(X, y)
    return beta, float(np.sqrt(rss / n))


@mistake("linear_regression_mle", "you returned the RSS; the MLE of the variance is RSS / n")
def returned_rss(X, y):
    beta, rss, _, _ = _lstsq(X, y)
    return beta, rss


@mistake("linear_regression_mle", "return the tuple (beta_hat, sigma2_hat), not beta_hat alone")
def beta_only(X, y):
    return _lstsq(X, y)[0]
