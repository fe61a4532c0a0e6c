"""course.derivations: a catalogue of right and wrong derivations for every exercise.

For each of the eight exercises (13 graded cells): the derivation as the notebook teaches
it, an unusual but correct form, a slip in a middle step, a right answer reached by wrong
working, and the known slips with their diagnosis. Every case runs twice: with the
student's SymPy objects (the kernel side) and with their srepr text (the grader side).
"""

from __future__ import annotations

import os
import time
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
        "middle slip: n - 1 in the solution",
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
        X.gaussian_variance_bias,
        "E[xbar**2] without the 1/n",
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
        [Log(), d * log(lam) - lam * (T_o + T_c), Diff(lam), d / lam - T_o],
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
        "right answer by wrong working (E[x] taken as 1)",
        [Diff(lam), 1 - x / lam, Diff(lam), x / lam**2, Expect(), 1 / lam**2, 1 / lam],
        6,
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
        "right answer by wrong working",
        [Diff(p1), N1 * p1 - lam, Solve(p1), N1 / lam],
        2,
    ),
    Wrong(
        X.mixture_multiplier,
        "middle slip: a substitution done wrong",
        [Subs(p1, N1 / lam), Eq(N1 * lam + p2 + p3, 1)],
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
        assert wrongs, ex.name
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
