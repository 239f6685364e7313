"""Which engine edit a diagram item stands for: node id → new problem, plus its lock name."""

from __future__ import annotations

from tutor.engine import NetworkProblem
from tutor.engine.edit import set_bias, set_display_entry, set_input, set_target
from tutor.engine.network import BiasMode
from tutor.engine.network_graph import parse_id
from tutor.exercise.model import Exercise


def lock_names(node_id: str) -> tuple[str, ...]:
    """The exercise fields that must not be locked for ``node_id`` to be edited."""
    parsed = parse_id(node_id)
    if parsed is None:
        return ()
    if parsed.prefix in ("W", "b") and parsed.layer is not None and parsed.index:
        # a folded bias is a column of the weight matrix, so either lock applies
        return (f"parameters.W{parsed.layer}",) if parsed.prefix == "W" else (
            f"parameters.b{parsed.layer}", f"parameters.W{parsed.layer}")
    if parsed.prefix in ("x", "y") and parsed.index:
        return ("data",)
    return ()


def editable(node_id: str) -> bool:
    return bool(lock_names(node_id))


def is_locked(exercise: Exercise, node_id: str) -> bool:
    return any(exercise.is_locked(name) for name in lock_names(node_id))


def with_scalar(problem: NetworkProblem, node_id: str, value: float,
                row: int = 0) -> NetworkProblem:
    """``problem`` with the scalar ``node_id`` set to ``value`` (``row``: the sample shown).

    Weights and folded biases are entries of the layer's display matrix (intercept column
    folded in, maybe transposed); the diagram uses the engine's (out, in) ids, so map them.
    """
    parsed = parse_id(node_id)
    if parsed is None or not editable(node_id):
        raise ValueError(f"{node_id} cannot be edited")
    if parsed.prefix == "x":
        return set_input(problem, row, parsed.index[0], value)
    if parsed.prefix == "y":
        return set_target(problem, row, parsed.index[0], value)
    layer_index = parsed.layer - 1
    layer = problem.network.layers[layer_index]
    fan_in = problem.network.sizes[layer_index]
    folded = layer.bias is BiasMode.FOLDED
    if parsed.prefix == "b" and not folded:
        return set_bias(problem, layer_index, parsed.index[0], value)
    shift = 1 if folded and not layer.notation.intercept_last else 0
    j = parsed.index[0]
    if parsed.prefix == "b":
        column = 0 if not layer.notation.intercept_last else fan_in
    else:
        column = parsed.index[1] + shift
    row_, col_ = (column, j) if layer.notation.transposed else (j, column)
    return set_display_entry(problem, layer_index, row_, col_, value)
