"""The program and the variable values of an expression exercise, edited in place.

It takes the place of the network parameters panel when the exercise is an expression.  The
widgets hold no truth: every change builds a new :class:`ExpressionProblem` and hands it to
``document.edit`` (so it can be undone), and the widgets are refilled from the document.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QSignalBlocker, QSize, Qt, Signal
from PySide6.QtGui import QFontDatabase, QKeyEvent, QTextCursor
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tutor.engine import NetworkProblem
from tutor.engine.expression import ExpressionError, ExpressionProblem, build_expression
from tutor.engine.numbers import parse_number

from ..document import Document
from ..style import theme

DEFAULT_VALUE = 1.0  # the value a variable gets when a new program introduces it
ERROR_STYLE = "color: #D55E00; font-weight: bold;"


def parse_value(name: str, text: str) -> float:
    """The number typed for ``name`` (the engine's one parser, as in every other field:
    ``−0.5``, ``1/3``, ``2e-3``, a decimal comma ``1,5``); ValueError with a message a
    student can act on."""
    shown = text.strip()
    try:
        return parse_number(text)
    except ValueError:
        raise ValueError(f"'{shown}' is not a number: type a value for {name} "
                         f"such as 2, -0.5 or 1/3") from None


def with_program(problem: ExpressionProblem, program: str) -> ExpressionProblem:
    """``problem`` running ``program``: known variables keep their values, new ones get 1.

    Raises ExpressionError when the program is not in the grammar.
    """
    built = build_expression(program)
    names = set(built.variables) | set(built.named)
    values = {name: problem.values.get(name, DEFAULT_VALUE) for name in built.variables}
    differentiate = problem.differentiate
    if differentiate is not None:
        differentiate = tuple(v for v in differentiate if v in built.variables)
    return dataclasses.replace(
        problem, program=program, values=values,
        symbols={k: v for k, v in problem.symbols.items() if k in names},
        differentiate=differentiate,
        trainable=tuple(v for v in problem.trainable if v in built.variables))


class ProgramEditor(QPlainTextEdit):
    """Plain text in which Ctrl+Return applies the program instead of breaking the line."""

    sigApply = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        control = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        if control and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.sigApply.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class ExpressionPanel(QWidget):
    """A program editor (Apply or Ctrl+Return), a table of variable values, an error line."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("expression_panel")
        self.document = document
        self.editor = ProgramEditor(objectName="expression_program")
        self.editor.setPlaceholderText("u = x*y\nf = sin(u)/z + exp(x*z)/u")
        self.editor.setToolTip("One assignment per line (or separated by ;); the last one is "
                               "the output. Apply with Ctrl+Return.")
        self.apply_button = QPushButton("Apply", objectName="expression_apply")
        self.apply_button.setToolTip("Build the graph of this program (Ctrl+Return)")
        self.apply_button.clicked.connect(self.apply_program)
        self.editor.sigApply.connect(self.apply_program)
        self.error_label = QLabel(objectName="expression_error")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setVisible(False)
        self.table = QTableWidget(0, 2, objectName="expression_values")
        self.table.setHorizontalHeaderLabels(["Variable", "Value"])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(self._on_item_change)
        self._build_layout()
        theme().changed.connect(self._on_theme_change)
        self._on_theme_change()
        document.exercise_changed.connect(self._on_exercise_change)
        self._on_exercise_change()

    def _build_layout(self) -> None:
        program = QVBoxLayout()
        program.addWidget(QLabel("<b>Program</b>"))
        program.addWidget(self.editor, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.apply_button)
        program.addLayout(buttons)
        program.addWidget(self.error_label)
        program.addStretch()  # below a short program's editor, not above its title
        values = QVBoxLayout()
        values.addWidget(QLabel("<b>Variable values</b>"))
        values.addWidget(self.table, 1)
        # one above the other in a side column; side by side in a few rows at the bottom
        self._columns = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self._columns.addLayout(program, 1)
        self._columns.addLayout(values, 1)
        self._parts = (program, values)

    def minimumSizeHint(self) -> QSize:
        """As short as the columns side by side, so a dock of a few rows can hold it."""
        hint = super().minimumSizeHint()
        margins = self._columns.contentsMargins()
        side_by_side = max(part.minimumSize().height() for part in self._parts) + \
            margins.top() + margins.bottom()
        return QSize(hint.width(), min(hint.height(), side_by_side))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        wide = event.size().width() > 2 * event.size().height()
        direction = (QBoxLayout.Direction.LeftToRight if wide
                     else QBoxLayout.Direction.TopToBottom)
        if self._columns.direction() != direction:
            self._columns.setDirection(direction)

    def _on_theme_change(self) -> None:
        """A monospace program as large as the other panels' text, for the back row."""
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(theme().font(1.2).pointSizeF())
        self.editor.setFont(font)
        self.table.setFont(theme().font(1.1))
        self.table.verticalHeader().setDefaultSectionSize(
            self.table.fontMetrics().lineSpacing() + 12)
        lines = self.editor.fontMetrics().lineSpacing()
        self.editor.setMinimumHeight(3 * lines + 12)
        self.editor.setMaximumHeight(8 * lines + 12)  # a long program scrolls; the table stays

    def problem(self) -> ExpressionProblem | None:
        problem = self.document.exercise.problem
        return problem if isinstance(problem, ExpressionProblem) else None

    # -- edits --------------------------------------------------------------------------

    def apply_program(self) -> None:
        problem = self.problem()
        program = self.editor.toPlainText().strip()
        if problem is None or self.document.exercise.is_locked("expression"):
            return
        if program == problem.program:
            self.show_error("")
            return
        try:
            new = with_program(problem, program)
        except ExpressionError as error:
            self.show_error(str(error), error.line, error.column)
            return
        self._commit("Change the program", new)

    def set_value(self, name: str, text: str) -> None:
        problem = self.problem()
        if problem is None or self._locked(name):
            return
        try:
            value = parse_value(name, text)
        except ValueError as error:
            self.show_error(str(error))
            self._fill_table(problem)  # put the old number back
            return
        if value == problem.values.get(name):
            return
        try:
            new = dataclasses.replace(problem, values={**problem.values, name: value})
        except ExpressionError as error:
            self.show_error(str(error))
            self._fill_table(problem)
            return
        self._commit(f"{name} = {text.strip()}", new)

    def _commit(self, description: str, problem: ExpressionProblem) -> None:
        self.show_error("")
        self.document.edit(description, self.document.exercise.with_problem(problem))

    def show_error(self, message: str, line: int | None = None, column: int = 1) -> None:
        """Say what is wrong; with a line, put the text cursor on the offending character."""
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))
        if line is None:
            return
        block = self.editor.document().findBlockByNumber(max(0, line - 1))
        if not block.isValid():
            return
        cursor = QTextCursor(block)
        cursor.movePosition(QTextCursor.MoveOperation.Right, QTextCursor.MoveMode.MoveAnchor,
                            min(max(0, column - 1), block.length() - 1))
        self.editor.setTextCursor(cursor)
        self.editor.setFocus()

    # -- echoing the document -------------------------------------------------------------

    def _locked(self, name: str) -> bool:
        exercise = self.document.exercise
        return exercise.is_locked("expression") or exercise.is_locked(f"variables.{name}")

    def _on_exercise_change(self) -> None:
        problem = self.problem()
        if problem is None:
            return
        if self.editor.toPlainText() != problem.program:
            self.editor.setPlainText(problem.program)
        read_only = self.document.exercise.is_locked("expression")
        self.editor.setReadOnly(read_only)
        self.apply_button.setEnabled(not read_only)
        self._fill_table(problem)

    def _fill_table(self, problem: ExpressionProblem) -> None:
        """Refill in place: the item being edited may still be in its own itemChanged."""
        with QSignalBlocker(self.table):
            self.table.setRowCount(len(problem.variables))
            for row, name in enumerate(problem.variables):
                label, value = self._row_items(row)
                label.setText(name)
                label.setFlags(Qt.ItemFlag.ItemIsEnabled)
                value.setText(f"{float(problem.values[name]):g}")
                value.setData(Qt.ItemDataRole.UserRole, name)
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                locked = self._locked(name)
                if not locked:
                    flags |= Qt.ItemFlag.ItemIsEditable
                value.setFlags(flags)
                value.setToolTip(f"{name} is locked by the exercise" if locked else
                                 f"Type a new value for {name}")

    def _row_items(self, row: int) -> tuple[QTableWidgetItem, QTableWidgetItem]:
        for column in (0, 1):
            if self.table.item(row, column) is None:
                self.table.setItem(row, column, QTableWidgetItem())
        return self.table.item(row, 0), self.table.item(row, 1)

    def _on_item_change(self, item: QTableWidgetItem) -> None:
        name = item.data(Qt.ItemDataRole.UserRole)
        if item.column() == 1 and name:
            self.set_value(name, item.text())


class ParametersStack(QStackedWidget):
    """The network parameters panel or the expression panel, whichever fits the exercise."""

    def __init__(self, document: Document, network_panel: QWidget,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("parameters_stack")
        self.document = document
        self.network_panel = network_panel
        self.expression_panel = ExpressionPanel(document)
        self.addWidget(network_panel)
        self.addWidget(self.expression_panel)
        document.structure_changed.connect(self._on_structure_change)
        self._on_structure_change()

    def _on_structure_change(self) -> None:
        is_network = isinstance(self.document.exercise.problem, NetworkProblem)
        self.setCurrentWidget(self.network_panel if is_network else self.expression_panel)
        self.updateGeometry()

    def minimumSizeHint(self) -> QSize:
        """The page shown only: the hidden one's minimum kept the dock ~250 px tall when it
        shares a few rows with the trace on a short screen."""
        current = self.currentWidget()
        return current.minimumSizeHint() if current is not None else super().minimumSizeHint()
