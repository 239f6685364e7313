"""View ▸ Hand calculation retraces with the printed values carried forward, and back."""

from __future__ import annotations

from PySide6.QtGui import QAction

from tutor.engine.notation import to_unicode
from tutor.session import Session
from tutor.ui.document import Document
from tutor.ui.main_window import MainWindow

from .conftest import bundled


def test_the_session_switches_calculation_and_keeps_the_cursor():
    session = Session(bundled("ds102-discussion-12"))
    session.set_cursor(7)
    assert session.trace[7].line().endswith("2 · (−1.34828) = −2.69657")
    session.set_hand(True)
    assert session.hand and session.cursor == 7
    assert session.trace[7].line().endswith("2 · (−1.34828) = −2.69656")
    session.set_hand(False)
    assert session.trace[7].line().endswith("= −2.69657")


def test_view_menu_hand_calculation(qtbot):
    window = MainWindow(Document(bundled("ds102-discussion-12")))
    qtbot.addWidget(window)
    action = window.findChild(QAction, "action_hand_calculation")
    assert action is not None and action.isCheckable() and not action.isChecked()
    view = next(m.menu() for m in window.menuBar().actions() if m.text() == "&View")
    assert action in view.actions()
    with qtbot.waitSignal(window.document.trace_changed):
        action.trigger()
    assert window.document.hand
    step = window.document.trace[7]
    assert to_unicode(step.numbers) == "2 · (−1.34828)" and float(step.result) == -2.69656
    action.trigger()
    assert not window.document.hand and float(window.document.trace[7].result) != -2.69656


def test_quiz_panel_takes_a_column_typed_as_the_sheet_writes_it(qtbot):
    """CMU layer by layer, every step: ∂ℓ/∂a is typed [4; 8]; [4, 8] is refused, not wrong."""
    from tutor.engine import Granularity
    from tutor.teaching.quiz import QuizMode
    from tutor.ui.panels.quiz_panel import QuizPanel

    document = Document(bundled("cmu-recitation-5"))
    document.set_granularity(Granularity.LAYER)
    panel = QuizPanel(document)
    qtbot.addWidget(panel)
    panel.mode_combo.setCurrentIndex(panel.mode_combo.findData(QuizMode.EVERY_STEP))
    panel.start()
    while panel.state.current.step.number != 8:
        panel.reveal()
    assert panel.answer_edit.placeholderText().startswith("A column of 2 numbers: [a; b]")
    panel.answer_edit.setText("[4, 8]")
    panel.submit()
    assert "the sheet writes this as a column" in panel.feedback.toPlainText()
    assert panel.state.current.step.number == 8
    panel.answer_edit.setText("[4; 8]")
    panel.submit()
    assert panel.state.current.step.number == 9
    assert panel.state.records[7].correct
