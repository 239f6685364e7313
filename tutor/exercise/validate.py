"""From bytes to a checked JSON document: size, encoding, syntax, finiteness and the schema.

Each check fails with ONE :class:`ExerciseError` naming the field, so a teacher sees exactly
what to fix.  What the schema cannot say (shapes that depend on the network, the caps on the
total, references between fields) is checked in ``format.py``.
"""

from __future__ import annotations

import importlib.resources
import json
import math
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from .errors import ExerciseError, PathPart, field_path
from .model import FORMAT_VERSION

# Caps: generous for teaching, small enough that a hostile file cannot exhaust memory.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_LAYER_WIDTH = 1024
MAX_DEPTH = 16
MAX_PARAMETERS = 200_000
MAX_SAMPLES = 10_000


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


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


# --------------------------------------------------------------------------- bytes → text

def read_text(path: Path) -> str:
    """The file's text, refusing directories, oversized files and anything not UTF-8."""
    name = str(path)
    try:
        if path.is_dir():
            raise ExerciseError("", "is a directory, not an exercise file", name)
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ExerciseError("", f"the file is {size / 1e6:.1f} MB; exercise files are "
                                    f"limited to {MAX_FILE_BYTES // (1024 * 1024)} MB", name)
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)  # the file may have grown since stat()
    except FileNotFoundError:
        raise ExerciseError("", "no such file", name) from None
    except PermissionError:
        raise ExerciseError("", "permission denied", name) from None
    except OSError as error:
        raise ExerciseError("", f"cannot read the file: {error.strerror or error}", name) from None
    if len(data) > MAX_FILE_BYTES:
        raise ExerciseError("", f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB",
                            name)
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


def _first_rejected(value: Any, path: tuple[PathPart, ...] = ()) -> tuple[tuple, str] | None:
    """Where the parser left a rejected value or a duplicated key (document order)."""
    if isinstance(value, _Rejected):
        return path, value.problem
    if isinstance(value, _Object):
        if value.duplicate is not None:
            return (*path, value.duplicate), "this key appears more than once"
        children: Iterator[tuple[PathPart, Any]] = iter(value.items())
    elif isinstance(value, list):
        children = enumerate(value)
    else:
        return None
    for key, child in children:
        found = _first_rejected(child, (*path, key))
        if found:
            return found
    return None


def _plain(value: Any) -> Any:
    """Plain dicts all the way down (the parser's _Object is an implementation detail)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def parse_json(text: str, name: str) -> Any:
    """Parse strictly: no NaN or Infinity, no duplicate keys, errors with line and column."""
    try:
        doc = json.loads(text, parse_constant=_non_finite, parse_float=_parse_float,
                         parse_int=_parse_int, object_pairs_hook=_object)
    except json.JSONDecodeError as error:
        raise ExerciseError("", f"not valid JSON: line {error.lineno}, column {error.colno}: "
                                f"{error.msg}", name) from None
    except RecursionError:
        raise ExerciseError("", "not a usable JSON document: nested too deeply", name) from None
    rejected = _first_rejected(doc)
    if rejected:
        path, problem = rejected
        raise ExerciseError(field_path(path), problem, name)
    return _plain(doc)


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
            return path, f"expected {expected}, got {json_type(value)}"
        case "enum":
            choices = ", ".join(str(c) for c in rule)
            return path, f"unknown {last} {value!r}; expected one of {choices}"
        case "const":
            return path, f"must be {rule!r}, got {value!r}"
        case "minimum" | "exclusiveMinimum" | "maximum" | "exclusiveMaximum":
            words = {"minimum": "at least", "exclusiveMinimum": "greater than",
                     "maximum": "at most", "exclusiveMaximum": "less than"}[kind]
            return path, f"must be {words} {rule}, got {value}"
        case "minItems" | "minLength":
            return path, "must not be empty" if rule == 1 else f"needs at least {rule} items"
        case "maxItems" | "maxLength" | "maxProperties":
            return path, f"too long: at most {rule} allowed, got {len(value)}"
        case "uniqueItems":
            return path, "lists the same name twice"
        case "pattern":
            return path, f"{value!r} must be 1 to 64 letters, digits, '_', '.' or '-'"
        case "anyOf" if isinstance(value, list):
            return path, f"expected null or a list of names, got {json_type(value)}"
        case _:
            return path, error.message


def check_schema(doc: dict, name: str) -> None:
    """Validate against the published schema; report the shallowest error first."""
    errors = list(_validator().iter_errors(doc))
    if not errors:
        return
    first = min(errors, key=lambda e: len(e.absolute_path))
    path, problem = _describe(first)
    raise ExerciseError(field_path(path), problem, name)
