"""Exercise templates: an exercise whose numbers are drawn, and the short codes of its variants.

A template file wraps a complete exercise document with rules for drawing its numbers and the
constraints every variant must meet (docs/templates.md)::

    template = load_template("cmu.template.json")
    variant = make_variant(template, "7KQ2-0M4XH0")      # see variants.py

A variant is determined by the template and its *code*: four characters of the template's hash
and six of a 30-bit seed, in Crockford's base 32 (no I, L, O, U: a code read aloud or typed
from paper survives).  The hash is taken over the canonical JSON of the whole template, so a
code made from another template (or an edited one) is refused rather than silently giving
different numbers.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from tutor.engine import Quantity
from tutor.exercise import Exercise, ExerciseError, from_dict
from tutor.exercise.errors import PathPart, field_path
from tutor.exercise.validate import parse_json, read_text, resources_dir

TEMPLATE_VERSION = 1
DEFAULT_TRIES = 1000
GRIDS = {"integers": 1, "halves": 2, "quarters": 4, "tenths": 10, "hundredths": 100}
MAX_GRID_POINTS = 10**7  # per rule: a range this fine is a typo, not a teaching choice
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32
SEED_BITS = 30
KINKED = ("relu", "leaky_relu")  # activations whose derivative jumps at 0
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_FIELD = re.compile(r"(parameters\.[Wb][1-9][0-9]*|data\.inputs|data\.targets"
                    r"|expression\.values(?:\.[A-Za-z_][A-Za-z0-9_]*)?)((?:\[[0-9]+\])*)\Z")


@dataclass(frozen=True, slots=True)
class Rule:
    """Draw every number under ``field`` from ``lo + k/denominator`` within ``[lo, hi]``."""

    field: str  # as written, e.g. "parameters.W1[0]"
    path: tuple[PathPart, ...]  # into the exercise document
    values: tuple[Fraction, ...]  # the allowed numbers, in increasing order


@dataclass(frozen=True, slots=True)
class Constraints:
    relu_not_at_zero: bool = False
    no_dead_units: bool = False
    loss_decreases: bool = False
    max_decimals: int | None = None
    decimals_phases: tuple[str, ...] | None = None  # None: every phase
    max_magnitude: float | None = None
    # (pre-activation node, sample) pairs whose ReLU must be on / off, e.g. the INF264 sheet's
    # second sample, which the sheet shows with its hidden unit switched off
    relu_active: tuple[tuple[str, int | None], ...] = ()
    relu_inactive: tuple[tuple[str, int | None], ...] = ()


@dataclass(frozen=True)
class Template:
    document: dict[str, Any]  # the whole template as parsed
    exercise: Exercise  # the exercise as written (its numbers are placeholders)
    rules: tuple[Rule, ...]
    constraints: Constraints
    max_tries: int
    digest: str  # sha-256 of the canonical JSON, hex
    name: str = "<template>"

    @property
    def prefix(self) -> str:
        """The four characters every code of this template starts with."""
        return encode(int(self.digest[:5], 16), 4)


# --------------------------------------------------------------------------- codes


def encode(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, digit = divmod(number, 32)
        chars.append(ALPHABET[digit])
    return "".join(reversed(chars))


def make_code(template: Template, seed: int) -> str:
    if not 0 <= seed < 2**SEED_BITS:
        raise ValueError(f"a variant seed is between 0 and {2**SEED_BITS - 1}, got {seed}")
    return f"{template.prefix}-{encode(seed, 6)}"


def parse_code(template: Template, code: str) -> int:
    """The seed of ``code``; lower case, spaces and the look-alikes O, I, L are accepted."""
    cleaned = re.sub(r"[\s\-]", "", code.upper()).translate(_READ_AS)
    if len(cleaned) != 10 or any(c not in ALPHABET for c in cleaned):
        raise ValueError(f"{code.strip()[:40]!r} is not a variant code (expected e.g. "
                         f"{make_code(template, 12345)})")
    if cleaned[:4] != template.prefix:
        raise ValueError(f"code {code.strip()} was made from another template (or an earlier "
                         f"version of this one): this template's codes start with "
                         f"{template.prefix}")
    seed = 0
    for char in cleaned[4:]:
        seed = seed * 32 + ALPHABET.index(char)
    return seed


def variant_seeds(template: Template, seed: int, count: int) -> list[int]:
    """``count`` distinct variant seeds derived from one master seed (same seed, same list)."""
    seeds: list[int] = []
    seen: set[int] = set()
    index = 0
    while len(seeds) < count:
        digest = hashlib.sha256(f"variants:{template.digest}:{seed}:{index}".encode()).digest()
        value = int.from_bytes(digest[:8], "big") % 2**SEED_BITS
        index += 1
        if value not in seen:
            seen.add(value)
            seeds.append(value)
    return seeds


# --------------------------------------------------------------------------- loading


@cache
def _validator() -> jsonschema.Draft202012Validator:
    path = resources_dir() / "schema" / "template.schema.json"
    return jsonschema.Draft202012Validator(json.loads(path.read_text(encoding="utf-8")))


def load_template(path: str | os.PathLike[str]) -> Template:
    path = Path(path)
    return template_from_dict(parse_json(read_text(path), str(path)), str(path))


def loads_template(text: str, name: str = "<string>") -> Template:
    return template_from_dict(parse_json(text, name), name)


def template_from_dict(doc: Any, name: str = "<dict>") -> Template:
    """Validate a parsed template; any problem raises one ExerciseError naming the field."""
    if not isinstance(doc, dict):
        raise ExerciseError("", "expected a JSON object at the top level", name)
    version = doc.get("template_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > TEMPLATE_VERSION:
        raise ExerciseError("template_version", f"written by a newer version: template "
                            f"{version}, this program reads up to {TEMPLATE_VERSION}", name)
    errors = sorted(_validator().iter_errors(doc), key=lambda e: len(e.absolute_path))
    if errors:
        raise ExerciseError(field_path(tuple(errors[0].absolute_path)),
                            " ".join(errors[0].message.split())[:300], name)
    try:
        exercise = from_dict(doc["exercise"], name)
    except ExerciseError as error:
        inner = f"exercise.{error.field}" if error.field else "exercise"
        raise ExerciseError(inner, error.problem, name) from None
    rules = tuple(_rule(doc["exercise"], rule, n, name) for n, rule in enumerate(doc["draw"]))
    constraints = _constraints(doc.get("constraints", {}), exercise, name)
    canonical = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return Template(doc, exercise, rules, constraints, doc.get("max_tries", DEFAULT_TRIES),
                    hashlib.sha256(canonical.encode("utf-8")).hexdigest(), name)


def _rule(exercise_doc: dict, rule: dict, n: int, name: str) -> Rule:
    where = f"draw[{n}]"
    match = _FIELD.match(rule["field"])
    if not match:
        raise ExerciseError(f"{where}.field", f"{rule['field']!r} is not a drawable field; "
                            "expected parameters.W1, parameters.b2, data.inputs, data.targets "
                            "or expression.values.x, optionally with [row][column]", name)
    path: list[PathPart] = list(match.group(1).split("."))
    path += [int(i) for i in re.findall(r"\[([0-9]+)\]", match.group(2))]
    try:
        target: Any = exercise_doc
        for part in path:
            target = target[part]
    except (KeyError, IndexError, TypeError):
        raise ExerciseError(f"{where}.field", f"the exercise has no {rule['field']}", name) \
            from None
    if not any(True for _ in _leaves(target)):
        raise ExerciseError(f"{where}.field", f"{rule['field']} holds no numbers", name)
    step = GRIDS[rule["grid"]]
    lo, hi = (Fraction(str(v)) for v in rule["range"])
    if lo > hi:
        raise ExerciseError(f"{where}.range", f"the lower end {rule['range'][0]} is above the "
                            f"upper end {rule['range'][1]}", name)
    if (lo * step).denominator != 1 or (hi * step).denominator != 1:
        raise ExerciseError(f"{where}.range", f"both ends must lie on the grid of "
                            f"{rule['grid']} (multiples of {Fraction(1, step)})", name)
    count = int((hi - lo) * step) + 1
    if count > MAX_GRID_POINTS:
        raise ExerciseError(f"{where}.range", f"{count} grid points; at most "
                            f"{MAX_GRID_POINTS} allowed", name)
    excluded = {Fraction(str(v)) for v in rule.get("exclude", [])}
    values = tuple(v for v in (lo + Fraction(k, step) for k in range(count))
                   if v not in excluded)
    if not values:
        raise ExerciseError(f"{where}.exclude", "excludes every number in the range", name)
    return Rule(rule["field"], tuple(path), values)


def _leaves(value: Any, path: tuple[PathPart, ...] = ()) -> Iterator[tuple[PathPart, ...]]:
    """The paths of the numbers under ``value`` (a number, a list, a mapping), in order."""
    if isinstance(value, bool):
        return
    if isinstance(value, int | float):
        yield path
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, (*path, i))
    elif isinstance(value, dict):
        for key in value:
            yield from _leaves(value[key], (*path, key))


def _constraints(doc: dict, exercise: Exercise, name: str) -> Constraints:
    constraints = Constraints(
        relu_not_at_zero=doc.get("relu_not_at_zero", False),
        no_dead_units=doc.get("no_dead_units", False),
        loss_decreases=doc.get("loss_decreases", False),
        max_decimals=doc.get("max_decimals"),
        decimals_phases=tuple(doc["decimals_phases"]) if "decimals_phases" in doc else None,
        max_magnitude=doc.get("max_magnitude"),
        relu_active=_units(doc, "relu_active", exercise, name),
        relu_inactive=_units(doc, "relu_inactive", exercise, name))
    both = set(constraints.relu_active) & set(constraints.relu_inactive)
    if both:
        node, sample = sorted(both, key=str)[0]
        raise ExerciseError("constraints.relu_inactive", f"{node} (sample {sample}) is asked "
                            "to be both active and inactive", name)
    if constraints.decimals_phases is not None and constraints.max_decimals is None:
        raise ExerciseError("constraints.decimals_phases", "applies only with max_decimals",
                            name)
    if constraints.loss_decreases:
        problem = exercise.problem
        updates = (problem.show_update if exercise.kind == "network"
                   else bool(getattr(problem, "trainable", ())))
        if not updates:
            raise ExerciseError("constraints.loss_decreases", "the exercise makes no update "
                                "(set trace.show_update, or expression.trainable)", name)
    return constraints


def kink_inputs(exercise: Exercise) -> list[str]:
    """The nodes fed to a ReLU-like function: where a derivative jumps at 0."""
    graph = exercise.problem.graph()
    graph = getattr(graph, "graph", graph)  # a network problem wraps its graph
    out = []
    for node in graph.nodes:
        activation = getattr(node.op, "activation", None)
        op_name = activation.name if activation is not None else getattr(node.op, "name", "")
        if op_name in KINKED and node.inputs:
            out.append(node.inputs[0])
    return out


def _units(doc: dict, key: str, exercise: Exercise, name: str
           ) -> tuple[tuple[str, int | None], ...]:
    """``relu_active`` / ``relu_inactive`` entries, checked against the exercise's trace."""
    entries = doc.get(key, [])
    if not entries:
        return ()
    kinks = kink_inputs(exercise)
    trace = exercise.problem.trace("node")
    out = []
    for n, entry in enumerate(entries):
        where = f"constraints.{key}[{n}]"
        node = entry["node"]
        if node not in kinks:
            raise ExerciseError(f"{where}.node", f"{node!r} is not the input of a ReLU in this "
                                f"exercise; its ReLU inputs are {', '.join(kinks) or 'none'}",
                                name)
        traced = sorted({s.key.sample for s in trace if s.key.quantity is Quantity.VALUE
                         and s.node == node}, key=lambda v: -1 if v is None else v)
        sample = entry.get("sample", 0 if None not in traced else None)
        if sample not in traced:
            shown = ", ".join(str(v) for v in traced if v is not None) or "none (one value)"
            raise ExerciseError(f"{where}.sample", f"{node} is not traced for sample {sample}; "
                                f"its traced samples are {shown} (counted from 0)", name)
        out.append((node, sample))
    return tuple(out)


def drawn_leaves(template: Template) -> list[tuple[tuple[PathPart, ...], Rule]]:
    """Every drawn number's path with the rule that draws it (a later rule overrides an
    earlier one on the numbers both cover), in a fixed order: rule order, then row-major."""
    owner: dict[tuple[PathPart, ...], int] = {}
    order: list[tuple[PathPart, ...]] = []
    for n, rule in enumerate(template.rules):
        target: Any = template.document["exercise"]
        for part in rule.path:
            target = target[part]
        for leaf in _leaves(target, rule.path):
            if leaf not in owner:
                order.append(leaf)
            owner[leaf] = n
    return [(leaf, template.rules[owner[leaf]]) for leaf in order]
