"""What a training run is told (method, learning rate, frozen tensors) and what it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from ..history import ParameterHistory
from ..ids import bias_tensor, weight_tensor
from ..network import Parameters


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
