"""mlelib: the course's reference library for maximum likelihood estimation.

Pure numpy/scipy. Every graded exercise in the course is compared with a
function from here, and every function here is tested against scipy.stats,
statsmodels, scikit-learn or a closed form.

At the edges of the float range (data or parameters near 1e-300 or 1e300) every answer
is the exact value rounded once to a float: ``inf`` when it is beyond the range, 0.0
when it is below it, or a ``ValueError`` that says which number cannot be represented.
Never NaN, and never a Python ``OverflowError`` or ``ZeroDivisionError``
(``mlelib/_scaling.py`` says how). Bad arguments get a ``TypeError`` or ``ValueError``
that names the argument.
"""

from .bernoulli import (
    bernoulli_fisher,
    bernoulli_loglik,
    bernoulli_logpmf,
    bernoulli_mle,
    bernoulli_nll,
    bernoulli_score,
)
from .binomial import (
    binomial_fisher,
    binomial_loglik,
    binomial_logpmf,
    binomial_mle,
    binomial_nll,
    binomial_score,
)
from .categorical import (
    categorical_fisher,
    categorical_loglik,
    categorical_logpmf,
    categorical_mle,
    categorical_nll,
    categorical_score,
)
from .comparison import (
    LRTResult,
    aic,
    bic,
    likelihood_ratio_test,
)
from .exponential import (
    exponential_fisher,
    exponential_loglik,
    exponential_logpdf,
    exponential_mle,
    exponential_nll,
    exponential_score,
)
from .gamma import (
    gamma_fisher,
    gamma_loglik,
    gamma_logpdf,
    gamma_mle,
    gamma_nll,
    gamma_score,
)
from .gaussian import (
    gaussian_fisher,
    gaussian_loglik,
    gaussian_logpdf,
    gaussian_mle,
    gaussian_nll,
    gaussian_score,
)
from .information import (
    observed_information,
    standard_errors,
)
from .intervals import (
    profile_likelihood_interval,
    wald_interval,
)
from .laplace import (
    laplace_fisher,
    laplace_loglik,
    laplace_logpdf,
    laplace_mle,
    laplace_nll,
    laplace_score,
)
from .linear import (
    lasso_map,
    linear_regression_mle,
    ridge_map,
)
from .logistic import (
    PerfectSeparationWarning,
    logistic_regression,
)
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    gaussian_nll_loss,
    log_softmax,
    mse,
    poisson_nll_loss,
)
from .minimize import (
    minimize_nll,
)
from .mixtures import (
    GMMResult,
    fit_gmm,
    gmm_e_step,
    gmm_log_likelihood,
    gmm_m_step,
)
from .multivariate import (
    mvn_fisher,
    mvn_loglik,
    mvn_logpdf,
    mvn_mle,
    mvn_nll,
    mvn_score,
)
from .optimize import (
    gradient_descent,
    newton_method,
)
from .poisson import (
    poisson_fisher,
    poisson_loglik,
    poisson_logpmf,
    poisson_mle,
    poisson_nll,
    poisson_score,
)
from .priors import (
    beta_bernoulli_map,
    beta_bernoulli_posterior,
    beta_log_prior,
    dirichlet_log_prior,
    gaussian_log_prior,
    laplace_log_prior,
)
from .results import (
    OptimizeResult,
)

__all__ = [
    "GMMResult",
    "LRTResult",
    "OptimizeResult",
    "PerfectSeparationWarning",
    "aic",
    "bernoulli_fisher",
    "bernoulli_loglik",
    "bernoulli_logpmf",
    "bernoulli_mle",
    "bernoulli_nll",
    "bernoulli_score",
    "beta_bernoulli_map",
    "beta_bernoulli_posterior",
    "beta_log_prior",
    "bic",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "binomial_fisher",
    "binomial_loglik",
    "binomial_logpmf",
    "binomial_mle",
    "binomial_nll",
    "binomial_score",
    "categorical_fisher",
    "categorical_loglik",
    "categorical_logpmf",
    "categorical_mle",
    "categorical_nll",
    "categorical_score",
    "cross_entropy",
    "dirichlet_log_prior",
    "exponential_fisher",
    "exponential_loglik",
    "exponential_logpdf",
    "exponential_mle",
    "exponential_nll",
    "exponential_score",
    "fit_gmm",
    "gamma_fisher",
    "gamma_loglik",
    "gamma_logpdf",
    "gamma_mle",
    "gamma_nll",
    "gamma_score",
    "gaussian_fisher",
    "gaussian_log_prior",
    "gaussian_loglik",
    "gaussian_logpdf",
    "gaussian_mle",
    "gaussian_nll",
    "gaussian_nll_loss",
    "gaussian_score",
    "gmm_e_step",
    "gmm_log_likelihood",
    "gmm_m_step",
    "gradient_descent",
    "laplace_fisher",
    "laplace_log_prior",
    "laplace_loglik",
    "laplace_logpdf",
    "laplace_mle",
    "laplace_nll",
    "laplace_score",
    "lasso_map",
    "likelihood_ratio_test",
    "linear_regression_mle",
    "log_softmax",
    "logistic_regression",
    "minimize_nll",
    "mse",
    "mvn_fisher",
    "mvn_loglik",
    "mvn_logpdf",
    "mvn_mle",
    "mvn_nll",
    "mvn_score",
    "newton_method",
    "observed_information",
    "poisson_fisher",
    "poisson_loglik",
    "poisson_logpmf",
    "poisson_mle",
    "poisson_nll",
    "poisson_nll_loss",
    "poisson_score",
    "profile_likelihood_interval",
    "ridge_map",
    "standard_errors",
    "wald_interval",
]
