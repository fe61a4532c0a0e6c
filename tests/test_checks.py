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


# --- naming the mistake, warnings and documented return types ---------------------------


def _catalogue(*entries):
    from course.mistakes import Mistake

    return tuple(Mistake("f", says, fn) for says, fn in entries)


def test_a_catalogued_mistake_is_named_instead_of_the_case_hint():
    wrong = _catalogue(
        ("you took the sum", lambda x: float(np.sum(x))),
        ("you took the median", lambda x: float(np.median(x))),
    )
    text = message(lambda x: float(np.median(x)), [case([1, 0, 0, 3], expected=1.0, hint="mean")],
                   mistakes=wrong)  # fmt: skip
    assert "likely:   you took the median" in text
    assert "hint" not in text and "sum" not in text


def test_without_a_match_the_case_hint_is_shown():
    wrong = _catalogue(("you took the sum", lambda x: float(np.sum(x))))
    text = message(lambda x: 0.0, [case([1, 3], expected=2.0, hint="the mean")], mistakes=wrong)
    assert "hint:     the mean" in text and "likely" not in text


def test_several_matches_are_all_named_and_a_raising_entry_never_matches():
    def boom(x):
        raise ValueError("no")

    wrong = _catalogue(
        ("first", lambda x: 5.0), ("raises", boom), ("second", lambda x: 5.0 + 1e-12)
    )
    text = message(lambda x: 5.0, [case([1], expected=1.0)], mistakes=wrong)
    assert "likely:   first" in text and "or:       second" in text and "raises" not in text


def test_nan_is_reproduced_only_where_the_mistake_gives_nan():
    wrong = _catalogue(("nan first", lambda x: np.array([np.nan, 1.0])))
    same = message(
        lambda x: np.array([np.nan, 1.0]), [case(1, expected=np.zeros(2))], mistakes=wrong
    )
    other = message(
        lambda x: np.array([1.0, np.nan]), [case(1, expected=np.zeros(2))], mistakes=wrong
    )
    assert "likely:   nan first" in same and "likely" not in other


def test_a_mistake_raising_the_same_error_is_named():
    def unpacked(f, x, params):
        return f(x, params)

    wrong = _catalogue(("params not unpacked", unpacked))
    text = message(unpacked, [case(lambda x, a, b: a + b, 1.0, (2.0, 3.0), expected=6.0)],
                   mistakes=wrong)  # fmt: skip
    assert "raised:   TypeError" in text and "likely:   params not unpacked" in text


def test_the_mistakes_see_the_inputs_the_student_saw():
    # A generator argument: every entry starts from the state the student's call started from.
    wrong = _catalogue(("drew twice", lambda rng: float(rng.normal() + rng.normal())))
    student = lambda rng: float(rng.normal() + rng.normal())  # noqa: E731
    text = message(student, [case(np.random.default_rng(5), expected=0.0)], mistakes=wrong)
    assert "likely:   drew twice" in text


def test_then_adapts_a_catalogue_to_a_wrapper_of_the_students_function():
    from course.mistakes import catalogue

    entries = catalogue("gradient_descent", then=lambda path: np.asarray(path)[-1])
    assert entries and all(e.exercise == "gradient_descent" for e in entries)
    ascent = next(e for e in entries if e.__name__ == "ascent")
    assert ascent(lambda x: 2 * x, 1.0, 0.5, 2) == 4.0  # 1 -> 2 -> 4, last point only


def test_warnings_fail_a_case_with_the_right_value():
    import warnings

    def noisy(x):
        warnings.warn("divide by zero encountered in log", RuntimeWarning, stacklevel=1)
        return 1.0

    with pytest.warns(RuntimeWarning):
        check(noisy, [case(1, expected=1.0)])  # warnings are allowed by default
    text = message(noisy, [case(1, expected=1.0)], warnings="fail")
    assert "problem:  your function emitted a warning: RuntimeWarning" in text
    with pytest.raises(ValueError, match="warnings"):
        check(noisy, [case(1, expected=1.0)], warnings="sometimes")


def test_returns_enforces_the_documented_type():
    check(lambda: np.zeros(2), [case(expected=np.zeros(2))], returns=np.ndarray)
    check(lambda: (np.zeros(1), np.float64(2)), [case(expected=(np.zeros(1), 2.0))],
          returns=(np.ndarray, float))  # fmt: skip
    text = message(lambda: [0.0, 0.0], [case(expected=np.zeros(2))], returns=np.ndarray)
    assert "should be a numpy array (np.ndarray), as the docstring says; got a list" in text
    text = message(lambda: np.zeros(1), [case(expected=(np.zeros(1), 2.0))],
                   returns=(np.ndarray, float))  # fmt: skip
    assert "should be a tuple of 2 values" in text


def test_a_near_miss_is_told_it_is_a_matter_of_precision():
    # A grid step, a finite difference or an early stop: a formula hint would mislead.
    text = message(lambda x: (1e-8, 1.4142134e-4), [case([1.0], expected=(0.0, 1.41421356e-4),
                   hint="divide by n")])  # fmt: skip
    assert "hint:     close, but outside the tolerance (off by 7.1e-05" in text
    assert "or:       divide by n" in text
    # Each part of a tuple against its own size: sigma off by 100 % beside mu = 1000 is no near
    # miss.
    text = message(lambda x: (1000.0, 0.002), [case([1.0], expected=(1000.0, 0.001))])
    assert "close" not in text
    # A usual formula mistake keeps its own hint even when small (n / (n - 1) with n = 2000).
    x = np.arange(2000.0)
    text = message(lambda x: float(np.var(x, ddof=1)), [case(x, expected=float(np.var(x)))])
    assert "not n - 1" in text and "close" not in text


def test_list_arithmetic_gets_its_own_hint_not_the_case_hint():
    def likelihood(x, theta):
        return float(np.prod(theta**x * (1 - theta) ** (1 - x)))

    text = message(likelihood, [case([1, 0, 1], 0.5, expected=0.125, hint="multiply the factors")])
    assert "raised:   TypeError" in text and "np.asarray(x, dtype=float)" in text
    assert "multiply the factors" not in text


def test_a_sympy_result_says_where_it_came_from():
    import sympy

    n = sympy.Symbol("n")  # a derivation cell's symbol, used by mistake in a function
    text = message(lambda x: float(np.sum(x)) / n, [case([1.0, 2.0], expected=1.5)])
    assert "the result is the SymPy expression 3.0/n, not a number" in text
    # during autograde it arrives from the kernel as its srepr text
    srepr = "Mul(Float('3.0', precision=53), Pow(Symbol('n'), Integer(-1)))"
    text = message(lambda x: srepr, [case([1.0, 2.0], expected=1.5)])
    assert "is the SymPy expression Mul(Float(" in text and "np.log" in text
    assert "SymPy" not in message(lambda x: "three", [case([1.0], expected=1.5)])


def test_integer_arrays_and_matrices_are_shown_as_they_are():
    text = message(lambda t, o: 0.2, [case(np.array([2.0, 3.0]), np.array([1, 0]), expected=0.1)])
    assert "o = array([1, 0])" in text  # integers, the very thing a 0/1 index hint is about
    text = message(lambda X: X * 2, [case(np.array([[1.0], [-2.0]]), expected=np.ones((2, 1)))])
    assert "input:    X = array([[ 1.], [-2.]])" in text  # one line, not numpy's ragged rows
    assert "got:      array([[ 2.], [-4.]])" in text


def test_right_values_in_the_wrong_container_name_no_mistake():
    # On hand cases several catalogued mistakes give the right values too; a list holding the
    # right values would have been told it "likely" made them.
    lookalike = _catalogue(("only the variances were computed", lambda: (np.zeros(2), 1.0)))
    text = message(lambda: [np.zeros(2), 1.0], [case(expected=(np.zeros(2), 1.0))],
                   returns=(np.ndarray, float), mistakes=lookalike)  # fmt: skip
    assert "problem:  the result should be a tuple of 2 values, got a list" in text
    assert "hint:     the values are right: return them as a tuple of 2" in text
    assert "likely" not in text
    # Wrong values in the wrong container: a mistake that reproduces them is still named.
    halved = _catalogue(("halved", lambda: (np.zeros(2), 0.5)))
    text = message(lambda: [np.zeros(2), 0.5], [case(expected=(np.zeros(2), 1.0))],
                   returns=(np.ndarray, float), mistakes=halved)  # fmt: skip
    assert "likely:   halved" in text and "values are right" not in text
    # A property check has no expected value: the type message stands alone.
    with pytest.raises(CheckFailure) as info:
        check_property(lambda: [0.0], [case()], lambda got: True, description="anything",
                       returns=np.ndarray, mistakes=_catalogue(("x", lambda: [0.0])))  # fmt: skip
    assert str(info.value).splitlines()[-1].startswith("    problem:  the result should be")


def _centre(x):
    x = np.asarray(x, dtype=float)
    m = x.mean()
    x -= m  # the caller's array, when x was a float array
    return float(m)


def test_a_function_that_changes_its_argument_in_place_fails():
    text = message(_centre, [case(np.array([1.0, 2.0, 3.0]), expected=2.0)])
    assert "problem:  your function changed its argument x in place" in text
    assert "np.array(x, dtype=float)" in text
    # The same function on a list works on its own copy: nothing of the caller's changes.
    check(_centre, [case([1.0, 2.0, 3.0], expected=2.0)])


@pytest.mark.parametrize(
    ("args", "kwargs", "named"),
    [
        (((np.ones(2), np.zeros(2)),), {}, "init[1]"),
        (([np.ones(2), np.zeros(2)],), {}, "init[1]"),
        (({"w": np.ones(2), "m": np.zeros(2)},), {}, "init['m']"),
        ((), {"init": (np.ones(2), np.zeros(2))}, "init[1]"),
    ],
)
def test_arrays_inside_an_argument_changed_in_place_are_named(args, kwargs, named):
    def shift(init):
        means = init["m"] if isinstance(init, dict) else init[1]
        means += 1.0
        return 0.0

    text = message(shift, [case(*args, expected=0.0, **kwargs)])
    assert f"changed its argument {named} in place" in text


def test_what_a_function_may_change_is_not_taken_for_a_mistake():
    def draws(rng, x):  # drawing from the generator, and rebinding its own name
        x = x + rng.normal(size=x.size)
        return float(x.size)

    check(draws, [case(np.random.default_rng(0), np.zeros(3), expected=3.0)])
    # NaN stays NaN: an array holding NaN is not "changed" by being read
    check(lambda x: float(np.nansum(x)), [case(np.array([1.0, np.nan]), expected=1.0)])


def test_check_property_names_a_mistake_too():
    wrong = _catalogue(("went down", lambda n: -np.arange(n, dtype=float)))
    with pytest.raises(CheckFailure) as info:
        check_property(lambda n: -np.arange(n, dtype=float), [case(4)],
                       lambda got, n: bool(np.all(np.diff(got) >= 0)), description="rises",
                       mistakes=wrong)  # fmt: skip
    assert "likely:   went down" in str(info.value)


def test_a_warning_is_explained_only_by_a_mistake_that_warns_too():
    import warnings

    def quiet(x):
        return 1.0

    def loud(x):
        warnings.warn("divide by zero encountered in log", RuntimeWarning, stacklevel=1)
        return 1.0

    wrong = _catalogue(("quiet", quiet), ("loud", loud))
    text = message(loud, [case(1, expected=1.0)], warnings="fail", mistakes=wrong)
    assert "likely:   loud" in text and "quiet" not in text


def test_values_that_differ_beyond_six_digits_are_shown_in_full():
    # Two values shown alike beside "differs by up to 5.55e-17" left the student guessing.
    with pytest.raises(CheckFailure) as info:
        check_value(np.array([0.3, -0.2, 0.1]) + 2.78e-17, np.array([0.3, -0.2, 0.1]),
                    name="x", rtol=0, atol=0)  # fmt: skip
    expected, got = str(info.value).splitlines()[1:3]
    assert expected == "    expected: array([ 0.3, -0.2,  0.1])"
    assert "0.30000000000000004" in got
    # Values that already look different keep the short form.
    text = message(lambda: np.array([1.0, 2.5]), [case(expected=np.array([1.0, 2.0]))])
    assert "got:      array([1. , 2.5])" in text
