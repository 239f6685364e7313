"""The matrix training loop: one matrix product per layer, for every network not tiny.

The parameters of each update are written straight into their row of the run's history
(:class:`_RowStore`); see :func:`~.run.train` for when this loop runs and when the float loop.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator

import numpy as np

from ..batch import backward, batch_loss, forward, forward_tensors
from ..history import ParameterHistory, ParameterLayout
from ..ids import bias_tensor, weight_tensor
from ..network import Dataset, Network, Parameters
from .config import Training, TrainingRun

BULK_CHECK_LIMIT = 4096  # parameters; see train_matrices()
_total = np.add.reduce  # _total(a, None) is a.sum() without the method's Python wrapper


def train_matrices(network: Network, params: Parameters, data: Dataset, training: Training,
                    updates: int, schedule: Iterator[np.ndarray], stride: int, first: int
                    ) -> TrainingRun:
    """:func:`~.run.train` with one matrix product per layer.

    For batch gradient descent one forward pass per update: the pass that gives the loss of the
    new parameters is the cache the next update backpropagates through.  Mini-batches and SGD
    run their rows' own forward pass as well, so every update is bit for bit the one
    :func:`~tutor.engine.batch.loss_and_gradients` and :func:`.config.apply_update` compute.
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
        losses = [batch_loss(network, cache.output, y, mean)]
        for t, rows in enumerate(itertools.islice(schedule, updates), start=1):
            if len(rows) == samples:
                batch, targets = cache, y
            else:  # the rows' own forward pass: bit for bit what loss_and_gradients computes
                batch = forward_tensors(network, weights, biases, x[rows])
                targets = y[rows]
            grads_w, grads_b, _ = backward(network, weights, biases, batch.pre, batch.act,
                                            targets, 1.0 / len(rows) if mean else 1.0)
            out_w, out_b = store.slot(t)
            new_w = tuple(_descend(w, g, eta, out) if move else _kept(w, out)
                          for w, g, move, out in zip(weights, grads_w, movable_w, out_w,
                                                     strict=True))
            new_b = tuple(_descend(b, g, eta, out) if move else _kept(b, out)
                          for b, g, move, out in zip(biases, grads_b, movable_b, out_b,
                                                     strict=True))
            cache = forward_tensors(network, new_w, new_b, x)
            loss = batch_loss(network, cache.output, y, mean)
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
