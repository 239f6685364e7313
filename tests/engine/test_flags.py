"""Misconception flags on constructed problems, and no false flag on the sheets."""

from dataclasses import replace

import numpy as np
import pytest

from tutor.engine import (
    Activation,
    Dataset,
    ExpressionProblem,
    Layer,
    Loss,
    LossKind,
    Network,
    NetworkProblem,
    Parameters,
    Quantity,
    Training,
)
from tutor.engine.flags import SATURATION, FlagKind, flags_for
from tutor.exercise import bundled, default_path, load
from tutor.exercise.library import exercises_dir

SQUARED = Loss()


def one_hidden(activation: str, w1, b1, inputs, targets, *, output="identity",
               loss=SQUARED, eta=0.1, input_gradients=False) -> NetworkProblem:
    """x → (hidden, one weight row per unit) → one output with weights of 1."""
    w1 = np.array(w1, dtype=float)
    network = Network(w1.shape[1], (Layer(w1.shape[0], Activation(activation)),
                                    Layer(1, Activation(output))), loss)
    params = Parameters.of([w1, np.ones((1, w1.shape[0]))], [b1, [0.0]])
    data = Dataset(np.array(inputs, dtype=float), np.array(targets, dtype=float))
    return NetworkProblem(network, params, data, Training(learning_rate=eta),
                          input_gradients=input_gradients)


def kinds(flags) -> list[str]:
    return [f.kind.value for f in flags]


# --------------------------------------------------------------------------- the sheets

def test_no_flag_on_the_cmu_recitation():
    """a₁ = 3, a₂ = 2 > 0 (no dead ReLU), ReLU cannot saturate, one output, no input
    gradients: nothing to flag."""
    problem = load(default_path()).problem
    assert flags_for(problem, problem.trace("node")) == ()
    assert flags_for(problem, problem.trace("layer"), problem.train(20).losses) == ()


def test_inf264_relu_is_zero_for_one_sample_but_not_dead():
    problem = load(exercises_dir() / "inf264-homework-4.json").problem
    trace = problem.trace("node")
    assert trace.value("h1[0]", 1) == 0 and trace.value("h1[0]", 0) == 3
    assert flags_for(problem, trace) == ()


def test_shared_flags_are_exactly_the_trace_steps_that_sum():
    """Oracle: the trace's own chain-rule sums (steps with ≥ 2 terms)."""
    for item in bundled():
        problem = load(item.path).problem
        trace = problem.trace("node")
        summed = {s.node for s in trace if len(s.terms) >= 2}
        flags = [f for f in flags_for(problem, trace) if f.kind is FlagKind.SHARED_NODE]
        assert {f.nodes[0] for f in flags} == summed, item.name
        for flag in flags:
            step = trace[flag.step]
            assert step.key.quantity is Quantity.ADJOINT and step.node == flag.nodes[0]
            assert set(flag.nodes[1:]) == {t.via for t in step.terms}


def test_chain_rule_expression_flags_x_as_shared():
    exercise = load(exercises_dir() / "chain-rule-discussion-expression.json")
    trace = exercise.problem.trace()
    (flag,) = flags_for(exercise.problem, trace)
    assert flag.kind is FlagKind.SHARED_NODE and flag.nodes == ("x", "f", "g")
    assert trace[flag.step].result == 36  # ∂ℓ/∂x = 32 + 4
    assert flag.message.startswith("x feeds 2 places (f, g): its adjoint ∂ℓ/∂x is the sum of "
                                   "2 contributions")


# --------------------------------------------------------------------------- saturation

def test_saturated_sigmoid_is_flagged_with_its_numbers():
    problem = one_hidden("sigmoid", [[10.0], [0.5]], [0.0, 0.0], [[1.0]], [[0.0]])
    trace = problem.trace("node")
    flags = flags_for(problem, trace)
    assert kinds(flags) == ["saturated"]
    (flag,) = flags
    assert flag.nodes == ("h1[0]", "z1[0]")
    assert trace[flag.step].key.node == "h1[0]"
    value = 1 / (1 + np.exp(-10))  # 0.9999546
    assert value * (1 - value) < SATURATION * 0.25
    assert flag.message == ("h⁽¹⁾₁ = σ(z⁽¹⁾₁) = 0.999955 is saturated: its local derivative "
                            "σ′ = 4.5e−5 ≈ 0, so almost no gradient flows back through it "
                            "(vanishing gradient).")
    assert trace.adjoint("W1[0,0]") < 1e-3 * abs(trace.adjoint("W1[1,0]"))


def test_saturation_threshold_is_one_percent_of_the_peak():
    # tanh′ = 1 − tanh² is 0.0099 at z = 3.0 and 0.0110 at z = 2.95
    just_in = one_hidden("tanh", [[3.0]], [0.0], [[1.0]], [[0.0]])
    just_out = one_hidden("tanh", [[2.95]], [0.0], [[1.0]], [[0.0]])
    assert 1 - np.tanh(3.0) ** 2 < 1e-2 < 1 - np.tanh(2.95) ** 2
    assert kinds(flags_for(just_in)) == ["saturated"]
    assert "tanh′ = 0.0099" in flags_for(just_in)[0].message
    assert flags_for(just_out) == ()


def test_saturation_is_checked_on_the_traced_samples():
    problem = one_hidden("sigmoid", [[8.0]], [0.0], [[1.0], [0.0], [2.0]], [[0], [0], [0]])
    (flag,) = flags_for(problem, problem.trace())
    assert "saturated for 2 of the 3 traced samples" in flag.message
    assert "Sample 3" in flag.message  # the worst (row 2): z = 16
    sgd = replace(problem, training=Training(method="sgd"))  # traces sample 1 only (z = 0)
    sgd = replace(sgd, data=Dataset(sgd.data.inputs[[1, 0, 2]], sgd.data.targets))
    assert flags_for(sgd, sgd.trace()) == ()


def test_a_saturated_sigmoid_output_under_cross_entropy_is_not_flagged():
    bce = Loss(LossKind.BINARY_CROSS_ENTROPY, half=False)
    problem = one_hidden("relu", [[1.0]], [0.0], [[9.0]], [[0.0]], output="sigmoid", loss=bce)
    assert flags_for(problem) == ()  # ∂ℓ/∂z = ŷ − y: no vanishing
    squared = one_hidden("relu", [[1.0]], [0.0], [[9.0]], [[0.0]], output="sigmoid")
    assert [f.nodes for f in flags_for(squared)] == [("h2[0]", "z2[0]")]


def test_saturated_expression_ops():
    problem = ExpressionProblem("f = sigmoid(w*x) + tanh(x)", {"w": 12.0, "x": 1.0})
    trace = problem.trace()
    flags = flags_for(problem, trace)
    saturated = [f for f in flags if f.kind is FlagKind.SATURATED]
    assert len(saturated) == 1 and saturated[0].message.startswith("v")
    assert "σ(" in saturated[0].message
    step = trace[saturated[0].step]
    assert step.key.node == saturated[0].nodes[0] and step.result == pytest.approx(1, abs=1e-5)
    assert flags_for(ExpressionProblem("f = tanh(x)", {"x": 0.5})) == ()


# --------------------------------------------------------------------------- dead ReLU

def test_dead_relu_needs_every_sample():
    inputs, targets = [[1.0], [2.0], [3.0]], [[1.0], [2.0], [3.0]]
    dead = one_hidden("relu", [[-1.0], [1.0]], [0.5, 0.0], inputs, targets)  # z = 0.5 − x ≤ 0
    alive = one_hidden("relu", [[-1.0], [1.0]], [1.5, 0.0], inputs, targets)  # z(1) = 0.5
    flags = flags_for(dead, dead.trace())
    assert kinds(flags) == ["dead_relu"] and flags[0].nodes == ("h1[0]", "z1[0]")
    assert "every one of the 3 samples (at most −0.5)" in flags[0].message
    assert flags_for(alive, alive.trace()) == ()
    assert dead.gradients().params.weights[0][0, 0] == 0  # the reason it is a misconception
    run = dead.train(50)
    assert run.final.weights[0][0, 0] == -1.0 and run.final.biases[0][0] == 0.5


def test_dead_relu_uses_the_whole_dataset_even_when_sgd_traces_one_sample():
    problem = one_hidden("relu", [[1.0]], [-1.5], [[1.0], [2.0]], [[0.0], [1.0]],
                         eta=0.1)
    sgd = replace(problem, training=Training(method="sgd"))  # the trace sees only x = 1
    assert sgd.trace().value("h1[0]") == 0
    assert flags_for(sgd, sgd.trace()) == ()  # x = 2 keeps it alive


# --------------------------------------------------------------------------- the loss history

def test_rising_loss_after_three_rises_names_the_update():
    problem = load(default_path()).problem
    (flag,) = flags_for(problem, None, [1.0, 0.9, 1.0, 1.2, 1.5])
    assert flag.kind is FlagKind.RISING_LOSS and flag.update == 2 and flag.nodes == ("loss",)
    assert "since update 2 (0.9 → 1.5)" in flag.message
    assert "η = 0.1 is too large" in flag.message and "η = 0.05" in flag.message
    assert flags_for(problem, None, [1.0, 0.9, 1.0, 1.2]) == ()  # two rises
    assert flags_for(problem, None, [1.0, 0.8, 0.9, 0.85, 0.7]) == ()
    assert flags_for(problem, None, []) == ()


def test_a_real_run_with_a_large_learning_rate_rises_then_diverges():
    inputs = [[1.0], [2.0], [3.0]]
    problem = one_hidden("identity", [[0.5]], [0.0], inputs, [[1.0], [2.0], [3.0]], eta=0.5)
    run = problem.train(2000)
    assert run.diverged_at is not None
    flags = flags_for(problem, None, run.losses, diverged_at=run.diverged_at)
    assert kinds(flags) == ["rising_loss", "diverged"]
    assert flags[0].update == 1 and flags[1].update == run.diverged_at
    assert f"diverged at update {run.diverged_at}" in flags[1].message
    small = replace(problem, training=Training(learning_rate=0.02))
    assert flags_for(small, None, small.train(100).losses) == ()


def test_non_finite_history_and_trace_are_diverged():
    problem = load(default_path()).problem
    (flag,) = flags_for(problem, None, [3.0, 9.0, np.inf])
    assert flag.kind is FlagKind.DIVERGED and flag.update == 2
    huge = problem.with_params(problem.params.map(lambda w: w * 1e200))
    trace = huge.trace()
    (flag,) = [f for f in flags_for(huge, trace) if f.kind is FlagKind.DIVERGED]
    assert not np.isfinite(trace[flag.step].result)
    assert all(np.isfinite(s.result) for s in trace.steps[: flag.step])


# --------------------------------------------------------------------------- shared nodes

def test_shared_hidden_nodes_of_a_two_output_network():
    network = Network(1, (Layer(2, Activation("relu")), Layer(2)))
    params = Parameters.of([[[1.0], [2.0]], [[1.0, 1.0], [1.0, -1.0]]], [[0, 0], [0, 0]])
    problem = NetworkProblem(network, params, Dataset(np.array([[1.0]]), np.array([[0, 0.]])))
    trace = problem.trace("node")
    flags = flags_for(problem, trace)
    assert kinds(flags) == ["shared_node", "shared_node"]
    assert [f.nodes for f in flags] == [("h1[0]", "z2[0]", "z2[1]"), ("h1[1]", "z2[0]", "z2[1]")]
    for flag in flags:
        assert len(trace[flag.step].terms) == 2
    layer = problem.trace("layer")
    assert layer[flags_for(problem, layer)[0].step].key.node == "h1"


def test_inputs_are_shared_only_when_their_gradients_are_traced():
    plain = one_hidden("relu", [[1.0], [2.0]], [0.0, 0.0], [[1.0]], [[0.0]])
    traced = replace(plain, input_gradients=True)
    assert flags_for(plain) == ()
    (flag,) = flags_for(traced, traced.trace())
    assert flag.nodes == ("x[0]", "z1[0]", "z1[1]")


def test_a_node_used_twice_by_one_operation_is_shared():
    problem = ExpressionProblem("f = x*x", {"x": 3.0})
    trace = problem.trace()
    (flag,) = flags_for(problem, trace)
    assert flag.nodes == ("x", "f") and "(2 times)" in flag.message
    assert trace[flag.step].result == 6


@pytest.mark.parametrize("item", bundled(), ids=lambda b: b.name)
def test_flags_never_warn_or_raise_on_bundled_exercises(item):
    problem = load(item.path).problem
    for granularity in ("node", "layer"):
        for flag in flags_for(problem, problem.trace(granularity)):
            assert flag.message and flag.nodes
