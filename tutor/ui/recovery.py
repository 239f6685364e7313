"""Autosave to a recovery file, and the offer to restore it after a crash.

While a document has unsaved changes, a timer writes the exercise (with the ordinary atomic
``tutor.exercise.save``) to ``<data>/recovery/<id>.json``; a sidecar ``<id>.meta.json``,
written atomically after it, records the file it came from and when (an autosave whose
sidecar a kill prevented is still offered, as unsaved work).  The first write
comes a few seconds after the first edit, then every 30 s.  Saving, undoing back to the saved
state and a clean close delete the files, so any recovery file found at start-up is work a
crash (or a kill) would otherwise have lost.

A running window holds a lock on ``<id>.lock`` (released by the system when the process
dies), so a second copy of the program never offers, nor deletes, the first one's live
autosave.

``BACKPROP_TUTOR_AUTOSAVE_MS`` overrides the 30 s interval (tests use a short one).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMessageBox, QWidget

from tutor import exercise as exercises
from tutor.exercise import Exercise
from tutor.exercise.atomic import write_atomically
from tutor.exercise.reading import FileRefused, read_bytes

from .document import Document
from .errors import data_dir

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

DEFAULT_INTERVAL_MS = 30_000
FIRST_WRITE_MS = 3_000  # the first autosave after an edit: soon, not a full interval later
INTERVAL_ENV = "BACKPROP_TUTOR_AUTOSAVE_MS"
STALE_SECONDS = 3600  # a temporary file this old was left by a killed write
MAX_META_BYTES = 64 * 1024


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
        for path in (self.exercise_path, self.meta_path, _lock_path(self.exercise_path)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def _meta_path(exercise_path: Path) -> Path:
    return exercise_path.with_name(exercise_path.stem + ".meta.json")


def _lock_path(exercise_path: Path) -> Path:
    return exercise_path.with_name(exercise_path.stem + ".lock")


class _Lock:
    """An exclusive lock on a file for as long as this process lives (``flock``: the system
    drops it when the process dies, however it dies).  Where ``flock`` does not exist the
    lock file holds the process id instead."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._descriptor: int | None = None

    def acquire(self) -> bool:
        if self._descriptor is not None:
            return True
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        if not _try_lock(descriptor):
            os.close(descriptor)
            return False
        os.ftruncate(descriptor, 0)
        os.write(descriptor, str(os.getpid()).encode())
        self._descriptor = descriptor
        return True

    def release(self) -> None:
        if self._descriptor is not None:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            os.close(self._descriptor)
            self._descriptor = None


def _try_lock(descriptor: int) -> bool:
    if fcntl is None:  # no flock: is_live() trusts the process id written in the file
        return True
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def is_live(exercise_path: Path) -> bool:
    """True when another running copy of the program owns this recovery file."""
    try:
        descriptor = os.open(_lock_path(exercise_path), os.O_RDWR)
    except OSError:
        return False  # no lock file: its owner is gone
    try:
        pid = int(os.read(descriptor, 32) or b"0")
        if pid == os.getpid():
            return False  # this process's own (an earlier document of a test, say)
        if fcntl is not None:
            return not _try_lock(descriptor)
        return _process_exists(pid)
    except ValueError:
        return False
    finally:
        os.close(descriptor)  # closing drops the probe's own lock


def _process_exists(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


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
        self._interval = self.timer.interval()
        self._lock: _Lock | None = None
        document.modified_changed.connect(self._on_modified_change)
        if document.is_modified:
            self._start()

    @property
    def folder(self) -> Path:
        return recovery_dir() if self._folder is None else self._folder

    @property
    def recovery_path(self) -> Path:
        return self.folder / f"{self.path_stem}.json"

    def write(self) -> bool:
        """Save the current exercise to the recovery file; False if there was nothing to do."""
        self.timer.setInterval(self._interval)  # after the quick first write
        if not self._document.is_modified:
            return False
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if self._lock is None:
                self._lock = _Lock(_lock_path(self.recovery_path))
            if not self._lock.acquire():
                return False
            original = self._document.path
            meta = {"original": None if original is None else str(original),
                    "saved_at": datetime.now().isoformat(timespec="seconds"),
                    "pid": os.getpid()}
            # both atomic; a kill between them leaves an autosave whose sidecar is missing
            # (offered as unsaved work) or one write behind: never an empty sidecar
            exercises.save(self._document.exercise, self.recovery_path, replace_read_only=True)
            write_atomically(_meta_path(self.recovery_path), json.dumps(meta))
        except (ValueError, OSError):  # ExerciseError, text that is not Unicode, a full disk
            return False  # autosave is best effort; the next tick tries again
        return True

    def clear(self) -> None:
        self.timer.stop()
        Recovery(self.recovery_path, None, datetime.now()).discard()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _start(self) -> None:
        self.timer.start(min(FIRST_WRITE_MS, self._interval))

    def _on_modified_change(self, modified: bool) -> None:
        if modified:
            self._start()
        else:
            self.clear()


def find_recoveries(folder: Path | None = None) -> list[Recovery]:
    """Recovery files on disk, newest first.  Files whose sidecar is unreadable are skipped,
    and so are those a running copy of the program still owns."""
    folder = recovery_dir() if folder is None else folder
    if not folder.is_dir():
        return []
    clean_stale_temporaries(folder)
    found = []
    for exercise_path in folder.glob("*.json"):
        if exercise_path.name.endswith(".meta.json") or is_live(exercise_path):
            continue
        meta_path = _meta_path(exercise_path)
        try:
            if meta_path.exists():
                meta = json.loads(read_bytes(meta_path, MAX_META_BYTES).decode("utf-8"))
                saved_at = datetime.fromisoformat(meta["saved_at"])
                original = Path(meta["original"]) if meta.get("original") else None
            else:  # killed between the autosave and its sidecar
                saved_at = datetime.fromtimestamp(exercise_path.stat().st_mtime)
                original = None
        except (FileRefused, OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
        if exercise_path.is_file():
            found.append(Recovery(exercise_path, original, saved_at))
    return sorted(found, key=lambda r: r.saved_at, reverse=True)


def clean_stale_temporaries(folder: Path, age: float = STALE_SECONDS) -> list[Path]:
    """Delete the temporary files killed writes left in ``folder`` (``.name.XXXX.tmp``)."""
    removed = []
    now = time.time()
    for path in folder.glob(".*.tmp"):
        with contextlib.suppress(OSError):
            if now - path.stat().st_mtime > age:
                path.unlink()
                removed.append(path)
    return removed


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
        except Exception:  # an unreadable recovery must not stop the start
            recovery.discard()
            continue
        recovery.discard()  # the window's own autosaver takes over from here
        return True
    return False
