"""The property tests' two Hypothesis profiles (tests/properties.py): a fixed gate, and
``make explore``."""

from __future__ import annotations

import properties
import pytest
from hypothesis import settings


def test_the_loaded_profile_is_the_one_the_environment_names():
    name = properties.profile()
    assert settings.default.derandomize is (name == "gate")
    assert settings.default.deadline is None
    assert settings.default.print_blob is True
    if name == "gate":  # make check, make test, CI: the same examples every run, nothing stored
        assert settings.default.database is None


def test_the_gate_keeps_each_budget_and_explore_multiplies_it(monkeypatch):
    monkeypatch.delenv(properties.EXAMPLES_VARIABLE, raising=False)
    monkeypatch.delenv(properties.PROFILE_VARIABLE, raising=False)
    assert properties.profile() == "gate"
    assert properties.budget(40) == 40
    monkeypatch.setenv(properties.PROFILE_VARIABLE, "explore")
    assert properties.budget(40) == 40 * properties.EXPLORE_FACTOR > 40
    monkeypatch.setenv(properties.EXAMPLES_VARIABLE, "7")
    assert properties.budget(40) == 7


def test_the_explore_profile_draws_fresh_examples_and_more_of_them(monkeypatch):
    monkeypatch.delenv(properties.EXAMPLES_VARIABLE, raising=False)
    monkeypatch.setenv(properties.PROFILE_VARIABLE, "explore")
    loaded = settings.default
    try:
        assert properties.load() == "explore"
        explore = settings.get_profile("explore")
        assert explore.derandomize is False and explore.database is not None
        default = settings.get_profile("default").max_examples
        assert explore.max_examples == default * properties.EXPLORE_FACTOR
    finally:
        monkeypatch.delenv(properties.PROFILE_VARIABLE)
        properties.load()
    assert repr(settings.default) == repr(loaded)  # the profile the run started with, again


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        (properties.PROFILE_VARIABLE, "fuzz"),
        (properties.EXAMPLES_VARIABLE, "0"),
        (properties.EXAMPLES_VARIABLE, "many"),
    ],
)
def test_a_bad_setting_is_refused_by_name(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError, match=variable):
        properties.budget(10)
