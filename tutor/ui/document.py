"""The document: the one object that owns the app's mutable state.

It holds the current (immutable) :class:`Exercise`, the trace derived from it, the step
cursor, the granularity, the sample being shown, the training history and the undo stack.
Views read from it and listen to its past-tense signals; every edit replaces the exercise
through an undo command, so undo/redo and the "modified" flag come for free.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections import OrderedDict
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from tutor.engine import Granularity, Key, NetworkProblem, Step, Trace, TrainingRun
from tutor.engine.batch import Method, batch_schedule, dataset_loss, train
from tutor.engine.history import ParameterHistory, keep_every
from tutor.engine.trace import Phase, run_to_end
from tutor.exercise.model import Exercise, Problem

from .notices import FlagWatch


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


def compute_trace(problem: Problem, granularity: Granularity, sample: int | None) -> Trace:
    """The trace of ``problem``; with ``sample`` set, of that one sample of the dataset."""
    return run_to_end(trace_parts(problem, granularity, sample))


def trace_parts(problem: Problem, granularity: Granularity, sample: int | None
                ) -> Generator[None, None, Trace]:
    """:func:`compute_trace` in parts: a layer-by-layer trace pauses after each sample."""
    if isinstance(problem, NetworkProblem):
        if sample is not None and len(problem.data) > 1:
            training = dataclasses.replace(problem.training, method=Method.BATCH)
            problem = dataclasses.replace(problem, data=problem.data.subset([sample]),
                                          training=training)
        return (yield from problem.trace_in_parts(granularity))
    trace = getattr(problem, "trace", None)
    return trace() if callable(trace) else Trace(())


TRACES_KEPT = 4  # traces of recent problems, for undo/redo and a finished Run
LARGE_TRACES_KEPT = 1  # of a network too large to trace node by node (60 MB each): the newest
BEFORE_FIRST = -1  # the cursor before step 1: only the quiz stands there
NODE_LIMIT = 2_000  # above this many scalar nodes a node-by-node trace takes too long to build


def scalar_node_count(problem: Problem) -> int:
    """How many nodes a node-by-node trace of ``problem`` would draw (0 for non-networks).

    Every parameter is a leaf; each traced sample adds its inputs, targets and two nodes
    (pre-activation and activation) per unit.
    """
    if not isinstance(problem, NetworkProblem):
        return 0
    network = problem.network
    weights = sum(w.size for w in problem.params.weights)
    biases = sum(b.size for b in problem.params.biases if b is not None)
    per_sample = (network.input_size + network.output_size
                  + 2 * sum(layer.size for layer in network.layers))
    return weights + biases + len(problem.first_batch()) * per_sample


def node_granularity_allowed(problem: Problem) -> bool:
    return scalar_node_count(problem) <= NODE_LIMIT


def sample_count(problem: Problem) -> int:
    return len(problem.data) if isinstance(problem, NetworkProblem) else 0


@dataclass(frozen=True)
class _State:
    exercise: Exercise
    history: TrainingHistory


class _ReplaceState(QUndoCommand):
    """Swaps the document between two states; touches nothing else."""

    def __init__(self, document: Document, text: str, before: _State, after: _State) -> None:
        super().__init__(text)
        self._document, self._before, self._after = document, before, after

    def redo(self) -> None:
        self._document._apply(self._after)

    def undo(self) -> None:
        self._document._apply(self._before)


class Document(QObject):
    exercise_changed = Signal()  # the exercise was replaced (any edit, undo, redo, open)
    structure_changed = Signal()  # architecture/program changed: views rebuild their scenes
    trace_changed = Signal()  # a new trace (after an edit or a granularity/sample change)
    cursor_changed = Signal(int)  # the cursor moved to this step index
    history_changed = Signal()  # the training history (loss curve) changed
    modified_changed = Signal(bool)
    path_changed = Signal()

    def __init__(self, exercise: Exercise, path: Path | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._exercise = exercise
        self._path = None if path is None else Path(path)
        self._preferred = Granularity.NODE  # what the user chose; large networks override it
        self._granularity = self._allowed(self._preferred)
        self._sample: int | None = None
        self._history = TrainingHistory.start(exercise.problem)
        self._traces: OrderedDict[tuple, tuple[Problem, Trace]] = OrderedDict()
        self._trace = self.trace_of(exercise.problem)
        self._cursor = 0
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.flags = FlagWatch(self)  # before any view connects: views read fresh flags

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
    def path(self) -> Path | None:
        return self._path

    @property
    def history(self) -> TrainingHistory:
        return self._history

    @property
    def is_modified(self) -> bool:
        return not self.undo_stack.isClean()

    @property
    def sample_count(self) -> int:
        return sample_count(self._exercise.problem)

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
        granularity = self._allowed(self._preferred)
        if granularity is self._granularity:
            return
        old_trace, old_cursor = self._trace, self._cursor
        self._granularity = granularity
        new_trace = self._new_trace()
        self._retrace(keep=_matching_cursor(old_trace, old_cursor, new_trace), trace=new_trace)

    def set_sample(self, sample: int | None) -> None:
        if sample is not None and not 0 <= sample < max(self.sample_count, 1):
            raise ValueError(f"sample {sample} is out of range")
        if sample == self._sample:
            return
        self._sample = sample
        self._retrace(keep=0)

    # ------------------------------------------------------------------ editing

    def edit(self, description: str, exercise: Exercise) -> None:
        """One undoable command replacing the exercise (every edit in the app comes here)."""
        # identity, not equality: the problems hold NumPy arrays
        if exercise is self._exercise:
            return
        if exercise.problem is self._exercise.problem:
            history = self._history
        else:
            history = self._history.after_edit(exercise.problem)
        self._push(description, _State(exercise, history))

    def train(self, updates: int) -> TrainingRun:
        """Run ``updates`` gradient-descent updates as one undoable command."""
        run = self._network_problem().train(updates)
        self._push_run(run, updates)
        return run

    def start_training(self, updates: int) -> TrainingSession:
        """``updates`` updates to train a chunk at a time, so the window stays responsive;
        the session's ``finish()`` pushes what it trained as one undoable command."""
        return TrainingSession(self, self._network_problem(), updates)

    def restore_history(self, index: int) -> None:
        """Undoably go back (or forward) to the parameters after ``index`` updates, or after
        the nearest update whose parameters were kept."""
        problem = self._exercise.problem
        if not isinstance(problem, NetworkProblem) or not 0 <= index < len(self._history):
            raise IndexError(f"no training history entry {index}")
        index = self._history.nearest(index)
        exercise = self._exercise.with_problem(problem.with_params(self._history.params[index]))
        self._push(f"Restore parameters after {index} updates",
                   _State(exercise, self._history.at(index)))

    def reset(self, exercise: Exercise, path: Path | None = None) -> None:
        """Open another exercise: a fresh history, undo stack, cursor and sample."""
        self.undo_stack.clear()
        self._sample = None
        self._cursor = 0
        self._apply(_State(exercise, TrainingHistory.start(exercise.problem)), force=True)
        self.set_path(path)
        self.undo_stack.setClean()
        self.modified_changed.emit(False)

    def set_path(self, path: Path | None) -> None:
        path = None if path is None else Path(path)
        if path != self._path:
            self._path = path
            self.path_changed.emit()

    def mark_saved(self, path: Path) -> None:
        self.set_path(path)
        self.undo_stack.setClean()

    # ------------------------------------------------------------------ internals

    def _network_problem(self) -> NetworkProblem:
        problem = self._exercise.problem
        if not isinstance(problem, NetworkProblem):
            raise TypeError("only network exercises can be trained")
        return problem

    def _push_run(self, run: TrainingRun, updates: int,
                  trained: NetworkProblem | None = None) -> None:
        """Push ``run`` as one command; ``trained`` is the problem with its final parameters,
        if the caller already made (and traced) it."""
        if trained is None:
            trained = self._network_problem().with_params(run.final)
        exercise = self._exercise.with_problem(trained)
        self._push(f"Train {updates} update{'s' if updates != 1 else ''}",
                   _State(exercise, self._history.extended(run)))

    def _on_clean_changed(self, clean: bool) -> None:
        self.modified_changed.emit(not clean)

    def _push(self, description: str, state: _State) -> None:
        before = _State(self._exercise, self._history)
        self.undo_stack.push(_ReplaceState(self, description, before, state))

    def _apply(self, state: _State, force: bool = False) -> None:
        """Replace the state, derive the trace, and only then tell the views: every signal
        handler sees a consistent document."""
        old = self._exercise
        history_changed = force or state.history is not self._history
        self._exercise, self._history = state.exercise, state.history
        if self._sample is not None and self._sample >= self.sample_count:
            self._sample = None
        self._granularity = self._allowed(self._preferred)
        self._trace = self._new_trace()
        self._cursor = max(0, min(self._cursor, len(self._trace) - 1))
        if force or not _same_structure(old, state.exercise):
            self.structure_changed.emit()
        self.exercise_changed.emit()
        if history_changed:
            self.history_changed.emit()
        self.trace_changed.emit()
        self.cursor_changed.emit(self._cursor)

    def _allowed(self, granularity: Granularity) -> Granularity:
        if granularity is Granularity.NODE and not self.node_granularity_allowed:
            return Granularity.LAYER
        return granularity

    def _new_trace(self) -> Trace:
        return self.trace_of(self._exercise.problem)

    def trace_of(self, problem: Problem) -> Trace:
        """The trace of ``problem`` in the current granularity and sample.

        The last few are kept: undo and redo go back to problems traced before, and a Run
        traces its final parameters between events before it is applied.
        """
        return run_to_end(self.trace_in_parts(problem))

    def trace_in_parts(self, problem: Problem) -> Generator[None, None, Trace]:
        """:meth:`trace_of` in parts (see :func:`trace_parts`); the trace is kept at the end."""
        key = (id(problem), self._granularity, self._sample)
        hit = self._traces.get(key)
        if hit is not None and hit[0] is problem:  # the problem held keeps its id unique
            self._traces.move_to_end(key)
            return hit[1]
        trace = yield from trace_parts(problem, self._granularity, self._sample)
        self._traces[key] = (problem, trace)
        # a large network's trace holds every sample's gradient matrices (784-128-10: 60 MB)
        kept = TRACES_KEPT if node_granularity_allowed(problem) else LARGE_TRACES_KEPT
        while len(self._traces) > kept:
            self._traces.popitem(last=False)
        return trace

    def _retrace(self, keep: int, trace: Trace | None = None) -> None:
        self._trace = trace if trace is not None else self._new_trace()
        self._cursor = max(0, min(keep, len(self._trace) - 1))
        self.trace_changed.emit()
        self.cursor_changed.emit(self._cursor)


class TrainingSession:
    """A run trained a chunk at a time from the document's parameters when it started.

    The document does not change until :meth:`finish`, which pushes every update trained so
    far as one undoable command; the chunks share one batch schedule, so together they are
    bit for bit ``problem.train(n)`` for the same number of updates.
    """

    def __init__(self, document: Document, problem: NetworkProblem, updates: int) -> None:
        self._document, self._problem, self.total = document, problem, int(updates)
        self._start = document.exercise
        self._schedule = batch_schedule(problem.training, len(problem.data))
        self._keep = keep_every(problem.params.flat().size, self.total)
        self._losses = np.empty(self.total + 1)
        self._count = 0  # losses filled in: the one before the run and one per update
        self._params = ParameterHistory.single(problem.params)
        self._latest = problem.params
        self._trained: NetworkProblem | None = None  # the problem with _latest, once traced
        self._trained_at = -1  # after how many updates it was made
        self._tracing: Generator[None, None, Trace] | None = None  # its trace, under way
        self.diverged_at: int | None = None
        self.finished = False

    @property
    def done(self) -> int:
        """Updates trained so far."""
        return max(0, self._count - 1)

    @property
    def stale(self) -> bool:
        """The exercise was replaced since the run started: its updates no longer apply."""
        return self._document.exercise is not self._start

    @property
    def remaining(self) -> int:
        if self.finished or self.diverged_at is not None:
            return 0
        return self.total - self.done

    @property
    def losses(self) -> np.ndarray:
        """The loss before the run and after each update trained so far."""
        return self._losses[:self._count]

    def advance(self, updates: int) -> int:
        """Train up to ``updates`` more updates (fewer at the end or on divergence)."""
        count = min(int(updates), self.remaining)
        if count <= 0:
            return 0
        problem, before = self._problem, self.done
        run = train(problem.network, self._latest, problem.data, problem.training, count,
                    self._schedule, keep=self._keep, first=before)
        new = run.losses[1:] if self._count else run.losses
        self._losses[self._count:self._count + len(new)] = new
        self._count += len(new)
        # a chunk always keeps its last update; off the stride it is only needed until the
        # next chunk starts from it
        if before % self._keep:
            self._params = self._params.upto(before - 1)
        self._params = self._params.then(run.params, before)
        self._latest = run.final
        if run.diverged_at is not None:
            self.diverged_at = before + run.diverged_at
        return self.done - before

    def finish(self) -> TrainingRun | None:
        """Push the updates trained so far as one command (nothing if none were trained or
        the exercise was replaced meanwhile); the run, or None."""
        if self.finished:
            return None
        stopped_early = self.remaining > 0
        self.finished = True
        if self.stale or (self.done == 0 and self.diverged_at is None):
            return None
        run = TrainingRun(self.losses.copy(), self._params, self.diverged_at)
        trained = self._trained if self._trained_at == self.done else None
        self._document._push_run(run, self.done if stopped_early else self.total, trained)
        return run

    def trace_final(self, seconds: float = math.inf) -> bool:
        """Trace the parameters trained so far for up to ``seconds``: True while there was
        work (call again after the next events), False once the trace is ready.

        Tracing 784-128-10 takes longer than applying the Run, so a window does it between
        events, a few samples at a time; :meth:`finish` then reuses the trace.
        """
        if self._trained_at != self.done:
            self._trained = self._problem.with_params(self._latest)
            self._trained_at = self.done
            self._tracing = self._document.trace_in_parts(self._trained)
        if self._tracing is None:
            return False
        deadline = time.perf_counter() + seconds
        try:
            next(self._tracing)  # at least one part, however short the time
            while time.perf_counter() < deadline:
                next(self._tracing)
        except StopIteration:
            self._tracing = None
        return True


def _same_structure(old: Exercise, new: Exercise) -> bool:
    """Whether the diagrams can stay: same network (or the same expression program)."""
    a, b = old.problem, new.problem
    if isinstance(a, NetworkProblem) and isinstance(b, NetworkProblem):
        return a.network == b.network
    return type(a) is type(b) and getattr(a, "program", None) == getattr(b, "program", None)


def _matching_cursor(old: Trace, cursor: int, new: Trace) -> int:
    """The step of ``new`` at the same relative place within the same phase as ``cursor``."""
    if not len(old) or not len(new) or cursor < 0:
        return 0
    phase, position, count = old.phase_position(cursor)
    same = [s.index for s in new if s.phase == phase]
    if not same:
        return 0 if phase is Phase.FORWARD else len(new) - 1
    return same[min(len(same) - 1, max(0, round(position / count * len(same)) - 1))]
