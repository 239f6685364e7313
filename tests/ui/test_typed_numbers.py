"""Every field a student types a number into reads it with the engine's one parser:
a decimal comma, a fraction and a typographic minus work alike everywhere."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tutor.ui.diagram import NetworkDiagramView
from tutor.ui.document import Document
from tutor.ui.panels.parameters_panel import ParametersPanel
from tutor.ui.panels.training_panel import TrainingPanel


@pytest.mark.parametrize(("text", "value"), [("0,5", 0.5), ("1/4", 0.25), ("−2", -2.0)])
def test_the_diagrams_inline_editor(qtbot, document: Document, text: str, value: float):
    view = NetworkDiagramView(document)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    assert view.commit_edit("W2[0,0]", text)  # β₁
    assert document.exercise.problem.params.weights[1][0, 0] == value
    # ŷ = β₀ + β₁ z₁ + β₂ z₂ = 0 + value · 3 + 2 · 2
    assert document.trace.value("z2[0]") == pytest.approx(3 * value + 4)


@pytest.mark.parametrize(("text", "value"), [("0,05", 0.05), ("1/20", 0.05), ("2e-2", 0.02)])
def test_the_learning_rate(qtbot, inf264, text: str, value: float):
    panel = TrainingPanel(Document(inf264))
    qtbot.addWidget(panel)
    panel.learning_rate.setText(text)
    panel.learning_rate.editingFinished.emit()
    assert panel.document.exercise.problem.training.learning_rate == pytest.approx(value)
    assert panel.document.undo_stack.count() == 1


def test_a_parameters_table_cell(qtbot, document: Document):
    panel = ParametersPanel(document)
    qtbot.addWidget(panel)
    model = panel.layer_boxes[1].weights.model()  # β = [β₀ β₁ β₂]
    assert model.setData(model.index(0, 1), "1/3", Qt.ItemDataRole.EditRole)
    assert document.exercise.problem.params.weights[1][0, 0] == pytest.approx(1 / 3)
    assert model.setData(model.index(0, 2), "0,5", Qt.ItemDataRole.EditRole)
    assert document.exercise.problem.params.weights[1][0, 1] == 0.5
