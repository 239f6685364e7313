"""Templates: validation naming the field, codes, bit-identical variants, constraints that hold
and keys that agree with the engine's other path."""

import copy
import json
from pathlib import Path

import numpy as np
import pytest

from tutor.engine import Key, Quantity, Role
from tutor.engine.network_graph import parameter_values
from tutor.exercise import ExerciseError, load
from tutor.exercise.library import exercises_dir
from tutor.teaching.answer_key import build
from tutor.teaching.library import bundled_templates
from tutor.teaching.template import (
    load_template,
    make_code,
    parse_code,
    template_from_dict,
    variant_seeds,
)
from tutor.teaching.variants import (
    ConstraintError,
    distinct,
    make_variant,
    make_variants,
    violations,
)

NAMES = ["cmu-recitation-5", "inf264-homework-4", "chain-rule-discussion-expression"]


# the chain-rule template as first bundled (x from 12 halves), kept to pin the draw itself
TWELVE = Path(__file__).parent / "fixtures" / "chain-rule-twelve-values.template.json"
# the CMU template as first bundled, whose description told students both hidden units are
# active (a hint to a question); kept so its codes still pin the draw
CMU_HINT = (Path(__file__).parent / "fixtures"
            / "cmu-recitation-5-hint-in-description.template.json")


def _template(name):
    return load_template(bundled_templates()[name])


def _doc(name):
    return json.loads(bundled_templates()[name].read_text(encoding="utf-8"))


def test_three_bundled_templates():
    assert sorted(bundled_templates()) == sorted(NAMES)


# --------------------------------------------------------------------------- validation

@pytest.mark.parametrize(("change", "field", "words"), [
    (lambda d: d["draw"][0].update(field="parameters.W9"), "draw[0].field", "no parameters.W9"),
    (lambda d: d["draw"][0].update(field="title"), "draw[0].field", "not a drawable field"),
    (lambda d: d["draw"][0].update(range=[2, -2]), "draw[0].range", "above the upper end"),
    (lambda d: d["draw"][0].update(range=[-1.5, 2]), "draw[0].range", "grid of integers"),
    (lambda d: d["draw"][0].update(range=[0, 0], exclude=[0]), "draw[0].exclude",
     "every number"),
    (lambda d: d["draw"][0].update(grid="thirds"), "draw[0].grid", "thirds"),
    (lambda d: d["constraints"].update(max_decimals=-1), "constraints.max_decimals", "-1"),
    (lambda d: d["constraints"].pop("max_decimals"), "constraints.decimals_phases",
     "only with max_decimals"),
    (lambda d: d["exercise"]["network"]["layers"][0].update(activation="swishy"),
     "exercise.network.layers[0].activation", "swishy"),
    (lambda d: d.update(template_version=2), "template_version", "newer version"),
])
def test_a_bad_template_names_the_field(change, field, words):
    doc = _doc("cmu-recitation-5")
    change(doc)
    with pytest.raises(ExerciseError) as caught:
        template_from_dict(doc, "t.json")
    assert caught.value.field == field
    assert words in caught.value.problem
    assert str(caught.value).startswith("t.json: ")


def test_loss_decreases_needs_an_update():
    doc = _doc("chain-rule-discussion-expression")
    doc["constraints"]["loss_decreases"] = True
    with pytest.raises(ExerciseError, match="makes no update") as caught:
        template_from_dict(doc)
    assert caught.value.field == "constraints.loss_decreases"


# --------------------------------------------------------------------------- codes

def test_codes_round_trip_and_forgive_look_alikes():
    template = _template("cmu-recitation-5")
    code = make_code(template, 123_456_789)
    assert len(code) == 11 and code[4] == "-" and code.startswith(template.prefix)
    assert parse_code(template, code) == 123_456_789
    assert parse_code(template, " " + code.lower().replace("-", " ") + " ") == 123_456_789
    assert parse_code(template, make_code(template, 0).replace("0", "O")) == 0


def test_a_code_of_another_template_is_refused():
    cmu, inf = _template("cmu-recitation-5"), _template("inf264-homework-4")
    with pytest.raises(ValueError, match=f"start with {cmu.prefix}"):
        parse_code(cmu, make_code(inf, 5))
    with pytest.raises(ValueError, match="not a variant code"):
        parse_code(cmu, "hello")


def test_editing_a_template_changes_its_codes():
    doc = _doc("cmu-recitation-5")
    before = template_from_dict(copy.deepcopy(doc))
    doc["draw"][3]["range"] = [-4, 4]
    assert template_from_dict(doc).digest != before.digest


def test_variant_seeds_are_distinct_and_repeatable():
    template = _template("inf264-homework-4")
    seeds = variant_seeds(template, 42, 500)
    assert len(set(seeds)) == 500 and seeds == variant_seeds(template, 42, 500)
    assert seeds[:10] != variant_seeds(template, 43, 10)


@pytest.mark.parametrize("name", NAMES)
def test_the_same_code_gives_the_same_bytes(name):
    template = _template(name)
    first = make_variants(template, 5, seed=2026)
    again = [make_variant(_template(name), v.code) for v in first]
    assert [v.text for v in again] == [v.text for v in first]
    assert len({v.text for v in first}) == 5  # five codes, five different exercises
    assert all(v.code in v.exercise.title for v in first)


def test_known_numbers_for_a_known_code():
    """The draw is SHA-256 in counter mode: a printed code must give these numbers forever."""
    chain = load_template(TWELVE)
    assert make_variant(chain, make_code(chain, 7)).exercise.problem.values == {"x": -3.0}
    bundled = _template("chain-rule-discussion-expression")
    assert make_code(bundled, 7) == "B397-000007"
    assert make_variant(bundled, 7).exercise.problem.values == {"x": 2.1}
    old_cmu = load_template(CMU_HINT)
    assert make_code(old_cmu, 7) == "9E3W-000007"
    cmu = make_variant(old_cmu, 7)
    assert cmu.tries == 6  # five draws rejected first
    doc = json.loads(cmu.text)
    assert doc["parameters"] == {"W1": [[1, 2, 1], [-1, 1, -2]], "W2": [[-2, 1, 2]]}
    assert doc["data"] == {"inputs": [[2, -3]], "targets": [[2]]}
    # the bundled CMU template without that hint: another hash, so other codes and numbers
    bundled_cmu = _template("cmu-recitation-5")
    assert make_code(bundled_cmu, 7) == "PFKP-000007"
    cmu = make_variant(bundled_cmu, 7)
    assert cmu.tries == 26
    doc = json.loads(cmu.text)
    assert doc["parameters"] == {"W1": [[0, 1, -1], [-1, 1, -2]], "W2": [[1, 2, 2]]}
    assert doc["data"] == {"inputs": [[-1, -3]], "targets": [[-4]]}


# --------------------------------------------------------------------------- constraints


def test_an_impossible_constraint_fails_after_the_allowed_tries():
    doc = _doc("cmu-recitation-5")
    doc["max_tries"] = 25
    doc["draw"][0]["range"] = [-2, -1]  # every α negative …
    doc["draw"][2]["range"] = [1, 3]  # … on positive inputs: both hidden units always dead
    doc["draw"][2].pop("exclude")
    template = template_from_dict(doc, "dead.json")
    with pytest.raises(ConstraintError) as caught:
        make_variant(template, 1)
    assert caught.value.field == "constraints.no_dead_units"
    assert "in 25 tries" in caught.value.problem
    assert "'no_dead_units'" in caught.value.problem


def _pre_activations(exercise):
    """Independently of the trace: α·(1, x) for every sample, from the file's numbers."""
    problem = exercise.problem
    w, b = problem.params.weights[0], problem.params.biases[0]
    return problem.data.inputs @ w.T + b


def _check(name, variant):
    exercise = variant.exercise
    assert violations(_template(name), exercise) == []
    trace = exercise.problem.trace("node")
    if name != "chain-rule-discussion-expression":
        a = _pre_activations(exercise)
        assert np.all(a != 0)  # relu_not_at_zero
        if name == "inf264-homework-4":  # as on the sheet: h on for x₁, off for x₂
            assert a[0, 0] > 0 and a[1, 0] < 0
            assert trace.find(Key(Quantity.VALUE, "h1[0]", 1)).result == 0
            assert trace.find(Key(Quantity.VALUE, "h1[0]", 0)).result == a[0, 0]
        assert np.all((a > 0).any(axis=0))  # no_dead_units: each unit alive for some sample
        fast = exercise.problem.gradients()  # the batch path, not the node trace
        assert trace.find(Key(Quantity.VALUE, "loss")).result == pytest.approx(fast.loss)
        after = trace.find(Key(Quantity.UPDATED, "loss")).result
        assert after < fast.loss  # loss_decreases
        answers = build(exercise, trace, reveal_hidden=True).answers
        assert all(a.answer for a in answers)
    else:
        x = exercise.problem.values["x"]
        assert trace.find(Key(Quantity.VALUE, "l")).result == pytest.approx(x**4 + x**2)
        assert trace.find(Key(Quantity.ADJOINT, "x")).result == pytest.approx(4 * x**3 + 2 * x)
    results = np.concatenate([np.ravel(s.result) for s in trace])
    assert np.all(np.abs(results) <= 1000)


def _key_agrees_with_engine(variant):
    """Every parameter gradient of the node trace equals the batch path's."""
    exercise = variant.exercise
    if exercise.kind != "network":
        return
    problem = exercise.problem
    trace = problem.trace("node")
    graph = problem.graph().graph
    fast = {node: gradient for node, gradient in
            parameter_values(problem.network, problem.gradients().params).items()
            if graph.by_id[node].role is Role.PARAM}
    assert len(fast) == problem.params.flat().size
    for node, gradient in fast.items():
        assert trace.adjoint(node) == pytest.approx(gradient, abs=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_fifty_variants_meet_their_constraints_and_agree_with_the_engine(name):
    for variant in make_variants(_template(name), 50, seed=50):
        _check(name, variant)
        _key_agrees_with_engine(variant)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_a_thousand_variants_meet_their_constraints(name):
    variants = make_variants(_template(name), 1000, seed=1000)
    assert len({v.code for v in variants}) == 1000
    for variant in variants:
        _check(name, variant)
        _key_agrees_with_engine(variant)


def test_a_class_of_400_gets_every_value_of_x():
    """x is drawn from the tenths in [−5, 5] but 0: 100 values, every one of them reached by
    1,000 codes and 98 by a class of 400 (the first template drew from 12 halves)."""
    template = _template("chain-rule-discussion-expression")
    assert distinct(make_variants(template, 1000, seed=1000)) == 100
    assert distinct(make_variants(template, 400, seed=2026)) == 98
    assert distinct(make_variants(load_template(TWELVE), 400, seed=2026)) == 12


def test_inf264_variants_keep_the_sheets_inactive_second_sample():
    template = _template("inf264-homework-4")
    assert template.constraints.relu_active == (("z1[0]", 0),)
    assert template.constraints.relu_inactive == (("z1[0]", 1),)
    sheet = load(exercises_dir() / "inf264-homework-4.json")  # the sheet's own numbers pass
    assert violations(template, sheet) == []
    swapped = _doc("inf264-homework-4")
    swapped["constraints"]["relu_active"] = [{"node": "z1[0]", "sample": 1}]
    swapped["constraints"]["relu_inactive"] = [{"node": "z1[0]", "sample": 0}]
    assert violations(template_from_dict(swapped), sheet) == ["relu_active", "relu_inactive"]


@pytest.mark.parametrize(("entry", "field", "words"), [
    ({"node": "z2[0]", "sample": 1}, "constraints.relu_inactive[0].node",
     "'z2[0]' is not the input of a ReLU in this exercise; its ReLU inputs are z1[0]"),
    ({"node": "z1[0]", "sample": 2}, "constraints.relu_inactive[0].sample",
     "z1[0] is not traced for sample 2; its traced samples are 0, 1 (counted from 0)"),
    ({"node": "z1[0]", "sample": 0}, "constraints.relu_inactive",
     "z1[0] (sample 0) is asked to be both active and inactive"),
])
def test_a_bad_unit_constraint_says_what_is_wrong(entry, field, words):
    doc = _doc("inf264-homework-4")
    doc["constraints"]["relu_inactive"] = [entry]
    with pytest.raises(ExerciseError) as caught:
        template_from_dict(doc, "t.json")
    assert caught.value.field == field and caught.value.problem == words


def test_an_expression_unit_needs_no_sample():
    doc = _doc("chain-rule-discussion-expression")
    doc["exercise"]["expression"]["program"] = "a = x - 1\nl = relu(a)"
    doc["exercise"]["questions"] = doc["exercise"]["questions"][:0]
    doc["constraints"] = {"relu_active": [{"node": "a"}]}
    template = template_from_dict(doc)
    assert template.constraints.relu_active == (("a", None),)
    variant = make_variant(template, 3)
    assert variant.exercise.problem.values["x"] > 1
