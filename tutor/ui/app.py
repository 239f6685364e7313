"""Starting the desktop app: ``python -m tutor [FILE] [--screenshot OUT.png] [--size WxH]``.

With ``--screenshot`` the window is shown, optionally trained (``--train N``), the cursor
optionally moved (``--step N``), the window grabbed to a PNG and the app quits: used for
the README pictures (docs/images/make.sh) and in tests.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import sys
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from tutor import exercise as exercises
from tutor.desktop import APP_ID, icon_path
from tutor.exercise import Exercise
from tutor.exercise.library import find

from . import errors, first_run, recovery, settings
from .document import Document
from .files import describe, starter_exercise
from .help import offer_welcome
from .main_window import MainWindow

# Set by tests/ui/test_recovery.py to leave an unsaved edit that the autosave must keep.
TEST_EDIT_ENV = "BACKPROP_TUTOR_TEST_EDIT"


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, e.g. 1920x1080, "
                                         f"not {text!r}") from None
    if width < 200 or height < 200:
        raise argparse.ArgumentTypeError("the window must be at least 200×200")
    return width, height


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="backprop-tutor",
                                     description="Step through backpropagation.")
    parser.add_argument("file", nargs="?", type=Path, help="an exercise file (.json)")
    parser.add_argument("--screenshot", type=Path, metavar="OUT.png",
                        help="save a picture of the window and quit")
    parser.add_argument("--size", type=_size, metavar="WxH", help="window size, e.g. 1920x1080")
    parser.add_argument("--step", type=int, default=None, metavar="N",
                        help="move the cursor to step N (1-based) before the picture")
    parser.add_argument("--presentation", action="store_true",
                        help="enter presentation mode (F5) first")
    parser.add_argument("--train", type=int, default=0, metavar="N",
                        help="run N gradient-descent updates first (network exercises)")
    return parser.parse_args(argv)


def _initial_exercise(file: Path | None) -> tuple[Exercise, Path | None, str]:
    """The exercise to open, its path, and a message when FILE could not be read."""
    message = ""
    if file is not None:
        try:
            file = find(file)  # "backprop-tutor xor" opens the bundled exercise
            return exercises.load(file), file, ""
        except Exception as error:  # any failure: a message, never an app that dies
            message = f"Cannot open {file}: {describe(error)}\n{INSTEAD}"
    try:
        return exercises.load(exercises.default_path()), None, message
    except Exception as error:
        return starter_exercise(), None, (message + f"\nThe default exercise is missing: "
                                                    f"{describe(error)}").strip()


INSTEAD = "Showing the default exercise instead."


def _window(file: Path | None) -> tuple[MainWindow, Exercise, Path | None, str]:
    """The main window on FILE, or on the default exercise when FILE cannot be shown."""
    exercise, path, message = _initial_exercise(file)
    try:
        return MainWindow(Document(exercise, path)), exercise, path, message
    except Exception as error:
        if path is None:
            raise  # the default exercise itself: a bug, not a file to refuse
        message = f"Cannot show {path}: {describe(error)}\n{INSTEAD}"
    exercise, _, missing = _initial_exercise(None)
    message = f"{message}\n{missing}".strip()
    return MainWindow(Document(exercise, None)), exercise, None, message


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication([sys.argv[0]])
    app.setOrganizationName(settings.ORGANIZATION)
    app.setApplicationName(settings.APPLICATION)
    app.setDesktopFileName(APP_ID)  # Wayland matches the window to its menu entry and icon
    app.setWindowIcon(QIcon(str(icon_path())))
    window, exercise, path, message = _window(args.file)
    if path is not None:
        settings.add_recent_file(path)
    if args.size:
        window.resize(*args.size)
        first_run.share_docks(window)
    if args.train > 0 and window.document.sample_count:
        window.document.train(args.train)
    if args.step is not None:
        window.document.set_cursor(args.step - 1)
    if args.presentation:
        window.presentation.enter()
        if args.size:  # a projector of this size, whatever the screen running it (offscreen: 800²)
            window.setWindowState(window.windowState() & ~Qt.WindowState.WindowFullScreen)
            window.resize(*args.size)
    if message:
        print(message, file=sys.stderr)
        window.statusBar().showMessage(message.splitlines()[0], 15000)
    if args.screenshot:
        return _screenshot(app, window, args.screenshot)
    errors.install_exception_hook(lambda: window)
    recovery.offer_recovery(window.document, window)
    if os.environ.get(TEST_EDIT_ENV):  # tests only: unsaved work for the crash test
        window.document.edit("Test edit", dataclasses.replace(exercise, title="Unsaved edit"))
    if args.size or window.restored:
        window.show()
    else:
        first_run.fill_screen(window)  # the whole screen (or projector), docks to scale
    if message:
        QTimer.singleShot(0, lambda: QMessageBox.warning(window, "Cannot open the file", message))
    offer_welcome(window, opened_file=args.file is not None)  # first start only
    freeze_startup_objects()
    return app.exec()


def freeze_startup_objects() -> None:
    """Leave what exists now (modules, widgets, the first document) out of garbage collection.

    They live as long as the app, yet every full collection walked them all: about 60 ms,
    every few dozen edits of a large network or every few thousand updates of a Run.
    Objects freed later by their reference count are still freed.
    """
    gc.collect()
    gc.freeze()


def _screenshot(app: QApplication, window: MainWindow, out: Path) -> int:
    window.show()
    for _ in range(5):  # let layouts and the diagrams settle
        app.processEvents()
    ok = window.grab().save(str(out))
    window.hide()
    window.deleteLater()
    app.processEvents()
    if not ok:
        print(f"Could not write {out}", file=sys.stderr)
        return 1
    return 0
