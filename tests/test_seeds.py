"""Every number the five sheets publish, reproduced from the bundled exercise files (the
chain-rule sheet's are in test_seeds_chain_rule.py); symbols-only answers are checked too."""

import unicodedata
from dataclasses import replace

import numpy as np
import pytest
from sheet_exercises import exercise, network

from tutor.engine import Dataset, Key, NetworkProblem, Parameters, Quantity
from tutor.engine.expression import ExpressionProblem
from tutor.engine.notation import to_unicode
from tutor.engine.sheet_layout import split_display_matrix
from tutor.exercise import bundled, default_path, load
from tutor.exercise.format import display_tensors
from tutor.exercise.library import exercises_dir
from tutor.teaching.answer_key import answer_key


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


def test_cmu_section_2_warm_up_is_a_bundled_exercise():
    """"Given z₁ = 0, z₂ = 1 calculate ŷ, l": ŷ = Σᵢ βᵢzᵢ = 2, l = ½(2 − 3)² = ½."""
    problem = network("cmu-recitation-5-warm-up")
    node, layer = problem.trace("node"), problem.trace("layer")
    assert node.value("z1[0]") == 2 == layer.value("z1")[0]
    assert node.value("loss") == 0.5 == layer.value("loss")
    lines = {str(s.key): s.line() for s in node}
    assert lines["value:z1[0]"] == "ŷ = β₀ · z₀ + β₁ · z₁ + β₂ · z₂ = 0 · 1 + 1 · 0 + 2 · 1 = 2"
    assert lines["value:loss"] == "ℓ = ½(ŷ − y)² = ½(2 − 3)² = 0.5"
    assert [unicodedata.normalize("NFC", s.line()) for s in layer][:2] == [
        "ŷ = β ẑ = [0, 1, 2] [1; 0; 1] = 2", "ℓ = ½(ŷ − y)² = ½(2 − 3)² = 0.5"]  # eq. (7)
    assert not [s for s in node if s.key.quantity is Quantity.UPDATED]  # the sheet stops here
    questions = exercise("cmu-recitation-5-warm-up").questions
    assert {q.id: node.find(Key(q.quantity, q.node)).result for q in questions} == {"yhat": 2,
                                                                                   "loss": 0.5}


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


def test_cmu_section_4_q1_only_the_alpha_and_beta_gradients_update_the_weights():
    """Q1: the gradients with respect to α and β update; the rest are intermediate values."""
    q1 = exercise("cmu-recitation-5-update")
    for granularity in ("node", "layer"):
        trace = q1.problem.trace(granularity)
        read = {k.node for s in trace if s.phase.value == "update" for k in s.cached_adjoints}
        tensors = {node.partition("[")[0] for node in read}
        assert tensors == ({"W1", "b1", "W2", "b2"} if granularity == "node" else {"W1", "W2"})
    trace = q1.problem.trace("node")
    assert trace.find(Key(Quantity.UPDATED, "W2[0,0]")).line() == \
        "β₁ⁿᵉʷ = β₁ − η · ∂ℓ/∂β₁ = 1 − 0.1 · 12 = −0.2"
    assert {q.id: trace.find(Key(q.quantity, q.node)).result for q in q1.questions} == \
        pytest.approx({"beta1_after": -0.2, "alpha11_after": 0.6, "loss_after": 6.1952})


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


def test_inf264_q7_the_learning_rate_scales_the_step(inf264):
    """Q7: the update is −η∇θ𝓛(D); its exercise takes η = 0.5 and the loss rises."""
    q7 = exercise("inf264-homework-4-learning-rate")
    assert q7.problem.training.learning_rate == 0.5
    np.testing.assert_array_equal(q7.problem.params.weights[0], inf264.params.weights[0])
    trace = q7.problem.trace("node")
    assert {q.id: trace.find(Key(q.quantity, q.node)).result for q in q7.questions} == \
        pytest.approx({"w0_after": -0.7, "loss_after": 9.5505}, abs=1e-4)
    after = {}
    for eta in (0.01, 0.1, 0.5):  # the numbers its description and hint quote
        problem = replace(inf264, training=replace(inf264.training, learning_rate=eta))
        node, layer = problem.trace("node"), problem.trace("layer")
        assert node[-1].result == pytest.approx(layer[-1].result)
        step = node.find(Key(Quantity.UPDATED, "W1[0,0]")).result
        assert 1 - step == pytest.approx(eta * 3.4)  # the step is proportional to η
        after[eta] = node[-1].result
    assert [round(after[eta], 2) for eta in (0.01, 0.1, 0.5)] == [2.86, 1.82, 9.55]
    assert after[0.5] > 3.25 > after[0.01] > after[0.1]  # too large overshoots
    assert all(text in q7.description for text in ("0.966", "2.86", "1.82", "9.55", "−2.30"))


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


# --------------------------------------------------------------------------- expressions

def expression(name: str) -> ExpressionProblem:
    problem = exercise(name).problem
    assert isinstance(problem, ExpressionProblem)
    return problem


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
        "chain-rule-discussion-multivariable", "chain-rule-discussion-sum",
        "cmu-recitation-5-linear", "cmu-recitation-5-update", "cmu-recitation-5-warm-up",
        "inf264-homework-4-learning-rate"}
    assert "2024-10-11" in sources["cmu-recitation-5"]
    assert "Bergen" in sources["inf264-homework-4"]
    assert "2020-11-25" in sources["ds102-discussion-12"]
    assert "2023-05-25" in sources["ftml-session-8"]
    assert all(sources.values())


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
