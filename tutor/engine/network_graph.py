"""A network as a scalar graph: one node per input, weight, pre-activation, activation…

Node ids are stable and readable, so that views can map them to items: ``x[i]``, ``W1[j,i]``,
``z1[j]``, ``loss``…  They are written and read only by :mod:`tutor.engine.ids` (re-exported
here for older imports).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .graph import Activate, Difference, Graph, Node, Role, WeightedSum
from .ids import (
    LOSS,
    ScalarId,  # noqa: F401  (re-exported)
    act_id_of,
    act_tensor,
    bias_id,
    bias_tensor,
    input_id,
    intercept_id,
    parse_id,  # noqa: F401  (re-exported)
    pre_id,
    pre_tensor,
    residual_id,
    target_id,
    weight_id,
    weight_tensor,
)
from .losses import BinaryCrossEntropy, SquaredError
from .network import (
    BiasMode,
    Dataset,
    LossKind,
    Network,
    Parameters,
    Residual,
    input_symbols,
    layer_symbols,
    residual_symbols,
    target_symbols,
)
from .sheet_layout import folded_order


def act_id(network: Network, layer: int, j: int) -> str:
    """The activation node, which is the pre-activation itself for an identity layer."""
    return act_id_of(layer, j, network.layers[layer].activation.is_identity)


def output_ids(network: Network) -> list[str]:
    last = len(network.layers) - 1
    return [act_id(network, last, k) for k in range(network.output_size)]


@dataclass(frozen=True)
class NetworkGraph:
    """The scalar graph of a network plus its backward order (loss side first)."""

    graph: Graph
    backward_order: tuple[str, ...]


CACHED_PARAMETERS = 10_000  # larger networks are never traced node by node


def build_graph(network: Network) -> NetworkGraph:
    """The network's scalar graph.

    Cached for networks of up to CACHED_PARAMETERS weights: a trace and the flags of every
    edit ask for it again, and it depends only on the (immutable, hashable) network.  A
    784-128-10 graph (80 MB) is only built to check an exercise's questions, and not kept.
    """
    weights = sum(size * fan_in for size, fan_in in zip(network.sizes[1:], network.sizes,
                                                           strict=False))
    return _cached_graph(network) if weights <= CACHED_PARAMETERS else _build_graph(network)


@lru_cache(maxsize=4)  # an edit session's network and the ones its undo stack returns to
def _cached_graph(network: Network) -> NetworkGraph:
    return _build_graph(network)


def _build_graph(network: Network) -> NetworkGraph:
    nodes: list[Node] = []
    backward: list[list[str]] = []
    xs = input_symbols(network)
    for i, sym in enumerate(xs):
        nodes.append(Node(input_id(i), sym, Role.INPUT, group="x", index=(i,)))
    prev = [input_id(i) for i in range(network.input_size)]
    for n, layer in enumerate(network.layers):
        syms = layer_symbols(network, n)
        folded = layer.bias is BiasMode.FOLDED
        if folded:
            nodes.append(Node(intercept_id(n), syms.intercept, Role.CONSTANT,
                              group=intercept_id(n)))
        params: list[str] = []
        for j in range(layer.size):
            # a folded intercept weight sits in its column
            params += folded_order(layer, [weight_id(n, j, i) for i in range(len(prev))],
                                   bias_id(n, j))
            # parameters in the row's order, so updates list a folded intercept where it sits
            for i in range(len(prev)):
                nodes.append(Node(weight_id(n, j, i), syms.weights[j][i], Role.PARAM,
                                  group=weight_tensor(n), index=(j, i)))
            if layer.bias is not BiasMode.NONE:
                bias = Node(bias_id(n, j), syms.biases[j], Role.PARAM, group=bias_tensor(n),
                            index=(j,))
                if folded and not layer.notation.intercept_last:
                    nodes.insert(len(nodes) - len(prev), bias)
                else:
                    nodes.append(bias)
        pres, acts = [], []
        for j in range(layer.size):
            pairs = [(weight_id(n, j, i), src) for i, src in enumerate(prev)]
            has_bias = layer.bias is BiasMode.SEPARATE
            if folded:
                pairs = folded_order(layer, pairs, (bias_id(n, j), intercept_id(n)))
            inputs = tuple(x for pair in pairs for x in pair)
            if has_bias:
                inputs += (bias_id(n, j),)
            nodes.append(Node(pre_id(n, j), syms.pre[j], Role.OP, WeightedSum(has_bias), inputs,
                              group=pre_tensor(n), index=(j,)))
            pres.append(pre_id(n, j))
        if not layer.activation.is_identity:
            for j in range(layer.size):
                nodes.append(Node(act_id(network, n, j), syms.act[j], Role.OP,
                                  Activate(layer.activation, "activate",
                                           layer.notation.activation_symbol),
                                  (pre_id(n, j),),
                                  group=act_tensor(n), index=(j,)))
                acts.append(act_id(network, n, j))
        backward.append(acts + pres + params)
        prev = [act_id(network, n, j) for j in range(layer.size)]
    targets = [target_id(k) for k in range(network.output_size)]
    for k, sym in enumerate(target_symbols(network)):
        nodes.append(Node(targets[k], sym, Role.TARGET, group="y", index=(k,)))
    loss = network.loss
    scale = loss.scale(network.output_size)
    head: list[str] = []
    if loss.kind is LossKind.BINARY_CROSS_ENTROPY:
        op = BinaryCrossEntropy(scale)
        loss_inputs = (*prev, *targets)
    elif loss.residual is Residual.NONE:
        op = SquaredError(scale)
        loss_inputs = (*prev, *targets)
    else:
        flip = loss.residual is Residual.TARGET_MINUS_OUTPUT
        for k, sym in enumerate(residual_symbols(network)):
            a, b = (targets[k], prev[k]) if flip else (prev[k], targets[k])
            nodes.append(Node(residual_id(k), sym, Role.OP, Difference(), (a, b), group="r",
                              index=(k,)))
            head.append(residual_id(k))
        op = SquaredError(scale, residuals=True)
        loss_inputs = tuple(head)
    nodes.append(Node(LOSS, network.notation.loss, Role.OP, op, loss_inputs, group="loss"))
    order = head + [node for group in reversed(backward) for node in group]
    return NetworkGraph(Graph(tuple(nodes), LOSS), tuple(order))


def parameter_values(network: Network, params: Parameters) -> dict[str, float]:
    values: dict[str, float] = {}
    for n, (w, b) in enumerate(zip(params.weights, params.biases, strict=True)):
        for (j, i), v in np.ndenumerate(w):
            values[weight_id(n, j, i)] = float(v)
        if b is not None:
            for j, v in enumerate(b):
                values[bias_id(n, j)] = float(v)
        if network.layers[n].bias is BiasMode.FOLDED:
            values[intercept_id(n)] = 1.0
    return values


def sample_values(data: Dataset, row: int) -> dict[str, float]:
    values = {input_id(i): float(v) for i, v in enumerate(data.inputs[row])}
    values |= {target_id(k): float(v) for k, v in enumerate(data.targets[row])}
    return values


def gradient_parameters(network: Network, gradients: dict[str, float]) -> Parameters:
    """Collect scalar gradients back into tensors shaped like the parameters."""
    weights, biases = [], []
    for n, layer in enumerate(network.layers):
        fan_in = network.sizes[n]
        weights.append(np.array([[gradients[weight_id(n, j, i)] for i in range(fan_in)]
                                 for j in range(layer.size)]))
        biases.append(None if layer.bias is BiasMode.NONE
                      else np.array([gradients[bias_id(n, j)] for j in range(layer.size)]))
    return Parameters(tuple(weights), tuple(biases))
