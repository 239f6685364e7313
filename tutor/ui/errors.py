"""A last line of defence: an unexpected exception in a slot is logged and shown, not fatal.

PySide6 passes exceptions raised in slots to ``sys.excepthook``; the default hook prints
them and, in some setups, the app quits.  The hook installed here appends the traceback to
a log file, shows a short message with the traceback under "Show Details…", and returns so
the event loop keeps running.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QMessageBox, QWidget

LOG_NAME = "backprop-tutor.log"

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], None]


def data_dir() -> Path:
    """The user's data folder for this app (a private folder when tests enable test mode)."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(location) if location else Path.home() / ".backprop-tutor"


def default_log_dir() -> Path:
    return data_dir() / "logs"


def format_exception(kind: type[BaseException], error: BaseException,
                     tb: TracebackType | None) -> str:
    return "".join(traceback.format_exception(kind, error, tb))


def append_to_log(log_dir: Path, details: str) -> Path | None:
    """Append one dated entry; None when the log cannot be written (never raise from here)."""
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        path = log_dir / LOG_NAME
        with path.open("a", encoding="utf-8") as log:
            log.write(f"--- {datetime.now().isoformat(timespec='seconds')}\n{details}\n")
        return path
    except OSError:
        return None


def show_error_dialog(parent: QWidget | None, summary: str, details: str,
                      log_path: Path | None) -> None:
    """A short message; the traceback stays behind "Show Details…"."""
    box = QMessageBox(QMessageBox.Icon.Critical, "Something went wrong", summary,
                      QMessageBox.StandardButton.Ok, parent)
    where = f"The details were saved to {log_path}." if log_path else ""
    box.setInformativeText("Your work is still open; saving it now is a good idea. " + where)
    box.setDetailedText(details)
    box.exec()


def install_exception_hook(parent_getter: Callable[[], QWidget | None],
                           log_dir: Path | None = None) -> ExceptHook:
    """Replace ``sys.excepthook``; returns the hook (tests call it directly)."""
    folder = default_log_dir() if log_dir is None else Path(log_dir)

    def hook(kind: type[BaseException], error: BaseException,
             tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        details = format_exception(kind, error, tb)
        print(details, file=sys.stderr)
        log_path = append_to_log(folder, details)
        summary = f"An unexpected error occurred: {kind.__name__}: {error}".strip()
        try:
            show_error_dialog(parent_getter(), summary[:300], details, log_path)
        except Exception:  # a failing dialog must not raise inside the hook
            print("Could not show the error dialog", file=sys.stderr)

    sys.excepthook = hook
    return hook
