"""Crashes the monkey test found, each replayed directly through the real window."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox

from tutor.exercise import load as exercises_load
from tutor.exercise.library import exercises_dir
from tutor.ui.document import Document
from tutor.ui.main_window import MainWindow

from .conftest import bundled

SCATTER_MODULE = "pyqtgraph.graphicsItems.ScatterPlotItem"


@pytest.fixture
def window(qtbot, monkeypatch):
    window = MainWindow(Document(bundled("cmu-recitation-5")))
    qtbot.addWidget(window)
    monkeypatch.setattr(window.files, "_ask_save", lambda: QMessageBox.StandardButton.Discard)
    window.errors = []
    monkeypatch.setattr(window.files, "_show_error", lambda _title, text: window.errors.append(
        text))
    window.show()
    qtbot.waitExposed(window)
    return window


def test_a_new_file_after_adding_a_layer_draws_the_smaller_network(window):
    """The diagram kept the largest weight of every layer it had drawn, so after Add hidden
    layer then New it looked up layer 3 of a two-layer network (IndexError)."""
    window.parameters.add_layer()
    assert len(window.document.exercise.problem.network.layers) == 3
    window.files.new()
    assert len(window.document.exercise.problem.network.layers) == 2
    assert set(window.network_view._largest) == {0, 1}
    window.document.last()
    assert window.network_view.nodes["z2[0]"].value_text != ""


def test_the_exercise_questions_after_the_program_lost_their_node(window):
    """The CMU expression asks ∂f/∂z; once the program no longer has z, Start in the
    questions mode raised ValueError from the quiz instead of saying what happened."""
    from tutor.teaching.quiz import QuizMode

    assert window.files.open_path(exercises_dir() / "cmu-recitation-5-expression.json")
    panel = window.parameters_stack.expression_panel
    panel.editor.setPlainText("f = x^x")
    panel.apply_button.click()
    assert window.document.exercise.problem.program == "f = x^x"
    quiz = window.quiz_dock.widget()
    quiz.mode_combo.setCurrentIndex(quiz.mode_combo.findData(QuizMode.QUESTIONS))
    quiz.start_button.click()
    assert quiz.state is None
    assert "no longer fit" in quiz.feedback.toPlainText()
    assert "“∂f/∂z = ?” asks for a node" in quiz.feedback.toPlainText()  # no internal key
    assert not quiz.answer_edit.isEnabled()
    window.document.undo_stack.undo()
    quiz.start_button.click()
    assert quiz.state is not None and quiz.state.total > 0


def _open_cell_editor(qtbot, window, text: str) -> QLineEdit:
    table = window.parameters.layer_boxes[0].weights
    index = table.model().index(0, 1)
    table.setCurrentIndex(index)
    table.edit(index)
    editor = next(e for e in table.findChildren(QLineEdit) if e.isVisible())
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    return editor


def test_opening_an_expression_while_a_cell_is_being_edited(qtbot, window):
    """Taking the old tables away moved the focus out of the open cell editor, which
    committed into the expression just opened: AttributeError, then a segmentation fault."""
    _open_cell_editor(qtbot, window, "7")
    assert window.files.open_path(exercises_dir() / "cmu-recitation-5-expression.json")
    assert window.document.exercise.problem.program.startswith("f = sin(x*y)")
    assert window.document.undo_stack.count() == 0  # the typed 7 went nowhere
    window.document.last()
    assert window.document.current_step().result == pytest.approx(
        bundled("cmu-recitation-5-expression").problem.trace()[-1].result)


def test_a_structure_edit_while_a_cell_is_being_edited_drops_the_typing(qtbot, window):
    """The same editor committed in the middle of the rebuild, pushing a second edit from
    inside the first."""
    _open_cell_editor(qtbot, window, "7")
    window.parameters.add_layer()
    assert window.document.undo_stack.count() == 1
    assert window.document.undo_stack.undoText() == "Add a hidden layer"
    assert window.document.exercise.problem.params.weights[0][0, 0] == 1  # α₁,₁ as before
    window.document.undo_stack.undo()
    assert window.document.undo_stack.count() == 1 and window.document.undo_stack.index() == 0


# pyqtgraph's scatter bounds overflow for points at ±1e308 (a warning, drawn all the same)
@pytest.mark.filterwarnings(f"ignore::RuntimeWarning:{SCATTER_MODULE}")
def test_the_function_map_of_inputs_near_the_largest_float(qtbot, window):
    """Inputs of ±1e308 padded the map's range to ±inf: pyqtgraph refused the range
    ("Cannot set range [-inf, inf]") every time the function view was drawn, and a finite
    range that large would overflow the pixel grid."""
    model = window.parameters.data_box.inputs.model()
    assert model.setData(model.index(0, 0), "1e308")
    window.parameters.add_sample()
    assert model.setData(model.index(1, 0), "-1e308")
    view = window.training.function_view
    window.training_dock.show()
    view.redraw()
    rect = view.image.mapRectToParent(view.image.boundingRect())
    assert np.isfinite([rect.left(), rect.right(), rect.top(), rect.bottom()]).all()
    assert rect.left() < -1e11 and rect.right() > 1e11
    view.grab()  # painted, not crashed


def test_a_learning_rate_the_file_cannot_store_is_refused_when_typed(qtbot, window, tmp_path):
    """η = 10⁶ was accepted by the training panel, but exercise files allow at most 1000, so
    every later Save failed ("training.learning_rate: must be at most 1000")."""
    field = window.training.learning_rate
    for text, expected in (("1000", 1000.0), ("1e6", 1000.0)):
        field.setFocus()
        field.selectAll()
        qtbot.keyClicks(field, text)
        qtbot.keyClick(field, Qt.Key.Key_Return)
        assert window.document.exercise.problem.training.learning_rate == expected
    assert "at most 1000" in field.toolTip()
    assert window.files._write(tmp_path / "eta.json")
    assert exercises_load(tmp_path / "eta.json").problem.training.learning_rate == 1000.0


def test_an_edited_program_without_the_asked_node_can_still_be_saved(window, tmp_path):
    """The chain-rule sheet asks about ℓ; after the program was changed to one without it,
    every Save failed ("questions[0].node: no node 'l'") and the work could not be kept."""
    path = exercises_dir() / "chain-rule-discussion-expression.json"
    assert window.files.open_path(path)
    asked = len(window.document.exercise.questions)
    assert asked > 0
    assert window.files._write(tmp_path / "same.json")
    assert len(exercises_load(tmp_path / "same.json").questions) == asked  # nothing lost
    panel = window.parameters_stack.expression_panel
    panel.editor.setPlainText("f = x^2")
    panel.apply_button.click()
    assert window.document.exercise.problem.program == "f = x^2"
    assert window.files._write(tmp_path / "edited.json"), window.errors
    saved = exercises_load(tmp_path / "edited.json")
    assert saved.problem.program == "f = x^2"
    assert all(q.node in ("x", "f") for q in saved.questions)
    assert not window.document.is_modified
