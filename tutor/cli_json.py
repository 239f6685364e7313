"""The JSON the CLI's ``solve`` and ``train`` print: strict JSON, in the layout
docs/cli-json.md describes and docs/schema/{solve,train}.schema.json check.

Strict: a non-finite number (a diverged loss) is written as the string ``"NaN"``,
``"Infinity"`` or ``"-Infinity"``, never as a bare ``NaN`` most JSON readers refuse.
Ids (``z1[0]``, ``W1[0,1]``, ``z2[0]@1``) are the engine's, counted from 0; the ``step`` and
``sample`` numbers a person reads are counted from 1, as everywhere else.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from tutor.engine import Key, NetworkProblem, Phase, Quantity, Step, Trace, check_gradients
from tutor.engine.batch import forward, sample_losses
from tutor.engine.expression import ExpressionProblem
from tutor.engine.ids import scalar_id
from tutor.engine.notation import format_number, sample_number, to_unicode
from tutor.exercise import Exercise
from tutor.exercise.format import display_tensors

SOLVE_LAYOUT = "backprop-tutor/solve/1"
TRAIN_LAYOUT = "backprop-tutor/train/1"
GRADCHECK_LAYOUT = "backprop-tutor/gradcheck/1"


def dumps(document: dict[str, Any]) -> str:
    """Strict JSON (``allow_nan=False`` proves no bare NaN slipped through)."""
    return json.dumps(strict(document), ensure_ascii=False, indent=2, allow_nan=False)


def strict(value: Any) -> Any:
    """Arrays as lists, NumPy scalars as numbers, non-finite floats as strings."""
    if isinstance(value, np.ndarray):
        return strict(value.tolist())
    if isinstance(value, np.generic):
        return strict(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: strict(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [strict(v) for v in value]
    return value


def key_name(key: Key) -> str:
    """``z1[0]`` for a single sample or the batch, ``z1[0]@1`` for row 1 (the 2nd sample)."""
    return key.node if key.sample is None else f"{key.node}@{key.sample}"


def output_node(exercise: Exercise) -> str:
    problem = exercise.problem
    return "loss" if isinstance(problem, NetworkProblem) else problem.output


def _gradient_nodes(exercise: Exercise, trace: Trace) -> list[str]:
    """The nodes whose batch adjoint the update uses (an expression's: its variables)."""
    problem = exercise.problem
    if isinstance(problem, ExpressionProblem):
        return [v for v in problem.variables if Key(Quantity.ADJOINT, v) in trace.producer]
    return [s.node for s in trace if s.key.quantity is Quantity.ADJOINT and s.sample is None
            and s.phase in (Phase.GRADIENT, Phase.AVERAGE)]


def _loss_symbols(exercise: Exercise, trace: Trace) -> tuple[str, str]:
    """(per-sample loss, dataset loss) as plain text: ℓ and L, or INF264's L and 𝓛."""
    problem = exercise.problem
    if isinstance(problem, NetworkProblem):
        note = problem.network.notation
        several = any(s.sample is not None for s in trace)
        return to_unicode(note.loss), to_unicode(note.batch_loss if several else note.loss)
    return problem.output, problem.output


def trace_document(exercise: Exercise, trace: Trace, granularity: str, *,
                   hand: bool = False) -> dict[str, Any]:
    """Every node value, every adjoint (per sample and of the dataset loss), every parameter
    gradient and the loss; see docs/cli-json.md."""
    def collect(quantity: Quantity) -> dict[str, Any]:
        return {key_name(s.key): s.result for s in trace if s.key.quantity is quantity}

    output = output_node(exercise)
    before = trace.find(Key(Quantity.VALUE, output))
    after = trace.find(Key(Quantity.UPDATED, output))
    per_sample, dataset = _loss_symbols(exercise, trace)
    sample_adjoints: dict[str, dict[str, Any]] = {}
    dataset_adjoints: dict[str, Any] = {}
    for s in trace:
        if s.key.quantity is Quantity.ADJOINT:
            if s.sample is None:
                dataset_adjoints[s.node] = s.result
            else:
                sample_adjoints.setdefault(str(sample_number(s.sample)), {})[s.node] = s.result
    doc: dict[str, Any] = {
        "layout": SOLVE_LAYOUT,
        "title": exercise.title, "source": exercise.source, "kind": exercise.kind,
        "granularity": granularity, "calculation": "hand" if hand else "exact",
        "output": output,
        "loss": None if before is None else before.result,
        "loss_after_update": None if after is None else after.result,
        "loss_symbols": {"per_sample": per_sample, "dataset": dataset},
        "values": collect(Quantity.VALUE),
        "adjoints": collect(Quantity.ADJOINT),
        "sample_adjoints": sample_adjoints,  # of each sample's loss, keyed by sample number
        "dataset_adjoints": dataset_adjoints,  # of the dataset loss (one sample: its loss)
        "gradients": {n: trace.adjoint(n) for n in _gradient_nodes(exercise, trace)},
        "updated": {k: v for k, v in collect(Quantity.UPDATED).items() if k != output},
    }
    problem = exercise.problem
    if isinstance(problem, NetworkProblem):
        tensors = display_tensors(problem.network, problem.params)
        doc["parameters"] = {name: t for name, t in tensors.items()}
    else:
        doc["variables"] = dict(problem.values)
    doc["steps"] = [_step_document(s, per_sample, dataset) for s in trace]
    return doc


def _step_document(step: Step, per_sample: str, dataset: str) -> dict[str, Any]:
    doc = {"step": step.number, "phase": step.phase.value, "quantity": step.key.quantity.value,
           "node": step.node, "id": key_name(step.key),
           "sample": None if step.sample is None else sample_number(step.sample),
           "line": step.line(), "result": step.result}
    if step.key.quantity is Quantity.ADJOINT:
        doc["adjoint_of"] = per_sample if step.sample is not None else dataset
    return doc


def network_outcome(problem: NetworkProblem, final) -> dict[str, Any]:
    """What the final parameters predict for every sample, and each sample's loss."""
    data = problem.data
    with np.errstate(all="ignore"):  # a diverged run's outputs are ∞ or NaN, reported as such
        cache = forward(problem.network, final, data.inputs)
        losses = sample_losses(problem.network, cache.output, data.targets)
    return {"final_outputs": cache.output, "final_sample_losses": losses}


def training_status(losses: list[float], diverged_at: int | None) -> str:
    """``finished``; ``diverged`` at an update; or ``non-finite-at-start``: the loss was not
    finite before any update, so no update is to blame."""
    if losses and not math.isfinite(losses[0]):
        return "non-finite-at-start"
    return "finished" if diverged_at is None else "diverged"


def gradient_check_report(exercise: Exercise) -> dict[str, Any]:
    """Backprop's gradient beside central differences (L(θ+ε) − L(θ−ε))/2ε, with what each
    costs: the chain-rule sheet's question about analytic and numerical derivatives."""
    problem = exercise.problem
    if isinstance(problem, NetworkProblem):
        check = check_gradients(problem.network, problem.params, problem.data)
        names = [scalar_id(name, index)
                 for name, tensor in problem.params.tensors().items()
                 for index in np.ndindex(tensor.shape)]
    else:
        check = problem.gradient_check()
        names = list(check.variables)
    return {
        "layout": GRADCHECK_LAYOUT, "title": exercise.title,
        "parameters": len(check.analytic),
        "numeric_forward_passes": check.forward_passes,  # two per parameter
        "backprop_passes": {"forward": 1, "backward": check.backward_passes},
        "max_abs_error": check.max_abs_error, "max_rel_error": check.max_rel_error,
        "gradients": [{"id": name, "backprop": a, "numeric": b}
                      for name, a, b in zip(names, check.analytic.tolist(),
                                            check.numeric.tolist(), strict=False)],
    }


def gradient_check_text(report: dict[str, Any]) -> str:
    lines = [report["title"],
             f"{report['parameters']} parameters: the numerical gradient took "
             f"{report['numeric_forward_passes']} forward passes (two per parameter); "
             f"backprop took 1 forward and {report['backprop_passes']['backward']} backward pass.",
             f"Largest difference {format_number(report['max_abs_error'], 3)} "
             f"(relative {format_number(report['max_rel_error'], 3)}).", "",
             f"{'id':<12}  {'backprop':>14}  {'numeric':>14}"]
    for g in report["gradients"]:
        backprop, numeric = format_number(g["backprop"]), format_number(g["numeric"])
        lines.append(f"{g['id']:<12}  {backprop:>14}  {numeric:>14}")
    return "\n".join(lines)
