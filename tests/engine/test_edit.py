"""Edits return new problems and never change the one they were given."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tutor.engine import (
    Activation,
    BiasMode,
    Dataset,
    Layer,
    LayerNotation,
    Network,
    NetworkProblem,
    Parameters,
    edit,
)
from tutor.engine.training import Method


def cmu() -> NetworkProblem:
    """CMU recitation 5: α = [[2,1,0],[0,2,0]] (intercept first), β = [0,1,2], y = 3."""
    hidden = Layer(2, Activation("relu"), BiasMode.FOLDED, LayerNotation(weight="α_{$j,$i}"))
    output = Layer(1, Activation(), BiasMode.FOLDED, LayerNotation(weight="β_{$i}"))
    params = Parameters.of([[[1, 0], [2, 0]], [[1, 2]]], [[2, 0], [0]])
    return NetworkProblem(Network(2, (hidden, output)), params,
                          Dataset(np.array([[1.0, 2.0]]), np.array([[3.0]])))


def separate() -> NetworkProblem:
    hidden = Layer(2, Activation("relu"), BiasMode.SEPARATE)
    output = Layer(1, Activation(), BiasMode.SEPARATE)
    params = Parameters.of([[[1, 2], [3, 4]], [[5, 6]]], [[0.1, 0.2], [0.3]])
    return NetworkProblem(Network(2, (hidden, output)), params,
                          Dataset(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0], [0.0]])))


def test_display_entry_edits_the_folded_bias_column() -> None:
    problem = cmu()
    assert np.array_equal(edit.display_parameters(problem, 0), [[2, 1, 0], [0, 2, 0]])
    changed = edit.set_display_entry(problem, 0, 1, 0, 5.0)  # α₂,₀: the bias of a₂
    assert np.array_equal(changed.params.biases[0], [2, 5])
    assert np.array_equal(changed.params.weights[0], [[1, 0], [2, 0]])
    assert np.array_equal(problem.params.biases[0], [2, 0])  # the original is untouched


def test_display_entry_changes_the_forward_pass() -> None:
    changed = edit.set_display_entry(cmu(), 1, 0, 2, 3.0)  # β₂ = 3: ŷ = 1·3 + 3·2 = 9
    assert changed.trace().value("z2[0]") == pytest.approx(9.0)


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_numbers_are_refused(value: float) -> None:
    with pytest.raises(ValueError, match="finite"):
        edit.set_display_entry(cmu(), 0, 0, 0, value)
    with pytest.raises(ValueError, match="finite"):
        edit.set_input(cmu(), 0, 0, value)


def test_out_of_range_entries_are_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        edit.set_display_entry(cmu(), 0, 2, 0, 1.0)
    with pytest.raises(ValueError, match="no bias"):
        edit.set_bias(_without_bias(), 0, 0, 1.0)


def _without_bias() -> NetworkProblem:
    layer = Layer(1, Activation(), BiasMode.NONE)
    return NetworkProblem(Network(1, (layer,)), Parameters.of([[[2.0]]], [None]),
                          Dataset(np.array([[1.0]]), np.array([[0.0]])))


def test_separate_bias_and_data_cells() -> None:
    problem = edit.set_bias(separate(), 0, 1, -1.0)
    assert np.array_equal(problem.params.biases[0], [0.1, -1.0])
    problem = edit.set_input(problem, 1, 0, 7.0)
    problem = edit.set_target(problem, 0, 0, 2.5)
    assert problem.data.inputs[1, 0] == 7.0
    assert problem.data.targets[0, 0] == 2.5


def test_samples_can_be_added_and_removed() -> None:
    grown = edit.add_sample(separate())
    assert len(grown.data) == 3
    assert np.array_equal(grown.data.inputs[2], [3, 4])
    shrunk = edit.remove_sample(grown, 0)
    assert np.array_equal(shrunk.data.inputs, [[3, 4], [3, 4]])
    with pytest.raises(ValueError, match="at least one"):
        edit.remove_sample(edit.remove_sample(shrunk, 0), 0)


def test_activation_changes_the_trace() -> None:
    problem = edit.set_activation(cmu(), 0, "sigmoid")
    assert problem.network.layers[0].activation.name == "sigmoid"
    assert problem.trace().value("h1[0]") == pytest.approx(1 / (1 + np.exp(-3.0)))
    with pytest.raises(ValueError, match="unknown activation"):
        edit.set_activation(cmu(), 0, "swish")


def test_resize_keeps_existing_weights_and_seeds_new_ones() -> None:
    problem = separate()
    grown = edit.resize_layer(problem, 0, 3, seed=7)
    assert grown.params.weights[0].shape == (3, 2)
    assert np.array_equal(grown.params.weights[0][:2], [[1, 2], [3, 4]])
    assert np.array_equal(grown.params.biases[0], [0.1, 0.2, 0.0])
    assert grown.params.weights[1].shape == (1, 3)
    assert np.array_equal(grown.params.weights[1][0, :2], [5, 6])
    new_weight = grown.params.weights[1][0, 2]
    assert 0 < abs(new_weight) <= edit.NEW_WEIGHT_SCALE
    again = edit.resize_layer(problem, 0, 3, seed=7)
    assert np.array_equal(again.params.flat(), grown.params.flat())  # reproducible
    shrunk = edit.resize_layer(grown, 0, 1)
    assert np.array_equal(shrunk.params.weights[0], [[1, 2]])
    assert np.array_equal(shrunk.params.weights[1], [[5]])


def test_resizing_the_output_adds_target_columns() -> None:
    problem = edit.resize_layer(separate(), 1, 2)
    assert problem.data.targets.shape == (2, 2)
    assert np.array_equal(problem.data.targets[:, 0], [1, 0])
    assert np.array_equal(problem.data.targets[:, 1], [0, 0])


def test_resize_input_adds_zero_columns() -> None:
    problem = edit.resize_input(separate(), 3)
    assert problem.data.inputs.shape == (2, 3)
    assert np.array_equal(problem.params.weights[0][:, :2], [[1, 2], [3, 4]])


def test_add_and_remove_a_hidden_layer() -> None:
    problem = separate()
    deeper = edit.add_hidden_layer(problem, 1, 4, "tanh", seed=1)
    assert deeper.network.sizes == (2, 2, 4, 1)
    assert deeper.network.layers[1].activation.name == "tanh"
    assert np.array_equal(deeper.params.weights[0], problem.params.weights[0])
    assert deeper.params.weights[2].shape == (1, 4)
    assert np.array_equal(deeper.params.weights[2][0, :2], [5, 6])  # kept where shapes meet
    assert deeper.trace().value("loss") == pytest.approx(deeper.gradients().loss)
    back = edit.remove_hidden_layer(deeper, 1)
    assert back.network.sizes == (2, 2, 1)
    assert np.array_equal(back.params.flat(), problem.params.flat())
    with pytest.raises(ValueError, match="not a hidden layer"):
        edit.remove_hidden_layer(problem, 1)


def test_adding_before_a_folded_layer_uses_a_separate_bias() -> None:
    deeper = edit.add_hidden_layer(cmu(), 0, 3)
    assert deeper.network.layers[0].bias is BiasMode.SEPARATE
    assert deeper.params.biases[0].shape == (3,)


def test_learning_rate_and_method() -> None:
    problem = edit.set_learning_rate(separate(), 0.5)
    assert problem.training.learning_rate == 0.5
    with pytest.raises(ValueError, match="positive"):
        edit.set_learning_rate(problem, 0.0)
    problem = edit.set_method(problem, "minibatch", 2)
    assert problem.training.method is Method.MINIBATCH
    assert problem.training.batch_size == 2
    with pytest.raises(ValueError, match="batch size"):
        edit.set_method(problem, Method.SGD, 0)


@pytest.mark.parametrize(("text", "value"), [
    ("0.5", 0.5), ("−2", -2.0), (" -0,25 ", -0.25), ("1/4", 0.25), ("2e-3", 0.002), ("7", 7.0),
])
def test_numbers_are_parsed_as_students_type_them(text: str, value: float) -> None:
    assert edit.parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "abc", "1/0", "2**8", "1,000.5", "nan", "inf", "__import__"])
def test_anything_else_is_not_a_number(text: str) -> None:
    with pytest.raises(ValueError, match=r"not a number|finite"):
        edit.parse_number(text)


def test_randomize_is_reproducible_from_its_seed() -> None:
    problem = separate()
    first, again = edit.randomize_parameters(problem, 7), edit.randomize_parameters(problem, 7)
    other = edit.randomize_parameters(problem, 8)
    np.testing.assert_array_equal(first.params.weights[0], again.params.weights[0])
    assert not np.array_equal(first.params.weights[0], other.params.weights[0])
    limit = np.sqrt(6.0 / (2 + 2))  # Glorot-uniform bound of the 2→2 layer
    assert np.all(np.abs(first.params.weights[0]) <= limit)
    np.testing.assert_array_equal(first.params.biases[0], [0.0, 0.0])
    np.testing.assert_array_equal(problem.params.weights[0], [[1, 2], [3, 4]])  # untouched


def test_randomize_keeps_a_frozen_tensor() -> None:
    problem = separate()
    problem = replace(problem, training=replace(problem.training, frozen=frozenset({"W2"})))
    fresh = edit.randomize_parameters(problem, 3)
    np.testing.assert_array_equal(fresh.params.weights[1], [[5, 6]])
    assert not np.array_equal(fresh.params.weights[0], [[1, 2], [3, 4]])


@pytest.mark.parametrize("seed", [-1, 2**32])
def test_randomize_refuses_a_seed_out_of_range(seed: int) -> None:
    with pytest.raises(ValueError, match="seed"):
        edit.randomize_parameters(separate(), seed)
