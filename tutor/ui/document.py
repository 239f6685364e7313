"""The document: a thin Qt face of the :class:`~tutor.session.Session`, with the undo stack.

The session owns the exercise, trace, cursor, granularity, sample, training history and
flags, and the logic that changes them; the document re-emits its plain events as the
past-tense Qt signals the views connect to, and turns each edit into one
:class:`QUndoCommand` that swaps two immutable states, so undo/redo and the "modified" flag
(the stack's ``cleanChanged``) come for free.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from tutor.engine import Granularity, Key, Step, Trace, TrainingRun
from tutor.exercise.model import Exercise
from tutor.session import BEFORE_FIRST, Session, State, TrainingHistory, TrainingSession
from tutor.session.flags import Flag
from tutor.session.traces import NODE_LIMIT, scalar_node_count

__all__ = ["BEFORE_FIRST", "NODE_LIMIT", "Document", "FlagWatch", "TrainingHistory",
           "TrainingSession", "scalar_node_count"]


class _ReplaceState(QUndoCommand):
    """Swaps the session between two states; touches nothing else."""

    def __init__(self, session: Session, text: str, before: State, after: State) -> None:
        super().__init__(text)
        self._session, self._before, self._after = session, before, after

    def redo(self) -> None:
        self._session.apply(self._after)

    def undo(self) -> None:
        self._session.apply(self._before)


class FlagWatch(QObject):
    """The session's current flags; ``changed`` after each recomputation (before any view
    hears of the new trace, so views read fresh flags)."""

    changed = Signal()

    def __init__(self, session: Session, parent: QObject) -> None:
        super().__init__(parent)
        self._flags = session.flags
        session.flags_changed.connect(self.changed.emit)

    @property
    def all(self) -> tuple[Flag, ...]:
        return self._flags.all

    def visible(self, cursor: int | None = None) -> tuple[Flag, ...]:
        return self._flags.visible(cursor)

    def for_step(self, cursor: int | None = None) -> tuple[Flag, ...]:
        """The visible flags the inspector lists at ``cursor``."""
        return self._flags.for_step(cursor)


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
        self.session = Session(exercise, path, commit=self._push)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.flags = FlagWatch(self.session, self)  # before any view connects
        session = self.session
        session.structure_changed.connect(self.structure_changed.emit)
        session.exercise_changed.connect(self.exercise_changed.emit)
        session.history_changed.connect(self.history_changed.emit)
        session.trace_changed.connect(self.trace_changed.emit)
        session.cursor_changed.connect(self.cursor_changed.emit)
        session.path_changed.connect(self.path_changed.emit)

    # ------------------------------------------------------------------ read-only state

    @property
    def exercise(self) -> Exercise:
        return self.session.exercise

    @property
    def trace(self) -> Trace:
        return self.session.trace

    @property
    def cursor(self) -> int:
        return self.session.cursor

    @property
    def granularity(self) -> Granularity:
        return self.session.granularity

    @property
    def node_granularity_allowed(self) -> bool:
        """False when the network is too large to trace node by node (layers are shown)."""
        return self.session.node_granularity_allowed

    @property
    def sample(self) -> int | None:
        return self.session.sample

    @property
    def sample_count(self) -> int:
        return self.session.sample_count

    @property
    def path(self) -> Path | None:
        return self.session.path

    @property
    def history(self) -> TrainingHistory:
        return self.session.history

    @property
    def is_modified(self) -> bool:
        return not self.undo_stack.isClean()

    def current_step(self) -> Step | None:
        """The step under the cursor; None before the first step (see :meth:`rewind`)."""
        return self.session.current_step()

    def known_keys(self) -> set[Key]:
        """Keys computed up to and including the cursor."""
        return self.session.known_keys()

    # ------------------------------------------------------------------ cursor and view

    def set_cursor(self, index: int) -> None:
        self.session.set_cursor(index)

    def rewind(self) -> None:
        """Stand before the first step (cursor −1); see :meth:`Session.rewind`."""
        self.session.rewind()

    def first(self) -> None:
        self.session.first()

    def last(self) -> None:
        self.session.last()

    def next(self) -> None:
        self.session.next()

    def back(self) -> None:
        self.session.back()

    def at_end(self) -> bool:
        return self.session.at_end()

    def set_granularity(self, granularity: Granularity | str) -> None:
        self.session.set_granularity(granularity)

    def set_sample(self, sample: int | None) -> None:
        self.session.set_sample(sample)

    @property
    def hand(self) -> bool:
        return self.session.hand

    def set_hand(self, hand: bool) -> None:
        self.session.set_hand(hand)

    # ------------------------------------------------------------------ editing

    def edit(self, description: str, exercise: Exercise) -> None:
        """One undoable command replacing the exercise (every edit in the app comes here)."""
        self.session.edit(description, exercise)

    def train(self, updates: int) -> TrainingRun:
        """Run ``updates`` gradient-descent updates as one undoable command."""
        return self.session.train(updates)

    def start_training(self, updates: int) -> TrainingSession:
        """``updates`` updates to train a chunk at a time, so the window stays responsive;
        the run's ``finish()`` pushes what it trained as one undoable command."""
        return self.session.start_training(updates)

    def restore_history(self, index: int) -> None:
        """Undoably go back (or forward) to the parameters after ``index`` updates, or after
        the nearest update whose parameters were kept."""
        self.session.restore_history(index)

    def reset(self, exercise: Exercise, path: Path | None = None) -> None:
        """Open another exercise: a fresh history, undo stack, cursor and sample."""
        self.undo_stack.clear()
        self.session.reset(exercise, path)
        self.undo_stack.setClean()
        self.modified_changed.emit(False)

    def set_path(self, path: Path | None) -> None:
        self.session.set_path(path)

    def mark_saved(self, path: Path) -> None:
        self.set_path(path)
        self.undo_stack.setClean()

    # ------------------------------------------------------------------ internals

    def _push(self, description: str, before: State, after: State) -> None:
        self.undo_stack.push(_ReplaceState(self.session, description, before, after))

    def _on_clean_changed(self, clean: bool) -> None:
        self.modified_changed.emit(not clean)
