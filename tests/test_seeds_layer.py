"""The layer-by-layer traces of the sheets, read as written: each vector in the sheet's
orientation, each symbol the sheet's (the numbers themselves are checked in test_seeds.py)."""

import unicodedata

import numpy as np
import pytest

from tutor.engine import Key, NetworkProblem, Quantity
from tutor.engine.notation import to_unicode
from tutor.exercise import load
from tutor.exercise.library import exercises_dir


def network(name: str) -> NetworkProblem:
    problem = load(exercises_dir() / f"{name}.json").problem
    assert isinstance(problem, NetworkProblem)
    return problem


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
    assert "𝓛 = (1/2)Σₙ L(xₙ, yₙ) = (1/2)(2.89 + 3.61) = 3.25" in lines  # Q2: the mean
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
    assert ("∂𝓛/∂b = ∂𝓛/∂z₃ z₂ᵀ = 2z₄ · (−z₂) = 2 · (−1.34828) · (−[0.5; 0.924142]) = "
            "[1.34828; 2.49201]") in lines
    # (b): ∂𝓛/∂A = 2z₄ · −(b ⊙ z₂ ⊙ (1 − z₂)) xᵀ, an h × m matrix
    assert ("∂𝓛/∂A = ∂𝓛/∂z₁ xᵀ = 2z₄ · (−b ⊙ z₂ ⊙ (1 − z₂)) xᵀ = 2 · (−1.34828) · "
            "(−[1; 2] ⊙ [0.5; 0.924142] ⊙ (1 − [0.5; 0.924142])) [1, 2] = "
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




def test_inf264_names_each_samples_loss_as_the_sheet_does():
    """𝓛(D) = (1/N) Σₙ L(xₙ, yₙ): L(x₁, y₁), not L⁽¹⁾, at both granularities and in keys."""
    from tutor.teaching.answer_key import answer_key

    for granularity in ("node", "layer"):
        trace = network("inf264-homework-4").trace(granularity)
        losses = [s for s in trace if s.node == "loss" and s.phase.value == "forward"]
        assert [to_unicode(s.lhs) for s in losses] == ["L(x₁, y₁)", "L(x₂, y₂)"]
        assert [s.result for s in losses] == [pytest.approx(2.89), pytest.approx(3.61)]
        assert not any("L⁽" in s.line() for s in trace)
    node = [s.line() for s in network("inf264-homework-4").trace("node")]
    assert "𝓛 = (1/2)(L(x₁, y₁) + L(x₂, y₂)) = (1/2)(2.89 + 3.61) = 3.25" in node
    assert "∂𝓛/∂w₀ = (1/2)(∂L(x₁, y₁)/∂w₀ + ∂L(x₂, y₂)/∂w₀) = (1/2)(6.8 + 0) = 3.4" in node
    assert "∂𝓛/∂w₄ = (1/2)(∂L(x₁, y₁)/∂w₄ + ∂L(x₂, y₂)/∂w₄) = (1/2)(3.4 + (−3.8)) = −0.2" in node
    layer = layer_lines("inf264-homework-4")
    assert ("∂𝓛/∂θ⁽¹⁾ = (1/2)Σₙ ∂L(xₙ, yₙ)/∂θ⁽¹⁾ = (1/2)([6.8, 3.4, 3.4] + [0, 0, 0]) = "
            "[3.4, 1.7, 1.7]") in layer
    assert "∂𝓛/∂θ⁽²⁾ = (1/2)Σₙ ∂L(xₙ, yₙ)/∂θ⁽²⁾ = (1/2)([10.2, 3.4] + [0, −3.8]) = [5.1, −0.2]" \
        in layer
    exercise = load(exercises_dir() / "inf264-homework-4.json")
    for granularity in ("node", "layer"):
        key = answer_key(exercise, "markdown", granularity)
        assert "L(x₁, y₁) = (ŷ − y)² = (3 − 1.3)² = 2.89" in key and "L⁽" not in key
    latex = answer_key(exercise, "latex", "layer")
    assert r"\mathcal{L} &= (1/2)\sum_{n} L(x_{n}, y_{n})" in latex or "L(x_{n}, y_{n})" in latex


def test_other_sheets_keep_their_sample_superscripts():
    """Without a sample_loss the batch combines ℓ⁽¹⁾, ℓ⁽²⁾ (the CMU Q2 exercise has two)."""
    lines = [s.line() for s in network("cmu-recitation-5-linear").trace("node")]
    assert any(line.startswith("L = (1/2)(ℓ⁽¹⁾ + ℓ⁽²⁾)") for line in lines)


def test_ds102_answers_a_and_b_in_the_sheets_closed_form_agree_with_the_trace():
    """(a) ∂𝓛/∂b = 2z₄ · −z₂ and (b) ∂𝓛/∂A = 2z₄ · −b z₂(1 − z₂) xᵀ, numbers put in."""
    problem = network("ds102-discussion-12")
    trace = problem.trace("layer")
    z4 = trace.value("r")[0]
    z2 = trace.value("h1")
    b = problem.params.weights[1][0]
    x = problem.data.inputs[0]
    np.testing.assert_allclose(np.ravel(trace.adjoint("W2")), 2 * z4 * -z2)
    np.testing.assert_allclose(trace.adjoint("W1"), np.outer(2 * z4 * -(b * z2 * (1 - z2)), x))
    forms = [to_unicode(s.formula) for s in trace if s.phase.value == "gradient"]
    assert forms == ["∂𝓛/∂z₃ z₂ᵀ = 2z₄ · (−z₂)", "∂𝓛/∂z₁ xᵀ = 2z₄ · (−b ⊙ z₂ ⊙ (1 − z₂)) xᵀ"]


def test_a_closed_form_that_does_not_give_the_result_is_not_printed():
    """A wrong form in a file (2z₄ · z₂, the sign lost) never prints a false equation."""
    from dataclasses import replace

    problem = network("ds102-discussion-12")
    layers = list(problem.network.layers)
    layers[1] = replace(layers[1], notation=replace(layers[1].notation,
                                                    gradient_form="2z_4 \\cdot z_2"))
    wrong = replace(problem, network=replace(problem.network, layers=tuple(layers)))
    step = wrong.trace("layer").find(Key(Quantity.ADJOINT, "W2"))
    assert to_unicode(step.formula) == "∂𝓛/∂z₃ z₂ᵀ"  # the chain-rule product alone
    assert "closed form 2z₄ · z₂ does not give it" in step.explanation
    np.testing.assert_allclose(np.ravel(step.result), [1.348284, 2.492011], rtol=1e-6)
    for hand in (False, True):  # and the right one passes the hand-check in both modes
        from tutor.engine.hand_check import check_step

        trace = problem.trace("layer", hand=hand)
        gradient = trace.find(Key(Quantity.ADJOINT, "W1"))
        assert "2z₄" in to_unicode(gradient.formula)
        assert not hand or check_step(gradient) is None
