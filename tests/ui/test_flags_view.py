"""Misconception flags on the diagrams and in the inspector, through the real document.

Each exercise is built to trigger one flag of :mod:`tutor.engine.flags`; the tests check the
badge sits on the flagged node with the engine's own words, appears only once the cursor
has reached the flag's step, and that the inspector's "Notice" lists it.
"""

from __future__ import annotations

import numpy as np
import pytest

from tutor.engine import (
    Activation,
    Dataset,
    Layer,
    Network,
    NetworkProblem,
    Parameters,
    Quantity,
    Training,
)
from tutor.engine.flags import FlagKind, flags_for
from tutor.exercise import Exercise
from tutor.session import flags as session_flags
from tutor.ui.diagram import GraphView, NetworkDiagramView
from tutor.ui.diagram.flag_items import FlagBadge, FlagBanner
from tutor.ui.document import NODE_LIMIT, Document, scalar_node_count
from tutor.ui.inspector import StepInspector

from .conftest import bundled


def one_hidden(activation: str, weights, biases, inputs, targets, eta: float = 0.1) -> Exercise:
    """x → a hidden layer (one weight row per unit) → one identity output with weights 1."""
    weights = np.array(weights, dtype=float)
    network = Network(weights.shape[1], (Layer(len(weights), Activation(activation)),
                                         Layer(1, Activation())))
    params = Parameters.of([weights, np.ones((1, len(weights)))], [biases, [0.0]])
    data = Dataset(np.array(inputs, dtype=float), np.array(targets, dtype=float))
    return Exercise(activation, NetworkProblem(network, params, data,
                                               Training(learning_rate=eta)))


def saturated_sigmoid() -> Exercise:
    """σ(10·1) = 0.999955: σ′ = 4.5e−5, below 1 % of its peak 0.25."""
    return one_hidden("sigmoid", [[10.0], [0.5]], [0.0, 0.0], [[1.0]], [[0.0]])


def dead_relu() -> Exercise:
    """z₁ = x − 5 ≤ −3 for both samples."""
    return one_hidden("relu", [[1.0], [0.5]], [-5.0, 0.0], [[1.0], [2.0]], [[0.0], [1.0]])


def too_large_a_learning_rate() -> Exercise:
    """ŷ = w·x with η = 0.5 on x = 1, 2, 3: every update overshoots further (0.58 → 179)."""
    network = Network(1, (Layer(1, Activation()),))
    data = Dataset(np.array([[1.0], [2.0], [3.0]]), np.array([[1.0], [2.0], [3.0]]))
    problem = NetworkProblem(network, Parameters.of([[[0.5]]], [[0.0]]), data,
                             Training(learning_rate=0.5))
    return Exercise("overshoot", problem)


def views(qtbot, document: Document):
    network, graph, inspector = (NetworkDiagramView(document), GraphView(document),
                                 StepInspector(document))
    for widget in (network, graph, inspector):
        qtbot.addWidget(widget)
        widget.resize(1200, 700)
    return network, graph, inspector


def only_flag(document: Document, kind: FlagKind):
    (flag,) = document.flags.all
    assert flag.kind is kind
    return flag


def assert_badge_follows_cursor(document, view, node_id: str, flag) -> FlagBadge:
    badge = view.flag_overlay.badge(node_id)
    assert isinstance(badge, FlagBadge) and badge.node is view.nodes[node_id]
    assert badge.scene() is view.scene()
    assert badge.messages() == (flag.message,)
    document.set_cursor(flag.step - 1)
    assert not badge.isVisible() and view.nodes[node_id].toolTip() == ""
    document.set_cursor(flag.step)
    assert badge.isVisible() and badge.toolTip() == flag.message
    assert view.nodes[node_id].toolTip() == flag.message
    return badge


def test_a_saturated_sigmoid_is_badged_once_its_value_is_computed(qtbot):
    document = Document(saturated_sigmoid())
    network, graph, inspector = views(qtbot, document)
    flag = only_flag(document, FlagKind.SATURATED)
    assert flag.message == flags_for(document.exercise.problem, document.trace)[0].message
    assert document.trace[flag.step].key.node == "h1[0]"
    assert "σ′ = 4.5e−5 ≈ 0" in flag.message
    for view in (network, graph):
        badge = assert_badge_follows_cursor(document, view, "h1[0]", flag)
        assert badge.text == "saturated"
        assert view.flag_overlay.badge("h1[1]") is None  # σ(0.5): σ′ = 0.235, fine
    document.set_cursor(flag.step - 1)
    assert "Notice" not in inspector.text()
    document.set_cursor(flag.step)
    assert "Notice" in inspector.text() and "Vanishing gradient:" in inspector.text()
    assert "(vanishing gradient)" in inspector.text()


def test_a_dead_relu_is_badged_on_the_diagram_and_named_in_the_inspector(qtbot):
    document = Document(dead_relu())
    network, graph, inspector = views(qtbot, document)
    flag = only_flag(document, FlagKind.DEAD_RELU)
    assert "every one of the 2 samples (at most −3)" in flag.message
    for view in (network, graph):
        badge = assert_badge_follows_cursor(document, view, "h1[0]", flag)
        assert badge.text == "dead ReLU"
    assert "Dead ReLU:" in inspector.text() and "at most −3" in inspector.text()
    # the pre-activation's step concerns the flag too, but only once it is visible
    later = document.trace.producer[next(k for k in document.trace.producer
                                         if k.quantity is Quantity.ADJOINT
                                         and k.node == "z1[0]")]
    document.set_cursor(later)
    assert "Dead ReLU:" in inspector.text()
    document.set_cursor(1)  # z₁[1]: a live unit, nothing to notice yet
    assert "Notice" not in inspector.text()


def test_rising_loss_after_training_shows_a_banner_and_a_badge_on_the_loss(qtbot):
    document = Document(too_large_a_learning_rate())
    network, graph, inspector = views(qtbot, document)
    assert document.flags.all == ()
    assert network.flag_overlay.banner is None
    with qtbot.waitSignal(document.flags.changed):
        document.train(5)
    flag = only_flag(document, FlagKind.RISING_LOSS)
    assert flag.step is None and flag.update == 1
    assert "since update 1 (0.583333 → 178.552)" in flag.message
    assert "η = 0.5 is too large" in flag.message
    for view in (network, graph):
        banner = view.flag_overlay.banner
        assert isinstance(banner, FlagBanner) and banner.isVisible()
        assert banner.text() == f"Loss rising: {flag.message}"
        assert banner.sceneBoundingRect().bottom() < min(
            n.sceneBoundingRect().top() for n in view.nodes.values())  # above the diagram
        badge = view.flag_overlay.badge("loss")
        document.set_cursor(0)
        assert badge.isVisible() and badge.text == "loss rising"  # no step: always shown
    assert "Loss rising:" in inspector.text()  # about the whole run: on every step
    document.undo_stack.undo()
    assert document.flags.all == ()
    assert not network.flag_overlay.banner.isVisible()
    assert network.flag_overlay.badge("loss") is None
    assert "Notice" not in inspector.text()


def test_a_shared_node_is_badged_at_its_summed_adjoint(qtbot):
    document = Document(bundled("chain-rule-discussion-expression"))
    graph = GraphView(document)
    inspector = StepInspector(document)
    qtbot.addWidget(graph)
    qtbot.addWidget(inspector)
    flag = only_flag(document, FlagKind.SHARED_NODE)
    assert flag.nodes == ("x", "f", "g")
    assert document.trace[flag.step].result == 36  # ∂ℓ/∂x = 32 + 4
    badge = assert_badge_follows_cursor(document, graph, "x", flag)
    assert badge.text == "shared: Σ"
    assert "x feeds 2 places (f, g)" in inspector.text()
    assert "sum of 2 contributions" in inspector.text()


def test_flags_are_computed_per_trace_not_per_cursor_move(qtbot, monkeypatch):
    document = Document(saturated_sigmoid())
    network, _, _ = views(qtbot, document)
    calls = []
    real = session_flags.flags_for
    monkeypatch.setattr(session_flags, "flags_for",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    for index in range(len(document.trace)):
        document.set_cursor(index)
    assert calls == []
    document.set_granularity("layer")
    assert calls == [1]
    # layer by layer the flag names the whole tensor's step; the badge still follows it
    flag = only_flag(document, FlagKind.SATURATED)
    assert document.trace[flag.step].key.node == "h1"
    assert_badge_follows_cursor(document, network, "h1[0]", flag)


def test_a_network_too_large_for_nodes_gets_only_the_history_flags(qtbot, monkeypatch):
    network = Network(60, (Layer(40, Activation("sigmoid")), Layer(2, Activation())))
    rng = np.random.default_rng(0)
    params = Parameters.of([rng.normal(0, 10, (40, 60)), rng.normal(0, 1, (2, 40))],
                           [np.zeros(40), np.zeros(2)])
    data = Dataset(rng.normal(size=(4, 60)), rng.normal(size=(4, 2)))
    problem = NetworkProblem(network, params, data, Training(learning_rate=0.1))
    assert scalar_node_count(problem) > NODE_LIMIT
    assert any(f.kind is FlagKind.SATURATED for f in flags_for(problem))  # σ(w·x), w ~ 10

    def slow(*_args, **_kwargs):
        raise AssertionError("flags_for builds the whole scalar graph")

    monkeypatch.setattr(session_flags, "flags_for", slow)
    document = Document(Exercise("wide", problem))
    assert document.flags.all == ()
    document.edit("overshoot", document.exercise.with_problem(
        problem.with_params(problem.params.map(lambda w: w * 0.01))))
    assert document.flags.all == ()


@pytest.mark.parametrize("theme_change", [False, True])
def test_badges_survive_a_rebuilt_scene(qtbot, theme_change):
    """A new structure or a theme change rebuilds the scene: the badges come back."""
    from tutor.ui import style

    document = Document(dead_relu())
    network, _, _ = views(qtbot, document)
    flag = only_flag(document, FlagKind.DEAD_RELU)
    document.set_cursor(flag.step)
    if theme_change:
        style.theme().set_font_scale(1.3)
        style.theme().set_font_scale(1.0)
    else:
        document.reset(saturated_sigmoid())
        flag = only_flag(document, FlagKind.SATURATED)
        document.set_cursor(flag.step)
    badge = network.flag_overlay.badge("h1[0]")
    assert badge is not None and badge.node is network.nodes["h1[0]"]
    assert badge.isVisible() and badge.messages() == (flag.message,)
    assert len([i for i in network.scene().items() if isinstance(i, FlagBadge)]) == 1
