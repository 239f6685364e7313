"""A table of numbers over a :class:`~.table_sources.TableSource`: the model holds no
numbers of its own (it reads the document every time and writes through ``document.edit``),
and the view sizes itself to its numbers."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QPaintEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from tutor.engine import NetworkProblem
from tutor.engine.notation import format_number, to_unicode
from tutor.engine.numbers import parse_number
from tutor.exercise import Exercise

from .. import style
from ..document import Document
from ..text import drawable
from .table_sources import TableSource

LAYOUT_ENTRIES = ("symbols", "rows", "columns")  # read from the network and sample count


class NumberTableModel(QAbstractTableModel):
    """A table of numbers over a :class:`TableSource`; it holds no numbers itself."""

    error_reported = Signal(str)

    def __init__(self, document: Document, source: TableSource,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self._source = source
        self._cache_for: object = None
        self._cache: dict[str, object] = {}
        self._layout: object = None  # what the symbols and headers in the cache were read for
        self._shown = (document.exercise, self._values())  # what the views last read
        self._detached = False
        document.exercise_changed.connect(self._on_exercise_change)

    def _problem(self) -> NetworkProblem:
        return self._document.exercise.problem  # type: ignore[return-value]

    def _cached(self, name: str, read: Callable[[], object]):
        """Read once per exercise: Qt asks for every cell and header again and again, and a
        784-input layer would otherwise rebuild its matrix millions of times."""
        exercise = self._document.exercise
        if self._cache_for is not exercise:
            self._cache_for, self._cache = exercise, self._kept_for(exercise)
        if name not in self._cache:
            self._cache[name] = read()
        return self._cache[name]

    def _kept_for(self, exercise: Exercise) -> dict[str, object]:
        """What stays true for ``exercise``: symbols and headers follow the network and the
        number of samples alone, and a Run's 100,000 new numbers need not rebuild them."""
        problem, layout = exercise.problem, None
        if isinstance(problem, NetworkProblem):
            layout = (problem.network, len(problem.data))
        same = layout is not None and layout == self._layout
        self._layout = layout
        return {name: self._cache[name] for name in LAYOUT_ENTRIES
                if same and name in self._cache}

    def _values(self) -> np.ndarray:
        return self._cached("values", self._read_values)

    def _read_values(self) -> np.ndarray:
        """The numbers, or an empty table while the panel is being rebuilt for another
        structure (an expression, a removed layer)."""
        problem = self._problem()
        if not isinstance(problem, NetworkProblem):
            return np.zeros((0, 0))
        try:
            return np.atleast_2d(self._source.values(problem))
        except (IndexError, ValueError):
            return np.zeros((0, 0))

    def detach(self) -> None:
        """Stop following the document; a reset drops any open cell editor uncommitted."""
        if self._detached:
            return
        self._detached = True
        self._document.exercise_changed.disconnect(self._on_exercise_change)
        self.beginResetModel()
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else self._values().shape[0]

    def columnCount(self, parent: QModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else self._values().shape[1]

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole or not self._values().size:
            return None
        horizontal = orientation == Qt.Orientation.Horizontal
        names = self._cached("columns" if horizontal else "rows", lambda: (
            self._source.columns if horizontal else self._source.rows)(self._problem()))
        return drawable(names[section]) if section < len(names) else str(section + 1)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return format_number(float(self._values()[index.row(), index.column()]))
        if role == Qt.ItemDataRole.ToolTipRole:
            symbol = to_unicode(self._symbol(index.row(), index.column()))
            locked = self._is_locked(index.row(), index.column())
            return drawable(f"{symbol}{' (locked by the exercise)' if locked else ''}")
        if role == Qt.ItemDataRole.ForegroundRole and self._is_locked(index.row(),
                                                                      index.column()):
            return QBrush(style.theme().palette.color("pending"))  # read-only shows grey
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.isValid() and not self._is_locked(index.row(), index.column()):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: QModelIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if self._detached or not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        if self._is_locked(index.row(), index.column()):
            self.error_reported.emit("This number is locked by the exercise.")
            return False
        try:
            number = parse_number(str(value))
            problem = self._source.setter(self._problem(), index.row(), index.column(), number)
        except ValueError as error:
            self.error_reported.emit(str(error))
            return False
        symbol = to_unicode(self._symbol(index.row(), index.column()))
        exercise = self._document.exercise
        self._document.edit(f"Set {symbol} = {format_number(number)}",
                            exercise.with_problem(problem))
        self.error_reported.emit("")
        return True

    def _symbol(self, row: int, column: int) -> str:
        symbols = self._cached("symbols", lambda: self._source.symbols(self._problem()))
        return str(symbols[row, column]) if symbols.shape == self._values().shape else ""

    def _is_locked(self, row: int, column: int) -> bool:
        return self._document.exercise.is_locked(self._source.locked(row, column))

    def _on_exercise_change(self) -> None:
        # same shape: refresh in place, so an open editor is not torn down mid-commit
        (old_exercise, old_values), values = self._shown, self._values()
        self._shown = (self._document.exercise, values)
        shape = values.shape
        if shape != old_values.shape:  # a resize, not new values
            self.beginResetModel()
            self.endResetModel()
            return
        if not values.size:
            return
        first, last = (0, 0), (shape[0] - 1, shape[1] - 1)
        if _only_numbers_changed(old_exercise, self._document.exercise):
            # re-measuring every column of a table for one edited cell is most of an edit
            changed = np.argwhere(~_same_numbers(old_values, values))
            if not len(changed):
                return
            first, last = tuple(changed.min(axis=0)), tuple(changed.max(axis=0))
        self.dataChanged.emit(self.index(*first), self.index(*last))


def _only_numbers_changed(old: Exercise, new: Exercise) -> bool:
    """Same network and locks: symbols, headers and read-only cells are as they were."""
    a, b = old.problem, new.problem
    return (isinstance(a, NetworkProblem) and isinstance(b, NetworkProblem)
            and a.network == b.network and old.locked == new.locked)


def _same_numbers(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a == b) | (np.isnan(a) & np.isnan(b))


LARGE_TABLE_CELLS = 2_000
LARGE_TABLE_HEIGHT = 260


class NumberTable(QTableView):
    """A compact table that sizes itself to its numbers.

    The headers do not size themselves (``ResizeToContents``): they would measure every cell
    again, for the widths and for the heights, whenever any number changes.  The table
    measures the columns whose numbers changed instead, and a table out of sight (scrolled
    away, its dock hidden) only when it is next painted: the end of a Run changes every
    number of every table at once.
    """

    def __init__(self, model: NumberTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustToContents)
        for header in (self.horizontalHeader(), self.verticalHeader()):
            header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self._stale_columns: tuple[int, int] | None = None  # first, last not yet measured
        self._stale_rows = False
        model.modelReset.connect(self._fit)
        model.dataChanged.connect(self._on_data_change)
        self.horizontalScrollBar().rangeChanged.connect(self._on_width_range_change)
        self._fit()

    def _on_data_change(self, first: QModelIndex, last: QModelIndex) -> None:
        """New numbers: only the columns they are in can change width; heights stay."""
        if not self._is_large():
            self._mark_stale(first.column(), last.column())

    def _mark_stale(self, first: int, last: int) -> None:
        if self._stale_columns is not None:
            first, last = min(first, self._stale_columns[0]), max(last, self._stale_columns[1])
        self._stale_columns = (first, last)
        if not self.visibleRegion().isEmpty():
            self._fit_stale()

    def _fit_stale(self) -> None:
        if self._stale_columns is not None:
            (first, last), self._stale_columns = self._stale_columns, None
            if 2 * (last - first + 1) > self.model().columnCount():
                self.resizeColumnsToContents()  # the header lays out once, not per column
            else:
                for column in range(first, last + 1):
                    self.resizeColumnToContents(column)
        if self._stale_rows:
            self._fit_rows()

    def _fit_rows(self) -> None:
        """Every row is one line of numbers in one font: measuring one sizes them all."""
        self._stale_rows = False
        header = self.verticalHeader()
        if self.model().rowCount():
            header.setDefaultSectionSize(max(self.sizeHintForRow(0), header.sectionSizeHint(0)))
        self._fit_height()

    def _fit_height(self) -> None:
        """Every row in view, above the scroll bar of a table wider than the panel."""
        height = self.horizontalHeader().height() + 2 * self.frameWidth() + 2
        height += self.model().rowCount() * self.verticalHeader().defaultSectionSize()
        bar = self.horizontalScrollBar()
        if bar.maximum() > bar.minimum():
            height += bar.sizeHint().height()
        self.setFixedHeight(height)

    def _on_width_range_change(self) -> None:
        if not self._is_large():  # a large table scrolls both ways in its fixed height
            self._fit_height()

    def paintEvent(self, event: QPaintEvent) -> None:
        self._fit_stale()  # before painting, so no number shows cut off
        super().paintEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit(now=False)  # measured once every header has the new font too

    def _is_large(self) -> bool:
        model = self.model()
        return model.rowCount() * model.columnCount() > LARGE_TABLE_CELLS

    def _fit(self, now: bool = True) -> None:
        """Size every column and row: a new shape, or a new font.  The widths of a table out
        of sight wait for its first paint: a 10×128 matrix below the fold took 70 ms."""
        self._stale_columns, self._stale_rows = None, False
        large = self._is_large()
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded if large
                                        else Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        if large:  # measuring 100,000 cells would freeze the window; scroll instead
            self.setFixedHeight(LARGE_TABLE_HEIGHT)
            return
        self._stale_columns, self._stale_rows = (0, self.model().columnCount() - 1), True
        if not now:  # a new font: once every header has it too
            self.viewport().update()
            return
        self._fit_rows()  # at once: the height places whatever lies below in the panel
        if not self.visibleRegion().isEmpty():
            self._fit_stale()
