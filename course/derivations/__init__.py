"""Derivations the student writes, checked step by step with SymPy.

A derivation is a short list of steps, each a SymPy object built from the exercise's
symbols. The checker reads each step against the one before it and stops at the first
that does not follow, with both steps typeset, a numeric witness and, when it recognises
the slip, a likely cause. A derivation that passes comes back as aligned LaTeX.

>>> from sympy import log
>>> from course.derivations import Diff, Log, Solve, check_derivation
>>> from course.derivations.exercises import bernoulli_mle, bernoulli_score
>>> n, k, theta = bernoulli_score.symbols     # theta in (0, 1); n, k whole numbers
>>> result = check_derivation(bernoulli_score, [
...     Log(),                                       # step 1: a move ...
...     k * log(theta) + (n - k) * log(1 - theta),   # step 2: ... and what it gives
...     Diff(theta),
...     k / theta - (n - k) / (1 - theta),
... ])
✓ bernoulli_score: all 2 steps follow, and the result is right
>>> result = check_derivation(bernoulli_mle, [Solve(theta), k / n])
✓ bernoulli_mle: the step follows, and the result is right

Steps
-----
The exercise gives step 0 (``ex.start``, e.g. the likelihood). Each later step is one of:

- an expression (or ``Eq``) **equivalent** to the previous step. For a log-likelihood
  (``ex.objective``) a term free of every parameter may also be dropped, until the first
  derivative;
- an ``Eq`` right after an expression that is not a log-likelihood: that expression
  **set to zero** (the score equation);
- a **move**, followed by the expression it gives. The moves are:

  ============  ==========================================================================
  ``Log()``      take the natural log (of both sides of an equation)
  ``Diff(x)``    differentiate with respect to ``x``
  ``Grad(x, y)`` the gradient, as a tuple of partial derivatives, in the order given
  ``Solve(x)``   set to zero (if not an equation already) and solve for ``x``; the next
                 step is ``Eq(x, value)`` or just ``value``, and must solve the equation
  ``Subs(a, b)`` replace ``a`` by ``b``, where ``a = b`` is one of the exercise's facts
  ``Expect()``   the expectation, term by term, with the expectations the exercise gives
  ============  ==========================================================================

The last step must match the exercise's answer.

How a step is judged
--------------------
Steps are compared by a cheap symbolic proof (expand and cancel under the symbols'
assumptions) and, failing that, numerically at fixed random points of the exercise's
domain with 30 digits (``_probe.py``), so a correct step that ``simplify`` cannot prove
still passes. Equations are equivalent when their solutions agree (scanned along the
parameter) and one is the other times a factor that never vanishes.

Trust
-----
Steps cross from the student's kernel to the grader as ``srepr`` text (:func:`to_wire`).
The grader rebuilds them with :func:`parse`, which reads the text with :mod:`ast` and
accepts only whitelisted SymPy constructors with literal arguments: no ``eval``, no
``sympify`` of student text, and a student's subclass (whose ``__eq__`` or ``equals``
might lie) is replaced by plain SymPy objects. :func:`derivation_findings` lists the
calls of SymPy's own ``diff``/``solve``/``integrate``/``dsolve``/``limit`` in a cell's
source, for the integrity report.
"""

from ._check import check_derivation
from ._exercise import Derivation, DerivationResult
from ._findings import derivation_findings
from ._moves import Diff, Expect, Grad, Log, Move, Solve, Subs
from ._wire import WireError, parse, to_wire

__all__ = [
    "Derivation",
    "DerivationResult",
    "Diff",
    "Expect",
    "Grad",
    "Log",
    "Move",
    "Solve",
    "Subs",
    "WireError",
    "check_derivation",
    "derivation_findings",
    "parse",
    "to_wire",
]
