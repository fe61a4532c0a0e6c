"""Comparing fitted models: the likelihood-ratio test, AIC and BIC.

All three start from maximised log-likelihoods (``llf``, as statsmodels names them):
the likelihood-ratio test for nested models, AIC and BIC for any set of models fitted
to the same data (smaller is better).
"""

from __future__ import annotations

import math
from typing import NamedTuple

from scipy import stats

from ._validate import as_int, as_scalar

__all__ = ["LRTResult", "likelihood_ratio_test", "aic", "bic"]


class LRTResult(NamedTuple):
    """Likelihood-ratio test: ``statistic`` = 2 (llf_alt - llf_null), ``df``, ``pvalue``."""

    statistic: float
    df: int
    pvalue: float


def likelihood_ratio_test(llf_null: float, llf_alt: float, df: int) -> LRTResult:
    """Likelihood-ratio test of a nested null model against an alternative.

    Parameters
    ----------
    llf_null, llf_alt, df : float, float, int
        Maximised log-likelihoods of the null (nested) and alternative models, and the
        number of extra free parameters in the alternative.

    Returns
    -------
    LRTResult
        ``pvalue`` from Wilks' :math:`\\chi^2_{df}` approximation. A statistic negative
        only by rounding (within 1e-8 of the llf size) is set to 0; a clearly negative
        one raises ``ValueError``: the models look swapped.

    Examples
    --------
    >>> res = likelihood_ratio_test(-10.0, -8.0, 1)
    >>> res.statistic, round(res.pvalue, 6)
    (4.0, 0.0455)
    """
    null = as_scalar(llf_null, "llf_null")
    alt = as_scalar(llf_alt, "llf_alt")
    df = as_int(df, "df", minimum=1)
    statistic = 2 * (alt - null)
    if statistic < -1e-8 * max(1.0, abs(null), abs(alt)):
        raise ValueError(f"llf_alt ({alt:g}) < llf_null ({null:g}): the models look swapped")
    statistic = max(statistic, 0.0)
    return LRTResult(statistic, df, float(stats.chi2.sf(statistic, df)))


def aic(llf: float, k: int) -> float:
    """Akaike information criterion :math:`2k - 2\\ell`.

    Examples
    --------
    >>> aic(-10.0, 2)
    24.0
    """
    return 2 * as_int(k, "k") - 2 * as_scalar(llf, "llf")


def bic(llf: float, k: int, n: int) -> float:
    """Bayesian information criterion :math:`k \\log n - 2\\ell`.

    Examples
    --------
    >>> round(bic(-10.0, 2, 100), 6)
    29.21034
    """
    k, n = as_int(k, "k"), as_int(n, "n", minimum=1)
    return k * math.log(n) - 2 * as_scalar(llf, "llf")  # math.log: n may exceed int64
