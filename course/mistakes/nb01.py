"""01_coin_flips: known wrong versions of each exercise."""

from __future__ import annotations

import numpy as np
from scipy.special import comb, gammaln, xlog1py, xlogy

from . import mistake

# --- bernoulli_likelihood ----------------------------------------------------------------


@mistake("bernoulli_likelihood", "you added the factors; the likelihood MULTIPLIES one per flip")
def sum_not_product(x, theta):
    x = np.asarray(x)
    return float(np.sum(np.where(x == 1, theta, 1.0 - theta)))


@mistake("bernoulli_likelihood", "every flip got theta; a tail contributes (1 - theta)")
def theta_for_every_flip(x, theta):
    return float(theta ** np.asarray(x).size)


@mistake("bernoulli_likelihood", "heads and tails are swapped: heads get theta, tails 1 - theta")
def heads_tails_swapped(x, theta):
    x = np.asarray(x)
    return float(np.prod(np.where(x == 1, 1.0 - theta, theta)))


@mistake(
    "bernoulli_likelihood",
    "you included the binomial coefficient C(n, k): the likelihood of the sequence has none",
)
def with_binomial_coefficient(x, theta):
    x = np.asarray(x)
    k, n = int(np.sum(x)), x.size
    return float(comb(n, k) * theta**k * (1 - theta) ** (n - k))


@mistake("bernoulli_likelihood", "you returned the log-likelihood; this exercise wants L itself")
def returned_the_log(x, theta):
    x = np.asarray(x)
    return float(np.sum(np.log(np.where(x == 1, theta, 1.0 - theta))))


# --- bernoulli_log_likelihood ------------------------------------------------------------


@mistake(
    "bernoulli_log_likelihood",
    "x * log(theta) gives 0 * log(0) = nan at the boundary: use xlogy and xlog1py",
)
def naive_logs(x, theta):
    x = np.asarray(x, dtype=float)
    return float(np.sum(x * np.log(theta) + (1 - x) * np.log(1 - theta)))


@mistake(
    "bernoulli_log_likelihood",
    "np.where computes log(0) in both branches and warns: use xlogy / xlog1py",
)
def where_of_logs(x, theta):
    x = np.asarray(x)
    return float(np.sum(np.where(x == 1, np.log(theta), np.log(1 - theta))))


@mistake(
    "bernoulli_log_likelihood",
    "you took the log of the product, which underflows to log(0): sum the logs",
)
def log_of_product(x, theta):
    x = np.asarray(x)
    return float(np.log(np.prod(np.where(x == 1, theta, 1.0 - theta))))


@mistake("bernoulli_log_likelihood", "you returned the likelihood, not its log")
def likelihood_not_log(x, theta):
    x = np.asarray(x)
    return float(np.prod(np.where(x == 1, theta, 1.0 - theta)))


@mistake("bernoulli_log_likelihood", "heads and tails are swapped: heads add log(theta)")
def log_heads_tails_swapped(x, theta):
    x = np.asarray(x, dtype=float)
    return float(np.sum(xlog1py(x, -theta) + xlogy(1 - x, theta)))


@mistake("bernoulli_log_likelihood", "you took the mean over flips; the log-likelihood is a sum")
def mean_not_sum(x, theta):
    x = np.asarray(x, dtype=float)
    return float(np.mean(xlogy(x, theta) + xlog1py(1 - x, -theta)))


# --- bernoulli_mle -----------------------------------------------------------------------


@mistake("bernoulli_mle", "you returned the number of heads k; the MLE is k / n")
def count_not_proportion(x):
    return float(np.sum(x))


@mistake("bernoulli_mle", "you returned the proportion of TAILS; theta is the chance of heads")
def proportion_of_tails(x):
    return float(1 - np.mean(x))


@mistake("bernoulli_mle", "(k + 1) / (n + 2) is a smoothed estimate (a prior), not the MLE k / n")
def laplace_smoothing(x):
    x = np.asarray(x, dtype=float)
    return float((x.sum() + 1) / (x.size + 2))


@mistake("bernoulli_mle", "you divided by n - 1; the MLE divides by the number of flips n")
def divided_by_n_minus_1(x):
    x = np.asarray(x, dtype=float)
    return float(x.sum() / (x.size - 1))


# --- binomial_log_likelihood -------------------------------------------------------------


@mistake(
    "binomial_log_likelihood",
    "the log binomial coefficient log C(n, k) is missing (for k = 7, n = 10 it is log 120)",
)
def no_coefficient(k, n, theta):
    return float(xlogy(k, theta) + xlog1py(n - k, -theta))


@mistake(
    "binomial_log_likelihood",
    "C(n, k) overflows to inf for large n: use gammaln(n + 1) -"
    " gammaln(k + 1) - gammaln(n - k + 1)",
)
def log_of_comb(k, n, theta):
    return float(np.log(comb(n, k)) + xlogy(k, theta) + xlog1py(n - k, -theta))


@mistake("binomial_log_likelihood", "k * log(theta) gives 0 * log(0) = nan: use xlogy and xlog1py")
def binomial_naive_logs(k, n, theta):
    coef = gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)
    return float(coef + k * np.log(theta) + (n - k) * np.log(1 - theta))


@mistake("binomial_log_likelihood", "you subtracted log C(n, k); it is added")
def coefficient_subtracted(k, n, theta):
    coef = gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)
    return float(-coef + xlogy(k, theta) + xlog1py(n - k, -theta))


@mistake("binomial_log_likelihood", "heads and tails are swapped: k heads add k log(theta)")
def binomial_swapped(k, n, theta):
    coef = gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)
    return float(coef + xlog1py(k, -theta) + xlogy(n - k, theta))


# --- grid_search_mle ---------------------------------------------------------------------


@mistake("grid_search_mle", "you returned the POSITION np.argmax gives; return grid[position]")
def returned_the_index(loglik, grid):
    return float(np.argmax([loglik(t) for t in grid]))


@mistake("grid_search_mle", "you minimised the log-likelihood; the MLE maximises it")
def minimised(loglik, grid):
    grid = np.asarray(grid, dtype=float)
    return float(grid[np.argmin([loglik(t) for t in grid])])


@mistake(
    "grid_search_mle", "you returned the largest log-likelihood; return the theta that gives it"
)
def returned_the_maximum(loglik, grid):
    return float(np.max([loglik(t) for t in grid]))


@mistake(
    "grid_search_mle",
    "you stopped at the first local maximum; look at every grid point",
)
def first_local_maximum(loglik, grid):
    grid = np.asarray(grid, dtype=float)
    best = 0
    for i in range(1, grid.size):
        if loglik(grid[i]) < loglik(grid[best]):
            break
        best = i
    return float(grid[best])
