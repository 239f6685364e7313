"""Reassignment, as micrograd's own examples write it (``c = c + 1``): each assignment is a
new node, shown as the name's next version (c, c₂, c₃); and the seed step ∂f/∂f = 1."""

from __future__ import annotations

import pytest

from tutor.engine import Key, Phase, Quantity
from tutor.engine.expression import ExpressionError, ExpressionProblem
from tutor.engine.hand_check import check_trace
from tutor.engine.notation import to_unicode

# micrograd's README example, with each "x += …" written "x = x + …"
MICROGRAD = """\
c = a + b
d = a * b + b**3
c = c + c + 1
c = c + 1 + c + (-a)
d = d + d * 2 + relu(b + a)
d = d + 3 * d + relu(b - a)
e = c - d
f = e**2
g = f / 2.0
g = g + 10.0 / f"""


def central_difference(problem: ExpressionProblem, name: str, h: float = 1e-6) -> float:
    plus = problem.with_values(**{name: problem.values[name] + h}).value()
    minus = problem.with_values(**{name: problem.values[name] - h}).value()
    return (plus - minus) / (2 * h)


def lhs_of(trace) -> list[str]:
    return [to_unicode(s.lhs) for s in trace]


def test_micrograd_example_matches_its_published_numbers_and_finite_differences():
    problem = ExpressionProblem(MICROGRAD, {"a": -4.0, "b": 2.0})
    assert problem.value() == pytest.approx(24.70408163265306, rel=1e-12)  # micrograd: 24.7041
    trace = problem.trace()
    assert trace.adjoint("a") == pytest.approx(138.83381924198252, rel=1e-12)  # 138.8338
    assert trace.adjoint("b") == pytest.approx(645.5772594752186, rel=1e-12)  # 645.5773
    for name in ("a", "b"):
        assert trace.adjoint(name) == pytest.approx(central_difference(problem, name),
                                                    rel=1e-6)
    assert problem.gradient_check().max_rel_error < 1e-6


def test_each_assignment_is_a_new_node_with_a_versioned_symbol():
    problem = ExpressionProblem(MICROGRAD, {"a": -4.0, "b": 2.0})
    forward = [s for s in problem.trace() if s.phase is Phase.FORWARD]
    shown = {to_unicode(s.lhs): s for s in forward}
    for symbol in ("c", "c₂", "c₃", "d", "d₂", "d₃", "g", "g₂"):
        assert symbol in shown
    assert to_unicode(shown["c₂"].formula).startswith("v")  # c₂ = v₃ + 1, v₃ = c + c
    assert shown["c"].result == -2 and shown["c₂"].result == -3 and shown["c₃"].result == -1
    assert shown["d₃"].result == 6 and shown["g₂"].key.node == "g_2"
    assert "′" not in "".join(shown)  # a prime is a derivative on the sheets


def test_reassigning_a_given_variable():
    """``c = c + 1`` with c given: the input is c, the new value c₂."""
    problem = ExpressionProblem("c = c + 1\nc = c * c", {"c": 3.0})
    trace = problem.trace()
    assert lhs_of(trace)[:2] == ["c₂", "c₃"]
    assert to_unicode(trace[0].line()) == "c₂ = c + 1 = 3 + 1 = 4"
    assert trace[1].line() == "c₃ = c₂ · c₂ = 4 · 4 = 16"
    assert trace.adjoint("c") == 8 == pytest.approx(central_difference(problem, "c"), rel=1e-8)


def test_names_with_a_subscript_count_versions_above():
    problem = ExpressionProblem("x1 = x1 * 2\nf = x1 + 1", {"x1": 1.5})
    assert lhs_of(problem.trace())[0] == "x₁⁽²⁾"


def test_a_reassigned_id_never_collides_with_a_users_name():
    problem = ExpressionProblem("c_2 = x\nc = x + 1\nc = c * c_2", {"x": 2.0})
    ids = [n.id for n in problem.graph().nodes]
    assert len(ids) == len(set(ids)) and problem.value() == 6
    assert problem.trace().adjoint("x") == pytest.approx(central_difference(problem, "x"))


def test_reassignment_that_drops_the_old_value():
    problem = ExpressionProblem("f = x\nf = y", {"x": 1.0, "y": 2.0})
    assert problem.value() == 2 and problem.output == "f_2"
    assert any("'x'" in note for note in problem.problems())


def test_augmented_assignment_says_how_to_write_it():
    with pytest.raises(ExpressionError, match=r"augmented assignment.*write c = c \+ …"):
        ExpressionProblem("c = x\nc += 1", {"x": 1.0})


def test_the_backward_pass_starts_with_the_seed_step():
    problem = ExpressionProblem("u = x*y\nf = u + x", {"x": 2.0, "y": 3.0})
    trace = problem.trace()
    backward = [s for s in trace if s.phase is not Phase.FORWARD]
    seed = backward[0]
    assert seed.line() == "∂f/∂f = 1" and seed.result == 1.0
    assert seed.key == Key(Quantity.ADJOINT, "f") and "itself" in seed.explanation
    # every later step has a formula, reading the seed like any cached adjoint
    u_step = trace.find(Key(Quantity.ADJOINT, "u"))
    assert u_step.line() == "∂f/∂u = ∂f/∂f · 1 = 1 · 1 = 1"
    assert seed.key in u_step.reads
    for step in backward[1:]:
        assert step.formula not in ("", "1", "0") and step.numbers
    assert trace.adjoint("x") == 4 == pytest.approx(central_difference(problem, "x"))


def test_the_hand_check_holds_for_a_reassigning_program():
    trace = ExpressionProblem(MICROGRAD, {"a": -4.0, "b": 2.0}).trace(hand=True)
    mismatches, unchecked = check_trace(trace)
    assert mismatches == [] and [n for n, _ in unchecked] == [
        next(s.number for s in trace if s.phase is Phase.BACKWARD)]  # ∂g₂/∂g₂ = 1 only
