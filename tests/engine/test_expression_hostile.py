"""Hostile or broken programs are rejected with a message and a column, and never run."""

from __future__ import annotations

import builtins
from pathlib import Path

import pytest

from tutor.engine.expression import MAX_DEPTH, ExpressionError, ExpressionProblem

VALUES = {"x": 1.0, "y": 2.0, "z": 3.0}


@pytest.mark.parametrize(("program", "column", "fragment"), [
    ("__import__('os')", 1, "only these functions are allowed: sin, cos"),
    ("().__class__", 3, "attribute access ('.__class__')"),
    ("x.real", 2, "attribute access ('.real')"),
    ("lambda: 1", 1, "lambda is not allowed"),
    ("[x]", 1, "a list is not allowed"),
    ("x[0]", 2, "indexing"),
    ("'a'", 1, "a string is not allowed"),
    ("x + 'a'", 5, "a string is not allowed"),
    ("x if y else z", 1, "conditional expression"),
    ("(u := x)", 2, "':='"),
    ("[v for v in x]", 1, "comprehension"),
    ("x < y", 1, "comparison"),
    ("x and y", 1, "'and' / 'or'"),
    ("True * x", 1, "'True'"),
    ("2j * x", 1, "complex number"),
    ("foo(x)", 1, "got 'foo'"),
    ("max(x, key=y)", 8, "no keyword arguments"),
    ("sin(*x)", 5, "'*' unpacking"),
    ("x % 2", 3, "'%' is not allowed"),
    ("x // 2", 3, "'//' is not allowed"),
    ("not x", 1, "'not' is not allowed"),
    ("sin", 1, "'sin' is a function"),
    ("sin(x, y)", 1, "exactly one argument"),
    ("max(x)", 1, "at least two arguments"),
    ("import os", 1, "an import statement is not allowed"),
    ("x += 1", 1, "augmented assignment"),
    ("a = b = x", 1, "one plain name"),
    ("x.y = 2", 1, "one plain name"),
    ("x +* 2", 4, "syntax error"),
    ("", 1, "the program is empty"),
    ("   \n  ", 1, "the program is empty"),
    ("__builtins__ * 2", 1, "may not start with '__'"),
    ("x; y", 1, "only the last line may be a bare expression"),
    ("f = (x).__class__.__bases__[0].__subclasses__()", 8, "('.__class__')"),
    ("f = sin(x).real", 11, "('.real')"),
])
def test_rejected_with_message_and_column(program: str, column: int, fragment: str) -> None:
    with pytest.raises(ExpressionError) as info:
        ExpressionProblem(program, VALUES)
    assert fragment in str(info.value)
    assert info.value.column == column, str(info.value)
    assert f"column {column}" in str(info.value)


def test_errors_on_later_lines_name_the_line() -> None:
    with pytest.raises(ExpressionError, match=r"line 2, column 5: .*got 'open'") as info:
        ExpressionProblem("u = x*y\nf = open('x')", VALUES)
    assert (info.value.line, info.value.column) == (2, 5)


def test_columns_are_those_the_user_typed_despite_rewrites() -> None:
    # ^ becomes ** and − becomes -, which must not shift the reported column
    with pytest.raises(ExpressionError) as info:
        ExpressionProblem("x^2 − y^2 + q.real", VALUES)
    assert info.value.column == 14


def test_nothing_is_ever_imported_or_executed(monkeypatch, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    imported: list[str] = []
    real_import = builtins.__import__

    def spy(name, *args, **kwargs):
        imported.append(name)
        return real_import(name, *args, **kwargs)

    attacks = [
        "__import__('os').system('touch " + str(marker) + "')",
        "open('" + str(marker) + "', 'w')",
        "().__class__.__base__.__subclasses__()",
        "exec('import os')",
        "eval('1')",
    ]
    monkeypatch.setattr(builtins, "__import__", spy)
    for attack in attacks:
        with pytest.raises(ExpressionError):
            ExpressionProblem(attack, VALUES)
    monkeypatch.setattr(builtins, "__import__", real_import)
    assert not marker.exists()
    assert "os" not in imported


def test_huge_exponent_is_a_graph_not_a_computation() -> None:
    problem = ExpressionProblem("2**10**10**10", {})  # 10^(10^10) would never finish
    assert [n.op.name for n in problem.graph().nodes if n.op] == [
        "power_constant", "power", "power"]
    assert [n.id for n in problem.graph().leaves()] == ["2", "10"]
    assert problem.value() == float("inf")
    assert any("infinite" in p for p in problem.problems())


def test_ten_thousand_deep_nesting_gets_a_clear_message() -> None:
    with pytest.raises(ExpressionError, match="the limit is 10,000"):
        ExpressionProblem("(" * 10_000 + "x" + ")" * 10_000, VALUES)
    depth = MAX_DEPTH + 1
    with pytest.raises(ExpressionError, match=f"nested more than {MAX_DEPTH} deep") as info:
        ExpressionProblem("(" * depth + "x" + ")" * depth, VALUES)
    assert info.value.column == depth
    with pytest.raises(ExpressionError, match="nested more than"):
        ExpressionProblem("sin(" * 1500 + "x" + ")" * 1500, VALUES)


def test_long_chains_never_reach_python_recursion_limits() -> None:
    for program in ("+".join(["x"] * 4000), "-" * 5000 + "x", "**".join(["x"] * 2000)):
        with pytest.raises(ExpressionError, match="operators in one statement"):
            ExpressionProblem(program, VALUES)
    ok = ExpressionProblem("+".join(["x"] * 150), VALUES)  # long but legitimate
    assert ok.value() == 150.0
    assert ok.gradients()["x"] == 150.0


def test_a_megabyte_program_is_refused_before_parsing() -> None:
    with pytest.raises(ExpressionError, match="1,000,000 characters long"):
        ExpressionProblem("x+" * 500_000, VALUES)


def test_long_programs_split_into_lines_are_fine() -> None:
    lines = [f"u{k} = u{k - 1} + x" for k in range(1, 300)]
    problem = ExpressionProblem("u0 = x\n" + "\n".join(lines), VALUES)
    assert problem.value() == 300.0
    assert problem.trace().adjoint("x") == 300.0


def test_huge_integer_literal() -> None:
    with pytest.raises(ExpressionError, match="syntax error"):
        ExpressionProblem("x + " + "9" * 5000, VALUES)
    big = ExpressionProblem("x * " + "9" * 400, VALUES)  # beyond the float range
    assert big.value() == float("inf")


def test_undefined_variable_and_non_numeric_values() -> None:
    with pytest.raises(ExpressionError, match="column 9: no value given for 'w'"):
        ExpressionProblem("f = x + w", VALUES)
    with pytest.raises(ExpressionError, match="must be a number"):
        ExpressionProblem("f = x", {"x": "1"})
