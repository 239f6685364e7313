"""The trace: a run of backpropagation as an ordered tuple of immutable steps.

One step computes one quantity (a node's value, a node's adjoint, an averaged gradient, an
updated parameter) and records how: the formula in symbols, the same formula with numbers, the
result and the keys of the cached quantities it read.  The UI's cursor, the quiz, the exports
and the CLI all read the same trace.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

import numpy as np

from .graph import OUTPUT, Graph, Node, Role, fsum
from .notation import (
    adjoint,
    format_factor,
    format_number,
    loss_after_update,
    to_unicode,
    updated,
)


class Phase(StrEnum):
    FORWARD = "forward"
    BACKWARD = "backward"
    GRADIENT = "gradient"  # the adjoint of a parameter: what the update uses
    AVERAGE = "average"  # combining per-sample gradients (or losses) over a batch
    UPDATE = "update"  # θ ← θ − η ∇θ
    EVALUATE = "evaluate"  # the loss after the update


class Quantity(StrEnum):
    VALUE = "value"
    ADJOINT = "adjoint"
    UPDATED = "updated"  # a parameter's (or the loss's) value after the update


@dataclass(frozen=True, slots=True, order=True)
class Key:
    """Names one cached quantity: a node's value or adjoint, for one sample (or the batch)."""

    quantity: Quantity
    node: str
    sample: int | None = None

    def __str__(self) -> str:
        where = "" if self.sample is None else f"@{self.sample}"
        return f"{self.quantity}:{self.node}{where}"


@dataclass(frozen=True, slots=True)
class Term:
    """One contribution to a sum of chain-rule products, e.g. ∂ℓ/∂ŷ · β₁."""

    via: str  # the consumer node the contribution comes through
    symbol: str  # markup
    numbers: str  # markup
    factors: tuple[float, ...]  # their product is the contribution

    @property
    def value(self) -> float:
        return math.prod(self.factors)


@dataclass(frozen=True, slots=True)
class Step:
    """One immutable step of the trace."""

    index: int
    phase: Phase
    key: Key  # what this step computes
    lhs: str  # markup, e.g. "\\d{ℓ}{z_1}" or "a_1"
    formula: str  # markup of the right-hand side in symbols
    numbers: str  # markup of the right-hand side with numbers substituted
    result: float | np.ndarray
    reads: tuple[Key, ...] = ()
    terms: tuple[Term, ...] = ()  # for chain-rule sums: one per contribution
    granularity: str = "node"
    shape: tuple[int, ...] = ()
    explanation: str = ""  # plain-language one-liner
    column: bool = False  # the sheet writes this vector (1-D, or 1×n) as a column

    def result_markup(self) -> str:
        """The result as the sheet writes it: a column vector as a column."""
        return format_result(self.result, self.column)

    @property
    def node(self) -> str:
        return self.key.node

    @property
    def sample(self) -> int | None:
        return self.key.sample

    @property
    def number(self) -> int:
        """The step's number as printed everywhere (from 1)."""
        from .notation import step_number

        return step_number(self.index)

    @property
    def cached_adjoints(self) -> tuple[Key, ...]:
        """The adjoints this step reuses: computed by earlier steps, read from the cache."""
        return tuple(k for k in self.reads if k.quantity is Quantity.ADJOINT)

    def line(self, render=to_unicode, result_text: str | None = None) -> str:
        """The whole chain-rule line: ``lhs = formula = numbers = result``."""
        result = result_text if result_text is not None else self.result_markup()
        parts = [self.lhs, self.formula]
        if self.numbers and self.numbers != self.formula:
            parts.append(self.numbers)
        rendered = [render(p) for p in parts]
        if rendered[-1] != render(result):
            rendered.append(render(result))
        return " = ".join(rendered)


def format_result(value: float | np.ndarray, column: bool = False) -> str:
    from .notation import format_array

    if column and np.ndim(value) and np.size(value) == 1:
        return format_number(float(np.ravel(value)[0]))
    if column and np.ndim(value):
        return format_array(np.reshape(value, (-1, 1)))
    return format_array(value) if np.ndim(value) else format_number(float(value))


@dataclass(frozen=True)
class Trace:
    """The steps plus lookups: which step produced a key, and the final numbers."""

    steps: tuple[Step, ...]
    loss_symbol: str = "ℓ"
    producer: dict[Key, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "producer", {s.key: s.index for s in self.steps})

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, index: int) -> Step:
        return self.steps[index]

    def __iter__(self):
        return iter(self.steps)

    def value(self, node: str, sample: int | None = None) -> float | np.ndarray:
        return self.steps[self.producer[Key(Quantity.VALUE, node, sample)]].result

    def adjoint(self, node: str, sample: int | None = None) -> float | np.ndarray:
        return self.steps[self.producer[Key(Quantity.ADJOINT, node, sample)]].result

    def find(self, key: Key) -> Step | None:
        index = self.producer.get(key)
        return None if index is None else self.steps[index]

    def known_before(self, cursor: int) -> set[Key]:
        """Keys already computed when the cursor stands on step ``cursor`` (itself included)."""
        return {s.key for s in self.steps[: cursor + 1]}

    def phase_position(self, cursor: int) -> tuple[Phase, int, int]:
        """(phase, position within the phase, steps in the phase), e.g. Backward 4 / 11."""
        phase = self.steps[cursor].phase
        same = [s.index for s in self.steps if s.phase == phase]
        return phase, same.index(cursor) + 1, len(same)


# --------------------------------------------------------------------------- scalar passes

SHARED_ROLES = (Role.PARAM, Role.CONSTANT)


def value_key(graph: Graph, node_id: str, sample: int | None) -> Key:
    """The key a step reads a value under.  Leaves are never produced by a step: inputs and
    targets belong to their sample, parameters and constants to every sample (``None``)."""
    quantity, node, shared = _value_read(graph, node_id)
    return Key(quantity, node, None if shared else sample)


def _local_reads(graph: Graph, consumer: Node, k: int, node_id: str) -> list[str]:
    """The nodes whose values the local derivative ∂consumer/∂(input k) is written with."""
    positions = getattr(consumer.op, "partial_reads", None)
    if positions is None:  # an operation that does not say: everything else it touched
        return [i for i in consumer.inputs if i != node_id]
    return [consumer.id if p == OUTPUT else consumer.inputs[p]
            for p in positions(k, len(consumer.inputs))]


# A read as (quantity, node id, shared by every sample): its Key once the sample is known.
_Read = tuple[Quantity, str, bool]


@dataclass(frozen=True, slots=True)
class _ForwardPlan:
    """What a forward step shows that does not depend on the numbers."""

    node: Node
    formula: str
    explanation: str
    reads: tuple[_Read, ...]


@dataclass(frozen=True, slots=True)
class _TermPlan:
    """One chain-rule contribution to an adjoint: through ``consumer``, its input ``k``."""

    consumer: Node
    k: int
    symbol: str
    from_output: bool  # ∂ℓ/∂ℓ = 1 is left out of the product


@dataclass(frozen=True, slots=True)
class _BackwardPlan:
    """What an adjoint step shows that does not depend on the numbers, and its terms."""

    node: Node
    phase: Phase
    lhs: str
    terms: tuple[_TermPlan, ...]
    formula: str
    explanation: str
    reads: tuple[_Read, ...]


@dataclass(frozen=True)
class _PassPlan:
    """The symbolic side of a graph pass, worked out once per graph and reused for every
    sample and every trace: a pass then only computes and formats the numbers."""

    forward: tuple[_ForwardPlan, ...]
    backward: tuple[_BackwardPlan, ...]
    keys: dict[int | None, tuple[tuple[Key, tuple[Key, ...]], ...]] = field(
        default_factory=dict, repr=False, compare=False)

    def step_keys(self, sample: int | None) -> tuple[tuple[Key, tuple[Key, ...]], ...]:
        """Each step's key and the keys it reads, for ``sample`` (cached: keys are values)."""
        found = self.keys.get(sample)
        if found is None:
            found = self.keys[sample] = tuple(
                [(Key(Quantity.VALUE, f.node.id, sample), _keys(f.reads, sample))
                 for f in self.forward]
                + [(Key(Quantity.ADJOINT, b.node.id, sample), _keys(b.reads, sample))
                   for b in self.backward])
        return found


def _keys(reads: tuple[_Read, ...], sample: int | None) -> tuple[Key, ...]:
    """The keys of ``reads`` in ``sample``'s pass."""
    return tuple(Key(quantity, node, None if shared else sample)
                 for quantity, node, shared in reads)


def _value_read(graph: Graph, node_id: str) -> _Read:
    """Reading ``node_id``'s value (which leaves are shared: see :func:`value_key`)."""
    shared = graph[node_id].role in SHARED_ROLES and graph[node_id].op is None
    return (Quantity.VALUE, node_id, shared)


def _pass_plan(graph: Graph, loss_symbol: str, wanted: frozenset[str],
               order: tuple[str, ...] | None) -> _PassPlan:
    """The plan for these arguments, cached on the (immutable) graph."""
    memo = graph.memo.setdefault("pass plans", {})
    plan = memo.get((loss_symbol, wanted, order))
    if plan is None:
        plan = memo[loss_symbol, wanted, order] = _make_pass_plan(graph, loss_symbol, wanted,
                                                                   order)
    return plan


def _make_pass_plan(graph: Graph, loss_symbol: str, wanted: frozenset[str],
                    order: tuple[str, ...] | None) -> _PassPlan:
    forward = tuple(
        _ForwardPlan(node, node.op.formula([graph[i].symbol for i in node.inputs]),
                     f"Compute {to_unicode(node.symbol)} from its inputs.",
                     tuple(_value_read(graph, i) for i in node.inputs))
        for node in graph.nodes if node.op is not None)
    ids = list(order) if order is not None else [n.id for n in reversed(graph.nodes)]
    ids += [n.id for n in reversed(graph.nodes) if n.id in wanted and n.id not in ids]
    reached = {graph.output}  # the nodes whose adjoints are known when a step runs
    backward = []
    for node in (graph[i] for i in ids):
        if node.id == graph.output or (node.op is None and node.id not in wanted):
            continue
        backward.append(_backward_plan(graph, node, loss_symbol, reached))
        reached.add(node.id)
    return _PassPlan(forward, tuple(backward))


def _backward_plan(graph: Graph, node: Node, loss_symbol: str, reached: set[str]
                   ) -> _BackwardPlan:
    terms: list[_TermPlan] = []
    reads: list[_Read] = []
    for consumer_id, k in graph.consumers[node.id]:
        if consumer_id not in reached:
            continue  # a branch that does not reach the output
        consumer = graph[consumer_id]
        assert consumer.op is not None
        syms = [graph[i].symbol for i in consumer.inputs]
        local_sym = consumer.op.partial_symbol(k, syms, consumer.symbol)
        reads += [_value_read(graph, i) for i in _local_reads(graph, consumer, k, node.id)]
        if consumer_id == graph.output:
            terms.append(_TermPlan(consumer, k, local_sym, True))
            continue
        reads.append((Quantity.ADJOINT, consumer_id, False))
        terms.append(_TermPlan(
            consumer, k, f"{adjoint(loss_symbol, consumer.symbol)} \\cdot {_as_factor(local_sym)}",
            False))
    cached = [to_unicode(adjoint(loss_symbol, t.consumer.symbol))
              for t in terms if not t.from_output]
    if len(terms) > 1:
        explanation = (f"{to_unicode(node.symbol)} feeds {len(terms)} nodes: its adjoint is the "
                       f"sum of {len(terms)} contributions.")
    elif cached:
        explanation = f"Reuses the cached {cached[0]} instead of recomputing it."
    else:
        explanation = "Start of the backward pass: the derivative of the loss itself."
    return _BackwardPlan(
        node, Phase.GRADIENT if node.role is Role.PARAM else Phase.BACKWARD,
        adjoint(loss_symbol, node.symbol), tuple(terms),
        " + ".join(t.symbol for t in terms) or "0", explanation,
        tuple(dict.fromkeys(reads)))


def _forward_step(index: int, plan: _ForwardPlan, keys: tuple[Key, tuple[Key, ...]],
                  values: Mapping[str, float]) -> Step:
    node = plan.node
    assert node.op is not None
    return Step(
        index=index, phase=Phase.FORWARD, key=keys[0], lhs=node.symbol, formula=plan.formula,
        numbers=node.op.numbers([values[i] for i in node.inputs]), result=values[node.id],
        reads=keys[1], explanation=plan.explanation,
    )


def _backward_step(index: int, plan: _BackwardPlan, keys: tuple[Key, tuple[Key, ...]],
                   values: Mapping[str, float], adjoints: dict[str, float]) -> Step:
    terms: list[Term] = []
    contributions: list[float] = []  # each term's value (math.prod of its factors)
    for term in plan.terms:
        consumer = term.consumer
        assert consumer.op is not None
        args = [values[i] for i in consumer.inputs]
        out = values[consumer.id]
        local = consumer.op.partial(term.k, args, out)
        local_num = consumer.op.partial_numbers(term.k, args, out)
        if term.from_output:
            terms.append(Term(consumer.id, term.symbol, local_num, (local,)))
            contributions.append(local)
            continue
        upstream = adjoints[consumer.id]
        terms.append(Term(consumer.id, term.symbol,
                          f"{format_factor(upstream)} \\cdot {_as_factor(local_num)}",
                          (upstream, local)))
        contributions.append(upstream * local)
    result = fsum(contributions)
    adjoints[plan.node.id] = result
    return Step(
        index=index, phase=plan.phase, key=keys[0], lhs=plan.lhs, formula=plan.formula,
        numbers=" + ".join(t.numbers for t in terms) or "0",
        result=result, reads=keys[1], terms=tuple(terms), explanation=plan.explanation,
    )


def _as_factor(text: str) -> str:
    """A local derivative placed after ``·``: a leading minus gets brackets (``4 · (−u / z²)``)."""
    return f"({text})" if text.startswith("−") else text


def graph_pass(graph: Graph, leaves: Mapping[str, float], *, loss_symbol: str,
               sample: int | None = None, start: int = 0,
               differentiate: Iterable[str] | None = None,
               order: Sequence[str] | None = None) -> list[Step]:
    """Forward steps in topological order, then backward steps in reverse.

    ``differentiate`` lists the leaves whose adjoints are wanted (default: the parameters);
    adjoints of every operation node are always computed.  ``order`` may fix the backward
    order (it must be a reverse topological order); wanted leaves missing from it come last.
    """
    values = graph.evaluate(dict(leaves))
    wanted = (frozenset(n.id for n in graph.leaves(Role.PARAM)) if differentiate is None
              else frozenset(differentiate))
    plan = _pass_plan(graph, loss_symbol, wanted, None if order is None else tuple(order))
    keys = plan.step_keys(sample)
    forward_count = len(plan.forward)
    steps: list[Step] = []
    for forward, step_keys in zip(plan.forward, keys[:forward_count], strict=True):
        steps.append(_forward_step(start + len(steps), forward, step_keys, values))
    adjoints: dict[str, float] = {graph.output: 1.0}
    for backward, step_keys in zip(plan.backward, keys[forward_count:], strict=True):
        steps.append(_backward_step(start + len(steps), backward, step_keys, values,
                                    adjoints))
    return steps


# --------------------------------------------------------------------------- batches

@dataclass(frozen=True, slots=True)
class BatchSettings:
    """How a batch of samples becomes one update."""

    loss_symbol: str = "ℓ"
    batch_loss_symbol: str = "L"
    mean_over_samples: bool = True
    learning_rate: float | None = None  # None: no update steps
    frozen: frozenset[str] = frozenset()  # parameter node ids that are not updated
    evaluate_after: bool = True


def batch_steps(graph: Graph, samples: Sequence[Mapping[str, float]],
                params: Mapping[str, float], settings: BatchSettings, *,
                start: int = 0, sample_ids: Sequence[int] | None = None,
                differentiate: Iterable[str] | None = None,
                order: Sequence[str] | None = None) -> list[Step]:
    """Per-sample passes, the averaged gradient, the update and the loss afterwards."""
    ids = list(sample_ids) if sample_ids is not None else list(range(len(samples)))
    single = len(samples) == 1
    steps: list[Step] = []
    for sample_id, leaves in zip(ids, samples, strict=True):
        merged = {**leaves, **params}
        steps += graph_pass(graph, merged, loss_symbol=settings.loss_symbol,
                            sample=None if single else sample_id,
                            start=start + len(steps), differentiate=differentiate,
                            order=order)
    param_nodes = [n for n in graph.leaves(Role.PARAM)]
    results = {step.key: step.result for step in steps}  # the last step of each key wins
    if single:
        gradients = {n.id: float(results[Key(Quantity.ADJOINT, n.id, None)])
                     for n in param_nodes}
        gradient_keys = {n.id: Key(Quantity.ADJOINT, n.id, None) for n in param_nodes}
    else:
        gradients, gradient_keys = {}, {}
        steps.append(_combine_step(start + len(steps), graph.output, graph[graph.output].symbol,
                                   settings.batch_loss_symbol, ids, results, Quantity.VALUE,
                                   settings.mean_over_samples, settings))
        for node in param_nodes:
            step = _combine_step(start + len(steps), node.id, node.symbol, "", ids, results,
                                 Quantity.ADJOINT, settings.mean_over_samples, settings)
            steps.append(step)
            gradients[node.id] = float(step.result)
            gradient_keys[node.id] = step.key
    if settings.learning_rate is None:
        return steps
    eta = settings.learning_rate
    new_params = dict(params)
    batch_loss = settings.loss_symbol if single else settings.batch_loss_symbol
    for node in param_nodes:
        if node.id in settings.frozen:
            continue
        old, grad = params[node.id], gradients[node.id]
        new_params[node.id] = old - eta * grad
        steps.append(Step(
            index=start + len(steps), phase=Phase.UPDATE,
            key=Key(Quantity.UPDATED, node.id),
            lhs=updated(node.symbol),
            formula=f"{node.symbol} − η \\cdot {adjoint(batch_loss, node.symbol)}",
            numbers=f"{format_number(old)} − {format_factor(eta)} \\cdot {format_factor(grad)}",
            result=new_params[node.id],
            reads=(value_key(graph, node.id, None), gradient_keys[node.id]),
            explanation=f"Gradient descent moves {to_unicode(node.symbol)} against its gradient.",
        ))
    if settings.evaluate_after:
        symbols = [node.symbol for node in param_nodes if node.id not in settings.frozen]
        steps.append(_evaluate_step(start + len(steps), graph, samples, ids, new_params, steps,
                                    settings, symbols))
    return steps


def _evaluate_step(index: int, graph: Graph, samples: Sequence[Mapping[str, float]],
                   ids: Sequence[int], new_params: Mapping[str, float], steps: Sequence[Step],
                   settings: BatchSettings, symbols: Sequence[str]) -> Step:
    """The loss again, with the updated parameters."""
    losses = [graph.evaluate({**leaves, **new_params})[graph.output] for leaves in samples]
    mean = settings.mean_over_samples
    total = fsum(losses) / (len(losses) if mean else 1)
    before = _result(steps, Key(Quantity.VALUE, graph.output, None))
    verdict = "lower" if total < before else "not lower"
    changed = [s for s in steps if s.phase is Phase.UPDATE]
    # a few parameters are named, as ℓ(w₀ⁿᵉʷ, w₁ⁿᵉʷ); a network's dozens are not
    after = loss_after_update("", symbols) if len(symbols) <= 4 else "(updated parameters)"
    if len(samples) == 1:
        lhs, formula, numbers = updated(settings.loss_symbol), settings.loss_symbol + after, ""
    else:
        lhs = updated(settings.batch_loss_symbol)
        terms = " + ".join(updated(f"{settings.loss_symbol}^{{({n + 1})}}") for n in ids)
        formula = f"(1/{len(ids)})({terms})" if mean and len(ids) > 1 else terms
        numbers = _combination_numbers(losses, mean)
    updated_keys = tuple(s.key for s in changed)
    return Step(
        index=index, phase=Phase.EVALUATE, key=Key(Quantity.UPDATED, graph.output), lhs=lhs,
        formula=formula, numbers=numbers, result=total, reads=updated_keys,
        explanation=f"The loss after the update is {verdict} than before "
                    f"({format_number(before)}).",
    )


def _result(steps: Sequence[Step], key: Key) -> float:
    for step in reversed(steps):
        if step.key == key:
            return float(step.result)
    raise KeyError(key)


def _combination_text(symbol: str, ids: Sequence[int], mean: bool, suffix: str = "") -> str:
    """``(1/N)(ℓ⁽¹⁾ + ℓ⁽³⁾)``: samples are numbered from 1, as on the sheets."""
    parts = " + ".join(f"{symbol}^{{({n + 1})}}{suffix}" for n in ids)
    return f"(1/{len(ids)})({parts})" if mean and len(ids) > 1 else parts


def _combination_numbers(values: Sequence[float], mean: bool) -> str:
    parts = " + ".join(format_factor(v) for v in values)
    return f"(1/{len(values)})({parts})" if mean and len(values) > 1 else parts


def _combine_step(index: int, node_id: str, symbol: str, batch_symbol: str, ids: Sequence[int],
                  results: Mapping[Key, float | np.ndarray], quantity: Quantity, mean: bool,
                  settings: BatchSettings) -> Step:
    keys = [Key(quantity, node_id, s) for s in ids]
    values = [float(results[k]) for k in keys]
    total = fsum(values) / (len(values) if mean else 1)
    if quantity is Quantity.VALUE:
        lhs = batch_symbol
        per_sample = _combination_text(settings.loss_symbol, ids, mean)
        explanation = "The batch loss combines the per-sample losses."
    else:
        lhs = adjoint(settings.batch_loss_symbol, symbol)
        each = " + ".join(f"{adjoint(settings.loss_symbol, symbol)}^{{({s + 1})}}" for s in ids)
        per_sample = f"(1/{len(ids)})({each})" if mean else each
        explanation = (f"The batch gradient {'averages' if mean else 'adds'} the cached "
                       f"per-sample gradients.")
    return Step(
        index=index, phase=Phase.AVERAGE, key=Key(quantity, node_id, None), lhs=lhs,
        formula=per_sample, numbers=_combination_numbers(values, mean), result=total,
        reads=tuple(keys), explanation=explanation,
    )


T = TypeVar("T")


def run_to_end(parts: Generator[None, None, T]) -> T:
    """What a generator built in parts (yielding between them) returns once all are done."""
    while True:
        try:
            next(parts)
        except StopIteration as done:
            return done.value
