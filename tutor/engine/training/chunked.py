"""A run trained a chunk at a time, resumable: the engine half of a Run in the window.

The chunks share one batch schedule and one stride of kept parameters, so any split of
``total`` updates into chunks gives bit for bit ``train(…, total)``.  Nothing here knows
about timers or undo: a caller decides how many updates each chunk trains and what to do
with :meth:`ChunkedRun.run` when it stops.
"""

from __future__ import annotations

import numpy as np

from ..history import ParameterHistory, keep_every
from ..network import Dataset, Network, Parameters
from .config import Training, TrainingRun
from .run import train
from .schedule import batch_schedule


class ChunkedRun:
    """Up to ``total`` updates from ``params``, trained by :meth:`advance` in chunks."""

    def __init__(self, network: Network, params: Parameters, data: Dataset,
                 training: Training, total: int) -> None:
        if total < 0:
            raise ValueError("a run cannot have a negative number of updates")
        self.network, self.data, self.training, self.total = network, data, training, total
        self._schedule = batch_schedule(training, len(data))
        self._keep = keep_every(params.flat().size, total)
        self._losses = np.empty(total + 1)
        self._count = 0  # losses filled in: the one before the run and one per update
        self._params = ParameterHistory.single(params)
        self.latest = params  # the parameters after the last update trained
        self.diverged_at: int | None = None

    @property
    def done(self) -> int:
        """Updates trained so far."""
        return max(0, self._count - 1)

    @property
    def remaining(self) -> int:
        return 0 if self.diverged_at is not None else self.total - self.done

    @property
    def losses(self) -> np.ndarray:
        """The loss before the run and after each update trained so far (a view)."""
        return self._losses[:self._count]

    def advance(self, updates: int) -> int:
        """Train up to ``updates`` more updates (fewer at the end or on divergence); how many
        were trained."""
        count = min(int(updates), self.remaining)
        if count <= 0:
            return 0
        before = self.done
        run = train(self.network, self.latest, self.data, self.training, count,
                    self._schedule, keep=self._keep, first=before)
        new = run.losses[1:] if self._count else run.losses
        self._losses[self._count:self._count + len(new)] = new
        self._count += len(new)
        # a chunk always keeps its last update; off the stride it is only needed until the
        # next chunk starts from it
        if before % self._keep:
            self._params = self._params.upto(before - 1)
        self._params = self._params.then(run.params, before)
        self.latest = run.final
        if run.diverged_at is not None:
            self.diverged_at = before + run.diverged_at
        return self.done - before

    def run(self) -> TrainingRun:
        """The updates trained so far as one run (its losses copied)."""
        return TrainingRun(self.losses.copy(), self._params, self.diverged_at)
