"""Misconception flags: things worth pointing at on the diagram, said in plain words.

``flags_for(problem, trace, history_losses)`` looks at a network or expression problem (and
optionally its trace and loss history) and returns :class:`Flag` values:

- ``saturated``: a sigmoid or tanh whose local derivative is below 1 % of its largest value
  on a traced sample, so almost no gradient flows back through it;
- ``dead_relu``: a ReLU whose pre-activation is ≤ 0 for every sample of the dataset, so its
  incoming weights never receive a gradient;
- ``rising_loss``: the loss rose on each of the last updates (the learning rate is too
  large);
- ``shared_node``: a node that feeds two or more others, so its adjoint is a sum;
- ``diverged``: the loss or a traced number is no longer finite.

Node ids are the scalar graph's (``h1[0]``, ``z1[0]``, ``x``); ``step`` is the index of the
step of the given trace where the flag becomes visible (``None`` without a trace).
NumPy only.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from .batch import forward
from .expression import ExpressionProblem
from .expression_ops import Function
from .graph import Graph, Role
from .ids import LOSS, input_id, pre_id, tensor_of
from .network import LossKind
from .network_graph import act_id
from .notation import adjoint, format_number, sample_label, to_unicode
from .problem import NetworkProblem
from .trace import Key, Quantity, Trace

SATURATION = 1e-2  # a local derivative below this fraction of its maximum is "≈ 0"
RISING_UPDATES = 3  # the loss must have risen on this many consecutive updates
PEAK_DERIVATIVE = {"sigmoid": 0.25, "tanh": 1.0}
DISPLAY = {"sigmoid": "σ", "tanh": "tanh"}


class FlagKind(StrEnum):
    SATURATED = "saturated"
    DEAD_RELU = "dead_relu"
    RISING_LOSS = "rising_loss"
    SHARED_NODE = "shared_node"
    DIVERGED = "diverged"


@dataclass(frozen=True, slots=True)
class Flag:
    """One observation: what, where on the diagram, in words, and when it shows."""

    kind: FlagKind
    nodes: tuple[str, ...]  # node ids to mark
    message: str  # plain words, Unicode
    step: int | None = None  # trace index where it becomes visible
    update: int | None = None  # for the loss history: the update it starts at


def flags_for(problem: NetworkProblem | ExpressionProblem, trace: Trace | None = None,
              history_losses: Sequence[float] | np.ndarray | None = None, *,
              diverged_at: int | None = None) -> tuple[Flag, ...]:
    """Every flag for ``problem``; ``history_losses[t]`` is the loss after ``t`` updates and
    ``diverged_at`` the update a training run stopped at (``TrainingRun.diverged_at``)."""
    with np.errstate(all="ignore"):  # a diverged problem is flagged, not warned about
        flags: list[Flag] = []
        if isinstance(problem, NetworkProblem):
            graph = problem.graph().graph  # built once for all the checks below
            flags += _network_saturation(problem, graph, trace)
            flags += _dead_relus(problem, graph, trace)
        else:
            graph = problem.graph()
            flags += _expression_saturation(problem, graph, trace)
        flags += _shared_nodes(problem, graph, trace)
        flags += _history(problem, history_losses, diverged_at)
        if not any(f.kind is FlagKind.DIVERGED for f in flags):
            flags += _non_finite(problem, trace)
    return tuple(flags)


def history_flags(problem: NetworkProblem | ExpressionProblem,
                  history_losses: Sequence[float] | np.ndarray,
                  diverged_at: int | None = None) -> tuple[Flag, ...]:
    """Only the loss-history flags (rising loss, divergence): cheap on any network, where
    :func:`flags_for` builds the scalar graph."""
    with np.errstate(all="ignore"):
        return tuple(_history(problem, history_losses, diverged_at))


# --------------------------------------------------------------------------- helpers


def _step_of(trace: Trace | None, quantity: Quantity, node: str,
             sample: int | None = None) -> int | None:
    """The step of ``trace`` computing ``node`` (or its whole tensor, in a layer trace)."""
    if trace is None:
        return None
    tensor = tensor_of(node)
    for name in dict.fromkeys((node, tensor)):
        for where in dict.fromkeys((sample, None)):
            index = trace.producer.get(Key(quantity, name, where))
            if index is not None:
                return index
    indices = [s.index for s in trace if s.key.quantity is quantity
               and s.key.node in (node, tensor)]
    return min(indices, default=None)


def _small(value: float) -> str:
    """Two significant digits: σ′ = 5e−5."""
    return format_number(value, 2)


def _learning_rate(problem: NetworkProblem | ExpressionProblem) -> float:
    if isinstance(problem, NetworkProblem):
        return problem.training.learning_rate
    return problem.learning_rate


def _loss_node(problem: NetworkProblem | ExpressionProblem) -> str:
    return LOSS if isinstance(problem, NetworkProblem) else problem.output


def _saturated_message(act: str, function: str, pre: str, value: float,
                       derivative: float) -> str:
    return (f"{act} = {DISPLAY[function]}({pre}) = {format_number(value)} is saturated: its "
            f"local derivative {DISPLAY[function]}′ = {_small(derivative)} ≈ 0, so almost no "
            f"gradient flows back through it (vanishing gradient).")


# --------------------------------------------------------------------------- saturation


def _network_saturation(problem: NetworkProblem, graph: Graph,
                        trace: Trace | None) -> list[Flag]:
    network = problem.network
    rows = problem.first_batch()
    cache = forward(network, problem.params, problem.data.inputs[rows])
    flags = []
    for n, layer in enumerate(network.layers):
        name = layer.activation.name
        if name not in PEAK_DERIVATIVE:
            continue
        if (n == len(network.layers) - 1 and name == "sigmoid"
                and network.loss.kind is LossKind.BINARY_CROSS_ENTROPY):
            continue  # cross-entropy cancels σ′: ∂ℓ/∂z = ŷ − y does not vanish
        derivatives = layer.activation.derivative(cache.pre[n], cache.act[n + 1])
        for j in range(layer.size):
            column = derivatives[:, j]
            saturated = column < SATURATION * PEAK_DERIVATIVE[name]
            if not saturated.any():
                continue
            worst = int(np.nanargmin(column)) if not np.isnan(column).all() else 0
            sample = int(rows[worst]) if len(rows) > 1 else None
            act, pre = act_id(network, n, j), pre_id(n, j)
            message = _saturated_message(to_unicode(graph[act].symbol), name,
                                         to_unicode(graph[pre].symbol),
                                         float(cache.act[n + 1][worst, j]), float(column[worst]))
            if sample is not None:
                message += (f" ({sample_label(sample).capitalize()}; saturated for "
                            f"{int(saturated.sum())} of the {len(rows)} traced samples.)")
            flags.append(Flag(FlagKind.SATURATED, (act, pre), message,
                              _step_of(trace, Quantity.VALUE, act, sample)))
    return flags


def _expression_saturation(problem: ExpressionProblem, graph: Graph,
                           trace: Trace | None) -> list[Flag]:
    values = problem.evaluate()
    flags = []
    for node in graph.nodes:
        op = node.op
        if not (isinstance(op, Function) and op.name in PEAK_DERIVATIVE):
            continue
        argument, value = values[node.inputs[0]], values[node.id]
        derivative = op.partial(0, [argument], value)
        if not derivative < SATURATION * PEAK_DERIVATIVE[op.name]:
            continue
        message = _saturated_message(to_unicode(node.symbol), op.name,
                                     to_unicode(graph[node.inputs[0]].symbol), value, derivative)
        flags.append(Flag(FlagKind.SATURATED, (node.id, node.inputs[0]), message,
                          _step_of(trace, Quantity.VALUE, node.id)))
    return flags


# --------------------------------------------------------------------------- dead ReLUs


def _dead_relus(problem: NetworkProblem, graph: Graph, trace: Trace | None) -> list[Flag]:
    """Pre-activations over the WHOLE dataset (fast path): one live sample keeps it alive."""
    network = problem.network
    cache = forward(network, problem.params, problem.data.inputs)
    samples = len(problem.data)
    first = int(problem.first_batch()[0]) if len(problem.first_batch()) > 1 else None
    flags = []
    for n, layer in enumerate(network.layers):
        if layer.activation.name != "relu":
            continue
        dead = np.all(cache.pre[n] <= 0, axis=0)
        for j in np.flatnonzero(dead):
            act, pre = act_id(network, n, int(j)), pre_id(n, int(j))
            a, z = to_unicode(graph[act].symbol), to_unicode(graph[pre].symbol)
            every = "the only sample" if samples == 1 else f"every one of the {samples} samples"
            message = (f"{a} = ReLU({z}) is a dead ReLU: {z} ≤ 0 for {every} (at most "
                       f"{format_number(float(cache.pre[n][:, j].max()))}), so {a} = 0 and "
                       f"ReLU′({z}) = 0. No gradient reaches the weights into it, and gradient "
                       f"descent never changes them. Try other initial weights or a leaky ReLU.")
            flags.append(Flag(FlagKind.DEAD_RELU, (act, pre), message,
                              _step_of(trace, Quantity.VALUE, act, first)))
    return flags


# --------------------------------------------------------------------------- shared nodes


def _reaching_output(graph: Graph) -> set[str]:
    reach = {graph.output}
    for node in reversed(graph.nodes):
        if node.id in reach:
            reach.update(node.inputs)
    return reach


def _shared_nodes(problem: NetworkProblem | ExpressionProblem, graph: Graph,
                  trace: Trace | None) -> list[Flag]:
    """Nodes whose adjoint step sums ≥ 2 chain-rule terms (one per use that reaches the
    output; ``x·x`` uses x twice)."""
    if isinstance(problem, NetworkProblem):
        wanted = {n.id for n in graph.leaves(Role.PARAM)}
        if problem.input_gradients:
            wanted |= {input_id(i) for i in range(problem.network.input_size)}
        loss = problem.network.notation.loss
        sample = int(problem.first_batch()[0]) if len(problem.first_batch()) > 1 else None
    else:
        wanted = set(problem.wanted())
        loss = graph[graph.output].symbol
        sample = None
    reach = _reaching_output(graph)
    flags = []
    for node in graph.nodes:
        if node.id == graph.output or node.id not in reach:
            continue
        if node.op is None and node.id not in wanted:
            continue
        uses = Counter(c for c, _ in graph.consumers[node.id] if c in reach)
        total = sum(uses.values())
        if total < 2:
            continue
        names = ", ".join(to_unicode(graph[c].symbol) + ("" if k == 1 else f" ({k} times)")
                          for c, k in uses.items())
        symbol = to_unicode(node.symbol)
        message = (f"{symbol} feeds {total} places ({names}): its adjoint "
                   f"{to_unicode(adjoint(loss, node.symbol))} is the sum of {total} "
                   f"contributions, one through each. Leaving one out is a common mistake.")
        flags.append(Flag(FlagKind.SHARED_NODE, (node.id, *uses), message,
                          _step_of(trace, Quantity.ADJOINT, node.id, sample)))
    return flags


# --------------------------------------------------------------------------- the loss history


def _history(problem: NetworkProblem | ExpressionProblem,
             losses: Sequence[float] | np.ndarray | None,
             diverged_at: int | None) -> list[Flag]:
    eta = _learning_rate(problem)
    node = _loss_node(problem)
    flags = []
    values = np.asarray([] if losses is None else losses, dtype=float)
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size and diverged_at is None:
        diverged_at = int(bad[0])
    finite = values[: bad[0]] if bad.size else values
    start = _rise_start(finite)
    if start is not None:
        rises = len(finite) - start
        flags.append(Flag(FlagKind.RISING_LOSS, (node,), (
            f"The loss has risen on each of the last {rises} updates, since update {start} "
            f"({format_number(finite[start - 1])} → {format_number(finite[-1])}): the learning "
            f"rate η = {format_number(eta)} is too large, so every step overshoots the minimum. "
            f"Try a smaller one, e.g. η = {format_number(eta / 2)} or less."), update=start))
    if diverged_at is not None:
        flags.append(Flag(FlagKind.DIVERGED, (node,), (
            f"Training diverged at update {diverged_at}: the loss is no longer a finite number "
            f"(it overflowed). The learning rate η = {format_number(eta)} is far too large; "
            f"restart from the initial weights with e.g. η = {format_number(eta / 10)}."),
            update=diverged_at))
    return flags


def _rise_start(losses: np.ndarray) -> int | None:
    """The update at which the current run of rising losses began, if it is long enough."""
    t = len(losses) - 1
    while t >= 1 and losses[t] > losses[t - 1]:
        t -= 1
    rises = len(losses) - 1 - t
    return t + 1 if rises >= RISING_UPDATES else None


def _all_finite(trace: Trace) -> bool:
    """Every result finite: one test for all the scalars, one per array (a step at a time
    took 5 µs each, most of a flags call on a 700-step trace)."""
    scalars = [s.result for s in trace.steps if not isinstance(s.result, np.ndarray)]
    arrays = [s.result for s in trace.steps if isinstance(s.result, np.ndarray)]
    return bool(np.isfinite(scalars).all()) and all(np.isfinite(a).all() for a in arrays)


def _non_finite(problem: NetworkProblem | ExpressionProblem,
                trace: Trace | None) -> list[Flag]:
    """A trace (or parameters) holding ∞ or NaN: the numbers have overflowed."""
    if trace is not None:
        if _all_finite(trace):
            return []
        for step in trace:
            if not np.all(np.isfinite(step.result)):
                return [Flag(FlagKind.DIVERGED, (step.node,), (
                    f"{to_unicode(step.lhs)} = {format_number(float(np.ravel(step.result)[0]))}"
                    f" is not a finite number: the numbers overflowed (a learning rate that "
                    f"was too large, or extreme weights). Nothing after this step is "
                    f"meaningful."), step.index)]
        return []
    if isinstance(problem, NetworkProblem):
        finite = np.all(np.isfinite(problem.params.flat()))
    else:
        finite = all(math.isfinite(v) for v in problem.values.values())
    if finite:
        return []
    return [Flag(FlagKind.DIVERGED, (_loss_node(problem),),
                 "Some parameters are not finite numbers (∞ or NaN): the run has diverged. "
                 "Restart from the initial weights with a smaller learning rate.")]


__all__ = ["PEAK_DERIVATIVE", "RISING_UPDATES", "SATURATION", "Flag", "FlagKind", "flags_for",
           "history_flags"]
