"""Likelihood of the Categorical distribution: class labels ``0..K-1`` with probabilities ``p``.

The total is written with the class counts ``c_j``, the sufficient statistic, so it
costs one ``bincount``. The score and Fisher information are in the ``K - 1`` free
probabilities (the last one is ``1 - sum`` of the others); an unseen class has MLE
exactly 0.0.
"""

from __future__ import annotations

import numpy as np
from scipy.special import xlogy

from ._scaling import exact, rounded
from ._validate import as_int, as_label_vector, as_probability

__all__ = [
    "categorical_logpmf",
    "categorical_loglik",
    "categorical_nll",
    "categorical_score",
    "categorical_mle",
    "categorical_fisher",
]


def _simplex(value, name: str = "p") -> np.ndarray:
    p = as_probability(value, name)
    if p.ndim != 1 or p.size < 2:
        raise ValueError(f"{name} must be a 1-D vector of at least 2 probabilities, got {p.shape}")
    if abs(p.sum() - 1.0) > 1e-9:
        raise ValueError(f"{name} must sum to 1, got {p.sum():.12g}")
    return p


def categorical_logpmf(x, p) -> np.ndarray:
    """Log-probability ``log p[x]`` of each class label ``x`` in ``0..K-1``.

    Parameters
    ----------
    x : array_like of int
        Labels.
    p : array_like, shape (K,)
        Class probabilities summing to 1; a class with ``p = 0`` gets ``-inf``.

    Returns
    -------
    ndarray

    Examples
    --------
    >>> categorical_logpmf([0, 2], [0.5, 0.5, 0.0])
    array([-0.69314718,        -inf])
    """
    p = _simplex(p)
    x = as_label_vector(x, "x", n_classes=p.size)
    with np.errstate(divide="ignore"):  # log 0 = -inf is the right answer here
        return np.log(p)[x]


def categorical_loglik(x, p) -> float:
    """Total Categorical log-likelihood ``sum_j c_j log p_j`` (``c_j`` = class counts).

    Examples
    --------
    >>> round(categorical_loglik([0, 1, 1], [0.5, 0.5, 0.0]), 6)
    -2.079442
    """
    p = _simplex(p)
    counts = np.bincount(as_label_vector(x, "x", n_classes=p.size), minlength=p.size)
    return float(xlogy(counts, p).sum())  # 0 log 0 = 0 for unseen impossible classes


def categorical_nll(x, p) -> float:
    """Negative Categorical log-likelihood, ``-categorical_loglik(x, p)``.

    Examples
    --------
    >>> round(categorical_nll([0, 1], [0.5, 0.5]), 6)
    1.386294
    """
    return -categorical_loglik(x, p)


def categorical_score(x, p) -> np.ndarray:
    """Gradient of the log-likelihood in the ``K - 1`` free probabilities.

    Parameters
    ----------
    x : array_like of int
        Labels in ``0..K-1``.
    p : array_like, shape (K,)
        Class probabilities, all strictly positive.

    Returns
    -------
    ndarray, shape (K - 1,)
        ``c_j / p_j - c_{K-1} / p_{K-1}`` for ``j = 0..K-2``.

    Notes
    -----
    Parametrisation: the free parameters are ``p_0..p_{K-2}`` and the last
    probability is ``p_{K-1} = 1 - sum`` of the others, so the sum constraint holds.

    Examples
    --------
    >>> categorical_score([0, 0, 1], [0.5, 0.5])
    array([2.])
    """
    p = _interior_simplex(p)
    c = np.bincount(as_label_vector(x, "x", n_classes=p.size), minlength=p.size)
    last = exact(int(c[-1])) / exact(p[-1])  # exact: no inf - inf when two p_j are tiny
    pairs = zip(c[:-1], p[:-1], strict=True)
    return np.array([rounded(exact(int(cj)) / exact(pj) - last) for cj, pj in pairs])


def _interior_simplex(p) -> np.ndarray:
    p = _simplex(p)
    if (p == 0).any():
        raise ValueError("p must be strictly positive here: the score is infinite at p_j = 0")
    return p


def categorical_mle(x, n_classes: int | None = None) -> np.ndarray:
    """The MLE of ``p``: the class frequencies (exactly 0.0 for unseen classes).

    Parameters
    ----------
    x : array_like of int
        Labels in ``0..K-1``.
    n_classes : int, optional
        ``K``; by default ``max(x) + 1`` (at least 2).

    Returns
    -------
    ndarray, shape (K,)

    Examples
    --------
    >>> categorical_mle([0, 2, 2, 2], n_classes=4)
    array([0.25, 0.  , 0.75, 0.  ])
    """
    if n_classes is not None:
        n_classes = as_int(n_classes, "n_classes", minimum=2)
    x = as_label_vector(x, "x", n_classes=n_classes)
    return np.bincount(x, minlength=n_classes or 2) / x.size


def categorical_fisher(p, n: int = 1) -> np.ndarray:
    """Expected Fisher information in the ``K - 1`` free probabilities.

    Returns
    -------
    ndarray, shape (K - 1, K - 1)
        ``n (diag(1 / p_j) + 1 / p_{K-1})`` over ``j = 0..K-2`` (parametrisation as in
        :func:`categorical_score`). Its inverse is ``(diag(p) - p p^T) / n``, the
        multinomial covariance of the free frequencies.

    Examples
    --------
    >>> categorical_fisher([0.5, 0.5], n=10)
    array([[40.]])
    """
    p, n = _interior_simplex(p), as_int(n, "n", minimum=1)
    with np.errstate(over="ignore"):  # 1 / p_j beyond the float range is inf
        return n * (np.diag(1.0 / p[:-1]) + 1.0 / p[-1])
