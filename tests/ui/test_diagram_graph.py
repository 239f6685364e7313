"""The computation-graph view on a network and on an expression exercise."""

from __future__ import annotations

from tutor.engine import Activation, Dataset, Layer, Network, NetworkProblem, random_parameters
from tutor.engine.expression import ExpressionProblem
from tutor.engine.network_graph import build_graph
from tutor.exercise import Exercise
from tutor.ui.diagram import GraphView
from tutor.ui.diagram.graph_scene import MAX_NODES, network_node_count
from tutor.ui.document import Document
from tutor.ui.style import NodeState


def step_index(document, key: str) -> int:
    return next(s.index for s in document.trace if str(s.key) == key)


def test_every_node_of_the_cmu_graph_is_drawn_left_to_right(qtbot, document):
    view = GraphView(document)
    qtbot.addWidget(view)
    graph = document.exercise.problem.graph().graph
    assert set(view.nodes) == {n.id for n in graph.nodes}
    assert len(view.edges) == sum(len(set(n.inputs)) for n in graph.nodes)
    for node in graph.nodes:  # sources left of their consumers
        for source in node.inputs:
            assert view.nodes[source].x() < view.nodes[node.id].x()
    assert view.nodes["x[0]"].caption == "fan-out 2"  # x₁ feeds a₁ and a₂
    assert view.nodes["h1[0]"].caption == "ReLU"


def test_graph_view_follows_the_cursor(qtbot, document):
    view = GraphView(document)
    qtbot.addWidget(view)
    document.set_cursor(step_index(document, "adjoint:h1[0]"))
    assert view.nodes["h1[0]"].state is NodeState.CURRENT
    assert view.nodes["h1[0]"].adjoint_text == "∂ℓ/∂z₁ = 4"
    assert view.nodes["z2[0]"].state is NodeState.CACHED_READ
    assert view.nodes["W2[0,0]"].adjoint_text == "∂ℓ/∂β₁ = 12"
    assert view.nodes["W1[0,0]"].adjoint_text == ""  # not reached yet
    lit = [e for e in view.edges if e.state is NodeState.CACHED_READ]
    assert [(e.source.node_id, e.target.node_id) for e in lit] == [("h1[0]", "z2[0]")]


def test_an_expression_exercise_is_drawn_with_shared_nodes(qtbot):
    problem = ExpressionProblem("u = x*y\nf = sin(u)/z + exp(x*z)/u",
                                {"x": 1.0, "y": 2.0, "z": 0.5})
    document = Document(Exercise("expression", problem))
    view = GraphView(document)
    qtbot.addWidget(view)
    assert set(view.nodes) == {n.id for n in problem.graph().nodes}
    assert "fan-out 2" in view.nodes["u"].caption  # u feeds sin(u) and exp(x z)/u
    document.last()
    assert view.nodes[problem.output].value_text == "2.64296"
    assert view.nodes["x"].adjoint_text.startswith("∂f/∂x = ")


def test_node_count_matches_the_engine_graph():
    for sizes in ((2, 2, 1), (3, 4, 2), (5, 1)):
        layers = tuple(Layer(s, Activation("tanh")) for s in sizes[1:-1])
        network = Network(sizes[0], (*layers, Layer(sizes[-1])))
        assert network_node_count(network) == len(build_graph(network).graph.nodes)


def test_a_big_network_gets_a_message_not_a_frozen_window(qtbot):
    import numpy as np

    network = Network(20, (Layer(10, Activation("relu")), Layer(1)))
    problem = NetworkProblem(network, random_parameters(network, seed=0),
                             Dataset(np.ones((1, 20)), np.ones((1, 1))))
    document = Document(Exercise("wide", problem))
    view = GraphView(document)
    qtbot.addWidget(view)
    assert network_node_count(network) > MAX_NODES
    assert not view.nodes and view.message is not None
    assert "scalar nodes" in view.message.text()


def test_a_hidden_graph_view_catches_up_when_shown(qtbot, document):
    from PySide6.QtWidgets import QStackedWidget, QWidget

    centre = QStackedWidget()
    qtbot.addWidget(centre)
    view = GraphView(document)
    centre.addWidget(QWidget())  # the current page, as the network diagram is
    centre.addWidget(view)
    centre.show()
    before = view.nodes["h1[0]"].state
    assert before is not NodeState.CURRENT
    document.set_cursor(step_index(document, "adjoint:h1[0]"))
    assert view.nodes["h1[0]"].state is before  # not redrawn while another page is current
    centre.setCurrentWidget(view)
    assert view.nodes["h1[0]"].state is NodeState.CURRENT
    assert view.nodes["h1[0]"].adjoint_text == "∂ℓ/∂z₁ = 4"


def test_an_input_every_hidden_unit_reads_stands_in_the_middle_of_its_column(qtbot):
    """At the column's top, the step computing the last unit read x and that unit's weight
    and bias across the whole column: its labels came out at 23 px presenting at 1080p.
    The column's 15 leaves stand in two staggered halves, half as tall."""
    from tests.ui.conftest import bundled
    from tutor.ui.diagram.graph_scene import ROW_GAP

    document = Document(bundled("curve-fit-1d"))
    view = GraphView(document)
    qtbot.addWidget(view)
    leaves = ["x[0]"] + [f"{kind}[{k}{',0' if kind == 'W1' else ''}]"
                         for k in range(7) for kind in ("W1", "b1")]
    column = sorted((view.nodes[n] for n in leaves), key=lambda n: n.y())
    assert column.index(view.nodes["x[0]"]) == 7
    units = [view.nodes[f"z1[{k}]"].y() for k in range(7)]
    assert min(units) < view.nodes["x[0]"].y() < max(units)
    assert column[-1].y() - column[0].y() <= 7 * ROW_GAP + 1  # 14 rows before
    assert len({round(n.x()) for n in column}) == 2


def test_a_text_that_must_show_widens_the_focus_least():
    """On a wide view a tag beside its node costs nothing; above it, a row of height."""
    from tutor.ui.diagram.placement import Focus, Request, around, place

    body = (0.0, 0.0, 40.0, 40.0)

    def centre(focus):
        request = Request("tag", 30, 10, around(body, 30, 10, 3.0), must=True)
        return place([body], [request], 3.0, focus=focus)["tag"]

    _, y = centre(None)
    assert y < 0  # the first candidate: above the node
    _, y = centre(Focus(body, aspect=4.0))
    assert 0 <= y <= 40  # beside it: the focus stays as tall as the node


def test_a_text_placed_further_away_stays_nearer_its_own_node():
    """Beyond its nearby places a text may go where it widens the focus least, but not next
    to another node: the CMU expression's ∂f/∂z stood above y and read as y's."""
    from tutor.ui.diagram.placement import NEAR, Focus, Request, place

    body, other = (0.0, 0.0, 40.0, 40.0), (0.0, -100.0, 40.0, -60.0)
    blocked = (-300.0, 300.0, -200.0, 400.0)
    candidates = [(-250.0, 350.0)] * NEAR + [(20.0, -50.0), (80.0, 20.0)]

    def centre(owner):
        request = Request("tag", 20, 10, candidates, must=True, owner=owner)
        return place([body, other, blocked], [request], 1.0,
                     focus=Focus(body, aspect=0.2))["tag"]

    assert centre(None) == (20.0, -50.0)  # the least widening: by the other node
    assert centre(body) == (80.0, 20.0)
