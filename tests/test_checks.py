"""The check helpers in a plain Python process: verdicts, messages and hints."""

from __future__ import annotations

import numpy as np
import pytest

from course import _values
from course.checks import CheckFailure, case, check, check_monte_carlo, check_property, check_value


def mean(x):
    return float(np.mean(x))


def message(fn, cases, **kwargs) -> str:
    with pytest.raises(CheckFailure) as info:
        check(fn, cases, **kwargs)
    return str(info.value)


def test_a_right_answer_passes_and_says_so(capsys):
    check(mean, [case([1, 0, 1, 1], expected=0.75), case([1, 1], expected=1.0)])
    assert "✓ mean: 2 cases passed" in capsys.readouterr().out


def test_reference_supplies_expected_values(capsys):
    check(mean, [case(np.arange(5.0)), case([2.0, 4.0])], reference=lambda x: np.mean(x))
    assert "2 cases passed" in capsys.readouterr().out


def test_failure_names_case_input_expected_got_and_hint():
    def total(x):
        return float(np.sum(x))

    text = message(total, [case([1], expected=1.0), case([1, 0, 1, 1], expected=0.75)])
    assert "total failed on case 2 of 2" in text
    assert "input:    x = [1, 0, 1, 1]" in text
    assert "expected: 0.75" in text
    assert "got:      3.0" in text
    assert "a sum where a mean is wanted" in text


def test_integer_inputs_are_shown_as_integers():
    def head_count(k, n):
        return float(k + n)

    text = message(head_count, [case(np.int64(7), 10, expected=0.7)])
    assert "input:    k = 7, n = 10" in text


@pytest.mark.parametrize(
    ("wrong", "expected", "hint"),
    [
        (lambda x: -0.75, 0.75, "sign is flipped"),
        (lambda x: float(np.exp(-0.75)), -0.75, "exp of the expected value"),
        (lambda x: float(np.var(x, ddof=1)), float(np.var([1.0, 2.0, 4.0])), "not n - 1"),
        (lambda x: float("nan"), 0.75, "xlogy"),
    ],
)
def test_hints_recognise_the_usual_mistakes(wrong, expected, hint):
    assert hint in message(wrong, [case([1.0, 2.0, 4.0], expected=expected)])


def test_a_case_hint_wins_over_the_guess():
    text = message(lambda x: 0.0, [case([1], expected=1.0, hint="count the heads")])
    assert "hint:     count the heads" in text


def test_infinities_must_match_exactly(capsys):
    check(lambda: -np.inf, [case(expected=-np.inf)], name="log0")
    assert "passed" in capsys.readouterr().out
    assert "infinite" in message(lambda: np.inf, [case(expected=-np.inf)])
    assert "infinite" in message(lambda: -1e308, [case(expected=-np.inf)])


def test_tolerances_are_applied_per_case():
    check(lambda: 1.001, [case(expected=1.0, rtol=1e-2)])
    with pytest.raises(CheckFailure):
        check(lambda: 1.001, [case(expected=1.0)])


def test_structures_tuples_arrays_and_dicts():
    check(lambda: (1.0, [2.0, 3.0]), [case(expected=(1.0, np.array([2.0, 3.0])))])
    check(lambda: {"a": np.float64(1)}, [case(expected={"a": 1.0})])
    assert "shape (3,)" in message(lambda: np.zeros(3), [case(expected=np.zeros(2))])
    assert "2 values" in message(lambda: (1.0, 2.0), [case(expected=(1.0, 2.0, 3.0))])
    assert "single number" in message(lambda: np.array([0.5]), [case(expected=0.5)])


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (None, "forget to `return`"),
        ("0.5", "str object"),
        (np.array(["a"]), "dtype"),
        (type("F", (float,), {"__eq__": lambda s, o: True})(0.5), "subclass of float"),
        (np.zeros(1).view(type("A", (np.ndarray,), {})), "A object"),
        (type("L", (list,), {})([0.5]), "subclass of list"),
    ],
)
def test_values_of_the_wrong_kind_are_refused(value, why):
    assert why in message(lambda: value, [case(expected=0.5)])


def test_tuple_subclasses_are_read_without_their_own_methods():
    class Lying(tuple):
        def __iter__(self):
            return iter((0.75,))

        def __getitem__(self, i):
            return 0.75

    assert _values.plain(Lying((0.1,))) == (0.1,)


def test_exceptions_and_stubs_are_reported():
    def stub(x):
        raise NotImplementedError()

    assert "not implemented yet" in message(stub, [case([1], expected=1.0)])

    def broken(x):
        return x / "a"

    text = message(broken, [case([1], expected=1.0)])
    assert "raised:   TypeError" in text


def test_inputs_are_passed_as_copies():
    data = [1.0, 2.0]

    def mutate(x):
        x.append(99.0)
        return 1.0

    check(mutate, [case(data, expected=1.0)])
    assert data == [1.0, 2.0]


def test_messages_name_the_parameters_of_any_callable_with_a_signature():
    import inspect

    class Remote:  # how an autograde stand-in for the student's function presents itself
        __name__ = "bernoulli_mle"
        __signature__ = inspect.Signature(
            [inspect.Parameter("flips", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        )

        def __call__(self, flips):
            return 0.5

    assert "input:    flips = [1, 1]" in message(Remote(), [case([1, 1], expected=1.0)])


def test_an_error_raised_elsewhere_shows_the_students_line():
    class Raised(ValueError):
        where = " (line 3: return x / n)"
        type_name = "ZeroDivisionError"

    def f(x):
        raise Raised("division by zero")

    text = message(f, [case([1], expected=1.0)])
    assert "raised:   ZeroDivisionError: division by zero (line 3: return x / n)" in text


def test_a_result_that_could_not_cross_is_a_problem_not_a_crash():
    from course._wire import NotPlain

    def f(x):
        raise NotPlain("the result is a Liar (a subclass of float) object")

    text = message(f, [case(1, expected=1.0)])
    assert "problem:  the result is a Liar (a subclass of float) object" in text
    assert "raised" not in text


def test_check_value_and_monte_carlo(capsys):
    check_value(np.float64(2.0), 2.0, name="total")
    with pytest.raises(CheckFailure, match="total is not right"):
        check_value(3.0, 2.0, name="total")
    check_monte_carlo(0.51, 0.5, mc_se=0.005, name="coverage")
    with pytest.raises(CheckFailure, match="simulation noise"):
        check_monte_carlo(0.53, 0.5, mc_se=0.005, name="coverage")
    assert "✓ coverage" in capsys.readouterr().out


def test_check_property():
    def path(n):
        return np.arange(n, dtype=float)

    increasing = lambda got, n: bool(np.all(np.diff(got) >= 0)) or "it decreased"  # noqa: E731
    check_property(path, [case(5)], increasing, description="a non-decreasing path")
    with pytest.raises(CheckFailure, match="it decreased"):
        check_property(lambda n: -path(n), [case(5)], increasing, description="non-decreasing")
