"""course.derivations: a catalogue of right and wrong derivations for every exercise.

For each of the eight exercises (13 graded cells): the derivation as the notebook teaches
it, an unusual but correct form, a slip in a middle step, a right answer reached by wrong
working, and the known slips with their diagnosis. Every case runs twice: with the
student's SymPy objects (the kernel side) and with their srepr text (the grader side).
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

import pytest
import sympy
from sympy import Eq, exp, log, pi, sqrt

from course.checks import CheckFailure
from course.derivations import (
    Derivation,
    Diff,
    Expect,
    Grad,
    Log,
    Solve,
    Subs,
    WireError,
    check_derivation,
    derivation_findings,
    parse,
    to_wire,
)
from course.derivations import exercises as X

n, k, theta = X.bernoulli_score.symbols
mu, s, sigma, S, Q = X.mu, X.s, X.sigma, X.S, X.Q
xbar, SS = X.xbar, X.SS
d, T_o, T_c, lam = X.censored_exponential_mle.symbols
x, info, a, b = X.x, X.Info, X.a, X.b
N1, N2, N3, p1, p2, p3 = X.N1, X.N2, X.N3, X.pi1, X.pi2, X.pi3
z, y = X.z, X.y
sq = Q - 2 * mu * S + n * mu**2  # sum of (x_i - mu)**2
sg = 1 / (1 + exp(-z))  # the sigmoid


@dataclass(frozen=True)
class Right:
    exercise: Derivation
    label: str
    steps: list


@dataclass(frozen=True)
class Wrong:
    exercise: Derivation
    label: str
    steps: list
    bad: int  # the first step that does not follow
    likely: str | None = None  # part of the diagnosis, if one is expected


RIGHT = [
    # 01: the Bernoulli score, then k/n
    Right(
        X.bernoulli_score,
        "as taught",
        [
            Log(),
            k * log(theta) + (n - k) * log(1 - theta),
            Diff(theta),
            k / theta - (n - k) / (1 - theta),
        ],
    ),
    Right(
        X.bernoulli_score,
        "unusual: log of each factor, one fraction",
        [
            Log(),
            log(theta**k) + log((1 - theta) ** (n - k)),
            Diff(theta),
            (k - n * theta) / (theta * (1 - theta)),
        ],
    ),
    Right(X.bernoulli_mle, "as taught", [Solve(theta), k / n]),
    Right(
        X.bernoulli_mle,
        "unusual: set to zero already multiplied out, then rearranged",
        [Eq(k * (1 - theta), (n - k) * theta), Eq(k, n * theta), Eq(theta, k / n)],
    ),
    # 02: the gradient of the Gaussian NLL in (mu, s = log sigma)
    Right(
        X.gaussian_gradient,
        "as taught",
        [
            n * s + sq * exp(-2 * s) / 2,
            Grad(mu, s),
            ((n * mu - S) * exp(-2 * s), n - sq * exp(-2 * s)),
        ],
    ),
    Right(
        X.gaussian_gradient,
        "unusual: straight from sigma, the result written with sigma",
        [Grad(mu, s), ((n * mu - S) / sigma**2, n - sq / sigma**2)],
    ),
    # 03: sigma-hat squared, and its bias
    Right(
        X.gaussian_variance,
        "as taught",
        [
            Subs(mu, xbar),
            -n * log(2 * pi * sigma**2) / 2 - SS / (2 * sigma**2),
            Diff(sigma),
            -n / sigma + SS / sigma**3,
            Solve(sigma),
            sqrt(SS / n),
        ],
    ),
    Right(
        X.gaussian_variance,
        "unusual: constant dropped, one fraction, solved for sigma**2",
        [
            Subs(mu, xbar),
            -n * log(sigma) - SS / (2 * sigma**2),
            Diff(sigma),
            (SS - n * sigma**2) / sigma**3,
            Eq(SS - n * sigma**2, 0),
            Eq(sigma**2, SS / n),
        ],
    ),
    Right(
        X.gaussian_variance_bias,
        "as taught",
        [
            (Q - n * xbar**2) / n,
            Expect(),
            (n * (sigma**2 + mu**2) - n * (sigma**2 / n + mu**2)) / n,
            (n - 1) * sigma**2 / n,
        ],
    ),
    Right(
        X.gaussian_variance_bias,
        "unusual: term by term, ending in sigma**2 - sigma**2/n",
        [
            Q / n - xbar**2,
            Expect(),
            sigma**2 + mu**2 - sigma**2 / n - mu**2,
            sigma**2 - sigma**2 / n,
        ],
    ),
    # 04: the right-censored exponential
    Right(
        X.censored_exponential_mle,
        "as taught",
        [
            Log(),
            d * log(lam) - lam * (T_o + T_c),
            Diff(lam),
            d / lam - T_o - T_c,
            Solve(lam),
            d / (T_o + T_c),
        ],
    ),
    Right(
        X.censored_exponential_mle,
        "unusual: exponentials merged first, solved by rearranging",
        [
            lam**d * exp(-lam * (T_o + T_c)),
            Log(),
            d * log(lam) - lam * T_o - lam * T_c,
            Diff(lam),
            (d - lam * (T_o + T_c)) / lam,
            Eq(lam * (T_o + T_c), d),
            Eq(lam, d / (T_o + T_c)),
        ],
    ),
    # 05: Fisher information (Bernoulli, Poisson) and the Cramér-Rao bound
    Right(
        X.bernoulli_fisher,
        "as taught",
        [
            Diff(theta),
            -x / theta + (1 - x) / (1 - theta),
            Diff(theta),
            x / theta**2 + (1 - x) / (1 - theta) ** 2,
            Expect(),
            theta / theta**2 + (1 - theta) / (1 - theta) ** 2,
            1 / (theta * (1 - theta)),
        ],
    ),
    Right(
        X.bernoulli_fisher,
        "unusual: the score as one fraction, ending in 1/theta + 1/(1 - theta)",
        [
            Diff(theta),
            (theta - x) / (theta * (1 - theta)),
            Diff(theta),
            x / theta**2 + (1 - x) / (1 - theta) ** 2,
            Expect(),
            1 / theta + 1 / (1 - theta),
        ],
    ),
    Right(
        X.poisson_fisher,
        "as taught",
        [Diff(lam), -x / lam + 1, Diff(lam), x / lam**2, Expect(), 1 / lam],
    ),
    Right(
        X.poisson_fisher,
        "unusual: lambda/lambda**2 left for a last step",
        [Diff(lam), 1 - x / lam, Diff(lam), x * lam**-2, Expect(), lam / lam**2, lam**-1],
    ),
    Right(X.cramer_rao, "as taught", [1 / (n / (theta * (1 - theta))), theta * (1 - theta) / n]),
    Right(X.cramer_rao, "unusual: expanded", [theta / n - theta**2 / n]),
    # 06: the Beta-Bernoulli MAP
    Right(
        X.beta_bernoulli_map,
        "as taught (the Beta normaliser dropped: it is free of theta)",
        [
            Log(),
            (k + a - 1) * log(theta) + (n - k + b - 1) * log(1 - theta),
            Diff(theta),
            (k + a - 1) / theta - (n - k + b - 1) / (1 - theta),
            Solve(theta),
            (k + a - 1) / (n + a + b - 2),
        ],
    ),
    Right(
        X.beta_bernoulli_map,
        "unusual: normaliser dropped before the log, solved by rearranging",
        [
            theta ** (k + a - 1) * (1 - theta) ** (n - k + b - 1),
            Log(),
            (k + a - 1) * log(theta) + (n - k + b - 1) * log(1 - theta),
            Diff(theta),
            (k + a - 1 - theta * (n + a + b - 2)) / (theta * (1 - theta)),
            Eq(theta * (n + a + b - 2), k + a - 1),
            Eq(theta, (k + a - 1) / (n + a + b - 2)),
        ],
    ),
    # 07: the M-step for the mixing weights
    Right(X.mixture_stationarity, "as taught", [Diff(p1), N1 / p1 - lam, Solve(p1), N1 / lam]),
    Right(
        X.mixture_stationarity,
        "unusual: one fraction, then rearranged",
        [Diff(p1), (N1 - lam * p1) / p1, Eq(N1, lam * p1), Eq(p1, N1 / lam)],
    ),
    Right(
        X.mixture_multiplier,
        "as taught",
        [
            Subs(p1, N1 / lam),
            Eq(N1 / lam + p2 + p3, 1),
            Subs(p2, N2 / lam),
            Eq(N1 / lam + N2 / lam + p3, 1),
            Subs(p3, N3 / lam),
            Eq((N1 + N2 + N3) / lam, 1),
            Solve(lam),
            n,
        ],
    ),
    Right(
        X.mixture_multiplier,
        "unusual: multiplied through by lambda, ending in lambda = n",
        [
            Subs(p1, N1 / lam),
            Eq(N1 / lam + p2 + p3, 1),
            Subs(p2, N2 / lam),
            Eq(N1 / lam + N2 / lam + p3, 1),
            Subs(p3, N3 / lam),
            Eq(N1 + N2 + N3, lam),
            Eq(lam, n),
        ],
    ),
    # 08: the gradient of BCE on the logit
    Right(X.bce_gradient, "as taught", [Diff(z), -(y * (1 - sg) - (1 - y) * sg), sg - y]),
    Right(
        X.bce_gradient,
        "unusual: softplus form first, ending in exp(z)/(1 + exp(z)) - y",
        [
            y * log(1 + exp(-z)) + (1 - y) * (z + log(1 + exp(-z))),
            Diff(z),
            -y * exp(-z) / (1 + exp(-z)) + (1 - y) * (1 - exp(-z) / (1 + exp(-z))),
            exp(z) / (1 + exp(z)) - y,
        ],
    ),
]

CHAIN = "the chain rule is missing on"
WRONG = [
    # 01
    Wrong(
        X.bernoulli_score,
        "missing chain rule on log(1 - theta)",
        [
            Log(),
            k * log(theta) + (n - k) * log(1 - theta),
            Diff(theta),
            k / theta + (n - k) / (1 - theta),
        ],
        4,
        f"{CHAIN} log(1 - theta)",
    ),
    Wrong(
        X.bernoulli_score,
        "middle slip: lost minus sign on one term",
        [
            Log(),
            k * log(theta) - (n - k) * log(1 - theta),
            Diff(theta),
            k / theta + (n - k) / (1 - theta),
        ],
        2,
        "the sign of the term",
    ),
    Wrong(
        X.bernoulli_score,
        "right answer by wrong working",
        [
            Log(),
            k * log(theta) + n * log(1 - theta),
            Diff(theta),
            k / theta - (n - k) / (1 - theta),
        ],
        2,
    ),
    Wrong(X.bernoulli_mle, "odds instead of the probability", [Solve(theta), k / (n - k)], 2),
    Wrong(
        X.bernoulli_mle,
        "middle slip while rearranging",
        [
            Eq(k / theta, (n - k) / (1 - theta)),
            Eq(k * (1 - theta), (n - k) * theta),
            Eq(k - k * theta, n * theta + k * theta),
            Eq(theta, k / n),
        ],
        3,
    ),
    Wrong(
        X.bernoulli_mle,
        "right answer by wrong working",
        [Eq(k / theta, (n - k) / (1 - theta)), Eq(k * (1 - theta), n * theta), Eq(theta, k / n)],
        2,
    ),
    # 02
    Wrong(
        X.gaussian_gradient,
        "missing factor n",
        [s + sq * exp(-2 * s) / 2, Grad(mu, s), ((n * mu - S) * exp(-2 * s), n - sq * exp(-2 * s))],
        1,
        "a missing factor n in the term n*s",
    ),
    Wrong(
        X.gaussian_gradient,
        "lost minus sign in one part of the gradient",
        [
            n * s + sq * exp(-2 * s) / 2,
            Grad(mu, s),
            ((S - n * mu) * exp(-2 * s), n - sq * exp(-2 * s)),
        ],
        3,
        "a lost minus sign",
    ),
    Wrong(
        X.gaussian_gradient,
        "right answer by wrong working",
        [
            n * s - sq * exp(-2 * s) / 2,
            Grad(mu, s),
            ((n * mu - S) * exp(-2 * s), n - sq * exp(-2 * s)),
        ],
        1,
        "the sign of the term",
    ),
    Wrong(
        X.gaussian_gradient,
        "middle slip: the 1/2 lost before differentiating",
        [
            n * s + sq * exp(-2 * s) / 2,
            n * s + sq * exp(-2 * s),
            Grad(mu, s),
            (2 * (n * mu - S) * exp(-2 * s), n - 2 * sq * exp(-2 * s)),
        ],
        2,
    ),
    # 03
    Wrong(
        X.gaussian_variance,
        "sigma in place of sigma**2",
        [Subs(mu, xbar), -n * log(2 * pi * sigma) / 2 - SS / (2 * sigma**2)],
        2,
        "sigma where sigma**2 belongs",
    ),
    Wrong(
        X.gaussian_variance,
        "missing factor n",
        [
            Subs(mu, xbar),
            -n * log(2 * pi * sigma**2) / 2 - SS / (2 * sigma**2),
            -log(sigma) - SS / (2 * sigma**2),
        ],
        3,
        "a missing factor n",
    ),
    Wrong(
        X.gaussian_variance,
        "dropped a constant that matters (the normaliser depends on sigma)",
        [Subs(mu, xbar), -SS / (2 * sigma**2), Diff(sigma), SS / sigma**3],
        2,
        "depends on sigma",
    ),
    Wrong(
        X.gaussian_variance,
        "right answer by wrong working (half the derivative)",
        [
            Subs(mu, xbar),
            -n * log(2 * pi * sigma**2) / 2 - SS / (2 * sigma**2),
            Diff(sigma),
            -n / (2 * sigma) + SS / (2 * sigma**3),
            Solve(sigma),
            sqrt(SS / n),
        ],
        4,
    ),
    Wrong(
        X.gaussian_variance,
        "slip in the last step: n - 1 in the solution",
        [
            Subs(mu, xbar),
            -n * log(2 * pi * sigma**2) / 2 - SS / (2 * sigma**2),
            Diff(sigma),
            -n / sigma + SS / sigma**3,
            Solve(sigma),
            sqrt(SS / (n - 1)),
        ],
        6,
    ),
    Wrong(
        X.gaussian_variance,
        "middle slip: the power rule's factor 2 lost on sigma**-2",
        [
            Subs(mu, xbar),
            -n * log(2 * pi * sigma**2) / 2 - SS / (2 * sigma**2),
            Diff(sigma),
            -n / sigma + SS / (2 * sigma**3),
            Solve(sigma),
            sqrt(SS / (2 * n)),
        ],
        4,
    ),
    Wrong(
        X.gaussian_variance_bias,
        "middle slip: E[xbar**2] without the 1/n",
        [(Q - n * xbar**2) / n, Expect(), (n * (sigma**2 + mu**2) - n * (sigma**2 + mu**2)) / n, 0],
        3,
    ),
    Wrong(
        X.gaussian_variance_bias,
        "right answer by wrong working (missing factor n)",
        [(Q - xbar**2) / n, Expect(), (n - 1) * sigma**2 / n],
        1,
        "a missing factor n",
    ),
    Wrong(
        X.gaussian_variance_bias,
        "lost minus sign",
        [Q / n + xbar**2, Expect(), (n - 1) * sigma**2 / n],
        1,
        "the sign of the term",
    ),
    # 04
    Wrong(
        X.censored_exponential_mle,
        "dropped a term that matters (the censored units' survival)",
        [Log(), d * log(lam) - lam * T_o, Diff(lam), d / lam - T_o, Solve(lam), d / T_o],
        2,
        "the term -T_c*lambda was dropped, but it depends on lambda",
    ),
    Wrong(
        X.censored_exponential_mle,
        "right answer by wrong working",
        [
            Log(),
            d * log(lam) - lam * T_o,
            Diff(lam),
            d / lam - T_o - T_c,
            Solve(lam),
            d / (T_o + T_c),
        ],
        2,
        "depends on lambda",
    ),
    Wrong(
        X.censored_exponential_mle,
        "middle slip: a term lost after differentiating",
        [Log(), d * log(lam) - lam * (T_o + T_c), Diff(lam), d / lam - T_o, Solve(lam), d / T_o],
        4,
        "the term -T_c was dropped",
    ),
    Wrong(
        X.censored_exponential_mle,
        "missing factor d (the number of failures)",
        [Log(), log(lam) - lam * (T_o + T_c)],
        2,
        "a missing factor d",
    ),
    # 05
    Wrong(
        X.bernoulli_fisher,
        "missing chain rule on log(1 - theta)",
        [Diff(theta), -x / theta - (1 - x) / (1 - theta)],
        2,
        f"{CHAIN} log(1 - theta)",
    ),
    Wrong(
        X.bernoulli_fisher,
        "middle slip: chain rule on 1/(1 - theta) in the second derivative",
        [
            Diff(theta),
            -x / theta + (1 - x) / (1 - theta),
            Diff(theta),
            x / theta**2 - (1 - x) / (1 - theta) ** 2,
            Expect(),
            1 / theta - 1 / (1 - theta),
        ],
        4,
        f"{CHAIN} 1/(1 - theta)",
    ),
    Wrong(
        X.bernoulli_fisher,
        "lost minus sign",
        [Diff(theta), x / theta - (1 - x) / (1 - theta)],
        2,
        "a lost minus sign",
    ),
    Wrong(
        X.bernoulli_fisher,
        "right answer by wrong working",
        [
            Diff(theta),
            -x / theta - (1 - x) / (1 - theta),
            Diff(theta),
            x / theta**2 + (1 - x) / (1 - theta) ** 2,
            Expect(),
            1 / (theta * (1 - theta)),
        ],
        2,
        CHAIN,
    ),
    Wrong(X.poisson_fisher, "lost minus sign", [Diff(lam), x / lam - 1], 2, "a lost minus sign"),
    Wrong(
        X.poisson_fisher,
        "middle slip: the second derivative's sign",
        [Diff(lam), -x / lam + 1, Diff(lam), -x / lam**2, Expect(), -1 / lam],
        4,
    ),
    Wrong(
        X.poisson_fisher,
        "right answer by wrong working (E[x] taken as 1)",
        [Diff(lam), 1 - x / lam, Diff(lam), x / lam**2, Expect(), 1 / lam**2, 1 / lam],
        6,
    ),
    Wrong(
        X.cramer_rao,
        "middle slip: the n multiplied, not divided",
        [1 / (n / (theta * (1 - theta))), n * theta * (1 - theta), n * theta - n * theta**2],
        2,
    ),
    Wrong(
        X.cramer_rao,
        "right answer by wrong working (the information not inverted)",
        [n / (theta * (1 - theta)), theta * (1 - theta) / n],
        1,
    ),
    Wrong(X.cramer_rao, "the bound for one observation", [theta * (1 - theta)], 1, "factor n"),
    # 06
    Wrong(
        X.beta_bernoulli_map,
        "missing chain rule on log(1 - theta)",
        [
            Log(),
            (k + a - 1) * log(theta) + (n - k + b - 1) * log(1 - theta),
            Diff(theta),
            (k + a - 1) / theta + (n - k + b - 1) / (1 - theta),
        ],
        4,
        f"{CHAIN} log(1 - theta)",
    ),
    Wrong(
        X.beta_bernoulli_map,
        "middle slip: the prior's exponents without the - 1",
        [
            Log(),
            (k + a) * log(theta) + (n - k + b) * log(1 - theta),
            Diff(theta),
            (k + a) / theta - (n - k + b) / (1 - theta),
            Solve(theta),
            (k + a) / (n + a + b),
        ],
        2,
    ),
    Wrong(
        X.beta_bernoulli_map,
        "right answer by wrong working",
        [
            Log(),
            (k + a - 1) * log(theta) + (n - k + b - 1) * log(1 - theta),
            Diff(theta),
            (k + a - 1) / theta - (n - k + b - 1) / theta,
            Solve(theta),
            (k + a - 1) / (n + a + b - 2),
        ],
        4,
    ),
    # 07
    Wrong(
        X.mixture_stationarity,
        "lost minus sign on the multiplier",
        [Diff(p1), N1 / p1 + lam],
        2,
        "the sign of the term -lambda",
    ),
    Wrong(
        X.mixture_stationarity,
        "middle slip: the stationarity condition turned over",
        [Diff(p1), N1 / p1 - lam, Eq(N1, lam / p1), Eq(p1, lam / N1)],
        3,
    ),
    Wrong(
        X.mixture_stationarity,
        "right answer by wrong working",
        [Diff(p1), N1 * p1 - lam, Solve(p1), N1 / lam],
        2,
    ),
    Wrong(
        X.mixture_multiplier,
        "middle slip: a substitution done wrong",
        [
            Subs(p1, N1 / lam),
            Eq(N1 * lam + p2 + p3, 1),
            Subs(p2, N2 / lam),
            Eq(N1 * lam + N2 / lam + p3, 1),
        ],
        2,
    ),
    Wrong(
        X.mixture_multiplier,
        "right answer by wrong working",
        [
            Subs(p1, N1 / lam),
            Eq(N1 / lam + p2 + p3, 1),
            Subs(p2, N2 / lam),
            Eq(N1 / lam + N2 / lam + p3, 1),
            Subs(p3, N3 / lam),
            Eq((N1 + N2) / lam, 1),
            Solve(lam),
            n,
        ],
        6,
    ),
    Wrong(
        X.mixture_multiplier,
        "solved wrong: the multiplier taken as the average count",
        [
            Subs(p1, N1 / lam),
            Eq(N1 / lam + p2 + p3, 1),
            Subs(p2, N2 / lam),
            Eq(N1 / lam + N2 / lam + p3, 1),
            Subs(p3, N3 / lam),
            Eq((N1 + N2 + N3) / lam, 1),
            Solve(lam),
            n / 3,
        ],
        8,
    ),
    # 08
    Wrong(
        X.bce_gradient,
        "missing chain rule on log(1 - sigmoid)",
        [Diff(z), -y * (1 - sg) - (1 - y) / (1 - sg)],
        2,
        f"{CHAIN} log(1 - 1/(1 + exp(-z)))",
    ),
    Wrong(
        X.bce_gradient,
        "lost minus sign",
        [Diff(z), y * (1 - sg) - (1 - y) * sg, y - sg],
        2,
        "a lost minus sign",
    ),
    Wrong(
        X.bce_gradient,
        "middle slip: a sign inside the derivative of the softplus",
        [
            y * log(1 + exp(-z)) + (1 - y) * (z + log(1 + exp(-z))),
            Diff(z),
            -y * exp(-z) / (1 + exp(-z)) + (1 - y) * (1 + exp(-z) / (1 + exp(-z))),
            1 - y + (1 - 2 * y) * exp(-z) / (1 + exp(-z)),
        ],
        3,
    ),
    Wrong(
        X.bce_gradient,
        "right answer by wrong working",
        [y * log(1 + exp(-z)) + (1 - y) * log(1 + exp(-z)), Diff(z), sg - y],
        1,
    ),
]


def _ids(cases):
    return [f"{c.exercise.name}: {c.label}" for c in cases]


def _as(steps, form: str):
    return steps if form == "objects" else to_wire(steps)


@pytest.mark.parametrize("form", ["objects", "wire"])
@pytest.mark.parametrize("case", RIGHT, ids=_ids(RIGHT))
def test_a_right_derivation_passes_and_is_echoed(case, form, capsys):
    result = check_derivation(case.exercise, _as(case.steps, form))
    assert capsys.readouterr().out.startswith(f"✓ {case.exercise.name}: ")
    assert result.latex.startswith("\\begin{aligned}") and result.latex.endswith("\\end{aligned}")
    written = [
        st for st in case.steps if not isinstance(st, (Log, Diff, Grad, Solve, Subs, Expect))
    ]
    assert len(result.rows) == 1 + len(written)  # the given start, then each written step
    assert result._repr_latex_() == "$$" + result.latex + "$$"


@pytest.mark.parametrize("form", ["objects", "wire"])
@pytest.mark.parametrize("case", WRONG, ids=_ids(WRONG))
def test_a_wrong_derivation_fails_at_its_first_wrong_step(case, form):
    with pytest.raises(CheckFailure) as info:
        check_derivation(case.exercise, _as(case.steps, form))
    text = str(info.value)
    first = text.splitlines()[0]
    assert first.startswith(f"{case.exercise.name}: step {case.bad} "), text
    if case.likely is None:
        return
    assert "    likely:   " in text, text
    likely = text.split("    likely:   ", 1)[1].splitlines()[0]
    assert case.likely in likely, text


def test_every_exercise_has_its_catalogue():
    for ex in X.ALL:
        rights = [c for c in RIGHT if c.exercise is ex]
        wrongs = [c for c in WRONG if c.exercise is ex]
        assert len(rights) >= 2, ex.name  # as taught, and an unusual form
        assert any(c.label.startswith("unusual") for c in rights), ex.name
        assert len(wrongs) >= 3, ex.name
        # A slip in a middle step: later steps follow from it, so only the first wrong line
        # can be blamed.
        assert any("middle slip" in c.label and 1 < c.bad < len(c.steps) for c in wrongs), ex.name
        # The right result reached by working that is wrong before the last step.
        assert any(
            "right answer by wrong working" in c.label and c.bad < len(c.steps) for c in wrongs
        ), ex.name
    labels = " ".join(c.label for c in WRONG)
    for slip in [
        "lost minus",
        "missing factor n",
        "sigma in place of sigma**2",
        "missing chain rule",
    ]:
        assert slip in labels
    assert "dropped a constant that matters" in labels
    assert sum("right answer by wrong working" in c.label for c in WRONG) >= 10
    assert sum("middle slip" in c.label for c in WRONG) >= 6


# --- messages ------------------------------------------------------------------------------


def _message(ex, steps) -> str:
    with pytest.raises(CheckFailure) as info:
        check_derivation(ex, steps)
    return str(info.value)


def test_message_shows_both_steps_typeset_a_witness_and_the_slip():
    text = _message(
        X.bernoulli_score,
        [
            Log(),
            k * log(theta) + (n - k) * log(1 - theta),
            Diff(theta),
            k / theta + (n - k) / (1 - theta),
        ],
    )
    lines = text.splitlines()
    assert lines[0] == "bernoulli_score: step 4 does not follow from step 2"
    assert lines[1] == "    step 2:   k⋅log(θ) + (-k + n)⋅log(1 - θ)"
    assert lines[2] == "    move:     step 3, differentiate with respect to θ"
    assert lines[3:6] == [  # step 4, as SymPy's 2-D text
        "    step 4:   k   -k + n",
        "              ─ + ──────",
        "              θ   1 - θ ",
    ]
    witness = lines[6]
    assert witness.startswith("    witness:  at n = ") and ", θ = " in witness
    assert " step 4 gives " in witness and " where step 2 implies " in witness
    assert lines[7] == (
        "    likely:   the chain rule is missing on log(1 - theta): its derivative needs the "
        "factor d/dtheta(1 - theta) = -1"
    )
    assert lines[8] == "    Steps 1-2 are right; fix step 4 and run the cell again."


def test_witness_values_are_the_two_steps_values_at_the_point_it_names():
    text = _message(
        X.bernoulli_score,
        [Log(), k * log(theta) + (n - k) * log(1 - theta), Diff(theta), k / theta],
    )
    witness = next(line for line in text.splitlines() if "witness:" in line)
    # "at n = 11, k = 7, θ = 0.4, step 4 gives 17.5 where step 2 implies 11.67"
    point, values = witness.split("witness:  at ")[1].split(", step 4 gives ")
    at = dict(part.split(" = ") for part in point.split(", "))
    nv, kv, tv = int(at["n"]), int(at["k"]), float(at["θ"])
    got, implied = (float(v) for v in values.split(" where step 2 implies "))
    assert got == pytest.approx(kv / tv, rel=1e-3)
    assert implied == pytest.approx(kv / tv - (nv - kv) / (1 - tv), rel=1e-3)


def test_a_constant_that_matters_is_explained_with_two_parameter_values():
    text = _message(X.censored_exponential_mle, [Log(), d * log(lam) - lam * T_o])
    assert "step 2 minus what step 0 implies is " in text
    assert "that changes with the parameters, so it is not a constant that may be dropped" in text
    assert "the term -T_c*lambda was dropped, but it depends on lambda" in text


def test_solve_that_does_not_solve_gives_the_true_root_at_the_witness():
    text = _message(X.bernoulli_mle, [Solve(theta), k / (n - k)])
    assert text.splitlines()[0] == "bernoulli_mle: step 2 does not solve step 0 = 0 for θ"
    witness = next(line for line in text.splitlines() if "witness:" in line)
    at = dict(p.split(" = ") for p in witness.split("at ")[1].split(", step")[0].split(", "))
    root = float(witness.split("step 0 is solved by θ = ")[1])
    assert root == pytest.approx(int(at["k"]) / int(at["n"]), rel=1e-3)


def test_equations_that_are_not_equivalent_name_where_each_holds():
    text = _message(
        X.bernoulli_mle,
        [Eq(k * (1 - theta), (n - k) * theta), Eq(k, n * theta - k * theta)],
    )
    assert text.splitlines()[0] == "bernoulli_mle: step 2 does not follow from step 1"
    assert "witness:" in text


def test_a_right_derivation_is_echoed_as_aligned_latex(capsys):
    steps = [
        Log(),
        k * log(theta) + (n - k) * log(1 - theta),
        Diff(theta),
        k / theta - (n - k) / (1 - theta),
    ]
    result = check_derivation(X.bernoulli_score, steps)
    assert (
        capsys.readouterr().out
        == "✓ bernoulli_score: all 2 steps follow, and the result is right\n"
    )
    assert result.latex.splitlines() == [
        "\\begin{aligned}",
        "& \\theta^{k} \\left(1 - \\theta\\right)^{- k + n} && \\text{given} \\\\",
        "& k \\log{\\left(\\theta \\right)} + \\left(- k + n\\right) "
        "\\log{\\left(1 - \\theta \\right)} && \\text{step 2: }\\text{take the log} \\\\",
        "& \\frac{k}{\\theta} - \\frac{- k + n}{1 - \\theta}"
        " && \\text{step 4: }\\text{differentiate with respect to }\\theta",
        "\\end{aligned}",
    ]


# --- the rules of a derivation ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("ex", "steps", "first", "detail"),
    [
        (X.bernoulli_score, [Log()], "step 1 is a move with no result", "write the expression"),
        (X.bernoulli_score, [Log(), Diff(theta), k / theta], "step 1 is a move with no result", ""),
        (X.bernoulli_score, [], "the derivation has no steps", ""),
        (X.bernoulli_score, "Log()", "the derivation cannot be read", "must be a list"),
        (X.bernoulli_score, [{"theta": 1}], "the derivation cannot be read", "step 1 is a dict"),
        (
            X.bernoulli_score,
            [Eq(theta**k * (1 - theta) ** (n - k), 0)],
            "step 1 sets step 0 to zero, but step 0 is the function to maximise",
            "differentiate first",
        ),
        (X.bernoulli_score, [Expect(), 0], "step 1: this exercise has no expectations", ""),
        (
            X.mixture_multiplier,
            [Subs(p1, N1 / n), Eq(N1 / n + p2 + p3, 1)],
            "step 1: substitute pi1 = N1/n is not one of this exercise's facts",
            "Subs may use: pi1 = N1/lambda",
        ),
        (
            X.poisson_fisher,
            [Expect(), lam * log(lam) - lam],
            "step 1: taking the expectation needs E[log(gamma(x + 1))]",
            "it gives: E[x] = lambda",
        ),
        (
            X.bernoulli_mle,
            [Solve(theta), theta * k / n],
            "step 2 still has theta on the right",
            "",
        ),
        (
            X.bernoulli_mle,
            [Eq(k / theta, (n - k) / (1 - theta)), k / n],
            "step 2 should be an equation, because step 1 gives one; it is an expression",
            "",
        ),
        (
            X.bernoulli_mle,
            [Eq(k * (1 - theta), (n - k) * theta)],
            "every step follows, but step 1 is not the result asked for",
            "solve it",
        ),
        (
            X.bernoulli_score,
            [Log(), k * log(theta) + (n - k) * log(1 - theta)],
            "every step follows, but step 2 is not the result asked for",
            "witness:  at ",
        ),
        (
            X.gaussian_gradient,
            [Grad(mu, s), ((n * mu - S) * exp(-2 * s),)],
            "step 2 has 1 parts; it should have 2",
            "",
        ),
        (X.bernoulli_score, [Log(), sympy.Symbol("p")], "step 2 cannot be read", "'p' is not one"),
    ],
)
def test_the_rules_of_a_derivation_are_enforced_with_a_message(ex, steps, first, detail):
    text = _message(ex, steps)
    assert text.splitlines()[0] == f"{ex.name}: {first}" or text.splitlines()[0].startswith(
        f"{ex.name}: {first}"
    ), text
    assert detail in text


def test_a_move_needs_one_of_the_exercises_symbols():
    with pytest.raises(TypeError, match=r"Diff\(var\) needs one of the exercise's symbols"):
        Diff(theta**2)
    with pytest.raises(TypeError, match="Grad"):
        Grad()
    text = _message(X.bernoulli_score, ["Diff(Pow(Symbol('theta'), Integer(2)))", k])
    assert "step 1 cannot be read" in text and "Diff(var) needs one of" in text


# --- trust: what crosses to the grader, and lying objects ------------------------------------


def test_every_catalogue_step_survives_the_wire_unchanged():
    for case in RIGHT + WRONG:
        for step in case.steps:
            text = to_wire([step])[0]
            back = parse(text, case.exercise.namespace)
            assert back == (sympy.Tuple(*step) if type(step) is tuple else step), text


def test_a_student_symbol_with_other_assumptions_becomes_the_exercises_symbol():
    plain = sympy.Symbol("theta")  # no assumptions: a different symbol to SymPy
    assert plain != theta
    back = parse(sympy.srepr(plain), X.bernoulli_score.namespace)
    assert back is theta


def test_a_subclass_that_lies_in_eq_and_equals_is_rebuilt_and_judged_honestly():
    lying = {"on": False}  # the lies start once the steps are built (SymPy itself uses ==)

    class Symbol(sympy.Symbol):  # same name as SymPy's: its srepr looks like the real thing
        def __eq__(self, other):
            return True if lying["on"] else super().__eq__(other)

        __hash__ = sympy.Symbol.__hash__

        def equals(self, other, failing_expression=False):
            return True

    class Add(sympy.Add):
        def __eq__(self, other):
            return True if lying["on"] else super().__eq__(other)

        __hash__ = sympy.Add.__hash__

        def equals(self, other, failing_expression=False):
            return True

    liar = Symbol("theta", positive=True)
    wrong = Add(k / liar, (n - k) / (1 - liar), evaluate=False)  # the chain rule missing
    steps = [Log(), k * log(liar) + (n - k) * log(1 - liar), Diff(liar), wrong]
    lying["on"] = True
    assert liar == 42 and wrong == 0 and wrong.equals(0)  # the lies, in the student's kernel
    text = _message(X.bernoulli_score, steps)
    assert text.splitlines()[0] == "bernoulli_score: step 4 does not follow from step 2"
    assert CHAIN in text


def test_a_subclass_under_its_own_name_is_refused():
    class Liar(sympy.Symbol):
        def __eq__(self, other):
            return True

        __hash__ = sympy.Symbol.__hash__

    text = _message(X.bernoulli_mle, [Solve(theta), Liar("k", positive=True) / n])
    assert "step 2 cannot be read" in text
    assert "Liar is not one of the SymPy constructors a step may use" in text


def test_wire_text_is_never_evaluated(tmp_path):
    marker = tmp_path / "ran"
    evil = f"__import__('pathlib').Path({str(marker)!r}).touch()"

    class Sneaky(sympy.Symbol):
        def _sympyrepr(self, printer):
            return evil

    for steps in ([evil], [Sneaky("theta")], [f"Symbol({evil})"], [f"Add(Symbol('k'), {evil})"]):
        text = _message(X.bernoulli_mle, steps)
        assert "step 1 cannot be read" in text
    assert not marker.exists()


NS = X.bernoulli_score.namespace


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Function('f')(Symbol('theta'))", "unexpected Call"),
        ("Symbol('p')", "'p' is not one of this exercise's symbols"),
        ("Symbol('theta').free_symbols", "unexpected Attribute"),
        ("lambda: 0", "unexpected Lambda"),
        ("Integer(100000000000000000000)", "whole numbers of at most 12 digits"),
        ("Integer(2**8)", "only plain numbers and names"),
        ("Pow(Symbol('theta'), Integer(1000))", "the exponent 1000 is too large"),
        ("Pow(Pow(Integer(999999999999), Integer(64)), Integer(64))", "too large to check"),
        ("factorial(Integer(100000))", "factorial of a number above 1000 is too large"),
        ("Float('nan', precision=53)", "infinite or NaN"),
        ("oo", "oo is not allowed"),
        ("Symbol('theta', evil=True)", "does not take the keyword evil"),
        ("Symbol('theta', positive='yes')", "does not take the keyword positive"),
        ("Add(" * 80 + "Symbol('theta')" + ")" * 80, "nested too deeply"),
        ("Add(" + ", ".join(["Symbol('theta')"] * 3000) + ")", "too large to check"),
        ("Tuple(Log(), Symbol('theta'))", "a move cannot sit inside a tuple"),
        ("Equality(Symbol('theta'))", "Equality takes 2 arguments"),
        ("Add(Symbol('theta'), Equality(Symbol('k'), Symbol('n')))", "Add takes expressions"),
        ("Symbol('theta'", "not SymPy srepr output"),
        ("Mul(" + ", ".join(["Add(Symbol('n'), Symbol('k'))"] * 100) + ")", "exponent 100 is"),
        ("Pow(Pow(Symbol('n'), Integer(60)), Integer(60))", "exponent 3600 is too large"),
        ("true", "not an equation: SymPy decides Eq(a, b) at once"),
    ],
)
def test_the_parser_refuses_anything_but_whitelisted_constructors(text, problem):
    with pytest.raises(WireError) as info:
        parse(text, NS)
    assert problem in str(info.value)


def test_to_wire_refuses_what_is_not_a_step():
    with pytest.raises(TypeError, match="steps must be a list"):
        to_wire("Log()")
    with pytest.raises(TypeError, match="step 2 is a set"):
        to_wire([Log(), {theta}])


# --- the integrity report's finding ----------------------------------------------------------


def test_findings_name_sympys_own_calculus_in_a_cell():
    cell = "\n".join(
        [
            "import sympy as sp",
            "from sympy import solve as s_",
            "ell = k*sp.log(theta) + (n - k)*sp.log(1 - theta)",
            "score = sp.diff(ell, theta)",
            "steps = [ell, Diff(theta), ell.diff(theta), Solve(theta), s_(score, theta)[0]]",
            "area = sp.Integral(ell, theta).doit()",
            "# sp.integrate(ell) in a comment does not count",
            "text = 'sp.limit(x, x, 0) in a string does not count'",
        ]
    )
    found = derivation_findings(cell)
    assert found == [
        "line 4: calls SymPy's diff: score = sp.diff(ell, theta)",
        "line 5: calls SymPy's diff: steps = [ell, Diff(theta), ell.diff(theta), Solve(theta), "
        "s_(score, theta)[0]]",
        "line 5: calls SymPy's solve: steps = [ell, Diff(theta), ell.diff(theta), Solve(theta), "
        "s_(score, theta)[0]]",
        "line 6: evaluates a Integral with doit(): area = sp.Integral(ell, theta).doit()",
    ]


def test_findings_are_empty_for_a_hand_written_derivation_and_say_when_unreadable():
    assert derivation_findings("steps = [Log(), k*log(theta), Diff(theta), k/theta]") == []
    assert derivation_findings("steps = [") == [
        "the cell could not be read as Python (line 1), so it was not scanned"
    ]
    with pytest.raises(TypeError, match="cell_source must be a string"):
        derivation_findings(None)


# --- writing an exercise -------------------------------------------------------------------


def test_an_exercise_with_bad_arguments_is_refused_with_the_argument_named():
    with pytest.raises(TypeError, match="name must be"):
        Derivation("", (theta,), theta, theta)
    with pytest.raises(TypeError, match="symbols must be"):
        Derivation("e", ("theta",), theta, theta)
    with pytest.raises(ValueError, match="start uses symbols not in `symbols`: k"):
        Derivation("e", (theta,), k * theta, theta)
    with pytest.raises(ValueError, match="answer uses symbols not in `symbols`: n"):
        Derivation("e", (theta, k), k * theta, n)
    with pytest.raises(TypeError, match="facts must be a sequence of sympy.Eq"):
        Derivation("e", (theta,), theta, theta, facts=(theta,))
    with pytest.raises(TypeError, match="start must be SymPy objects"):
        Derivation("e", (theta,), "theta", theta)
    with pytest.raises(ValueError, match="two symbols share a name"):
        Derivation("e", (theta, sympy.Symbol("theta")), theta, theta)


def test_an_exercise_whose_start_is_undefined_on_its_domain_is_an_instructors_error():
    with pytest.raises(
        ValueError, match=r"domains: start is undefined at 9 of 9 probe points \(log\(theta - 2\)\)"
    ):
        Derivation("bad", (theta,), log(theta - 2), theta, domains={theta: (0, 1)})


def test_a_move_that_leaves_nothing_defined_fails_the_student_not_the_grader():
    below = Derivation("below", (theta,), theta - 2, theta - 2, domains={theta: (0, 1)})
    text = _message(below, [Log(), theta])
    assert text.splitlines()[0] == "below: step 2 does not follow from step 0"
    assert "    problem:  step 0 with the move in step 1 (take the log) gives something " in text


def test_the_modules_own_example_runs():
    import doctest

    import course.derivations

    failures, tried = doctest.testmod(course.derivations, optionflags=doctest.ELLIPSIS)
    assert tried >= 6 and failures == 0


# --- the answers the catalogue grades against, checked independently (scipy) -----------------


def _value(ex, expr, **values) -> float:
    """``expr`` of exercise ``ex`` at the given values of its symbols, as a float."""
    expr = ex.expand(expr.rhs if isinstance(expr, sympy.Eq) else expr)
    sub = {ex.namespace[name]: sympy.Float(v, 30) for name, v in values.items()}
    return float(expr.xreplace(sub).evalf(30))


def _argmax(f, lo, hi) -> float:
    from scipy import optimize

    res = optimize.minimize_scalar(
        lambda t: -f(t), bounds=(lo, hi), method="bounded", options={"xatol": 1e-12}
    )
    return float(res.x)


def _slope(f, t, h=1e-5) -> float:
    return (f(t + h) - f(t - h)) / (2 * h)


@pytest.mark.parametrize(("nv", "kv"), [(10, 7), (40, 3)])
def test_bernoulli_answers_match_scipys_binomial(nv, kv):
    from scipy import stats

    ll = lambda t: stats.binom.logpmf(kv, nv, t)  # noqa: E731
    mle = _value(X.bernoulli_mle, X.bernoulli_mle.answer, n=nv, k=kv)
    assert mle == pytest.approx(_argmax(ll, 1e-9, 1 - 1e-9), abs=1e-7)
    score = _value(X.bernoulli_score, X.bernoulli_score.answer, n=nv, k=kv, theta=0.3)
    assert score == pytest.approx(_slope(ll, 0.3), rel=1e-7)


def test_gaussian_answers_match_scipys_normal():
    import numpy as np
    from scipy import stats

    data = np.random.default_rng(7).normal(1.5, 2.0, size=12)
    nv, Sv, Qv = len(data), float(data.sum()), float((data**2).sum())
    nll = lambda m, sv: -stats.norm.logpdf(data, m, np.exp(sv)).sum()  # noqa: E731
    grad = X.gaussian_gradient.answer
    at = {"n": nv, "S": Sv, "Q": Qv, "mu": 0.7, "s": 0.4}
    assert _value(X.gaussian_gradient, grad[0], **at) == pytest.approx(
        _slope(lambda m: nll(m, 0.4), 0.7), rel=1e-6
    )
    assert _value(X.gaussian_gradient, grad[1], **at) == pytest.approx(
        _slope(lambda sv: nll(0.7, sv), 0.4), rel=1e-6
    )
    ssv = float(((data - data.mean()) ** 2).sum())
    sigma2 = _value(X.gaussian_variance, X.gaussian_variance.answer, n=nv, SS=ssv)
    best = _argmax(lambda sd: stats.norm.logpdf(data, data.mean(), sd).sum(), 0.01, 20)
    assert sigma2 == pytest.approx(best**2, rel=1e-6)
    # SS / sigma**2 is chi-squared with n - 1 degrees of freedom
    bias = _value(X.gaussian_variance_bias, X.gaussian_variance_bias.answer, n=nv, sigma=2.0)
    assert bias == pytest.approx(stats.chi2(nv - 1).mean() * 4.0 / nv, rel=1e-12)


def test_censored_exponential_answer_matches_scipys_expon_with_survival():
    import numpy as np
    from scipy import stats

    life = np.random.default_rng(3).exponential(4.0, size=30)
    observed = life < 5.0
    times = np.minimum(life, 5.0)

    def ll(rate):
        scale = 1 / rate
        return (
            stats.expon.logpdf(times[observed], scale=scale).sum()
            + stats.expon.logsf(times[~observed], scale=scale).sum()
        )

    answer = _value(
        X.censored_exponential_mle,
        X.censored_exponential_mle.answer,
        d=int(observed.sum()),
        T_o=float(times[observed].sum()),
        T_c=float(times[~observed].sum()),
    )
    assert answer == pytest.approx(_argmax(ll, 1e-4, 10), rel=1e-6)


def test_fisher_information_answers_match_the_variance_of_scipys_score():
    import numpy as np
    from scipy import stats

    t = 0.3
    score = [_slope(lambda u, xv=xv: stats.bernoulli.logpmf(xv, u), t) for xv in (0, 1)]
    info_b = sum(stats.bernoulli.pmf(xv, t) * score[xv] ** 2 for xv in (0, 1))
    assert _value(X.bernoulli_fisher, X.bernoulli_fisher.answer, theta=t) == pytest.approx(
        info_b, rel=1e-7
    )
    rate, xs = 3.5, np.arange(0, 200)
    score_p = xs / rate - 1  # d/d rate of poisson.logpmf, checked at one point below
    assert _slope(lambda r: stats.poisson.logpmf(5, r), rate) == pytest.approx(score_p[5], rel=1e-7)
    info_p = float((stats.poisson.pmf(xs, rate) * score_p**2).sum())
    assert _value(X.poisson_fisher, X.poisson_fisher.answer, **{"lambda": rate}) == pytest.approx(
        info_p, rel=1e-10
    )
    # the MLE k/n attains the Cramér-Rao bound: its variance is binom.var / n**2
    nv = 25
    bound = _value(X.cramer_rao, X.cramer_rao.answer, n=nv, theta=t)
    assert bound == pytest.approx(stats.binom(nv, t).var() / nv**2, rel=1e-12)


def test_map_mixture_and_bce_answers_match_scipy():
    import numpy as np
    from scipy import optimize, special, stats

    post = lambda t: stats.binom.logpmf(3, 12, t) + stats.beta.logpdf(t, 2.5, 4.0)  # noqa: E731
    answer = _value(X.beta_bernoulli_map, X.beta_bernoulli_map.answer, n=12, k=3, a=2.5, b=4.0)
    assert answer == pytest.approx(_argmax(post, 1e-9, 1 - 1e-9), abs=1e-7)

    counts = np.array([4.2, 7.5, 1.3])  # summed responsibilities

    def neg(logits):
        return -(counts * special.log_softmax(logits)).sum()

    weights = special.softmax(optimize.minimize(neg, np.zeros(3), tol=1e-12).x)
    lam = _value(X.mixture_multiplier, X.mixture_multiplier.answer, N1=4.2, N2=7.5, N3=1.3)
    pi1 = _value(X.mixture_stationarity, X.mixture_stationarity.answer, N1=4.2, **{"lambda": lam})
    assert pi1 == pytest.approx(weights[0], abs=1e-6)

    bce = lambda zv: -(0.8 * special.log_expit(zv) + 0.2 * special.log_expit(-zv))  # noqa: E731
    assert _value(X.bce_gradient, X.bce_gradient.answer, z=-1.3, y=0.8) == pytest.approx(
        _slope(bce, -1.3), rel=1e-7
    )


def test_an_exercise_can_ask_for_working_to_be_shown():
    shown = Derivation(
        "shown",
        (n, k, theta),
        X.bernoulli_mle.start,
        Eq(theta, k / n),
        min_steps=3,
        domains={n: (6, 40), k: (1, n - 1), theta: (0, 1)},
        params=(theta,),
    )
    text = _message(shown, [Eq(theta, k / n)])
    assert text.splitlines()[0] == (
        "shown: the result is right, but the derivation shows 1 written step; this exercise "
        "asks for at least 3"
    )
    with contextlib.redirect_stdout(io.StringIO()):
        check_derivation(
            shown, [Eq(k * (1 - theta), (n - k) * theta), Eq(k, n * theta), Eq(theta, k / n)]
        )
    with pytest.raises(ValueError, match="min_steps must be a whole number >= 1, got 0"):
        Derivation("e", (theta,), theta, theta, min_steps=0)


@pytest.mark.sandbox
def test_a_derivation_is_checked_inside_the_grading_sandbox(bwrap, tmp_path):
    """The student's kernel runs in bubblewrap: SymPy and the checker must work there."""
    import subprocess
    import sys

    from course.grading import sandbox

    work, scratch, conn = (tmp_path / name for name in ("work", "tmp", "conn"))
    for folder in (work, scratch, conn):
        folder.mkdir()
    script = "\n".join(
        [
            "from sympy import log",
            "from course.derivations import Diff, Log, check_derivation, to_wire",
            "from course.derivations.exercises import bernoulli_score as ex",
            "n, k, theta = ex.symbols",
            "steps = [Log(), k*log(theta) + (n - k)*log(1 - theta), Diff(theta),",
            "         k/theta - (n - k)/(1 - theta)]",
            "check_derivation(ex, steps)",
            "print(len(to_wire(steps)), 'steps on the wire')",
        ]
    )
    command = sandbox.bwrap_command(
        bwrap,
        workdir=work,
        scratch_work=work,
        scratch_tmp=scratch,
        conn_dir=conn,
        kernel_argv=[sys.executable, "-c", script],
    )
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "✓ bernoulli_score: all 2 steps follow, and the result is right",
        "4 steps on the wire",
    ]


def test_a_log_likelihood_may_be_divided_by_n_but_not_negated():
    mean = [Log(), (k * log(theta) + (n - k) * log(1 - theta)) / n, Diff(theta)]
    with contextlib.redirect_stdout(io.StringIO()):
        check_derivation(
            Derivation(
                "mean_score",
                (n, k, theta),
                X.bernoulli_score.start,
                (k / theta - (n - k) / (1 - theta)) / n,
                objective=True,
                params=(theta,),
                domains={n: (6, 40), k: (1, n - 1), theta: (0, 1)},
            ),
            [*mean, (k / theta - (n - k) / (1 - theta)) / n],
        )
    text = _message(X.bernoulli_score, [Log(), -(k * log(theta) + (n - k) * log(1 - theta))])
    assert text.splitlines()[0] == "bernoulli_score: step 2 does not follow from step 0"
    assert "a lost minus sign" in text
