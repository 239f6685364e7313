"""The quiz dock: predict the next value, then see it.

A thin view over :mod:`tutor.teaching.quiz`: the panel keeps the current immutable
``QuizState`` and renders it.  While a question is open the document's cursor stands on the
step *before* the asked one (before step 1 for the first), so the diagram, the table and
the inspector do not give the answer away;
a right answer or a reveal moves the cursor onto the asked step.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFontMetricsF, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from tutor.engine.notation import to_html
from tutor.session.samples import sample_count_of, sample_name, sample_template
from tutor.teaching.quiz import Feedback, Quiz, QuizMode, QuizState, describe_score
from tutor.teaching.quiz_shapes import typing_hint

from .. import style
from ..document import BEFORE_FIRST, Document
from ..text import drawable

MODES = {QuizMode.EVERY_STEP: "Every step", QuizMode.QUESTIONS: "The exercise's questions"}


def feedback_html(feedback: Feedback) -> str:
    """The message, the hints unlocked so far and, once shown, the answer's whole line."""
    parts = [f"<p><b>{escape(feedback.message)}</b></p>"]
    parts += [f"<p>{to_html(hint)}</p>" for hint in feedback.hints]
    if feedback.line:
        parts.append(f"<p>{to_html(feedback.line)}</p>")
    elif feedback.answer:
        parts.append(f"<p>= {to_html(feedback.answer)}</p>")
    return "".join(parts)


def summary_html(state: QuizState, template: str = "", samples: int = 0) -> str:
    """The end of the quiz: the score in large type, then only the steps missed, each in the
    sheet's symbols with its right value (and its sample, x₁ or "sample 1 of 2", in a batch),
    then the right ones in one line (``samples``: how many the trace runs).  A five-column
    table of every question did not fit the quiz panel of a 1024×768 projector."""
    missed, right = [], []
    for question, record in zip(state.questions, state.records, strict=True):
        step = question.step
        symbol = to_html(step.lhs)
        if record.correct:
            right.append(symbol)
            continue
        sample = sample_name(template, step.sample, samples) if step.sample is not None else ""
        where = f"Step {step.number}" + (f" ({escape(sample)})" if sample else "")
        typed = escape(record.answers[-1]) if record.answers else ""
        yours = f" <small>(you: {typed})</small>" if typed else ""
        missed.append(f"<li>{where}: {symbol} = <b>{to_html(question.answer_text)}</b>"
                      f"{yours}</li>")
    parts = [f"<p><b>{escape(describe_score(state))}</b></p>"]
    if missed:
        parts.append(f"<p>Missed, with the right values:</p><ul>{''.join(missed)}</ul>")
    if right:
        parts.append(f"<p><b>Right:</b> {', '.join(right)}</p>")
    return "".join(parts)


class QuizPanel(QWidget):
    """Mode, Start, the prompt, an answer field, feedback, Reveal, score and Restart."""

    running_changed = Signal(bool)  # a question is open (other views may give answers away)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("quiz_panel")
        self._document = document
        self.state: QuizState | None = None
        self.running = False
        self.mode_combo = QComboBox(objectName="quiz_mode")
        for mode, text in MODES.items():
            self.mode_combo.addItem(text, mode)
        self.start_button = QPushButton("Start", objectName="quiz_start")
        self.restart_button = QPushButton("Restart", objectName="quiz_restart")
        self.prompt_label = QLabel(objectName="quiz_prompt")
        self.prompt_label.setTextFormat(Qt.TextFormat.RichText)
        self.prompt_label.setWordWrap(True)
        self.answer_edit = QLineEdit(objectName="quiz_answer")
        self.answer_edit.setPlaceholderText("Your answer, e.g. 0.25 or 1/2; Return checks it")
        self.check_button = QPushButton("Check", objectName="quiz_check")
        self.reveal_button = QPushButton("Reveal", objectName="quiz_reveal")
        self.feedback = QTextBrowser(objectName="quiz_feedback")
        self.score_label = QLabel(objectName="quiz_score")
        self._layout()
        self.start_button.clicked.connect(self.start)
        self.restart_button.clicked.connect(self.restart)
        self.answer_edit.returnPressed.connect(self.submit)
        self.check_button.clicked.connect(self.submit)
        self.reveal_button.clicked.connect(self.reveal)
        document.trace_changed.connect(self._on_trace_change)
        style.theme().changed.connect(self._on_theme_change)
        self._on_theme_change()
        self._render()

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.mode_combo, 1)
        top.addWidget(self.start_button)
        top.addWidget(self.restart_button)
        answer = QHBoxLayout()
        answer.addWidget(self.answer_edit, 1)
        answer.addWidget(self.check_button)
        answer.addWidget(self.reveal_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.prompt_label)
        layout.addLayout(answer)
        layout.addWidget(self.feedback, 1)
        layout.addWidget(self.score_label)

    def minimumSizeHint(self) -> QSize:
        """Tall enough for the question as it wraps at this width: a dock asks only for the
        one-line height, and a two-line question at 1024×768 pushed the score over the
        hints."""
        hint = super().minimumSizeHint()
        wrapped = self.layout().totalMinimumHeightForWidth(self.width())
        return QSize(hint.width(), max(hint.height(), wrapped))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # the question wraps differently: a new minimum height

    # -- moves ------------------------------------------------------------------------------

    def start(self) -> None:
        document = self._document
        mode = QuizMode(self.mode_combo.currentData())
        try:
            self.state = Quiz.start(document.exercise, document.trace, mode)
        except ValueError as error:  # an edit removed a node that a question asks about
            self.state = None
            self.feedback.setHtml(f"<p>The exercise's questions no longer fit it "
                                  f"({escape(str(error))}): undo the edit, or quiz every "
                                  "step.</p>")
            self._render()
            return
        self.feedback.clear()
        self._ask()

    def restart(self) -> None:
        if self.state is None:
            self.start()
            return
        self.state = self.state.restart()
        self.feedback.clear()
        self._ask()

    def submit(self) -> None:
        if self.state is None or self.state.finished:
            return
        asked = self.state.current
        self.state, feedback = self.state.answer(self.answer_edit.text())
        self._show(feedback, asked.cursor if feedback.correct else None)

    def reveal(self) -> None:
        if self.state is None or self.state.finished:
            return
        asked = self.state.current
        self.state, feedback = self.state.reveal()
        self._show(feedback, asked.cursor)

    # -- rendering --------------------------------------------------------------------------

    def _show(self, feedback: Feedback, shown_step: int | None) -> None:
        """Feedback for the question just answered; the next question waits below it."""
        if shown_step is not None:
            self._document.set_cursor(shown_step)
            self._stand_before_question(at_least=shown_step)
        if feedback.outcome in ("correct", "revealed"):
            self.answer_edit.clear()
        html = feedback_html(feedback)
        if self.state is not None and self.state.finished:  # the summary replaces it
            html = summary_html(self.state, *self._samples())
        self.feedback.setHtml(drawable(html))  # hints show formulas with β̂ᵀ
        self._render()

    def _ask(self) -> None:
        self._stand_before_question(at_least=BEFORE_FIRST)
        self.answer_edit.clear()
        self._render()
        if self.state is not None and self.state.finished:
            self.feedback.setHtml(drawable(summary_html(self.state, *self._samples())))

    def _samples(self) -> tuple[str, int]:
        """The sheet's name for a sample and how many the trace runs, for the summary."""
        document = self._document
        return sample_template(document.exercise.problem), sample_count_of(document.trace)

    def _stand_before_question(self, at_least: int) -> None:
        """Cursor just before the asked step, so its value is still pending (before the
        first step, nothing is shown); never back past ``at_least``, the step whose answer
        was just shown."""
        question = None if self.state is None else self.state.current
        if question is None or question.cursor is None:
            return
        target = max(question.cursor - 1, at_least)
        if target == BEFORE_FIRST:
            self._document.rewind()
        else:
            self._document.set_cursor(target)

    def _render(self) -> None:
        state = self.state
        running = state is not None and not state.finished
        if state is None:
            self.prompt_label.setText("Choose a mode and press Start.")
        elif state.finished:
            self.prompt_label.setText("Done." if state.total else "This exercise has no "
                                      "questions: try every step.")
        else:
            number = f"Question {state.position + 1} of {state.total}: "
            self.prompt_label.setText(escape(number) + drawable(to_html(state.current.prompt)))
            self.answer_edit.setPlaceholderText(typing_hint(state.current.step))  # the shape
        self.score_label.setText("" if state is None else f"{state.score} / {state.total}")
        for widget in (self.answer_edit, self.check_button, self.reveal_button):
            widget.setEnabled(running)
            widget.setVisible(running or state is None)  # the summary gets their room
        self.prompt_label.setVisible(state is None or not state.finished or not state.total)
        self.restart_button.setEnabled(state is not None)
        if running != self.running:
            self.running = running
            self.running_changed.emit(running)

    def _on_trace_change(self) -> None:
        """Another exercise, sample or granularity: the questions no longer match."""
        if self.state is not None:
            self.state = None
            self.feedback.setHtml("<p>The exercise changed: press Start for a new quiz.</p>")
            self._render()

    def _on_theme_change(self) -> None:
        theme = style.theme()
        self.prompt_label.setFont(theme.font(1.5, bold=True))
        self.feedback.setFont(theme.font(1.2))
        # room for the message, a hint and the line with numbers without scrolling
        self.feedback.setMinimumHeight(round(QFontMetricsF(theme.font(1.2)).height() * 6))
        self.score_label.setFont(theme.font(1.3, bold=True))


def quiz_dock(document: Document, parent: QWidget) -> QDockWidget:
    """The quiz as a dock (hidden until View ▸ Quiz); its panel says when questions are open
    (``running_changed``), and the window decides what steps aside."""
    dock = QDockWidget("Quiz", parent)
    dock.setObjectName("dock_quiz")
    dock.setWidget(QuizPanel(document))
    dock.hide()
    action = dock.toggleViewAction()
    action.setObjectName("action_quiz")
    action.setText("&Quiz")
    action.setToolTip("Show or hide the quiz: predict each value before it is shown")
    return dock
