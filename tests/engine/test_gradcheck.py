"""The numerical gradient check: agrees with backprop, counts its cost, catches a wrong gradient."""

from dataclasses import replace

import numpy as np
import pytest

from tutor.engine import (
    Activation,
    BiasMode,
    Dataset,
    Layer,
    Loss,
    Network,
    check_gradients,
    random_parameters,
)
from tutor.engine import gradcheck as gradcheck_module
from tutor.engine.batch import Gradients
from tutor.engine.gradcheck import unflatten

NETWORK = Network(3, (Layer(4, Activation("tanh")), Layer(2, Activation("sigmoid"),
                                                         BiasMode.FOLDED)), Loss())
DATA = Dataset([[0.5, -1.0, 2.0], [1.5, 0.2, -0.3]], [[0.1, 0.9], [0.7, 0.2]])


def params():
    return random_parameters(NETWORK, seed=4, scale=0.8).map(lambda t: t + 0.1)


def test_backprop_agrees_with_central_differences() -> None:
    check = check_gradients(NETWORK, params(), DATA)
    assert check.max_rel_error < 1e-6
    assert check.max_abs_error < 1e-9
    np.testing.assert_allclose(check.numeric, check.analytic, rtol=1e-6, atol=1e-10)


def test_the_numeric_check_costs_two_forward_passes_per_parameter(monkeypatch) -> None:
    calls = []
    original = gradcheck_module.dataset_loss

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(gradcheck_module, "dataset_loss", counting)
    check = check_gradients(NETWORK, params(), DATA)
    count = params().flat().size
    assert count == 3 * 4 + 4 + 4 * 2 + 2
    assert check.forward_passes == len(calls) == 2 * count
    assert check.backward_passes == 1
    assert f"{2 * count} forward passes" in check.summary()


@pytest.mark.parametrize("flip", [0, 5, -1])
def test_a_wrong_gradient_is_caught(monkeypatch, flip: int) -> None:
    original = gradcheck_module.loss_and_gradients

    def wrong(network, params, data) -> Gradients:
        right = original(network, params, data)
        flat = right.params.flat().copy()
        flat[flip] = flat[flip] * 1.01 + 1e-4  # a 1% mistake in one entry
        return replace(right, params=unflatten(right.params, flat))

    monkeypatch.setattr(gradcheck_module, "loss_and_gradients", wrong)
    check = check_gradients(NETWORK, params(), DATA)
    assert check.max_rel_error > 1e-3
    assert int(np.argmax(np.abs(check.analytic - check.numeric))) == flip % check.numeric.size


def test_unflatten_inverts_flat() -> None:
    template = params()
    rebuilt = unflatten(template, template.flat())
    for name, tensor in template.tensors().items():
        np.testing.assert_array_equal(rebuilt.tensors()[name], tensor)
