"""The float training loop: gradient descent on plain Python floats, for tiny networks.

An update of a seed network is some twenty multiply-adds and a few exps.  NumPy spends about
a microsecond per call whatever the size of its arrays, and a matrix update makes some thirty
calls; Python floats do the whole update in a few microseconds.  This is the mathematics of
:mod:`..batch` one scalar at a time, like micrograd but without building a graph: each update
is a backward pass over the batch rows, θ ← θ − η∇θ, and a forward pass over every sample
(the loss of the new parameters, and the values the next backward pass reads).

:func:`train_floats` keeps the contract of :func:`.run.train`, which chooses between the two
loops.  The activations' and losses' float forms come from their tables (:mod:`..activations`,
:mod:`..losses`), as the matrix loop's array forms do.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from operator import add, mul, sub

import numpy as np

from ..activations import FloatDerivative, FloatFunction
from ..history import ParameterHistory, ParameterLayout
from ..losses import float_loss
from ..network import Dataset, Network, Parameters
from .config import Training, TrainingRun

# zip(…, strict=True) parses a keyword on every call, which costs as much as a small layer's
# whole dot product: the hot loops zip lists of equal lengths by construction without it

Floats = list[float]  # a layer's values for one sample, or the flat parameters
Pass = tuple[list[Floats], list[Floats]]  # one sample's pre-activations and activations


# --------------------------------------------------------------------------- the network

@dataclass(frozen=True, slots=True)
class FloatLayer:
    """Where one layer's tensors live in the flat parameters (``Parameters.flat`` order)."""

    rows: tuple[slice, ...]  # the weights into each neuron: the rows of W
    columns: tuple[slice, ...]  # the weights out of each input: the columns of W
    bias: slice | None
    zeros: tuple[float, ...]  # the bias of a layer without one: z + 0.0 is z
    activation: tuple[FloatFunction, FloatDerivative] | None


# a layer's weights for one update: the rows of W, its columns, and b; a plain tuple, built
# twice per update
LayerWeights = tuple[list[Floats], list[Floats], Sequence[float]]


def float_layers(network: Network, params: Parameters) -> list[FloatLayer]:
    layout = ParameterLayout.of(params)
    bias_start = sum(r * c for r, c in layout.weight_shapes)
    start, layers = 0, []
    for layer, (size, fan_in), bias in zip(network.layers, layout.weight_shapes,
                                           layout.bias_sizes, strict=True):
        end = start + size * fan_in
        rows = tuple(slice(s, s + fan_in) for s in range(start, end, fan_in))
        columns = tuple(slice(s, end, fan_in) for s in range(start, start + fan_in))
        bias_slice = None if bias is None else slice(bias_start, bias_start + size)
        layers.append(FloatLayer(rows, columns, bias_slice, (0.0,) * size,
                                 layer.activation.floats()))
        start, bias_start = end, bias_start + (bias or 0)
    return layers


def cut(layers: list[FloatLayer], theta: Floats) -> list[LayerWeights]:
    """Each layer's weights and bias cut out of the flat parameters."""
    return [(list(map(theta.__getitem__, layer.rows)),
             list(map(theta.__getitem__, layer.columns)),
             layer.zeros if layer.bias is None else theta[layer.bias])
            for layer in layers]


def forward(layers: list[FloatLayer], weights: list[LayerWeights], x: Floats) -> Pass:
    """z = W·h + b and h = act(z), layer after layer; ``acts[0]`` is the input."""
    pres: list[Floats] = []
    acts = [x]
    h = x
    for layer, (rows, _, bias) in zip(layers, weights):  # noqa: B905 (see the top)
        z = [sum(map(mul, row, h)) + b for row, b in zip(rows, bias)]  # noqa: B905
        pres.append(z)
        h = z if layer.activation is None else list(map(layer.activation[0], z))
        acts.append(h)
    return pres, acts


def backward(layers: list[FloatLayer], weights: list[LayerWeights], sample: Pass,
             delta: Floats) -> Floats:
    """∂ℓ/∂θ of one sample in the flat order, from ∂ℓ/∂ŷ (``delta``)."""
    pres, acts = sample
    grad_w: list[Sequence[float]] = [()] * len(layers)
    grad_b: list[Sequence[float]] = [()] * len(layers)
    for index in range(len(layers) - 1, -1, -1):
        layer = layers[index]
        if layer.activation is not None:  # δ ← δ·act′(z)
            delta = list(map(mul, delta, map(layer.activation[1], pres[index],
                                             acts[index + 1])))
        grad_w[index] = [d * h for d in delta for h in acts[index]]
        if layer.bias is not None:
            grad_b[index] = delta
        if index:  # ∂ℓ/∂h of the layer below: Wᵀ·δ
            delta = [sum(map(mul, delta, column)) for column in weights[index][1]]
    return list(itertools.chain(*grad_w, *grad_b))


# --------------------------------------------------------------------------- training

def train_floats(network: Network, params: Parameters, data: Dataset, training: Training,
                 updates: int, schedule: Iterator[np.ndarray], stride: int, first: int
                 ) -> TrainingRun:
    """:func:`.run.train` on Python floats, one scalar at a time.

    ``schedule`` gives each update's rows; the parameters after update t are kept when
    ``first + t`` is a multiple of ``stride``, and always the first and the last.  The run
    stops at the first update whose loss or parameters are not finite.
    """
    layers = float_layers(network, params)
    sample_loss, output_adjoint = float_loss(network)
    mean = network.loss.mean_over_samples
    eta = float(training.learning_rate)  # an int's __mul__ would refuse a float
    names = [name for name, tensor in params.tensors().items() for _ in range(tensor.size)]
    frozen = [i for i, name in enumerate(names) if name in training.frozen]
    xs, ys = data.inputs.tolist(), data.targets.tolist()

    def loss_of(passes: list[Pass]) -> float:
        total = sum(map(sample_loss, [acts[-1] for _, acts in passes], ys))
        return total / len(passes) if mean else total

    theta = params.flat().tolist()
    weights = cut(layers, theta)
    passes = [forward(layers, weights, x) for x in xs]
    losses = [loss_of(passes)]
    kept, rows_kept = [0], [theta]
    diverged_at = None
    for t, rows in enumerate(itertools.islice(schedule, updates), start=1):
        weight = 1.0 / len(rows) if mean else 1.0
        gradient = None
        for r in rows.tolist():
            one = backward(layers, weights, passes[r],
                           output_adjoint(passes[r][1][-1], ys[r], weight))
            gradient = one if gradient is None else list(map(add, gradient, one))
        new = list(map(sub, theta, map(eta.__mul__, gradient)))  # θ − η·g
        for i in frozen:
            new[i] = theta[i]
        new_weights = cut(layers, new)
        new_passes = [forward(layers, new_weights, x) for x in xs]
        loss = loss_of(new_passes)
        if not (math.isfinite(loss) and _all_finite(new)):
            diverged_at = t
            break
        theta, weights, passes = new, new_weights, new_passes
        losses.append(loss)
        if (first + t) % stride == 0:
            kept.append(t)
            rows_kept.append(theta)
    if kept[-1] != len(losses) - 1:  # the last update is always kept
        kept.append(len(losses) - 1)
        rows_kept.append(theta)
    history = ParameterHistory.of(ParameterLayout.of(params), np.array(kept),
                                  np.array(rows_kept))
    return TrainingRun(np.array(losses), history, diverged_at)


def _all_finite(theta: Floats) -> bool:
    # a finite sum proves finite entries; an inf one may be overflow, so look at each
    return math.isfinite(sum(theta)) or all(map(math.isfinite, theta))
