"""Writing exercise files: :class:`Exercise` → JSON text, saved atomically.

Parameters are written *as the sheet writes them* (a folded layer's matrix includes its
intercept column, a transposed layer's matrix is stored (in, out)), so that load → save →
load changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

import numpy as np

from tutor.engine import Network, NetworkProblem, Quantity
from tutor.engine.expression import ExpressionProblem
from tutor.engine.sheet_layout import display_tensors

from .errors import ExerciseError
from .model import FORMAT_VERSION, Exercise, Question
from .questions import fitting_questions

Doc = dict[str, Any]



def _number(value: float) -> int | float:
    """Integral values are written without ``.0`` (as a sheet writes them)."""
    value = float(value)
    if value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _numbers(array: np.ndarray) -> list:
    return np.vectorize(_number, otypes=[object])(np.asarray(array, dtype=float)).tolist()


def _changed_fields(value: Any) -> Doc:
    """A notation dataclass as JSON: only the fields that differ from the defaults."""
    default = type(value)()
    out: Doc = {}
    for f in fields(value):
        current = getattr(value, f.name)
        if current == getattr(default, f.name):
            continue
        if f.name == "weight_names":
            current = [list(row) for row in current]
        elif isinstance(current, tuple):
            current = list(current)
        out[f.name] = current
    return out


def _network_doc(network: Network) -> Doc:
    layers = []
    for layer in network.layers:
        entry: Doc = {"size": layer.size, "activation": layer.activation.name}
        if layer.activation.name == "leaky_relu":
            entry["slope"] = _number(layer.activation.slope)
        entry["bias"] = layer.bias.value
        notation = _changed_fields(layer.notation)
        if notation:
            entry["notation"] = notation
        layers.append(entry)
    loss = network.loss
    doc: Doc = {
        "input_size": network.input_size,
        "layers": layers,
        "loss": {"kind": loss.kind.value, "half": loss.half,
                 "mean_over_outputs": loss.mean_over_outputs,
                 "mean_over_samples": loss.mean_over_samples, "residual": loss.residual.value},
    }
    notation = _changed_fields(network.notation)
    if notation:
        doc["notation"] = notation
    return doc


def _network_sections(problem: NetworkProblem) -> Doc:
    network, params, training = problem.network, problem.params, problem.training
    tensors = {name: _numbers(t) for name, t in display_tensors(network, params).items()}
    return {
        "network": _network_doc(network),
        "parameters": tensors,
        "data": {"inputs": _numbers(problem.data.inputs),
                 "targets": _numbers(problem.data.targets)},
        "training": {"learning_rate": _number(training.learning_rate),
                     "method": training.method.value, "batch_size": training.batch_size,
                     "shuffle": training.shuffle, "seed": training.seed,
                     "frozen": sorted(training.frozen)},
        "trace": {"show_update": problem.show_update,
                  "input_gradients": problem.input_gradients},
    }


def _expression_section(problem: ExpressionProblem) -> Doc:
    differentiate = problem.differentiate
    return {"expression": {
        "program": problem.program,
        "values": {k: _number(v) for k, v in problem.values.items()},
        "symbols": dict(problem.symbols),
        "differentiate": None if differentiate is None else list(differentiate),
        "learning_rate": _number(problem.learning_rate),
        "trainable": list(problem.trainable),
    }}


def _question_doc(q: Question) -> Doc:
    doc: Doc = {"id": q.id, "prompt": q.prompt, "quantity": Quantity(q.quantity).value,
                "node": q.node}
    if q.sample is not None:
        doc["sample"] = q.sample
    doc["tolerance"] = _number(q.tolerance)
    if q.hint:
        doc["hint"] = q.hint
    return doc


def saved_questions(exercise: Exercise) -> tuple[Question, ...]:
    """The questions a save keeps: those the (possibly edited) problem can still answer."""
    return fitting_questions(exercise.questions, exercise.problem)


def to_dict(exercise: Exercise) -> Doc:
    """The exercise as a JSON-ready document (the inverse of :func:`from_dict`)."""
    problem = exercise.problem
    doc: Doc = {"format_version": FORMAT_VERSION, "kind": exercise.kind,
                "title": exercise.title, "source": exercise.source,
                "description": exercise.description}
    if isinstance(problem, NetworkProblem):
        doc |= _network_sections(problem)
    else:
        doc |= _expression_section(problem)
    if exercise.view_sample is not None:
        doc["view"] = {"sample": exercise.view_sample}
    doc["questions"] = [_question_doc(q) for q in saved_questions(exercise)]
    doc["locked"] = sorted(exercise.locked)
    doc["hidden"] = sorted(exercise.hidden)
    return doc


LINE_WIDTH = 100


def _nesting(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_nesting(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_nesting(v) for v in value), default=0)
    return 0


def _encode(value: Any, indent: int, prefix: int) -> str:
    """JSON with one key per line, except that small containers (a vector, a short matrix, a
    short object of scalars) stay on one line when they fit in ``LINE_WIDTH`` columns."""
    inline = json.dumps(value, ensure_ascii=False, allow_nan=False)
    if not isinstance(value, dict | list):
        return inline
    flat = not isinstance(value, dict) or _nesting(value) == 1
    if _nesting(value) <= 2 and flat and indent + prefix + len(inline) <= LINE_WIDTH:
        return inline
    pad, inner = " " * indent, " " * (indent + 2)
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            label = json.dumps(key, ensure_ascii=False) + ": "
            items.append(inner + label + _encode(item, indent + 2, len(label)))
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    items = [inner + _encode(item, indent + 2, 0) for item in value]
    return "[\n" + ",\n".join(items) + "\n" + pad + "]"


def dumps(exercise: Exercise) -> str:
    """The file's text.  Non-finite numbers (a diverged run) cannot be written."""
    doc = to_dict(exercise)
    try:
        return _encode(doc, 0, 0) + "\n"
    except ValueError:
        raise ExerciseError("parameters", "holds a number that is not finite (NaN or ∞); "
                                          "such an exercise cannot be saved") from None
