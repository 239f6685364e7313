"""The parameters panel: every number of the network, editable in the sheet's own form.

Each weight matrix is shown as the sheet writes it (intercept column folded in, maybe
transposed) with its shape in the title, next to its layer's activation and size; below
come the inputs and targets.  Tables read their numbers from the document every time and
write through ``document.edit``; an invalid number shows a message and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QSignalBlocker,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tutor.engine import BiasMode, NetworkProblem
from tutor.engine import edit as edits
from tutor.engine.activations import DISPLAY, NAMES
from tutor.engine.network import (
    Network,
    input_symbols,
    layer_symbols,
    target_symbols,
)
from tutor.engine.notation import format_number, to_html, to_unicode
from tutor.exercise import Exercise
from tutor.exercise.atomic import write_atomically
from tutor.exercise.dataset_csv import DatasetCsvError, dataset_csv, read_dataset_csv

from . import style
from .document import Document

MAX_NEURONS = 16
MAX_INPUTS = 8
CSV_FILTER = "CSV tables (*.csv);;All files (*)"

Setter = Callable[[NetworkProblem, int, int, float], NetworkProblem]
LAYOUT_ENTRIES = ("symbols", "rows", "columns")  # read from the network and sample count


@dataclass(frozen=True)
class TableSource:
    """How one table reads and writes the problem; symbols name every cell."""

    values: Callable[[NetworkProblem], np.ndarray]  # 2-D
    setter: Setter
    symbols: Callable[[NetworkProblem], np.ndarray]  # 2-D, markup per cell
    locked: Callable[[int, int], str]  # the exercise field that guards a cell
    rows: Callable[[NetworkProblem], list[str]]
    columns: Callable[[NetworkProblem], list[str]]


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
        return names[section] if section < len(names) else str(section + 1)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return format_number(float(self._values()[index.row(), index.column()]))
        if role == Qt.ItemDataRole.ToolTipRole:
            symbol = to_unicode(self._symbol(index.row(), index.column()))
            locked = self._is_locked(index.row(), index.column())
            return f"{symbol}{' (locked by the exercise)' if locked else ''}"
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
            number = edits.parse_number(str(value))
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


# --------------------------------------------------------------------------- sources

def _previous_symbols(network: Network, layer: int) -> list[str]:
    if layer == 0:
        return list(input_symbols(network))
    return list(layer_symbols(network, layer - 1).act)


def _folded(network: Network, layer: int, weights: list[list[str]], biases: list[str],
            columns: list[str]) -> tuple[np.ndarray, list[str]]:
    """Symbols of the display matrix (before transposing) and its column names."""
    spec, syms = network.layers[layer], layer_symbols(network, layer)
    matrix = np.array(weights, dtype=object).reshape(spec.size, network.sizes[layer])
    if spec.bias is BiasMode.FOLDED:
        bias = np.array(biases, dtype=object)[:, None]
        last = spec.notation.intercept_last
        matrix = np.hstack([matrix, bias] if last else [bias, matrix])
        columns = [*columns, syms.intercept] if last else [syms.intercept, *columns]
    return matrix, columns


def weight_source(layer: int) -> TableSource:
    """Layer ``layer``'s display matrix (bias folded in when the sheet folds it)."""

    def symbols_and_labels(problem: NetworkProblem) -> tuple[np.ndarray, list[str], list[str]]:
        network = problem.network
        syms = layer_symbols(network, layer)
        matrix, columns = _folded(network, layer, [list(r) for r in syms.weights],
                                  list(syms.biases), _previous_symbols(network, layer))
        rows = list(syms.pre)
        if network.layers[layer].notation.transposed:
            return matrix.T, columns, rows
        return matrix, rows, columns

    def locked(row: int, column: int) -> str:
        return f"parameters.W{layer + 1}"

    return TableSource(
        values=lambda p: edits.display_parameters(p, layer),
        setter=lambda p, r, c, v: edits.set_display_entry(p, layer, r, c, v),
        symbols=lambda p: symbols_and_labels(p)[0],
        locked=locked,
        rows=lambda p: [to_unicode(s) for s in symbols_and_labels(p)[1]],
        columns=lambda p: [to_unicode(s) for s in symbols_and_labels(p)[2]],
    )


def bias_source(layer: int) -> TableSource:
    """A separate bias vector, shown as one column."""

    def values(problem: NetworkProblem) -> np.ndarray:
        bias = problem.params.biases[layer]
        return np.zeros((0, 1)) if bias is None else bias[:, None]

    return TableSource(
        values=values,
        setter=lambda p, r, c, v: edits.set_bias(p, layer, r, v),
        symbols=lambda p: np.array(layer_symbols(p.network, layer).biases, dtype=object)[:, None],
        locked=lambda r, c: f"parameters.b{layer + 1}",
        rows=lambda p: [to_unicode(s) for s in layer_symbols(p.network, layer).pre],
        columns=lambda p: [to_unicode(layer_symbols(p.network, layer).bias_vector)],
    )


def _sample_names(problem: NetworkProblem) -> list[str]:
    return [f"Sample {n + 1}" for n in range(len(problem.data))]


def _repeat(names: tuple[str, ...], rows: int) -> np.ndarray:
    return np.array([list(names)] * rows, dtype=object).reshape(rows, len(names))


def _data_source(values: Callable[[NetworkProblem], np.ndarray], setter: Setter,
                 symbols: Callable[[Network], tuple[str, ...]]) -> TableSource:
    """One row per sample, one column per input (or target)."""
    return TableSource(
        values=values,
        setter=setter,
        symbols=lambda p: _repeat(symbols(p.network), len(p.data)),
        locked=lambda r, c: "data",
        rows=_sample_names,
        columns=lambda p: [to_unicode(s) for s in symbols(p.network)],
    )


def input_source() -> TableSource:
    return _data_source(lambda p: p.data.inputs, edits.set_input, input_symbols)


def target_source() -> TableSource:
    return _data_source(lambda p: p.data.targets, edits.set_target, target_symbols)


# --------------------------------------------------------------------------- widgets

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


def _html_label(markup: str, name: str) -> QLabel:
    label = QLabel(to_html(markup), objectName=name)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


class LayerBox(QGroupBox):
    """One layer: its matrix (and bias), activation, size and removal."""

    def __init__(self, panel: ParametersPanel, layer: int) -> None:
        super().__init__(f"Layer {layer + 1}", panel)
        self.setObjectName(f"layer_box_{layer + 1}")
        document, problem = panel.document, panel.problem()
        network, spec = problem.network, problem.network.layers[layer]
        syms = layer_symbols(network, layer)
        shape = edits.display_parameters(problem, layer).shape
        layout = QVBoxLayout(self)
        layout.addWidget(_html_label(f"{syms.weight_matrix} ∈ ℝ^{{{shape[0]}×{shape[1]}}}",
                                     f"title_W{layer + 1}"))
        self.weights = NumberTable(panel.model(weight_source(layer)))
        self.weights.setObjectName(f"table_W{layer + 1}")
        layout.addWidget(self.weights)
        if spec.bias is BiasMode.SEPARATE:
            layout.addWidget(_html_label(f"{syms.bias_vector} ∈ ℝ^{{{spec.size}}}",
                                         f"title_b{layer + 1}"))
            self.bias = NumberTable(panel.model(bias_source(layer)))
            self.bias.setObjectName(f"table_b{layer + 1}")
            layout.addWidget(self.bias)
        layout.addLayout(self._controls(panel, layer))
        locked = document.exercise.is_locked("network")
        for widget in (self.activation, self.size, *([self.remove] if self.remove else [])):
            widget.setEnabled(not locked)

    def _controls(self, panel: ParametersPanel, layer: int) -> QHBoxLayout:
        spec = panel.problem().network.layers[layer]
        row = QHBoxLayout()
        self.activation = QComboBox(objectName=f"activation_{layer + 1}")
        self.activation.setToolTip(f"Activation of layer {layer + 1}")
        for name in NAMES:
            self.activation.addItem(DISPLAY[name], name)
        self.activation.setCurrentIndex(NAMES.index(spec.activation.name))
        self.activation.currentIndexChanged.connect(
            lambda i: panel.set_activation(layer, self.activation.itemData(i)))
        self.size = QSpinBox(objectName=f"neurons_{layer + 1}")
        self.size.setRange(1, MAX_NEURONS)
        self.size.setValue(spec.size)
        self.size.setKeyboardTracking(False)
        self.size.setSuffix(" neurons" if spec.size != 1 else " neuron")
        self.size.setToolTip(f"Number of neurons in layer {layer + 1}")
        self.size.valueChanged.connect(lambda n: panel.resize_layer(layer, n))
        row.addWidget(self.activation)
        row.addWidget(self.size)
        self.remove: QPushButton | None = None
        if layer < len(panel.problem().network.layers) - 1:
            self.remove = QPushButton("Remove layer", objectName=f"remove_layer_{layer + 1}")
            self.remove.setToolTip(f"Remove hidden layer {layer + 1}")
            self.remove.clicked.connect(lambda: panel.remove_layer(layer))
            row.addWidget(self.remove)
        row.addStretch(1)
        return row


class DataBox(QGroupBox):
    """Inputs and targets, one row per sample."""

    def __init__(self, panel: ParametersPanel) -> None:
        super().__init__("Data", panel)
        self.setObjectName("data_box")
        problem = panel.problem()
        locked_data = panel.document.exercise.is_locked("data")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Inputs"))
        self.inputs = NumberTable(panel.model(input_source()))
        self.inputs.setObjectName("table_inputs")
        layout.addWidget(self.inputs)
        layout.addWidget(QLabel("Targets"))
        self.targets = NumberTable(panel.model(target_source()))
        self.targets.setObjectName("table_targets")
        layout.addWidget(self.targets)
        row = QHBoxLayout()
        self.input_size = QSpinBox(objectName="input_size")
        self.input_size.setRange(1, MAX_INPUTS)
        self.input_size.setValue(problem.network.input_size)
        self.input_size.setKeyboardTracking(False)
        self.input_size.setSuffix(" inputs")
        self.input_size.setToolTip("Number of inputs")
        self.input_size.setEnabled(not panel.document.exercise.is_locked("network"))
        self.input_size.valueChanged.connect(panel.resize_input)
        add = QPushButton("Add sample", objectName="add_sample")
        add.setToolTip("Append a copy of the last sample")
        add.clicked.connect(panel.add_sample)
        self.remove_sample = QPushButton("Remove last sample", objectName="remove_sample")
        self.remove_sample.setToolTip("Remove the last sample")
        self.remove_sample.clicked.connect(panel.remove_last_sample)
        self.update_enabled(panel)
        add.setEnabled(not locked_data)
        for widget in (self.input_size, add, self.remove_sample):
            row.addWidget(widget)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addLayout(self._csv_row(panel, locked_data))

    def _csv_row(self, panel: ParametersPanel, locked_data: bool) -> QHBoxLayout:
        import_button = QPushButton("Import CSV…", objectName="import_data_csv")
        import_button.setToolTip("Replace the samples with a CSV table: the inputs, then the "
                                 "targets, one row per sample (a header row is optional)")
        import_button.clicked.connect(panel.import_csv)
        import_button.setEnabled(not locked_data)
        export_button = QPushButton("Export CSV…", objectName="export_data_csv")
        export_button.setToolTip("Save the samples as a CSV table")
        export_button.clicked.connect(panel.export_csv)
        row = QHBoxLayout()
        row.addWidget(import_button)
        row.addWidget(export_button)
        row.addStretch(1)
        return row

    def update_enabled(self, panel: ParametersPanel) -> None:
        locked = panel.document.exercise.is_locked("data")
        self.remove_sample.setEnabled(len(panel.problem().data) > 1 and not locked)


class ParametersPanel(QScrollArea):
    """All the numbers; rebuilt when the network's structure changes."""

    error_reported = Signal(str)  # "" clears the message

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("parameters_panel")
        self.document = document
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.error_label = QLabel(objectName="parameters_error")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #D55E00; font-weight: bold;")
        self._models: list[NumberTableModel] = []
        self.layer_boxes: list[LayerBox] = []
        self.data_box: DataBox | None = None
        self._seed_value = 0  # survives the rebuild that a new layer size causes
        document.structure_changed.connect(self._rebuild)
        document.exercise_changed.connect(self._on_exercise_change)
        self._rebuild()

    def problem(self) -> NetworkProblem:
        return self.document.exercise.problem  # type: ignore[return-value]

    def model(self, source: TableSource) -> NumberTableModel:
        model = NumberTableModel(self.document, source, self)
        model.error_reported.connect(self.show_error)
        self._models.append(model)
        return model

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))
        self.error_reported.emit(message)

    # -- edits: each builds a new problem with tutor.engine.edit and hands it to the document

    def _apply(self, description: str, change: Callable[[NetworkProblem], NetworkProblem]) -> None:
        try:
            problem = change(self.problem())
        except ValueError as error:
            self.show_error(str(error))
            self._on_exercise_change()  # put the controls back to the truth
            return
        self.show_error("")
        self.document.edit(description, self.document.exercise.with_problem(problem))

    def set_activation(self, layer: int, name: str) -> None:
        self._apply(f"Layer {layer + 1} activation {DISPLAY[name]}",
                    lambda p: edits.set_activation(p, layer, name))

    def resize_layer(self, layer: int, size: int) -> None:
        if size != self.problem().network.layers[layer].size:
            self._apply(f"Layer {layer + 1} with {size} neurons",
                        lambda p: edits.resize_layer(p, layer, size, seed=size))

    def resize_input(self, size: int) -> None:
        if size != self.problem().network.input_size:
            self._apply(f"{size} inputs", lambda p: edits.resize_input(p, size))

    def add_layer(self) -> None:
        layers = len(self.problem().network.layers)
        self._apply("Add a hidden layer",
                    lambda p: edits.add_hidden_layer(p, layers - 1, 2, "relu", seed=layers))

    def randomize(self, seed: int) -> None:
        self._apply(f"Randomize weights (seed {seed})",
                    lambda p: edits.randomize_parameters(p, seed))

    def import_csv(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import samples", "", CSV_FILTER)
        if path:
            self.import_csv_file(Path(path))

    def import_csv_file(self, path: Path) -> None:
        """Replace the dataset with a CSV file's samples (one undo step); errors are shown."""
        network = self.problem().network
        try:
            data = read_dataset_csv(path, network.input_size, network.output_size)
        except DatasetCsvError as error:
            self.show_error(f"{path.name}: {error}")
            return
        self._apply(f"Import {len(data)} samples from {path.name}",
                    lambda p: edits.set_dataset(p, data))

    def export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export samples", "samples.csv", CSV_FILTER)
        if path:
            self.export_csv_file(Path(path))

    def export_csv_file(self, path: Path) -> bool:
        try:
            write_atomically(path, dataset_csv(self.problem()))
        except OSError as error:
            self.show_error(f"Could not write {path.name}: {error.strerror or error}")
            return False
        return True

    def remove_layer(self, layer: int) -> None:
        self._apply(f"Remove layer {layer + 1}", lambda p: edits.remove_hidden_layer(p, layer))

    def add_sample(self) -> None:
        self._apply("Add a sample", edits.add_sample)

    def remove_last_sample(self) -> None:
        last = len(self.problem().data) - 1
        self._apply("Remove a sample", lambda p: edits.remove_sample(p, last))

    # -- rendering

    def _rebuild(self) -> None:
        for model in self._models:  # first: taking the tables away moves the focus out of
            model.detach()  # an open cell editor, which would commit into the new exercise
        old = self.takeWidget()
        if old is not None:
            self.error_label.setParent(None)
            old.deleteLater()  # a control of the old content may still be emitting
        for model in self._models:
            model.detach()
            model.deleteLater()
        self._models = []
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(self.error_label)
        self.error_label.setVisible(bool(self.error_label.text()))
        self.layer_boxes, self.data_box = [], None
        if isinstance(self.document.exercise.problem, NetworkProblem):
            self._build_network(layout)
        else:
            layout.addWidget(QLabel("This exercise is an expression: its variables are "
                                    "edited in the computation graph."))
        layout.addStretch(1)
        self.setWidget(content)

    def _build_network(self, layout: QVBoxLayout) -> None:
        layers = len(self.problem().network.layers)
        for layer in range(layers):
            box = LayerBox(self, layer)
            self.layer_boxes.append(box)
            layout.addWidget(box)
        add = QPushButton("Add hidden layer", objectName="add_layer")
        add.setToolTip("Insert a hidden layer of 2 ReLU neurons before the output layer")
        add.clicked.connect(self.add_layer)
        add.setEnabled(not self.document.exercise.is_locked("network"))
        layout.addWidget(add)
        layout.addLayout(self._randomize_row())
        self.data_box = DataBox(self)
        layout.addWidget(self.data_box)

    def _randomize_row(self) -> QHBoxLayout:
        """Randomize with a visible seed, so a class can reproduce the same start."""
        self.randomize_button = QPushButton("Randomize weights", objectName="randomize_weights")
        self.randomize_button.setToolTip("New Glorot-uniform weights and zero biases drawn "
                                         "from the seed (frozen tensors are kept)")
        self.randomize_button.clicked.connect(lambda: self.randomize(self.seed.value()))
        self.randomize_button.setEnabled(not self.document.exercise.is_locked("parameters"))
        self.seed = QSpinBox(objectName="randomize_seed", minimum=0, maximum=2**31 - 1)
        self.seed.setValue(self._seed_value)
        self.seed.valueChanged.connect(lambda value: setattr(self, "_seed_value", value))
        row = QHBoxLayout()
        row.addWidget(self.randomize_button)
        row.addWidget(QLabel("seed"))
        row.addWidget(self.seed)
        row.addStretch(1)
        return row

    def _on_exercise_change(self) -> None:
        """Echo the truth into the controls without feeding it back."""
        if not isinstance(self.document.exercise.problem, NetworkProblem):
            return
        network = self.problem().network
        for layer, box in enumerate(self.layer_boxes):
            if layer >= len(network.layers):
                return
            spec = network.layers[layer]
            with QSignalBlocker(box.activation), QSignalBlocker(box.size):
                box.activation.setCurrentIndex(NAMES.index(spec.activation.name))
                box.size.setValue(spec.size)
        if self.data_box is not None:
            self.data_box.update_enabled(self)
            with QSignalBlocker(self.data_box.input_size):
                self.data_box.input_size.setValue(network.input_size)
