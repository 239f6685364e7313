"""Autosave to a recovery file, and the restore offer at the next start."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from tutor.exercise import Exercise, dumps, load, save
from tutor.ui import recovery
from tutor.ui.document import Document
from tutor.ui.main_window import MainWindow
from tutor.ui.recovery import Autosaver


def _edited(exercise: Exercise) -> Exercise:
    return dataclasses.replace(exercise, title="Edited before the crash")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "recovery"


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[recovery.Recovery]:
    """The restore question answers Yes and records what it was asked about."""
    questions: list[recovery.Recovery] = []

    def answer_yes(parent, found: recovery.Recovery) -> bool:
        questions.append(found)
        return True

    monkeypatch.setattr(recovery, "ask_restore", answer_yes)
    return questions


def _window(qtbot, document: Document, monkeypatch: pytest.MonkeyPatch) -> MainWindow:
    """A window whose close discards unsaved changes instead of asking."""
    window = MainWindow(document)
    qtbot.addWidget(window)
    monkeypatch.setattr(window.files, "_ask_save", lambda: QMessageBox.StandardButton.Discard)
    return window


def _autosaved(qtbot, cmu: Exercise, folder: Path, path: Path | None = None) -> Autosaver:
    document = Document(cmu, path)
    autosaver = Autosaver(document, interval_ms=5, folder=folder)
    assert not autosaver.timer.isActive()  # nothing unsaved, nothing to autosave
    document.edit("Rename", _edited(cmu))
    with qtbot.waitSignal(autosaver.timer.timeout):
        pass
    return autosaver


def test_the_timer_writes_the_edit_to_a_recovery_file(qtbot, cmu, folder: Path) -> None:
    autosaver = _autosaved(qtbot, cmu, folder, Path("/lectures/cmu.json"))
    assert autosaver.recovery_path.parent == folder
    assert dumps(load(autosaver.recovery_path)) == dumps(_edited(cmu))
    [found] = recovery.find_recoveries(folder)
    assert found.exercise_path == autosaver.recovery_path
    assert found.original == Path("/lectures/cmu.json")


def test_a_new_start_offers_and_restores_the_edit_as_modified(qtbot, cmu, folder: Path,
                                                              asked, monkeypatch) -> None:
    original = folder.parent / "cmu.json"
    save(cmu, original)
    _autosaved(qtbot, cmu, folder, original)  # ... and then the program is killed

    window = _window(qtbot, Document(load(original), original), monkeypatch)
    assert recovery.offer_recovery(window.document, window, folder)
    assert [r.original for r in asked] == [original]
    assert window.document.exercise.title == "Edited before the crash"
    assert window.document.path == original
    assert window.document.is_modified
    assert window.isWindowModified()
    assert window.windowTitle().startswith("cmu.json[*]")  # Qt shows [*] as "*"
    assert recovery.find_recoveries(folder) == []  # the restored file is consumed


def test_declining_discards_the_recovery_file(qtbot, cmu, folder: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _autosaved(qtbot, cmu, folder)
    monkeypatch.setattr(recovery, "ask_restore", lambda parent, found: False)
    document = Document(cmu)
    assert not recovery.offer_recovery(document, None, folder)
    assert document.exercise is cmu and not document.is_modified
    assert list(folder.iterdir()) == []


def test_saving_clears_the_recovery_file(qtbot, cmu, folder: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    autosaver = _autosaved(qtbot, cmu, folder)
    assert autosaver.recovery_path.is_file()
    window = _window(qtbot, autosaver._document, monkeypatch)
    assert window.files._write(tmp_path / "saved.json")
    assert not autosaver.recovery_path.exists()
    assert list(folder.iterdir()) == []
    assert not autosaver.timer.isActive()


def test_undo_to_the_saved_state_clears_it_too(qtbot, cmu, folder: Path) -> None:
    autosaver = _autosaved(qtbot, cmu, folder)
    autosaver._document.undo_stack.undo()
    assert not autosaver._document.is_modified
    assert list(folder.iterdir()) == []
    assert not autosaver.write()  # nothing unsaved: nothing written
    assert list(folder.iterdir()) == []


def test_a_broken_sidecar_is_skipped(folder: Path, cmu) -> None:
    folder.mkdir()
    save(cmu, folder / "abc.json")
    (folder / "abc.meta.json").write_text("{not json", encoding="utf-8")
    assert recovery.find_recoveries(folder) == []


def test_the_interval_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(recovery.INTERVAL_ENV, "250")
    assert recovery.autosave_interval_ms() == 250
    monkeypatch.setenv(recovery.INTERVAL_ENV, "soon")
    assert recovery.autosave_interval_ms() == recovery.DEFAULT_INTERVAL_MS
    monkeypatch.delenv(recovery.INTERVAL_ENV)
    assert recovery.autosave_interval_ms() == 30_000


def test_app_start_offers_the_recovery_and_opens_it_modified(
        qtbot, cmu, folder: Path, asked, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QApplication

    from tutor.ui import app, errors

    _autosaved(qtbot, cmu, folder)  # an unsaved document, then a crash
    monkeypatch.setattr(recovery, "recovery_dir", lambda: folder)
    monkeypatch.setattr(errors, "install_exception_hook", lambda getter, log_dir=None: None)
    windows: list[MainWindow] = []

    def recorded_window(document: Document) -> MainWindow:
        window = MainWindow(document)
        qtbot.addWidget(window)
        monkeypatch.setattr(window.files, "_ask_save",
                            lambda: QMessageBox.StandardButton.Discard)
        windows.append(window)
        return window

    def run_instead_of_exec(qapp) -> int:
        windows[0].close()  # the user quits straight away
        return 0

    monkeypatch.setattr(app, "MainWindow", recorded_window)
    monkeypatch.setattr(QApplication, "exec", run_instead_of_exec)
    assert app.main(["--size", "800x600"]) == 0
    assert len(asked) == 1 and asked[0].original is None
    [window] = windows
    assert window.document.exercise.title == "Edited before the crash"
    assert window.isWindowModified()
    assert list(folder.iterdir()) == []  # restored, then closed cleanly


def test_a_killed_app_leaves_a_recovery_file_the_next_start_offers(
        qtbot, tmp_path: Path, asked, monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import signal
    import subprocess
    import sys

    from tutor.ui import app

    data = tmp_path / "data"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_DATA_HOME": str(data),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), recovery.INTERVAL_ENV: "20",
           app.TEST_EDIT_ENV: "1"}
    child = subprocess.Popen([sys.executable, "-m", "tutor", "--size", "800x600"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        qtbot.waitUntil(lambda: any(data.rglob("recovery/*.meta.json")), timeout=30_000)
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL
    [folder] = {meta.parent for meta in data.rglob("recovery/*.meta.json")}
    [found] = recovery.find_recoveries(folder)
    assert found.original is None
    assert found.load().title == "Unsaved edit"

    document = Document(load(found.exercise_path))  # any exercise: the next start
    document.reset(dataclasses.replace(document.exercise, title="Fresh start"))
    assert recovery.offer_recovery(document, None, folder)
    assert [r.exercise_path for r in asked] == [found.exercise_path]
    assert document.exercise.title == "Unsaved edit" and document.is_modified


def test_the_question_names_the_time_and_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import datetime

    texts: list[str] = []

    def question(parent, title, text, buttons, default):
        texts.append(text)
        return QMessageBox.StandardButton.Discard

    monkeypatch.setattr(QMessageBox, "question", question)
    found = recovery.Recovery(Path("r.json"), Path("/lectures/cmu.json"),
                              datetime(2026, 11, 23, 11, 5))
    assert not recovery.ask_restore(None, found)
    assert texts[0].startswith("Restore unsaved work from 2026-11-23 11:05?\n(cmu.json;")
