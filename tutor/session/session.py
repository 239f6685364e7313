"""The session: the state a window shows and the logic that changes it, with no Qt.

It holds the current (immutable) :class:`Exercise`, the trace derived from it, the step
cursor, the granularity, the sample being shown, the training history and the flags.  Every
edit goes through :meth:`Session.edit` as a (before, after) pair of :class:`State` handed to
``commit``: on its own the session applies the new state at once; the window's document
passes a commit that pushes an undo command, whose redo and undo call :meth:`Session.apply`.
After each change the session tells its listeners through plain, past-tense events.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path

from tutor.engine import Granularity, Key, NetworkProblem, Step, Trace, TrainingRun
from tutor.engine.trace import run_to_end
from tutor.exercise.model import Exercise, Problem

from .events import Event
from .flags import Flags, compute_flags
from .history import TrainingHistory
from .traces import (
    TraceCache,
    allowed_granularity,
    matching_cursor,
    node_granularity_allowed,
    same_structure,
    sample_count,
)
from .training import TrainingSession

BEFORE_FIRST = -1  # the cursor before step 1: only the quiz stands there


@dataclass(frozen=True)
class State:
    """What an undo step swaps: the exercise and its training history."""

    exercise: Exercise
    history: TrainingHistory


Commit = Callable[[str, State, State], None]  # (description, before, after)


class Session:
    """The exercise being worked on, its trace and cursor, training history and flags.

    Events (each an :class:`Event`; the argument, if any, in brackets):
    ``structure_changed`` (the network or program changed: diagrams rebuild),
    ``exercise_changed``, ``history_changed``, ``flags_changed``, ``trace_changed``,
    ``cursor_changed`` (the new cursor) and ``path_changed``, emitted in that order after a
    change, each once the whole state is consistent.
    """

    def __init__(self, exercise: Exercise, path: Path | None = None,
                 commit: Commit | None = None) -> None:
        self.structure_changed = Event("structure_changed")
        self.exercise_changed = Event("exercise_changed")
        self.history_changed = Event("history_changed")
        self.flags_changed = Event("flags_changed")
        self.trace_changed = Event("trace_changed")
        self.cursor_changed = Event("cursor_changed")
        self.path_changed = Event("path_changed")
        self.commit: Commit = commit or (lambda _description, _before, after: self.apply(after))
        self._exercise = exercise
        self._path = None if path is None else Path(path)
        self._preferred = Granularity.NODE  # what the user chose; large networks override it
        self._granularity = allowed_granularity(exercise.problem, self._preferred)
        self._sample = _opening_sample(exercise)
        self._hand = False  # the exact calculation unless View ▸ Hand calculation is on
        self._history = TrainingHistory.start(exercise.problem)
        self._traces = TraceCache()
        self._trace = self.trace_of(exercise.problem)
        self._cursor = 0
        self.flags = Flags(lambda: self._trace, lambda: self._cursor)
        self._update_flags()

    # ------------------------------------------------------------------ read-only state

    @property
    def exercise(self) -> Exercise:
        return self._exercise

    @property
    def trace(self) -> Trace:
        return self._trace

    @property
    def cursor(self) -> int:
        return self._cursor

    @property
    def granularity(self) -> Granularity:
        return self._granularity

    @property
    def node_granularity_allowed(self) -> bool:
        """False when the network is too large to trace node by node (layers are shown)."""
        return node_granularity_allowed(self._exercise.problem)

    @property
    def sample(self) -> int | None:
        return self._sample

    @property
    def sample_count(self) -> int:
        return sample_count(self._exercise.problem)

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def history(self) -> TrainingHistory:
        return self._history

    @property
    def state(self) -> State:
        return State(self._exercise, self._history)

    def current_step(self) -> Step | None:
        """The step under the cursor; None before the first step (see :meth:`rewind`)."""
        return self._trace[self._cursor] if self._cursor >= 0 else None

    def known_keys(self) -> set[Key]:
        """Keys computed up to and including the cursor."""
        if not len(self._trace):
            return set()
        return self._trace.known_before(self._cursor)

    # ------------------------------------------------------------------ cursor

    def set_cursor(self, index: int) -> None:
        last = len(self._trace) - 1
        index = max(0, min(int(index), max(last, 0)))
        if index != self._cursor:
            self._cursor = index
            self.cursor_changed.emit(index)

    def rewind(self) -> None:
        """Stand before the first step (cursor −1): nothing computed is shown yet.  The quiz
        does this to ask step 1; ``next`` and ``set_cursor`` go on from step 1 as usual."""
        if len(self._trace) and self._cursor != BEFORE_FIRST:
            self._cursor = BEFORE_FIRST
            self.cursor_changed.emit(BEFORE_FIRST)

    def first(self) -> None:
        self.set_cursor(0)

    def last(self) -> None:
        self.set_cursor(len(self._trace) - 1)

    def next(self) -> None:
        self.set_cursor(self._cursor + 1)

    def back(self) -> None:
        self.set_cursor(self._cursor - 1)

    def at_end(self) -> bool:
        return self._cursor >= len(self._trace) - 1

    # ------------------------------------------------------------------ view settings

    def set_granularity(self, granularity: Granularity | str) -> None:
        self._preferred = Granularity(granularity)
        granularity = allowed_granularity(self._exercise.problem, self._preferred)
        if granularity is self._granularity:
            return
        old_trace, old_cursor = self._trace, self._cursor
        self._granularity = granularity
        new_trace = self.trace_of(self._exercise.problem)
        self._retrace(matching_cursor(old_trace, old_cursor, new_trace), new_trace)

    @property
    def hand(self) -> bool:
        """Whether traces carry the printed, rounded values forward (tutor/engine/hand.py)."""
        return self._hand

    def set_hand(self, hand: bool) -> None:
        if hand == self._hand:
            return
        self._hand = hand
        self._retrace(self._cursor, self.trace_of(self._exercise.problem))  # same steps

    def set_sample(self, sample: int | None) -> None:
        if sample is not None and not 0 <= sample < max(self.sample_count, 1):
            raise ValueError(f"sample {sample} is out of range")
        if sample == self._sample:
            return
        self._sample = sample
        self._retrace(0, self.trace_of(self._exercise.problem))

    # ------------------------------------------------------------------ editing

    def edit(self, description: str, exercise: Exercise) -> None:
        """One undoable change replacing the exercise (every edit in the app comes here)."""
        # identity, not equality: the problems hold NumPy arrays
        if exercise is self._exercise:
            return
        if exercise.problem is self._exercise.problem:
            history = self._history
        else:
            history = self._history.after_edit(exercise.problem)
        self.commit(description, self.state, State(exercise, history))

    def train(self, updates: int) -> TrainingRun:
        """Run ``updates`` gradient-descent updates as one undoable change."""
        run = self._network_problem().train(updates)
        self.push_run(run, updates)
        return run

    def start_training(self, updates: int) -> TrainingSession:
        """``updates`` updates to train a chunk at a time, so a window stays responsive;
        the run's ``finish()`` pushes what it trained as one undoable change."""
        return TrainingSession(self, self._network_problem(), updates)

    def push_run(self, run: TrainingRun, updates: int,
                 trained: NetworkProblem | None = None) -> None:
        """Commit ``run`` as one change; ``trained`` is the problem with its final parameters,
        if the caller already made (and traced) it."""
        if trained is None:
            trained = self._network_problem().with_params(run.final)
        exercise = self._exercise.with_problem(trained)
        self.commit(f"Train {updates} update{'s' if updates != 1 else ''}", self.state,
                    State(exercise, self._history.extended(run)))

    def restore_history(self, index: int) -> None:
        """Undoably go back (or forward) to the parameters after ``index`` updates, or after
        the nearest update whose parameters were kept."""
        problem = self._exercise.problem
        if not isinstance(problem, NetworkProblem) or not 0 <= index < len(self._history):
            raise IndexError(f"no training history entry {index}")
        index = self._history.nearest(index)
        exercise = self._exercise.with_problem(problem.with_params(self._history.params[index]))
        self.commit(f"Restore parameters after {index} updates", self.state,
                    State(exercise, self._history.at(index)))

    def reset(self, exercise: Exercise, path: Path | None = None) -> None:
        """Open another exercise: a fresh history, cursor and sample (not undoable)."""
        self._sample = _opening_sample(exercise)
        self._cursor = 0
        self.apply(State(exercise, TrainingHistory.start(exercise.problem)), force=True)
        self.set_path(path)

    def set_path(self, path: Path | None) -> None:
        path = None if path is None else Path(path)
        if path != self._path:
            self._path = path
            self.path_changed.emit()

    def apply(self, state: State, force: bool = False) -> None:
        """Replace the state, derive the trace and flags, and only then tell the listeners:
        every callback sees a consistent session."""
        old = self._exercise
        history_changed = force or state.history is not self._history
        self._exercise, self._history = state.exercise, state.history
        if self._sample is not None and self._sample >= self.sample_count:
            self._sample = None
        self._granularity = allowed_granularity(self._exercise.problem, self._preferred)
        self._trace = self.trace_of(self._exercise.problem)
        self._cursor = max(0, min(self._cursor, len(self._trace) - 1))
        self._update_flags()
        if force or not same_structure(old, state.exercise):
            self.structure_changed.emit()
        self.exercise_changed.emit()
        if history_changed:
            self.history_changed.emit()
        self.flags_changed.emit()
        self.trace_changed.emit()
        self.cursor_changed.emit(self._cursor)

    # ------------------------------------------------------------------ traces

    def trace_of(self, problem: Problem) -> Trace:
        """The trace of ``problem`` in the current granularity and sample (the last few are
        kept: undo and redo go back to problems traced before)."""
        return run_to_end(self.trace_in_parts(problem))

    def trace_in_parts(self, problem: Problem) -> Generator[None, None, Trace]:
        """:meth:`trace_of` in parts: a layer-by-layer trace pauses after each sample."""
        return self._traces.trace_in_parts(problem, self._granularity, self._sample,
                                           self._hand)

    # ------------------------------------------------------------------ internals

    def _network_problem(self) -> NetworkProblem:
        problem = self._exercise.problem
        if not isinstance(problem, NetworkProblem):
            raise TypeError("only network exercises can be trained")
        return problem

    def _update_flags(self) -> None:
        self.flags.set(compute_flags(self._exercise.problem, self._trace, self._history,
                                     self.node_granularity_allowed))

    def _retrace(self, cursor: int, trace: Trace) -> None:
        self._trace = trace
        self._cursor = max(0, min(cursor, len(self._trace) - 1))
        self._update_flags()
        self.flags_changed.emit()
        self.trace_changed.emit()
        self.cursor_changed.emit(self._cursor)


def _opening_sample(exercise: Exercise) -> int | None:
    """The sample an exercise opens on: its file's ``view.sample`` (a demonstration's whole
    batch is hundreds of steps), else None for every sample (sheets trace the batch)."""
    sample = exercise.view_sample
    return sample if sample is not None and sample < sample_count(exercise.problem) else None
