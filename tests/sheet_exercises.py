"""The bundled exercises the sheet tests read, by name, typed as the test expects."""

from __future__ import annotations

from tutor.engine import NetworkProblem
from tutor.engine.expression import ExpressionProblem
from tutor.exercise import load
from tutor.exercise.library import exercises_dir


def exercise(name: str):
    return load(exercises_dir() / f"{name}.json")


def network(name: str) -> NetworkProblem:
    problem = exercise(name).problem
    assert isinstance(problem, NetworkProblem)
    return problem


def expression(name: str) -> ExpressionProblem:
    problem = exercise(name).problem
    assert isinstance(problem, ExpressionProblem)
    return problem
