"""One sample's scalar pass over a graph: every value, then every adjoint, as trace steps.

The symbolic side of each step (symbols, what it reads, its explanation) is worked out once
per graph and kept in the graph's memo (:class:`_PassPlan`); a pass fills in the numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .graph import OUTPUT, Graph, Node, Role, fsum
from .notation import adjoint, format_factor, to_unicode
from .trace import Key, Phase, Quantity, Step, Term

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
    seed: bool = False  # ∂f/∂f = 1


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
               order: tuple[str, ...] | None, seed: bool = False) -> _PassPlan:
    """The plan for these arguments, cached on the (immutable) graph."""
    memo = graph.memo.setdefault("pass plans", {})
    plan = memo.get((loss_symbol, wanted, order, seed))
    if plan is None:
        plan = memo[loss_symbol, wanted, order, seed] = _make_pass_plan(
            graph, loss_symbol, wanted, order, seed)
    return plan


def _make_pass_plan(graph: Graph, loss_symbol: str, wanted: frozenset[str],
                    order: tuple[str, ...] | None, seed: bool = False) -> _PassPlan:
    forward = tuple(
        _ForwardPlan(node, node.op.formula([graph[i].symbol for i in node.inputs]),
                     f"Compute {to_unicode(node.symbol)} from its inputs.",
                     tuple(_value_read(graph, i) for i in node.inputs))
        for node in graph.nodes if node.op is not None)
    ids = list(order) if order is not None else [n.id for n in reversed(graph.nodes)]
    ids += [n.id for n in reversed(graph.nodes) if n.id in wanted and n.id not in ids]
    reached = {graph.output}  # the nodes whose adjoints are known when a step runs
    backward = [_seed_plan(graph, loss_symbol)] if seed else []
    for node in (graph[i] for i in ids):
        if node.id == graph.output or (node.op is None and node.id not in wanted):
            continue
        backward.append(_backward_plan(graph, node, loss_symbol, reached, seed))
        reached.add(node.id)
    return _PassPlan(forward, tuple(backward))


def _seed_plan(graph: Graph, loss_symbol: str) -> _BackwardPlan:
    """∂f/∂f = 1: the backward pass starts from the output's derivative with respect to
    itself, the 1 every chain-rule product begins with."""
    node = graph[graph.output]
    return _BackwardPlan(
        node, Phase.BACKWARD, adjoint(loss_symbol, node.symbol), (), "1",
        f"Start of the backward pass: the derivative of {to_unicode(node.symbol)} with respect "
        "to itself is 1.", (), seed=True)


def _backward_plan(graph: Graph, node: Node, loss_symbol: str, reached: set[str],
                   seed: bool = False) -> _BackwardPlan:
    """``seed``: the output's adjoint is a step of its own (∂f/∂f = 1), so a term through
    the output reads it like any cached adjoint: ∂f/∂f · 1."""
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
        if consumer_id == graph.output and not seed:
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
                   values: Mapping[str, float], adjoints: dict[str, float],
                   rounding: Callable[[float], float] | None = None) -> Step:
    if plan.seed:
        return Step(index=index, phase=plan.phase, key=keys[0], lhs=plan.lhs, formula="1",
                    numbers="", result=1.0, explanation=plan.explanation)
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
    if rounding is None:
        result = fsum(contributions)
    else:  # on paper: the products, added left to right, then rounded
        result = rounding(sum(contributions[1:], contributions[0]) if contributions else 0.0)
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
               order: Sequence[str] | None = None,
               rounding: Callable[[float], float] | None = None,
               seed: bool = False) -> list[Step]:
    """Forward steps in topological order, then backward steps in reverse.

    ``differentiate`` lists the leaves whose adjoints are wanted (default: the parameters);
    adjoints of every operation node are always computed.  ``order`` may fix the backward
    order (it must be a reverse topological order); wanted leaves missing from it come last.
    ``rounding`` (hand calculation, see hand.py) rounds every value and adjoint before a
    later step reads it.  ``seed`` starts the backward pass with the step ∂f/∂f = 1.
    """
    values = graph.evaluate(dict(leaves), rounding)
    wanted = (frozenset(n.id for n in graph.leaves(Role.PARAM)) if differentiate is None
              else frozenset(differentiate))
    plan = _pass_plan(graph, loss_symbol, wanted, None if order is None else tuple(order),
                      seed)
    keys = plan.step_keys(sample)
    forward_count = len(plan.forward)
    steps: list[Step] = []
    for forward, step_keys in zip(plan.forward, keys[:forward_count], strict=True):
        steps.append(_forward_step(start + len(steps), forward, step_keys, values))
    adjoints: dict[str, float] = {graph.output: 1.0}
    for backward, step_keys in zip(plan.backward, keys[forward_count:], strict=True):
        steps.append(_backward_step(start + len(steps), backward, step_keys, values,
                                    adjoints, rounding))
    return steps
