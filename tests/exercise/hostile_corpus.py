"""Generated exercise files, valid and hostile, in 23 categories: the corpus the whole-path
fuzz (test_fuzz_path.py) runs through every command.

``write_corpus(folder, count, seed)`` writes ``count`` files shared out round-robin over the
categories; the same seed gives the same files.  Each file's name says its category.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tutor.exercise import bundled

Doc = dict[str, Any]


def _bundled_docs() -> list[Doc]:
    return [json.loads(b.path.read_text(encoding="utf-8")) for b in bundled()]


_DOCS = _bundled_docs()
_NETWORKS = [d for d in _DOCS if d["kind"] == "network"]
_EXPRESSIONS = [d for d in _DOCS if d["kind"] == "expression"]
_INT_FIELDS = (("network", "input_size"), ("network", "layers", 0, "size"),
               ("training", "seed"), ("training", "batch_size"), ("format_version",),
               ("network", "layers", 0, "notation", "j_base"), ("network", "notation", "i_base"))
_TEXT_FIELDS = (("title",), ("source",), ("description",), ("questions", 0, "prompt"),
                ("questions", 0, "hint"), ("network", "notation", "loss"),
                ("network", "layers", 0, "notation", "weight"))
ESCAPES = ["\x1b]0;retitled\x07", "\x1b[2J", "\x9b31m", "\u202e", "\x1bc", "\r\x1b[K"]
INJECTIONS = [r"\begin{filecontents*}[overwrite]{pwned.tex}x\end{filecontents*}",
              r"\input{/etc/passwd}", r"^^5cinput^^7b/etc/passwd^^7d", r"\write18{ls}",
              "[x](javascript:alert(1))", "![i](http://example.org/i.png)", "<script>x</script>",
              r"\d{\d{\d{x}{y}}{z}}{w}", r"\mat{1,2;3", "}{", "_{^{_{", "\\"]


def _network(rng: random.Random) -> Doc:
    return copy.deepcopy(rng.choice(_NETWORKS))


def _expression(rng: random.Random) -> Doc:
    return copy.deepcopy(rng.choice(_EXPRESSIONS))


def _set(doc: Any, path: tuple, value: Any) -> Any:
    target = doc
    for part in path[:-1]:
        if isinstance(target, dict):
            target = target.setdefault(part, {})
        elif isinstance(target, list) and isinstance(part, int) and part < len(target):
            target = target[part]
        else:
            return doc
    if isinstance(target, dict) or (isinstance(target, list) and path[-1] < len(target)):
        target[path[-1]] = value
    return doc


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            out += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value[:6]):
            out += _paths(child, (*prefix, index))
    return out


def _value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(9 if depth < 4 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, 1, -1, 2, 7, 1024, 1025, 10**6, 2**63, -(10**30)])
    if kind == 3:
        return rng.choice([0.0, 1.0, 2.0, -0.5, 1e-300, 1e300, 5e-324, 3.14, -1e10])
    if kind in (4, 5):
        return rng.choice(["", "x", "relu", "W1", "sgd", "loss", "z1[0]", "α", "\u2028",
                           "a" * rng.choice([10, 300, 5000])])
    if kind == 6:
        return [_value(rng, depth + 1) for _ in range(rng.randrange(5))]
    if kind == 7:
        return {rng.choice(["a", "size", "kind", "W1", "x"]): _value(rng, depth + 1)
                for _ in range(rng.randrange(4))}
    return [[rng.uniform(-5, 5) for _ in range(rng.randrange(1, 4))]
            for _ in range(rng.randrange(1, 4))]


# --------------------------------------------------------------------------- categories

def numbers(rng):  # 1: valid files, extreme numbers
    doc = _network(rng)
    scale = rng.choice([1e-12, 1e-3, 1, 1e3, 1e12, 1e200])
    for name, tensor in doc["parameters"].items():
        doc["parameters"][name] = json.loads(json.dumps(tensor),
                                             parse_float=lambda t: float(t) * scale,
                                             parse_int=lambda t: int(t) * scale)
    doc.setdefault("training", {})["learning_rate"] = rng.choice([1e-9, 0.1, 10, 1000])
    return doc


def mutation(rng):  # 2: any single change of a valid file
    doc = _network(rng) if rng.random() < 0.6 else _expression(rng)
    return _set(doc, rng.choice(_paths(doc)[1:]), _value(rng))


def deep(rng):  # 3: nesting far deeper than any exercise (written as text: json recurses)
    depth = rng.choice([20, 33, 200, 600, 3000, 20000])
    opened, closed = "", ""
    for _ in range(depth):
        if rng.random() < 0.5:
            opened, closed = opened + "[", "]" + closed
        else:
            opened, closed = opened + '{"k": ', "}" + closed
    doc = _network(rng)
    _set(doc, rng.choice(_paths(doc)[1:]), "__DEEP__")
    return json.dumps(doc).replace('"__DEEP__"', opened + "1" + closed)


def float_ints(rng):  # 4: whole-number floats in integer fields
    doc = _network(rng)
    for _ in range(rng.randrange(1, 3)):
        path = rng.choice(_INT_FIELDS)
        _set(doc, path, float(rng.choice([0, 1, 2, 5])))
    if rng.random() < 0.5:
        doc.setdefault("training", {}).update({"method": "sgd", "shuffle": True})
    return doc


def surrogates(rng):  # 5: lone surrogates (written as JSON escapes)
    doc = _network(rng)
    return _set(doc, rng.choice(_TEXT_FIELDS), "a\ud800b" if rng.random() < 0.5 else "\udfff")


def markup(rng):  # 6: markup nested a thousand deep
    doc = _network(rng)
    piece = rng.choice(["_{", "^{", r"\d{", r"\mat{", "{"])
    text = piece * rng.choice([30, 500, 1000, 5000])
    return _set(doc, rng.choice(_TEXT_FIELDS), text[: rng.choice([2000, 20000])])


def long_strings(rng):  # 7: long keys, symbols, titles
    doc = _expression(rng) if rng.random() < 0.5 else _network(rng)
    size = rng.choice([101, 1000, 100_000, 2_000_000])
    if doc["kind"] == "expression":
        doc["expression"].setdefault("symbols", {})["k" * size] = "x"
    else:
        _set(doc, rng.choice(_TEXT_FIELDS), "t" * size)
    return doc


def _wide(width: int, depth: int, samples: int, inputs: int = 1) -> Doc:
    layers = [{"size": width, "activation": "relu"} for _ in range(depth)]
    layers.append({"size": 1, "activation": "identity"})
    sizes = [inputs] + [width] * depth + [1]
    params: Doc = {}
    for n in range(len(layers)):
        params[f"W{n + 1}"] = [[0.01] * sizes[n]] * sizes[n + 1]
        params[f"b{n + 1}"] = [0] * sizes[n + 1]
    return {"format_version": 1, "kind": "network", "title": "Wide",
            "network": {"input_size": inputs, "layers": layers}, "parameters": params,
            "data": {"inputs": [[0.5] * inputs] * samples, "targets": [[1]] * samples}}


def layer_bomb(rng):  # 8: small files whose layer trace would need gigabytes
    return _wide(rng.choice([100, 200, 400]), rng.choice([1, 2]), rng.choice([10, 1000, 10000]))


def node_bomb(rng):  # 9: node traces of a medium network over many samples
    return _wide(rng.choice([20, 60, 120]), 1, rng.choice([1, 8, 50, 400]),
                 inputs=rng.choice([2, 30, 120]))


def training_bomb(rng):  # 10: permitted networks asked to train long
    doc = _wide(rng.choice([30, 100, 300]), rng.choice([1, 2]), rng.choice([1, 50, 500]))
    doc["training"] = {"method": rng.choice(["batch", "sgd", "minibatch"]),
                       "batch_size": rng.choice([1, 16, 400])}
    return doc


def expression_soup(rng):  # 11: long, wide and deep programs
    shape = rng.randrange(5)
    if shape == 0:
        program = "f = max(" + ", ".join(["x"] * rng.choice([50, 199, 201, 3300])) + ")"
    elif shape == 1:
        program = "\n".join(f"u{n} = " + "+".join(["x"] * 150) for n in range(30)) + "\nf = u0"
    elif shape == 2:
        depth = rng.choice([50, 99, 101, 400])
        program = "f = " + "(" * depth + "x" + ")" * depth
    elif shape == 3:
        program = "f = " + "*".join(rng.choice(["x", "y", "sin(x)", "exp(y)", "2"])
                                    for _ in range(rng.randrange(1, 190)))
    else:
        program = "f = " + "".join(rng.choice("xy+-*/^()., 12e") for _ in range(200))
    return {"format_version": 1, "kind": "expression", "title": "Soup",
            "expression": {"program": program[:10_000], "values": {"x": 0.5, "y": 2},
                           "trainable": ["x"]}}


def expression_values(rng):  # 12: extreme values and learning rates
    doc = _expression(rng)
    for name in doc["expression"]["values"]:
        doc["expression"]["values"][name] = rng.choice([0, -1, 1e308, -1e-320, 710, 1e6])
    doc["expression"]["learning_rate"] = rng.choice([1e-9, 1, 1000])
    doc["expression"]["trainable"] = list(doc["expression"]["values"])[:2]
    return doc


def not_json(rng):  # 13: NaN, Infinity, duplicate keys, big integers
    text = json.dumps(_network(rng))
    choice = rng.randrange(4)
    if choice == 0:
        return text.replace("0.1", "NaN", 1)
    if choice == 1:
        return text.replace("1", "Infinity", 1)
    if choice == 2:
        return text.replace('"title"', '"title": "a", "title"', 1)
    return text.replace("0.1", "9" * rng.choice([100, 400, 5000]), 1)


def truncated(rng):  # 14: a valid file cut anywhere
    text = json.dumps(_network(rng), indent=rng.choice([None, 2]))
    return text[: rng.randrange(len(text))]


def binary(rng):  # 15: bytes that are not UTF-8 text
    return bytes(rng.randrange(256) for _ in range(rng.choice([1, 100, 5000])))


def escapes(rng):  # 16: terminal escape sequences in printed text
    doc = _network(rng)
    for path in rng.sample(_TEXT_FIELDS, 3):
        _set(doc, path, "Name " + "".join(rng.sample(ESCAPES, 3)))
    return doc


def latex_injection(rng):  # 17: TeX that would act when compiled
    doc = _network(rng)
    for path in rng.sample(_TEXT_FIELDS, 3):
        _set(doc, path, rng.choice(INJECTIONS))
    return doc


def links(rng):  # 18: Markdown and HTML that would be active
    doc = _expression(rng) if rng.random() < 0.3 else _network(rng)
    _set(doc, ("title",), rng.choice(INJECTIONS[4:7]) + " www.example.org")
    _set(doc, ("description",), " ".join(rng.sample(INJECTIONS, 4)))
    return doc


def questions(rng):  # 19: questions about random nodes and samples
    doc = _network(rng)
    doc["questions"] = [{"id": f"q{n}", "prompt": "?", "node": rng.choice(
        ["loss", "W1[0,0]", "z1[0]", "a2[0]", "x[0]", "nowhere", "W9[9,9]", "b1[0]"]),
        "quantity": rng.choice(["value", "adjoint", "updated"]),
        "sample": rng.choice([None, 0, 1, 5, -1])} for n in range(rng.randrange(1, 6))]
    return doc


def lists(rng):  # 20: locked and hidden lists
    doc = _network(rng)
    names = ["network", "parameters", "data", "answers", "parameters.W1", "q1", "x", "W1"]
    doc["locked"] = rng.sample(names, rng.randrange(4))
    doc["hidden"] = rng.sample(names, rng.randrange(4))
    return doc


def notation(rng):  # 21: symbol lists and index bases
    doc = _network(rng)
    layer = doc["network"]["layers"][0]
    layer["notation"] = {"weight_names": [["w"] * rng.randrange(1, 4)] * rng.randrange(1, 4),
                         "bias_names": ["b"] * rng.randrange(1, 4),
                         "j_base": rng.randrange(10), "i_base": rng.randrange(10),
                         "transposed": rng.random() < 0.5}
    doc["network"]["notation"] = {"input_names": ["x"] * rng.randrange(1, 4),
                                  "i_base": rng.randrange(10)}
    return doc


def losses(rng):  # 22: activation and loss combinations
    doc = _network(rng)
    for layer in doc["network"]["layers"]:
        layer["activation"] = rng.choice(["identity", "sigmoid", "tanh", "relu", "leaky_relu",
                                          "softplus"])
        layer.pop("slope", None)
        if layer["activation"] == "leaky_relu":
            layer["slope"] = rng.choice([0, 0.01, 1])
    doc["network"]["loss"] = {"kind": rng.choice(["squared_error", "binary_cross_entropy"]),
                              "half": rng.random() < 0.5,
                              "mean_over_samples": rng.random() < 0.5}
    return doc


def training(rng):  # 23: training settings
    doc = _network(rng)
    doc["training"] = {"method": rng.choice(["batch", "sgd", "minibatch"]),
                       "batch_size": rng.choice([1, 2, 3, 10000]),
                       "shuffle": rng.random() < 0.5, "seed": rng.choice([0, 5, 2**32 - 1]),
                       "learning_rate": rng.choice([1e-6, 0.5, 1000]),
                       "frozen": rng.sample(["W1", "b1", "W2", "b2", "W3"], rng.randrange(3))}
    doc["trace"] = {"show_update": rng.random() < 0.5, "input_gradients": rng.random() < 0.5}
    return doc


CATEGORIES: tuple[Callable[[random.Random], Any], ...] = (
    numbers, mutation, deep, float_ints, surrogates, markup, long_strings, layer_bomb,
    node_bomb, training_bomb, expression_soup, expression_values, not_json, truncated,
    binary, escapes, latex_injection, links, questions, lists, notation, losses, training)


def write_corpus(folder: Path, count: int, seed: int = 0) -> list[Path]:
    """``count`` files in ``folder``, round-robin over the categories."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        category = CATEGORIES[n % len(CATEGORIES)]
        rng = random.Random(f"{seed}-{n}")
        made = category(rng)
        path = folder / f"{n:05d}-{category.__name__}.json"
        if isinstance(made, bytes):
            path.write_bytes(made)
        elif isinstance(made, str):
            path.write_text(made, encoding="utf-8", errors="surrogatepass")
        else:
            path.write_text(json.dumps(made), encoding="utf-8")  # \ud800 stays an escape
        paths.append(path)
    return paths
