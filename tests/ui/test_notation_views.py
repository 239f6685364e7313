"""The notation hooks in the views: View ▸ Hand calculation, the quiz answer box's shape, and hats
drawn over their letters in the trace table and the step panel."""

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


def cmu_layer_quiz_at(qtbot, number: int):
    """A quiz of every step of CMU layer by layer, revealed up to step ``number``."""
    from tutor.engine import Granularity
    from tutor.teaching.quiz import QuizMode
    from tutor.ui.panels.quiz_panel import QuizPanel

    document = Document(bundled("cmu-recitation-5"))
    document.set_granularity(Granularity.LAYER)
    panel = QuizPanel(document)
    qtbot.addWidget(panel)
    panel.mode_combo.setCurrentIndex(panel.mode_combo.findData(QuizMode.EVERY_STEP))
    panel.start()
    while panel.state.current.step.number != number:
        panel.reveal()
    return panel


def test_quiz_panel_takes_a_column_typed_as_the_sheet_writes_it(qtbot):
    """CMU layer by layer, every step: ∂ℓ/∂a is typed [4; 8]; [4, 8] is refused, not wrong."""
    panel = cmu_layer_quiz_at(qtbot, 8)
    assert panel.answer_edit.placeholderText().startswith("A column of 2 numbers: [a; b]")
    panel.answer_edit.setText("[4, 8]")
    panel.submit()
    assert "the sheet writes this as a column" in panel.feedback.toPlainText()
    assert panel.state.current.step.number == 8
    panel.answer_edit.setText("[4; 8]")
    panel.submit()
    assert panel.state.current.step.number == 9
    assert panel.state.records[7].correct


# --------------------------------------------------------------------------- accents

def ink_above(text: str, size: int = 40) -> int:
    """Dark pixels above the x-height, over the first letter, when Qt draws ``text``."""
    from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter

    font = QFont("DejaVu Sans")
    font.setPixelSize(size)
    metrics = QFontMetrics(font)
    image = QImage(4 * size, 2 * size, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setFont(font)
    painter.setPen(QColor("black"))
    baseline = int(1.5 * size)
    painter.drawText(size, baseline, text)
    painter.end()
    top = baseline - metrics.xHeight() - 2  # just above the letter x
    width = metrics.horizontalAdvance(text[0])
    return sum(1 for y in range(0, top) for x in range(size, size + width)
               if image.pixelColor(x, y).lightness() < 128)


def test_drawable_composes_or_joins_hats():
    from tutor.ui.text import drawable

    assert drawable("y\u0302") == "ŷ"  # Unicode has ŷ: composed
    assert drawable("x\u0302ᵀ") == "x\u200d\u0302ᵀ"  # no x-hat in Unicode: joined
    assert drawable("β\u0302<sup>T</sup>") == "β\u200d\u0302<sup>T</sup>"
    assert drawable("θ\u0303 h\u0304") == "θ\u0303 h\u0304"  # tilde and bar draw as they are
    assert drawable("∇<sub>w<sub>h</sub></sub> l") == "∇<sub>wₕ</sub> l"
    assert drawable("z<sub>a<sub>q</sub></sub>") == "z<sub>a<sub>q</sub></sub>"  # no ᵩ for q


def test_hats_are_drawn_over_their_letters():
    from tutor.ui.text import drawable

    assert ink_above("x") == 0
    for accented in ("x\u0302", "β\u0302", "θ\u0303", "x\u0304"):
        base = ink_above(accented[0])
        assert ink_above(drawable(accented)) > base + 10, accented


def test_trace_table_and_step_panel_show_the_hat(qtbot):
    from tutor.engine import Granularity
    from tutor.ui.trace_table import Column

    window = MainWindow(Document(bundled("cmu-recitation-5")))
    qtbot.addWidget(window)
    window.document.set_granularity(Granularity.LAYER)
    window.document.set_cursor(6)  # ∂ℓ/∂z = β̂ᵀ ∂ℓ/∂ŷ
    model = window.trace_table.model()
    shown = model.data(model.index(6, Column.FORMULA))
    assert shown == "β\u200d\u0302ᵀ ∂ℓ/∂ŷ"
    assert "β\u0302T ∂ℓ/∂ŷ" in window.inspector.text()  # the text itself is unchanged
    assert "β\u200d\u0302 is β without" in window.inspector.browser.toHtml()


def test_quiz_hints_draw_the_hat(qtbot):
    """A wrong answer at CMU's ∂ℓ/∂z shows the formula β̂ᵀ ∂ℓ/∂ŷ with its hat drawn."""
    panel = cmu_layer_quiz_at(qtbot, 7)
    panel.answer_edit.setText("[1; 1]")
    panel.submit()
    assert "β\u200d\u0302T ∂ℓ/∂ŷ" in panel.feedback.toPlainText()
