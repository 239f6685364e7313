"""The trace table: every step of the run as a row, linked to the document's cursor.

Steps after the cursor are pending and show their formula but no numbers, so a student can
predict before revealing; while a quiz question is open they hide the formula too.  A batch
trace names each row's sample as the sheet does (x₁, or "sample 1 of 2"; "whole batch").
Selecting a row moves the cursor; moving the cursor selects and
scrolls to the row.
"""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QItemSelectionModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from tutor.engine.notation import to_unicode
from tutor.session.samples import sample_count_of, sample_name, sample_template

from . import style
from .document import Document
from .text import PHASE_NAMES, drawable


class Column(IntEnum):
    PHASE = 0
    SAMPLE = 1
    QUANTITY = 2
    FORMULA = 3
    NUMBERS = 4
    RESULT = 5


HEADERS = {Column.PHASE: "Phase", Column.SAMPLE: "Sample", Column.QUANTITY: "Quantity",
           Column.FORMULA: "Formula", Column.NUMBERS: "With numbers", Column.RESULT: "Result"}
PENDING = "…"
HIDDEN = "?"  # a pending step's formula while a quiz runs: it would give the answer away
LABELS = (Column.PHASE, Column.SAMPLE, Column.QUANTITY)  # sized to the (bold) current row
_DISPLAY = Qt.ItemDataRole.DisplayRole
_STYLED = frozenset({Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.FontRole,
                     Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole})
SIZE_PRECISION = 200  # rows sampled to size a column: a 784-128-10 trace has ~1,000 steps


class TraceModel(QAbstractTableModel):
    """Read-only rows over ``document.trace``; pending rows hide their numbers."""

    def __init__(self, document: Document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self._cursor = document.cursor
        # markup rendered lazily, once per cell and trace: a large trace has thousands of rows
        self._cells: dict[tuple[int, Column], str] = {}
        self._keys = tuple(step.key for step in document.trace)  # the rows' identities
        self._quiz = False  # a quiz question is open: pending rows hide their formula too
        self._samples = self._sample_names()
        document.trace_changed.connect(self._on_trace_change)
        document.cursor_changed.connect(self._on_cursor_change)
        style.theme().changed.connect(self._on_theme_change)

    def rowCount(self, parent: QModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._document.trace)

    def columnCount(self, parent: QModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return HEADERS[Column(section)]
        return str(section + 1)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        # called ~2,000 times per new trace (sizing, painting): the common roles come first
        if not index.isValid():
            return None
        row = index.row()
        if role == _DISPLAY:
            return self._text(row, Column(index.column()), row > self._cursor)
        if role not in _STYLED:
            return None
        pending = row > self._cursor
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._document.trace[row].explanation or None
        if role == Qt.ItemDataRole.FontRole and index.row() == self._cursor:
            font = QFont()
            font.setBold(True)
            return font
        palette = style.theme().palette
        if role == Qt.ItemDataRole.BackgroundRole and index.row() == self._cursor:
            return QBrush(palette.color("current"))
        if role == Qt.ItemDataRole.ForegroundRole:
            if index.row() == self._cursor:
                return QBrush(palette.color("text")) if palette.name != "dark" else None
            if pending:
                return QBrush(palette.color("pending"))
        return None

    @property
    def quiz_running(self) -> bool:
        return self._quiz

    def set_quiz_running(self, running: bool) -> None:
        """While a quiz question is open, pending rows show neither formula nor numbers."""
        if running != self._quiz:
            self._quiz = running
            if self.rowCount():
                self.dataChanged.emit(self.index(0, Column.FORMULA),
                                      self.index(self.rowCount() - 1, Column.FORMULA))

    def _sample_names(self) -> dict[int | None, str]:
        """"x₁" / "sample 1 of 2" / "whole batch" per sample of the trace ({} for one pass)."""
        trace = self._document.trace
        count = sample_count_of(trace)
        if not count:
            return {}
        template = sample_template(self._document.exercise.problem)
        samples = {step.sample for step in trace.steps}
        return {s: sample_name(template, s, count) for s in samples}

    def _render(self, row: int, column: Column) -> str:
        """One cell of a step as Unicode text."""
        step = self._document.trace[row]
        if column is Column.PHASE:
            return PHASE_NAMES[step.phase]
        if column is Column.SAMPLE:
            return self._samples.get(step.sample, "")
        markup = {Column.QUANTITY: step.lhs, Column.FORMULA: step.formula,
                  Column.NUMBERS: step.numbers}.get(column)
        return drawable(to_unicode(step.result_markup() if markup is None else markup))

    def _text(self, row: int, column: Column, pending: bool) -> str:
        if pending and column in (Column.NUMBERS, Column.RESULT):
            return PENDING
        if pending and self._quiz and column is Column.FORMULA:
            return HIDDEN
        text = self._cells.get((row, column))
        if text is None:
            text = self._cells[row, column] = self._render(row, column)
        return text

    def _on_trace_change(self) -> None:
        trace = self._document.trace
        keys = tuple(step.key for step in trace)
        self._cells = {}
        self._samples = self._sample_names()
        if keys == self._keys and len(keys):  # the same steps with new numbers (an edit)
            self._cursor = self._document.cursor
            self.dataChanged.emit(self.index(0, 0), self.index(len(keys) - 1, len(Column) - 1))
            return
        self.beginResetModel()
        self._keys = keys
        self._cursor = self._document.cursor
        self.endResetModel()

    def _on_cursor_change(self, cursor: int) -> None:
        old, self._cursor = self._cursor, cursor
        if old == cursor:  # e.g. after an edit, whose new trace already refreshed every row
            return
        first, last = max(min(old, cursor), 0), max(old, cursor)  # −1: before step 1
        if self.rowCount() and last < self.rowCount():
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(Column) - 1))

    def _on_theme_change(self) -> None:
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(self.rowCount() - 1, len(Column) - 1))


class TraceTable(QTableView):
    """The table view; its selection and the document's cursor follow each other."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trace_table")
        self._document = document
        self.setModel(TraceModel(document, self))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        header = self.horizontalHeader()
        # phases and quantities change with the steps and the bold current row, never with an
        # edit's numbers: sized here, so that an edit re-measures only the results
        header.setSectionResizeMode(Column.RESULT, QHeaderView.ResizeMode.ResizeToContents)
        for column in (*LABELS, Column.FORMULA):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.NUMBERS, QHeaderView.ResizeMode.Stretch)
        header.setResizeContentsPrecision(SIZE_PRECISION)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.selectionModel().currentRowChanged.connect(self._on_row_change)
        document.cursor_changed.connect(self._on_cursor_change)
        document.trace_changed.connect(self._on_trace_change)
        self.model().modelReset.connect(self._fit_labels)
        style.theme().changed.connect(self._fit_labels)
        self._formulas: tuple[str, ...] | None = None
        self._labels_fitted_at: int | None = None  # the cursor when they were last sized
        self._on_trace_change()
        self._fit_labels()

    def _on_row_change(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self._document.set_cursor(current.row())

    def _on_cursor_change(self, cursor: int) -> None:
        if cursor != self._labels_fitted_at:  # the current row is bold
            self._widen_labels_for(cursor)
        self._select(cursor)

    def _widen_labels_for(self, row: int) -> None:
        """Room for the labels of the new current row only: re-measuring 200 rows of both
        columns took 8 ms of every step on a 784-128-10 trace."""
        self._labels_fitted_at = row
        if not 0 <= row < self.model().rowCount():
            return
        grid = 1 if self.showGrid() else 0  # as resizeColumnToContents counts it
        for column in LABELS:
            needed = self.sizeHintForIndex(self.model().index(row, column)).width() + grid
            if needed > self.columnWidth(column):
                self.setColumnWidth(column, needed)

    def _fit_labels(self) -> None:
        self._labels_fitted_at = self._document.cursor
        for column in LABELS:
            self.resizeColumnToContents(column)

    def set_quiz_running(self, running: bool) -> None:
        self.model().set_quiz_running(running)

    def _on_trace_change(self) -> None:
        # one pass (every single-sample sheet) has nothing to name: no empty column
        self.setColumnHidden(Column.SAMPLE, not sample_count_of(self._document.trace))
        formulas = tuple(step.formula for step in self._document.trace)
        if formulas != self._formulas:  # an edit changes numbers, not formulas
            self._formulas = formulas
            self.resizeColumnToContents(Column.FORMULA)
        self._select(self._document.cursor)

    def _select(self, row: int) -> None:
        model = self.model()
        if not 0 <= row < model.rowCount():
            return
        index = model.index(row, 0)
        if self.selectionModel().currentIndex().row() != row:
            flags = (QItemSelectionModel.SelectionFlag.ClearAndSelect
                     | QItemSelectionModel.SelectionFlag.Rows)
            self.selectionModel().setCurrentIndex(index, flags)
        self.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)  # context both ways
