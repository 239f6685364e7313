"""Expression size caps count every operand (commas too) and span the whole program."""

import pytest

from tutor.engine.expression import ExpressionError, ExpressionProblem
from tutor.engine.expression_source import MAX_OPERATORS, MAX_PROGRAM_OPERATORS


def build(program: str, **values: float):
    return ExpressionProblem(program=program, values=values or {"x": 1.0}).graph()


def test_a_max_of_thousands_of_arguments_is_refused_at_the_cap():
    program = "f = max(" + ", ".join(["x"] * 3300) + ")"
    with pytest.raises(ExpressionError) as caught:
        build(program)
    column = len("f = max(") + (MAX_OPERATORS + 1) * 3 - 1  # the 201st comma, 1-based
    assert str(caught.value).startswith(
        f"column {column}: more than {MAX_OPERATORS} operators in one statement (each comma "
        f"between arguments counts)")


def test_arguments_up_to_the_cap_still_build():
    program = "f = max(" + ", ".join(f"x*{k}" for k in range(1, 101)) + ")"  # 99 + 100
    assert len(build(program).nodes) > 100


def test_the_cap_spans_the_whole_program_not_each_line():
    per_line = MAX_OPERATORS - 1
    lines = [f"u{n}=" + "+".join(["x"] * per_line) for n in range(20)]
    program = "\n".join([*lines, "f = u0"])
    with pytest.raises(ExpressionError) as caught:
        build(program)
    line = MAX_PROGRAM_OPERATORS // (per_line - 1) + 1
    assert caught.value.line == line
    assert f"more than {MAX_PROGRAM_OPERATORS:,} operators in the program" in str(caught.value)


def test_a_program_just_under_the_total_builds():
    lines = [f"u{n}=" + "+".join(["x"] * 100) for n in range(19)]  # 19 × 99 pluses
    assert build("\n".join([*lines, "f = " + " + ".join(f"u{n}" for n in range(19))]))
