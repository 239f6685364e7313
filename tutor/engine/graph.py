"""Scalar computation graphs: nodes, and the operations that compute them.

A graph is a tuple of nodes in forward (topological) order.  Leaves (inputs, parameters,
constants, targets) take their values from outside; every other node applies an operation
to its inputs.  An operation keeps its forward rule and its local derivatives side by side,
plus how to *show* both, so that a trace step can print the chain-rule line it performs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from .activations import Activation
from .notation import format_factor, format_number


class Role(StrEnum):
    INPUT = "input"
    PARAM = "param"
    CONSTANT = "constant"
    TARGET = "target"
    OP = "op"


class Op(Protocol):
    """An operation on scalars.  Symbols and numbers are markup (see notation.py)."""

    name: str

    def forward(self, args: Sequence[float]) -> float: ...

    def partial(self, k: int, args: Sequence[float], out: float) -> float: ...

    def formula(self, syms: Sequence[str]) -> str: ...

    def numbers(self, args: Sequence[float]) -> str: ...

    def partial_symbol(self, k: int, syms: Sequence[str], out_sym: str) -> str: ...

    def partial_numbers(self, k: int, args: Sequence[float], out: float) -> str: ...

    # Optional: ``partial_reads(k, count)`` gives the positions of the inputs (or OUTPUT) that
    # the k-th partial derivative is written with, so a trace step can list what it reads.


OUTPUT = -1  # in ``partial_reads``: the operation's own output


@dataclass(frozen=True, slots=True)
class Node:
    """One scalar in the graph.  ``group`` and ``index`` place it in a diagram."""

    id: str
    symbol: str
    role: Role
    op: Op | None = None
    inputs: tuple[str, ...] = ()
    group: str = ""
    index: tuple[int, ...] = ()


@dataclass(frozen=True)
class Graph:
    """Nodes in forward order; ``output`` is the sink whose derivatives we want."""

    nodes: tuple[Node, ...]
    output: str
    by_id: dict[str, Node] = field(init=False, repr=False, compare=False)
    consumers: dict[str, tuple[tuple[str, int], ...]] = field(init=False, repr=False, compare=False)
    # what the passes over an immutable graph work out once (e.g. a trace's symbolic side)
    memo: dict = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        by_id = {n.id: n for n in self.nodes}
        if len(by_id) != len(self.nodes):
            raise ValueError("duplicate node ids")
        users: dict[str, list[tuple[str, int]]] = {n.id: [] for n in self.nodes}
        seen: set[str] = set()
        for node in self.nodes:
            for k, source in enumerate(node.inputs):
                if source not in seen:
                    raise ValueError(f"node {node.id} reads {source} before it is defined")
                users[source].append((node.id, k))
            seen.add(node.id)
        object.__setattr__(self, "by_id", by_id)
        object.__setattr__(self, "consumers", {k: tuple(v) for k, v in users.items()})

    def __getitem__(self, node_id: str) -> Node:
        return self.by_id[node_id]

    def leaves(self, role: Role | None = None) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes if n.op is None and (role is None or n.role == role))

    def evaluate(self, leaves: dict[str, float],
                 rounding: Callable[[float], float] | None = None) -> dict[str, float]:
        """Every node's value, given the leaves' values; with ``rounding`` (hand calculation,
        see hand.py) each value is rounded before the nodes that read it use it."""
        if rounding is None:
            values = dict(leaves)
            for node in self.nodes:
                if node.op is not None:
                    values[node.id] = node.op.forward([values[i] for i in node.inputs])
            return values
        values = {name: rounding(value) for name, value in leaves.items()}
        for node in self.nodes:
            if node.op is not None:
                values[node.id] = rounding(node.op.forward([values[i] for i in node.inputs]))
        return values


def fsum(values: Iterable[float]) -> float:
    """An exactly rounded sum that, like float arithmetic, overflows to ±∞ or NaN instead of
    raising: a diverging run must still be traceable."""
    values = list(values)
    try:
        return math.fsum(values)
    except (OverflowError, ValueError):
        return sum(values, 0.0)


# --------------------------------------------------------------------------- network ops

def _product(sym_a: str, sym_b: str) -> str:
    return f"{sym_a} \\cdot {sym_b}"


@dataclass(frozen=True, slots=True)
class WeightedSum:
    """``Σ wₖ·xₖ (+ b)``.  Inputs are ``w₁, x₁, w₂, x₂, …`` then the bias, if any."""

    has_bias: bool = False
    name: str = "weighted_sum"

    def _pairs(self, items: Sequence) -> tuple[list[tuple], list]:
        n = len(items) - (1 if self.has_bias else 0)
        return [(items[k], items[k + 1]) for k in range(0, n, 2)], list(items[n:])

    def forward(self, args: Sequence[float]) -> float:
        pairs, bias = self._pairs(args)
        return fsum([w * x for w, x in pairs] + bias)

    def partial(self, k: int, args: Sequence[float], out: float) -> float:
        if self.has_bias and k == len(args) - 1:
            return 1.0
        return args[k + 1] if k % 2 == 0 else args[k - 1]

    def formula(self, syms: Sequence[str]) -> str:
        pairs, bias = self._pairs(syms)
        return " + ".join([_product(w, x) for w, x in pairs] + bias) or "0"

    def numbers(self, args: Sequence[float]) -> str:
        pairs, bias = self._pairs(args)
        terms = [_product(format_factor(w), format_factor(x)) for w, x in pairs]
        return " + ".join(terms + [format_factor(b) for b in bias]) or "0"

    def partial_symbol(self, k: int, syms: Sequence[str], out_sym: str) -> str:
        if self.has_bias and k == len(syms) - 1:
            return "1"
        return syms[k + 1] if k % 2 == 0 else syms[k - 1]

    def partial_numbers(self, k: int, args: Sequence[float], out: float) -> str:
        return format_factor(self.partial(k, args, out))

    def partial_reads(self, k: int, count: int) -> tuple[int, ...]:
        if self.has_bias and k == count - 1:
            return ()
        return (k + 1,) if k % 2 == 0 else (k - 1,)


@dataclass(frozen=True, slots=True)
class Activate:
    """``act(z)`` for one neuron."""

    activation: Activation
    name: str = "activate"
    symbol: str | None = None  # the sheet's name for it (INF264's g, the chain-rule sheet's φ)

    def forward(self, args: Sequence[float]) -> float:
        return float(self.activation(args[0]))

    def partial(self, k: int, args: Sequence[float], out: float) -> float:
        return float(self.activation.derivative(args[0], out))

    def formula(self, syms: Sequence[str]) -> str:
        return f"{self.symbol or self.activation.display}({syms[0]})"

    def numbers(self, args: Sequence[float]) -> str:
        if self.symbol:
            return f"{self.symbol}({format_number(args[0])})"
        return self.activation.formula_numbers(args[0])

    def partial_symbol(self, k: int, syms: Sequence[str], out_sym: str) -> str:
        if self.symbol:
            return f"{self.symbol}′({syms[0]})"
        return self.activation.derivative_symbol(syms[0])

    def partial_numbers(self, k: int, args: Sequence[float], out: float) -> str:
        return self.activation.derivative_numbers(args[0], out)

    def partial_reads(self, k: int, count: int) -> tuple[int, ...]:
        # σ′ and tanh′ are written with the output, the others with the input
        return (OUTPUT,) if self.activation.rule.reads_output else (0,)


@dataclass(frozen=True, slots=True)
class Difference:
    """``a − b`` (the residual node of a loss written as an explicit error, e.g. z₄ = y − z₃)."""

    name: str = "difference"

    def forward(self, args: Sequence[float]) -> float:
        return args[0] - args[1]

    def partial(self, k: int, args: Sequence[float], out: float) -> float:
        return 1.0 if k == 0 else -1.0

    def formula(self, syms: Sequence[str]) -> str:
        return f"{syms[0]} − {syms[1]}"

    def numbers(self, args: Sequence[float]) -> str:
        return f"{format_number(args[0])} − {format_factor(args[1])}"

    def partial_symbol(self, k: int, syms: Sequence[str], out_sym: str) -> str:
        return "1" if k == 0 else "(−1)"

    def partial_numbers(self, k: int, args: Sequence[float], out: float) -> str:
        return "1" if k == 0 else "(−1)"

    def partial_reads(self, k: int, count: int) -> tuple[int, ...]:
        return ()
