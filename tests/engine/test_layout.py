"""The layered layout: edges run left to right, rows are unique, the result is stable."""

from __future__ import annotations

import pytest

from tutor.engine.activations import Activation
from tutor.engine.graph import Difference, Graph, Node, Role
from tutor.engine.layout import _inversions, layered_layout
from tutor.engine.network import BiasMode, Layer, Loss, Network, Residual
from tutor.engine.network_graph import build_graph

NETWORKS = {
    "2-2-1 sigmoid": Network(2, (Layer(2, Activation("sigmoid")), Layer(1))),
    "3-4-2 folded bias": Network(3, (Layer(4, Activation("relu"), BiasMode.FOLDED),
                                     Layer(2, bias=BiasMode.FOLDED))),
    "1-3-3-1 no bias, residual": Network(
        1, (Layer(3, Activation("tanh"), BiasMode.NONE), Layer(3, Activation("tanh")),
            Layer(1)), Loss(residual=Residual.TARGET_MINUS_OUTPUT)),
}


def assert_valid(graph: Graph, layout: dict[str, tuple[int, int]]) -> None:
    assert set(layout) == {n.id for n in graph.nodes}
    for node in graph.nodes:
        for source in node.inputs:
            assert layout[source][0] < layout[node.id][0], (source, node.id)
    cells = list(layout.values())
    assert len(cells) == len(set(cells)), "two nodes share a cell"
    for column in {c for c, _ in cells}:
        rows = sorted(r for c, r in cells if c == column)
        assert rows == list(range(len(rows)))


@pytest.mark.parametrize("name", NETWORKS)
def test_network_layout_is_valid_and_deterministic(name: str) -> None:
    graph = build_graph(NETWORKS[name]).graph
    layout = layered_layout(graph)
    assert_valid(graph, layout)
    assert layered_layout(graph) == layout
    assert layout[graph.output][0] == max(c for c, _ in layout.values())


def test_network_columns_follow_the_layers() -> None:
    layout = layered_layout(build_graph(NETWORKS["2-2-1 sigmoid"]).graph)
    # x → z1 → h1 → z2 → loss; weights of layer 2 stand next to z2, the target next to the loss
    assert layout["x[0]"][0] == 0 and layout["x[1]"][0] == 0
    assert layout["z1[0]"][0] == 1 and layout["h1[0]"][0] == 2
    assert layout["z2[0]"][0] == 3 and layout["loss"][0] == 4
    assert layout["W2[0,1]"][0] == 2 and layout["b2[0]"][0] == 2
    assert layout["y[0]"][0] == 3


def test_leaf_feeding_one_node_sits_in_the_column_before_it() -> None:
    # a = x − y;  b = a − c;  out = b − d: d feeds only the last node
    nodes = (
        Node("x", "x", Role.INPUT), Node("y", "y", Role.INPUT),
        Node("c", "c", Role.INPUT), Node("d", "d", Role.INPUT),
        Node("a", "a", Role.OP, Difference(), ("x", "y")),
        Node("b", "b", Role.OP, Difference(), ("a", "c")),
        Node("out", "o", Role.OP, Difference(), ("b", "d")),
    )
    graph = Graph(nodes, "out")
    layout = layered_layout(graph)
    assert_valid(graph, layout)
    assert layout["d"][0] == 2 and layout["c"][0] == 1 and layout["x"][0] == 0


def test_sweeps_remove_an_avoidable_crossing() -> None:
    # p = a − b and q = c − d listed so that the forward order would cross: q's inputs first
    nodes = (
        Node("c", "c", Role.INPUT), Node("d", "d", Role.INPUT),
        Node("a", "a", Role.INPUT), Node("b", "b", Role.INPUT),
        Node("p", "p", Role.OP, Difference(), ("a", "b")),
        Node("q", "q", Role.OP, Difference(), ("c", "d")),
        Node("out", "o", Role.OP, Difference(), ("q", "p")),
    )
    graph = Graph(nodes, "out")
    layout = layered_layout(graph)
    assert_valid(graph, layout)
    # q's inputs c, d sit above a, b, so q must sit above p
    assert layout["q"][1] < layout["p"][1]


@pytest.mark.parametrize(("values", "expected"), [
    ([], 0), ([1, 2, 3], 0), ([3, 2, 1], 3), ([2, 1, 3, 1], 3), ([1, 1, 1], 0),
])
def test_inversions(values: list[int], expected: int) -> None:
    brute = sum(values[i] > values[j] for i in range(len(values))
                for j in range(i + 1, len(values)))
    assert brute == expected
    assert _inversions(values) == expected
