"""How the property tests (Hypothesis's ``@given``) choose their examples.

Two settings profiles, registered and loaded by ``tests/conftest.py``:

- ``gate`` (the default: ``make check``, ``make test``, CI). Derandomized: every run tries the
  same examples, chosen from a hash of the test, so a run fails only because the code changed,
  never because this run happened to draw a new counterexample. No example database.
- ``explore`` (``make explore``, which sets ``MLE_HYPOTHESIS=explore``). Fresh random examples
  on every run, :data:`EXPLORE_FACTOR` times each test's budget, failures kept in
  ``.hypothesis/`` and replayed first next time. This is how new counterexamples are found.

Either way a failure prints the shrunk example and the blob that reproduces it. A
counterexample that ``make explore`` finds is fixed in mlelib and kept in the gate as an
``@example`` on its test, so the gate keeps checking it for good.

A test sets its budget with ``@settings(max_examples=budget(n))`` (a test without one has
Hypothesis's default, also multiplied when exploring); ``MLE_HYPOTHESIS_EXAMPLES`` overrides
every budget in both profiles.
"""

from __future__ import annotations

import os

from hypothesis import settings

PROFILE_VARIABLE = "MLE_HYPOTHESIS"
EXAMPLES_VARIABLE = "MLE_HYPOTHESIS_EXAMPLES"
PROFILES = ("gate", "explore")
EXPLORE_FACTOR = 25


def profile() -> str:
    """The profile named by ``MLE_HYPOTHESIS`` (``gate`` when unset); ValueError otherwise."""
    name = os.environ.get(PROFILE_VARIABLE, "") or "gate"
    if name not in PROFILES:
        raise ValueError(f"{PROFILE_VARIABLE} must be one of {', '.join(PROFILES)}, got {name!r}")
    return name


def budget(n: int) -> int:
    """A test's number of examples: ``n`` in the gate, more when exploring."""
    given = os.environ.get(EXAMPLES_VARIABLE, "")
    if given:
        if not given.isdigit() or int(given) < 1:
            raise ValueError(
                f"{EXAMPLES_VARIABLE} must be a whole number of at least 1, got {given!r}"
            )
        return int(given)
    return n * EXPLORE_FACTOR if profile() == "explore" else n


def load() -> str:
    """Register both profiles and load the chosen one; return its name."""
    default = settings.get_profile("default")  # Hypothesis's own, not what is loaded now
    settings.register_profile(
        "gate", default, deadline=None, derandomize=True, database=None, print_blob=True
    )
    settings.register_profile(
        "explore",
        default,
        deadline=None,
        derandomize=False,
        print_blob=True,
        max_examples=budget(default.max_examples),
    )
    name = profile()
    settings.load_profile(name)
    return name
