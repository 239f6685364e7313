"""From bytes to a checked JSON document: size, encoding, syntax, finiteness and the schema.

Each check fails with ONE :class:`ExerciseError` naming the field, so a teacher sees exactly
what to fix.  What the schema cannot say (shapes that depend on the network, the caps on the
total, references between fields) is checked in ``format.py``.
"""

from __future__ import annotations

import importlib.resources
import itertools
import json
import math
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from tutor.engine.limits import MAX_FILE_BYTES, MAX_NESTING, MAX_SCHEMA_ERRORS, MAX_SHOWN
from tutor.engine.limits import MAX_SAMPLES as MAX_SAMPLES  # re-exported

from .errors import ExerciseError, PathPart, field_path
from .model import FORMAT_VERSION
from .reading import FileRefused, read_bytes


def resources_dir() -> Path:
    """``tutor/resources/``: the exercises, schema, icons and help pages shipped in the package.

    Found through ``importlib.resources`` so that a wheel, an editable install and a frozen
    bundle all read the same files; every supported install unpacks them onto the disk.
    """
    root = importlib.resources.files("tutor") / "resources"
    if not isinstance(root, Path):  # e.g. a zip import: nothing here can read from that
        raise RuntimeError(f"Backprop Tutor's resources are not on the disk ({root})")
    return root


def schema_path() -> Path:
    return resources_dir() / "schema" / "exercise.schema.json"


def _is_integer(_checker: Any, value: Any) -> bool:
    """``2.0`` is a number, not an integer: a size, a seed or a version is written as ``2``."""
    return isinstance(value, int) and not isinstance(value, bool)


_NUMBERS = {int, float}
_ITEMS = jsonschema.Draft202012Validator.VALIDATORS["items"]


def _all_numbers(value: list) -> bool:
    """Every item an int or a float (not a bool): one pass in C, not one descent per item."""
    return set(map(type, value)) <= _NUMBERS


_NUMBER = {"type": "number"}
_ROW_KEYS = {"type", "minItems", "maxItems", "items"}


def _numbers_pass(items: Any, instance: list) -> bool:
    """Whether ``instance`` obviously passes ``items`` when that is a number or a bounded row
    of numbers (the parameters and data tables); anything else takes the full path."""
    if items == _NUMBER:
        return _all_numbers(instance)
    if not (isinstance(items, dict) and set(items) <= _ROW_KEYS and items.get("type") == "array"
            and items.get("items") == _NUMBER):
        return False
    low, high = items.get("minItems", 0), items.get("maxItems", math.inf)
    return all(type(row) is list and low <= len(row) <= high and _all_numbers(row)
               for row in instance)


def _items(validator: Any, items: Any, instance: Any, schema: Any) -> Iterator[Any]:
    """``items`` with a shortcut for tables of plain numbers: a 10,000 × 400 data table is
    4 million schema descents otherwise (seconds per load)."""
    if isinstance(instance, list) and _numbers_pass(items, instance):
        return
    yield from _ITEMS(validator, items, instance, schema)


_StrictValidator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator, validators={"items": _items},
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer))


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    return _StrictValidator(schema)


# --------------------------------------------------------------------------- bytes → text

def read_text(path: Path) -> str:
    """The file's text, refusing folders, FIFOs, devices, oversized files and non-UTF-8."""
    name = str(path)
    try:
        data = read_bytes(path, MAX_FILE_BYTES)
    except FileRefused as error:
        raise ExerciseError("", str(error), name) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ExerciseError("", f"not UTF-8 text (byte 0x{data[error.start]:02x} at offset "
                                f"{error.start})", name) from None


# --------------------------------------------------------------------------- text → JSON

class _Rejected:
    """Stands in for a value the parser met but a file may not hold (NaN, a duplicate key)."""

    def __init__(self, problem: str) -> None:
        self.problem = problem


class _Object(dict):
    """A JSON object that remembers a key it saw twice."""

    duplicate: str | None = None


def _non_finite(text: str) -> _Rejected:
    return _Rejected(f"{text} is not allowed: every number must be finite")


def _parse_float(text: str) -> float | _Rejected:
    value = float(text)
    return value if math.isfinite(value) else _non_finite(text)


def _parse_int(text: str) -> int | _Rejected:
    if len(text.lstrip("-")) > 300:
        return _Rejected("the number is too large")
    return int(text)


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object()
    for key, value in pairs:
        if key in obj and obj.duplicate is None:
            obj.duplicate = key
        obj[key] = value
    return obj


def _text_problem(text: str) -> str | None:
    """Why a string cannot be written as UTF-8 (a lone surrogate such as ``"\\ud800"``)."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return (f"not valid Unicode: a lone surrogate (U+{ord(text[error.start]):04X}) at "
                f"character {error.start + 1}")
    return None


def _first_rejected(value: Any, path: tuple[PathPart, ...] = ()) -> tuple[tuple, str] | None:
    """Where the parser left a rejected value, a duplicated key or text that is not Unicode
    (document order).  Recursive: called only on documents no deeper than MAX_NESTING."""
    if isinstance(value, _Rejected):
        return path, value.problem
    if isinstance(value, str):
        problem = _text_problem(value)
        return (path, problem) if problem else None
    if isinstance(value, dict):
        if isinstance(value, _Object) and value.duplicate is not None:
            return (*path, value.duplicate), "this key appears more than once"
        for key in value:
            problem = _text_problem(key)
            if problem:
                return (*path, _shown(key)), f"this key is {problem}"
        children: Iterator[tuple[PathPart, Any]] = iter(value.items())
    elif isinstance(value, list):
        if _all_numbers(value):
            return None
        children = enumerate(value)
    else:
        return None
    for key, child in children:
        found = _first_rejected(child, (*path, key))
        if found:
            return found
    return None


def _too_deep(doc: Any) -> tuple[PathPart, ...] | None:
    """The path to the first container nested deeper than MAX_NESTING (no recursion)."""
    stack: list[tuple[Any, tuple[PathPart, ...]]] = [(doc, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            items: Iterator[tuple[PathPart, Any]] = iter(value.items())
        elif isinstance(value, list):
            items = enumerate(value)
        else:
            continue
        if len(path) >= MAX_NESTING:
            return path
        if isinstance(value, list) and _all_numbers(value):
            continue  # no containers inside
        stack.extend((child, (*path, key)) for key, child in items)
    return None


_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]')


def _deep_position(text: str) -> tuple[int, int]:
    """Line and column of the first bracket nested deeper than MAX_NESTING."""
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_NESTING:
                start = match.start()
                return text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start)
        elif token in ("]", "}"):
            depth -= 1
    return 1, 1


def _nested_too_deeply(text: str, name: str) -> ExerciseError:
    line, column = _deep_position(text)
    return ExerciseError("", f"line {line}, column {column}: nested too deeply (brackets more "
                             f"than {MAX_NESTING} deep; an exercise needs at most 7)", name)


def check_plain(doc: Any, name: str) -> None:
    """A document built in memory (not parsed): no deeper than the cap, all text Unicode."""
    deep = _too_deep(doc)
    if deep is not None:
        raise ExerciseError(field_path(deep), f"nested too deeply (more than {MAX_NESTING} "
                                              f"levels)", name)
    rejected = _first_rejected(doc)
    if rejected:
        path, problem = rejected
        raise ExerciseError(field_path(path), problem, name)


def _plain(value: Any) -> Any:
    """Plain dicts all the way down (the parser's _Object is an implementation detail)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return list(value) if _all_numbers(value) else [_plain(v) for v in value]
    return value


def parse_json(text: str, name: str) -> Any:
    """Parse strictly: no NaN or Infinity, no duplicate keys, no lone surrogates, no nesting
    deeper than MAX_NESTING; errors with line and column."""
    try:
        doc = json.loads(text, parse_constant=_non_finite, parse_float=_parse_float,
                         parse_int=_parse_int, object_pairs_hook=_object)
    except json.JSONDecodeError as error:
        raise ExerciseError("", f"not valid JSON: line {error.lineno}, column {error.colno}: "
                                f"{error.msg}", name) from None
    except RecursionError:
        raise _nested_too_deeply(text, name) from None
    if _too_deep(doc) is not None:
        raise _nested_too_deeply(text, name)
    rejected = _first_rejected(doc)
    if rejected:
        path, problem = rejected
        raise ExerciseError(field_path(path), problem, name)
    return _plain(doc)


def _shown(value: Any) -> str:
    """A value echoed in a message, cut to MAX_SHOWN characters."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


# --------------------------------------------------------------------------- the schema

_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean",
               int: "integer", float: "number", type(None): "null"}


def json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def check_version(doc: Any, name: str) -> None:
    """Refuse files written by a newer program before anything else is checked."""
    if not isinstance(doc, dict):
        raise ExerciseError("", f"expected a JSON object at the top level, got {json_type(doc)}",
                            name)
    version = doc.get("format_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise ExerciseError("format_version", f"written by a newer version: format {version}, "
                            f"this program reads up to {FORMAT_VERSION}", name)


def _describe(error: jsonschema.ValidationError) -> tuple[tuple, str]:
    """The field path and a plain-words problem for one schema error."""
    path = tuple(error.absolute_path)
    value, rule, kind = error.instance, error.validator_value, error.validator
    last = path[-1] if path and isinstance(path[-1], str) else "value"
    match kind:
        case "required":
            missing = next(k for k in rule if k not in value)
            return (*path, missing), "required key is missing"
        case "additionalProperties":
            known = set(error.schema.get("properties", {}))
            extra = sorted(k for k in value if k not in known)
            return (*path, extra[0]) if extra else path, "unknown key (check the spelling)"
        case "type":
            expected = rule if isinstance(rule, str) else " or ".join(rule)
            if isinstance(value, float) and value.is_integer() and "integer" in expected:
                return path, f"expected an integer, got {_shown(value)} (write it without '.0')"
            return path, f"expected {expected}, got {json_type(value)}"
        case "enum":
            choices = ", ".join(str(c) for c in rule)
            return path, f"unknown {_shown(last)} {_shown(value)!r}; expected one of {choices}"
        case "const":
            return path, f"must be {rule!r}, got {_shown(value)}"
        case "minimum" | "exclusiveMinimum" | "maximum" | "exclusiveMaximum":
            words = {"minimum": "at least", "exclusiveMinimum": "greater than",
                     "maximum": "at most", "exclusiveMaximum": "less than"}[kind]
            return path, f"must be {words} {rule}, got {_shown(value)}"
        case "minItems" | "minLength":
            return path, "must not be empty" if rule == 1 else f"needs at least {rule} items"
        case "maxItems" | "maxLength" | "maxProperties":
            return path, f"too long: at most {rule} allowed, got {len(value):,}"
        case "uniqueItems":
            return path, "lists the same name twice"
        case "pattern":
            return path, f"{_shown(value)!r} must be 1 to 64 letters, digits, '_', '.' or '-'"
        case "anyOf" if isinstance(value, list):
            return path, f"expected null or a list of names, got {json_type(value)}"
        case _:
            return path, _shown(error.message)


def check_schema(doc: dict, name: str) -> None:
    """Validate against the published schema; report the shallowest error first."""
    errors = list(itertools.islice(_validator().iter_errors(doc), MAX_SCHEMA_ERRORS))
    if not errors:
        return
    first = min(errors, key=lambda e: len(e.absolute_path))
    path, problem = _describe(first)
    raise ExerciseError(field_path(path), problem, name)
