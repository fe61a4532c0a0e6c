"""Fitting benchmarks: logistic regression (IRLS) and Gaussian-mixture EM.

- Logistic-regression MLE, n = 10**5, d = 20, against statsmodels ``Logit`` (Newton) and
  scikit-learn ``LogisticRegression`` (lbfgs, unpenalised via ``C=inf`` since
  ``penalty=None`` is deprecated in 1.8, tolerance tight enough for 1e-6 agreement).
  ``agreement`` is the largest absolute coefficient difference.
- Gaussian-mixture EM, K = 3, d = 2, n = 10**5, against ``GaussianMixture(covariance_type=
  "full")``: the same starting values, ``tol`` (per-observation llf change) and
  ``reg_covar=0`` (our eigenvalue floor does not bind on these data, so the two
  algorithms are the same). Times are per EM iteration; ``agreement`` gives both final
  log-likelihoods (scikit-learn's as ``score(X) * n``).
"""

from __future__ import annotations

import warnings

import numpy as np

from bench._timing import median_time, row
from mlelib.logistic import logistic_regression
from mlelib.mixtures import fit_gmm


def _logistic_rows() -> list[dict]:
    import statsmodels.api as sm
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(20261122)
    n, d = 10**5, 20
    X = np.column_stack([np.ones(n), rng.normal(size=(n, d - 1))])
    beta = rng.normal(0, 0.3, d)
    y = (rng.random(n) < 1 / (1 + np.exp(-X @ beta))).astype(float)

    def ours():
        return logistic_regression(X, y, tol=1e-10).params

    def statsmodels_fit():
        return sm.Logit(y, X).fit(disp=0, method="newton", tol=1e-10).params

    sk = LogisticRegression(
        C=np.inf, fit_intercept=False, solver="lbfgs", tol=1e-10, max_iter=10_000
    )

    def sklearn_fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return sk.fit(X, y).coef_[0]

    b_ours, b_sm, b_sk = ours(), statsmodels_fit(), sklearn_fit()
    t_ours = median_time(ours, repeat=5)
    name = "logistic MLE n=1e5 d=20"
    return [
        row(name, t_ours, "statsmodels Logit newton", median_time(statsmodels_fit, repeat=5),
            f"max|Δβ| = {np.max(np.abs(b_ours - b_sm)):.1e}"),
        row(name, t_ours, "sklearn lbfgs C=inf", median_time(sklearn_fit, repeat=5),
            f"max|Δβ| = {np.max(np.abs(b_ours - b_sk)):.1e}"),
    ]  # fmt: skip


def _gmm_rows() -> list[dict]:
    from sklearn.mixture import GaussianMixture

    rng = np.random.default_rng(7)
    n, k, tol = 10**5, 3, 1e-8
    centres = np.array([[0.0, 0.0], [4.0, 1.0], [-2.0, 5.0]])
    covs = np.array(
        [[[1.0, 0.3], [0.3, 1.0]], [[0.6, -0.2], [-0.2, 1.5]], [[2.0, 0.0], [0.0, 0.4]]]
    )
    labels = rng.choice(k, size=n, p=[0.5, 0.3, 0.2])
    X = centres[labels] + np.einsum(
        "nij,nj->ni", np.linalg.cholesky(covs)[labels], rng.normal(size=(n, 2))
    )
    w0 = np.full(k, 1 / k)
    mu0 = X[rng.choice(n, size=k, replace=False)]
    cov0 = np.repeat(np.cov(X.T, bias=True)[None], k, axis=0)

    def ours():
        return fit_gmm(X, k, init=(w0, mu0, cov0), tol=tol, max_iter=1000)

    def theirs():
        gm = GaussianMixture(
            k, covariance_type="full", weights_init=w0, means_init=mu0,
            precisions_init=np.linalg.inv(cov0), reg_covar=0.0, tol=tol, max_iter=1000,
        )  # fmt: skip
        return gm.fit(X)

    res, gm = ours(), theirs()
    llf_sk = gm.score(X) * n
    t_ours = median_time(ours, repeat=3) / res.n_iter
    t_sk = median_time(theirs, repeat=3, warmup=0) / gm.n_iter_
    agreement = (
        f"llf {res.llf:.6f} vs {llf_sk:.6f} (rel {abs(res.llf - llf_sk) / abs(llf_sk):.1e}); "
        f"{res.n_iter} vs {gm.n_iter_} iterations"
    )
    return [
        row(
            "GMM EM per iteration K=3 d=2 n=1e5", t_ours, "sklearn GaussianMixture", t_sk, agreement
        )
    ]


def run() -> list[dict]:
    return _logistic_rows() + _gmm_rows()
