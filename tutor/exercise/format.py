"""Exercise files on disk: JSON → :class:`Exercise`, validated (writing is in ``writing.py``).

Parameters are read *as the sheet writes them*: a folded layer's matrix includes its
intercept column, a transposed layer's matrix is stored (in, out).  ``to_dict`` and
``from_dict`` are exact inverses, so load → save → load changes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tutor.engine import (
    Activation,
    BiasMode,
    Dataset,
    Layer,
    LayerNotation,
    Loss,
    LossKind,
    Method,
    Network,
    NetworkProblem,
    Notation,
    Parameters,
    Residual,
    Training,
)
from tutor.engine.expression import ExpressionError, ExpressionProblem
from tutor.engine.ids import bias_tensor, matrix_of, parse_tensor, weight_tensor
from tutor.engine.limits import MAX_PARAMETERS, LimitError, check_layer_trace
from tutor.engine.sheet_layout import display_shape, split_display_matrix

from .errors import ExerciseError, engine_errors
from .model import Exercise
from .questions import check_names, check_questions, fitting_questions, lockable_names, question
from .validate import check_plain, check_schema, check_version, parse_json, read_text
from .writing import display_tensors, dumps, to_dict  # display_tensors: re-exported

__all__ = ["display_shape", "display_tensors", "dumps", "fitting_questions", "from_dict", "load",
           "loads", "lockable_names", "to_dict"]

Doc = dict[str, Any]

# --------------------------------------------------------------------------- reading


def loads(text: str, name: str = "<string>") -> Exercise:
    """Parse and validate an exercise from JSON text; ``name`` is used in error messages."""
    return _from_checked(parse_json(text, name), name)


def load(path: str | os.PathLike[str]) -> Exercise:
    """Read an exercise file; any problem raises one :class:`ExerciseError`."""
    path = Path(path)
    return loads(read_text(path), str(path))


def from_dict(doc: Any, name: str = "<dict>") -> Exercise:
    """Validate a parsed document and build the Exercise (nothing is half-built)."""
    check_plain(doc, name)
    return _from_checked(doc, name)


def _from_checked(doc: Any, name: str) -> Exercise:
    try:
        check_version(doc, name)
        check_schema(doc, name)
        return _exercise(doc)
    except ExerciseError as error:
        raise error.in_file(name) from None


def _exercise(doc: Doc) -> Exercise:
    if doc["kind"] == "expression":
        _forbid(doc, ("network", "parameters", "data", "training", "trace", "view"),
                "expression")
        problem: NetworkProblem | ExpressionProblem = _expression_problem(doc["expression"])
    else:
        _forbid(doc, ("expression",), "network")
        problem = _network_problem(doc)
    questions = tuple(question(q) for q in doc.get("questions", []))
    check_questions(questions, problem)
    exercise = Exercise(
        title=doc["title"], problem=problem, source=doc.get("source", ""),
        description=doc.get("description", ""), questions=questions,
        locked=frozenset(doc.get("locked", [])), hidden=frozenset(doc.get("hidden", [])),
        view_sample=_view_sample(doc.get("view", {}), problem))
    check_names(exercise)
    return exercise


def _view_sample(view: Doc, problem: NetworkProblem | ExpressionProblem) -> int | None:
    """The sample a window opens on: a demonstration's hundreds of batch steps are too many
    to step through, one sample's are not."""
    sample = view.get("sample")
    count = len(problem.data) if isinstance(problem, NetworkProblem) else 0
    if sample is not None and not sample < count:
        raise ExerciseError("view.sample", f"is {sample}, but the data has {count} samples "
                                           "(numbered from 0)")
    return sample


def _forbid(doc: Doc, keys: Sequence[str], kind: str) -> None:
    for key in keys:
        if key in doc:
            raise ExerciseError(key, f"not part of a {kind} exercise (kind is {kind!r})")


# -- networks


def _network_problem(doc: Doc) -> NetworkProblem:
    network = _network(doc["network"])
    params = _parameters(doc["parameters"], network)
    data = _data(doc["data"], network)
    training = _training(doc.get("training", {}), params)
    trace = doc.get("trace", {})
    with engine_errors("network"):
        problem = NetworkProblem(network, params, data, training,
                                 show_update=trace.get("show_update", True),
                                 input_gradients=trace.get("input_gradients", False))
    try:  # every window shows at least the layer-by-layer trace: refuse one too large to hold
        check_layer_trace(sum(t.size for t in params.tensors().values()),
                          len(problem.first_batch()), len(network.layers))
    except LimitError as error:
        raise ExerciseError("data", str(error)) from None
    return problem


def _network(doc: Doc) -> Network:
    input_size = doc["input_size"]
    layers = tuple(_layer(d, n) for n, d in enumerate(doc["layers"]))
    loss = _loss(doc.get("loss", {}))
    notation = _from_fields(Notation, doc.get("notation", {}))
    with engine_errors("network"):
        network = Network(input_size, layers, loss, notation)
    _check_total(network)
    _check_names_shapes(network)
    return network


def _layer(doc: Doc, n: int) -> Layer:
    where = f"network.layers[{n}]"
    name = doc["activation"]
    if "slope" in doc and name != "leaky_relu":
        raise ExerciseError(f"{where}.slope", f"only leaky_relu has a slope (this layer is {name})")
    with engine_errors(f"{where}.activation"):
        activation = Activation(name, doc.get("slope", Activation().slope))
    notation = _from_fields(LayerNotation, doc.get("notation", {}))
    return Layer(doc["size"], activation, BiasMode(doc.get("bias", "separate")), notation)


def _loss(doc: Doc) -> Loss:
    loss = Loss(kind=LossKind(doc.get("kind", "squared_error")), half=doc.get("half", True),
                mean_over_outputs=doc.get("mean_over_outputs", False),
                mean_over_samples=doc.get("mean_over_samples", True),
                residual=Residual(doc.get("residual", "none")))
    if loss.kind is LossKind.BINARY_CROSS_ENTROPY and loss.residual is not Residual.NONE:
        raise ExerciseError("network.loss.residual",
                            "a residual node only exists for the squared error")
    return loss


def _from_fields(cls: type, doc: Doc) -> Any:
    """A notation dataclass from its JSON object (lists become tuples)."""
    values = {}
    for key, value in doc.items():
        if key == "weight_names":
            value = tuple(tuple(row) for row in value)
        elif isinstance(value, list):
            value = tuple(value)
        values[key] = value
    return cls(**values)


def _check_total(network: Network) -> None:
    total = sum((fan_in + 1) * layer.size
                for fan_in, layer in zip(network.sizes, network.layers, strict=False))
    if total > MAX_PARAMETERS:
        raise ExerciseError("network.layers", f"the network has about {total:,} parameters; "
                                              f"the limit is {MAX_PARAMETERS:,}")


def _check_names_shapes(network: Network) -> None:
    """Explicit symbol lists must have one name per scalar (the engine would ignore them)."""
    names = network.notation.input_names
    if names is not None and len(names) != network.input_size:
        raise ExerciseError("network.notation.input_names",
                            f"expected {network.input_size} names, got {len(names)}")
    for n, layer in enumerate(network.layers):
        where = f"network.layers[{n}].notation"
        fan_in = network.sizes[n]
        grid = layer.notation.weight_names
        if grid is not None:
            got = f"{len(grid)}×{len(grid[0]) if grid else 0}"
            if len(grid) != layer.size or any(len(row) != fan_in for row in grid):
                raise ExerciseError(f"{where}.weight_names",
                                    f"expected {layer.size}×{fan_in} names (neurons × inputs, "
                                    f"intercept excluded), got {got}")
        biases = layer.notation.bias_names
        if biases is not None and len(biases) != layer.size:
            raise ExerciseError(f"{where}.bias_names",
                                f"expected {layer.size} names, got {len(biases)}")


def _matrix(value: list, field: str, shape: tuple[int, int]) -> np.ndarray:
    rows, columns = shape
    if len(value) != rows:
        raise ExerciseError(field, f"expected a {rows}×{columns} matrix, got {len(value)} rows")
    for r, row in enumerate(value):
        if len(row) != columns:
            raise ExerciseError(f"{field}[{r}]", f"expected {columns} numbers (a {rows}×{columns} "
                                                 f"matrix), got {len(row)}")
    return np.array(value, dtype=float).reshape(shape)


def _parameters(doc: Doc, network: Network) -> Parameters:
    expected = {}
    for n, layer in enumerate(network.layers):
        expected[weight_tensor(n)] = layer
        if layer.bias is BiasMode.SEPARATE:
            expected[bias_tensor(n)] = layer
    for name in doc:
        if name not in expected:
            raise ExerciseError(f"parameters.{name}", _unexpected_tensor(name, network))
    weights, biases = [], []
    for n, layer in enumerate(network.layers):
        name = weight_tensor(n)
        shape = display_shape(network, n)
        if name not in doc:
            raise ExerciseError(f"parameters.{name}", f"required key is missing (layer {n + 1} "
                                                      f"needs a {shape[0]}×{shape[1]} matrix)")
        w, b = split_display_matrix(layer, _matrix(doc[name], f"parameters.{name}", shape))
        if layer.bias is BiasMode.SEPARATE:
            b = _bias(doc, n, layer.size)
        weights.append(w)
        biases.append(b)
    return Parameters.of(weights, biases)


def _bias(doc: Doc, n: int, size: int) -> np.ndarray:
    name = bias_tensor(n)
    if name not in doc:
        raise ExerciseError(f"parameters.{name}", f"required key is missing (layer {n + 1} has "
                                                  f"a separate bias of {size} numbers)")
    if len(doc[name]) != size:
        raise ExerciseError(f"parameters.{name}", f"expected {size} numbers, got {len(doc[name])}")
    return np.array(doc[name], dtype=float)


def _unexpected_tensor(name: str, network: Network) -> str:
    parsed = parse_tensor(name)
    n = parsed.layer if parsed is not None and parsed.is_parameter else None
    if n is None:
        return "not a tensor this format knows: write W1, b1, W2, …"
    if not 1 <= n <= len(network.layers):
        return f"the network has only {len(network.layers)} layers"
    mode = network.layers[n - 1].bias
    if mode is BiasMode.FOLDED:
        return (f"layer {n}'s bias is folded into {matrix_of(name)} as its intercept column; "
                f"remove {name}")
    return f"layer {n} has no bias (bias mode {mode.value!r}); remove {name}"


def _data(doc: Doc, network: Network) -> Dataset:
    inputs, targets = doc["inputs"], doc["targets"]
    for key, rows, width, what in (("inputs", inputs, network.input_size, "input size"),
                                   ("targets", targets, network.output_size, "output size")):
        for r, row in enumerate(rows):
            if len(row) != width:
                raise ExerciseError(f"data.{key}[{r}]", f"expected {width} numbers (the "
                                                        f"network's {what}), got {len(row)}")
    if len(targets) != len(inputs):
        raise ExerciseError("data.targets", f"expected {len(inputs)} rows (one per input row), "
                                            f"got {len(targets)}")
    with engine_errors("data"):
        return Dataset(np.array(inputs, dtype=float), np.array(targets, dtype=float))


def _training(doc: Doc, params: Parameters) -> Training:
    frozen = doc.get("frozen", [])
    for k, name in enumerate(frozen):
        if name not in params.tensors():
            raise ExerciseError(f"training.frozen[{k}]", f"no tensor {name!r}; expected one of "
                                                         f"{', '.join(params.tensors())}")
    return Training(learning_rate=float(doc.get("learning_rate", 0.1)),
                    method=Method(doc.get("method", "batch")),
                    batch_size=doc.get("batch_size", 1), shuffle=doc.get("shuffle", False),
                    seed=doc.get("seed", 0), frozen=frozenset(frozen))


# -- expressions


def _expression_problem(doc: Doc) -> ExpressionProblem:
    values = {k: float(v) for k, v in doc["values"].items()}
    for key in ("differentiate", "trainable"):
        for k, name in enumerate(doc.get(key) or []):
            if name not in values:
                raise ExerciseError(f"expression.{key}[{k}]",
                                    f"{name!r} is not one of the values ({', '.join(values)})")
    differentiate = doc.get("differentiate")
    try:
        problem = ExpressionProblem(
            program=doc["program"], values=values, symbols=dict(doc.get("symbols", {})),
            differentiate=None if differentiate is None else tuple(differentiate),
            learning_rate=float(doc.get("learning_rate", 0.1)),
            trainable=tuple(doc.get("trainable", [])))
        problem.graph()  # parse now: a syntax error must surface at load time
    except ExpressionError as error:
        raise ExerciseError(_expression_field(str(error)), str(error)) from error
    except ValueError as error:
        raise ExerciseError("expression", str(error)) from error
    return problem


def _expression_field(message: str) -> str:
    """Which field an expression error is about (its message carries line and column)."""
    for key in ("differentiate", "trainable"):
        if message.startswith(f"{key}:"):
            return f"expression.{key}"
    if "no value given" in message or message.startswith("the value of"):
        return "expression.values"
    return "expression.program"


