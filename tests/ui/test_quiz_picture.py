"""The quiz in the picture: pending steps keep their formula hidden while questions are open,
and the end summary (score, the steps missed and their values) fits a 1024×768 projector."""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QMessageBox

from tutor.teaching.quiz import QuizMode
from tutor.ui import style
from tutor.ui.document import Document
from tutor.ui.main_window import MainWindow
from tutor.ui.panels.quiz_panel import QuizPanel
from tutor.ui.trace_table import HIDDEN, PENDING, Column

from .conftest import bundled
from .test_quiz_panel import answer, start


def _window(qtbot, monkeypatch, name: str = "cmu-recitation-5") -> MainWindow:
    window = MainWindow(Document(bundled(name)))
    qtbot.addWidget(window)
    monkeypatch.setattr(window.files, "_ask_save", lambda: QMessageBox.StandardButton.Discard)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    window.quiz_dock.show()
    return window


def test_pending_rows_hide_their_formula_while_a_quiz_runs(qtbot, monkeypatch) -> None:
    window = _window(qtbot, monkeypatch)
    panel, model = window.quiz_dock.widget(), window.trace_table.model()
    yhat = 4  # step 5: ŷ = β₀·z₀ + β₁·z₁ + β₂·z₂ = 7
    assert model.index(yhat, Column.QUANTITY).data() == "ŷ"
    assert model.index(yhat, Column.FORMULA).data() == "β₀ · z₀ + β₁ · z₁ + β₂ · z₂"
    start(panel, QuizMode.QUESTIONS)
    assert window.document.cursor == -1  # a₁ = ? is asked first
    assert model.index(0, Column.FORMULA).data() == HIDDEN
    answer(qtbot, panel, "3")  # a₁ = 3: its row shows, ŷ (asked next) stays hidden
    assert model.index(0, Column.FORMULA).data() == "α₁,₀ · x₀ + α₁,₁ · x₁ + α₁,₂ · x₂"
    assert model.index(0, Column.RESULT).data() == "3"
    assert model.index(yhat, Column.FORMULA).data() == HIDDEN
    assert model.index(yhat, Column.NUMBERS).data() == PENDING
    assert model.index(yhat, Column.RESULT).data() == PENDING
    while panel.running:
        panel.reveal()
    assert model.index(len(window.document.trace) - 1, Column.FORMULA).data() != HIDDEN
    assert model.index(yhat, Column.FORMULA).data() == "β₀ · z₀ + β₁ · z₁ + β₂ · z₂"


def test_end_summary_fits_a_1024x768_projector(qtbot, monkeypatch) -> None:
    window = _window(qtbot, monkeypatch)
    monkeypatch.setattr(window, "showFullScreen", lambda: window.resize(1024, 768))
    window.presentation.enter()
    qtbot.waitUntil(lambda: window.width() == 1024)
    panel = window.quiz_dock.widget()
    start(panel, QuizMode.QUESTIONS)
    answer(qtbot, panel, "3")  # a₁ right; ŷ, ℓ, ∂ℓ/∂ŷ wrong then revealed; the rest revealed
    for _ in range(3):
        answer(qtbot, panel, "1")
        panel.reveal()
    while panel.running:
        panel.reveal()
    qtbot.wait(10)  # the docks' new sizes are laid out
    text = panel.feedback.toPlainText()
    assert text.startswith("1 of 6 correct (1 at the first try), 5 revealed")
    assert "Step 5: ŷ = 7 (you: 1)" in text
    assert "Step 9: ∂ℓ/∂β1 = 12" in text  # the browser's plain text drops the subscript tag
    assert "Step 16: ∂ℓ/∂α1,1 = 4" in text
    assert text.rstrip().endswith("Right: a1")
    bar = panel.feedback.verticalScrollBar()
    assert bar.maximum() == 0, "the summary needs scrolling"  # a clicker cannot scroll
    assert panel.feedback.font().pixelSize() >= 28 or panel.feedback.font().pointSizeF() >= 18
    counter, centre = window.presentation.counter, window.centralWidget()
    assert counter.x() >= 0 and counter.geometry().right() <= centre.width()  # not under it
    window.presentation.leave()


def test_inf264_summary_names_the_sample(qtbot, monkeypatch) -> None:
    window = _window(qtbot, monkeypatch, "inf264-homework-4")
    panel = window.quiz_dock.widget()
    start(panel, QuizMode.QUESTIONS)
    while panel.running:
        panel.reveal()
    text = panel.feedback.toPlainText()
    assert "Step 3 (x₁): ŷ = 3" in text and "Step 15 (x₂): ŷ = 0" in text


def test_a_two_line_question_leaves_the_score_below_the_hints(qtbot) -> None:
    """Presenting at 1024×768 "Question 1 of 30: a₁ = ?" wraps in the 370 px quiz dock; the
    dock asked only for a one-line question's height and drew the score over the hints."""
    theme, app_font = style.theme(), QFont(QApplication.font())
    before = theme.font_scale
    theme.set_font_scale(2.0)  # as presenting sets it; windows left by other tests follow
    try:
        panel = QuizPanel(Document(bundled("cmu-recitation-5")))
        qtbot.addWidget(panel)
        panel.resize(370, 300)
        panel.show()
        qtbot.waitExposed(panel)
        start(panel, QuizMode.EVERY_STEP)
        for wrong in ("2", "5"):  # the second wrong answer adds the line with numbers
            answer(qtbot, panel, wrong)
        panel.resize(370, panel.minimumSizeHint().height())  # a dock gives no less
        qtbot.wait(10)
        prompt = panel.prompt_label
        assert prompt.height() > 1.5 * prompt.fontMetrics().lineSpacing()  # it did wrap
        in_order = [prompt, panel.answer_edit, panel.feedback, panel.score_label]
        for upper, lower in pairwise(in_order):
            assert upper.geometry().bottom() < lower.geometry().top(), (upper, lower)
        assert panel.score_label.geometry().bottom() <= panel.height()
    finally:
        theme.set_font_scale(before)
        QApplication.setFont(app_font)  # those windows may be gone by now: put it back here
