"""Log-priors and the Beta-Bernoulli posterior: MAP = maximise log-likelihood + log-prior.

A Gaussian prior on weights is L2 regularisation (ridge), a Laplace prior is L1 (lasso),
and a Beta(a, b) prior on a coin's p acts like a - 1 extra heads and b - 1 extra tails.
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaln, gammaln, xlog1py, xlogy

from ._constants import LOG_2PI
from ._validate import as_finite, as_label_vector, as_positive, as_probability, as_scalar_positive

__all__ = [
    "beta_log_prior",
    "gaussian_log_prior",
    "laplace_log_prior",
    "dirichlet_log_prior",
    "beta_bernoulli_posterior",
    "beta_bernoulli_map",
]


def beta_log_prior(p, a: float, b: float):
    """Beta(a, b) log density at ``p``, elementwise (a float for a scalar ``p``).

    Notes
    -----
    :math:`(a-1)\\log p + (b-1)\\log(1-p) - \\log B(a, b)`, with ``xlogy``/``xlog1py``
    so that a = 1 at p = 0 (or b = 1 at p = 1) gives the finite value, not NaN.

    Examples
    --------
    >>> beta_log_prior(0.0, 1.0, 1.0)   # the uniform prior
    0.0
    >>> round(beta_log_prior(0.5, 2.0, 2.0), 6)   # 6 p (1 - p) at 1/2 = 1.5
    0.405465
    """
    p = as_probability(p, "p")
    a, b = as_scalar_positive(a, "a"), as_scalar_positive(b, "b")
    with np.errstate(over="ignore"):
        out = xlogy(a - 1, p) + xlog1py(b - 1, -p) - betaln(a, b)
    if np.isnan(out).any():
        raise ValueError(f"a = {a:g} and b = {b:g} are too large for the Beta log density here")
    return float(out) if out.ndim == 0 else out


def gaussian_log_prior(w, scale: float) -> float:
    """Sum over ``w`` of :math:`N(0, \\mathrm{scale}^2)` log densities (an L2 penalty).

    Notes
    -----
    :math:`-\\frac{\\lVert w\\rVert^2}{2 s^2} - m \\log s - \\frac m2 \\log 2\\pi` for
    ``m`` weights: up to a constant, minus the ridge penalty with
    :math:`\\lambda = 1/(2 s^2)`.

    Examples
    --------
    >>> round(gaussian_log_prior([0.0, 1.0], 1.0), 6)
    -2.337877
    """
    w = as_finite(w, "w")
    s = as_scalar_positive(scale, "scale")
    with np.errstate(over="ignore"):  # (w / s)**2 beyond 1e308: the log density is -inf
        z2 = np.sum((w / s) ** 2)  # standardise first: s**2 underflows at s = 1e-200
    return float(-0.5 * z2 - w.size * (np.log(s) + 0.5 * LOG_2PI))


def laplace_log_prior(w, scale: float) -> float:
    """Sum over ``w`` of Laplace(0, scale) log densities (an L1 penalty).

    Notes
    -----
    :math:`-\\lVert w\\rVert_1 / b - m \\log(2b)` for ``m`` weights.

    Examples
    --------
    >>> round(laplace_log_prior([0.0, -2.0], 1.0), 6)
    -3.386294
    """
    w = as_finite(w, "w")
    b = as_scalar_positive(scale, "scale")
    with np.errstate(over="ignore"):  # |w| / b beyond 1e308: the log density is -inf
        z = np.sum(np.abs(w) / b)
    return float(-z - w.size * (np.log(2.0) + np.log(b)))


def dirichlet_log_prior(p, alpha) -> float:
    """Dirichlet(alpha) log density of a probability vector ``p``.

    Notes
    -----
    :math:`\\log\\Gamma(\\sum_k\\alpha_k) - \\sum_k \\log\\Gamma(\\alpha_k) +
    \\sum_k (\\alpha_k - 1)\\log p_k`; ``p`` must sum to 1 (to 1e-10).

    Examples
    --------
    >>> round(dirichlet_log_prior([0.2, 0.3, 0.5], [1.0, 1.0, 1.0]), 6)   # log 2!
    0.693147
    """
    p = as_probability(p, "p")
    alpha = as_positive(alpha, "alpha")
    if p.ndim != 1 or p.size < 2:
        raise ValueError(f"p must be a vector of at least 2 probabilities, got shape {p.shape}")
    if alpha.shape != p.shape:
        raise ValueError(f"alpha must have the shape of p {p.shape}, got {alpha.shape}")
    if abs(p.sum() - 1) > 1e-10:
        raise ValueError(f"p must sum to 1, got {p.sum():.12g}")
    with np.errstate(over="ignore", invalid="ignore"):
        out = gammaln(alpha.sum()) - gammaln(alpha).sum() + xlogy(alpha - 1, p).sum()
    if np.isnan(out):  # gammaln of a sum beyond 1e308, less the gammalns of its parts
        raise ValueError("alpha is too large (or too small) for the Dirichlet log density here")
    return float(out)


def beta_bernoulli_posterior(x, a: float, b: float) -> tuple[float, float]:
    """Posterior Beta parameters after coin flips ``x`` under a Beta(a, b) prior.

    Notes
    -----
    Conjugacy: with ``k`` heads in ``n`` flips the posterior is Beta(a + k, b + n - k).
    No flips (``x`` empty) leave the prior, Beta(a, b).

    Examples
    --------
    >>> beta_bernoulli_posterior([1, 1, 0], 2.0, 2.0)
    (4.0, 3.0)
    """
    x = as_label_vector(x, "x", n_classes=2, empty_ok=True)
    a, b = as_scalar_positive(a, "a"), as_scalar_positive(b, "b")
    k = float(x.sum())
    return a + k, b + x.size - k


def beta_bernoulli_map(x, a: float, b: float) -> float:
    """MAP estimate of a coin's p: the mode of the Beta posterior.

    Notes
    -----
    With :math:`A = a + k` and :math:`B = b + n - k` the mode is
    :math:`(A - 1)/(A + B - 2)` when A > 1 and B > 1. Otherwise it is on the boundary and
    returned exactly: 0.0 if :math:`A \\le 1` (the density does not increase in p), 1.0 if
    :math:`B \\le 1`. With a = b = 1 (a flat prior) the MAP is the MLE k / n. With no flips
    (``x`` empty) it is the prior's own mode; a prior with a <= 1 and b <= 1 has none (flat,
    or highest at both ends), and then a ``ValueError`` says so. After one flip or more, A and
    B cannot both be <= 1.

    Examples
    --------
    >>> beta_bernoulli_map([1, 1, 1], 2.0, 2.0)   # all heads: pulled away from 1
    0.8
    >>> beta_bernoulli_map([1, 1, 1], 1.0, 1.0), beta_bernoulli_map([0, 0], 0.5, 3.0)
    (1.0, 0.0)
    """
    a_post, b_post = beta_bernoulli_posterior(x, a, b)
    if a_post <= 1 and b_post <= 1:  # only without data
        raise ValueError(
            f"x is empty and the prior Beta(a={a_post:g}, b={b_post:g}) has no single mode "
            "(a <= 1 and b <= 1: flat, or highest at both ends): the MAP is not defined"
        )
    if a_post <= 1:
        return 0.0
    if b_post <= 1:
        return 1.0
    return (a_post - 1) / (a_post + b_post - 2)
