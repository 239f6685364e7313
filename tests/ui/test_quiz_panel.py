"""The quiz dock on the CMU recitation: answers, hints, reveal, score and the cursor."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from tutor.engine import Key, Quantity
from tutor.teaching.quiz import QuizMode
from tutor.ui.diagram import NetworkDiagramView
from tutor.ui.document import Document
from tutor.ui.inspector import StepInspector
from tutor.ui.main_window import MainWindow
from tutor.ui.panels.quiz_panel import QuizPanel
from tutor.ui.stepper import Stepper, StepperBar
from tutor.ui.style import NodeState
from tutor.ui.trace_table import PENDING, Column, TraceTable

from .conftest import bundled


@pytest.fixture
def panel(qtbot):
    document = Document(bundled("cmu-recitation-5"))
    panel = QuizPanel(document)
    qtbot.addWidget(panel)
    panel.show()
    return panel


def start(panel: QuizPanel, mode: QuizMode) -> None:
    panel.mode_combo.setCurrentIndex(panel.mode_combo.findData(mode))
    panel.start_button.click()


def answer(qtbot, panel: QuizPanel, text: str) -> None:
    panel.answer_edit.setText(text)
    qtbot.keyClick(panel.answer_edit, Qt.Key.Key_Return)


def step_of(document: Document, quantity: Quantity, node: str) -> int:
    return document.trace.producer[Key(quantity, node, None)]


def test_right_answer_within_tolerance_counts_and_shows_the_step(qtbot, panel):
    document = panel._document
    start(panel, QuizMode.QUESTIONS)
    assert "a" in panel.prompt_label.text() and "1 of 6" in panel.prompt_label.text()
    assert panel.score_label.text() == "0 / 6"
    a1 = step_of(document, Quantity.VALUE, "z1[0]")
    yhat = step_of(document, Quantity.VALUE, "z2[0]")
    assert a1 == 0 and document.cursor == -1  # before the first step: nothing shown
    answer(qtbot, panel, "3.0009")  # a₁ = 3, tolerance 0.001
    assert panel.score_label.text() == "1 / 6"
    assert "Correct." in panel.feedback.toPlainText()
    assert document.cursor == yhat - 1  # a₁ shown, ŷ still pending
    assert "2 of 6" in panel.prompt_label.text()


def test_wrong_answer_shows_the_formula_hint_and_scores_nothing(qtbot, panel):
    start(panel, QuizMode.QUESTIONS)
    answer(qtbot, panel, "3.0011")
    lines = panel.feedback.toPlainText().splitlines()
    assert lines[0] == "Not quite. Here is the formula."
    assert "a1 = α1,0 · x0 + α1,1 · x1 + α1,2 · x2" in lines  # the formula in symbols
    answer(qtbot, panel, "2")
    assert "a1 = α1,0 · x0 + α1,1 · x1 + α1,2 · x2 = 2 · 1 + 1 · 1 + 0 · 2" in (
        panel.feedback.toPlainText().splitlines())  # then the numbers
    assert panel.score_label.text() == "0 / 6"
    assert "1 of 6" in panel.prompt_label.text()


def test_reveal_shows_the_value_and_moves_on_without_a_point(qtbot, panel):
    document = panel._document
    start(panel, QuizMode.QUESTIONS)
    answer(qtbot, panel, "3")
    yhat = step_of(document, Quantity.VALUE, "z2[0]")
    assert document.cursor == yhat - 1
    panel.reveal_button.click()
    text = panel.feedback.toPlainText()
    assert "Here is the answer." in text and "= 7" in text  # ŷ = 7 on the sheet
    assert document.cursor == yhat
    assert panel.score_label.text() == "1 / 6"


def test_the_end_shows_score_and_summary_and_restart_resets(qtbot, panel):
    start(panel, QuizMode.QUESTIONS)
    for text in ("3", "7", "8", "4", "0"):
        answer(qtbot, panel, text)
    panel.reveal_button.click()  # ∂ℓ/∂β₁ = 12 revealed after one wrong try
    answer(qtbot, panel, "4")
    assert panel.state.finished
    assert panel.score_label.text() == "5 / 6"
    summary = panel.feedback.toPlainText()
    assert "5 of 6 correct (5 at the first try), 1 revealed" in summary
    assert "revealed" in summary and "12" in summary
    assert not panel.answer_edit.isEnabled()
    panel.restart_button.click()
    assert panel.score_label.text() == "0 / 6"
    assert "1 of 6" in panel.prompt_label.text()
    assert panel.answer_edit.isEnabled()


def test_every_step_keeps_the_asked_value_pending(qtbot, panel):
    document = panel._document
    document.set_cursor(5)
    start(panel, QuizMode.EVERY_STEP)
    assert panel.score_label.text() == f"0 / {len(document.trace)}"
    assert document.cursor == -1
    answer(qtbot, panel, "3")  # a₁ = 3
    assert panel.state.position == 1 and document.cursor == 0  # step 2 is pending
    answer(qtbot, panel, "0")  # wrong: the cursor stays
    assert document.cursor == 0 and "Not quite" in panel.feedback.toPlainText()
    panel.reveal_button.click()
    assert document.cursor == 1 and panel.state.position == 2
    assert panel.score_label.text() == f"1 / {len(document.trace)}"


def test_every_step_asks_step_one_with_nothing_shown_until_answered(qtbot, panel):
    """The first question is step 1 (a₁ = 3): the diagram, the table, the inspector and
    the step counter show nothing computed until it is answered."""
    document = panel._document
    diagram, table, inspector = (NetworkDiagramView(document), TraceTable(document),
                                 StepInspector(document))
    bar = StepperBar(document, Stepper(document))
    for widget in (diagram, table, inspector, bar):
        qtbot.addWidget(widget)
    result = table.model().index(0, Column.RESULT)
    assert document.trace[0].key.node == "z1[0]" and document.trace[0].result == 3
    assert diagram.nodes["z1[0]"].value_text == "3" and result.data() == "3"
    start(panel, QuizMode.EVERY_STEP)
    assert panel.state.current.cursor == 0
    assert "Question 1 of" in panel.prompt_label.text()
    assert document.cursor == -1 and document.current_step() is None
    assert document.known_keys() == set()
    for node in ("z1[0]", "z1[1]", "h1[0]", "z2[0]", "loss"):
        assert diagram.nodes[node].value_text == ""
        assert diagram.nodes[node].state is NodeState.PENDING
    assert diagram.nodes["x[0]"].value_text == "1"  # data is given, not asked
    assert result.data() == PENDING
    assert inspector.text() == "Nothing is computed yet: step 1 comes next."
    assert inspector.phase_label.text() == "Before step 1"
    assert "= 3" not in inspector.text()
    answer(qtbot, panel, "2")  # wrong: still hidden, the hint shows the formula
    assert document.cursor == -1 and diagram.nodes["z1[0]"].value_text == ""
    assert "Not quite" in panel.feedback.toPlainText()
    answer(qtbot, panel, "3")
    assert document.cursor == 0 and panel.state.position == 1
    assert diagram.nodes["z1[0]"].value_text == "3" and result.data() == "3"
    assert "= 3" in [line.replace("\xa0", " ").strip() for line in inspector.text().splitlines()]
    assert diagram.nodes["z1[1]"].value_text == ""  # step 2 is the next question


def test_not_a_number_is_not_an_attempt(qtbot, panel):
    start(panel, QuizMode.QUESTIONS)
    answer(qtbot, panel, "three")
    assert "not a number" in panel.feedback.toPlainText()
    assert panel.state.record.attempts == 0


def test_an_edit_ends_the_running_quiz(qtbot, panel):
    start(panel, QuizMode.QUESTIONS)
    panel._document.set_granularity("layer")
    assert panel.state is None
    assert not panel.answer_edit.isEnabled()


def test_the_view_menu_opens_the_quiz_dock(qtbot):
    window = MainWindow(Document(bundled("cmu-recitation-5")))
    qtbot.addWidget(window)
    window.show()
    action = window.findChild(QAction, "action_quiz")
    assert action is not None and not window.quiz_dock.isVisible()
    action.trigger()
    assert window.quiz_dock.isVisible()
    assert isinstance(window.quiz_dock.widget(), QuizPanel)


def test_the_training_dock_steps_aside_while_questions_are_open(qtbot):
    """Its status line read 'loss 8 at update 0' while the quiz was still asking for ℓ = 8."""
    window = MainWindow(Document(bundled("cmu-recitation-5")))
    qtbot.addWidget(window)
    window.show()
    panel = window.quiz_dock.widget()
    window.quiz_dock.show()
    assert window.training_dock.isVisible()
    start(panel, QuizMode.QUESTIONS)
    assert not window.training_dock.isVisible()
    while panel.running:
        panel.reveal()
    assert panel.state.finished
    assert window.training_dock.isVisible()
    window.training_dock.hide()  # hidden by the user before the quiz: stays hidden after it
    panel.restart()
    while panel.running:
        panel.reveal()
    assert not window.training_dock.isVisible()
