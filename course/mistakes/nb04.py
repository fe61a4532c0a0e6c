"""04_counts_and_lifetimes: known wrong versions of each exercise."""

from __future__ import annotations

import numpy as np
from scipy import special

from . import mistake

# --- poisson_mle -------------------------------------------------------------------------


@mistake("poisson_mle", "you returned the total count; the MLE is the total divided by n")
def total_not_mean(counts):
    return float(np.sum(counts))


@mistake(
    "poisson_mle",
    "you averaged the distinct values (0, 1, 2, ...), not the observations",
)
def mean_of_distinct_values(counts):
    return float(np.mean(np.unique(counts)))


@mistake("poisson_mle", "you returned the median; the MLE is the mean count")
def median(counts):
    return float(np.median(counts))


@mistake("poisson_mle", "you divided by n - 1; the MLE divides by the number of observations n")
def n_minus_1(counts):
    c = np.asarray(counts, dtype=float)
    return float(c.sum() / (c.size - 1))


@mistake("poisson_mle", "1 / mean is an exponential rate; the Poisson MLE is the mean itself")
def reciprocal(counts):
    return float(1 / np.mean(counts))


# --- exponential_mle ---------------------------------------------------------------------


@mistake("exponential_mle", "you returned the mean lifetime 1 / rate; the rate is n / sum(t)")
def mean_lifetime(times):
    return float(np.mean(times))


@mistake("exponential_mle", "the median does not enter the MLE: the rate is n / sum(t)")
def one_over_median(times):
    return float(1 / np.median(times))


@mistake("exponential_mle", "1 / sum(t) leaves out n: the rate is n / sum(t)")
def one_over_total(times):
    return float(1 / np.sum(times))


@mistake("exponential_mle", "(n - 1) / sum(t) is an unbiased variant; the MLE is n / sum(t)")
def n_minus_1_over_total(times):
    t = np.asarray(times, dtype=float)
    return float((t.size - 1) / t.sum())


# --- censored_exponential_mle ------------------------------------------------------------


def _arrays(times, observed):
    return np.asarray(times, dtype=float), np.asarray(observed, dtype=bool)


@mistake(
    "censored_exponential_mle",
    "you dropped the censored units' time; every unit's time counts in the denominator",
)
def dropped_censored_time(times, observed):
    t, o = _arrays(times, observed)
    return float(o.sum() / t[o].sum())


@mistake(
    "censored_exponential_mle",
    "you counted censored units as failures; only observed failures go in the numerator",
)
def censored_as_failures(times, observed):
    t, _ = _arrays(times, observed)
    return float(t.size / t.sum())


@mistake(
    "censored_exponential_mle",
    "observed as 0/1 integers indexes by position: convert it with"
    " np.asarray(observed, dtype=bool)",
)
def integer_index(times, observed):
    t = np.asarray(times, dtype=float)
    return float(t[np.asarray(observed)].size / t.sum())


@mistake(
    "censored_exponential_mle",
    "1 / (mean observed lifetime) ignores the censored units: failures / total time on test",
)
def mean_observed_lifetime(times, observed):
    t, o = _arrays(times, observed)
    return float(1 / np.mean(t[o]))


# --- sufficient_statistics ---------------------------------------------------------------


@mistake(
    "sufficient_statistics", "you returned means; the statistics are sums: (n, sum x, sum log x)"
)
def means_not_sums(x):
    x = np.asarray(x, dtype=float)
    return int(x.size), float(np.mean(x)), float(np.mean(np.log(x)))


@mistake("sufficient_statistics", "log(sum x) is not sum(log x): take the log of each x first")
def log_of_sum(x):
    x = np.asarray(x, dtype=float)
    return int(x.size), float(np.sum(x)), float(np.log(np.sum(x)))


@mistake("sufficient_statistics", "n is missing: return the three numbers (n, sum x, sum log x)")
def without_n(x):
    x = np.asarray(x, dtype=float)
    return float(np.sum(x)), float(np.sum(np.log(x)))


@mistake(
    "sufficient_statistics",
    "sum x^2 is the Gaussian's statistic; the Gamma family needs sum log x",
)
def gaussian_statistics(x):
    x = np.asarray(x, dtype=float)
    return int(x.size), float(np.sum(x)), float(np.sum(x**2))


@mistake("sufficient_statistics", "log(prod x) overflows: sum the logs, np.sum(np.log(x))")
def log_of_product(x):
    x = np.asarray(x, dtype=float)
    return int(x.size), float(np.sum(x)), float(np.log(np.prod(x)))


# --- gamma_mle ---------------------------------------------------------------------------


def _start(s):
    return (3 - s + np.sqrt((s - 3) ** 2 + 24 * s)) / (12 * s)


def _newton_shape(s, k):
    for _ in range(100):
        k_new = k - (np.log(k) - special.digamma(k) - s) / (1 / k - special.polygamma(1, k))
        k_new = k / 2 if k_new <= 0 else k_new
        done = abs(k_new - k) <= 1e-12 * k
        k = k_new
        if done:
            break
    return float(k)


def _shape(x):
    x = np.asarray(x, dtype=float)
    s = np.log(x.mean()) - np.log(x).mean()
    return x.mean(), _newton_shape(s, _start(s))


@mistake(
    "gamma_mle",
    "that is the method of moments (shape = mean^2 / variance); "
    "the MLE solves log k - digamma(k) = s",
)
def method_of_moments(x):
    x = np.asarray(x, dtype=float)
    return float(x.mean() ** 2 / x.var()), float(x.var() / x.mean())


@mistake(
    "gamma_mle", "you returned the rate shape / mean; the second number is the scale mean / shape"
)
def returned_rate(x):
    mean, k = _shape(x)
    return k, float(k / mean)


@mistake("gamma_mle", "the order is (shape, scale); you returned (scale, shape)")
def scale_shape_swapped(x):
    mean, k = _shape(x)
    return float(mean / k), k


@mistake(
    "gamma_mle",
    "you returned the starting approximation of the shape; iterate Newton until the step is tiny",
)
def starting_value_only(x):
    x = np.asarray(x, dtype=float)
    s = np.log(x.mean()) - np.log(x).mean()
    k = _start(s)
    return float(k), float(x.mean() / k)


@mistake(
    "gamma_mle",
    "s is log(mean x) - mean(log x), the log of the mean first; yours has the terms reversed",
)
def s_reversed(x):
    x = np.asarray(x, dtype=float)
    s = np.log(x).mean() - np.log(x.mean())
    k = _newton_shape(s, _start(s))
    return k, float(x.mean() / k)
