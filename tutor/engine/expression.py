"""Computation graphs of scalar expressions, stepped through like a network.

The user writes an expression of named variables or a short program of assignments, one per
line or separated by ``;``::

    u = x*y
    f = sin(u)/z + exp(x*z)/u

The last assigned name (or a lone expression) is the output.  Parsing uses Python's ``ast``
module with a strict whitelist of node types, and nothing is ever evaluated as code: the
syntax tree is only *read* to build a :class:`~tutor.engine.graph.Graph`.  Size caps are
checked before ``ast.parse`` so that hostile input gives a clear message rather than a
RecursionError.  Constants are never folded, so ``2**10**10`` is a graph, and evaluating it
gives inf rather than an exception (see :mod:`tutor.engine.expression_ops`); non-finite
values are listed by :meth:`ExpressionProblem.problems`.

Structurally identical subexpressions are one node (hash-consing): ``x*y`` written twice is
a single node whose adjoint sums the contributions of its consumers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from .batch_steps import BatchSettings, batch_steps
from .expression_parse import (
    CONSTANTS,
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_OPERATORS,
    BuiltExpression,
    ExpressionError,
    build_expression,
    default_symbol,
)
from .gradcheck import GradientCheck
from .graph import Graph, Role
from .hand import hand_round
from .limits import check_expression_training
from .notation import to_unicode
from .scalar_pass import graph_pass
from .trace import Trace

__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_OPERATORS",
    "BuiltExpression",
    "ExpressionError",
    "ExpressionGradientCheck",
    "ExpressionProblem",
    "ExpressionTrainingRun",
    "build_expression",
    "default_symbol",
]


# --------------------------------------------------------------------------- the problem

@dataclass(frozen=True)
class ExpressionGradientCheck(GradientCheck):
    """A gradient check whose entries are named by ``variables``."""

    variables: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExpressionTrainingRun:
    """``losses[t]`` is the output after ``t`` updates; ``values[t]`` the trainable values."""

    losses: np.ndarray
    values: tuple[Mapping[str, float], ...]
    diverged_at: int | None = None  # the first update whose output was not finite

    @property
    def final(self) -> Mapping[str, float]:
        return self.values[-1]


@dataclass(frozen=True)
class ExpressionProblem:
    """A program, values for its variables, and what to differentiate or train.

    ``values`` must hold every variable the output depends on.  ``differentiate`` names the
    variables whose adjoints the trace shows (default: all); ``trainable`` ones are
    parameters that :meth:`train` and the trace's update steps move by gradient descent.
    """

    program: str
    values: Mapping[str, float]
    symbols: Mapping[str, str] = field(default_factory=dict)
    differentiate: tuple[str, ...] | None = None
    learning_rate: float = 0.1
    trainable: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        built = self.built
        for name in built.variables:
            if name not in self.values:
                line, column = built.first_use[name]
                where = f"line {line}, column {column}" if built.lines > 1 else f"column {column}"
                raise ExpressionError(f"{where}: no value given for '{name}'", line, column)
        for name, value in self.values.items():
            if isinstance(value, bool) or not isinstance(value, int | float | np.number):
                raise ExpressionError(f"the value of '{name}' must be a number, got {value!r}")
        for label, names in (("differentiate", self.differentiate or ()),
                             ("trainable", self.trainable)):
            for name in names:
                if name not in built.variables:
                    raise ExpressionError(f"{label}: '{name}' is not a variable of the program "
                                          f"(variables: {', '.join(built.variables)})")

    # -- structure ------------------------------------------------------------------------

    @cached_property
    def built(self) -> BuiltExpression:
        return build_expression(self.program, tuple(self.values), self.symbols, self.trainable)

    def graph(self) -> Graph:
        return self.built.graph

    @property
    def variables(self) -> tuple[str, ...]:
        return self.built.variables

    @property
    def output(self) -> str:
        return self.built.graph.output

    def wanted(self) -> tuple[str, ...]:
        """The variables whose adjoints are computed: ``differentiate`` plus the trainable."""
        chosen = self.variables if self.differentiate is None else self.differentiate
        return tuple(v for v in self.variables if v in chosen or v in self.trainable)

    def leaves(self, values: Mapping[str, float] | None = None) -> dict[str, float]:
        """Every leaf's value: the given variables and the constants."""
        values = self.values if values is None else values
        out = {name: float(values[name]) for name in self.variables}
        for node in self.graph().leaves(Role.CONSTANT):
            out[node.id] = _constant_value(node.id)
        return out

    # -- numbers --------------------------------------------------------------------------

    def evaluate(self, values: Mapping[str, float] | None = None) -> dict[str, float]:
        return self.graph().evaluate(self.leaves(values))

    def value(self) -> float:
        return self.evaluate()[self.output]

    def gradients(self, values: Mapping[str, float] | None = None) -> dict[str, float]:
        """∂output/∂v for every variable: one reverse sweep, without building a trace."""
        graph = self.graph()
        nodes = self.evaluate(values)
        adjoints = dict.fromkeys(nodes, 0.0)
        adjoints[graph.output] = 1.0
        with np.errstate(all="ignore"):
            for node in reversed(graph.nodes):
                if node.op is None:
                    continue
                args = [nodes[i] for i in node.inputs]
                for k, source in enumerate(node.inputs):
                    local = node.op.partial(k, args, nodes[node.id])
                    adjoints[source] += adjoints[node.id] * local
        return {name: adjoints[name] for name in self.variables}

    def trace(self, granularity: str = "node", *, hand: bool = False) -> Trace:
        """Forward steps, backward steps and, with trainable variables, one update.

        Expressions are scalar, so the layer granularity is the same as the node one.
        ``hand``: carry the printed, rounded values forward (hand.py).
        """
        rounding = hand_round if hand else None
        graph = self.graph()
        loss_symbol = graph[graph.output].symbol
        leaves = self.leaves()
        if not self.trainable:
            steps = graph_pass(graph, leaves, loss_symbol=loss_symbol,
                               differentiate=self.wanted(), rounding=rounding, seed=True)
            return Trace(tuple(steps), loss_symbol)
        params = {name: leaves.pop(name) for name in self.trainable}
        settings = BatchSettings(loss_symbol=loss_symbol, learning_rate=self.learning_rate,
                                 rounding=rounding, seed=True)
        steps = batch_steps(graph, [leaves], params, settings, differentiate=self.wanted())
        return Trace(tuple(steps), loss_symbol)

    def problems(self) -> tuple[str, ...]:
        """Plain-language warnings: values that are not finite, statements never used."""
        graph = self.graph()
        values = self.evaluate()
        notes = []
        for node in graph.nodes:
            if node.op is None or math.isfinite(values[node.id]):
                continue
            args = [values[i] for i in node.inputs]
            if all(math.isfinite(a) for a in args):  # where the trouble starts
                what = "NaN (undefined)" if math.isnan(values[node.id]) else "infinite"
                syms = [graph[i].symbol for i in node.inputs]
                notes.append(f"{to_unicode(node.symbol)} = {to_unicode(node.op.formula(syms))}"
                             f" = {to_unicode(node.op.numbers(args))} is {what}")
        notes += [f"'{name}' is assigned but the output {self.output} does not use it"
                  for name in self.built.unused]
        notes += [f"'{name}' has a value but the program does not use it"
                  for name in self.values if name not in self.variables]
        gradients = self.gradients()
        notes += [f"∂{self.output}/∂{name} is not finite" for name in self.wanted()
                  if math.isfinite(values[self.output]) and not math.isfinite(gradients[name])]
        return tuple(notes)

    def gradient_check(self, epsilon: float = 1e-6) -> ExpressionGradientCheck:
        """Backprop's gradient against central differences, with what each one cost."""
        names = self.wanted()
        gradients = self.gradients()
        analytic = np.array([gradients[n] for n in names], dtype=float)
        numeric = np.empty_like(analytic)
        for k, name in enumerate(names):
            plus = self.evaluate({**self.values, name: self.values[name] + epsilon})
            minus = self.evaluate({**self.values, name: self.values[name] - epsilon})
            with np.errstate(all="ignore"):
                numeric[k] = (plus[self.output] - minus[self.output]) / (2 * epsilon)
        with np.errstate(all="ignore"):
            diff = np.abs(analytic - numeric)
            scale = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), 1e-8)
            relative = diff / scale
        return ExpressionGradientCheck(analytic, numeric, float(diff.max(initial=0.0)),
                                       float(relative.max(initial=0.0)),
                                       forward_passes=2 * len(names), variables=names)

    def train(self, updates: int) -> ExpressionTrainingRun:
        """Gradient descent on the trainable variables, minimising the output."""
        if not self.trainable:
            raise ValueError("no trainable variables: list some in 'trainable'")
        check_expression_training(len(self.graph().nodes), updates)
        values = dict(self.values)
        history = [{n: float(values[n]) for n in self.trainable}]
        losses = [self.evaluate(values)[self.output]]
        diverged = None
        for t in range(1, updates + 1):
            gradients = self.gradients(values)
            with np.errstate(all="ignore"):
                candidate = {**values, **{n: float(values[n] - self.learning_rate * gradients[n])
                                          for n in self.trainable}}
            loss = self.evaluate(candidate)[self.output]
            if not math.isfinite(loss) or not all(math.isfinite(candidate[n])
                                                  for n in self.trainable):
                diverged = t
                break
            values = candidate
            history.append({n: values[n] for n in self.trainable})
            losses.append(loss)
        return ExpressionTrainingRun(np.array(losses), tuple(history), diverged)

    def with_values(self, **values: float) -> ExpressionProblem:
        return replace(self, values={**self.values, **values})


def _constant_value(node_id: str) -> float:
    if node_id in CONSTANTS:
        return CONSTANTS[node_id]
    if node_id.startswith("const("):
        node_id = node_id[len("const("):-1]
    return float(node_id)
