"""Autosave to a recovery file, and the offer to restore it after a crash.

While a document has unsaved changes, a timer writes the exercise (with the ordinary atomic
``tutor.exercise.save``) to ``<data>/recovery/<id>.json``; a sidecar ``<id>.meta.json``
records the file it came from and when.  Saving, undoing back to the saved state and a clean
close delete both files, so any recovery file found at start-up is work a crash (or a kill)
would otherwise have lost.

``BACKPROP_TUTOR_AUTOSAVE_MS`` overrides the 30 s interval (tests use a short one).
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMessageBox, QWidget

from tutor import exercise as exercises
from tutor.exercise import Exercise

from .document import Document
from .errors import data_dir

DEFAULT_INTERVAL_MS = 30_000
INTERVAL_ENV = "BACKPROP_TUTOR_AUTOSAVE_MS"


def recovery_dir() -> Path:
    return data_dir() / "recovery"


def autosave_interval_ms() -> int:
    try:
        return max(1, int(os.environ.get(INTERVAL_ENV, DEFAULT_INTERVAL_MS)))
    except ValueError:
        return DEFAULT_INTERVAL_MS


@dataclass(frozen=True)
class Recovery:
    """One recovery file found on disk."""

    exercise_path: Path
    original: Path | None  # the file the work belongs to, None for an unsaved document
    saved_at: datetime

    @property
    def meta_path(self) -> Path:
        return _meta_path(self.exercise_path)

    def load(self) -> Exercise:
        return exercises.load(self.exercise_path)

    def discard(self) -> None:
        for path in (self.exercise_path, self.meta_path):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def _meta_path(exercise_path: Path) -> Path:
    return exercise_path.with_name(exercise_path.stem + ".meta.json")


class Autosaver(QObject):
    """Writes one document's unsaved work to its own recovery file every ``interval_ms``."""

    def __init__(self, document: Document, parent: QObject | None = None,
                 interval_ms: int | None = None, folder: Path | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self._folder = folder
        self.path_stem = uuid.uuid4().hex
        self.timer = QTimer(self)
        self.timer.setInterval(autosave_interval_ms() if interval_ms is None else interval_ms)
        self.timer.timeout.connect(self.write)
        document.modified_changed.connect(self._on_modified_change)
        if document.is_modified:
            self.timer.start()

    @property
    def folder(self) -> Path:
        return recovery_dir() if self._folder is None else self._folder

    @property
    def recovery_path(self) -> Path:
        return self.folder / f"{self.path_stem}.json"

    def write(self) -> bool:
        """Save the current exercise to the recovery file; False if there was nothing to do."""
        if not self._document.is_modified:
            return False
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            exercises.save(self._document.exercise, self.recovery_path)
            original = self._document.path
            meta = {"original": None if original is None else str(original),
                    "saved_at": datetime.now().isoformat(timespec="seconds")}
            _meta_path(self.recovery_path).write_text(json.dumps(meta), encoding="utf-8")
        except (exercises.ExerciseError, OSError):
            return False  # autosave is best effort; the next tick tries again
        return True

    def clear(self) -> None:
        self.timer.stop()
        Recovery(self.recovery_path, None, datetime.now()).discard()

    def _on_modified_change(self, modified: bool) -> None:
        if modified:
            self.timer.start()
        else:
            self.clear()


def find_recoveries(folder: Path | None = None) -> list[Recovery]:
    """Recovery files on disk, newest first; files without a readable sidecar are skipped."""
    folder = recovery_dir() if folder is None else folder
    found = []
    for meta_path in folder.glob("*.meta.json") if folder.is_dir() else ():
        exercise_path = meta_path.with_name(meta_path.name.removesuffix(".meta.json") + ".json")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            saved_at = datetime.fromisoformat(meta["saved_at"])
            original = Path(meta["original"]) if meta.get("original") else None
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if exercise_path.is_file():
            found.append(Recovery(exercise_path, original, saved_at))
    return sorted(found, key=lambda r: r.saved_at, reverse=True)


def ask_restore(parent: QWidget | None, recovery: Recovery) -> bool:
    """The question at start-up (replaced in tests)."""
    when = recovery.saved_at.strftime("%Y-%m-%d %H:%M")
    name = recovery.original.name if recovery.original else "an unsaved exercise"
    answer = QMessageBox.question(
        parent, "Restore unsaved work",
        f"Restore unsaved work from {when}?\n({name}; the program did not close cleanly.)",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Discard,
        QMessageBox.StandardButton.Yes)
    return answer == QMessageBox.StandardButton.Yes


def restore(document: Document, recovery: Recovery) -> None:
    """Open the recovered exercise as modified: the title shows ``*`` until it is saved."""
    document.reset(recovery.load(), recovery.original)
    document.undo_stack.resetClean()  # no state of the stack matches the file on disk


def offer_recovery(document: Document, parent: QWidget | None = None,
                   folder: Path | None = None) -> bool:
    """Ask about each recovery file, newest first; the first accepted one is opened.

    Declined (and unreadable) files are deleted; once one is restored, older ones stay for
    the next start.  True when something was restored.
    """
    for recovery in find_recoveries(folder):
        if not ask_restore(parent, recovery):
            recovery.discard()
            continue
        try:
            restore(document, recovery)
        except (exercises.ExerciseError, OSError):
            recovery.discard()
            continue
        recovery.discard()  # the window's own autosaver takes over from here
        return True
    return False
