"""Unsaved work: New, Open and Quit ask Save / Discard / Cancel; Cancel keeps everything."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox

from tutor import exercise as exercises
from tutor.ui.document import Document
from tutor.ui.main_window import MainWindow

from .conftest import bundled

Button = QMessageBox.StandardButton


@pytest.fixture
def window(qtbot, monkeypatch, tmp_path):
    """The CMU recitation with one unsaved edit (β₁ = 5); the answer is set per test."""
    window = MainWindow(Document(bundled("cmu-recitation-5")))
    qtbot.addWidget(window)
    window.asked = []
    window.answer = Button.Cancel
    monkeypatch.setattr(window.files, "_ask_save",
                        lambda: window.asked.append("ask") or window.answer)
    monkeypatch.setattr(window.files, "_choose_save_path", lambda: tmp_path / "kept.json")
    monkeypatch.setattr(window.files, "_choose_open_path",
                        lambda: exercises.bundled()[0].path)
    window.show()
    qtbot.waitExposed(window)
    model = window.parameters.layer_boxes[1].weights.model()
    assert model.setData(model.index(0, 1), "5")
    yield window
    window.answer = Button.Discard


def action(window: MainWindow, name: str) -> QAction:
    found = window.findChild(QAction, name)
    assert found is not None, name
    return found


def assert_untouched(window: MainWindow, edited) -> None:
    document = window.document
    assert document.exercise is edited
    assert document.exercise.problem.params.weights[1][0, 0] == 5
    assert document.is_modified and window.isWindowModified()
    assert document.undo_stack.count() == 1 and document.undo_stack.undoText() == "Set β₁ = 5"
    assert document.path is None


@pytest.mark.parametrize("name", ["action_new", "action_open", "action_quit",
                                  "action_example_inf264-homework-4"])
def test_cancel_keeps_the_edit_the_history_and_the_window(window, name):
    edited = window.document.exercise
    action(window, name).trigger()
    assert window.asked == ["ask"]
    assert_untouched(window, edited)
    assert window.isVisible()
    window.document.undo_stack.undo()  # the edit is still undoable
    assert window.document.exercise.problem.params.weights[1][0, 0] == 1


def test_discard_on_open_replaces_the_document(window):
    window.answer = Button.Discard
    action(window, "action_open").trigger()
    assert window.asked == ["ask"]
    assert window.document.exercise.title == exercises.load(exercises.bundled()[0].path).title
    assert not window.document.is_modified and window.document.undo_stack.count() == 0


def test_save_on_new_writes_the_edit_then_starts_afresh(window, tmp_path):
    window.answer = Button.Save
    action(window, "action_new").trigger()
    saved = exercises.load(tmp_path / "kept.json")
    np.testing.assert_array_equal(saved.problem.params.weights[1], [[5.0, 2.0]])  # β₁, β₂
    assert window.document.exercise.title == "Untitled network"
    assert window.document.path is None and not window.document.is_modified


def test_save_on_quit_writes_the_edit_and_closes(window, tmp_path):
    window.answer = Button.Save
    action(window, "action_quit").trigger()
    assert not window.isVisible()
    saved = exercises.load(tmp_path / "kept.json")
    assert saved.problem.params.weights[1][0, 0] == 5


def test_a_cancelled_save_dialog_keeps_the_window_open(window, monkeypatch):
    window.answer = Button.Save
    monkeypatch.setattr(window.files, "_choose_save_path", lambda: None)
    edited = window.document.exercise
    action(window, "action_quit").trigger()
    assert window.isVisible()
    assert_untouched(window, edited)


def test_an_unmodified_document_is_replaced_without_asking(window):
    window.document.undo_stack.undo()
    action(window, "action_new").trigger()
    assert window.asked == []
    assert window.document.exercise.title == "Untitled network"
