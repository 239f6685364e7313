"""Expression programs: graphs, shared nodes, the sheets' functions, traces and training."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.engine.expression import ExpressionError, ExpressionProblem, default_symbol
from tutor.engine.graph import Role
from tutor.engine.layout import layered_layout
from tutor.engine.notation import to_unicode
from tutor.engine.trace import Key, Phase, Quantity

SHEET_002 = "f = sin(x*y)/z + exp(x*z)/(x*y)"
SHEET_001 = "f = x^2; g = x; l = f^2 + g^2"


def sheet_002_gradient(x: float, y: float, z: float) -> dict[str, float]:
    """Closed form of ∇f for f = sin(xy)/z + e^{xz}/(xy)."""
    xy, exz = x * y, math.exp(x * z)
    return {
        "x": y * math.cos(xy) / z + exz * (z * xy - y) / xy**2,
        "y": x * math.cos(xy) / z - exz * x / xy**2,
        "z": -math.sin(xy) / z**2 + exz / y,
    }


# --------------------------------------------------------------------------- the sheets

def test_sheet_002_value_gradient_and_shared_product() -> None:
    problem = ExpressionProblem(SHEET_002, {"x": 1.0, "y": 2.0, "z": 0.5})
    graph = problem.graph()
    products = [n for n in graph.nodes if n.op is not None and n.op.name == "multiply"
                and set(n.inputs) == {"x", "y"}]
    assert len(products) == 1, "x*y written twice must be one node"
    xy = products[0].id
    assert len(graph.consumers[xy]) == 2
    assert problem.value() == pytest.approx(math.sin(2) / 0.5 + math.exp(0.5) / 2)
    trace = problem.trace()
    expected = sheet_002_gradient(1.0, 2.0, 0.5)
    for name, value in expected.items():
        assert trace.adjoint(name) == pytest.approx(value, rel=1e-12)
    step = trace.find(Key(Quantity.ADJOINT, xy))
    assert step is not None and len(step.terms) == 2
    assert {t.via for t in step.terms} == {c for c, _ in graph.consumers[xy]}
    assert step.result == pytest.approx(sum(t.value for t in step.terms))
    # the two contributions: through sin and through the division e^{xz}/(xy)
    by_op = {graph[t.via].op.name: t.value for t in step.terms}
    assert by_op["sin"] == pytest.approx(math.cos(2) / 0.5)
    assert by_op["divide"] == pytest.approx(-math.exp(0.5) / 4)


@settings(max_examples=25)
@given(st.floats(0.3, 2.0), st.floats(0.3, 2.0), st.floats(0.3, 2.0))
def test_sheet_002_gradient_everywhere(x: float, y: float, z: float) -> None:
    gradients = ExpressionProblem(SHEET_002, {"x": x, "y": y, "z": z}).gradients()
    for name, value in sheet_002_gradient(x, y, z).items():
        assert gradients[name] == pytest.approx(value, rel=1e-9, abs=1e-12)


def test_sheet_002_with_e_power_and_named_product_is_the_same_graph() -> None:
    written = ExpressionProblem("u = x*y\nf = sin(u)/z + e^(x*z)/u", {"x": 1, "y": 2, "z": 3})
    assert [n.op.name for n in written.graph().nodes if n.op] == [
        "multiply", "sin", "divide", "multiply", "exp", "divide", "add"]
    assert written.graph()["u"].symbol == "u"
    assert written.gradients() == pytest.approx(sheet_002_gradient(1, 2, 3))


@pytest.mark.parametrize("x", [-1.5, -0.3, 0.0, 0.7, 2.0])
def test_sheet_001_l_of_x_is_4x3_plus_2x(x: float) -> None:
    problem = ExpressionProblem(SHEET_001, {"x": x})
    trace = problem.trace()
    assert problem.value() == pytest.approx(x**4 + x**2)
    assert trace.adjoint("x") == pytest.approx(4 * x**3 + 2 * x)
    # x feeds f = x² and the alias g = x: two named contributions, 4x³ and 2x
    step = trace.find(Key(Quantity.ADJOINT, "x"))
    assert step is not None
    assert {t.via: t.value for t in step.terms} == pytest.approx({"f": 4 * x**3, "g": 2 * x})


def test_an_alias_is_a_node_of_its_own() -> None:
    graph = ExpressionProblem(SHEET_001, {"x": 1.0}).graph()
    assert graph["g"].op is not None and graph["g"].op.name == "identity"
    assert graph["g"].inputs == ("x",)
    assert graph.output == "l"


# --------------------------------------------------------------------------- structure

def test_roles_and_hash_consing() -> None:
    problem = ExpressionProblem("f = 2*x*y + 2*x*y + 2", {"x": 1.0, "y": 3.0},
                                trainable=("y",))
    graph = problem.graph()
    assert graph["x"].role is Role.INPUT and graph["y"].role is Role.PARAM
    constants = graph.leaves(Role.CONSTANT)
    assert [c.id for c in constants] == ["2"]  # one constant node, used three times
    assert len(graph.consumers["2"]) == 2  # 2*x and the final + 2
    ops = [n for n in graph.nodes if n.op is not None]
    assert len(ops) == 4  # 2*x, (2*x)*y, the sum of the two equal terms, + 2
    assert problem.value() == pytest.approx(14.0)
    assert problem.gradients() == pytest.approx({"x": 12.0, "y": 4.0})


def test_x_times_x_gives_two_terms() -> None:
    trace = ExpressionProblem("f = x*x", {"x": 3.0}).trace()
    step = trace.find(Key(Quantity.ADJOINT, "x"))
    assert step is not None and [t.value for t in step.terms] == [3.0, 3.0]
    assert step.result == 6.0


def test_symbols_default_and_mapped() -> None:
    problem = ExpressionProblem("u = x1*theta; f = sin(u) + x1^2", {"x1": 1.0, "theta": 2.0},
                                symbols={"x1^2": "s", "f": "ℓ"})
    graph = problem.graph()
    assert to_unicode(graph["x1"].symbol) == "x₁"
    assert graph["theta"].symbol == "θ"
    squares = [n for n in graph.nodes if n.op is not None and n.op.name == "power_constant"]
    assert squares[0].symbol == "s"
    assert graph["f"].symbol == "ℓ"
    assert problem.trace().loss_symbol == "ℓ"
    unnamed = [n for n in graph.nodes if n.op is not None and n.op.name == "sin"]
    assert unnamed[0].id == "v1" and to_unicode(unnamed[0].symbol) == "v₁"


@pytest.mark.parametrize(("name", "symbol"), [
    ("x", "x"), ("x1", "x₁"), ("x_12", "x₁₂"), ("alpha", "α"), ("w_ij", "wᵢⱼ"),
    ("w_xy9", "w_(xy9)"),
])
def test_default_symbol(name: str, symbol: str) -> None:
    assert to_unicode(default_symbol(name)) == symbol


def test_unicode_operators_and_subscripts_are_accepted() -> None:
    problem = ExpressionProblem("f = x₁ × y − 2 ÷ x₁", {"x_1": 2.0, "y": 3.0})
    assert problem.value() == pytest.approx(5.0)


def test_symbols_key_that_is_not_in_the_program() -> None:
    with pytest.raises(ExpressionError, match="'x\\*q' is not part of the program"):
        ExpressionProblem("f = x*y", {"x": 1, "y": 2}, symbols={"x*q": "a"})


def test_lone_expression_output_is_named_f() -> None:
    problem = ExpressionProblem("x*y + 1", {"x": 2.0, "y": 3.0})
    assert problem.output == "f"
    assert problem.value() == 7.0


def test_dead_assignments_are_dropped_and_reported() -> None:
    problem = ExpressionProblem("a = x*5; f = y + 1", {"x": 1.0, "y": 2.0})
    assert "a" not in {n.id for n in problem.graph().nodes}
    assert problem.variables == ("y",)
    assert any("'a' is assigned" in p for p in problem.problems())
    assert any("'x' has a value" in p for p in problem.problems())


def test_layout_of_an_expression_graph() -> None:
    graph = ExpressionProblem(SHEET_002, {"x": 1, "y": 2, "z": 3}).graph()
    layout = layered_layout(graph)
    for node in graph.nodes:
        for source in node.inputs:
            assert layout[source][0] < layout[node.id][0]
    assert len(set(layout.values())) == len(layout)


# --------------------------------------------------------------------------- traces

def test_trace_is_forward_then_backward_and_reads_earlier_steps() -> None:
    problem = ExpressionProblem(SHEET_002, {"x": 1.0, "y": 2.0, "z": 0.5})
    trace = problem.trace()
    phases = [s.phase for s in trace]
    first_backward = phases.index(Phase.BACKWARD)
    assert set(phases[:first_backward]) == {Phase.FORWARD}
    assert set(phases[first_backward:]) == {Phase.BACKWARD}
    forward_nodes = [s.node for s in trace if s.phase is Phase.FORWARD]
    assert forward_nodes == [n.id for n in problem.graph().nodes if n.op is not None]
    leaves = {n.id for n in problem.graph().nodes if n.op is None}
    for step in trace:
        for key in step.reads:
            if key.quantity is Quantity.VALUE and key.node in leaves:
                continue  # given values are not computed by a step
            assert trace.producer[key] < step.index, (step.key, key)
    assert trace.value("f") == pytest.approx(problem.value())
    assert problem.trace("layer") == trace


def test_differentiate_limits_the_leaf_adjoints() -> None:
    trace = ExpressionProblem(SHEET_002, {"x": 1, "y": 2, "z": 3},
                              differentiate=("z",)).trace()
    leaf_adjoints = {s.node for s in trace if s.phase is Phase.BACKWARD} & {"x", "y", "z"}
    assert leaf_adjoints == {"z"}


def test_trainable_trace_ends_with_updates_and_the_new_loss() -> None:
    problem = ExpressionProblem("a = w*x + b; l = (a - y)^2",
                                {"w": 0.5, "x": 2.0, "b": 0.0, "y": 3.0},
                                trainable=("w", "b"), learning_rate=0.05)
    trace = problem.trace()
    updates = {s.node: s.result for s in trace if s.phase is Phase.UPDATE}
    # ∂l/∂w = 2(a − y)x = −8, ∂l/∂b = 2(a − y) = −4
    assert updates == pytest.approx({"w": 0.5 + 0.05 * 8, "b": 0.0 + 0.05 * 4})
    assert trace[-1].phase is Phase.EVALUATE
    assert trace[-1].result == pytest.approx((0.9 * 2 + 0.2 - 3.0) ** 2)


def test_train_descends_and_reports_divergence() -> None:
    problem = ExpressionProblem("l = (w - 3)^2", {"w": 0.0}, trainable=("w",),
                                learning_rate=0.1)
    run = problem.train(30)
    assert run.diverged_at is None and len(run.losses) == 31
    assert np.all(np.diff(run.losses) < 0)
    assert run.final["w"] == pytest.approx(3 - 3 * 0.8**30)
    assert run.values[1]["w"] == pytest.approx(0.6)
    diverging = ExpressionProblem("l = exp(w^2)", {"w": 1.0}, trainable=("w",),
                                  learning_rate=10.0).train(20)
    assert diverging.diverged_at is not None and len(diverging.losses) == diverging.diverged_at


def test_gradient_check_agrees_and_counts_forward_passes() -> None:
    check = ExpressionProblem(SHEET_002, {"x": 1.0, "y": 2.0, "z": 0.5}).gradient_check()
    assert check.variables == ("x", "y", "z")
    assert check.max_abs_error < 1e-6
    assert check.forward_passes == 6
    assert check.analytic == pytest.approx([sheet_002_gradient(1.0, 2.0, 0.5)[v] for v in "xyz"])


def test_with_values_reparses_with_new_numbers() -> None:
    problem = ExpressionProblem(SHEET_001, {"x": 1.0}).with_values(x=2.0)
    assert problem.value() == 20.0


# --------------------------------------------------------------------------- domain errors

@pytest.mark.parametrize(("program", "values", "fragment"), [
    ("f = log(x)", {"x": -1.0}, "NaN"),
    ("f = sqrt(x) + 1", {"x": -4.0}, "NaN"),
    ("f = 1/x", {"x": 0.0}, "infinite"),
    ("f = 2**10**10", {}, "infinite"),
    ("f = exp(exp(x))", {"x": 10.0}, "infinite"),
])
def test_domain_errors_give_values_and_problems_not_exceptions(program, values, fragment):
    problem = ExpressionProblem(program, values)
    assert not math.isfinite(problem.value())
    assert any(fragment in p for p in problem.problems())
    problem.trace()  # stepping through nan and inf is allowed


def test_opposite_infinite_contributions_give_nan_not_an_exception() -> None:
    # x feeds x/y and x/z: at y = z = 0 its adjoint adds +∞ and −∞
    problem = ExpressionProblem("f = x/y - x/z", {"x": 1.0, "y": 0.0, "z": 0.0})
    step = problem.trace().find(Key(Quantity.ADJOINT, "x"))
    assert step is not None and sorted(t.value for t in step.terms) == [-math.inf, math.inf]
    assert math.isnan(step.result)
    assert math.isnan(problem.gradients()["x"])


def test_missing_value_names_the_variable_and_its_column() -> None:
    with pytest.raises(ExpressionError, match="column 7: no value given for 'q'") as info:
        ExpressionProblem("f = x*q", {"x": 1.0})
    assert (info.value.line, info.value.column) == (1, 7)


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"differentiate": ("q",)}, "differentiate: 'q' is not a variable"),
    ({"trainable": ("q",)}, "trainable: 'q' is not a variable"),
])
def test_unknown_names_in_settings(kwargs, fragment) -> None:
    with pytest.raises(ExpressionError, match=fragment):
        ExpressionProblem("f = x", {"x": 1.0}, **kwargs)


def test_train_needs_trainable_variables() -> None:
    with pytest.raises(ValueError, match="no trainable"):
        ExpressionProblem("f = x", {"x": 1.0}).train(3)


def test_a_negative_local_derivative_is_bracketed_in_the_chain_rule_line():
    problem = ExpressionProblem("f = sin(x*y)/z + exp(x*z)/(x*y)", {"x": 1.0, "y": 2.0, "z": 3.0})
    shared = next(s for s in problem.trace() if len(s.terms) == 2 and s.node.startswith("v"))
    assert shared.terms[1].numbers.endswith("\\cdot (−20.0855 / 2^2)")
    assert to_unicode(shared.formula).endswith("· (−v₅ / v₁²)")
