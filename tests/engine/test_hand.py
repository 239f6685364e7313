"""Hand calculation: every printed result is what its printed numbers give, at the printed
precision; the exact mode (the default) is unchanged."""

import json

import numpy as np
import pytest

from tutor.cli import main
from tutor.engine import Key, Quantity
from tutor.engine.hand import hand_round, round_values
from tutor.engine.hand_check import NotCheckable, check_step, check_trace, evaluate
from tutor.engine.layer_text import activation_symbol
from tutor.exercise import bundled, load
from tutor.exercise.library import find
from tutor.teaching.answer_key import answer_key

EXERCISES = [b.name for b in bundled()]


def sheet_functions(exercise) -> dict:
    """Names a sheet gives its activations (INF264's g)."""
    network = getattr(exercise.problem, "network", None)
    return {} if network is None else {activation_symbol(layer): layer.activation
                                       for layer in network.layers}


def by_name(name: str):
    return load(find(name))


# --------------------------------------------------------------------------- the guarantee

@pytest.mark.parametrize("granularity", ["node", "layer"])
@pytest.mark.parametrize("name", EXERCISES)
def test_every_printed_result_is_what_its_printed_numbers_give(name, granularity):
    exercise = by_name(name)
    trace = exercise.problem.trace(granularity, hand=True)
    mismatches, unchecked = check_trace(trace, sheet_functions(exercise))
    assert mismatches == [], "\n".join(map(str, mismatches))
    # what is not checked prints no numbers at all (ℓ(updated parameters) = …, ∂f/∂f = 1)
    assert all(why == "the step prints no numbers" for _, why in unchecked), unchecked
    assert len(unchecked) <= len(trace) // 5 + 1


def test_the_checker_finds_the_exact_modes_last_digits():
    """The sheets' complaints: DS 102's 2 · (−1.34828) and the chain rule's 1.27241 · 0.462117."""
    ds102 = by_name("ds102-discussion-12").problem.trace("node")
    step = ds102.find(Key(Quantity.ADJOINT, "r[0]"))
    assert step is not None and "2 · (−1.34828) = −2.69657" in step.line()
    found = check_step(step)
    assert found is not None and "−2.69656" not in found.recomputed
    assert np.isclose(float(found.recomputed), -2.69656)
    chain = by_name("chain-rule-discussion").problem.trace("node")
    mismatches, _ = check_trace(chain)
    assert any("1.27241 · 0.462117 = 0.588004" in m.line for m in mismatches)


def test_hand_mode_carries_the_printed_values():
    ds102 = by_name("ds102-discussion-12").problem.trace("node", hand=True)
    assert "2 · (−1.34828) = −2.69656" in ds102[7].line()
    assert ds102[8].line().endswith("(−2.69656) · (−1) = 2.69656")
    chain = by_name("chain-rule-discussion").problem.trace("node", hand=True)
    assert chain[9].line().endswith("1.27241 · 0.462117 = 0.588002")
    layer = by_name("chain-rule-discussion").problem.trace("layer", hand=True)
    assert "[1.27241; 1.44303] [0.462117, 0.905148] = [0.588002, 1.15172; 0.666849, " \
           "1.30616]" in layer[5].line()


@pytest.mark.parametrize("granularity", ["node", "layer"])
@pytest.mark.parametrize("name", ["ds102-discussion-12", "chain-rule-discussion",
                                  "ftml-session-8", "cmu-recitation-5-expression"])
def test_the_exact_mode_is_the_default_and_unchanged(name, granularity):
    problem = by_name(name).problem
    default, exact = problem.trace(granularity), problem.trace(granularity, hand=False)
    assert [s.line() for s in default] == [s.line() for s in exact]
    assert default[-1].result == exact[-1].result


def test_exact_numbers_the_sheets_print():
    assert "2 · (−1.34828) = −2.69657" in by_name("ds102-discussion-12").problem.trace()[7].line()
    assert by_name("chain-rule-discussion").problem.trace()[9].line().endswith("= 0.588004")


def test_hand_and_exact_agree_to_the_printed_precision_where_nothing_is_rounded():
    cmu = by_name("cmu-recitation-5").problem  # the sheet's integers: nothing to round
    for granularity in ("node", "layer"):
        assert ([s.line() for s in cmu.trace(granularity, hand=True)]
                == [s.line() for s in cmu.trace(granularity)])


# --------------------------------------------------------------------------- rounding

@pytest.mark.parametrize(("value", "rounded"), [
    (1.348285, 1.34829),  # half away from zero on the decimal, as on paper
    (-1.348285, -1.34829),
    (2.69657 * 0.5, 1.34829),
    (0.588002167, 0.588002),
    (6.9999999999, 7.0),
    (0.99999612, 0.9999961),  # beside 1 more digits are printed, and kept
    (1.23456789e-7, 1.23457e-7),
    (0.0, 0.0),
])
def test_hand_round(value, rounded):
    assert hand_round(value) == rounded


def test_round_values_keeps_non_finite_numbers_and_shapes():
    out = round_values(np.array([[np.inf, np.nan], [0.1234567, -2.0]]))
    assert out.shape == (2, 2) and np.isinf(out[0, 0]) and np.isnan(out[0, 1])
    assert out[1].tolist() == [0.123457, -2.0]


# --------------------------------------------------------------------------- the reader

@pytest.mark.parametrize(("text", "value"), [
    ("2 · (−1.34828)", -2.69656),
    ("½(7 − 3)²", 8.0),
    ("½[(2 − 1)² + (0 − (−1))²]", 1.0),
    ("½‖[3, 4]‖²", 12.5),
    ("−2 · (−1.5)", 3.0),
    ("(1/2)(0.5 + 1.5)", 1.0),
    ("1 · (−0.909297 / 3²) + 10.0428 · 1", 1.0 * (-0.909297 / 9) + 10.0428),
    ("−[0 log 0.5 + (1 − 0) log(1 − 0.5)]", -np.log(0.5)),
    ("max(−3, 0.3)", 0.3),
    ("[3 > 0]", 1.0),
    ("0.5(1 − 0.5)", 0.25),
])
def test_evaluate_scalars(text, value):
    assert evaluate(text) == pytest.approx(value, rel=1e-15)


def test_evaluate_matrices_as_the_sheets_write_them():
    assert evaluate("[4; 8] [1, 1, 2]").tolist() == [[4, 4, 8], [8, 8, 16]]  # outer
    assert evaluate("[0, 1, 2] [1; 3; 2]").tolist() == [[7]]  # inner
    assert evaluate("[1; 2] 4").tolist() == [[4], [8]]
    assert evaluate("[2, 1, 0; 0, 2, 0] [1; 1; 2]").tolist() == [[3], [2]]
    assert evaluate("[1, 2]ᵀ").tolist() == [[1], [2]]
    assert evaluate("[4; 8] ⊙ [1; 0]").tolist() == [[4], [0]]
    assert evaluate("ReLU([3; −2])").tolist() == [[3], [0]]


@pytest.mark.parametrize("text", ["[d is the max]", "[1, …, 3]", "y − ŷ", "[1, 2] [3, 4]"])
def test_what_is_not_arithmetic_is_not_checked(text):
    with pytest.raises(NotCheckable):
        evaluate(text)


# --------------------------------------------------------------------------- keys and CLI

def test_each_key_says_which_calculation_it_shows():
    exercise = by_name("ds102-discussion-12")
    for fmt in ("markdown", "latex", "html"):
        exact, hand = answer_key(exercise, fmt), answer_key(exercise, fmt, hand=True)
        assert "Exact calculation:" in exact and "Hand calculation" not in exact
        assert "Hand calculation:" in hand and "Exact calculation" not in hand
    assert "−2.69656" in answer_key(exercise, "markdown", "layer", hand=True)


def test_cli_hand_flag(capsys):
    assert main(["solve", "ds102-discussion-12", "--hand"]) == 0
    out = capsys.readouterr().out
    assert "hand calculation" in out and "2 · (−1.34828) = −2.69656" in out
    assert main(["solve", "ds102-discussion-12"]) == 0
    assert "= −2.69657" in capsys.readouterr().out
    assert main(["solve", "ds102-discussion-12", "--format", "json", "--hand"]) == 0
    assert json.loads(capsys.readouterr().out)["calculation"] == "hand"
    assert main(["export", "chain-rule-discussion", "--format", "latex", "--hand"]) == 0
    assert "Hand calculation:" in capsys.readouterr().out
