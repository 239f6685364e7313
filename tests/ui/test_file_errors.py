"""Every File action and the start-up show a message and keep the app (and the work) alive,
whatever goes wrong; saving asks before replacing a read-only file."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from tutor import exercise as exercises
from tutor.engine import Quantity
from tutor.exercise import Exercise, Question, load, save
from tutor.ui import app, files
from tutor.ui.document import Document
from tutor.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, cmu: Exercise, monkeypatch) -> MainWindow:
    window = MainWindow(Document(cmu))
    qtbot.addWidget(window)
    monkeypatch.setattr(window.files, "_ask_save", lambda: QMessageBox.StandardButton.Discard)
    return window


@pytest.fixture
def warnings(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning",
                        lambda parent, title, text, *rest: shown.append(f"{title}: {text}"))
    return shown


def test_an_unexpected_error_while_opening_is_a_message(window, warnings, monkeypatch,
                                                        tmp_path: Path) -> None:
    def broken(path):
        raise RuntimeError("the loader has a bug")

    monkeypatch.setattr(exercises, "load", broken)
    before = window.document.exercise
    assert not window.files.open_path(tmp_path / "any.json")
    assert warnings == ["Cannot open the exercise: any.json: RuntimeError: the loader has a bug"]
    assert window.document.exercise is before


def test_an_unexpected_error_while_saving_is_a_message(window, warnings, monkeypatch,
                                                       tmp_path: Path) -> None:
    def broken(exercise, path, **options):
        raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")

    monkeypatch.setattr(exercises, "save", broken)
    assert not window.files._write(tmp_path / "out.json")
    assert len(warnings) == 1 and warnings[0].startswith(
        "Cannot save the exercise: out.json: UnicodeEncodeError: ")


@pytest.mark.parametrize(("answer", "title"), [(QMessageBox.StandardButton.Cancel, "Old"),
                                               (QMessageBox.StandardButton.Yes, "New")])
def test_saving_over_a_read_only_file_asks_first(window, warnings, monkeypatch, cmu,
                                                 tmp_path: Path, answer, title) -> None:
    path = tmp_path / "locked.json"
    save(dataclasses.replace(cmu, title="Old"), path)
    path.chmod(0o444)
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda parent, caption, text, *rest: asked.append(text) or answer)
    window.document.edit("Rename", dataclasses.replace(cmu, title="New"))
    assert window.files._write(path) == (title == "New")
    assert asked == ["locked.json is read-only. Replace it anyway?"]
    assert load(path).title == title
    assert window.document.is_modified == (title == "Old")


def test_questions_that_no_longer_fit_are_reported_on_save(window, warnings, cmu,
                                                           tmp_path: Path) -> None:
    lost = Question(id="gone", prompt="?", quantity=Quantity.VALUE, node="z9[0]")
    window.document.edit("Add", dataclasses.replace(cmu, questions=(*cmu.questions, lost)))
    assert window.files._write(tmp_path / "q.json")
    assert warnings == ["Some questions were not saved: 1 question(s) no longer match the "
                        "edited exercise (their node or sample is gone) and were left out of "
                        "q.json: gone"]


def crafted(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["deep", "surrogate", "float size", "fifo", "bug"])
def test_start_up_on_a_hostile_file_shows_the_default_and_a_message(
        qtbot, tmp_path, monkeypatch, capsys, kind) -> None:
    from tutor.exercise import default_path

    doc = json.loads(default_path().read_text(encoding="utf-8"))
    if kind == "deep":
        path = crafted(tmp_path, "deep.json", "[" * 5000 + "]" * 5000)
    elif kind == "surrogate":
        path = crafted(tmp_path, "s.json", json.dumps(doc).replace('"title": "',
                                                                   '"title": "\\ud800', 1))
    elif kind == "float size":
        doc["network"]["layers"][0]["size"] = 2.0
        path = crafted(tmp_path, "f.json", json.dumps(doc))
    elif kind == "fifo":
        import os

        path = tmp_path / "pipe.json"
        os.mkfifo(path)
    else:
        path = crafted(tmp_path, "ok.json", json.dumps(doc))

        def broken_window(document):
            if document.path is not None:
                raise MemoryError("the trace is too large")
            window = MainWindow(document)
            qtbot.addWidget(window)
            return window

        monkeypatch.setattr(app, "MainWindow", broken_window)
    shown: list[MainWindow] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: None)
    monkeypatch.setattr(app.errors, "install_exception_hook", lambda *args, **kw: None)
    monkeypatch.setattr(app.recovery, "offer_recovery", lambda *args: False)

    def run_instead_of_exec(qapp) -> int:
        shown.extend(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
        for window in shown:
            window.document.undo_stack.setClean()
            window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", run_instead_of_exec)
    assert app.main([str(path), "--size", "800x600"]) == 0
    error = capsys.readouterr().err
    assert "Showing the default exercise instead." in error and "Traceback" not in error
    assert ("MemoryError: the trace is too large" in error) == (kind == "bug")
    assert any(w.document.path is None for w in shown)


def test_describe_names_the_type_of_an_unexpected_error(tmp_path, monkeypatch) -> None:
    from tutor.ui import errors

    monkeypatch.setattr(errors, "default_log_dir", lambda: tmp_path)
    assert files.describe(ValueError("x")) == "ValueError: x"
    assert (tmp_path / errors.LOG_NAME).read_text(encoding="utf-8").count("ValueError: x") == 1
