"""A Run trained a chunk at a time, and how much each tick of a window's timer trains.

A window's timer calls :meth:`TrainingSession.advance_for` each tick, then
:meth:`~TrainingSession.trace_final` once trained out; the chunk size follows the measured time
per update, so a tick lasts about :data:`RUN_TICK_SECONDS` on any network.
"""

from __future__ import annotations

import math
import time
from collections.abc import Generator
from typing import Protocol

import numpy as np

from tutor.engine import NetworkProblem, Trace, TrainingRun
from tutor.engine.training import ChunkedRun
from tutor.exercise.model import Exercise, Problem

from .history import TrainingHistory

PLAY_CHUNK = 5  # updates per tick of Play: one chunk per tick keeps the window responsive
RUN_TICK_SECONDS = 0.02  # a Run trains for this long (+ ~10 ms to draw), then handles events
RUN_AT_ONCE = 100  # updates trained before the click returns, however long: short runs end there
RUN_AT_ONCE_PARAMETERS = 10_000  # ...on networks up to this size (100 updates take < 10 ms)


class RunOwner(Protocol):
    """What a Run needs of its session (:class:`tutor.session.Session`)."""

    @property
    def exercise(self) -> Exercise: ...

    @property
    def history(self) -> TrainingHistory: ...

    def trace_in_parts(self, problem: Problem) -> Generator[None, None, Trace]: ...

    def push_run(self, run: TrainingRun, updates: int,
                 trained: NetworkProblem | None = None) -> None: ...


class TrainingSession:
    """A run trained a chunk at a time from the session's parameters when it started.

    The session does not change until :meth:`finish`, which pushes every update trained so
    far as one undoable command; the chunks share one batch schedule, so together they are
    bit for bit ``problem.train(n)`` for the same number of updates.
    """

    def __init__(self, session: RunOwner, problem: NetworkProblem, updates: int) -> None:
        self._session, self._problem, self.total = session, problem, int(updates)
        self._start = session.exercise
        self._history = session.history  # the curve the run continues
        self._run = ChunkedRun(problem.network, problem.params, problem.data, problem.training,
                               self.total)
        self._trained: NetworkProblem | None = None  # with the latest parameters, once traced
        self._trained_at = -1  # after how many updates it was made
        self._tracing: Generator[None, None, Trace] | None = None  # its trace, under way
        self._chunk = 1  # updates per advance in the next tick, from the time measured
        self.finished = False

    @property
    def done(self) -> int:
        """Updates trained so far."""
        return self._run.done

    @property
    def diverged_at(self) -> int | None:
        return self._run.diverged_at

    @property
    def stale(self) -> bool:
        """The exercise was replaced since the run started: its updates no longer apply."""
        return self._session.exercise is not self._start

    @property
    def remaining(self) -> int:
        return 0 if self.finished else self._run.remaining

    @property
    def losses(self) -> np.ndarray:
        """The loss before the run and after each update trained so far."""
        return self._run.losses

    def curve(self) -> np.ndarray:
        """The loss curve as it will be once the run is pushed: the history up to its
        current point, then the losses trained so far."""
        history = self._history
        return np.concatenate([history.losses[:history.current + 1], self.losses[1:]])

    @property
    def at_once(self) -> int:
        """Updates to train before the click returns: a small network's short Run ends there."""
        size = sum(t.size for t in self._problem.params.tensors().values())
        return RUN_AT_ONCE if size <= RUN_AT_ONCE_PARAMETERS else 0

    def advance(self, updates: int) -> int:
        """Train up to ``updates`` more updates (fewer at the end or on divergence)."""
        return 0 if self.finished else self._run.advance(updates)

    def advance_for(self, seconds: float, at_least: int = 0) -> int:
        """Train for about ``seconds``, and until at least ``at_least`` updates are done in
        all; the updates trained.  Each chunk is sized from the time per update measured so
        far, so that the last one ends near the deadline."""
        before = self.done
        deadline = time.perf_counter() + seconds
        while self.remaining:
            started = time.perf_counter()
            trained = self.advance(self._chunk)
            now = time.perf_counter()
            per_update = max(now - started, 1e-9) / max(trained, 1)
            if deadline - now < per_update and self.done >= at_least:
                self._chunk = max(1, int(seconds / per_update))
                break
            self._chunk = max(1, at_least - self.done, int((deadline - now) / per_update))
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
        run = self._run.run()
        trained = self._trained if self._trained_at == self.done else None
        self._session.push_run(run, self.done if stopped_early else self.total, trained)
        return run

    def trace_final(self, seconds: float = math.inf) -> bool:
        """Trace the parameters trained so far for up to ``seconds``: True while there was
        work (call again after the next events), False once the trace is ready.

        Tracing 784-128-10 takes longer than applying the Run, so a window does it between
        events, a few samples at a time; :meth:`finish` then reuses the trace.
        """
        if self._trained_at != self.done:
            self._trained = self._problem.with_params(self._run.latest)
            self._trained_at = self.done
            self._tracing = self._session.trace_in_parts(self._trained)
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

