"""Which samples each update reads: every row (batch GD), one (SGD) or a few (mini-batch)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np

from .config import Method, Training


def batches(training: Training, samples: int, updates: int) -> list[np.ndarray]:
    """The rows used by each update, in order (deterministic for a given seed)."""
    return list(itertools.islice(batch_schedule(training, samples), updates))


def batch_schedule(training: Training, samples: int) -> Iterator[np.ndarray]:
    """The rows of every update, endlessly: :func:`batches` is its first ``updates`` items.

    A run trained in chunks passes one schedule to :func:`~.run.train` chunk after chunk, so
    the chunks together use exactly the rows of a single run.
    """
    if training.method is Method.BATCH:
        return itertools.repeat(np.arange(samples))
    return _row_groups(training, samples)


def rows_per_update(training: Training, samples: int) -> int:
    if training.method is Method.BATCH:
        return samples
    return 1 if training.method is Method.SGD else max(1, min(training.batch_size, samples))


def _row_groups(training: Training, samples: int) -> Iterator[np.ndarray]:
    size = rows_per_update(training, samples)
    rng = np.random.default_rng(training.seed)
    while True:
        order = rng.permutation(samples) if training.shuffle else np.arange(samples)
        yield from (order[start:start + size] for start in range(0, samples, size))
