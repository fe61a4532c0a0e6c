"""The numerical kernels of Gaussian-mixture EM (private to :mod:`mlelib.mixtures`).

Shapes are component-major: data ``XT`` are (d, n), log-joints and responsibilities
(k, n), so that every sum over components is a fast row operation. Each kernel
assumes arguments already checked by :mod:`mlelib.mixtures`.
"""

from __future__ import annotations

import numpy as np

from ._constants import LOG_2PI

__all__ = [
    "log_joint",
    "normalise",
    "defined_responsibilities",
    "floor_eigenvalues",
    "m_step_moments",
]


def log_joint(XT: np.ndarray, w, mu, cov) -> np.ndarray:
    """log w_k + log N(x_i | mu_k, cov_k) for data XT of shape (d, n); returns (k, n)."""
    d, n = XT.shape
    k = w.size
    try:
        chol = np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        raise ValueError("covs must be positive definite") from None
    # With cov = L L^T the Mahalanobis distance is |z|^2, z = L^-1 x - L^-1 mu. The (d, d)
    # algebra is done once per component; the big arrays only see multiply-adds, laid out
    # component-major (k, n) so that every sum over components is a fast row operation.
    a = np.linalg.inv(chol)
    shift = np.einsum("kje,ke->kj", a, mu)
    log_det = np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)  # = 0.5 log|cov|
    with np.errstate(divide="ignore"):  # a weight of 0 is a component that never fires
        const = np.log(w) - log_det - 0.5 * d * LOG_2PI
    out = np.empty((k, n))
    with np.errstate(over="ignore"):  # a Mahalanobis distance beyond 1e308: log density -inf
        return _fill_log_joint(out, XT, a, shift, const, d, k, n)


def _fill_log_joint(out, XT, a, shift, const, d, k, n):
    if d > 8:  # many dimensions: one BLAS product is worth it
        z = (a.reshape(k * d, d) @ XT).reshape(k, d, n) - shift[:, :, None]
        np.einsum("kdn,kdn->kn", z, z, out=out)
        return const[:, None] - 0.5 * out
    for c in range(k):
        maha = np.zeros(n)
        for j in range(d):
            z = a[c, j, 0] * XT[0]
            for e in range(1, j + 1):  # L^-1 is lower triangular
                z += a[c, j, e] * XT[e]
            z -= shift[c, j]
            maha += z * z
        out[c] = const[c] - 0.5 * maha
    return out


def normalise(log_joint: np.ndarray) -> tuple[np.ndarray, float]:
    """Responsibilities (k, n) and total log-likelihood by log-sum-exp over components.

    A point whose log-joint is -inf for every component (its Mahalanobis distances overflow)
    makes the log-likelihood -inf and has NaN responsibilities, which the callers refuse.
    """
    # exp(log_joint) underflows to 0 for far-away points (log densities of -1000 are
    # common); subtracting the maximum over components first keeps the largest term at 1.
    top = log_joint.max(axis=0)
    lost = np.isneginf(top)  # beyond the float range from every component: no responsibilities
    if lost.any():
        resp = np.full(log_joint.shape, np.nan)
        if not lost.all():
            resp[:, ~lost] = normalise(log_joint[:, ~lost])[0]
        return resp, -np.inf  # the log-likelihood is below the float range: -inf
    resp = np.exp(log_joint - top)
    total = resp.sum(axis=0)
    resp /= total
    return resp, float(np.sum(np.log(total)) + np.sum(top))


def defined_responsibilities(resp: np.ndarray) -> np.ndarray:
    """``resp`` (k, n), refusing the NaN columns :func:`normalise` leaves for lost points."""
    if np.isnan(resp).any():
        i = int(np.flatnonzero(np.isnan(resp).any(axis=0))[0])
        raise ValueError(
            f"X[{i}] is so far from every component (a Mahalanobis distance beyond 1e308) that "
            "its responsibilities are not defined in floating point: rescale X or the covs"
        )
    return resp


def floor_eigenvalues(cov: np.ndarray, var_floor: float) -> np.ndarray:
    """Each covariance with its eigenvalues raised to at least ``var_floor`` (same eigenvectors)."""
    cov = 0.5 * (cov + cov.transpose(0, 2, 1))
    vals, vecs = np.linalg.eigh(cov)
    low = vals.min(axis=1) < var_floor
    if low.any():  # raise small eigenvalues, keep the eigenvectors
        v, e = vecs[low], np.maximum(vals[low], var_floor)
        cov[low] = np.einsum("kij,kj,klj->kil", v, e, v)
    return cov


def m_step_moments(moments: np.ndarray, resp: np.ndarray, d: int, floor: float):
    """M-step from per-point moments [x, vec(x x^T)] of shape (m, n) and resp (k, n)."""
    nk = resp.sum(axis=1) + 10 * np.finfo(float).eps
    sums = np.einsum("kn,mn->km", resp, moments) / nk[:, None]
    mu = sums[:, :d]
    cov = sums[:, d:].reshape(-1, d, d) - mu[:, :, None] * mu[:, None, :]
    return nk / nk.sum(), mu, floor_eigenvalues(cov, floor)
