"""Which engine edit a diagram item stands for: node id → new problem, plus its lock name."""

from __future__ import annotations

from tutor.engine import NetworkProblem
from tutor.engine.edit import set_scalar
from tutor.engine.ids import INPUT, TARGET, WEIGHT, matrix_of, parse_id
from tutor.exercise.model import Exercise


def lock_names(node_id: str) -> tuple[str, ...]:
    """The exercise fields that must not be locked for ``node_id`` to be edited."""
    parsed = parse_id(node_id)
    if parsed is None:
        return ()
    if parsed.is_parameter and parsed.index:
        # a folded bias is a column of the weight matrix, so either lock applies
        tensor = parsed.tensor
        return (f"parameters.{tensor}",) if parsed.prefix == WEIGHT else (
            f"parameters.{tensor}", f"parameters.{matrix_of(tensor)}")
    if parsed.prefix in (INPUT, TARGET) and parsed.index:
        return ("data",)
    return ()


def editable(node_id: str) -> bool:
    return bool(lock_names(node_id))


def is_locked(exercise: Exercise, node_id: str) -> bool:
    return any(exercise.is_locked(name) for name in lock_names(node_id))


def with_scalar(problem: NetworkProblem, node_id: str, value: float,
                row: int = 0) -> NetworkProblem:
    """``problem`` with the scalar ``node_id`` set to ``value`` (``row``: the sample shown).

    The engine maps the (out, in) id onto the sheet's layout (:func:`tutor.engine.edit.set_scalar`).
    """
    if not editable(node_id):
        raise ValueError(f"{node_id} cannot be edited")
    return set_scalar(problem, node_id, value, row)
