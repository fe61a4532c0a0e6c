"""05_uncertainty: known wrong versions of each exercise."""

from __future__ import annotations

import numpy as np
from scipy import optimize, stats

from . import mistake

# --- bernoulli_fisher_information --------------------------------------------------------


@mistake(
    "bernoulli_fisher_information",
    "theta (1 - theta) is the variance of one flip; the information is its"
    " reciprocal n / (theta (1 - theta))",
)
def variance_not_information(theta, n=1):
    return float(n * theta * (1 - theta))


@mistake(
    "bernoulli_fisher_information", "n is missing: n flips carry n times the information of one"
)
def ignores_n(theta, n=1):
    return float(1 / (theta * (1 - theta)))


@mistake(
    "bernoulli_fisher_information",
    "1 / (n theta (1 - theta)) is the variance of theta_hat; "
    "the information is n / (theta (1 - theta))",
)
def variance_of_the_estimate(theta, n=1):
    return float(1 / (n * theta * (1 - theta)))


@mistake(
    "bernoulli_fisher_information",
    "a sign slipped: the information is n/theta + n/(1 - theta), both terms positive",
)
def sign_slip(theta, n=1):
    return float(n / theta - n / (1 - theta))


# --- observed_information ----------------------------------------------------------------


def _hessian(nll, theta_hat, *, step, mixed=True, mixed_factor=4.0, power=2):
    theta = np.array(theta_hat, dtype=float).ravel()
    p = theta.size
    h = step(theta)
    f0 = nll(theta)
    hess = np.zeros((p, p))
    for i in range(p):
        ei = np.zeros(p)
        ei[i] = h[i]
        hess[i, i] = (nll(theta + ei) - 2 * f0 + nll(theta - ei)) / h[i] ** power
        for j in range(i if mixed else 0):
            ej = np.zeros(p)
            ej[j] = h[j]
            m = nll(theta + ei + ej) - nll(theta + ei - ej) - nll(theta - ei + ej)
            m += nll(theta - ei - ej)
            hess[i, j] = hess[j, i] = m / (mixed_factor * h[i] * h[j])
    return hess


def _scaled(theta):
    return 1e-4 * np.maximum(1.0, np.abs(theta))


@mistake("observed_information", "you divided by h; a second difference divides by h^2")
def over_h(nll, theta_hat):
    return _hessian(nll, theta_hat, step=_scaled, power=1)


@mistake(
    "observed_information",
    "the off-diagonal entries are missing: use the four-point mixed difference for i != j",
)
def diagonal_only(nll, theta_hat):
    return _hessian(nll, theta_hat, step=_scaled, mixed=False)


@mistake(
    "observed_information",
    "a fixed step h = 1e-4 is too small for a parameter of 1200: use h = 1e-4 * max(1, |theta|)",
)
def fixed_step(nll, theta_hat):
    return _hessian(nll, theta_hat, step=lambda t: np.full(t.size, 1e-4))


@mistake(
    "observed_information",
    "you returned the diagonal as a vector; return the (p, p) matrix",
)
def diagonal_vector(nll, theta_hat):
    return np.diag(_hessian(nll, theta_hat, step=_scaled))


@mistake(
    "observed_information",
    "the mixed difference is divided by 4 h_i h_j; yours is divided by 2 h_i h_j",
)
def mixed_over_two(nll, theta_hat):
    return _hessian(nll, theta_hat, step=_scaled, mixed_factor=2.0)


@mistake(
    "observed_information", "the sign is flipped: the information is the Hessian of the NLL itself"
)
def negated(nll, theta_hat):
    return -_hessian(nll, theta_hat, step=_scaled)


# --- wald_interval -----------------------------------------------------------------------


def _wald(estimate, se, z):
    return float(estimate - z * se), float(estimate + z * se)


@mistake(
    "wald_interval",
    "z = 1.96 is rounded: use stats.norm.ppf(0.5 + level / 2) (1.959964 for 95%)",
)
def rounded_z(estimate, se, level=0.95):
    return _wald(estimate, se, 1.96)


@mistake(
    "wald_interval",
    "norm.ppf(level) is a one-sided quantile; the two-sided z is norm.ppf(0.5 + level / 2)",
)
def one_sided(estimate, se, level=0.95):
    return _wald(estimate, se, stats.norm.ppf(level))


@mistake("wald_interval", "you multiplied z by se^2; the half-width is z * se")
def se_squared(estimate, se, level=0.95):
    return _wald(estimate, se**2, stats.norm.ppf(0.5 + level / 2))


@mistake(
    "wald_interval",
    "(lower, upper) is reversed: return (estimate - z*se, estimate + z*se)"
    " (a negative z from norm.ppf((1 - level)/2) also does this)",
)
def reversed_ends(estimate, se, level=0.95):
    return _wald(estimate, se, stats.norm.ppf((1 - level) / 2))


@mistake("wald_interval", "z is fixed at 1.96 whatever the level: compute it from level")
def level_ignored(estimate, se, level=0.95):
    return _wald(estimate, se, 1.959963984540054)


# --- profile_likelihood_interval ---------------------------------------------------------


def _profile(nll, theta_hat, lower, upper, rise, *, check_bounds=True):
    cutoff = nll(theta_hat) + rise

    def excess(t):
        return min(nll(t) - cutoff, 1e300)

    if check_bounds and excess(lower) <= 0:
        lo = lower
    else:
        lo = optimize.brentq(excess, lower, theta_hat, xtol=1e-14)
    if check_bounds and excess(upper) <= 0:
        hi = upper
    else:
        hi = optimize.brentq(excess, theta_hat, upper, xtol=1e-14)
    return float(lo), float(hi)


@mistake(
    "profile_likelihood_interval",
    "the NLL rises by HALF the chi-squared quantile at the ends: chi2.ppf(level, 1) / 2",
)
def full_quantile(nll, theta_hat, lower, upper, level=0.95):
    return _profile(nll, theta_hat, lower, upper, stats.chi2.ppf(level, 1))


@mistake(
    "profile_likelihood_interval", "one parameter is tested: the chi-squared has df = 1, not 2"
)
def two_df(nll, theta_hat, lower, upper, level=0.95):
    return _profile(nll, theta_hat, lower, upper, stats.chi2.ppf(level, 2) / 2)


@mistake(
    "profile_likelihood_interval",
    "you used the normal quantile z / 2 as the rise; the rise is chi2.ppf(level, 1) / 2 = z^2 / 2",
)
def normal_quantile(nll, theta_hat, lower, upper, level=0.95):
    return _profile(nll, theta_hat, lower, upper, stats.norm.ppf(0.5 + level / 2) / 2)


@mistake(
    "profile_likelihood_interval",
    "brentq needs a sign change: if the NLL at a bound is under the cut-off, that bound is the end",
)
def no_bound_check(nll, theta_hat, lower, upper, level=0.95):
    return _profile(nll, theta_hat, lower, upper, stats.chi2.ppf(level, 1) / 2, check_bounds=False)


# --- coverage ----------------------------------------------------------------------------


def _hits(interval, data, true_value, strict=False):
    lower, upper = interval(data)
    return (lower < true_value < upper) if strict else (lower <= true_value <= upper)


@mistake("coverage", "you returned the number of hits; coverage is the FRACTION hits / reps")
def count_not_fraction(interval, simulate, true_value, reps, rng):
    return float(sum(_hits(interval, simulate(rng), true_value) for _ in range(reps)))


@mistake("coverage", "an end point counts as covered: lower <= true_value <= upper")
def strict_inequalities(interval, simulate, true_value, reps, rng):
    return float(
        np.mean([_hits(interval, simulate(rng), true_value, strict=True) for _ in range(reps)])
    )


@mistake(
    "coverage", "you simulated one data set and reused it: call simulate(rng) in every repetition"
)
def simulated_once(interval, simulate, true_value, reps, rng):
    data = simulate(rng)
    return float(np.mean([_hits(interval, data, true_value) for _ in range(reps)]))


@mistake("coverage", "hits // reps is integer division: use hits / reps")
def integer_division(interval, simulate, true_value, reps, rng):
    return sum(_hits(interval, simulate(rng), true_value) for _ in range(reps)) // reps


@mistake("coverage", "you returned the fraction of MISSES; coverage is the fraction covered")
def miss_rate(interval, simulate, true_value, reps, rng):
    return float(1 - np.mean([_hits(interval, simulate(rng), true_value) for _ in range(reps)]))


# --- likelihood_ratio_test ---------------------------------------------------------------


@mistake("likelihood_ratio_test", "the factor 2 is missing: the statistic is 2 (l_alt - l_null)")
def no_factor_two(loglik_null, loglik_alt, df):
    stat = loglik_alt - loglik_null
    return float(stat), float(stats.chi2.sf(stat, df))


@mistake("likelihood_ratio_test", "the order is reversed: the statistic is 2 (l_alt - l_null) >= 0")
def reversed_order(loglik_null, loglik_alt, df):
    stat = 2 * (loglik_null - loglik_alt)
    return float(stat), float(stats.chi2.sf(stat, df))


@mistake(
    "likelihood_ratio_test",
    "1 - chi2.cdf rounds tiny p-values to 0: use stats.chi2.sf(statistic, df)",
)
def one_minus_cdf(loglik_null, loglik_alt, df):
    stat = 2 * (loglik_alt - loglik_null)
    return float(stat), float(1 - stats.chi2.cdf(stat, df))


@mistake(
    "likelihood_ratio_test", "you returned the lower tail; the p-value is the UPPER tail chi2.sf"
)
def lower_tail(loglik_null, loglik_alt, df):
    stat = 2 * (loglik_alt - loglik_null)
    return float(stat), float(stats.chi2.cdf(stat, df))


@mistake("likelihood_ratio_test", "df is ignored: pass df to the chi-squared distribution")
def df_ignored(loglik_null, loglik_alt, df):
    stat = 2 * (loglik_alt - loglik_null)
    return float(stat), float(stats.chi2.sf(stat, 1))


# --- information_criteria ----------------------------------------------------------------


@mistake("information_criteria", "BIC uses the natural log: p * np.log(n), not np.log10")
def log10_in_bic(loglik, n_params, n_obs):
    return float(2 * n_params - 2 * loglik), float(n_params * np.log10(n_obs) - 2 * loglik)


@mistake("information_criteria", "both criteria use -2 loglik; yours adds +2 loglik")
def plus_two_loglik(loglik, n_params, n_obs):
    return float(2 * n_params + 2 * loglik), float(n_params * np.log(n_obs) + 2 * loglik)


@mistake("information_criteria", "the order is (AIC, BIC); you returned (BIC, AIC)")
def swapped(loglik, n_params, n_obs):
    return float(n_params * np.log(n_obs) - 2 * loglik), float(2 * n_params - 2 * loglik)


@mistake("information_criteria", "AIC is 2p - 2 loglik: the factor 2 on p is missing")
def aic_without_two(loglik, n_params, n_obs):
    return float(n_params - 2 * loglik), float(n_params * np.log(n_obs) - 2 * loglik)
