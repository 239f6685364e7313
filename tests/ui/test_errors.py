"""The global exception hook: an error in a slot is logged and shown, and the app lives on."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tutor.ui import errors
from tutor.ui.document import Document
from tutor.ui.main_window import MainWindow


class Boom(RuntimeError):
    pass


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, Path | None]]:
    """Replaces the modal dialog with a recorder."""
    calls: list[tuple[str, str, Path | None]] = []
    monkeypatch.setattr(errors, "show_error_dialog",
                        lambda parent, summary, details, log: calls.append((summary, details,
                                                                            log)))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    return calls


@pytest.mark.qt_no_exception_capture
def test_an_error_in_a_slot_is_logged_shown_and_survived(qtbot, cmu, tmp_path: Path,
                                                         shown) -> None:
    window = MainWindow(Document(cmu))
    qtbot.addWidget(window)
    window.show()
    errors.install_exception_hook(lambda: window, tmp_path / "logs")

    def broken_slot(index: int) -> None:
        raise Boom(f"cannot draw step {index}")

    window.document.cursor_changed.connect(broken_slot)
    window.document.next()  # a real signal delivers to the broken slot

    log = (tmp_path / "logs" / errors.LOG_NAME).read_text(encoding="utf-8")
    assert "Boom: cannot draw step 1" in log
    assert "broken_slot" in log  # the whole traceback, not just the message
    assert len(shown) == 1
    summary, details, log_path = shown[0]
    assert summary == "An unexpected error occurred: Boom: cannot draw step 1"
    assert "Traceback" in details and "broken_slot" in details
    assert log_path == tmp_path / "logs" / errors.LOG_NAME

    window.document.cursor_changed.disconnect(broken_slot)
    window.document.next()
    assert window.document.cursor == 2  # the window still steps
    assert window.isVisible()


def test_the_log_appends_one_entry_per_error(tmp_path: Path, shown) -> None:
    hook = errors.install_exception_hook(lambda: None, tmp_path)
    assert sys.excepthook is hook
    for n in range(2):
        try:
            raise ValueError(f"error {n}")
        except ValueError as error:
            hook(type(error), error, error.__traceback__)
    log = (tmp_path / errors.LOG_NAME).read_text(encoding="utf-8")
    assert log.count("Traceback") == 2
    assert log.index("error 0") < log.index("error 1")
    assert [summary for summary, _, _ in shown] == [
        "An unexpected error occurred: ValueError: error 0",
        "An unexpected error occurred: ValueError: error 1"]


def test_an_unwritable_log_still_shows_the_dialog(tmp_path: Path, shown) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the log folder should be", encoding="utf-8")
    hook = errors.install_exception_hook(lambda: None, blocker / "logs")
    error = KeyError("w3")
    hook(KeyError, error, None)
    assert shown == [("An unexpected error occurred: KeyError: 'w3'",
                      "KeyError: 'w3'\n", None)]


def test_the_default_log_lives_in_the_app_data_folder() -> None:
    folder = errors.default_log_dir()
    assert folder.name == "logs"
    assert folder.parent == errors.data_dir()
