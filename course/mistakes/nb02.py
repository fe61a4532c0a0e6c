"""02_numerical_mle: known wrong versions of each exercise."""

from __future__ import annotations

import numpy as np
from scipy import optimize

from . import mistake

# --- negative_log_likelihood -------------------------------------------------------------


@mistake(
    "negative_log_likelihood",
    "you passed params as one argument, logpdf(x, params); unpack it: logpdf(x, *params)",
)
def params_not_unpacked(logpdf, x, params):
    return -float(np.sum(logpdf(np.asarray(x, dtype=float), params)))


@mistake("negative_log_likelihood", "you returned the log-likelihood; the NLL is its negative")
def returned_the_loglik(logpdf, x, params):
    return float(np.sum(logpdf(np.asarray(x, dtype=float), *params)))


@mistake("negative_log_likelihood", "you took the mean of the log densities; the NLL is a sum")
def mean_not_sum(logpdf, x, params):
    return -float(np.mean(logpdf(np.asarray(x, dtype=float), *params)))


@mistake(
    "negative_log_likelihood",
    "the product of the densities underflows to 0 for many points: sum the log densities",
)
def log_of_product(logpdf, x, params):
    return -float(np.log(np.prod(np.exp(logpdf(np.asarray(x, dtype=float), *params)))))


# --- gradient_descent --------------------------------------------------------------------


@mistake(
    "gradient_descent",
    "x -= ... changed the array already in the path, so every row is the last x: append copies",
)
def updated_in_place(grad, x0, lr, n_steps):
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(n_steps):
        x -= lr * np.asarray(grad(x), dtype=float)
        path.append(x)
    return np.array(path)


@mistake("gradient_descent", "you stepped WITH the gradient (uphill); use x - lr * grad(x)")
def ascent(grad, x0, lr, n_steps):
    x = np.array(x0, dtype=float)
    path = [x.copy()]
    for _ in range(n_steps):
        x = x + lr * np.asarray(grad(x), dtype=float)
        path.append(x.copy())
    return np.array(path)


@mistake("gradient_descent", "the path must start with x0: n_steps + 1 points in all")
def path_without_x0(grad, x0, lr, n_steps):
    x = np.array(x0, dtype=float)
    path = []
    for _ in range(n_steps):
        x = x - lr * np.asarray(grad(x), dtype=float)
        path.append(x.copy())
    return np.array(path)


@mistake("gradient_descent", "you returned the last point; return the whole path as an array")
def last_point_only(grad, x0, lr, n_steps):
    x = np.array(x0, dtype=float)
    for _ in range(n_steps):
        x = x - lr * np.asarray(grad(x), dtype=float)
    return x


@mistake("gradient_descent", "one step too many: take exactly n_steps steps")
def one_step_too_many(grad, x0, lr, n_steps):
    x = np.array(x0, dtype=float)
    path = [x.copy()]
    for _ in range(n_steps + 1):
        x = x - lr * np.asarray(grad(x), dtype=float)
        path.append(x.copy())
    return np.array(path)


# --- newton_method -----------------------------------------------------------------------


def _newton(grad, hess, x0, tol, max_iter, step_of, *, stop_on_gradient=False, sign=-1.0):
    x = np.array(x0, dtype=float)
    path = [x.copy()]
    for _ in range(max_iter):
        g = np.asarray(grad(x), dtype=float)
        if stop_on_gradient and np.max(np.abs(g)) < tol:
            break
        step = step_of(g, np.asarray(hess(x), dtype=float), x)
        x = x + sign * step
        path.append(x.copy())
        if not stop_on_gradient and tol is not None and np.max(np.abs(step)) < tol:
            break
    return np.array(path)


def _solve(g, h, x):
    return g / h if x.ndim == 0 else np.linalg.solve(h, g)


@mistake("newton_method", "you stepped uphill: Newton's step is x - grad/hess, not x + grad/hess")
def newton_uphill(grad, hess, x0, tol=1e-10, max_iter=100):
    return _newton(grad, hess, x0, tol, max_iter, _solve, sign=1.0)


@mistake(
    "newton_method",
    "grad / hess element by element is not Newton's step: np.linalg.solve(hess(x), grad(x))",
)
def newton_elementwise(grad, hess, x0, tol=1e-10, max_iter=100):
    return _newton(grad, hess, x0, tol, max_iter, lambda g, h, x: g / h)


@mistake("newton_method", "you multiplied by the second derivative; Newton divides by it")
def newton_times_hessian(grad, hess, x0, tol=1e-10, max_iter=100):
    return _newton(grad, hess, x0, tol, max_iter, lambda g, h, x: h * g if x.ndim == 0 else h @ g)


@mistake(
    "newton_method",
    "you stopped on a small gradient before stepping; take the step,"
    " append it, then test |step| < tol",
)
def newton_stops_on_gradient(grad, hess, x0, tol=1e-10, max_iter=100):
    return _newton(grad, hess, x0, tol, max_iter, _solve, stop_on_gradient=True)


@mistake("newton_method", "you ignored tol and always ran max_iter steps")
def newton_ignores_tol(grad, hess, x0, tol=1e-10, max_iter=100):
    return _newton(grad, hess, x0, None, max_iter, _solve)


@mistake(
    "newton_method", "you stopped at 1e-10 whatever tol was: compare the step with the tol argument"
)
def newton_fixed_tol(grad, hess, x0, tol=1e-10, max_iter=100):
    return _newton(grad, hess, x0, 1e-10, max_iter, _solve)


# --- fit_gaussian_numerically ------------------------------------------------------------


def _fit(x, start, *, jac=True, s_sign=1.0, method="BFGS"):
    x = np.asarray(x, dtype=float)
    n = x.size

    def nll(p):
        return n * p[1] + 0.5 * np.exp(-2 * p[1]) * np.sum((x - p[0]) ** 2)

    def grad(p):
        r = x - p[0]
        d_s = s_sign * (n - np.exp(-2 * p[1]) * np.sum(r**2))
        return np.array([-np.exp(-2 * p[1]) * r.sum(), d_s])

    res = optimize.minimize(nll, start, jac=grad if jac else None, method=method)
    return res.x


@mistake(
    "fit_gaussian_numerically",
    "you returned s = log(sigma); return sigma_hat = exp(s)",
)
def returned_log_sigma(x):
    x = np.asarray(x, dtype=float)
    return float(np.mean(x)), float(np.log(np.std(x)))


@mistake("fit_gaussian_numerically", "you returned the variance; return the standard deviation")
def returned_variance(x):
    x = np.asarray(x, dtype=float)
    return float(np.mean(x)), float(np.var(x))


@mistake("fit_gaussian_numerically", "you divided by n - 1; the MLE of sigma^2 divides by n")
def ddof_one(x):
    x = np.asarray(x, dtype=float)
    return float(np.mean(x)), float(np.std(x, ddof=1))


# Before the (0, 0) entries: where only the gradient's precision is at fault, both starts
# end at the same imprecise point and both entries match; the learner who started at the
# median (as the notebook says) must read this one first.
@mistake(
    "fit_gaussian_numerically",
    "without jac= scipy's finite differences stop short of six digits: pass the gradient",
)
def good_start_without_jac(x):
    x = np.asarray(x, dtype=float)
    med = np.median(x)
    mu, s = _fit(x, np.array([med, np.log(np.mean(np.abs(x - med)))]), jac=False)
    return float(mu), float(np.exp(s))


@mistake(
    "fit_gaussian_numerically",
    "you started at (0, 0) without jac=: start near the data and pass the gradient",
)
def start_at_zero_without_jac(x):
    mu, s = _fit(x, np.zeros(2), jac=False)
    return float(mu), float(np.exp(s))


@mistake(
    "fit_gaussian_numerically",
    "you started at (0, 0), far from the data: "
    "start at the median and the log of the mean absolute deviation",
)
def start_at_zero(x):
    mu, s = _fit(x, np.zeros(2), method="L-BFGS-B")
    return float(mu), float(np.exp(s))


@mistake(
    "fit_gaussian_numerically",
    "the optimiser never moved from its start: "
    "check the sign of dNLL/ds = n - exp(-2s) sum((x - mu)^2)",
)
def gradient_sign_error(x):
    x = np.asarray(x, dtype=float)
    med = np.median(x)
    start = np.array([med, np.log(np.mean(np.abs(x - med)))])
    mu, s = _fit(x, start, s_sign=-1.0)
    return float(mu), float(np.exp(s))


# --- exponential_median_lifetime_mle ------------------------------------------------------


@mistake(
    "exponential_median_lifetime_mle",
    "you returned the sample median; the MLE is log(2) / rate_hat = log(2) * mean",
)
def sample_median(times):
    return float(np.median(times))


@mistake(
    "exponential_median_lifetime_mle",
    "you returned the mean lifetime 1 / rate_hat; the median lifetime is log(2) / rate_hat",
)
def mean_lifetime(times):
    return float(np.mean(times))


@mistake(
    "exponential_median_lifetime_mle",
    "you multiplied log(2) by the rate; the median is log(2) / rate_hat",
)
def log2_times_rate(times):
    return float(np.log(2.0) / np.mean(times))


@mistake("exponential_median_lifetime_mle", "you divided the mean by log(2); multiply by it")
def mean_over_log2(times):
    return float(np.mean(times) / np.log(2.0))
