"""The course's derivation exercises, one :class:`Derivation` per graded cell.

A notebook gives the student the symbols (``theta, n, k = bernoulli_score.symbols``) and
checks the cell with ``check_derivation(bernoulli_score, steps)``. Where a derivation has
a natural halfway point it is two exercises, and the second starts from the right result
of the first, so one slip costs one cell.

=====  ================================  ==============================================
 nb    exercise                          from -> to
=====  ================================  ==============================================
 01    ``bernoulli_score``               L(θ) = θ^k (1-θ)^(n-k)  ->  the score
 01    ``bernoulli_mle``                 the score  ->  θ̂ = k/n
 02    ``gaussian_gradient``             NLL(μ, σ), σ = e^s  ->  (∂/∂μ, ∂/∂s)
 03    ``gaussian_variance``             ℓ(μ, σ), μ̂ = x̄  ->  σ̂² = SS/n
 03    ``gaussian_variance_bias``        σ̂² = SS/n  ->  E[σ̂²] = (n-1)σ²/n
 04    ``censored_exponential_mle``      L(λ) with censoring  ->  λ̂ = d/(T_o + T_c)
 05    ``bernoulli_fisher``              -log f(x|θ)  ->  I(θ) = 1/(θ(1-θ))
 05    ``poisson_fisher``                -log f(x|λ)  ->  I(λ) = 1/λ
 05    ``cramer_rao``                    1/(n I(θ))  ->  θ(1-θ)/n
 06    ``beta_bernoulli_map``            posterior  ->  θ̂ = (k+a-1)/(n+a+b-2)
 07    ``mixture_stationarity``          Lagrangian  ->  π₁ = N₁/λ
 07    ``mixture_multiplier``            π₁ + π₂ + π₃ = 1  ->  λ = n
 08    ``bce_gradient``                  BCE(z)  ->  σ(z) - y
=====  ================================  ==============================================
"""

from __future__ import annotations

from sympy import Eq, Symbol, exp, gamma, log, pi, symbols

from ._exercise import Derivation

__all__ = [
    "ALL",
    "bce_gradient",
    "bernoulli_fisher",
    "bernoulli_mle",
    "bernoulli_score",
    "beta_bernoulli_map",
    "censored_exponential_mle",
    "cramer_rao",
    "gaussian_gradient",
    "gaussian_variance",
    "gaussian_variance_bias",
    "mixture_multiplier",
    "mixture_stationarity",
    "poisson_fisher",
]

theta = Symbol("theta", positive=True)
n, k, d = symbols("n k d", positive=True, integer=True)

# --- 01: the Bernoulli score and k/n -------------------------------------------------------

_coin = {"domains": {n: (6, 40), k: (1, n - 1), theta: (0, 1)}, "params": (theta,)}
_score = k / theta - (n - k) / (1 - theta)

bernoulli_score = Derivation(
    "bernoulli_score",
    (n, k, theta),
    theta**k * (1 - theta) ** (n - k),
    _score,
    objective=True,
    **_coin,
)
bernoulli_mle = Derivation("bernoulli_mle", (n, k, theta), _score, Eq(theta, k / n), **_coin)

# --- 02: the gradient of the Gaussian NLL in (mu, log sigma) ------------------------------

mu, s = symbols("mu s", real=True)
sigma = Symbol("sigma", positive=True)
S = Symbol("S", real=True)  # sum of x_i
Q = Symbol("Q", positive=True)  # sum of x_i**2
_squares = Q - 2 * mu * S + n * mu**2  # sum of (x_i - mu)**2

gaussian_gradient = Derivation(
    "gaussian_gradient",
    (n, S, Q, mu, s, sigma),
    n * log(sigma) + _squares / (2 * sigma**2) + n * log(2 * pi) / 2,
    ((n * mu - S) * exp(-2 * s), n - _squares * exp(-2 * s)),
    domains={
        n: (4, 30),
        S: (-20, 20),
        Q: (S**2 / n + 1, S**2 / n + 40),
        mu: (-3, 3),
        s: (-1.5, 1.5),
    },
    params=(mu, s),
    objective=True,
    definitions={sigma: exp(s)},
)

# --- 03: sigma-hat squared, and its bias --------------------------------------------------

xbar = Symbol("xbar", real=True)
SS = Symbol("SS", positive=True)  # sum of (x_i - xbar)**2

gaussian_variance = Derivation(
    "gaussian_variance",
    (n, xbar, SS, mu, sigma),
    -n * log(2 * pi * sigma**2) / 2 - (SS + n * (xbar - mu) ** 2) / (2 * sigma**2),
    Eq(sigma**2, SS / n),
    domains={n: (4, 30), xbar: (-3, 3), SS: (1, 60), mu: (-3, 3), sigma: (0.05, 12)},
    params=(mu, sigma),
    objective=True,
    facts=(Eq(mu, xbar),),
)

gaussian_variance_bias = Derivation(
    "gaussian_variance_bias",
    (n, xbar, Q, mu, sigma, SS),
    SS / n,
    (n - 1) * sigma**2 / n,
    domains={
        n: (4, 30),
        xbar: (-3, 3),
        Q: (n * xbar**2 + 1, n * xbar**2 + 60),
        mu: (-3, 3),
        sigma: (0.2, 5),
    },
    params=(mu, sigma),
    definitions={SS: Q - n * xbar**2},
    expectations={Q: n * (sigma**2 + mu**2), xbar**2: sigma**2 / n + mu**2, xbar: mu},
)

# --- 04: the right-censored exponential ---------------------------------------------------

lam = Symbol("lambda", positive=True)
T_o, T_c = symbols("T_o T_c", positive=True)  # total time of the failed units, of the censored

censored_exponential_mle = Derivation(
    "censored_exponential_mle",
    (d, T_o, T_c, lam),
    lam**d * exp(-lam * T_o) * exp(-lam * T_c),
    Eq(lam, d / (T_o + T_c)),
    domains={d: (1, 20), T_o: (1, 30), T_c: (1, 30), lam: (0.001, 30)},
    params=(lam,),
    objective=True,
    sample_size=d,
)

# --- 05: Fisher information and the Cramér-Rao bound --------------------------------------

x = Symbol("x", real=True)  # one observation; probed off {0, 1} so that x**2 != x shows

bernoulli_fisher = Derivation(
    "bernoulli_fisher",
    (x, theta),
    -(x * log(theta) + (1 - x) * log(1 - theta)),
    1 / (theta * (1 - theta)),
    domains={x: (-2, 3), theta: (0, 1)},
    params=(theta,),
    expectations={x: theta},
)

poisson_fisher = Derivation(
    "poisson_fisher",
    (x, lam),
    -(x * log(lam) - lam - log(gamma(x + 1))),
    1 / lam,
    domains={x: (0.5, 12), lam: (0.1, 20)},
    params=(lam,),
    expectations={x: lam},
)

Info = Symbol("info", positive=True)  # I(theta), the Fisher information

cramer_rao = Derivation(
    "cramer_rao",
    (n, theta, Info),
    1 / (n * Info),
    theta * (1 - theta) / n,
    domains={n: (2, 50), theta: (0, 1)},
    params=(theta,),
    definitions={Info: 1 / (theta * (1 - theta))},
)

# --- 06: the Beta-Bernoulli MAP as pseudo-counts ------------------------------------------

a, b = symbols("a b", positive=True)

beta_bernoulli_map = Derivation(
    "beta_bernoulli_map",
    (n, k, a, b, theta),
    theta**k
    * (1 - theta) ** (n - k)
    * gamma(a + b)
    / (gamma(a) * gamma(b))
    * theta ** (a - 1)
    * (1 - theta) ** (b - 1),
    Eq(theta, (k + a - 1) / (n + a + b - 2)),
    domains={n: (6, 40), k: (1, n - 1), a: (1.1, 6), b: (1.1, 6), theta: (0, 1)},
    params=(theta,),
    objective=True,
)

# --- 07: the M-step for the mixing weights, with a Lagrange multiplier ---------------------

pi1, pi2, pi3 = symbols("pi1 pi2 pi3", positive=True)
N1, N2, N3 = symbols("N1 N2 N3", positive=True)  # summed responsibilities of each component
multiplier = Symbol("lambda", positive=True)
_weights = {
    "domains": {
        N1: (0.5, 30),
        N2: (0.5, 30),
        N3: (0.5, 30),
        pi1: (0, 1),
        pi2: (0, 1),
        pi3: (0, 1),
        multiplier: (0.5, 200),
    },
    "params": (multiplier, pi1, pi2, pi3),
}
_mixture_symbols = (N1, N2, N3, n, pi1, pi2, pi3, multiplier)

mixture_stationarity = Derivation(
    "mixture_stationarity",
    _mixture_symbols,
    N1 * log(pi1) + N2 * log(pi2) + N3 * log(pi3) + multiplier * (1 - pi1 - pi2 - pi3),
    Eq(pi1, N1 / multiplier),
    definitions={n: N1 + N2 + N3},
    **_weights,
)

mixture_multiplier = Derivation(
    "mixture_multiplier",
    _mixture_symbols,
    Eq(pi1 + pi2 + pi3, 1),
    Eq(multiplier, n),
    definitions={n: N1 + N2 + N3},
    facts=(Eq(pi1, N1 / multiplier), Eq(pi2, N2 / multiplier), Eq(pi3, N3 / multiplier)),
    **_weights,
)

# --- 08: the gradient of binary cross-entropy on the logit --------------------------------

z = Symbol("z", real=True)
y = Symbol("y", real=True)
_sig = 1 / (1 + exp(-z))

bce_gradient = Derivation(
    "bce_gradient",
    (z, y),
    -(y * log(_sig) + (1 - y) * log(1 - _sig)),
    _sig - y,
    domains={z: (-4, 4), y: (0, 1)},
    params=(z,),
)

ALL = (
    bernoulli_score,
    bernoulli_mle,
    gaussian_gradient,
    gaussian_variance,
    gaussian_variance_bias,
    censored_exponential_mle,
    bernoulli_fisher,
    poisson_fisher,
    cramer_rao,
    beta_bernoulli_map,
    mixture_stationarity,
    mixture_multiplier,
    bce_gradient,
)
