"""The questions and the teacher's lists of an exercise, checked against its problem.

Checking a question needs the problem's scalar graph; it is built only when the exercise has
questions, so loading, saving and autosaving a large network without questions stay fast.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tutor.engine import NetworkProblem, Quantity, Role
from tutor.engine.expression import ExpressionProblem
from tutor.engine.network_graph import build_graph

from .errors import ExerciseError
from .model import Exercise, Question

Doc = dict[str, Any]


def question(doc: Doc) -> Question:
    return Question(id=doc["id"], prompt=doc["prompt"], quantity=Quantity(doc["quantity"]),
                    node=doc["node"], sample=doc.get("sample"),
                    tolerance=float(doc.get("tolerance", 1e-3)), hint=doc.get("hint", ""))


def _graph_nodes(problem: NetworkProblem | ExpressionProblem) -> dict[str, Role]:
    """Node id → role of the problem's scalar graph."""
    if isinstance(problem, NetworkProblem):
        graph = build_graph(problem.network).graph
    else:
        graph = problem.graph()
    return {node.id: node.role for node in graph.nodes}


def check_questions(questions: Sequence[Question], problem: Any) -> None:
    if not questions:
        return  # no graph to build
    seen: set[str] = set()
    nodes = _graph_nodes(problem)
    for n, q in enumerate(questions):
        where = f"questions[{n}]"
        if q.id in seen:
            raise ExerciseError(f"{where}.id", f"another question already has the id {q.id!r}")
        seen.add(q.id)
        _check_question_node(q, nodes, where, problem)
        if isinstance(problem, NetworkProblem):
            _check_question_sample(q, problem, where)


def _check_question_node(q: Question, nodes: Mapping[str, Any], where: str,
                         problem: Any) -> None:
    if q.node not in nodes:
        some = ", ".join(list(nodes)[:6])
        raise ExerciseError(f"{where}.node", f"no node {q.node!r} (node ids look like {some}, …)")
    role = nodes[q.node]
    if q.quantity is Quantity.UPDATED and not (role == Role.PARAM or q.node == "loss"):
        raise ExerciseError(f"{where}.quantity", "only parameters and the loss have an "
                                                 "'updated' value")
    if q.quantity is Quantity.ADJOINT and role in (Role.TARGET, Role.CONSTANT):
        raise ExerciseError(f"{where}.quantity", f"{q.node!r} is a {role}: it has no adjoint")
    inputs_traced = getattr(problem, "input_gradients", True)
    if q.quantity is Quantity.ADJOINT and role == Role.INPUT and not inputs_traced:
        raise ExerciseError(f"{where}.quantity", "input adjoints are only traced with "
                                                 "\"trace\": {\"input_gradients\": true}")


def _check_question_sample(q: Question, problem: NetworkProblem, where: str) -> None:
    rows = [int(r) for r in problem.first_batch()]
    if q.sample is None:
        return
    if len(rows) == 1:
        raise ExerciseError(f"{where}.sample", "the traced update uses a single sample: leave "
                                               "the sample out (null)")
    if q.sample not in rows:
        raise ExerciseError(f"{where}.sample", f"sample {q.sample} is not in the traced batch "
                                               f"(rows {', '.join(map(str, rows))})")


def fitting_questions(questions: Sequence[Question], problem: Any) -> tuple[Question, ...]:
    """The questions ``problem`` can still answer: an edited program or network may have lost
    the node (or sample) a question asks about, and the exercise must still save."""
    if not questions:
        return ()  # no graph to build for a large network without questions
    nodes, kept = _graph_nodes(problem), []
    for q in questions:
        try:
            _check_question_node(q, nodes, "question", problem)
            if isinstance(problem, NetworkProblem):
                _check_question_sample(q, problem, "question")
        except ExerciseError:
            continue
        kept.append(q)
    return tuple(kept)


def lockable_names(exercise: Exercise) -> list[str]:
    """Everything ``locked`` may name for this exercise."""
    problem = exercise.problem
    if isinstance(problem, NetworkProblem):
        tensors = [f"parameters.{t}" for t in problem.params.tensors()]
        return ["network", "parameters", "data", "training", "questions", *tensors]
    return ["expression", "variables", "questions", *(f"variables.{v}" for v in problem.values)]


def check_names(exercise: Exercise) -> None:
    allowed = lockable_names(exercise)
    for k, name in enumerate(sorted(exercise.locked)):
        if name not in allowed:
            raise ExerciseError(f"locked[{k}]", f"cannot lock {name!r}; expected one of "
                                                f"{', '.join(allowed)}")
    ids = [q.id for q in exercise.questions]
    for k, name in enumerate(sorted(exercise.hidden)):
        if name != "answers" and name not in ids:
            raise ExerciseError(f"hidden[{k}]", f"{name!r} is neither 'answers' nor a question id")
