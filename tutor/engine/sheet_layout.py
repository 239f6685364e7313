"""The sheet's matrix layout: where each weight and bias of a layer sits as the sheet writes it.

The engine keeps a layer as ``W`` (out × in) and a bias vector ``b``.  A sheet may fold the
bias into the matrix as an intercept column (first, or last with ``intercept_last``) and may
write the matrix transposed (in × out, for row vectors).  That written form — the *display
matrix* — is what the file format stores, the parameters table edits, the layer trace shows
and the diagram's weight labels read.  This module is the only place that knows how the two
forms map onto each other, in both directions, for whole tensors, single entries and symbols.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .ids import BIAS, WEIGHT, bias_id, bias_tensor, parse_id, weight_id, weight_tensor
from .network import BiasMode, Layer, Network, Parameters, input_symbols, layer_symbols

# --------------------------------------------------------------------------- whole tensors


def display_shape(network: Network, n: int) -> tuple[int, int]:
    """The shape of layer ``n``'s display matrix (intercept column, transposition)."""
    layer = network.layers[n]
    columns = network.sizes[n] + (1 if layer.bias is BiasMode.FOLDED else 0)
    return (columns, layer.size) if layer.notation.transposed else (layer.size, columns)


def display_matrix(layer: Layer, weights: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """The matrix as the sheet writes it: intercept column folded in, maybe transposed."""
    matrix = np.asarray(weights, dtype=float)
    if layer.bias is BiasMode.FOLDED and bias is not None:
        column = np.asarray(bias, dtype=float)[:, None]
        matrix = np.hstack([matrix, column] if layer.notation.intercept_last else [column, matrix])
    return matrix.T if layer.notation.transposed else matrix


def split_display_matrix(layer: Layer, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Inverse of :func:`display_matrix`: (W, the folded bias or None)."""
    matrix = np.asarray(matrix, dtype=float)
    if layer.notation.transposed:
        matrix = matrix.T
    if layer.bias is not BiasMode.FOLDED:
        return matrix, None
    if layer.notation.intercept_last:
        return matrix[:, :-1], matrix[:, -1]
    return matrix[:, 1:], matrix[:, 0]


def display_tensors(network: Network, params: Parameters) -> dict[str, np.ndarray]:
    """Parameters as the sheet writes them: ``W1`` with a folded intercept column (and
    transposed when the sheet uses row vectors), ``b1`` only for a separate bias."""
    tensors: dict[str, np.ndarray] = {}
    for n, layer in enumerate(network.layers):
        w, b = params.weights[n], params.biases[n]
        tensors[weight_tensor(n)] = display_matrix(layer, w, b)
        if layer.bias is BiasMode.SEPARATE and b is not None:
            tensors[bias_tensor(n)] = np.asarray(b, dtype=float)
    return tensors


def shown_tensor(network: Network, node_id: str) -> str | None:
    """The tensor a scalar parameter is shown in: ``W1`` for ``W1[0,1]`` and for a folded
    ``b1[0]``, ``b1`` for a separate one; None for anything that is not a parameter."""
    parsed = parse_id(node_id)
    if parsed is None or not parsed.is_parameter or not 1 <= parsed.layer <= len(network.layers):
        return None
    folded = network.layers[parsed.layer - 1].bias is BiasMode.FOLDED
    return weight_tensor(parsed.layer - 1) if folded else parsed.tensor


# --------------------------------------------------------------------------- single entries

def display_entry(network: Network, node_id: str) -> tuple[str, tuple[int, ...]] | None:
    """Where a scalar parameter sits in what the sheet writes: (tensor, index).

    ``W1[j,i]`` and a folded ``b1[j]`` are an entry (row, column) of ``W1``'s display matrix;
    a separate ``b1[j]`` is entry (j,) of ``b1``.  None for anything else, or an index outside
    the layer.
    """
    parsed = parse_id(node_id)
    if parsed is None or not parsed.is_parameter or not 1 <= parsed.layer <= len(network.layers):
        return None
    n = parsed.layer - 1
    layer, fan_in = network.layers[n], network.sizes[n]
    expected = (layer.size, fan_in) if parsed.prefix == WEIGHT else (layer.size,)
    if len(parsed.index) != len(expected) or not all(
            0 <= i < size for i, size in zip(parsed.index, expected, strict=True)):
        return None
    j = parsed.index[0]
    if parsed.prefix == BIAS:
        if layer.bias is BiasMode.SEPARATE:
            return bias_tensor(n), (j,)
        if layer.bias is BiasMode.NONE:
            return None
        column = fan_in if layer.notation.intercept_last else 0
    else:
        shift = 1 if layer.bias is BiasMode.FOLDED and not layer.notation.intercept_last else 0
        column = parsed.index[1] + shift
    return weight_tensor(n), ((column, j) if layer.notation.transposed else (j, column))


def entry_id(network: Network, n: int, row: int, column: int) -> str:
    """The scalar id of entry (row, column) of layer ``n``'s display matrix: the inverse of
    :func:`display_entry` (``W1[j,i]``, or ``b1[j]`` for the intercept column)."""
    rows, columns = display_shape(network, n)
    if not (0 <= row < rows and 0 <= column < columns):
        raise ValueError(f"entry ({row}, {column}) is outside the {(rows, columns)} matrix")
    layer = network.layers[n]
    j, column = (column, row) if layer.notation.transposed else (row, column)
    if layer.bias is BiasMode.FOLDED:
        intercept = network.sizes[n] if layer.notation.intercept_last else 0
        if column == intercept:
            return bias_id(n, j)
        if not layer.notation.intercept_last:
            column -= 1
    return weight_id(n, j, column)


def parameter_value(network: Network, params: Parameters, node_id: str) -> float | None:
    """The value of the scalar parameter ``node_id`` (``W1[0,1]``, ``b2[0]``); None if the
    network has no such parameter."""
    parsed = parse_id(node_id)
    if display_entry(network, node_id) is None:
        return None
    n = parsed.layer - 1
    tensor = params.weights[n] if parsed.prefix == WEIGHT else params.biases[n]
    return None if tensor is None else float(tensor[parsed.index])


# --------------------------------------------------------------------------- symbols

def display_symbols(network: Network, n: int) -> tuple[np.ndarray, list[str], list[str]]:
    """Layer ``n``'s display matrix in symbols (markup), with its row and column labels.

    Before transposing, rows are the layer's pre-activations and columns its inputs (with
    the intercept where the sheet folds it); a transposed sheet swaps both.
    """
    layer, syms = network.layers[n], layer_symbols(network, n)
    matrix = np.array([list(r) for r in syms.weights], dtype=object).reshape(
        layer.size, network.sizes[n])
    columns: list[str] = list(input_symbols(network) if n == 0
                              else layer_symbols(network, n - 1).act)
    if layer.bias is BiasMode.FOLDED:
        bias = np.array(list(syms.biases), dtype=object)[:, None]
        last = layer.notation.intercept_last
        matrix = np.hstack([matrix, bias] if last else [bias, matrix])
        columns = [*columns, syms.intercept] if last else [syms.intercept, *columns]
    rows: list[str] = list(syms.pre)
    if layer.notation.transposed:
        return matrix.T, columns, rows
    return matrix, rows, columns


def extended_input(layer: Layer, vector: np.ndarray) -> np.ndarray:
    """A layer's input with the constant 1 of a folded intercept (x̂ = [1, x] or [x, 1])."""
    if layer.bias is not BiasMode.FOLDED:
        return vector
    return np.append(vector, 1.0) if layer.notation.intercept_last else np.insert(vector, 0, 1.0)


def folded_order(layer: Layer, weights: Sequence, bias: object) -> list:
    """A neuron's inputs in the order the sheet writes them: the intercept's item first or
    last for a folded bias, after the weights for a separate one, absent without a bias."""
    if layer.bias is BiasMode.NONE:
        return list(weights)
    if layer.bias is BiasMode.FOLDED and not layer.notation.intercept_last:
        return [bias, *weights]
    return [*weights, bias]
