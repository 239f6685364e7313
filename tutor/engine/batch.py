"""The fast path: whole-batch matrix forward/backward and gradient-descent training.

The same mathematics as the scalar trace, one matrix product per layer; tests check that
both agree to 1e-12.  Training networks of a few parameters and samples runs on Python
floats instead (:mod:`.scalar_training`, see :func:`train`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from .graph import BCE_EPS
from .history import ParameterHistory, ParameterLayout, keep_every
from .ids import bias_tensor, weight_tensor
from .network import Dataset, LossKind, Network, Parameters
from .scalar_training import train_floats


@dataclass(frozen=True)
class ForwardCache:
    """Per-layer pre-activations and activations for a batch (rows are samples)."""

    pre: tuple[np.ndarray, ...]
    act: tuple[np.ndarray, ...]  # act[0] is the input batch

    @property
    def output(self) -> np.ndarray:
        return self.act[-1]


def forward(network: Network, params: Parameters, inputs: np.ndarray) -> ForwardCache:
    return _forward(network, params.weights, params.biases, inputs)


def _forward(network: Network, weights: tuple[np.ndarray, ...],
             biases: tuple[np.ndarray | None, ...], inputs: np.ndarray) -> ForwardCache:
    act = [np.asarray(inputs, dtype=float)]
    pre = []
    for layer, w, b in zip(network.layers, weights, biases, strict=True):
        z = act[-1] @ w.T
        if b is not None:
            z += b  # z is the product's own fresh array
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
    return scale * _total((outputs - targets) ** 2, 1)


def output_adjoint(network: Network, outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """∂ℓ/∂ŷ for each sample."""
    scale = network.loss.scale(network.output_size)
    if network.loss.kind is LossKind.BINARY_CROSS_ENTROPY:
        p = np.clip(outputs, BCE_EPS, 1.0 - BCE_EPS)
        return scale * (p - targets) / (p * (1 - p))
    return 2.0 * scale * (outputs - targets)


def dataset_loss(network: Network, params: Parameters, data: Dataset) -> float:
    outputs = forward(network, params, data.inputs).output
    return _mean_loss(network, outputs, data.targets, network.loss.mean_over_samples)


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
    grads_w, grads_b, delta = _backward(network, params.weights, params.biases, cache.pre,
                                        cache.act, data.targets, weight, inputs=True)
    grads = Parameters(grads_w, grads_b)
    return Gradients(float(losses.sum() * weight), grads, delta, cache)


def _backward(network: Network, weights: tuple[np.ndarray, ...],
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
    return list(itertools.islice(batch_schedule(training, samples), updates))


def batch_schedule(training: Training, samples: int) -> Iterator[np.ndarray]:
    """The rows of every update, endlessly: :func:`batches` is its first ``updates`` items.

    A run trained in chunks passes one schedule to :func:`train` chunk after chunk, so the
    chunks together use exactly the rows of a single run.
    """
    if training.method is Method.BATCH:
        return itertools.repeat(np.arange(samples))
    return _row_groups(training, samples)


def _rows_per_update(training: Training, samples: int) -> int:
    if training.method is Method.BATCH:
        return samples
    return 1 if training.method is Method.SGD else max(1, min(training.batch_size, samples))


def _row_groups(training: Training, samples: int) -> Iterator[np.ndarray]:
    size = _rows_per_update(training, samples)
    rng = np.random.default_rng(training.seed)
    while True:
        order = rng.permutation(samples) if training.shuffle else np.arange(samples)
        yield from (order[start:start + size] for start in range(0, samples, size))


def apply_update(params: Parameters, grads: Parameters, learning_rate: float,
                 frozen: frozenset[str] = frozenset()) -> Parameters:
    """θ ← θ − η∇θ for every tensor not frozen; returns new arrays."""
    names = [weight_tensor(n) for n in range(len(params.weights))]
    weights = tuple(w if name in frozen else w - learning_rate * g
                    for name, w, g in zip(names, params.weights, grads.weights, strict=True))
    biases = tuple(
        b if (b is None or bias_tensor(n) in frozen) else b - learning_rate * g
        for n, (b, g) in enumerate(zip(params.biases, grads.biases, strict=True)))
    return Parameters(weights, biases)


@dataclass(frozen=True)
class TrainingRun:
    """``losses[t]`` is the dataset loss after ``t`` updates; ``params[t]`` the parameters
    (of every update, or of every k-th for a run too large to keep them all)."""

    losses: np.ndarray
    params: ParameterHistory
    diverged_at: int | None = None  # the first update whose loss was not finite

    @property
    def final(self) -> Parameters:
        return self.params.final


def train(network: Network, params: Parameters, data: Dataset, training: Training,
          updates: int, schedule: Iterator[np.ndarray] | None = None,
          keep: int | None = None, first: int = 0) -> TrainingRun:
    """Run ``updates`` gradient-descent updates; stop early at the first non-finite loss.

    ``schedule`` (from :func:`batch_schedule`) continues a run trained in chunks: each call
    takes its next ``updates`` row groups, so the chunks give bit for bit a single run.
    ``keep`` is the stride of the parameters kept (by default every update unless that would
    exceed :data:`~tutor.engine.history.MEMORY_BUDGET`): those after update t are kept when
    ``first + t`` is a multiple of it, and always the first and the last.

    There are two loops with this one contract.  A NumPy call costs about a microsecond
    whatever its size and a matrix update makes some thirty of them, while most seed networks
    have under a dozen parameters and a sample or two: there Python floats
    (:mod:`.scalar_training`) do the whole update in a few microseconds; beyond a few samples
    or a few dozen parameters the matrices win (:func:`floats_are_faster`).  The two agree to
    about 1e-12 relative, not bit for bit (BLAS sums in its own order), so a network always
    takes the same loop, whatever the number of updates: chunks stay bit for bit one run.
    """
    schedule = batch_schedule(training, len(data)) if schedule is None else schedule
    size = ParameterLayout.of(params).size
    stride = keep or keep_every(size, updates)
    loop = _train_floats if floats_are_faster(size, len(data), training) else _train_matrices
    return loop(network, params, data, training, updates, schedule, stride, first)


def _train_floats(network: Network, params: Parameters, data: Dataset, training: Training,
                  updates: int, schedule: Iterator[np.ndarray], stride: int, first: int
                  ) -> TrainingRun:
    """:func:`train` on Python floats, one scalar at a time."""
    return TrainingRun(*train_floats(network, params, data, training, updates, schedule,
                                     stride, first))


def floats_are_faster(parameters: int, samples: int, training: Training) -> bool:
    """Whether an update is small enough for the loop over Python floats (see :func:`train`).

    Its cost is a pass per sample (the loss) and per row of the update (the gradient), each
    a few microseconds plus a little per parameter; a matrix update costs 20–30 µs almost
    whatever the size.  Measured, floats win up to about 4 passes of 24 parameters.
    """
    passes = samples + _rows_per_update(training, samples)
    return samples > 0 and passes <= FLOAT_PASSES and parameters <= FLOAT_PARAMETERS


def _train_matrices(network: Network, params: Parameters, data: Dataset, training: Training,
                    updates: int, schedule: Iterator[np.ndarray], stride: int, first: int
                    ) -> TrainingRun:
    """:func:`train` with one matrix product per layer.

    For batch gradient descent one forward pass per update: the pass that gives the loss of the
    new parameters is the cache the next update backpropagates through.  Mini-batches and SGD
    run their rows' own forward pass as well, so every update is bit for bit the one
    :func:`loss_and_gradients` and :func:`apply_update` compute.
    """
    x, y = data.inputs, data.targets
    samples = len(data)
    mean = network.loss.mean_over_samples
    eta = training.learning_rate
    layout = ParameterLayout.of(params)
    # small networks check their parameters for inf/NaN once at the end (a reduction per
    # tensor per update is a large share of a small update); large ones after every update
    check_each = layout.size > BULK_CHECK_LIMIT
    store = _RowStore(layout, params, updates, stride, first, check_at_end=not check_each)
    movable_w = [weight_tensor(n) not in training.frozen for n in range(len(network.layers))]
    movable_b = [b is not None and bias_tensor(n) not in training.frozen
                 for n, b in enumerate(params.biases)]
    weights, biases = params.weights, params.biases
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported, not raised
        cache = forward(network, params, x)
        losses = [_mean_loss(network, cache.output, y, mean)]
        for t, rows in enumerate(itertools.islice(schedule, updates), start=1):
            if len(rows) == samples:
                batch, targets = cache, y
            else:  # the rows' own forward pass: bit for bit what loss_and_gradients computes
                batch = _forward(network, weights, biases, x[rows])
                targets = y[rows]
            grads_w, grads_b, _ = _backward(network, weights, biases, batch.pre, batch.act,
                                            targets, 1.0 / len(rows) if mean else 1.0)
            out_w, out_b = store.slot(t)
            new_w = tuple(_descend(w, g, eta, out) if move else _kept(w, out)
                          for w, g, move, out in zip(weights, grads_w, movable_w, out_w,
                                                     strict=True))
            new_b = tuple(_descend(b, g, eta, out) if move else _kept(b, out)
                          for b, g, move, out in zip(biases, grads_b, movable_b, out_b,
                                                     strict=True))
            cache = _forward(network, new_w, new_b, x)
            loss = _mean_loss(network, cache.output, y, mean)
            if not math.isfinite(loss) or (
                    check_each and not (_all_finite(new_w) and _all_finite(new_b))):
                return store.finished(losses, t - 1, t)
            weights, biases = new_w, new_b
            store.accept(t)
            losses.append(loss)
    return store.finished(losses, len(losses) - 1, None)


class _RowStore:
    """Where a run writes the parameters of each update.

    With a stride of 1 every update's parameters go straight into their row of the kept array;
    otherwise updates alternate between two scratch rows and every k-th is copied out.
    """

    def __init__(self, layout: ParameterLayout, params: Parameters, updates: int,
                 stride: int, first: int, check_at_end: bool) -> None:
        self.layout, self.stride, self.first = layout, stride, first
        self.check_at_end = check_at_end
        capacity = updates + 1 if stride == 1 else updates // stride + 3
        self.kept = np.empty((capacity, layout.size))
        self.kept[0] = params.flat()
        self.updates = [0]
        self.work = self.kept if stride == 1 else np.empty((2, layout.size))
        self.views = layout.tensor_views(self.work)
        self.last: int | None = None  # the scratch row holding the newest update, if not kept

    def slot(self, t: int) -> tuple[list[np.ndarray], list[np.ndarray | None]]:
        """The views to write the parameters after update ``t`` into."""
        row = t if self.stride == 1 else t % 2
        weights, biases = self.views
        return [w[row] for w in weights], [None if b is None else b[row] for b in biases]

    def accept(self, t: int) -> None:
        if self.stride == 1:
            self.updates.append(t)
        elif (self.first + t) % self.stride == 0:
            self.kept[len(self.updates)] = self.work[t % 2]
            self.updates.append(t)
            self.last = None
        else:
            self.last = t

    def finished(self, losses: list[float], last: int, diverged_at: int | None) -> TrainingRun:
        """The run up to update ``last``, cut at the first update whose parameters are not all
        finite (if any)."""
        if self.last is not None and self.last == last:
            self.kept[len(self.updates)] = self.work[last % 2]
            self.updates.append(last)
        kept = self.kept[:len(self.updates)]
        bad = _first_non_finite(kept) if self.check_at_end else None
        if bad is not None:  # only small networks get here: they keep every update
            kept, losses, diverged_at = kept[:bad], losses[:bad], bad
            self.updates = self.updates[:bad]
        history = ParameterHistory.of(self.layout, np.array(self.updates), kept)
        return TrainingRun(np.array(losses), history, diverged_at)


def _first_non_finite(rows: np.ndarray) -> int | None:
    """The first row holding an inf or NaN."""
    bad = ~np.isfinite(rows).all(axis=1)
    return int(bad.argmax()) if bad.any() else None


def _mean_loss(network: Network, outputs: np.ndarray, targets: np.ndarray, mean: bool) -> float:
    """The batch loss: the samples' losses summed, or averaged (as ``losses.mean()`` does:
    the same pairwise sum, then one division)."""
    losses = sample_losses(network, outputs, targets)
    total = float(_total(losses, None))
    if not mean:
        return total
    return total / len(losses) if len(losses) else math.nan


def _descend(theta: np.ndarray, gradient: np.ndarray, eta: float, out: np.ndarray
             ) -> np.ndarray:
    """θ − η·g written into ``out``, with the gradient's own (fresh) array as the temporary.

    g·(−η) + θ is bit for bit θ − η·g: negation is exact and a − b is a + (−b) in IEEE 754.
    """
    np.multiply(gradient, -eta, out=gradient)
    return np.add(theta, gradient, out=out)


def _kept(theta: np.ndarray | None, out: np.ndarray | None) -> np.ndarray | None:
    """A frozen tensor copied unchanged into the next row (absent biases stay absent)."""
    if theta is None:
        return None
    np.copyto(out, theta)
    return out


def _all_finite(arrays: tuple[np.ndarray | None, ...]) -> bool:
    # one reduction per array; a finite sum proves finite entries, an inf one is checked exactly
    return all(a is None or math.isfinite(_total(a, None)) or bool(np.isfinite(a).all())
               for a in arrays)


BULK_CHECK_LIMIT = 4096  # parameters; see _train_matrices()
FLOAT_PASSES, FLOAT_PARAMETERS = 4, 24  # where floats win; see floats_are_faster()
_total = np.add.reduce  # _total(a, None) is a.sum() without the method's Python wrapper
