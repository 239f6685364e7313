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
