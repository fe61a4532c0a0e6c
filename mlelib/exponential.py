"""Likelihood of the Exponential distribution for lifetimes, with right censoring.

A right-censored time says "still running when we stopped looking": it adds the
log survival ``-rate * x`` instead of the log density. With ``d`` seen events and
total time ``T`` the log-likelihood is ``d log(rate) - rate T``, whose maximiser
``d / T`` is returned in closed form.
"""

from __future__ import annotations

import numpy as np
from scipy.special import xlogy

from ._scaling import exact, rounded, split
from ._validate import (
    as_data,
    as_int,
    as_label_vector,
    as_scalar_nonnegative,
    as_scalar_positive,
    same_length,
)

__all__ = [
    "exponential_logpdf",
    "exponential_loglik",
    "exponential_nll",
    "exponential_score",
    "exponential_mle",
    "exponential_fisher",
]


def _times(x, observed) -> tuple[np.ndarray, np.ndarray]:
    """Non-negative times and a boolean mask of seen events (all True by default)."""
    x = as_data(x, "x")
    if (x < 0).any():
        raise ValueError(f"x must be non-negative times, got {x[x < 0][0]:g}")
    if observed is None:
        return x, np.ones(x.shape, dtype=bool)
    observed = as_label_vector(observed, "observed", n_classes=2)  # True/False or 1/0
    same_length(x, observed, "x", "observed")
    return x, observed.astype(bool)


def exponential_logpdf(x, rate: float, observed=None) -> np.ndarray:
    """Log-likelihood contribution of each time under Exponential(``rate``).

    Parameters
    ----------
    x : array_like
        Times, ``x >= 0``.
    rate : float
        Event rate (1 / mean lifetime), ``rate >= 0``.
    observed : array_like of bool, optional
        True where the event was seen at ``x``, False where the time is
        right-censored (the unit still ran at ``x``). Default: all seen.

    Returns
    -------
    ndarray
        ``log(rate) - rate x`` (the log density) for a seen event,
        ``-rate x`` (the log survival) for a censored time.

    Examples
    --------
    >>> exponential_logpdf([1.0, 1.0], 2.0, observed=[True, False]).round(6)
    array([-1.306853, -2.      ])
    """
    x, observed = _times(x, observed)
    rate = as_scalar_nonnegative(rate, "rate")
    with np.errstate(over="ignore"):  # rate * x beyond 1e308: the log density is -inf
        return xlogy(observed, rate) - rate * x  # xlogy: rate 0 gives -inf only for events


def exponential_loglik(x, rate: float, observed=None) -> float:
    """Total (censored) Exponential log-likelihood.

    Parameters
    ----------
    x, rate, observed
        As in :func:`exponential_logpdf`.

    Returns
    -------
    float
        ``d log(rate) - rate sum(x)``, with ``d = sum(observed)`` the number of events.

    Examples
    --------
    >>> round(exponential_loglik([1.0, 3.0], 0.5, observed=[True, False]), 6)
    -2.693147
    """
    x, observed = _times(x, observed)
    rate = as_scalar_nonnegative(rate, "rate")
    return float(xlogy(observed.sum(), rate) - _times_total(x, rate))


def _times_total(x: np.ndarray, factor: float) -> float:
    """``factor * sum(x)`` rounded once, without overflowing the sum (see ``_scaling``)."""
    u, e = split(x)
    return rounded(exact(factor) * exact(u.sum()) * exact(2) ** e)


def exponential_nll(x, rate: float, observed=None) -> float:
    """Negative Exponential log-likelihood, ``-exponential_loglik(x, rate, observed)``.

    Examples
    --------
    >>> round(exponential_nll([1.0, 3.0], 0.5), 6)
    3.386294
    """
    return -exponential_loglik(x, rate, observed)


def exponential_score(x, rate: float, observed=None) -> float:
    """Derivative of the log-likelihood in ``rate > 0``: ``d / rate - sum(x)``.

    Exact at any scale (combined as exact fractions); beyond the float range it is ``+-inf``.

    Examples
    --------
    >>> exponential_score([1.0, 3.0], 0.5)
    0.0
    """
    x, observed = _times(x, observed)
    rate = as_scalar_positive(rate, "rate")
    u, e = split(x)
    return rounded(exact(int(observed.sum())) / exact(rate) - exact(u.sum()) * exact(2) ** e)


def exponential_mle(x, observed=None) -> float:
    """The MLE of the rate: events over total time on test, ``d / sum(x)``.

    Parameters
    ----------
    x, observed
        As in :func:`exponential_logpdf`.

    Returns
    -------
    float
        Exactly 0.0 when no event was seen (every time censored).

    Raises
    ------
    ValueError
        If every time is 0: there is no time on test, so the rate is not identified.

    Examples
    --------
    >>> exponential_mle([2.0, 3.0, 5.0], observed=[True, True, False])
    0.2
    """
    x, observed = _times(x, observed)
    u, e = split(x)  # x = u * 2**e: the total time cannot overflow
    if not u.any():
        raise ValueError("x sums to 0: with no time on test the rate MLE does not exist")
    return rounded(exact(int(observed.sum())) / (exact(u.sum()) * exact(2) ** e))


def exponential_fisher(rate: float, n: int = 1) -> float:
    """Expected Fisher information of ``n`` fully observed lifetimes: ``n / rate**2``.

    Notes
    -----
    With censoring the expected information depends on the censoring plan; the
    observed information ``d / rate**2`` (``-`` the derivative of the score) is then
    the usual stand-in. Rounded once: ``inf`` beyond the float range, 0.0 below it.

    Examples
    --------
    >>> exponential_fisher(0.5, n=3)
    12.0
    """
    n, rate = as_int(n, "n", minimum=1), as_scalar_positive(rate, "rate")
    return rounded(exact(n) / exact(rate) ** 2)
