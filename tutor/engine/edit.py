"""Edits of a network problem: pure functions that return a new problem.

The app never mutates a problem; each edit here builds a new immutable one, so an edit can be
undone by keeping the old value.  Invalid edits raise ``ValueError`` with a message a student
can read; the problem passed in is never changed.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from .activations import Activation
from .ids import INPUT, TARGET, bias_tensor, parameter_tensors, parse_id, weight_tensor
from .network import (
    BiasMode,
    Dataset,
    Layer,
    Network,
    Parameters,
    random_parameters,
)
from .numbers import parse_number  # noqa: F401  (re-exported: the editors' parser)
from .problem import NetworkProblem
from .sheet_layout import display_entry, display_matrix, split_display_matrix
from .training import Method

NEW_WEIGHT_SCALE = 0.5  # new weights are drawn uniformly from ±this, reproducibly
MAX_LEARNING_RATE = 1000.0  # as in tutor/resources/schema/exercise.schema.json


def _finite(value: float, what: str) -> float:
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value}")
    return value


def _check_layer(problem: NetworkProblem, layer: int) -> None:
    if not 0 <= layer < len(problem.network.layers):
        raise ValueError(f"there is no layer {layer + 1}")


# --------------------------------------------------------------------------- numbers

def display_parameters(problem: NetworkProblem, layer: int) -> np.ndarray:
    """Layer ``layer``'s weights as the sheet writes them (bias folded in, maybe transposed)."""
    _check_layer(problem, layer)
    return display_matrix(problem.network.layers[layer], problem.params.weights[layer],
                          problem.params.biases[layer])


def set_display_entry(problem: NetworkProblem, layer: int, row: int, column: int,
                      value: float) -> NetworkProblem:
    """Set one entry of the layer's display matrix (see :func:`display_parameters`)."""
    matrix = display_parameters(problem, layer).copy()
    if not (0 <= row < matrix.shape[0] and 0 <= column < matrix.shape[1]):
        raise ValueError(f"entry ({row}, {column}) is outside the {matrix.shape} matrix")
    matrix[row, column] = _finite(value, "a weight")
    spec = problem.network.layers[layer]
    weights, folded_bias = split_display_matrix(spec, matrix)
    bias = folded_bias if spec.bias is BiasMode.FOLDED else problem.params.biases[layer]
    return _with_layer_params(problem, layer, weights, bias)


def set_scalar(problem: NetworkProblem, node_id: str, value: float,
               sample: int = 0) -> NetworkProblem:
    """Set one scalar named by its node id: a weight ``W1[j,i]``, a bias ``b1[j]`` (folded or
    separate), or an input ``x[i]`` / target ``y[k]`` of row ``sample``."""
    parsed = parse_id(node_id)
    if parsed is not None and parsed.prefix in (INPUT, TARGET) and len(parsed.index) == 1:
        setter = set_input if parsed.prefix == INPUT else set_target
        return setter(problem, sample, parsed.index[0], value)
    where = display_entry(problem.network, node_id)
    if where is None:
        raise ValueError(f"{node_id} is not a weight, bias, input or target of this network")
    tensor, index = where
    layer = parsed.layer - 1
    if tensor == bias_tensor(layer):
        return set_bias(problem, layer, index[0], value)
    return set_display_entry(problem, layer, *index, value)


def set_bias(problem: NetworkProblem, layer: int, index: int, value: float) -> NetworkProblem:
    """Set one entry of a separate bias vector."""
    _check_layer(problem, layer)
    bias = problem.params.biases[layer]
    if bias is None:
        raise ValueError(f"layer {layer + 1} has no bias")
    if not 0 <= index < bias.shape[0]:
        raise ValueError(f"bias entry {index} is outside the vector of {bias.shape[0]}")
    new = bias.copy()
    new[index] = _finite(value, "a bias")
    return _with_layer_params(problem, layer, problem.params.weights[layer], new)


def _with_layer_params(problem: NetworkProblem, layer: int, weights: np.ndarray,
                       bias: np.ndarray | None) -> NetworkProblem:
    all_weights, all_biases = list(problem.params.weights), list(problem.params.biases)
    all_weights[layer] = np.array(weights, dtype=float)
    all_biases[layer] = None if bias is None else np.array(bias, dtype=float)
    return problem.with_params(Parameters(tuple(all_weights), tuple(all_biases)))


def randomize_parameters(problem: NetworkProblem, seed: int) -> NetworkProblem:
    """Fresh Glorot-uniform weights and zero biases drawn from ``seed``; frozen tensors kept.

    The seed is the whole story: a class that types the same seed gets the same network.
    """
    if not 0 <= seed < 2**32:
        raise ValueError("the seed must be a whole number from 0 to 4294967295")
    fresh, old = random_parameters(problem.network, seed), problem.params
    frozen = problem.training.frozen
    weights = tuple(o if weight_tensor(n) in frozen else f
                    for n, (o, f) in enumerate(zip(old.weights, fresh.weights, strict=True)))
    biases = tuple(o if bias_tensor(n) in frozen else f
                   for n, (o, f) in enumerate(zip(old.biases, fresh.biases, strict=True)))
    return problem.with_params(Parameters(weights, biases))


def set_input(problem: NetworkProblem, sample: int, column: int,
              value: float) -> NetworkProblem:
    inputs = _set_cell(problem.data.inputs, sample, column, _finite(value, "an input"))
    return replace(problem, data=Dataset(inputs, problem.data.targets))


def set_target(problem: NetworkProblem, sample: int, column: int,
               value: float) -> NetworkProblem:
    targets = _set_cell(problem.data.targets, sample, column, _finite(value, "a target"))
    return replace(problem, data=Dataset(problem.data.inputs, targets))


def _set_cell(array: np.ndarray, row: int, column: int, value: float) -> np.ndarray:
    if not (0 <= row < array.shape[0] and 0 <= column < array.shape[1]):
        raise ValueError(f"cell ({row}, {column}) is outside the {array.shape} table")
    new = array.copy()
    new[row, column] = value
    return new


def set_dataset(problem: NetworkProblem, data: Dataset) -> NetworkProblem:
    """Replace every sample at once (an imported table), checked against the network."""
    network = problem.network
    if data.inputs.ndim != 2 or data.inputs.shape[1] != network.input_size:
        raise ValueError(f"the inputs need {network.input_size} columns")
    if data.targets.shape != (len(data.inputs), network.output_size):
        raise ValueError(f"the targets need {network.output_size} columns, one row per input")
    if len(data.inputs) == 0:
        raise ValueError("the dataset needs at least one sample")
    if not (np.isfinite(data.inputs).all() and np.isfinite(data.targets).all()):
        raise ValueError("every input and target must be a finite number")
    return replace(problem, data=data)


def add_sample(problem: NetworkProblem) -> NetworkProblem:
    """Append a copy of the last sample, ready to be edited."""
    data = problem.data
    return replace(problem, data=Dataset(np.vstack([data.inputs, data.inputs[-1:]]),
                                         np.vstack([data.targets, data.targets[-1:]])))


def remove_sample(problem: NetworkProblem, sample: int) -> NetworkProblem:
    data = problem.data
    if len(data) == 1:
        raise ValueError("the dataset needs at least one sample")
    if not 0 <= sample < len(data):
        raise ValueError(f"there is no sample {sample + 1}")
    keep = [n for n in range(len(data)) if n != sample]
    return replace(problem, data=data.subset(keep))


# --------------------------------------------------------------------------- training

def set_learning_rate(problem: NetworkProblem, learning_rate: float) -> NetworkProblem:
    eta = _finite(learning_rate, "the learning rate")
    if eta <= 0:
        raise ValueError("the learning rate must be positive")
    if eta > MAX_LEARNING_RATE:  # the file format's limit: a larger η could not be saved
        raise ValueError(f"the learning rate must be at most {MAX_LEARNING_RATE:g}")
    return replace(problem, training=replace(problem.training, learning_rate=eta))


def set_method(problem: NetworkProblem, method: Method | str,
               batch_size: int | None = None) -> NetworkProblem:
    """Batch, SGD or mini-batch gradient descent (with an optional batch size)."""
    size = problem.training.batch_size if batch_size is None else int(batch_size)
    if size < 1:
        raise ValueError("the batch size must be at least 1")
    training = replace(problem.training, method=Method(method), batch_size=size)
    return replace(problem, training=training)


# --------------------------------------------------------------------------- architecture

def set_activation(problem: NetworkProblem, layer: int, name: str) -> NetworkProblem:
    _check_layer(problem, layer)
    old = problem.network.layers[layer].activation
    network = problem.network.with_layer(layer, activation=Activation(name, old.slope))
    return replace(problem, network=network)


def _fit(matrix: np.ndarray | None, shape: tuple[int, ...], rng: np.random.Generator,
         scale: float) -> np.ndarray:
    """A ``shape`` array keeping the overlapping block of ``matrix``; new entries are
    drawn from ±``scale`` (zero when ``scale`` is 0)."""
    new = rng.uniform(-scale, scale, size=shape) if scale else np.zeros(shape)
    if matrix is not None:
        block = tuple(slice(0, min(a, b)) for a, b in zip(shape, matrix.shape, strict=True))
        new[block] = matrix[block]
    return new


def _refit(network: Network, old: Parameters, mapping: list[int | None],
           seed: int) -> Parameters:
    """Parameters for ``network``: layer n takes old layer ``mapping[n]``'s numbers where the
    shapes overlap; everything new is seeded weights and zero biases."""
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for n, layer in enumerate(network.layers):
        source = mapping[n]
        old_w = None if source is None else old.weights[source]
        old_b = None if source is None else old.biases[source]
        weights.append(_fit(old_w, (layer.size, network.sizes[n]), rng, NEW_WEIGHT_SCALE))
        biases.append(None if layer.bias is BiasMode.NONE
                      else _fit(old_b, (layer.size,), rng, 0.0))
    return Parameters(tuple(weights), tuple(biases))


def _fit_columns(array: np.ndarray, columns: int) -> np.ndarray:
    return _fit(array, (array.shape[0], columns), np.random.default_rng(0), 0.0)


def _tensor_names(network: Network) -> set[str]:
    return set(parameter_tensors(len(network.layers)))


def _rebuild(problem: NetworkProblem, network: Network, mapping: list[int | None],
             seed: int) -> NetworkProblem:
    params = _refit(network, problem.params, mapping, seed)
    data = Dataset(_fit_columns(problem.data.inputs, network.input_size),
                   _fit_columns(problem.data.targets, network.output_size))
    frozen = problem.training.frozen & _tensor_names(network)
    training = replace(problem.training, frozen=frozen)
    return replace(problem, network=network, params=params, data=data, training=training)


def resize_layer(problem: NetworkProblem, layer: int, size: int,
                 seed: int = 0) -> NetworkProblem:
    """Give layer ``layer`` ``size`` neurons; existing weights are kept, new ones seeded.

    Resizing the output layer adds (zero) target columns or drops the extra ones.
    """
    _check_layer(problem, layer)
    if size < 1:
        raise ValueError("a layer needs at least one neuron")
    network = problem.network.with_layer(layer, size=size)
    return _rebuild(problem, network, list(range(len(network.layers))), seed)


def resize_input(problem: NetworkProblem, size: int, seed: int = 0) -> NetworkProblem:
    """Change the number of inputs; new input columns are zero."""
    if size < 1:
        raise ValueError("a network needs at least one input")
    network = replace(problem.network, input_size=size)
    return _rebuild(problem, network, list(range(len(network.layers))), seed)


def add_hidden_layer(problem: NetworkProblem, index: int, size: int,
                     activation: str = "relu", seed: int = 0) -> NetworkProblem:
    """Insert a hidden layer before layer ``index`` (0 ≤ index < number of layers)."""
    layers = problem.network.layers
    if not 0 <= index < len(layers):
        raise ValueError("a hidden layer goes before an existing layer, not after the output")
    if size < 1:
        raise ValueError("a layer needs at least one neuron")
    bias = layers[index].bias if layers[index].bias is not BiasMode.FOLDED else BiasMode.SEPARATE
    new = Layer(size, Activation(activation), bias)
    network = replace(problem.network, layers=(*layers[:index], new, *layers[index:]))
    mapping: list[int | None] = [*range(index), None, *range(index, len(layers))]
    return _rebuild(problem, network, mapping, seed)


def remove_hidden_layer(problem: NetworkProblem, index: int, seed: int = 0) -> NetworkProblem:
    """Remove hidden layer ``index``; the output layer cannot be removed."""
    layers = problem.network.layers
    if not 0 <= index < len(layers) - 1:
        raise ValueError(f"layer {index + 1} is not a hidden layer")
    network = replace(problem.network, layers=layers[:index] + layers[index + 1:])
    mapping: list[int | None] = [n for n in range(len(layers)) if n != index]
    return _rebuild(problem, network, mapping, seed)
