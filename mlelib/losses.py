"""Machine-learning losses are mean negative log-likelihoods.

Each loss is a MEAN over observations (PyTorch's ``reduction="mean"``). Compared with
the exact mean NLL of the matching model, some leave out a constant:

=====================  ============================  ==================  ===================
loss                   model                         left out vs exact   vs PyTorch
=====================  ============================  ==================  ===================
binary_cross_entropy   Bernoulli(p)                  nothing             clamps log at -100
bce_with_logits        Bernoulli(expit(logits))      nothing             BCEWithLogitsLoss
cross_entropy          Categorical(softmax(logits))  nothing             CrossEntropyLoss
mse                    N(y_pred, 1)                  NLL = mse/2 + c     MSELoss
gaussian_nll_loss      N(mean, var)                  c unless full=True  GaussianNLLLoss (1)
poisson_nll_loss       Poisson(exp(log_rate))        mean log y! unless  PoissonNLLLoss (2)
                                                     full=True
=====================  ============================  ==================  ===================

Here ``bce_with_logits`` is ``binary_cross_entropy_with_logits`` and c = log(2 pi) / 2.
(1) PyTorch also clamps ``var`` at eps = 1e-6; we refuse a non-positive variance instead.
(2) ``log_input=True``; with ``full=True`` PyTorch adds Stirling's approximation
y log y - y + log(2 pi y) / 2 of log y! (for y > 1 only); we add the exact ``gammaln(y + 1)``.

So ``mse(y, m) = 2 * (gaussian NLL with sigma = 1) - log(2 pi)`` per observation, and a
constant shift or positive scale never moves the minimiser: the MLE is the same.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln, log_expit, logsumexp, xlog1py, xlogy
from scipy.special import log_softmax as _log_softmax

from ._arguments import as_axis, as_bool
from ._constants import LOG_2PI
from ._scaling import safe_mean
from ._validate import as_counts, as_finite, as_labels, as_positive, as_probability

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "log_softmax",
    "cross_entropy",
    "mse",
    "gaussian_nll_loss",
    "poisson_nll_loss",
]


def _pair(a, b, name_a: str, name_b: str):
    """Broadcast two checked arrays, refusing a shape mismatch and empty input."""
    try:
        a, b = np.broadcast_arrays(a, b)
    except ValueError:
        raise ValueError(
            f"{name_a} and {name_b} have incompatible shapes {np.shape(a)} and {np.shape(b)}"
        ) from None
    if a.size == 0:
        raise ValueError(f"{name_a} is empty: at least one observation is needed")
    return a, b


def binary_cross_entropy(y, p) -> float:
    """Mean Bernoulli NLL from probabilities.

    Notes
    -----
    :math:`-\\frac1n\\sum_i [y_i \\log p_i + (1-y_i)\\log(1-p_i)]`. ``xlogy``/``xlog1py``
    make :math:`0 \\log 0 = 0`, so p = 0 or 1 is fine when the data allow it and gives
    ``inf`` (never NaN) when they do not. ``y`` may be soft labels in [0, 1].

    Examples
    --------
    >>> round(binary_cross_entropy([1, 0, 1], [0.9, 0.2, 0.6]), 6)
    0.279777
    >>> binary_cross_entropy([1, 0], [1.0, 0.0]), binary_cross_entropy([1], [0.0])
    (0.0, inf)
    """
    y, p = _pair(as_probability(y, "y"), as_probability(p, "p"), "y", "p")
    return float(-np.mean(xlogy(y, p) + xlog1py(1 - y, -p))) + 0.0  # + 0.0 turns -0.0 into 0.0


def binary_cross_entropy_with_logits(y, logits) -> float:
    """Mean Bernoulli NLL from logits :math:`z = \\log(p / (1-p))`.

    Notes
    -----
    :math:`-\\frac1n\\sum_i [y_i \\log\\sigma(z_i) + (1-y_i)\\log\\sigma(-z_i)]` with
    ``log_expit``, which never forms :math:`\\sigma(z)` itself: for z = -1000,
    :math:`\\sigma(z)` underflows to 0 but :math:`\\log\\sigma(z) = -1000` is exact.

    Examples
    --------
    >>> binary_cross_entropy_with_logits([1, 0], [1000.0, -1000.0])
    0.0
    >>> binary_cross_entropy_with_logits([0], [1000.0])
    1000.0
    """
    y, z = _pair(as_probability(y, "y"), as_finite(logits, "logits"), "y", "logits")
    return -safe_mean(y * log_expit(z) + (1 - y) * log_expit(-z)) + 0.0


def log_softmax(logits, axis: int = -1) -> np.ndarray:
    """Log-probabilities :math:`z_k - \\log\\sum_j e^{z_j}` along ``axis``.

    Notes
    -----
    Computed as :math:`(z_k - m) - \\log\\sum_j e^{z_j - m}` with :math:`m = \\max_j z_j`
    (log-sum-exp), so logits of +-1000 neither overflow nor give NaN.

    Examples
    --------
    >>> log_softmax([1000.0, 1000.0]).tolist() == [-np.log(2)] * 2
    True
    """
    z = as_finite(logits, "logits")
    if z.ndim == 0 or z.size == 0:
        raise ValueError(f"logits must be a non-empty array, got shape {z.shape}")
    axis = as_axis(axis, "axis", z.ndim)
    with np.errstate(over="ignore"):  # z - max(z) below -1.8e308: log-probability -inf
        return _log_softmax(z, axis=axis)


def cross_entropy(logits, y) -> float:
    """Mean categorical NLL of labels ``y`` under ``softmax(logits)``.

    Parameters
    ----------
    logits : array_like, shape (n, K) (or (K,) for one observation)
    y : array_like of int, shape (n,)
        Labels in 0..K-1.

    Notes
    -----
    :math:`-\\frac1n\\sum_i \\mathrm{log\\_softmax}(z_i)_{y_i}`.

    Examples
    --------
    >>> round(cross_entropy([[2.0, 0.0, -1.0], [0.0, 0.0, 0.0]], [0, 2]), 6)
    0.634229
    """
    z = as_finite(logits, "logits")
    if z.ndim == 1:
        z = z[None, :]
    if z.ndim != 2 or z.size == 0:
        raise ValueError(f"logits must have shape (n, K), got {z.shape}")
    labels = as_labels(y, "y", n_classes=z.shape[1])
    if labels.shape != (z.shape[0],):
        raise ValueError(f"y must have shape ({z.shape[0]},) to match logits, got {labels.shape}")
    with np.errstate(over="ignore"):  # z - max(z) below -1.8e308: log-probability -inf
        log_p = _log_softmax(z, axis=1)
    return -safe_mean(log_p[np.arange(len(labels)), labels]) + 0.0


def mse(y, y_pred) -> float:
    """Mean squared error :math:`\\frac1n\\sum_i (y_i - \\hat y_i)^2`.

    Notes
    -----
    The mean Gaussian NLL with unit variance is ``mse / 2 + log(2 pi) / 2``.

    Examples
    --------
    >>> mse([1.0, 2.0], [0.0, 4.0])
    2.5
    """
    y, y_pred = _pair(as_finite(y, "y"), as_finite(y_pred, "y_pred"), "y", "y_pred")
    with np.errstate(over="ignore"):  # a squared error beyond 1e308 is inf
        return safe_mean((y - y_pred) ** 2)


def gaussian_nll_loss(y, mean, var, full: bool = False) -> float:
    """Mean Gaussian NLL with a given variance (scalar or per point), PyTorch's convention.

    Notes
    -----
    :math:`\\frac1n\\sum_i \\tfrac12[\\log v_i + (y_i - \\mu_i)^2 / v_i]`, plus
    :math:`\\tfrac12\\log 2\\pi` only when ``full=True`` (then it is the exact mean NLL).

    Examples
    --------
    >>> bool(np.isclose(gaussian_nll_loss([1.0, 3.0], [1.0, 1.0], 4.0), 0.5 * (np.log(4) + 0.5)))
    True
    """
    y, mean = _pair(as_finite(y, "y"), as_finite(mean, "mean"), "y", "mean")
    y, var = _pair(y, as_positive(var, "var"), "y", "var")
    full = as_bool(full, "full")
    mean = np.broadcast_to(mean, y.shape)
    with np.errstate(over="ignore"):  # (y - mean)**2 / var beyond 1e308 is inf
        r = y - mean
        loss = 0.5 * safe_mean(np.log(var) + r * (r / var))  # r * (r / var): r**2 may overflow
    return float(loss + 0.5 * LOG_2PI if full else loss)


def _log_of_log_factorial(y: np.ndarray, log_fact: np.ndarray) -> np.ndarray:
    """``log(log_fact)`` with ``log_fact = log y!`` (or 0), also where ``gammaln(y + 1)``
    overflowed (``y`` above about 1e305): there from Stirling's ``y log y - y + log(2 pi y) / 2``,
    whose next term, ``1 / (12 y)``, is far below its rounding."""
    with np.errstate(divide="ignore"):
        out = np.log(log_fact)
    big = np.isinf(log_fact)
    if big.any():
        yb = y[big]
        log_y = np.log(yb)
        out[big] = log_y + np.log(log_y - 1 + 0.5 * (np.log(2 * np.pi) + log_y) / yb)
    return out


def poisson_nll_loss(y, log_rate, full: bool = False) -> float:
    """Mean Poisson NLL from the log-rate, PyTorch's ``PoissonNLLLoss(log_input=True)``.

    Notes
    -----
    :math:`\\frac1n\\sum_i [e^{\\eta_i} - y_i \\eta_i]`, plus the exact
    :math:`\\log y_i! = \\mathrm{gammaln}(y_i + 1)` when ``full=True`` (then it is the
    exact mean NLL; PyTorch adds Stirling's approximation instead). Working with
    :math:`\\eta = \\log\\lambda` keeps the rate positive; a huge :math:`\\eta` gives an
    honest ``inf``, also where :math:`e^{\\eta}` and :math:`y\\eta` both leave the float range
    (their difference is then summed from logarithms, never ``inf - inf``).

    Examples
    --------
    >>> poisson_nll_loss([0, 2], [0.0, 0.0])
    1.0
    """
    y, eta = _pair(as_counts(y, "y"), as_finite(log_rate, "log_rate"), "y", "log_rate")
    full = as_bool(full, "full")
    log_fact = gammaln(y + 1) if full else np.zeros_like(y)
    with np.errstate(over="ignore", invalid="ignore"):
        loss = float(np.mean(np.exp(eta) - y * eta + log_fact))
    if np.isfinite(loss):
        return loss
    # Past the float range (exp(eta) or y * eta overflowed) the direct sum can be inf - inf.
    # Then the mean of the three terms of every i, e^eta, -y eta and log y!, is summed from
    # their logarithms and signs (a signed logsumexp): +-inf only where the exact value is.
    with np.errstate(divide="ignore"):  # log 0 = -inf: a term that is 0
        logs = [eta, np.log(y) + np.log(np.abs(eta)), _log_of_log_factorial(y, log_fact)]
    signs = [np.ones_like(eta), -np.sign(eta), np.ones_like(eta)]
    log_abs, sign = logsumexp(np.concatenate(logs), b=np.concatenate(signs), return_sign=True)
    with np.errstate(over="ignore"):
        return float(sign * np.exp(log_abs - np.log(y.size)))
