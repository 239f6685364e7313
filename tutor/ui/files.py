"""The File menu: New, Open, Save, Save As, Open Recent and the bundled Examples.

Reading and writing go through ``tutor.exercise`` (the only code that knows the format);
this controller decides when to ask about unsaved changes and reports errors as messages,
never as tracebacks.  The dialogs sit behind small methods so tests can replace them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from tutor import exercise as exercises
from tutor.engine import (
    Activation,
    Dataset,
    Layer,
    Network,
    NetworkProblem,
    random_parameters,
)
from tutor.exercise import Exercise

from . import errors, settings
from .actions import make_action
from .document import Document

FILE_FILTER = "Backprop Tutor exercises (*.json);;All files (*)"


def starter_exercise() -> Exercise:
    """What File ▸ New makes: two inputs, two sigmoid neurons, one linear output."""
    network = Network(2, (Layer(2, Activation("sigmoid")), Layer(1)))
    params = random_parameters(network, seed=1)
    data = Dataset(np.array([[1.0, 0.5]]), np.array([[1.0]]))
    return Exercise("Untitled network", NetworkProblem(network, params, data),
                    description="A small network to experiment with.")


def is_bundled(path: Path | None) -> bool:
    """Bundled examples are read-only: saving them goes through Save As."""
    if path is None:
        return False
    return any(Path(path).resolve() == e.path.resolve() for e in exercises.bundled())


def describe(error: BaseException) -> str:
    """A file error as the user reads it; anything unexpected also names its type and goes
    to the log with its traceback."""
    if isinstance(error, exercises.ExerciseError | OSError):
        return str(error)
    errors.append_to_log(errors.default_log_dir(),
                         errors.format_exception(type(error), error, error.__traceback__))
    return f"{type(error).__name__}: {error}"[:500]


class FileController(QObject):
    """Owns the file actions and menus for one document."""

    message = Signal(str)  # a short status line ("Saved cmu.json")

    def __init__(self, document: Document, window: QWidget) -> None:
        super().__init__(window)
        self._document = document
        self._window = window
        self.new_action = make_action(self, "action_new", "&New", "New small network",
                                      (QKeySequence.StandardKey.New,))
        self.open_action = make_action(self, "action_open", "&Open…", "Open an exercise file",
                                       (QKeySequence.StandardKey.Open,))
        self.save_action = make_action(self, "action_save", "&Save", "Save the exercise",
                                       (QKeySequence.StandardKey.Save,))
        self.save_as_action = make_action(self, "action_save_as", "Save &As…",
                                          "Save the exercise under a new name",
                                          (QKeySequence.StandardKey.SaveAs,))
        self.new_action.triggered.connect(self.new)
        self.open_action.triggered.connect(self.open_dialog)
        self.save_action.triggered.connect(self.save)
        self.save_as_action.triggered.connect(self.save_as)
        self.recent_menu = QMenu("Open &Recent", window)
        self.recent_menu.setObjectName("menu_recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.examples_menu = QMenu("E&xamples", window)
        self.examples_menu.setObjectName("menu_examples")
        self._fill_examples()
        self._fill_recent()

    # -- opening

    def new(self) -> None:
        if self.maybe_save():
            self._document.reset(starter_exercise(), None)
            self.message.emit("New network")

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        path = self._choose_open_path()
        if path is not None:
            self.open_path(path, ask=False)

    def open_path(self, path: Path | str, ask: bool = True) -> bool:
        """Open ``path``; a file that cannot be read leaves the document as it was."""
        if ask and not self.maybe_save():
            return False
        path = Path(path)
        before = self._document.exercise, self._document.path
        try:
            exercise = exercises.load(path)
            self._document.reset(exercise, None if is_bundled(path) else path)
        except Exception as error:  # any failure is a message; the app and the work stay
            self._show_error("Cannot open the exercise", f"{path.name}: {describe(error)}")
            if self._document.exercise is not before[0]:
                self._document.reset(*before)
            return False
        if not is_bundled(path):
            settings.add_recent_file(path)
        self.message.emit(f"Opened {exercise.title}")
        return True

    # -- saving

    def save(self) -> bool:
        path = self._document.path
        if path is None or is_bundled(path):
            return self.save_as()
        return self._write(path)

    def save_as(self) -> bool:
        path = self._choose_save_path()
        return False if path is None else self._write(path)

    def _write(self, path: Path) -> bool:
        path = Path(path)
        if not path.suffix:
            path = path.with_suffix(".json")
        try:
            try:
                dropped = exercises.save(self._document.exercise, path)
            except exercises.ReadOnlyTarget:
                if not self._ask_replace_read_only(path):
                    return False
                dropped = exercises.save(self._document.exercise, path, replace_read_only=True)
        except Exception as error:  # any failure is a message; the work stays open
            self._show_error("Cannot save the exercise", f"{path.name}: {describe(error)}")
            return False
        self._document.mark_saved(path)
        settings.add_recent_file(path)
        self.message.emit(f"Saved {path.name}")
        if dropped:
            ids = ", ".join(q.id for q in dropped)
            self._show_error("Some questions were not saved",
                             f"{len(dropped)} question(s) no longer match the edited exercise "
                             f"(their node or sample is gone) and were left out of "
                             f"{path.name}: {ids}")
        return True

    def maybe_save(self) -> bool:
        """True when it is fine to replace the document (saved, discarded or unmodified)."""
        if not self._document.is_modified:
            return True
        answer = self._ask_save()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    # -- dialogs (replaced in tests)

    def _ask_save(self) -> QMessageBox.StandardButton:
        buttons = (QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                   | QMessageBox.StandardButton.Cancel)
        return QMessageBox.question(
            self._window, "Unsaved changes",
            f"“{self._document.exercise.title}” has unsaved changes. Save them?",
            buttons, QMessageBox.StandardButton.Save)

    def _ask_replace_read_only(self, path: Path) -> bool:
        answer = QMessageBox.question(
            self._window, "Replace a read-only file?",
            f"{path.name} is read-only. Replace it anyway?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def _choose_open_path(self) -> Path | None:
        start = str(self._document.path.parent) if self._document.path else ""
        name, _ = QFileDialog.getOpenFileName(self._window, "Open exercise", start, FILE_FILTER)
        return Path(name) if name else None

    def _choose_save_path(self) -> Path | None:
        path = self._document.path
        start = str(path) if path and not is_bundled(path) else ""
        name, _ = QFileDialog.getSaveFileName(self._window, "Save exercise", start, FILE_FILTER)
        return Path(name) if name else None

    def _show_error(self, title: str, message: str) -> None:
        self.message.emit(message)
        QMessageBox.warning(self._window, title, message)

    # -- menus

    def _fill_examples(self) -> None:
        for example in exercises.bundled():
            action = QAction(example.shown_title, self.examples_menu)
            action.setObjectName(f"action_example_{example.name}")
            action.setToolTip(f"Open the bundled example “{example.shown_title}”")
            action.triggered.connect(lambda _=False, p=example.path: self.open_path(p))
            self.examples_menu.addAction(action)
        if self.examples_menu.isEmpty():
            self.examples_menu.addAction("(no examples found)").setEnabled(False)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for n, path in enumerate(settings.recent_files()):
            action = self.recent_menu.addAction(f"&{n + 1} {path.name}")
            action.setObjectName(f"action_recent_{n + 1}")
            action.setToolTip(str(path))
            action.triggered.connect(lambda _=False, p=path: self.open_path(p))
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("(none)").setEnabled(False)
            return
        self.recent_menu.addSeparator()
        clear = self.recent_menu.addAction("Clear list")
        clear.setObjectName("action_clear_recent")
        clear.triggered.connect(settings.clear_recent_files)
