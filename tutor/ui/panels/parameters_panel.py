"""The parameters panel: every number of the network, editable in the sheet's own form.

Each weight matrix is shown as the sheet writes it (intercept column folded in, maybe
transposed) with its shape in the title, next to its layer's activation and size; below
come the inputs and targets.  Tables read their numbers from the document every time and
write through ``document.edit``; an invalid number shows a message and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from tutor.engine import BiasMode, NetworkProblem
from tutor.engine import edit as edits
from tutor.engine.activations import DISPLAY, NAMES
from tutor.engine.ids import bias_tensor, weight_tensor
from tutor.engine.network import layer_symbols
from tutor.engine.notation import to_html
from tutor.exercise.atomic import write_atomically
from tutor.exercise.dataset_csv import DatasetCsvError, dataset_csv, read_dataset_csv

from ..document import Document
from ..text import drawable
from .flow_layout import FlowLayout
from .number_table import NumberTable, NumberTableModel
from .table_sources import TableSource, bias_source, input_source, target_source, weight_source

MAX_NEURONS = 16
MAX_INPUTS = 8
CSV_FILTER = "CSV tables (*.csv);;All files (*)"


def _html_label(markup: str, name: str) -> QLabel:
    """A matrix's title, ``α ∈ ℝ^{2×3}``, a size up from the panel's: at its size the
    superscript shape was 6 px, its 2 read as a z."""
    html = f"<span style='font-size: large'>{drawable(to_html(markup))}</span>"  # β̂: hat on β
    label = QLabel(html, objectName=name)
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
                                     f"title_{weight_tensor(layer)}"))
        self.weights = NumberTable(panel.model(weight_source(layer)))
        self.weights.setObjectName(f"table_{weight_tensor(layer)}")
        layout.addWidget(self.weights)
        if spec.bias is BiasMode.SEPARATE:
            layout.addWidget(_html_label(f"{syms.bias_vector} ∈ ℝ^{{{spec.size}}}",
                                         f"title_{bias_tensor(layer)}"))
            self.bias = NumberTable(panel.model(bias_source(layer)))
            self.bias.setObjectName(f"table_{bias_tensor(layer)}")
            layout.addWidget(self.bias)
        layout.addLayout(self._controls(panel, layer))
        locked = document.exercise.is_locked("network")
        for widget in (self.activation, self.size, *([self.remove] if self.remove else [])):
            widget.setEnabled(not locked)

    def _controls(self, panel: ParametersPanel, layer: int) -> FlowLayout:
        spec = panel.problem().network.layers[layer]
        row = FlowLayout()
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
        row = FlowLayout()
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
        layout.addLayout(row)
        layout.addLayout(self._csv_row(panel, locked_data))

    def _csv_row(self, panel: ParametersPanel, locked_data: bool) -> FlowLayout:
        import_button = QPushButton("Import CSV…", objectName="import_data_csv")
        import_button.setToolTip("Replace the samples with a CSV table: the inputs, then the "
                                 "targets, one row per sample (a header row is optional)")
        import_button.clicked.connect(panel.import_csv)
        import_button.setEnabled(not locked_data)
        export_button = QPushButton("Export CSV…", objectName="export_data_csv")
        export_button.setToolTip("Save the samples as a CSV table")
        export_button.clicked.connect(panel.export_csv)
        row = FlowLayout()
        row.addWidget(import_button)
        row.addWidget(export_button)
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

    def _randomize_row(self) -> FlowLayout:
        """Randomize with a visible seed, so a class can reproduce the same start."""
        self.randomize_button = QPushButton("Randomize weights", objectName="randomize_weights")
        self.randomize_button.setToolTip("New Glorot-uniform weights and zero biases drawn "
                                         "from the seed (frozen tensors are kept)")
        self.randomize_button.clicked.connect(lambda: self.randomize(self.seed.value()))
        self.randomize_button.setEnabled(not self.document.exercise.is_locked("parameters"))
        self.seed = QSpinBox(objectName="randomize_seed", minimum=0, maximum=2**31 - 1,
                             toolTip="Same seed, same random weights")
        self.seed.setValue(self._seed_value)
        self.seed.valueChanged.connect(lambda value: setattr(self, "_seed_value", value))
        seed = QWidget()  # the word and its number wrap together
        pair = QHBoxLayout(seed)
        pair.setContentsMargins(0, 0, 0, 0)
        pair.addWidget(QLabel("seed"))
        pair.addWidget(self.seed)
        row = FlowLayout()
        row.addWidget(self.randomize_button)
        row.addWidget(seed)
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
