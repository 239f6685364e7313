"""The parameters a training run passed through, packed into float rows.

A ``Parameters`` per update does not scale: a 784-128-10 network holds 0.8 MB of weights, so a
run of 10,000 updates would need 8 GB, and 100,000 updates of a small network leave 300,000
small objects for the garbage collector to walk again and again.  Instead a run writes the
parameters after each update into one row of a float array (the order of ``Parameters.flat``),
and a run too large for :data:`MEMORY_BUDGET` keeps only every k-th row (and always its first
and last).

A :class:`ParameterHistory` is immutable and built from shared segments, so cutting it or
appending another run copies no rows: the undo stack can hold a history per command.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .network import Parameters

MEMORY_BUDGET = 32 * 2**20  # bytes of parameter rows one run may keep


@dataclass(frozen=True)
class ParameterLayout:
    """Where each tensor of a ``Parameters`` lives in a flat row: weights, then biases."""

    weight_shapes: tuple[tuple[int, int], ...]
    bias_sizes: tuple[int | None, ...]

    @staticmethod
    def of(params: Parameters) -> ParameterLayout:
        return ParameterLayout(tuple(w.shape for w in params.weights),
                               tuple(None if b is None else b.size for b in params.biases))

    @property
    def size(self) -> int:
        return (sum(r * c for r, c in self.weight_shapes)
                + sum(n for n in self.bias_sizes if n is not None))

    def tensor_views(self, rows: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray | None]]:
        """Per tensor, a view of ``rows`` (one row per update): ``weights[n][t]`` is Wₙ after
        update t, itself a contiguous view that a product reads as fast as a fresh array."""
        count, start = rows.shape[0], 0
        weights: list[np.ndarray] = []
        for r, c in self.weight_shapes:
            weights.append(rows[:, start:start + r * c].reshape(count, r, c))
            start += r * c
        biases: list[np.ndarray | None] = []
        for n in self.bias_sizes:
            biases.append(None if n is None else rows[:, start:start + n])
            start += n or 0
        return weights, biases

    def unpack(self, row: np.ndarray) -> Parameters:
        weights, biases = self.tensor_views(row[np.newaxis])
        return Parameters(tuple(w[0] for w in weights),
                          tuple(None if b is None else b[0] for b in biases))


def keep_every(parameters: int, updates: int, budget: int | None = None) -> int:
    """The stride k so that a run of ``updates`` keeps at most ``budget`` bytes of rows
    (:data:`MEMORY_BUDGET` by default): 1, every update, unless the network is large."""
    budget = MEMORY_BUDGET if budget is None else budget
    rows = max(2, budget // (8 * max(1, parameters)))
    return max(1, math.ceil(updates / rows))


@dataclass(frozen=True, eq=False)  # arrays: compare rows, not segments
class _Segment:
    updates: np.ndarray  # the update numbers of the rows, increasing
    rows: np.ndarray  # read-only, one row per kept update

    def shifted(self, by: int) -> _Segment:
        return _Segment(self.updates + by, self.rows)


@dataclass(frozen=True, eq=False)
class ParameterHistory:
    """The parameters after updates ``0 … last``; every update's row unless the run was thinned
    (see :meth:`kept` and :meth:`nearest`).

    ``len(history)`` is ``last + 1``, like the loss curve beside it; ``history[t]`` is the
    ``Parameters`` after ``t`` updates (negative ``t`` counts from the end) and raises KeyError
    for an update that was not kept.  Iterating gives the kept parameters in order.
    """

    layout: ParameterLayout
    segments: tuple[_Segment, ...]

    @staticmethod
    def of(layout: ParameterLayout, updates: np.ndarray, rows: np.ndarray) -> ParameterHistory:
        rows.setflags(write=False)
        return ParameterHistory(layout, (_Segment(np.asarray(updates, dtype=np.int64), rows),))

    @staticmethod
    def single(params: Parameters) -> ParameterHistory:
        """A history of one point: ``params`` before any update."""
        return ParameterHistory.of(ParameterLayout.of(params), np.zeros(1),
                                   params.flat()[np.newaxis])

    # ------------------------------------------------------------------ reading

    @property
    def last(self) -> int:
        return int(self.segments[-1].updates[-1])

    def __len__(self) -> int:
        return self.last + 1

    def kept(self) -> np.ndarray:
        """The update numbers whose parameters are kept, increasing."""
        return np.concatenate([s.updates for s in self.segments])

    def nearest(self, update: int) -> int:
        """The kept update closest to ``update`` (the later one on a tie)."""
        kept = self.kept()
        right = min(int(np.searchsorted(kept, update)), len(kept) - 1)
        left = max(right - 1, 0)
        return int(kept[right] if kept[right] - update <= update - kept[left] else kept[left])

    def row(self, update: int) -> np.ndarray:
        """The flat parameters after ``update`` updates (a read-only view)."""
        if update < 0:
            update += len(self)
        segment = self.segments[self._segment_of(update)]
        at = int(np.searchsorted(segment.updates, update))
        if at == len(segment.updates) or segment.updates[at] != update:
            raise KeyError(f"the parameters after update {update} were not kept")
        return segment.rows[at]

    def __getitem__(self, update: int) -> Parameters:
        return self.layout.unpack(self.row(int(update)))

    def __iter__(self) -> Iterator[Parameters]:
        for segment in self.segments:
            for row in segment.rows:
                yield self.layout.unpack(row)

    @property
    def final(self) -> Parameters:
        return self[self.last]

    def rows(self) -> np.ndarray:
        """Every kept row stacked (a copy): row i belongs to ``kept()[i]``."""
        return np.concatenate([s.rows for s in self.segments])

    def _segment_of(self, update: int) -> int:
        firsts = [int(s.updates[0]) for s in self.segments]
        return max(0, bisect.bisect_right(firsts, update) - 1)

    # ------------------------------------------------------------------ building

    def upto(self, update: int) -> ParameterHistory:
        """The history cut after ``update`` (no rows copied)."""
        index = self._segment_of(update)
        segment = self.segments[index]
        count = int(np.searchsorted(segment.updates, update, side="right"))
        head = self.segments[:index]
        if count:
            head += (_Segment(segment.updates[:count], segment.rows[:count]),)
        return ParameterHistory(self.layout, head)

    def then(self, other: ParameterHistory, at: int) -> ParameterHistory:
        """This history up to ``at``, continued by ``other`` whose update 0 is this one's
        ``at`` (so ``other``'s first row is left out)."""
        return ParameterHistory(self.layout, self.upto(at).segments
                                + tuple(s.shifted(at) for s in other._from(1)))

    def appended(self, update: int, params: Parameters) -> ParameterHistory:
        """This history up to ``update − 1``, then ``params`` as the parameters after
        ``update`` updates (an edit made mid-training)."""
        point = ParameterHistory.single(params).segments[0].shifted(update)
        return ParameterHistory(self.layout, (*self.upto(update - 1).segments, point))

    def _from(self, update: int) -> tuple[_Segment, ...]:
        """The segments holding updates ``update`` and later."""
        out = []
        for segment in self.segments:
            start = int(np.searchsorted(segment.updates, update))
            if start < len(segment.updates):
                out.append(_Segment(segment.updates[start:], segment.rows[start:]))
        return tuple(out)
