"""The expression panel in the assembled window: program, values, errors, locks and undo."""

from __future__ import annotations

import dataclasses
import math

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel, QMessageBox

from tutor.engine import Phase
from tutor.engine.notation import format_number
from tutor.ui.document import Document
from tutor.ui.main_window import MainWindow
from tutor.ui.panels.expression_panel import ExpressionPanel, parse_value

from .conftest import bundled

CMU = "cmu-recitation-5-expression"


def cmu_f(x: float, y: float, z: float) -> float:
    """The sheet's function computed by hand, the oracle for the graph's value of f."""
    return math.sin(x * y) / z + math.exp(x * z) / (x * y)


@pytest.fixture
def window(qtbot, monkeypatch):
    """The window on the CMU expression; closing it discards edits without asking."""
    window = MainWindow(Document(bundled(CMU)))
    qtbot.addWidget(window)
    monkeypatch.setattr(window.files, "_ask_save", lambda: QMessageBox.StandardButton.Discard)
    return window


@pytest.fixture
def panel(window) -> ExpressionPanel:
    return window.parameters_stack.expression_panel


def step_of(document: Document, phase: Phase, quantity: str, node: str) -> int:
    return next(s.index for s in document.trace
                if s.phase is phase and s.key.quantity == quantity and s.key.node == node)


def value_cell(panel: ExpressionPanel, name: str):
    for row in range(panel.table.rowCount()):
        if panel.table.item(row, 0).text() == name:
            return panel.table.item(row, 1)
    raise AssertionError(f"no row for {name}")


def test_expression_shows_the_graph_and_the_expression_panel(window, panel):
    assert window.centre.currentWidget() is window.graph_view
    assert window.parameters_stack.currentWidget() is panel
    assert panel.editor.toPlainText() == "f = sin(x*y)/z + exp(x*z)/(x*y)"
    assert [panel.table.item(r, 0).text() for r in range(3)] == ["x", "y", "z"]
    window.document.set_cursor(step_of(window.document, Phase.FORWARD, "value", "f"))
    assert window.graph_view.nodes["f"].value_text == format_number(cmu_f(1, 2, 3))
    assert format_number(cmu_f(1, 2, 3)) == "10.3459"


def test_a_network_exercise_keeps_the_parameters_panel(qtbot):
    window = MainWindow(Document(bundled("cmu-recitation-5")))
    qtbot.addWidget(window)
    assert window.parameters_stack.currentWidget() is window.parameters
    window.document.reset(bundled(CMU))
    assert window.parameters_stack.currentWidget() is window.parameters_stack.expression_panel


def test_changing_x_in_the_table_changes_f_in_the_inspector(window, panel):
    document = window.document
    value_cell(panel, "x").setText("2")
    assert document.exercise.problem.values["x"] == 2.0
    assert document.undo_stack.count() == 1
    document.set_cursor(step_of(document, Phase.FORWARD, "value", "f"))
    expected = format_number(cmu_f(2, 2, 3))
    assert expected == "100.605"
    assert window.inspector.text().splitlines()[2].endswith(expected)
    assert window.graph_view.nodes["f"].value_text == expected
    assert value_cell(panel, "x").text() == "2"


def test_an_invalid_number_gives_a_message_and_changes_nothing(window, panel):
    before = window.document.exercise
    value_cell(panel, "y").setText("two")
    assert "'two' is not a number" in panel.error_label.text()
    assert window.document.exercise is before
    assert window.document.undo_stack.count() == 0
    assert value_cell(panel, "y").text() == "2"


@pytest.mark.parametrize("text", ["nan", "inf", "", "1,5,2", "two"])
def test_parse_value_rejects_what_is_not_a_finite_number(text):
    with pytest.raises(ValueError):
        parse_value("x", text)


def test_parse_value_accepts_a_typographic_minus():
    assert parse_value("x", " −0.5 ") == -0.5


@pytest.mark.parametrize(("text", "value"), [("1,5", 1.5), ("1/4", 0.25), ("−2", -2.0)])
def test_parse_value_reads_numbers_as_every_other_field_does(text, value):
    # the one parser: a decimal comma reads here as in the diagram, the tables and η
    assert parse_value("x", text) == value


def test_a_forbidden_call_is_named_and_changes_nothing(window, panel):
    before = window.document.exercise
    panel.editor.setPlainText("f = __import__('os')")
    panel.apply_button.click()
    assert "__import__" in panel.error_label.text()
    assert panel.error_label.isVisibleTo(panel)
    assert window.document.exercise is before
    assert window.document.undo_stack.count() == 0
    cursor = panel.editor.textCursor()
    assert (cursor.blockNumber(), cursor.positionInBlock()) == (0, 4)  # column 5: "__import__"


def test_the_cursor_goes_to_the_line_and_column_of_a_syntax_error(qtbot, window, panel):
    panel.editor.setPlainText("a = x\nf = a +* 2")
    panel.editor.setFocus()
    qtbot.keyClick(panel.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert panel.error_label.text().startswith("line 2, column 8")
    cursor = panel.editor.textCursor()
    assert (cursor.blockNumber(), cursor.positionInBlock()) == (1, 7)
    assert window.document.undo_stack.count() == 0


def test_a_shared_node_sums_two_terms_and_undo_restores_the_program(qtbot, window, panel):
    document = window.document
    original = document.exercise.problem.program
    panel.editor.setPlainText("u = x*y; f = u + u")
    panel.editor.setFocus()
    qtbot.keyClick(panel.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert panel.error_label.text() == ""
    assert document.exercise.problem.variables == ("x", "y")
    assert panel.table.rowCount() == 2  # z is gone with the old program
    value_cell(panel, "x").setText("2")
    value_cell(panel, "y").setText("3")
    assert document.exercise.problem.value() == 12.0
    shared = document.trace[step_of(document, Phase.BACKWARD, "adjoint", "u")]
    assert len(shared.terms) == 2
    assert shared.result == 2.0
    assert document.trace[step_of(document, Phase.BACKWARD, "adjoint", "x")].result == 6.0
    assert set(window.graph_view.nodes) >= {"u", "f", "x", "y"}
    for _ in range(3):
        document.undo_stack.undo()
    assert document.exercise.problem.program == original
    assert panel.editor.toPlainText() == original
    assert [panel.table.item(r, 1).text() for r in range(3)] == ["1", "2", "3"]


def test_a_new_variable_gets_a_value_and_known_ones_keep_theirs(window, panel):
    panel.editor.setPlainText("f = x*w + z")
    panel.apply_button.click()
    assert dict(window.document.exercise.problem.values) == {"x": 1.0, "w": 1.0, "z": 3.0}
    assert window.document.exercise.problem.value() == 4.0


def test_locked_fields_are_read_only(qtbot):
    exercise = dataclasses.replace(bundled(CMU), locked=frozenset({"variables.x"}))
    document = Document(exercise)
    panel = ExpressionPanel(document)
    qtbot.addWidget(panel)
    assert not value_cell(panel, "x").flags() & Qt.ItemFlag.ItemIsEditable
    assert value_cell(panel, "y").flags() & Qt.ItemFlag.ItemIsEditable
    assert not panel.editor.isReadOnly()
    panel.set_value("x", "5")
    assert document.exercise.problem.values["x"] == 1

    document.reset(dataclasses.replace(exercise, locked=frozenset({"expression"})))
    assert panel.editor.isReadOnly()
    assert not panel.apply_button.isEnabled()
    assert not value_cell(panel, "z").flags() & Qt.ItemFlag.ItemIsEditable
    panel.editor.setPlainText("f = x")
    panel.apply_program()
    assert document.undo_stack.count() == 0


def test_all_variables_locked(qtbot):
    exercise = dataclasses.replace(bundled(CMU), locked=frozenset({"variables"}))
    panel = ExpressionPanel(Document(exercise))
    qtbot.addWidget(panel)
    for name in ("x", "y", "z"):
        assert not value_cell(panel, name).flags() & Qt.ItemFlag.ItemIsEditable


def test_the_program_title_sits_on_its_editor_in_a_tall_dock(qtbot) -> None:
    """A short program's editor stops growing; the room left went above "Program", which
    then floated 70 px over the editor at 1920×1080."""
    panel = ExpressionPanel(Document(bundled(CMU)))
    qtbot.addWidget(panel)
    panel.resize(380, 700)
    panel.show()
    qtbot.waitExposed(panel)
    title = next(label for label in panel.findChildren(QLabel) if "Program" in label.text())
    text_middle = title.mapTo(panel, QPoint(0, title.height() // 2)).y()  # drawn centred
    editor_top = panel.editor.mapTo(panel, QPoint(0, 0)).y()
    assert panel.editor.height() == panel.editor.maximumHeight()  # it did stop growing
    assert 0 < editor_top - text_middle <= title.fontMetrics().lineSpacing() + 12
