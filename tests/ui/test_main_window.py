"""The assembled window, driven through its real actions, keys and widgets."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox

from tutor import exercise as exercises
from tutor.engine import Granularity, Phase
from tutor.engine.notation import to_unicode
from tutor.ui.document import Document
from tutor.ui.main_window import MainWindow
from tutor.ui.trace_table import Column

from .conftest import bundled


@pytest.fixture
def window(qtbot, monkeypatch):
    """The main window on the CMU recitation; dialogs answer without blocking."""
    window = MainWindow(Document(bundled("cmu-recitation-5")))
    qtbot.addWidget(window)
    asked: list[str] = []
    errors: list[str] = []
    monkeypatch.setattr(window.files, "_ask_save",
                        lambda: asked.append("ask") or QMessageBox.StandardButton.Discard)
    monkeypatch.setattr(window.files, "_show_error", lambda title, text: errors.append(text))
    window.asked, window.errors = asked, errors
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def action(window: MainWindow, name: str) -> QAction:
    found = window.findChild(QAction, name)
    assert found is not None, name
    return found


def row_of(document: Document, lhs: str) -> int:
    return next(s.index for s in document.trace if to_unicode(s.lhs) == lhs)


def table_text(window: MainWindow, row: int, column: Column) -> str:
    model = window.trace_table.model()
    return model.data(model.index(row, column))


def test_examples_menu_loads_the_recitation_and_steps_to_the_sheet_gradient(qtbot, window):
    window.document.reset(bundled("inf264-homework-4"))  # something else first
    action(window, "action_example_cmu-recitation-5").trigger()
    document = window.document
    assert document.exercise.title.startswith("CMU 10-301/601 Recitation 5")
    target = row_of(document, "∂ℓ/∂α₁,₁")
    while document.cursor < target:
        action(window, "action_next").trigger()
    text = window.inspector.text()
    assert "∂ℓ/∂α1,1 = ∂ℓ/∂a1 · x1" in text.replace("\u2009", "")
    assert "= 4" in text
    assert "reads cached: ∂ℓ/∂a1 (step 13)" in text
    assert "Gradient" in window.inspector.phase_label.text()


def test_editing_a_weight_in_the_table_changes_the_prediction_and_the_loss(qtbot, window):
    document = window.document
    document.last()
    table = window.parameters.layer_boxes[1].weights  # β = [β₀ β₁ β₂]
    index = table.model().index(0, 2)
    table.setCurrentIndex(index)
    table.edit(index)
    qtbot.waitUntil(lambda: table.findChild(QLineEdit) is not None)
    editor = table.findChild(QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, "3")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: document.undo_stack.count() == 1)  # Qt commits on a queued call
    y_hat, loss = row_of(document, "ŷ"), row_of(document, "ℓ")
    assert table_text(window, y_hat, Column.RESULT) == "9"  # 1·3 + 3·2
    assert table_text(window, loss, Column.RESULT) == "18"  # ½(9 − 3)²
    document.set_cursor(loss)
    assert "= 18" in window.inspector.text()
    assert document.undo_stack.undoText() == "Set β₂ = 3"


def test_an_invalid_number_shows_a_message_and_changes_nothing(window):
    document = window.document
    before = document.exercise
    model = window.parameters.layer_boxes[0].weights.model()
    assert not model.setData(model.index(0, 1), "one")
    assert document.exercise is before
    assert document.undo_stack.count() == 0
    assert "not a number" in window.parameters.error_label.text()
    assert window.parameters.error_label.isVisibleTo(window.parameters)
    assert "not a number" in window.statusBar().currentMessage()


def test_hidden_activation_to_sigmoid_changes_the_trace(window):
    combo = window.parameters.layer_boxes[0].activation
    combo.setCurrentIndex(combo.findData("sigmoid"))
    document = window.document
    step = document.trace[row_of(document, "z₁")]
    assert to_unicode(step.formula) == "σ(a₁)"
    assert step.result == pytest.approx(1 / (1 + np.exp(-3.0)))
    assert table_text(window, step.index, Column.FORMULA) == "σ(a₁)"


def test_training_and_undo_restore_weights_and_history(window):
    document = window.document
    document.reset(bundled("inf264-homework-4"))
    before = document.exercise.problem.params.flat()
    document.train(10)
    losses = np.array(document.history.losses)
    assert len(losses) == 11
    assert np.all(np.diff(losses) < 0)
    assert not np.array_equal(document.exercise.problem.params.flat(), before)
    action(window, "action_undo").trigger()
    assert np.array_equal(document.exercise.problem.params.flat(), before)
    assert len(document.history.losses) == 1
    action(window, "action_redo").trigger()
    assert len(document.history.losses) == 11


def test_closing_with_unsaved_changes_asks_first(qtbot, window, monkeypatch):
    model = window.parameters.layer_boxes[0].weights.model()
    assert model.setData(model.index(0, 0), "5")
    monkeypatch.setattr(window.files, "_ask_save", lambda: window.asked.append("ask")
                        or QMessageBox.StandardButton.Cancel)
    assert not window.close()
    assert window.asked == ["ask"]
    assert window.isVisible()
    monkeypatch.setattr(window.files, "_ask_save", lambda: QMessageBox.StandardButton.Discard)
    assert window.close()


def test_title_shows_the_name_and_the_modified_mark(window):
    assert window.windowTitle().startswith(window.document.exercise.title + "[*]")
    assert not window.isWindowModified()
    window.document.train(1)
    assert window.isWindowModified()
    window.document.undo_stack.undo()
    assert not window.isWindowModified()


def test_keyboard_moves_the_cursor(qtbot, window):
    document = window.document
    qtbot.keyClick(window, Qt.Key.Key_Right)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert document.cursor == 2
    qtbot.keyClick(window, Qt.Key.Key_Left)
    assert document.cursor == 1
    qtbot.keyClick(window, Qt.Key.Key_End)
    assert document.cursor == len(document.trace) - 1
    qtbot.keyClick(window, Qt.Key.Key_Home)
    assert document.cursor == 0
    qtbot.keyClick(window, Qt.Key.Key_P)
    assert window.stepper.timer.isActive()
    with qtbot.waitSignal(document.cursor_changed, timeout=3000):
        pass
    qtbot.keyClick(window, Qt.Key.Key_P)
    assert not window.stepper.timer.isActive()


def test_layer_granularity_shows_the_matrix_gradient(window):
    action(window, "action_granularity_layer").trigger()
    document = window.document
    assert document.granularity is Granularity.LAYER
    row = row_of(document, "∂ℓ/∂α")
    document.set_cursor(row)
    assert np.array_equal(document.current_step().result, [[4, 4, 8], [8, 8, 16]])
    assert table_text(window, row, Column.RESULT) == "[4, 4, 8; 8, 8, 16]"
    shown = re.split(r"=\s*\n", window.inspector.text())[-1].split("reads cached")[0]
    assert re.findall(r"\d+", shown) == ["4", "4", "8", "8", "8", "16"]


def test_trace_table_and_cursor_follow_each_other(window):
    table, document = window.trace_table, window.document
    table.selectRow(5)
    assert document.cursor == 5
    document.set_cursor(9)
    assert table.currentIndex().row() == 9
    assert table_text(window, 10, Column.RESULT) == "…"  # pending: not revealed yet
    assert table_text(window, 9, Column.RESULT) != "…"


def _menu_actions(menu) -> list[QAction]:
    found = []
    for item in menu.actions():
        if item.menu() is not None:
            found += _menu_actions(item.menu())
        elif item.text() and not item.isSeparator():
            found.append(item)
    return found


def test_every_action_is_named_and_says_its_shortcut(window):
    window.files._fill_recent()
    actions = _menu_actions(window.menuBar()) + window.stepper_bar.actions()
    assert len(actions) > 20
    for found in actions:
        if not found.text() or found.text().startswith("("):  # "(none)" placeholders
            continue
        assert found.objectName(), found.text()
        for keys in found.shortcuts():
            text = keys.toString(QKeySequence.SequenceFormat.NativeText)
            assert text in found.toolTip(), (found.objectName(), text, found.toolTip())


def test_locked_parameters_are_read_only(qtbot, monkeypatch):
    exercise = bundled("cmu-recitation-5")
    locked = type(exercise)(exercise.title, exercise.problem, locked=frozenset({"parameters"}))
    window = MainWindow(Document(locked))
    qtbot.addWidget(window)
    model = window.parameters.layer_boxes[0].weights.model()
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    assert not model.setData(model.index(0, 0), "7")
    assert window.document.undo_stack.count() == 0
    inputs = window.parameters.data_box.inputs.model()
    assert inputs.flags(inputs.index(0, 0)) & Qt.ItemFlag.ItemIsEditable


def test_save_then_open_round_trips_and_remembers_the_file(window, tmp_path, monkeypatch):
    target = tmp_path / "mine.json"
    monkeypatch.setattr(window.files, "_choose_save_path", lambda: target)
    model = window.parameters.layer_boxes[1].weights.model()
    assert model.setData(model.index(0, 1), "0.5")
    assert window.files.save()
    assert not window.document.is_modified
    assert window.windowTitle().startswith("mine.json")
    window.document.reset(bundled("cmu-recitation-5"))
    assert window.files.open_path(target)
    assert window.document.exercise.problem.params.weights[1][0, 0] == 0.5
    window.files._fill_recent()
    recent = window.files.recent_menu.actions()[0]
    assert recent.toolTip() == str(target.resolve())


def test_a_bad_file_shows_a_message_and_keeps_the_document(window, tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text("{ not json", encoding="utf-8")
    before = window.document.exercise
    assert not window.files.open_path(bad)
    assert window.document.exercise is before
    assert window.errors and "broken.json" in window.errors[0]


def test_new_asks_before_discarding_changes(window):
    window.document.train(2)
    action(window, "action_new").trigger()
    assert window.asked == ["ask"]
    assert window.document.exercise.title == "Untitled network"
    assert window.document.undo_stack.count() == 0


def test_theme_and_font_scale_are_remembered(window):
    action(window, "action_theme_dark").trigger()
    action(window, "action_font_bigger").trigger()
    from tutor.ui import settings, style

    assert settings.theme_name() == "dark"
    assert style.theme().palette.name == "dark"
    assert settings.font_scale() == pytest.approx(1.15)
    action(window, "action_font_reset").trigger()
    action(window, "action_theme_light").trigger()
    assert QApplication.instance().font().pointSizeF() == pytest.approx(
        window._base_point_size)


def test_bundled_examples_all_open(window):
    for example in exercises.bundled():
        assert window.files.open_path(example.path), example.name
        assert window.document.cursor == 0
        assert window.document.current_step().phase is Phase.FORWARD


def test_a_demo_opens_on_one_sample_and_says_how_to_see_all(qtbot) -> None:
    window = MainWindow(Document(bundled("xor")))
    qtbot.addWidget(window)
    bar = window.stepper_bar
    assert bar.sample_combo.currentText() == "Sample 1"
    assert bar.phase_label.text() == "Forward 1 / 7 · step 1 / 32"
    note = "Showing sample 1 of 4 — choose All samples in the toolbar for the whole batch"
    assert window.sample_note.text() == note and bar.sample_combo.toolTip() == note
    bar.sample_combo.setCurrentIndex(0)  # All samples
    assert window.document.sample is None and len(window.document.trace) == 108
    assert window.sample_note.text() == "" and bar.sample_combo.toolTip() != note


def test_a_sheet_opens_on_all_samples_without_a_note(qtbot) -> None:
    window = MainWindow(Document(bundled("inf264-homework-4")))
    qtbot.addWidget(window)
    assert window.stepper_bar.sample_combo.currentText() == "All samples"
    assert window.sample_note.text() == ""
