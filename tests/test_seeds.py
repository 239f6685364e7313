"""Every number the five sheets publish, reproduced from the bundled exercise files.

Where a sheet gives only symbols, its closed-form answers are checked against the trace.
"""

import unicodedata
from dataclasses import replace

import numpy as np
import pytest

from tutor.engine import Dataset, Key, NetworkProblem, Parameters, Quantity, check_gradients
from tutor.engine.expression import ExpressionProblem
from tutor.engine.notation import to_unicode
from tutor.engine.sheet_layout import split_display_matrix
from tutor.exercise import bundled, default_path, load
from tutor.exercise.format import display_tensors
from tutor.exercise.library import exercises_dir
from tutor.teaching.answer_key import answer_key


def exercise(name: str):
    return load(exercises_dir() / f"{name}.json")


def network(name: str) -> NetworkProblem:
    problem = exercise(name).problem
    assert isinstance(problem, NetworkProblem)
    return problem


def sigmoid(z):
    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))


# --------------------------------------------------------------------------- CMU recitation 5

@pytest.fixture(scope="module")
def cmu() -> NetworkProblem:
    return network("cmu-recitation-5")


def test_the_default_exercise_is_the_cmu_recitation():
    assert default_path() == exercises_dir() / "cmu-recitation-5.json"
    assert "Recitation 5" in load(default_path()).title


def test_cmu_forward_pass_node_by_node(cmu):
    trace = cmu.trace("node")
    assert trace.value("z1[0]") == 3  # a₁
    assert trace.value("z1[1]") == 2  # a₂
    assert (trace.value("h1[0]"), trace.value("h1[1]")) == (3, 2)  # z = (3, 2)
    assert trace.value("z2[0]") == 7  # ŷ
    assert trace.value("loss") == 8  # ℓ


def test_cmu_backward_pass_node_by_node(cmu):
    trace = cmu.trace("node")
    assert trace.adjoint("z2[0]") == 4  # ∂ℓ/∂ŷ
    assert trace.adjoint("W2[0,0]") == 12  # ∂ℓ/∂β₁
    assert trace.adjoint("h1[0]") == 4  # ∂ℓ/∂z₁
    assert trace.adjoint("z1[0]") == 4  # ∂ℓ/∂a₁
    assert trace.adjoint("W1[0,0]") == 4  # ∂ℓ/∂α₁,₁
    beta = [trace.adjoint("b2[0]"), trace.adjoint("W2[0,0]"), trace.adjoint("W2[0,1]")]
    assert beta == [4, 12, 8]  # ∂ℓ/∂β = [β₀, β₁, β₂]
    assert [trace.adjoint("z1[0]"), trace.adjoint("z1[1]")] == [4, 8]  # ∂ℓ/∂a
    alpha = [[trace.adjoint(f"b1[{j}]"), *(trace.adjoint(f"W1[{j},{i}]") for i in range(2))]
             for j in range(2)]
    assert alpha == [[4, 4, 8], [8, 8, 16]]


def test_cmu_symbols_are_the_sheets(cmu):
    lines = {str(s.key): s.line() for s in cmu.trace("node")}
    assert lines["value:z1[0]"].startswith("a₁ = α₁,₀ · x₀ + α₁,₁ · x₁ + α₁,₂ · x₂")
    assert lines["value:z2[0]"].startswith("ŷ = β₀ · z₀ + β₁ · z₁ + β₂ · z₂")
    assert lines["adjoint:W2[0,0]"] == "∂ℓ/∂β₁ = ∂ℓ/∂ŷ · z₁ = 4 · 3 = 12"


def test_cmu_layer_trace(cmu):
    trace = cmu.trace("layer")
    np.testing.assert_array_equal(trace.value("z1"), [3, 2])
    np.testing.assert_array_equal(trace.value("h1"), [3, 2])
    np.testing.assert_array_equal(trace.value("z2"), [7])
    assert trace.value("loss") == 8
    np.testing.assert_array_equal(trace.adjoint("z2"), [4])
    np.testing.assert_array_equal(trace.adjoint("W2"), [[4, 12, 8]])
    np.testing.assert_array_equal(trace.adjoint("z1"), [4, 8])
    np.testing.assert_array_equal(trace.adjoint("W1"), [[4, 4, 8], [8, 8, 16]])


def test_cmu_forward_warm_up_with_the_sheets_hidden_values(cmu):
    """"Given z₁ = 0, z₂ = 1 calculate ŷ, l": β = [0, 1, 2] → ŷ = 2, l = ½."""
    layer = cmu.network.layers[1]
    w, b = split_display_matrix(layer, np.array([[0, 1, 2]]))
    output_only = replace(cmu.network, input_size=2, layers=(layer,))
    problem = NetworkProblem(output_only, Parameters.of([w], [b]),
                             Dataset(np.array([[0.0, 1.0]]), np.array([[3.0]])))
    trace = problem.trace()
    assert trace.value("z1[0]") == 2
    assert trace.value("loss") == 0.5


def test_cmu_questions_are_answered_by_the_trace(cmu):
    questions = {q.id: q for q in exercise("cmu-recitation-5").questions}
    trace = cmu.trace("node")
    answer = {qid: trace.find(Key(q.quantity, q.node, q.sample)).result
              for qid, q in questions.items()}
    assert answer == {"a1": 3, "yhat": 7, "loss": 8, "dl_dyhat": 4, "dl_dbeta1": 12,
                      "dl_dalpha11": 4}


# --------------------------------------------------------------------------- INF264 homework 4

@pytest.fixture(scope="module")
def inf264() -> NetworkProblem:
    return network("inf264-homework-4")


THETA = ["W1[0,0]", "W1[0,1]", "b1[0]", "W2[0,0]", "b2[0]"]  # w₀ … w₄


def test_inf264_predictions_and_loss(inf264):
    trace = inf264.trace("node")
    assert trace.value("z2[0]", 0) == 3
    assert trace.value("z2[0]", 1) == 0
    assert trace.value("loss") == pytest.approx(3.25, abs=1e-12)


def test_inf264_gradient(inf264):
    trace = inf264.trace("node")
    gradient = [trace.adjoint(node) for node in THETA]
    np.testing.assert_allclose(gradient, [3.4, 1.7, 1.7, 5.1, -0.2], atol=1e-12)


def test_inf264_one_step_lowers_the_loss(inf264):
    trace = inf264.trace("node")
    updated = [trace.find(Key(Quantity.UPDATED, node)).result for node in THETA]
    np.testing.assert_allclose(updated, [0.966, 0.983, -0.017, 0.949, 0.002], atol=1e-12)
    after = trace.find(Key(Quantity.UPDATED, "loss")).result
    assert after < 3.25
    run = inf264.train(1)
    assert run.losses[1] == pytest.approx(after, abs=1e-12)
    theta = np.concatenate([t.ravel() for t in display_tensors(inf264.network, run.final).values()])
    np.testing.assert_allclose(theta, [0.966, 0.983, -0.017, 0.949, 0.002], atol=1e-12)


def test_inf264_symbols_are_w0_to_w4(inf264):
    symbols = [inf264.trace("node").find(Key(Quantity.ADJOINT, n)).lhs for n in THETA]
    assert symbols == [f"\\d{{𝓛}}{{w_{k}}}" for k in range(5)]


# --------------------------------------------------------------------------- DS 102 discussion 12

def test_ds102_closed_forms_agree_with_the_trace():
    problem = network("ds102-discussion-12")
    trace = problem.trace("node")
    A, b = problem.params.weights[0], problem.params.weights[1][0]
    x, y = problem.data.inputs[0], problem.data.targets[0, 0]
    z2 = sigmoid(A @ x)
    z4 = y - b @ z2
    assert trace.value("r[0]") == pytest.approx(z4)
    assert trace.value("loss") == pytest.approx(z4**2)
    dL_db = 2 * z4 * -z2
    dL_dA = np.outer(2 * z4 * -(b * z2 * (1 - z2)), x)
    np.testing.assert_allclose([trace.adjoint(f"W2[0,{i}]") for i in range(2)], dL_db)
    np.testing.assert_allclose([[trace.adjoint(f"W1[{j},{i}]") for i in range(2)]
                                for j in range(2)], dL_dA)
    layer = problem.trace("layer")
    np.testing.assert_allclose(layer.adjoint("W1"), dL_dA)
    np.testing.assert_allclose(layer.adjoint("W2"), [dL_db])


def test_ds102_error_is_its_own_node():
    steps = {str(s.key): s.line() for s in network("ds102-discussion-12").trace("node")}
    assert steps["value:r[0]"].startswith("z₄ = y − z₃")
    assert steps["value:loss"].startswith("𝓛 = z₄²")
    assert steps["value:h1[0]"] == "z₂,₁ = σ(z₁,₁) = σ(0) = 0.5"


def test_ds102_layer_trace_writes_the_error_and_b_as_the_sheet_does():
    lines = [s.line() for s in network("ds102-discussion-12").trace("layer")]
    assert "z₄ = y − z₃ = 1 − 2.34828 = −1.34828" in lines  # the error as its own node
    assert "𝓛 = z₄² = (−1.34828)² = 1.81787" in lines
    assert "∂𝓛/∂z₃ = −2z₄ = −2 · (−1.34828) = 2.69657" in lines  # 2z₄·(−1)
    assert any(line.startswith("∂𝓛/∂z₂ = b ∂𝓛/∂z₃") for line in lines)  # (bᵀ)ᵀ = b
    assert not any("ᵀᵀ" in line for line in lines)


# --------------------------------------------------------------------------- FTML session 8

def test_ftml_equations_6_and_11_agree_with_the_trace():
    problem = network("ftml-session-8")
    trace = problem.trace("layer")
    w_h = problem.params.weights[0].T  # as the sheet writes it without the intercept row
    w_h_bar = np.vstack([w_h, problem.params.biases[0]])  # (d+1)×m, intercept last
    theta = np.append(problem.params.weights[1][0], problem.params.biases[1])
    x, y = problem.data.inputs[0], problem.data.targets[0, 0]  # SGD: the first sample
    x_bar = np.append(x, 1)
    pre_h = x_bar @ w_h_bar
    h_bar = np.append(sigmoid(pre_h), 1)
    pre_y = h_bar @ theta
    y_hat = sigmoid(pre_y)
    grad_theta = (y_hat - y) * y_hat * (1 - y_hat) * h_bar  # eq. (6)
    u = theta[:-1] * sigmoid(pre_h) * (1 - sigmoid(pre_h))
    grad_w_h = (y_hat - y) * y_hat * (1 - y_hat) * np.outer(x_bar, u)  # eq. (11)
    np.testing.assert_allclose(trace.adjoint("W2"), grad_theta[:, None])
    np.testing.assert_allclose(trace.adjoint("W1"), grad_w_h)
    assert trace.value("loss") == pytest.approx(0.5 * (y_hat - y) ** 2)
    node = problem.trace("node")
    assert node.adjoint("b2[0]") == pytest.approx(grad_theta[-1])
    assert node.adjoint("W1[1,0]") == pytest.approx(grad_w_h[0, 1])  # (w_h)₁,₂


def test_ftml_is_row_vector_and_sgd():
    problem = network("ftml-session-8")
    first = problem.trace("layer")[0]
    assert first.line().startswith("preₕ = x̄ wₕ")
    assert len(problem.first_batch()) == 1  # one sample per update


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


# --------------------------------------------------------------------------- expressions

def expression(name: str) -> ExpressionProblem:
    problem = exercise(name).problem
    assert isinstance(problem, ExpressionProblem)
    return problem


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
def test_cmu_expression_partials():
    problem = expression("cmu-recitation-5-expression")
    trace = problem.trace()
    x, y, z = (problem.values[k] for k in "xyz")
    assert trace.value("f") == pytest.approx(np.sin(x * y) / z + np.exp(x * z) / (x * y))
    df_dx = y * np.cos(x * y) / z + z * np.exp(x * z) / (x * y) - np.exp(x * z) / (x**2 * y)
    df_dy = x * np.cos(x * y) / z - np.exp(x * z) / (x * y**2)
    df_dz = -np.sin(x * y) / z**2 + x * np.exp(x * z) / (x * y)
    assert trace.adjoint("x") == pytest.approx(df_dx)
    assert trace.adjoint("y") == pytest.approx(df_dy)
    assert trace.adjoint("z") == pytest.approx(df_dz)


def test_every_sheet_has_a_bundled_exercise_citing_it():
    sources = {b.name: load(b.path).source for b in bundled()}
    demos = {"xor", "curve-fit-1d", "two-class-2d"}  # lecture demos, not from a sheet
    assert set(sources) - demos == {
        "cmu-recitation-5", "cmu-recitation-5-expression", "inf264-homework-4",
        "ds102-discussion-12", "ftml-session-8", "chain-rule-discussion",
        "chain-rule-discussion-expression", "chain-rule-discussion-derivatives",
        "cmu-recitation-5-linear"}
    assert "2024-10-11" in sources["cmu-recitation-5"]
    assert "Bergen" in sources["inf264-homework-4"]
    assert "2020-11-25" in sources["ds102-discussion-12"]
    assert "2023-05-25" in sources["ftml-session-8"]
    assert all(sources.values())


# --------------------------------------------------------------------------- layer view, as written

def layer_lines(name: str) -> list[str]:
    """Composed as typed here (ẑ, not z and a combining hat)."""
    return [unicodedata.normalize("NFC", s.line()) for s in network(name).trace("layer")]


def test_cmu_layer_trace_reads_as_the_sheets_vector_form():
    """Section 2 eq. (7) and section 4 Q3: columns a, z, ∂ℓ/∂a; rows β and ∂ℓ/∂β = (ŷ − y)zᵀ."""
    lines = layer_lines("cmu-recitation-5")
    assert lines[:3] == ["a = α x̂ = [2, 1, 0; 0, 2, 0] [1; 1; 2] = [3; 2]",
                         "z = ReLU(a) = ReLU([3; 2]) = [3; 2]",
                         "ŷ = β ẑ = [0, 1, 2] [1; 3; 2] = 7"]
    assert "ℓ = ½(ŷ − y)² = ½(7 − 3)² = 8" in lines
    assert "∂ℓ/∂β = ∂ℓ/∂ŷ ẑᵀ = 4 [1, 3, 2] = [4, 12, 8]" in lines
    assert "∂ℓ/∂z = β̂ᵀ ∂ℓ/∂ŷ = [1; 2] 4 = [4; 8]" in lines  # β̂: β without β₀
    assert "∂ℓ/∂a = ∂ℓ/∂z ⊙ ReLU′(a) = [4; 8] ⊙ [1; 1] = [4; 8]" in lines
    assert "∂ℓ/∂α = ∂ℓ/∂a x̂ᵀ = [4; 8] [1, 1, 2] = [4, 4, 8; 8, 8, 16]" in lines


def test_inf264_layer_trace_uses_the_sheets_deltas_and_g():
    lines = layer_lines("inf264-homework-4")
    assert "h = g(z) = g(3) = 3" in lines  # g is the ReLU
    assert "δ_ŷ = ∂L/∂ŷ = 2(ŷ − y) = 2(3 − 1.3) = 3.4" in lines  # sample x₁
    assert "∂L/∂h = δ_ŷ · w₃ = 3.4 · 1 = 3.4" in lines
    assert "δₕ = ∂L/∂z = ∂L/∂h · g′(z) = 3.4 · 1 = 3.4" in lines  # δ_h = δ_ŷ · w₃ · g′(z)
    assert "δₕ = ∂L/∂z = ∂L/∂h · g′(z) = (−3.8) · 0 = 0" in lines  # x₂: z = −1, g′ = 0
    assert "∂L/∂θ⁽¹⁾ = δₕ x̄ᵀ = 3.4 [2, 1, 1] = [6.8, 3.4, 3.4]" in lines  # eq. (1)–(3)
    assert "∂L/∂θ⁽²⁾ = δ_ŷ h̄ᵀ = 3.4 [3, 1] = [10.2, 3.4]" in lines  # eq. (4)–(5)
    assert "𝓛 = (1/2)Σₙ L⁽ⁿ⁾ = (1/2)(2.89 + 3.61) = 3.25" in lines  # Q2: the mean
    assert lines[-1] == "𝓛ⁿᵉʷ = 𝓛(θ⁽¹⁾ⁿᵉʷ, θ⁽²⁾ⁿᵉʷ) = 2.85565"  # Q6: lower than 3.25
    trace = network("inf264-homework-4").trace("layer")
    assert [s.sample for s in trace if s.node == "loss" and s.phase.value == "forward"] == [0, 1]
    assert "x̄ = (x, 1)" in trace[0].explanation  # x̄ explained where it first appears


def test_ds102_layer_trace_answers_a_and_b_as_columns_and_sums():
    problem = network("ds102-discussion-12")
    assert not problem.network.loss.mean_over_samples  # Σᵢ (yᵢ − f(xᵢ))², not a mean
    lines = layer_lines("ds102-discussion-12")
    assert "z₃ = bᵀ z₂ = [1, 2] [0.5; 0.924142] = 2.34828" in lines
    # (a): ∂𝓛/∂b = 2z₄ · −z₂, an h-vector (a column) like b
    assert "∂𝓛/∂b = ∂𝓛/∂z₃ z₂ᵀ = 2.69657 [0.5, 0.924142] = [1.34828; 2.49201]" in lines
    # (b): ∂𝓛/∂A = 2z₄ · −(b ⊙ z₂ ⊙ (1 − z₂)) xᵀ, an h × m matrix
    assert ("∂𝓛/∂A = ∂𝓛/∂z₁ xᵀ = [0.674142; 0.378079] [1, 2] = "
            "[0.674142, 1.34828; 0.378079, 0.756158]") in lines
    assert "bⁿᵉʷ = b − η ∂𝓛/∂b = [1; 2] − 0.1 [1.34828; 2.49201] = [0.865172; 1.7508]" in lines
    assert not any("∂bᵀ" in line or "′ =" in line for line in lines)


def test_ftml_layer_trace_keeps_rows_jacobians_and_gradients_apart():
    trace = network("ftml-session-8").trace("layer")
    lines = [s.line() for s in trace]
    assert "h = σ(preₕ) = σ([1, 0.6]) = [0.731059, 0.645656]" in lines  # a row, not a column
    assert lines[2].startswith("pre_y = h̄ θ = [0.731059, 0.645656, 1] [1; −1; 0.5]")
    # eq. (6): ∇_θ l = (ŷ − y)σ′(pre_y)h̄ᵀ ∈ ℝ^{(m+1)×1}; the Jacobian ∂l/∂θ is its transpose
    grad_theta = trace.find(Key(Quantity.ADJOINT, "W2"))
    assert grad_theta.line().startswith("∇_θ l = ∂l/∂pre_y h̄ᵀ = (−0.0821787) [0.731059; ")
    assert grad_theta.shape == (3, 1) and "Jacobian" in grad_theta.explanation
    # θ̃ = θ[:-1]ᵀ ∈ ℝ^{1×m}: the Jacobian ∂l/∂h is a row
    assert "∂l/∂h = ∂l/∂pre_y θ̃ = (−0.0821787) [1, −1] = [−0.0821787, 0.0821787]" in lines
    # eq. (11): ∇_{w_h} l = (ŷ − y)σ′(pre_y) x̄ᵀ u ∈ ℝ^{(d+1)×m}
    grad_w_h = trace.find(Key(Quantity.ADJOINT, "W1"))
    assert grad_w_h.shape == (3, 2)
    assert to_unicode(grad_w_h.formula) == "x̄ᵀ ∂l/∂preₕ"


@pytest.mark.parametrize("name", ["cmu-recitation-5", "inf264-homework-4", "ds102-discussion-12",
                                  "ftml-session-8", "chain-rule-discussion"])
@pytest.mark.parametrize("granularity", ["node", "layer"])
def test_no_prime_means_after_the_update(name, granularity):
    for step in network(name).trace(granularity):
        if step.key.quantity is Quantity.UPDATED:
            assert "ⁿᵉʷ" in to_unicode(step.lhs) and "′" not in to_unicode(step.lhs + step.formula)


def test_answer_keys_number_steps_and_samples_from_1():
    inf264_key = answer_key(exercise("inf264-homework-4"), "markdown", "layer")
    assert "## Forward pass, sample 1" in inf264_key and "sample 0" not in inf264_key
    assert "\n1. z = θ⁽¹⁾ x̄ = [1, 1, 0] [2; 1; 1] = 3\n" in inf264_key
    cmu_key = answer_key(exercise("cmu-recitation-5"), "markdown")
    assert "\n13. ∂ℓ/∂a₁ = ∂ℓ/∂z₁ · ReLU′(a₁) = 4 · 1 = 4" in cmu_key  # the app's step 13
    assert "\n16. ∂ℓ/∂α₁,₁ = ∂ℓ/∂a₁ · x₁ = 4 · 1 = 4" in cmu_key


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


def test_cmu_q2_without_a_nonlinearity_is_one_linear_map():
    problem = network("cmu-recitation-5-linear")
    for granularity in ("node", "layer"):
        trace = problem.trace(granularity)
        node = "z2[0]" if granularity == "node" else "z2"
        assert float(np.ravel(trace.value(node, 0))[0]) == 7  # as with ReLU: a = (3, 2) > 0
        assert float(np.ravel(trace.value(node, 1))[0]) == -3  # ReLU would give 1
    alpha, beta = display_tensors(problem.network, problem.params).values()
    x_hat = np.array([1, -1, -1])
    assert beta[0, 0] + beta[0, 1:] @ (alpha @ x_hat) == -3  # β₀ + β̂ α x̂: one linear map
