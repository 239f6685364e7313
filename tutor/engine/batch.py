"""The fast path: whole-batch matrix forward and backward passes.

The same mathematics as the scalar trace, one matrix product per layer; tests check that
both agree to 1e-12.  The matrix training loop (:mod:`.training.matrix_loop`) and the layer
trace are built on these passes; the activations and losses come from their one table each
(:mod:`.activations`, :mod:`.losses`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .losses import output_adjoint, sample_losses
from .network import Dataset, Network, Parameters

__all__ = [  # the losses are re-exported: the matrix paths read them from here
    "ForwardCache", "Gradients", "backward", "batch_loss", "dataset_loss", "forward",
    "forward_tensors", "loss_and_gradients", "output_adjoint", "sample_losses",
]


@dataclass(frozen=True)
class ForwardCache:
    """Per-layer pre-activations and activations for a batch (rows are samples)."""

    pre: tuple[np.ndarray, ...]
    act: tuple[np.ndarray, ...]  # act[0] is the input batch

    @property
    def output(self) -> np.ndarray:
        return self.act[-1]


def forward(network: Network, params: Parameters, inputs: np.ndarray) -> ForwardCache:
    return forward_tensors(network, params.weights, params.biases, inputs)


def forward_tensors(network: Network, weights: tuple[np.ndarray, ...],
             biases: tuple[np.ndarray | None, ...], inputs: np.ndarray,
             rounding: Callable[[np.ndarray], np.ndarray] | None = None) -> ForwardCache:
    """``rounding`` (hand calculation, see hand.py) rounds each layer's results before the
    next layer reads them."""
    act = [np.asarray(inputs, dtype=float)]
    pre = []
    for layer, w, b in zip(network.layers, weights, biases, strict=True):
        z = act[-1] @ w.T
        if b is not None:
            z += b  # z is the product's own fresh array
        if rounding is not None:
            z = rounding(z)
        pre.append(z)
        h = z if layer.activation.is_identity else layer.activation(z)
        act.append(h if rounding is None else rounding(h))
    return ForwardCache(tuple(pre), tuple(act))


def dataset_loss(network: Network, params: Parameters, data: Dataset) -> float:
    outputs = forward(network, params, data.inputs).output
    return batch_loss(network, outputs, data.targets, network.loss.mean_over_samples)


@dataclass(frozen=True)
class Gradients:
    loss: float
    params: Parameters
    inputs: np.ndarray  # ∂L/∂x per sample
    cache: ForwardCache


def loss_and_gradients(network: Network, params: Parameters, data: Dataset) -> Gradients:
    """Batch loss and its gradient with respect to every parameter (and the inputs)."""
    cache = forward(network, params, data.inputs)
    weight = 1.0 / len(data) if network.loss.mean_over_samples else 1.0
    losses = sample_losses(network, cache.output, data.targets)
    grads_w, grads_b, delta = backward(network, params.weights, params.biases, cache.pre,
                                        cache.act, data.targets, weight, inputs=True)
    grads = Parameters(grads_w, grads_b)
    return Gradients(float(losses.sum() * weight), grads, delta, cache)


def backward(network: Network, weights: tuple[np.ndarray, ...],
              biases: tuple[np.ndarray | None, ...], pre: tuple[np.ndarray, ...] | list,
              act: tuple[np.ndarray, ...] | list, targets: np.ndarray, weight: float,
              inputs: bool = False,
              ) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray | None, ...], np.ndarray | None]:
    """Backpropagate the weighted loss: (∂L/∂W per layer, ∂L/∂b per layer, ∂L/∂x or None).

    ∂L/∂x costs a product as large as the first layer's and training never needs it, so it is
    computed only when ``inputs`` is true.
    """
    delta = output_adjoint(network, act[-1], targets)
    if weight != 1.0:  # x·1 is exactly x: skip a pass for single samples and summed losses
        delta = delta * weight
    grads_w, grads_b = [], []
    for index in range(len(network.layers) - 1, -1, -1):
        activation = network.layers[index].activation
        if not activation.is_identity:
            delta = delta * activation.derivative(pre[index], act[index + 1])
        grads_w.append(delta.T @ act[index])
        grads_b.append(None if biases[index] is None else _total(delta, 0))
        if index or inputs:
            delta = delta @ weights[index]
    return tuple(reversed(grads_w)), tuple(reversed(grads_b)), delta if inputs else None


def batch_loss(network: Network, outputs: np.ndarray, targets: np.ndarray, mean: bool) -> float:
    """The batch loss: the samples' losses summed, or averaged (as ``losses.mean()`` does:
    the same pairwise sum, then one division)."""
    losses = sample_losses(network, outputs, targets)
    total = float(_total(losses, None))
    if not mean:
        return total
    return total / len(losses) if len(losses) else math.nan


_total = np.add.reduce  # _total(a, None) is a.sum() without the method's Python wrapper
