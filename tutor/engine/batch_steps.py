"""A batch of samples as one trace: each sample's scalar pass, then the batch's averages,
updates and the loss after them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from .graph import Graph, Role, fsum
from .network import sample_loss_symbol
from .notation import (
    adjoint,
    format_factor,
    format_number,
    loss_after_update,
    sample_adjoint,
    to_unicode,
    updated,
)
from .scalar_pass import graph_pass, value_key
from .trace import Key, Phase, Quantity, Step


@dataclass(frozen=True, slots=True)
class BatchSettings:
    """How a batch of samples becomes one update."""

    loss_symbol: str = "ℓ"
    batch_loss_symbol: str = "L"
    mean_over_samples: bool = True
    learning_rate: float | None = None  # None: no update steps
    frozen: frozenset[str] = frozenset()  # parameter node ids that are not updated
    sample_loss: str = ""  # one sample's loss, as Notation.sample_loss (INF264's L(x_$n, y_$n))
    evaluate_after: bool = True
    # hand calculation (hand.py): round each printed value before a later step reads it
    rounding: Callable[[float], float] | None = None
    seed: bool = False  # start each backward pass with the step ∂f/∂f = 1 (expressions)

    def round(self, value: float) -> float:
        return value if self.rounding is None else self.rounding(value)


def batch_steps(graph: Graph, samples: Sequence[Mapping[str, float]],
                params: Mapping[str, float], settings: BatchSettings, *,
                start: int = 0, sample_ids: Sequence[int] | None = None,
                differentiate: Iterable[str] | None = None,
                order: Sequence[str] | None = None) -> list[Step]:
    """Per-sample passes, the averaged gradient, the update and the loss afterwards."""
    ids = list(sample_ids) if sample_ids is not None else list(range(len(samples)))
    single = len(samples) == 1
    if settings.rounding is not None:  # the values a student starts from: as printed
        params = {name: settings.round(value) for name, value in params.items()}
    steps: list[Step] = []
    for sample_id, leaves in zip(ids, samples, strict=True):
        merged = {**leaves, **params}
        part = graph_pass(graph, merged, loss_symbol=settings.loss_symbol,
                          sample=None if single else sample_id,
                          start=start + len(steps), differentiate=differentiate,
                          order=order, rounding=settings.rounding, seed=settings.seed)
        if settings.sample_loss and not single:  # L(x₁, y₁) = (ŷ − y)², as the sheet names it
            loss_key = Key(Quantity.VALUE, graph.output, sample_id)
            part = [replace(s, lhs=_sample_loss(settings, sample_id)) if s.key == loss_key
                    else s for s in part]
        steps += part
    # frozen parameters have no adjoint steps (nothing reads their gradient)
    param_nodes = [n for n in graph.leaves(Role.PARAM) if n.id not in settings.frozen]
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
        old, grad = params[node.id], gradients[node.id]
        new_params[node.id] = settings.round(old - eta * grad)
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
        symbols = [node.symbol for node in param_nodes]
        steps.append(_evaluate_step(start + len(steps), graph, samples, ids, new_params, steps,
                                    settings, symbols))
    return steps


def _evaluate_step(index: int, graph: Graph, samples: Sequence[Mapping[str, float]],
                   ids: Sequence[int], new_params: Mapping[str, float], steps: Sequence[Step],
                   settings: BatchSettings, symbols: Sequence[str]) -> Step:
    """The loss again, with the updated parameters."""
    losses = [graph.evaluate({**leaves, **new_params}, settings.rounding)[graph.output]
              for leaves in samples]
    mean = settings.mean_over_samples
    total = settings.round(_combine(losses, mean, settings))
    before = _result(steps, Key(Quantity.VALUE, graph.output, None))
    verdict = "lower" if total < before else "not lower"
    changed = [s for s in steps if s.phase is Phase.UPDATE]
    # a few parameters are named, as ℓ(w₀ⁿᵉʷ, w₁ⁿᵉʷ); a network's dozens are not
    after = loss_after_update("", symbols) if len(symbols) <= 4 else "(updated parameters)"
    if len(samples) == 1:
        lhs, formula, numbers = updated(settings.loss_symbol), settings.loss_symbol + after, ""
    else:
        lhs = updated(settings.batch_loss_symbol)
        terms = " + ".join(updated(_sample_loss(settings, n)) for n in ids)
        formula = f"(1/{len(ids)})({terms})" if mean and len(ids) > 1 else terms
        numbers = _combination_numbers(losses, mean)
    updated_keys = tuple(s.key for s in changed)
    return Step(
        index=index, phase=Phase.EVALUATE, key=Key(Quantity.UPDATED, graph.output), lhs=lhs,
        formula=formula, numbers=numbers, result=total, reads=updated_keys,
        explanation=f"The loss after the update is {verdict} than before "
                    f"({format_number(before)}).",
    )


def _combine(values: Sequence[float], mean: bool, settings: BatchSettings) -> float:
    """The sum (or mean) of per-sample values; on paper, added left to right."""
    total = fsum(values) if settings.rounding is None else sum(values[1:], values[0])
    return total / (len(values) if mean else 1)


def _result(steps: Sequence[Step], key: Key) -> float:
    for step in reversed(steps):
        if step.key == key:
            return float(step.result)
    raise KeyError(key)


def _sample_loss(settings: BatchSettings, sample: int) -> str:
    """Row ``sample``'s loss: ℓ⁽¹⁾ for row 0, or as the sheet names it (L(x₁, y₁))."""
    return sample_loss_symbol(settings.sample_loss, settings.loss_symbol, sample + 1)


def _combination_text(settings: BatchSettings, ids: Sequence[int], mean: bool) -> str:
    """``(1/N)(ℓ⁽¹⁾ + ℓ⁽³⁾)``: samples are numbered from 1, as on the sheets."""
    parts = " + ".join(_sample_loss(settings, n) for n in ids)
    return f"(1/{len(ids)})({parts})" if mean and len(ids) > 1 else parts


def _combination_numbers(values: Sequence[float], mean: bool) -> str:
    parts = " + ".join(format_factor(v) for v in values)
    return f"(1/{len(values)})({parts})" if mean and len(values) > 1 else parts


def _combine_step(index: int, node_id: str, symbol: str, batch_symbol: str, ids: Sequence[int],
                  results: Mapping[Key, float | np.ndarray], quantity: Quantity, mean: bool,
                  settings: BatchSettings) -> Step:
    keys = [Key(quantity, node_id, s) for s in ids]
    values = [float(results[k]) for k in keys]
    total = settings.round(_combine(values, mean, settings))
    if quantity is Quantity.VALUE:
        lhs = batch_symbol
        per_sample = _combination_text(settings, ids, mean)
        explanation = "The batch loss combines the per-sample losses."
    else:
        lhs = adjoint(settings.batch_loss_symbol, symbol)
        each = " + ".join(sample_adjoint(adjoint(settings.loss_symbol, symbol),
                                         settings.loss_symbol, _sample_loss(settings, s)
                                         if settings.sample_loss else "", s + 1)
                          for s in ids)
        per_sample = f"(1/{len(ids)})({each})" if mean else each
        explanation = (f"The batch gradient {'averages' if mean else 'adds'} the cached "
                       f"per-sample gradients.")
    return Step(
        index=index, phase=Phase.AVERAGE, key=Key(quantity, node_id, None), lhs=lhs,
        formula=per_sample, numbers=_combination_numbers(values, mean), result=total,
        reads=tuple(keys), explanation=explanation,
    )
