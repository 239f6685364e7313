"""The chain-rule discussion sheet, item by item: every number its bundled exercises show.

The sheet gives symbols only; each exercise says which numbers it chose, and every closed
form the sheet asks for is checked here against both traces (node and layer).
"""

import numpy as np
import pytest
from sheet_exercises import exercise, expression, network

from tutor.engine import Key, NetworkProblem, Quantity, check_gradients
from tutor.engine.expression import ExpressionProblem


def sigmoid(z):
    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))


def answers(name: str, granularity: str = "node") -> dict[str, float]:
    """Each question's answer, read from the step the trace computes it in."""
    ex = exercise(name)
    trace = ex.problem.trace(granularity) if isinstance(ex.problem, NetworkProblem) \
        else ex.problem.trace()
    return {q.id: trace.find(Key(q.quantity, q.node, q.sample)).result for q in ex.questions}


# --------------------------------------------------------------------------- chain-rule sheet

def test_chain_rule_network_closed_forms():
    problem = network("chain-rule-discussion")
    trace = problem.trace("layer")
    W1, W2, b = problem.params.weights[0], problem.params.weights[1], problem.params.biases[0]
    x, y = problem.data.inputs[0], problem.data.targets[0]
    phi = np.tanh(W1 @ x + b)
    r = W2 @ phi - y
    dl_db = (1 - phi**2) * (W2.T @ r)
    assert trace.value("loss") == pytest.approx(0.5 * r @ r)
    np.testing.assert_allclose(trace.adjoint("W2"), np.outer(r, phi))
    np.testing.assert_allclose(trace.adjoint("b1"), dl_db)
    np.testing.assert_allclose(trace.adjoint("W1"), np.outer(dl_db, x))
    np.testing.assert_allclose(trace.adjoint("x"), W1.T @ dl_db)
    node = problem.trace("node")
    np.testing.assert_allclose([node.adjoint("x[0]"), node.adjoint("x[1]")], W1.T @ dl_db)


def test_chain_rule_gradient_check_costs():
    problem = network("chain-rule-discussion")
    check = check_gradients(problem.network, problem.params, problem.data)
    parameters = problem.params.flat().size
    assert parameters == 10  # W⁽¹⁾ 2×2, b 2, W⁽²⁾ 2×2
    assert check.forward_passes == 2 * parameters
    assert check.backward_passes == 1
    assert check.max_abs_error < 1e-8



@pytest.mark.skipif(not hasattr(ExpressionProblem, "trace"), reason="no expression engine")
def test_chain_rule_expression_derivative():
    problem = expression("chain-rule-discussion-expression")
    trace = problem.trace()
    x = problem.values["x"]
    assert trace.value("l") == x**4 + x**2
    assert trace.adjoint("x") == 4 * x**3 + 2 * x  # ℓ′(x) = 4x³ + 2x
    assert trace.adjoint("f") == 2 * x**2  # ∂h/∂x₁ = 2x₁ at x₁ = f(x)
    assert trace.adjoint("g") == 2 * x



@pytest.mark.skipif(not hasattr(ExpressionProblem, "trace"), reason="no expression engine")
def test_chain_rule_section_2_derivatives():
    """σ′, ReLU′, tanh′ and the sheet's leaky ReLU max(x, −0.1x), each as an input's adjoint."""
    problem = expression("chain-rule-discussion-derivatives")
    trace = problem.trace()
    assert trace.adjoint("a") == 0.25  # σ′(0) = σ(0)(1 − σ(0))
    assert trace.adjoint("b") == 1  # ReLU′(2)
    assert trace.adjoint("c") == pytest.approx(1 - np.tanh(0.5) ** 2)
    assert trace.adjoint("d") == pytest.approx(-0.1)  # max(x, −0.1x) at x = −3
    lines = {s.node: s.line() for s in trace if s.key.quantity is Quantity.ADJOINT}
    assert lines["c"] == "∂f/∂c = ∂f/∂t · (1 − t²) = 1 · (1 − 0.462117²) = 0.786448"




# --------------------------------------------------------------------------- §1, second item

def test_multivariable_chain_rule_sums_over_the_paths():
    """d/dw f(g₁(w), g₂(w), g₃(w)) = Σᵢ ∂f/∂xᵢ · dgᵢ/dw, one term per path w → xᵢ → f."""
    problem = expression("chain-rule-discussion-multivariable")
    trace = problem.trace()
    w = problem.values["w"]
    assert (trace.value("x1"), trace.value("x2"), trace.value("x3")) == (6, 4, 0.5)  # gᵢ(w)
    assert trace.value("f") == 24.5  # x₁x₂ + x₃
    assert (trace.adjoint("x1"), trace.adjoint("x2"), trace.adjoint("x3")) == (4, 6, 1)
    assert trace.adjoint("w") == pytest.approx(9 * w**2 - 1 / w**2) == 35.75  # f(w) = 3w³ + 1/w
    step = trace.find(Key(Quantity.ADJOINT, "w"))
    assert step.line() == ("∂f/∂w = ∂f/∂x₁ · 3 + ∂f/∂x₂ · 2w + ∂f/∂x₃ · (−1 / w²) "
                           "= 4 · 3 + 6 · 2 · 2 + 1 · (−1 / 2²) = 35.75")
    assert len(step.terms) == 3  # the graph: w fans out to x₁, x₂, x₃, which meet in f
    assert answers("chain-rule-discussion-multivariable") == {
        "df_dx1": 4, "df_dx3": 1, "df_dw": 35.75}


# --------------------------------------------------------------------------- §1, third item

SUM = "chain-rule-discussion-sum"


def test_f_of_W_x_y_is_the_sheets_function_with_fixed_unit_weights():
    """f(W, x, y) = (y − Σᵢ φ(wᵢᵀx + bᵢ))²: identity output, no ½, the residual y − Σ."""
    problem = network(SUM)
    W, b = problem.params.weights[0], problem.params.biases[0]
    x, y = problem.data.inputs[0], problem.data.targets[0, 0]
    np.testing.assert_array_equal(problem.params.weights[1], [[1, 1]])  # the Σ's unit weights
    assert problem.training.frozen == {"W2"}
    f = (y - sigmoid(W @ x + b).sum()) ** 2
    node, layer = problem.trace("node"), problem.trace("layer")
    assert node.value("loss") == layer.value("loss") == f == 1
    assert (node.value("z1[0]"), node.value("z1[1]")) == (0, 0)  # uᵢ = wᵢᵀx + bᵢ
    assert (node.value("h1[0]"), node.value("h1[1]")) == (0.5, 0.5)  # φ(0) = σ(0)
    assert node.value("z2[0]") == 1 and node.value("r[0]") == 1  # s = Σᵢ hᵢ, r = y − s
    np.testing.assert_array_equal(layer.value("h1"), [0.5, 0.5])


def test_f_of_W_x_y_backward_pass_at_both_granularities():
    problem = network(SUM)
    x = problem.data.inputs[0]
    node, layer = problem.trace("node"), problem.trace("layer")
    assert node.adjoint("r[0]") == 2  # ∂f/∂r = 2r, no ½
    assert node.adjoint("z2[0]") == -2  # ∂f/∂s = −2r
    assert (node.adjoint("h1[0]"), node.adjoint("h1[1]")) == (-2, -2)  # through the unit weights
    assert (node.adjoint("z1[0]"), node.adjoint("z1[1]")) == (-0.5, -0.5)  # · φ′(0) = ¼
    dW = [[node.adjoint(f"W1[{j},{i}]") for i in range(2)] for j in range(2)]
    np.testing.assert_array_equal(dW, np.outer([-0.5, -0.5], x))  # ∂f/∂wᵢ = ∂f/∂uᵢ x
    assert (node.adjoint("b1[0]"), node.adjoint("b1[1]")) == (-0.5, -0.5)
    np.testing.assert_array_equal(layer.adjoint("W1"), dW)
    np.testing.assert_array_equal(layer.adjoint("b1"), [-0.5, -0.5])
    np.testing.assert_array_equal(layer.adjoint("h1"), [-2, -2])
    # the fixed weights are not trained: no gradient step and no update for them
    for trace in (node, layer):
        assert not [s for s in trace if s.node.startswith("W2")]


def test_f_of_W_x_y_gradient_descent_step():
    problem = network(SUM)
    node, layer = problem.trace("node"), problem.trace("layer")
    new_W = [[2.25, -0.5], [-0.75, 1.5]]  # W − 0.5 ∂f/∂W
    np.testing.assert_array_equal(
        [[node.find(Key(Quantity.UPDATED, f"W1[{j},{i}]")).result for i in range(2)]
         for j in range(2)], new_W)
    np.testing.assert_array_equal(layer.find(Key(Quantity.UPDATED, "W1")).result, new_W)
    np.testing.assert_array_equal(layer.find(Key(Quantity.UPDATED, "b1")).result, [0.25, -0.75])
    after = (2 - 2 * sigmoid(1.5)) ** 2  # both uᵢ = 1.5 after the step
    assert node[-1].result == pytest.approx(after) == layer[-1].result
    assert f"{after:.6g}" == "0.133116"
    run = problem.train(1)
    assert run.losses[1] == pytest.approx(after)
    np.testing.assert_array_equal(run.final.weights[1], [[1, 1]])  # Σ keeps its unit weights


def test_f_of_W_x_y_is_written_in_the_sheets_symbols():
    node = {str(s.key): s.line() for s in network(SUM).trace("node")}
    assert node["value:z1[0]"] == "u₁ = w₁,₁ · x₁ + w₁,₂ · x₂ + b₁ = 2 · 1 + (−1) · 2 + 0 = 0"
    assert node["value:h1[0]"] == "h₁ = φ(u₁) = φ(0) = 0.5"
    assert node["value:z2[0]"] == "s = 1 · h₁ + 1 · h₂ = 1 · 0.5 + 1 · 0.5 = 1"
    assert node["value:r[0]"] == "r = y − s = 2 − 1 = 1"
    assert node["value:loss"] == "f = r² = (1)² = 1"  # no ½
    assert node["adjoint:h1[0]"] == "∂f/∂h₁ = ∂f/∂s · 1 = (−2) · 1 = −2"
    assert node["adjoint:z1[0]"] == "∂f/∂u₁ = ∂f/∂h₁ · φ′(u₁) = (−2) · 0.5(1 − 0.5) = −0.5"
    layer = [s.line() for s in network(SUM).trace("layer")]
    assert "u = W x + b = [2, −1; −1, 1] [1; 2] + [0; −1] = [0; 0]" in layer
    assert "h = φ(u) = φ([0; 0]) = [0.5; 0.5]" in layer
    assert "s = 1ᵀ h = [1, 1] [0.5; 0.5] = 1" in layer  # Σᵢ hᵢ
    assert "∂f/∂h = 1 ∂f/∂s = [1; 1] (−2) = [−2; −2]" in layer
    assert "∂f/∂u = ∂f/∂h ⊙ φ′(u) = [−2; −2] ⊙ [0.25; 0.25] = [−0.5; −0.5]" in layer
    assert "∂f/∂W = ∂f/∂u xᵀ = [−0.5; −0.5] [1, 2] = [−0.5, −1; −0.5, −1]" in layer
    assert layer[-1] == "fⁿᵉʷ = f(Wⁿᵉʷ, bⁿᵉʷ) = 0.133116"


def test_what_a_partial_derivative_of_the_output_means():
    """∂f/∂node: f changes by about ∂f/∂node · Δ when that node is nudged by Δ."""
    problem = network(SUM)
    trace = problem.trace("node")
    df_ds = trace.adjoint("z2[0]")
    y, s = problem.data.targets[0, 0], trace.value("z2[0]")
    nudged = (y - (s + 0.01)) ** 2
    assert nudged == pytest.approx(0.9801)  # the description's example
    assert nudged - trace.value("loss") == pytest.approx(df_ds * 0.01, abs=1e-4)
    assert answers(SUM) == pytest.approx({"f": 1, "df_ds": -2, "df_dh1": -2, "df_du1": -0.5,
                                          "df_dw12": -1, "new_w12": -0.5, "f_after": 0.133116},
                                         abs=1e-6)


def test_the_fixed_unit_weights_cannot_be_edited():
    assert exercise(SUM).is_locked("parameters.W2")
    assert not exercise(SUM).is_locked("parameters.W1")
