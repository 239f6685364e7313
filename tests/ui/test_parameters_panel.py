"""The parameters panel writes through the document and echoes it back."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QPushButton, QSpinBox

from tutor.engine import (
    Activation,
    BiasMode,
    Dataset,
    Layer,
    LayerNotation,
    Network,
    NetworkProblem,
    Notation,
    Parameters,
)
from tutor.engine.notation import format_number
from tutor.exercise import Exercise
from tutor.ui import first_run
from tutor.ui.document import Document
from tutor.ui.main_window import MainWindow
from tutor.ui.panels.number_table import NumberTable
from tutor.ui.panels.parameters_panel import ParametersPanel

from .conftest import bundled


@pytest.fixture
def panel(qtbot, document: Document) -> ParametersPanel:
    panel = ParametersPanel(document)
    qtbot.addWidget(panel)
    return panel


def test_titles_give_the_sheet_symbol_and_shape(panel) -> None:
    assert _shown(panel.findChild(QLabel, "title_W1")) == "α ∈ ℝ<sup>2×3</sup>"
    assert _shown(panel.findChild(QLabel, "title_W2")) == "β ∈ ℝ<sup>1×3</sup>"


def _shown(label: QLabel) -> str:
    """A title's markup inside the span that sets its size."""
    text = label.text()
    assert text.startswith("<span style='font-size: large'>") and text.endswith("</span>")
    return text[text.index(">") + 1:-len("</span>")]


def test_a_title_is_larger_than_the_numbers_under_it(panel) -> None:
    """Its superscript shape was 6 px at the panel's size."""
    label = panel.findChild(QLabel, "title_W1")
    page = QTextDocument()
    page.setDefaultFont(label.font())
    page.setHtml(label.text())
    sizes = set()
    fragment = page.begin().begin()
    while not fragment.atEnd():
        sizes.add(fragment.fragment().charFormat().font().pointSizeF())
        fragment += 1
    assert sizes and min(sizes) >= 1.15 * label.font().pointSizeF()


def test_tables_show_the_display_matrix_with_symbol_headers(panel) -> None:
    model = panel.layer_boxes[0].weights.model()
    shown = [[model.data(model.index(r, c)) for c in range(3)] for r in range(2)]
    assert shown == [["2", "1", "0"], ["0", "2", "0"]]
    assert model.headerData(0, Qt.Orientation.Horizontal) == "x₀"
    assert model.headerData(1, Qt.Orientation.Vertical) == "a₂"
    assert model.data(model.index(1, 2), Qt.ItemDataRole.ToolTipRole) == "α₂,₂"


def test_a_typed_fraction_is_one_undoable_edit(panel, document: Document) -> None:
    model = panel.layer_boxes[0].weights.model()
    assert model.setData(model.index(0, 0), "−1/2")  # α₁,₀: the folded bias of a₁
    assert document.exercise.problem.params.biases[0][0] == -0.5
    assert document.trace.value("z1[0]") == pytest.approx(-0.5 + 1)
    document.undo_stack.undo()
    assert document.exercise.problem.params.biases[0][0] == 2


def test_resizing_and_adding_layers_rebuild_the_panel(panel, document: Document) -> None:
    panel.layer_boxes[0].size.setValue(3)
    assert document.exercise.problem.network.sizes == (2, 3, 1)
    assert panel.layer_boxes[0].weights.model().rowCount() == 3
    assert np.array_equal(document.exercise.problem.params.weights[1][0, :2], [1, 2])
    panel.add_layer()
    assert document.exercise.problem.network.sizes == (2, 3, 2, 1)
    assert len(panel.layer_boxes) == 3
    panel.layer_boxes[1].remove.click()
    assert document.exercise.problem.network.sizes == (2, 3, 1)
    document.undo_stack.undo()
    document.undo_stack.undo()
    document.undo_stack.undo()
    assert document.exercise.problem.network.sizes == (2, 2, 1)
    assert panel.layer_boxes[0].size.value() == 2


def test_samples_can_be_added_from_the_data_box(panel, document: Document) -> None:
    assert not panel.data_box.remove_sample.isEnabled()
    panel.add_sample()
    assert len(document.exercise.problem.data) == 2
    assert panel.data_box.inputs.model().rowCount() == 2
    assert panel.data_box.remove_sample.isEnabled()
    targets = panel.data_box.targets.model()
    assert targets.setData(targets.index(1, 0), "0,5")
    assert document.exercise.problem.data.targets[1, 0] == 0.5


def test_randomize_uses_the_visible_seed_and_is_one_undo_step(panel, document: Document,
                                                                qtbot) -> None:
    from tutor.engine.network import random_parameters

    panel.seed.setValue(42)
    qtbot.mouseClick(panel.randomize_button, Qt.MouseButton.LeftButton)
    expected = random_parameters(document.exercise.problem.network, 42)
    np.testing.assert_array_equal(document.exercise.problem.params.weights[0],
                                  expected.weights[0])
    shown = panel.layer_boxes[0].weights.model()
    assert shown.data(shown.index(0, 1)) == format_number(expected.weights[0][0, 0])
    assert document.undo_stack.undoText() == "Randomize weights (seed 42)"
    panel.layer_boxes[0].size.setValue(3)  # a rebuild keeps the seed the user typed
    assert panel.seed.value() == 42
    document.undo_stack.undo()
    document.undo_stack.undo()
    assert document.exercise.problem.params.weights[0].tolist() == [[1, 0], [2, 0]]


def test_a_locked_network_disables_its_controls(qtbot) -> None:
    document = Document(bundled("inf264-homework-4"))  # locks "network" and "data"
    panel = ParametersPanel(document)
    qtbot.addWidget(panel)
    box = panel.layer_boxes[0]
    assert not box.activation.isEnabled() and not box.size.isEnabled()
    assert not box.remove.isEnabled()
    inputs = panel.data_box.inputs.model()
    assert not inputs.flags(inputs.index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    assert not panel.data_box.remove_sample.isEnabled()
    weights = panel.layer_boxes[0].weights.model()
    assert weights.flags(weights.index(0, 0)) & Qt.ItemFlag.ItemIsEditable


def test_csv_import_replaces_the_samples_in_one_undo_step(panel, document: Document,
                                                         tmp_path) -> None:
    table = tmp_path / "samples.csv"
    table.write_text("x₁,x₂,y\n1,2,3\n−1,0.5,1/2\n", encoding="utf-8")
    panel.import_csv_file(table)
    data = document.exercise.problem.data
    np.testing.assert_array_equal(data.inputs, [[1, 2], [-1, 0.5]])
    np.testing.assert_array_equal(data.targets, [[3], [0.5]])
    assert panel.data_box.inputs.model().rowCount() == 2
    assert document.undo_stack.undoText() == "Import 2 samples from samples.csv"
    document.undo_stack.undo()
    assert len(document.exercise.problem.data) == 1


def test_a_bad_csv_names_the_cell_and_keeps_the_samples(panel, document: Document,
                                                       tmp_path) -> None:
    table = tmp_path / "bad.csv"
    table.write_text("1,2,3\n4,five,6\n", encoding="utf-8")
    before = document.exercise
    panel.import_csv_file(table)
    assert document.exercise is before
    assert panel.error_label.text() == "bad.csv: row 2, column 2: “five” is not a number " \
                                       "(try 0.5, −2 or 1/3)"


def test_csv_export_writes_the_samples_that_import_reads(panel, document: Document,
                                                        tmp_path) -> None:
    out = tmp_path / "out.csv"
    assert panel.export_csv_file(out)
    assert out.read_text(encoding="utf-8") == "x₁,x₂,y\n1.0,2.0,3.0\n"
    assert not panel.export_csv_file(tmp_path / "missing" / "out.csv")
    assert panel.error_label.text().startswith("Could not write out.csv")


def test_an_edit_refreshes_only_the_cells_whose_numbers_changed(panel, document: Document
                                                                  ) -> None:
    import dataclasses

    first, second = (box.weights.model() for box in panel.layer_boxes[:2])
    changed: dict[str, list] = {"W1": [], "W2": []}
    for name, model in (("W1", first), ("W2", second)):
        model.dataChanged.connect(lambda top, bottom, *_, name=name: changed[name].append(
            ((top.row(), top.column()), (bottom.row(), bottom.column()))))
    assert first.setData(first.index(1, 2), "3")  # α₂,₂: 0 → 3
    assert changed == {"W1": [((1, 2), (1, 2))], "W2": []}
    assert first.data(first.index(1, 2)) == "3"
    # the same numbers under new locks: every cell may now read differently (grey, tooltip)
    document.edit("Lock", dataclasses.replace(document.exercise,
                                              locked=frozenset({"parameters.W1"})))
    assert changed["W1"][-1] == ((0, 0), (1, 2)) and changed["W2"][-1] == ((0, 0), (0, 2))


def _fits_its_numbers(table) -> bool:
    """Every column as wide as its widest cell or header, as resizeColumnToContents sets it."""
    header = table.horizontalHeader()
    return all(table.columnWidth(c) == max(table.sizeHintForColumn(c), header.sectionSizeHint(c))
               for c in range(table.model().columnCount()))


def _fits_its_rows(table) -> bool:
    header = table.verticalHeader()
    return all(table.rowHeight(r) == max(table.sizeHintForRow(r), header.sectionSizeHint(r))
               for r in range(table.model().rowCount()))


def _shown_numbers(table) -> list[list[str]]:
    model = table.model()
    return [[model.data(model.index(r, c)) for c in range(model.columnCount())]
            for r in range(model.rowCount())]


def test_a_run_shows_its_numbers_in_tables_in_and_out_of_sight(panel, document: Document,
                                                              qtbot) -> None:
    from tutor.engine.edit import display_parameters

    panel.resize(420, 160)  # the second layer's table lies below the fold
    panel.show()
    seen, unseen = (box.weights for box in panel.layer_boxes)
    panel.ensureWidgetVisible(unseen)  # painted once, so fitted to the first numbers
    qtbot.waitUntil(lambda: _fits_its_numbers(unseen))
    panel.ensureWidgetVisible(seen)
    qtbot.waitUntil(lambda: unseen.visibleRegion().isEmpty() and _fits_its_numbers(seen))
    assert not seen.visibleRegion().isEmpty()
    widths = {table: [table.columnWidth(c) for c in range(3)] for table in (seen, unseen)}
    document.train(20)
    problem = document.exercise.problem
    for layer, table in enumerate((seen, unseen)):
        assert _shown_numbers(table) == [[format_number(v) for v in row]
                                         for row in display_parameters(problem, layer)]
    assert _fits_its_numbers(seen)  # at once: it is in sight
    panel.ensureWidgetVisible(unseen)
    qtbot.waitUntil(lambda: _fits_its_numbers(unseen))  # measured when it comes into sight
    for table in (seen, unseen):  # "2" became e.g. "1.9838": the fit had to widen them
        assert any(table.columnWidth(c) > w for c, w in enumerate(widths[table]))


def test_a_bigger_font_resizes_the_cells(panel, qtbot) -> None:
    panel.show()
    table = panel.layer_boxes[0].weights
    qtbot.waitUntil(lambda: _fits_its_numbers(table))  # measured when first painted
    before = (table.columnWidth(1), table.rowHeight(0), table.height())
    font = panel.font()
    font.setPointSizeF(font.pointSizeF() * 2)
    panel.setFont(font)
    qtbot.waitUntil(lambda: _fits_its_numbers(table) and _fits_its_rows(table))
    after = (table.columnWidth(1), table.rowHeight(0), table.height())
    assert all(a > b for a, b in zip(after, before, strict=True))


def test_headers_and_tooltips_follow_the_samples_but_not_a_run(panel, document: Document
                                                               ) -> None:
    inputs, weights = panel.data_box.inputs.model(), panel.layer_boxes[0].weights.model()
    vertical = Qt.Orientation.Vertical
    assert inputs.headerData(0, vertical) == "Sample 1"
    panel.add_sample()  # same network, one more sample: one more row to name
    assert [inputs.headerData(r, vertical) for r in range(2)] == ["Sample 1", "Sample 2"]
    assert inputs.data(inputs.index(1, 1), Qt.ItemDataRole.ToolTipRole) == "x₂"
    document.train(5)
    assert weights.headerData(0, Qt.Orientation.Horizontal) == "x₀"
    assert weights.headerData(1, vertical) == "a₂"
    assert weights.data(weights.index(1, 2), Qt.ItemDataRole.ToolTipRole) == "α₂,₂"
    assert weights.data(weights.index(0, 0)) == format_number(
        document.exercise.problem.params.biases[0][0])


def test_a_table_wider_than_the_panel_shows_every_row_above_its_scroll_bar(qtbot) -> None:
    from tutor.engine import Dataset, Layer, Network, NetworkProblem, random_parameters
    from tutor.exercise import Exercise

    network = Network(60, (Layer(4), Layer(1)))  # W1: 4 rows of 60 numbers, a wide table
    problem = NetworkProblem(network, random_parameters(network, seed=0),
                             Dataset(np.ones((1, 60)), np.ones((1, 1))))
    panel = ParametersPanel(Document(Exercise("wide", problem)))
    qtbot.addWidget(panel)
    panel.resize(400, 600)
    panel.show()
    table = panel.layer_boxes[0].weights
    qtbot.waitUntil(lambda: _fits_its_numbers(table) and table.horizontalScrollBar().isVisible())
    last = table.model().rowCount() - 1
    qtbot.waitUntil(lambda: table.rowViewportPosition(last) + table.rowHeight(last)
                    <= table.viewport().height())


def test_a_hat_in_a_title_or_header_is_drawn_over_its_letter(qtbot) -> None:
    """A sheet naming its matrix β̂ and its inputs x̂ᵢ: DejaVu Sans puts a bare combining hat
    left of β (so β̂ read β); the panel draws them as the step panel does."""
    layer = Layer(1, Activation(), BiasMode.SEPARATE,
                  LayerNotation(weight_matrix="β\u0302", weight="β_{$i}"))
    network = Network(2, (layer,), notation=Notation(input_names=("x\u0302_1",
                                                                          "x\u0302_2")))
    problem = NetworkProblem(network, Parameters.of([[[1, 2]]], [[0]]),
                             Dataset(np.array([[1.0, 2.0]]), np.array([[3.0]])))
    panel = ParametersPanel(Document(Exercise("Hats", problem)))
    qtbot.addWidget(panel)
    assert _shown(panel.findChild(QLabel, "title_W1")).startswith("β\u200d\u0302 ∈ ℝ")
    weights = panel.findChild(NumberTable, "table_W1").model()
    inputs = panel.findChild(NumberTable, "table_inputs").model()
    for model in (weights, inputs):
        header = model.headerData(0, Qt.Orientation.Horizontal)
        assert header == "x\u200d\u0302₁", model


@pytest.mark.parametrize("size", [(1280, 720), (1024, 768)])
def test_every_control_is_in_sight_in_a_narrow_dock(qtbot, size) -> None:
    """The dock is ~210 px wide at these sizes; rows of buttons were 350 px and the panel
    scrolled sideways, "Remove layer" out of sight.  They wrap now."""
    window = MainWindow(Document(bundled("cmu-recitation-5")))
    qtbot.addWidget(window)
    window.resize(*size)
    first_run.share_docks(window)
    window.show()
    qtbot.waitExposed(window)
    panel = window.parameters
    QApplication.processEvents()
    viewport = panel.viewport()
    assert viewport.width() < 260  # the narrow dock this is about
    assert not panel.horizontalScrollBar().isVisible()
    controls = [*panel.widget().findChildren(QPushButton), *panel.widget().findChildren(QSpinBox),
                *panel.widget().findChildren(QComboBox)]
    assert len(controls) >= 10
    for control in controls:
        left = control.mapTo(viewport, QPoint(0, 0)).x()
        assert left >= 0 and left + control.width() <= viewport.width(), control.objectName()
