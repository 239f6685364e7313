"""Exercise files on disk: JSON ⇄ :class:`Exercise`, validated, saved atomically.

Parameters are written *as the sheet writes them*: a folded layer's matrix includes its
intercept column, a transposed layer's matrix is stored (in, out).  ``to_dict`` and
``from_dict`` are exact inverses, so load → save → load changes nothing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import fields
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
    Quantity,
    Residual,
    Role,
    Training,
)
from tutor.engine.expression import ExpressionError, ExpressionProblem
from tutor.engine.ids import bias_tensor, matrix_of, parse_tensor, weight_tensor
from tutor.engine.network_graph import build_graph
from tutor.engine.sheet_layout import display_shape, display_tensors, split_display_matrix

from .atomic import write_atomically
from .errors import ExerciseError, engine_errors
from .model import FORMAT_VERSION, Exercise, Question
from .validate import (
    MAX_PARAMETERS,
    check_schema,
    check_version,
    parse_json,
    read_text,
)

Doc = dict[str, Any]

# --------------------------------------------------------------------------- reading


def loads(text: str, name: str = "<string>") -> Exercise:
    """Parse and validate an exercise from JSON text; ``name`` is used in error messages."""
    return from_dict(parse_json(text, name), name)


def load(path: str | os.PathLike[str]) -> Exercise:
    """Read an exercise file; any problem raises one :class:`ExerciseError`."""
    path = Path(path)
    return loads(read_text(path), str(path))


def from_dict(doc: Any, name: str = "<dict>") -> Exercise:
    """Validate a parsed document and build the Exercise (nothing is half-built)."""
    try:
        check_version(doc, name)
        check_schema(doc, name)
        return _exercise(doc)
    except ExerciseError as error:
        raise error.in_file(name) from None


def _exercise(doc: Doc) -> Exercise:
    if doc["kind"] == "expression":
        _forbid(doc, ("network", "parameters", "data", "training", "trace"), "expression")
        problem: NetworkProblem | ExpressionProblem = _expression_problem(doc["expression"])
    else:
        _forbid(doc, ("expression",), "network")
        problem = _network_problem(doc)
    questions = tuple(_question(q) for q in doc.get("questions", []))
    _check_questions(questions, problem)
    exercise = Exercise(
        title=doc["title"], problem=problem, source=doc.get("source", ""),
        description=doc.get("description", ""), questions=questions,
        locked=frozenset(doc.get("locked", [])), hidden=frozenset(doc.get("hidden", [])))
    _check_names(exercise)
    return exercise


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
        return NetworkProblem(network, params, data, training,
                              show_update=trace.get("show_update", True),
                              input_gradients=trace.get("input_gradients", False))


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


# -- questions and the teacher's lists


def _question(doc: Doc) -> Question:
    return Question(id=doc["id"], prompt=doc["prompt"], quantity=Quantity(doc["quantity"]),
                    node=doc["node"], sample=doc.get("sample"),
                    tolerance=float(doc.get("tolerance", 1e-3)), hint=doc.get("hint", ""))


def _graph_nodes(problem: NetworkProblem | ExpressionProblem) -> dict[str, Role]:
    """Node id → role of the problem's scalar graph."""
    if isinstance(problem, NetworkProblem):
        graph = build_graph(problem.network).graph
    else:
        graph = problem.graph()
    return {node.id: node.role for node in graph.nodes}


def _check_questions(questions: Sequence[Question], problem: Any) -> None:
    seen: set[str] = set()
    nodes = _graph_nodes(problem)
    for n, q in enumerate(questions):
        where = f"questions[{n}]"
        if q.id in seen:
            raise ExerciseError(f"{where}.id", f"another question already has the id {q.id!r}")
        seen.add(q.id)
        _check_question_node(q, nodes, where, problem)
        if isinstance(problem, NetworkProblem):
            _check_question_sample(q, problem, where)


def _check_question_node(q: Question, nodes: Mapping[str, Any], where: str,
                         problem: Any) -> None:
    if q.node not in nodes:
        some = ", ".join(list(nodes)[:6])
        raise ExerciseError(f"{where}.node", f"no node {q.node!r} (node ids look like {some}, …)")
    role = nodes[q.node]
    if q.quantity is Quantity.UPDATED and not (role == Role.PARAM or q.node == "loss"):
        raise ExerciseError(f"{where}.quantity", "only parameters and the loss have an "
                                                 "'updated' value")
    if q.quantity is Quantity.ADJOINT and role in (Role.TARGET, Role.CONSTANT):
        raise ExerciseError(f"{where}.quantity", f"{q.node!r} is a {role}: it has no adjoint")
    inputs_traced = getattr(problem, "input_gradients", True)
    if q.quantity is Quantity.ADJOINT and role == Role.INPUT and not inputs_traced:
        raise ExerciseError(f"{where}.quantity", "input adjoints are only traced with "
                                                 "\"trace\": {\"input_gradients\": true}")


def _check_question_sample(q: Question, problem: NetworkProblem, where: str) -> None:
    rows = [int(r) for r in problem.first_batch()]
    if q.sample is None:
        return
    if len(rows) == 1:
        raise ExerciseError(f"{where}.sample", "the traced update uses a single sample: leave "
                                               "the sample out (null)")
    if q.sample not in rows:
        raise ExerciseError(f"{where}.sample", f"sample {q.sample} is not in the traced batch "
                                               f"(rows {', '.join(map(str, rows))})")


def fitting_questions(questions: Sequence[Question], problem: Any) -> tuple[Question, ...]:
    """The questions ``problem`` can still answer: an edited program or network may have lost
    the node (or sample) a question asks about, and the exercise must still save."""
    if not questions:
        return ()  # no graph to build for a large network without questions
    nodes, kept = _graph_nodes(problem), []
    for q in questions:
        try:
            _check_question_node(q, nodes, "question", problem)
            if isinstance(problem, NetworkProblem):
                _check_question_sample(q, problem, "question")
        except ExerciseError:
            continue
        kept.append(q)
    return tuple(kept)


def lockable_names(exercise: Exercise) -> list[str]:
    """Everything ``locked`` may name for this exercise."""
    problem = exercise.problem
    if isinstance(problem, NetworkProblem):
        tensors = [f"parameters.{t}" for t in problem.params.tensors()]
        return ["network", "parameters", "data", "training", "questions", *tensors]
    return ["expression", "variables", "questions", *(f"variables.{v}" for v in problem.values)]


def _check_names(exercise: Exercise) -> None:
    allowed = lockable_names(exercise)
    for k, name in enumerate(sorted(exercise.locked)):
        if name not in allowed:
            raise ExerciseError(f"locked[{k}]", f"cannot lock {name!r}; expected one of "
                                                f"{', '.join(allowed)}")
    ids = [q.id for q in exercise.questions]
    for k, name in enumerate(sorted(exercise.hidden)):
        if name != "answers" and name not in ids:
            raise ExerciseError(f"hidden[{k}]", f"{name!r} is neither 'answers' nor a question id")


# --------------------------------------------------------------------------- writing


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
    doc["questions"] = [_question_doc(q) for q in fitting_questions(exercise.questions, problem)]
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


def save(exercise: Exercise, path: str | os.PathLike[str]) -> None:
    """Write atomically: a temporary file in the same folder, fsync, then ``os.replace``.

    An interrupted save leaves the old file intact and no temporary file behind.  What is
    written is checked by reading it back first, so a saved file always loads.
    """
    path = Path(path)
    text = dumps(exercise)
    loads(text, str(path))
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    write_atomically(path, text, mode=mode)
