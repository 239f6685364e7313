"""Every operation's local derivative agrees with central differences, and never raises."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.engine.expression_ops import (
    Add,
    Divide,
    Extremum,
    Function,
    Identity,
    Multiply,
    Negate,
    Power,
    PowerConstant,
    safely,
)
from tutor.engine.graph import Difference
from tutor.engine.notation import to_unicode

H = 1e-6


def central(op, args: list[float], k: int) -> float:
    plus, minus = list(args), list(args)
    plus[k] += H
    minus[k] -= H
    return (op.forward(plus) - op.forward(minus)) / (2 * H)


def assert_partials_match(op, args: list[float]) -> None:
    out = op.forward(args)
    for k in range(len(args)):
        numeric = central(op, args, k)
        analytic = op.partial(k, args, out)
        assert analytic == pytest.approx(numeric, rel=1e-5, abs=1e-6), (op, args, k)


moderate = st.floats(-3.0, 3.0, allow_nan=False)
positive = st.floats(0.2, 4.0)
away_from_zero = st.one_of(st.floats(-3.0, -0.3), st.floats(0.3, 3.0))
# the arguments each function is smooth on (no kinks, no poles, no domain edges)
DOMAINS = {
    "sin": moderate, "cos": moderate, "tan": st.floats(-1.2, 1.2), "exp": moderate,
    "log": positive, "sqrt": positive, "abs": away_from_zero, "tanh": moderate,
    "sigmoid": moderate, "relu": away_from_zero,
}


@pytest.mark.parametrize("name", sorted(DOMAINS))
def test_function_derivatives_match_central_differences(name: str) -> None:
    @settings(max_examples=30)
    @given(DOMAINS[name])
    def check(a: float) -> None:
        assert_partials_match(Function(name), [a])

    check()


@settings(max_examples=40)
@given(moderate, moderate)
def test_add_subtract_multiply(a: float, b: float) -> None:
    for op in (Add(), Difference(), Multiply()):
        assert_partials_match(op, [a, b])


@settings(max_examples=40)
@given(moderate, away_from_zero)
def test_divide(a: float, b: float) -> None:
    assert_partials_match(Divide(), [a, b])


@settings(max_examples=40)
@given(positive, st.floats(-2.5, 2.5))
def test_power_in_both_arguments(a: float, b: float) -> None:
    assert_partials_match(Power(), [a, b])


@settings(max_examples=40)
@given(positive, st.sampled_from([2.0, 3.0, 0.5, -1.0, -2.0, 1.0, 0.0, 1.5]))
def test_power_constant(a: float, p: float) -> None:
    assert_partials_match(PowerConstant(p), [a])


@settings(max_examples=40)
@given(moderate)
def test_negate_and_identity(a: float) -> None:
    assert_partials_match(Negate(), [a])
    assert_partials_match(Identity(), [a])


@settings(max_examples=40)
@given(st.lists(moderate, min_size=2, max_size=4, unique=True).filter(
    lambda xs: min(abs(a - b) for a in xs for b in xs if a != b) > 1e-3))
def test_max_and_min_send_the_gradient_to_the_winner(args: list[float]) -> None:
    for name in ("max", "min"):
        op = Extremum(name)
        assert_partials_match(op, args)
        winner = args.index(max(args) if name == "max" else min(args))
        assert [op.partial(k, args, op.forward(args)) for k in range(len(args))] == [
            1.0 if k == winner else 0.0 for k in range(len(args))]


def test_ties_give_the_whole_gradient_to_the_first_winner() -> None:
    op = Extremum("max")
    assert [op.partial(k, [2.0, 2.0], 2.0) for k in (0, 1)] == [1.0, 0.0]


def test_relu_derivative_at_zero_is_zero_as_on_the_sheets() -> None:
    assert Function("relu").partial(0, [0.0], 0.0) == 0.0


@pytest.mark.parametrize(("op", "args", "expected"), [
    (Divide(), [1.0, 0.0], math.inf),
    (Function("log"), [-1.0], math.nan),
    (Function("log"), [0.0], -math.inf),
    (Function("sqrt"), [-4.0], math.nan),
    (Function("exp"), [1000.0], math.inf),
    (Power(), [2.0, 1e10], math.inf),
    (Power(), [-8.0, 1 / 3], math.nan),
    (PowerConstant(-1.0), [0.0], math.inf),
    (Multiply(), [1e200, 1e200], math.inf),
    (Divide(), [0.0, 0.0], math.nan),
])
def test_domain_errors_and_overflow_give_nan_or_inf(op, args, expected) -> None:
    value = op.forward(args)  # pytest turns any RuntimeWarning into an error
    if math.isnan(expected):
        assert math.isnan(value)
    else:
        assert value == expected
    for k in range(len(args)):
        op.partial(k, args, value)  # must not raise either


def test_safely_turns_python_errors_into_nan() -> None:
    assert math.isnan(safely(lambda a: math.log(a), -1.0))
    assert safely(lambda a, b: a / b, 1.0, 0.0) == math.inf


@pytest.mark.parametrize(("op", "k", "args", "symbol", "numbers"), [
    (Divide(), 1, [3.0, 2.0], "−u / z²", "−3 / 2²"),
    (Divide(), 0, [3.0, 2.0], "1 / z", "1 / 2"),
    (PowerConstant(2.0), 0, [3.0], "2u", "2 · 3"),
    (PowerConstant(3.0), 0, [3.0], "3u²", "3 · 3²"),
    (PowerConstant(-1.0), 0, [2.0], "−u⁻²", "(−1) · 2⁻²"),
    (Function("sin"), 0, [0.5], "cos(u)", "cos(0.5)"),
    (Function("sigmoid"), 0, [0.0], "v(1 − v)", "0.5(1 − 0.5)"),
    (Function("relu"), 0, [-1.0], "[u > 0]", "0"),
    (Multiply(), 0, [3.0, -2.0], "z", "(−2)"),
])
def test_partials_are_shown_in_symbols_and_numbers(op, k, args, symbol, numbers) -> None:
    syms = ["u", "z"][: len(args)]
    out = op.forward(args)
    assert to_unicode(op.partial_symbol(k, syms, "v")) == symbol
    assert to_unicode(op.partial_numbers(k, args, out)) == numbers


def test_formulas_read_like_the_sheets() -> None:
    assert to_unicode(Function("sin").formula(["u"])) == "sin(u)"
    assert to_unicode(Divide().formula(["u", "z"])) == "u / z"
    assert to_unicode(PowerConstant(2.0).formula(["x"])) == "x²"
    assert to_unicode(Function("sigmoid").formula(["a"])) == "σ(a)"
    assert to_unicode(Extremum("max").numbers([1.0, -2.0])) == "max(1, −2)"
