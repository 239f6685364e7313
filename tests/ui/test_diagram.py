"""The network diagram, driven through the real document on the CMU recitation."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QObject, Qt, Signal

from tutor.engine import (
    Activation,
    Dataset,
    Layer,
    Network,
    NetworkProblem,
    random_parameters,
)
from tutor.exercise import Exercise
from tutor.ui.diagram import NetworkDiagramView
from tutor.ui.diagram.edge_labels import EdgeLabelItem
from tutor.ui.diagram.items import AggregateItem, NodeItem
from tutor.ui.diagram.network_layout import AGGREGATE_ABOVE
from tutor.ui.style import NodeState


@pytest.fixture
def view(qtbot, document) -> NetworkDiagramView:
    widget = NetworkDiagramView(document)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    return widget


def step_index(document, quantity: str, node: str) -> int:
    return next(s.index for s in document.trace if str(s.key) == f"{quantity}:{node}")


def test_every_node_of_the_network_has_an_item(view, document):
    graph = document.exercise.problem.graph().graph
    drawn = set(view.nodes) | set(view.labels)
    assert {n.id for n in graph.nodes} <= drawn
    assert set(view.labels) == {n.id for n in graph.nodes if n.role == "param"}


def test_at_the_first_step_only_the_first_node_shows_a_value(view, document):
    document.set_cursor(0)
    first = view.nodes["z1[0]"]
    assert first.state is NodeState.CURRENT and first.value_text == "3"
    for later in ("z1[1]", "h1[0]", "h1[1]", "z2[0]", "loss"):
        assert view.nodes[later].state is NodeState.PENDING
        assert view.nodes[later].value_text == ""
    assert view.nodes["x[1]"].value_text == "2"  # data is given from the start
    assert view.nodes["x[1]"].state is NodeState.CACHED_READ  # a₁ reads x₂


def test_values_appear_as_the_cursor_reaches_them(view, document):
    document.set_cursor(step_index(document, "value", "z2[0]"))
    assert view.nodes["z2[0]"].value_text == "7"
    assert view.nodes["z1[0]"].state is NodeState.COMPUTED
    assert view.nodes["h1[0]"].state is NodeState.CACHED_READ  # ŷ reads z₁
    assert view.nodes["loss"].value_text == ""
    assert view.nodes["z2[0]"].adjoint_text == ""


def test_the_adjoint_of_z1_reads_the_cached_adjoint_of_y_hat(view, document):
    document.set_cursor(step_index(document, "adjoint", "h1[0]"))
    assert view.nodes["h1[0]"].state is NodeState.CURRENT
    assert view.nodes["h1[0]"].adjoint_text == "∂ℓ/∂z₁ = 4"
    y_hat = view.nodes["z2[0]"]
    assert y_hat.state is NodeState.CACHED_READ and y_hat.badge == "cached ∂"
    assert y_hat.adjoint_text == "∂ℓ/∂ŷ = 4"
    assert view.nodes["z1[0]"].adjoint_text == ""  # ∂ℓ/∂a₁ comes later
    # ∂ℓ/∂β₁ = (ŷ − y) z₁ = 12 was computed two steps earlier and is shown on its edge
    assert view.labels["W2[0,0]"].lines == ("β₁ = 1", "∂ℓ/∂β₁ = 12")


def test_moving_the_cursor_updates_items_in_place(view, document):
    before = list(view.scene().items())
    document.last()
    assert list(view.scene().items()) == before
    assert view.labels["W2[0,0]"].lines[-1] == "β₁ⁿᵉʷ = −0.2"  # 1 − 0.1 · 12


def test_editing_beta1_through_the_diagram_changes_y_hat(qtbot, view, document):
    document.set_cursor(step_index(document, "value", "z2[0]"))
    assert view.nodes["z2[0]"].value_text == "7"
    editor = view.begin_edit("W2[0,0]")
    assert editor is not None and editor.text() == "1"
    editor.setText("3")
    with qtbot.waitSignal(document.trace_changed):
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    # ŷ = β₀ + β₁ z₁ + β₂ z₂ = 0 + 3·3 + 2·2 = 13
    assert view.nodes["z2[0]"].value_text == "13"
    assert document.exercise.problem.params.weights[1][0, 0] == 3
    document.undo_stack.undo()
    assert view.nodes["z2[0]"].value_text == "7"


def test_editing_a_folded_bias_and_an_input(view, document):
    view.commit_edit("b1[0]", "5")  # α₁,₀: the intercept column of the display matrix
    assert document.exercise.problem.params.biases[0][0] == 5
    document.set_cursor(0)
    assert view.nodes["z1[0]"].value_text == "6"  # 5 + 1·1 + 0·2
    view.begin_edit("x[1]")
    assert view.commit_edit("x[1]", "-1")
    assert document.exercise.problem.data.inputs[0, 1] == -1


def test_an_unreadable_number_keeps_the_editor_open(view, document):
    editor = view.begin_edit("W1[0,0]")
    assert not view.commit_edit("W1[0,0]", "abc")
    assert not editor.isHidden() and document.undo_stack.count() == 0


def test_locked_parameters_cannot_be_edited(qtbot, cmu):
    from dataclasses import replace

    from tutor.ui.document import Document

    document = Document(replace(cmu, locked=frozenset({"parameters"})))
    view = NetworkDiagramView(document)
    qtbot.addWidget(view)
    assert view.begin_edit("W2[0,0]") is None
    assert view.begin_edit("x[0]") is not None


def test_layer_granularity_highlights_a_whole_layer(view, document):
    document.set_granularity("layer")
    document.set_cursor(step_index(document, "adjoint", "W1"))
    weights = [label for node_id, label in view.labels.items() if node_id[:2] in ("W1", "b1")]
    assert len(weights) == 6
    assert all(label.state is NodeState.CURRENT for label in weights)
    assert all(view.labels[w].state is not NodeState.CURRENT for w in ("W2[0,0]", "b2[0]"))
    # the matrix ∂ℓ/∂α = [[4, 4, 8], [8, 8, 16]] lands on the scalar labels
    assert view.labels["W1[1,1]"].lines[1] == "∂ℓ/∂α₂,₂ = 16"
    assert view.labels["b1[0]"].lines[1] == "∂ℓ/∂α₁,₀ = 4"
    document.set_cursor(step_index(document, "value", "h1"))
    assert {view.nodes[f"h1[{j}]"].state for j in range(2)} == {NodeState.CURRENT}
    assert view.nodes["h1[1]"].value_text == "2"


class LayerDocument(QObject):
    """Just enough of a document for a wide network: its node-level trace would be huge."""

    exercise_changed = Signal()
    structure_changed = Signal()
    trace_changed = Signal()
    cursor_changed = Signal(int)

    def __init__(self, exercise: Exercise) -> None:
        super().__init__()
        self.exercise = exercise
        self.trace = exercise.problem.trace("layer")
        self.cursor = 0
        self.sample = None

    def set_cursor(self, index: int) -> None:
        self.cursor = index
        self.cursor_changed.emit(index)


def test_a_784_128_10_network_is_drawn_with_aggregates(qtbot):
    network = Network(784, (Layer(128, Activation("relu")), Layer(10, Activation("sigmoid"))))
    rng = np.random.default_rng(0)
    problem = NetworkProblem(network, random_parameters(network, seed=1),
                             Dataset(rng.random((1, 784)), np.eye(10)[[3]]))
    document = LayerDocument(Exercise("MNIST-sized", problem))
    view = NetworkDiagramView(document)
    qtbot.addWidget(view)
    assert len(view.scene().items()) < 400
    assert set(view.aggregates) == {"x", "z1", "h1"}  # 10 outputs stay individual
    assert sum(isinstance(i, NodeItem) for i in view.scene().items()) < 80
    assert not any(isinstance(i, EdgeLabelItem) for i in view.scene().items())
    assert "779 more" in view.aggregates["x"].text
    document.set_cursor(next(s.index for s in document.trace if s.node == "h1"))
    assert view.aggregates["h1"].state is NodeState.CURRENT
    assert view.nodes["h1[127]"].state is NodeState.CURRENT
    assert isinstance(view.aggregates["z1"], AggregateItem)
    assert AGGREGATE_ABOVE < 128


def test_separate_biases_are_squares_on_inf264(qtbot, inf264):
    from tutor.ui.document import Document

    document = Document(inf264)
    view = NetworkDiagramView(document)
    qtbot.addWidget(view)
    assert view.nodes["b1[0]"].shape == "square"
    # the first sample's pass: x = (2, 1), z = w₀·2 + w₁·1 + w₂ = 3
    document.set_cursor(0)
    assert view.nodes["x[0]"].value_text == "2"
    assert view.nodes["z1[0]"].value_text == "3"
    view.commit_edit("b1[0]", "1")
    assert document.exercise.problem.params.biases[0][0] == 1


def test_an_expression_exercise_shows_a_message(qtbot, cmu):
    from tutor.engine.expression import ExpressionProblem

    class Stub(QObject):
        structure_changed = Signal()
        trace_changed = Signal()
        cursor_changed = Signal(int)

    stub = Stub()
    stub.exercise = Exercise("expr", ExpressionProblem("y = a * b", {"a": 1.0, "b": 2.0}))
    view = NetworkDiagramView(stub)
    qtbot.addWidget(view)
    assert not view.nodes and len(view.scene().items()) == 1


def test_fit_and_zoom(view):
    view.show()
    view.fit()
    fitted = view.zoom()
    view.zoom_in()
    assert view.zoom() == pytest.approx(fitted * 1.2)
    view.fit()
    assert view.zoom() == pytest.approx(fitted)



@pytest.fixture
def presentation_sizes():
    """Text as presentation mode sizes it: twice the font, labels 1.5× against the layout."""
    from tutor.ui.style import theme

    theme().set_font_scale(2.0)
    theme().set_label_scale(1.5)
    yield
    theme().set_font_scale(1.0)
    theme().set_label_scale(1.0)


@pytest.mark.parametrize("name", ["chain-rule-discussion", "ftml-session-8"])
def test_large_text_fits_its_nodes_and_weight_labels_clear_their_inputs(
        qtbot, presentation_sizes, name):
    from PySide6.QtGui import QFontMetricsF

    from tutor.engine.trace import Phase
    from tutor.ui.diagram.items import Shape, _fonts
    from tutor.ui.document import Document
    from tutor.ui.style import theme

    from .conftest import bundled

    document = Document(bundled(name))  # separate bias squares; folded biases, long symbols
    view = NetworkDiagramView(document)
    qtbot.addWidget(view)
    # the forward pass done: every node shows its value. (Later the labels add a gradient and
    # an update, three lines that no longer fit between two columns at this size.)
    document.set_cursor(max(s.index for s in document.trace if s.phase is Phase.FORWARD))
    symbol_font, number_font, _ = _fonts()
    for node in view.nodes.values():
        if node.shape is Shape.BOX:
            continue
        body = node.body()
        assert body.width() >= QFontMetricsF(symbol_font).horizontalAdvance(node.symbol), \
            node.node_id
        assert body.width() >= QFontMetricsF(number_font).horizontalAdvance(node.value_text)
        if node.shape is Shape.SQUARE and node.value_text:
            texts = QFontMetricsF(symbol_font).height() + QFontMetricsF(number_font).height()
            assert body.height() >= texts, node.node_id
    ring = 4 * theme().font_scale  # the double outline of a node that is read
    assert view.labels
    for weight, label in view.labels.items():
        edge = view.edges[weight]
        for node in (edge.source, edge.target):
            outline = node.mapRectToScene(node.body()).adjusted(-ring, -ring, ring, ring)
            assert not label.mapRectToScene(label.body()).intersects(outline), weight
        a, b = edge.source.pos(), edge.target.pos()
        along = ((label.pos() - a).x() * (b - a).x() + (label.pos() - a).y() * (b - a).y())
        assert 0.3 - 1e-9 <= along / ((b - a).x() ** 2 + (b - a).y() ** 2) < 1  # on its edge


@pytest.mark.parametrize("sizes", ["normal", "presentation"])
@pytest.mark.parametrize("name", ["ftml-session-8", "cmu-recitation-5", "chain-rule-discussion"])
def test_the_labels_of_one_inputs_weights_do_not_cover_each_other(qtbot, request, sizes, name):
    """Rows are spread so that the three-line labels (value, gradient, update) of the weights
    leaving one node sit apart, in the normal sizes and in presentation mode's."""
    from tutor.ui.document import Document

    from .conftest import bundled

    if sizes == "presentation":
        request.getfixturevalue("presentation_sizes")
    document = Document(bundled(name))
    view = NetworkDiagramView(document)
    qtbot.addWidget(view)
    document.set_cursor(len(document.trace) - 1)  # every label shows all three lines
    fans: dict[str, list] = {}
    for weight, label in view.labels.items():
        fans.setdefault(view.edges[weight].source.node_id, []).append(label)
    assert max(len(labels) for labels in fans.values()) >= 2
    for source, labels in fans.items():
        # a label with no free place is hidden (its text is the edge's tooltip): it covers
        # nothing, so only the shown ones are compared
        rects = [label.mapRectToScene(label.body()) for label in labels if label.isVisible()]
        assert all(len(label.lines) == 3 for label in labels), source
        for n, rect in enumerate(rects):
            for other in rects[n + 1:]:
                assert not rect.intersects(other), source


def test_a_weight_named_by_its_value_reads_once(qtbot):
    # chain rule §1: f = (y − 1ᵀφ(Wx + b))², whose fixed output weights the sheet writes as 1
    from tutor.exercise import load
    from tutor.exercise.validate import resources_dir
    from tutor.ui.document import Document

    document = Document(load(resources_dir() / "exercises" / "chain-rule-discussion-sum.json"))
    widget = NetworkDiagramView(document)
    qtbot.addWidget(widget)
    document.set_cursor(len(document.trace) - 1)
    assert widget.labels["W2[0,0]"].lines[0] == "1"  # not "1 = 1"
    assert widget.labels["W1[0,0]"].lines[0] == "w₁,₁ = 2"
