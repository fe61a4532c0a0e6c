"""Gaussian mixtures by EM, in 1-D and d-D with full covariances.

Shapes: ``X`` is (n, d), or (n,) for 1-D data. Parameters are ``weights`` (k,), ``means``
(k, d) and ``covs`` (k, d, d); for 1-D data ``means`` and ``covs`` are (k,) (the covs are
then variances). ``resp`` is always (n, k).

The variance floor is an eigenvalue floor: every covariance keeps its eigenvectors and
has its eigenvalues raised to at least ``var_floor``. That is the exact maximiser of the
M-step over covariances whose eigenvalues are >= the floor, so EM with the floor is
still EM and the log-likelihood still never decreases. (scikit-learn's ``reg_covar``
instead ADDS its value to every diagonal; the two agree when the floor does not bind.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._arguments import as_rng, as_start_values
from ._components import (
    defined_responsibilities,
    floor_eigenvalues,
    log_joint,
    m_step_moments,
    normalise,
)
from ._validate import (
    as_finite,
    as_int,
    as_positive,
    as_probability,
    as_scalar_nonnegative,
    as_scalar_positive,
)

__all__ = ["GMMResult", "gmm_log_likelihood", "gmm_e_step", "gmm_m_step", "fit_gmm"]


@dataclass(frozen=True)
class GMMResult:
    """A fitted mixture. ``llf_trace[t]`` is the log-likelihood after ``t`` EM steps."""

    weights: np.ndarray
    means: np.ndarray
    covs: np.ndarray
    llf: float
    llf_trace: np.ndarray
    n_iter: int
    converged: bool
    resp: np.ndarray


def _data(X) -> tuple[np.ndarray, bool]:
    arr = as_finite(X, "X")
    if arr.ndim not in (1, 2) or arr.size == 0:
        raise ValueError(f"X must be non-empty with shape (n,) or (n, d), got {arr.shape}")
    return (arr[:, None], True) if arr.ndim == 1 else (arr, False)


def _params(weights, means, covs, d: int, one_d: bool):
    w = as_probability(weights, "weights")
    if w.ndim != 1 or abs(w.sum() - 1) > 1e-8:
        raise ValueError(f"weights must be a 1-D vector summing to 1, got {weights!r}")
    k = w.size
    mu = as_finite(means, "means")
    cov = as_positive(covs, "covs") if one_d else as_finite(covs, "covs")
    for name, arr, shape in [("means", mu, (k, d)), ("covs", cov, (k, d, d))]:
        if arr.shape != (shape[:1] if one_d else shape):
            raise ValueError(
                f"{name} must have shape {shape[:1] if one_d else shape}, got {arr.shape}"
            )
    if one_d:
        return w, mu.reshape(k, 1), cov.reshape(k, 1, 1)
    if not np.allclose(cov, cov.transpose(0, 2, 1), rtol=1e-10, atol=0):
        raise ValueError("covs must be symmetric matrices")
    try:
        np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        raise ValueError("covs must be positive definite") from None
    return w, mu, cov


def gmm_log_likelihood(X, weights, means, covs) -> float:
    """Total log-likelihood :math:`\\sum_i \\log\\sum_k w_k N(x_i \\mid \\mu_k, \\Sigma_k)`.

    Examples
    --------
    >>> round(gmm_log_likelihood([0.0], [0.5, 0.5], [0.0, 0.0], [1.0, 1.0]), 6)
    -0.918939
    """
    X2, one_d = _data(X)
    return normalise(log_joint(X2.T, *_params(weights, means, covs, X2.shape[1], one_d)))[1]


def gmm_e_step(X, weights, means, covs) -> tuple[np.ndarray, float]:
    """E-step: responsibilities :math:`r_{ik} = w_k N_{ik} / \\sum_j w_j N_{ij}` and the llf.

    Notes
    -----
    Computed in log space: :math:`\\log r_{ik} = \\log w_k + \\log N_{ik} -
    \\mathrm{logsumexp}_j(\\log w_j + \\log N_{ij})`.

    Examples
    --------
    >>> resp, llf = gmm_e_step([0.0, 10.0], [0.5, 0.5], [0.0, 10.0], [1.0, 1.0])
    >>> resp.round(6).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    X2, one_d = _data(X)
    resp, llf = normalise(log_joint(X2.T, *_params(weights, means, covs, X2.shape[1], one_d)))
    return defined_responsibilities(resp).T, llf


def gmm_m_step(X, resp, var_floor: float = 1e-6):
    """M-step: weighted proportions, means and covariances.

    Notes
    -----
    :math:`N_k = \\sum_i r_{ik}`, :math:`w_k = N_k / n`, :math:`\\mu_k = \\sum_i r_{ik} x_i / N_k`,
    :math:`\\Sigma_k = \\sum_i r_{ik}(x_i - \\mu_k)(x_i - \\mu_k)^\\top / N_k`, with eigenvalues
    floored at ``var_floor``. A component with no responsibility gets :math:`N_k = 10\\epsilon`
    so its mean stays finite.

    Examples
    --------
    >>> w, mu, var = gmm_m_step([0.0, 2.0, 10.0], [[1, 0], [1, 0], [0, 1]])
    >>> w.round(6).tolist(), mu.round(6).tolist(), var.round(6).tolist()
    ([0.666667, 0.333333], [1.0, 10.0], [1.0, 1e-06])
    """
    X2, one_d = _data(X)
    n, d = X2.shape
    r = as_probability(resp, "resp")
    if r.ndim != 2 or r.shape[0] != n or r.shape[1] == 0:
        raise ValueError(f"resp must have shape ({n}, k) with k >= 1, got {r.shape}")
    floor = as_scalar_positive(var_floor, "var_floor")
    nk = r.sum(axis=0) + 10 * np.finfo(float).eps
    mu = r.T @ X2 / nk[:, None]
    cov = np.stack([((X2 - m).T * rk) @ (X2 - m) / s for m, rk, s in zip(mu, r.T, nk, strict=True)])
    cov = floor_eigenvalues(cov, floor)
    w = nk / nk.sum()
    return (w, mu[:, 0], cov[:, 0, 0]) if one_d else (w, mu, cov)


def _initial(X: np.ndarray, k: int, init: str, rng: np.random.Generator):
    n, d = X.shape
    if init == "random":
        centres = X[rng.choice(n, size=k, replace=False)]
    else:  # k-means++ seeding: each new centre drawn with probability ~ squared distance
        centres = [X[rng.integers(n)]]
        for _ in range(k - 1):
            dist2 = np.min([((X - c) ** 2).sum(axis=1) for c in centres], axis=0)
            total = dist2.sum()
            centres.append(X[rng.choice(n, p=dist2 / total)] if total > 0 else X[rng.integers(n)])
        centres = np.array(centres)
    cov = np.atleast_2d(np.cov(X.T, bias=True)).reshape(d, d)
    return np.full(k, 1 / k), centres, np.repeat(cov[None], k, axis=0)


def _run_em(XT, moments, w, mu, cov, max_iter, tol, floor):
    d, n = XT.shape
    # Start inside the floor, so the trace is monotone from step 0.
    cov = floor_eigenvalues(cov, floor)
    resp, llf = normalise(log_joint(XT, w, mu, cov))
    defined_responsibilities(resp)
    trace, converged = [llf], False
    for _ in range(max_iter):
        w, mu, cov = m_step_moments(moments, resp, d, floor)
        resp, llf = normalise(log_joint(XT, w, mu, cov))
        trace.append(llf)
        if abs(trace[-1] - trace[-2]) < tol * n:
            converged = True
            break
    return w, mu, cov, resp, np.array(trace), converged


def fit_gmm(
    X, k, init=None, max_iter=200, tol=1e-8, var_floor=1e-6, n_restarts=1, rng=None
) -> GMMResult:
    """Fit a k-component Gaussian mixture by EM.

    Parameters
    ----------
    X : array_like, shape (n,) or (n, d)
    k : int
        Number of components.
    init : None, str, dict or tuple
        ``(weights, means, covs)`` as a tuple or a dict with those keys, or a strategy:
        ``"random"`` (the default; k distinct data points as means) or ``"kmeans++"``.
        Strategies start from equal weights and the overall covariance.
    max_iter : int
        Maximum number of EM steps.
    tol : float
        Stop when the log-likelihood PER OBSERVATION changes by less than ``tol`` (as
        scikit-learn's ``tol``).
    var_floor : float
        Floor for the covariance eigenvalues (see the module notes); it keeps a component
        that collapses onto one point finite. Starting covariances must be positive
        definite (as :func:`gmm_log_likelihood` requires); they are then floored too.
    n_restarts : int
        Runs from different random starts (strategies only); the best final llf is kept.
    rng : None, int or numpy.random.Generator
        A non-negative seed or a Generator (strategies only).

    Returns
    -------
    GMMResult
        Shapes as in the module notes; ``llf_trace`` never decreases.

    Notes
    -----
    Each step computes the responsibilities (E) then re-estimates the parameters (M);
    :math:`\\ell(\\theta_{t+1}) \\ge \\ell(\\theta_t)` because the M-step maximises the
    expected complete-data log-likelihood, a lower bound that touches :math:`\\ell` at
    :math:`\\theta_t`. The data are centred once, and per-point moments
    :math:`[x, xx^\\top]` are formed once, so an M-step is one matrix product.

    Examples
    --------
    >>> x = [-2.1, -1.9, -2.0, 3.9, 4.1, 4.0]
    >>> res = fit_gmm(x, 2, init=([0.5, 0.5], [-1.0, 1.0], [1.0, 1.0]))
    >>> res.means.round(4).tolist(), res.converged
    ([-2.0, 4.0], True)
    """
    X2, one_d = _data(X)
    n, d = X2.shape
    k = as_int(k, "k", minimum=1)
    if k > n:
        raise ValueError(f"k must be at most the number of observations {n}, got {k}")
    max_iter, n_restarts = as_int(max_iter, "max_iter"), as_int(n_restarts, "n_restarts", minimum=1)
    tol, floor = as_scalar_nonnegative(tol, "tol"), as_scalar_positive(var_floor, "var_floor")
    with np.errstate(over="ignore"):  # data near 1e308: refused just below
        centre = X2.mean(axis=0)  # centring first keeps E[xx^T] - mu mu^T free of cancellation
        Xc = X2 - centre
    if np.abs(Xc).max() > 1e150:  # x x^T and its sums would overflow: EM gives NaN
        raise ValueError(
            f"X spreads up to {np.abs(Xc).max():.3g} around its mean, beyond 1e150: the "
            "covariances would overflow (rescale X)"
        )
    XT = np.ascontiguousarray(Xc.T)
    moments = np.vstack([XT, (XT[:, None, :] * XT[None, :, :]).reshape(d * d, n)])
    generator = as_rng(rng, "rng")
    if init is None or isinstance(init, str):
        strategy = "random" if init is None else init
        if strategy not in ("random", "kmeans++"):
            raise ValueError(f"init must be 'random', 'kmeans++' or starting values, got {init!r}")
        starts = [_initial(Xc, k, strategy, generator) for _ in range(n_restarts)]
    else:
        w, mu, cov = _params(*as_start_values(init, "init"), d, one_d)
        if n_restarts != 1:
            raise ValueError("n_restarts must be 1 when init gives starting values")
        if w.size != k:
            raise ValueError(f"init has {w.size} components but k = {k}")
        starts = [(w, mu - centre, cov)]
    runs = [_run_em(XT, moments, *start, max_iter, tol, floor) for start in starts]
    w, mu, cov, resp, trace, converged = max(runs, key=lambda run: run[4][-1])
    mu = mu + centre
    return GMMResult(
        weights=w,
        means=mu[:, 0] if one_d else mu,
        covs=cov[:, 0, 0] if one_d else cov,
        llf=float(trace[-1]),
        llf_trace=trace,
        n_iter=len(trace) - 1,
        converged=converged,
        resp=resp.T,
    )
