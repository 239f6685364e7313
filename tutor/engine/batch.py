"""The fast path: whole-batch matrix forward/backward and gradient-descent training.

The same mathematics as the scalar trace, one matrix product per layer; tests check that
both agree to 1e-12.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from .graph import BCE_EPS
from .network import Dataset, LossKind, Network, Parameters


@dataclass(frozen=True)
class ForwardCache:
    """Per-layer pre-activations and activations for a batch (rows are samples)."""

    pre: tuple[np.ndarray, ...]
    act: tuple[np.ndarray, ...]  # act[0] is the input batch

    @property
    def output(self) -> np.ndarray:
        return self.act[-1]


def forward(network: Network, params: Parameters, inputs: np.ndarray) -> ForwardCache:
    act = [np.asarray(inputs, dtype=float)]
    pre = []
    for layer, w, b in zip(network.layers, params.weights, params.biases, strict=True):
        z = act[-1] @ w.T
        if b is not None:
            z = z + b
        pre.append(z)
        act.append(z if layer.activation.is_identity else layer.activation(z))
    return ForwardCache(tuple(pre), tuple(act))


def sample_losses(network: Network, outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """The loss of each sample (rows)."""
    loss = network.loss
    scale = loss.scale(network.output_size)
    if loss.kind is LossKind.BINARY_CROSS_ENTROPY:
        p = np.clip(outputs, BCE_EPS, 1.0 - BCE_EPS)
        return -scale * np.sum(targets * np.log(p) + (1 - targets) * np.log(1 - p), axis=1)
    return scale * np.sum((outputs - targets) ** 2, axis=1)


def output_adjoint(network: Network, outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """∂ℓ/∂ŷ for each sample."""
    scale = network.loss.scale(network.output_size)
    if network.loss.kind is LossKind.BINARY_CROSS_ENTROPY:
        p = np.clip(outputs, BCE_EPS, 1.0 - BCE_EPS)
        return scale * (p - targets) / (p * (1 - p))
    return 2.0 * scale * (outputs - targets)


def dataset_loss(network: Network, params: Parameters, data: Dataset) -> float:
    losses = sample_losses(network, forward(network, params, data.inputs).output, data.targets)
    return float(losses.mean() if network.loss.mean_over_samples else losses.sum())


@dataclass(frozen=True)
class Gradients:
    loss: float
    params: Parameters
    inputs: np.ndarray  # ∂L/∂x per sample
    cache: ForwardCache


def loss_and_gradients(network: Network, params: Parameters, data: Dataset) -> Gradients:
    """Batch loss and its gradient with respect to every parameter (and the inputs)."""
    cache = forward(network, params, data.inputs)
    n = len(data)
    weight = 1.0 / n if network.loss.mean_over_samples else 1.0
    losses = sample_losses(network, cache.output, data.targets)
    delta = output_adjoint(network, cache.output, data.targets) * weight
    grads_w, grads_b = [], []
    for index in range(len(network.layers) - 1, -1, -1):
        layer = network.layers[index]
        if not layer.activation.is_identity:
            delta = delta * layer.activation.derivative(cache.pre[index], cache.act[index + 1])
        grads_w.append(delta.T @ cache.act[index])
        grads_b.append(None if params.biases[index] is None else delta.sum(axis=0))
        delta = delta @ params.weights[index]
    grads = Parameters(tuple(reversed(grads_w)), tuple(reversed(grads_b)))
    return Gradients(float(losses.sum() * weight), grads, delta, cache)


# --------------------------------------------------------------------------- training

class Method(StrEnum):
    BATCH = "batch"
    SGD = "sgd"
    MINIBATCH = "minibatch"


@dataclass(frozen=True, slots=True)
class Training:
    learning_rate: float = 0.1
    method: Method = Method.BATCH
    batch_size: int = 1
    shuffle: bool = False
    seed: int = 0
    frozen: frozenset[str] = field(default_factory=frozenset)  # tensor names: "b1", "W2"…


def batches(training: Training, samples: int, updates: int) -> list[np.ndarray]:
    """The rows used by each update, in order (deterministic for a given seed)."""
    if training.method is Method.BATCH:
        return [np.arange(samples)] * updates
    size = 1 if training.method is Method.SGD else max(1, min(training.batch_size, samples))
    rng = np.random.default_rng(training.seed)
    out: list[np.ndarray] = []
    while len(out) < updates:
        order = rng.permutation(samples) if training.shuffle else np.arange(samples)
        out += [order[start:start + size] for start in range(0, samples, size)]
    return out[:updates]


def apply_update(params: Parameters, grads: Parameters, learning_rate: float,
                 frozen: frozenset[str] = frozenset()) -> Parameters:
    """θ ← θ − η∇θ for every tensor not frozen; returns new arrays."""
    names = [f"W{n + 1}" for n in range(len(params.weights))]
    weights = tuple(w if name in frozen else w - learning_rate * g
                    for name, w, g in zip(names, params.weights, grads.weights, strict=True))
    biases = tuple(
        b if (b is None or f"b{n + 1}" in frozen) else b - learning_rate * g
        for n, (b, g) in enumerate(zip(params.biases, grads.biases, strict=True)))
    return Parameters(weights, biases)


@dataclass(frozen=True)
class TrainingRun:
    """``losses[t]`` is the dataset loss after ``t`` updates; ``params[t]`` the parameters."""

    losses: np.ndarray
    params: tuple[Parameters, ...]
    diverged_at: int | None = None  # the first update whose loss was not finite

    @property
    def final(self) -> Parameters:
        return self.params[-1]


def train(network: Network, params: Parameters, data: Dataset, training: Training,
          updates: int) -> TrainingRun:
    """Run ``updates`` gradient-descent updates; stop early at the first non-finite loss."""
    history = [params]
    losses = [dataset_loss(network, params, data)]
    diverged = None
    for t, rows in enumerate(batches(training, len(data), updates), start=1):
        subset = data if len(rows) == len(data) else data.subset(rows)
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported, not raised
            grads = loss_and_gradients(network, params, subset).params
            candidate = apply_update(params, grads, training.learning_rate, training.frozen)
            loss = dataset_loss(network, candidate, data)
        if not np.isfinite(loss) or not np.all(np.isfinite(candidate.flat())):
            diverged = t
            break
        params = candidate
        history.append(params)
        losses.append(loss)
    return TrainingRun(np.array(losses), tuple(history), diverged)
