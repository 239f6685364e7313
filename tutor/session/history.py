"""The training history: the loss curve and the parameters after every update.

Immutable: every Run, edit and restore makes a new history, and an undo step keeps the
one before (a long curve is shared, not copied: see :class:`_Curve`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from tutor.engine import NetworkProblem, TrainingRun
from tutor.engine.batch import dataset_loss
from tutor.engine.history import ParameterHistory
from tutor.exercise.model import Problem


@dataclass(frozen=True, eq=False)  # arrays inside: histories are told apart by identity
class TrainingHistory:
    """The loss curve and the parameters after every update.

    ``losses[t]`` (read-only) is the loss after ``t`` updates, ``losses[0]`` before any;
    ``params`` the parameters they were reached with (of every k-th update only after a long
    run of a large network: :meth:`nearest` finds a kept one); ``edits`` the indices where the
    network was edited mid-training; ``current`` the index whose parameters are the
    exercise's current parameters.
    """

    losses: np.ndarray = field(default_factory=lambda: _frozen([]))
    params: ParameterHistory | None = None
    edits: tuple[int, ...] = ()
    current: int = 0
    diverged_at: int | None = None
    _curve: _Curve | None = field(default=None, repr=False)

    @staticmethod
    def start(problem: Problem) -> TrainingHistory:
        """A history with one point: the problem as it stands (empty for non-networks)."""
        if not isinstance(problem, NetworkProblem):
            return TrainingHistory()
        return TrainingHistory(_frozen([_loss(problem)]), ParameterHistory.single(problem.params))

    def __len__(self) -> int:
        return len(self.losses)

    @property
    def updates(self) -> int:
        return max(0, len(self.losses) - 1)

    def nearest(self, index: int) -> int:
        """The index nearest ``index`` whose parameters were kept."""
        return index if self.params is None else self.params.nearest(index)

    def so_far(self) -> tuple[np.ndarray, int | None]:
        """The losses up to the current parameters and where they diverged, if they did
        (a restored earlier point ignores the later ones)."""
        diverged = self.diverged_at
        if diverged is not None and diverged > self.current:
            diverged = None
        return self.losses[: self.current + 1], diverged

    def extended(self, run: TrainingRun) -> TrainingHistory:
        """Training continues from ``current``: later points (an abandoned branch) are cut."""
        keep = self.current + 1
        curve, losses = _Curve.appended(self._curve, self.losses, keep, run.losses[1:])
        params = self.params.then(run.params, self.current)
        diverged = None if run.diverged_at is None else self.current + run.diverged_at
        edits = tuple(e for e in self.edits if e < keep)
        return TrainingHistory(losses, params, edits, len(losses) - 1, diverged, curve)

    def after_edit(self, problem: Problem) -> TrainingHistory:
        """The history once the network was edited into ``problem``.

        Before any training, or when the parameter shapes no longer fit (a resized layer),
        the history starts afresh; otherwise the edited state is appended with a marker.
        """
        fresh = TrainingHistory.start(problem)
        if self.updates == 0 or not isinstance(problem, NetworkProblem):
            return fresh
        if fresh.params.layout != self.params.layout:
            return fresh
        keep = self.current + 1
        curve, losses = _Curve.appended(self._curve, self.losses, keep, fresh.losses)
        params = self.params.appended(keep, problem.params)
        edits = (*(e for e in self.edits if e < keep), keep)
        return TrainingHistory(losses, params, edits, keep, None, curve)

    def at(self, index: int) -> TrainingHistory:
        return dataclasses.replace(self, current=index)


class _Curve:
    """Room for a loss curve that grows at its end, shared by the histories that view it.

    Every Run and edit makes a history of the losses so far plus a few; the undo stack keeps
    them all. Copying the whole curve each time made a long session quadratic in memory, so
    a history that continues from the end of a curve writes after it, in place, and views
    the longer start; one that continues from an earlier point (a branch) gets a copy.
    """

    def __init__(self, capacity: int) -> None:
        self.data = np.empty(capacity)
        self.used = 0  # nobody views beyond this

    @staticmethod
    def appended(curve: _Curve | None, losses: np.ndarray, keep: int, new: np.ndarray
                 ) -> tuple[_Curve, np.ndarray]:
        """``losses[:keep]`` followed by ``new``, as (its curve, a read-only view)."""
        end = keep + len(new)
        if curve is None or curve.used != keep or end > len(curve.data):
            fresh = _Curve(max(2 * end, 1024))
            fresh.data[:keep] = losses[:keep]
            curve = fresh
        curve.data[keep:end] = new
        curve.used = end
        view = curve.data[:end]
        view.setflags(write=False)
        return curve, view


def _frozen(values) -> np.ndarray:
    array = np.array(values, dtype=float)
    array.setflags(write=False)
    return array


def _loss(problem: NetworkProblem) -> float:
    with np.errstate(over="ignore", invalid="ignore"):
        return dataset_loss(problem.network, problem.params, problem.data)
