"""The activations table: every row's forms agree with each other and with the calculus.

These tests read the table, so a new row is checked here without a line of its own: its
array and float forms, its derivative against finite differences, its node-trace markup and,
if expressions may call it, the expression function built from it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tutor.engine.activations import NAMES, RULES, Activation
from tutor.engine.expression_ops import FUNCTIONS, Function
from tutor.engine.graph import OUTPUT, Activate

# away from ReLU's kink, and inside where every function is smooth and finite
POINTS = np.array([-3.1, -1.2, -0.4, 0.3, 0.9, 2.6])


@pytest.mark.parametrize("name", NAMES)
def test_the_float_form_is_the_array_form(name: str) -> None:
    activation = Activation(name, slope=0.2)
    out = activation(POINTS)
    local = activation.derivative(POINTS, out)
    forms = activation.floats()
    if activation.is_identity:
        assert forms is None
        np.testing.assert_array_equal(out, POINTS)
        np.testing.assert_array_equal(local, np.ones_like(POINTS))
        return
    value, derivative = forms
    for z, o, d in zip(POINTS, out, local, strict=True):
        assert value(float(z)) == pytest.approx(o, rel=1e-14, abs=1e-15)
        assert derivative(float(z), value(float(z))) == pytest.approx(d, rel=1e-14, abs=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_the_derivative_is_the_slope(name: str) -> None:
    activation, h = Activation(name, slope=0.2), 1e-6
    numeric = (activation(POINTS + h) - activation(POINTS - h)) / (2 * h)
    np.testing.assert_allclose(activation.derivative(POINTS, activation(POINTS)), numeric,
                               rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", NAMES)
def test_large_inputs_give_numbers_not_exceptions(name: str) -> None:
    activation = Activation(name)
    z = np.array([-1e4, 1e4, math.nan])
    with np.errstate(over="raise", invalid="raise"):
        out = activation(z[:2])
    assert np.isfinite(out).all() or name in ("identity", "leaky_relu", "relu")
    if activation.floats() is not None:
        value, _ = activation.floats()
        for x in (-1e4, 1e4):
            value(x)  # never OverflowError


@pytest.mark.parametrize("name", [n for n in NAMES if n != "identity"])
def test_a_node_step_shows_the_derivative_it_multiplies_by(name: str) -> None:
    activation = Activation(name, slope=0.2)
    op, z = Activate(activation), 0.9
    out = op.forward([z])
    assert op.partial(0, [z], out) == pytest.approx(float(activation.derivative(z, out)))
    assert op.partial_symbol(0, ["a"], "h") == f"{RULES[name].display}′(a)"
    assert op.partial_reads(0, 1) == ((OUTPUT,) if RULES[name].reads_output else (0,))
    shown = op.partial_numbers(0, [z], out)
    assert shown  # the derivative with numbers, e.g. 0.71(1 − 0.71) or 1
    if RULES[name].numbers_from_value:
        assert float(shown.replace("(", "").replace(")", "").replace("−", "-")) == \
            pytest.approx(float(activation.derivative(z, out)), rel=1e-3)


def test_known_values() -> None:
    assert Activation("sigmoid")(0.0) == 0.5
    assert Activation("tanh").derivative(0.0, 0.0) == 1.0
    assert Activation("relu").derivative(0.0, 0.0) == 0.0  # the sheets' ReLU′(0)
    assert Activation("leaky_relu", 0.1)(-2.0) == pytest.approx(-0.2)
    assert Activation("softplus")(0.0) == pytest.approx(math.log(2))
    assert Activation("sigmoid").derivative_numbers(0.0, 0.5) == "0.5(1 − 0.5)"
    assert Activation("tanh").derivative_numbers(0.0, 0.5) == "(1 − 0.5^2)"
    with pytest.raises(ValueError, match="unknown activation 'swishy'"):
        Activation("swishy")


@pytest.mark.parametrize("name", [n for n, rule in RULES.items() if rule.in_expressions])
def test_an_expression_calls_the_same_row(name: str) -> None:
    assert name in FUNCTIONS
    function, activation = Function(name), Activation(name)
    for z in POINTS:
        out = function.forward([z])
        assert out == float(activation(z))
        assert function.partial(0, [z], out) == float(activation.derivative(z, out))
    assert function.partial_symbol(0, ["u"], "v") == RULES[name].shown("u", "v")
