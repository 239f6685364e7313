"""Documents to break: the bundled CMU recitation as a plain dict, freshly copied."""

import copy
import json
from functools import cache
from typing import Any

from tutor.exercise import default_path


@cache
def _cmu_text() -> str:
    return default_path().read_text(encoding="utf-8")


def cmu_doc() -> dict[str, Any]:
    return copy.deepcopy(json.loads(_cmu_text()))


def expression_doc(program: str = "f = x*y + x", **values: float) -> dict[str, Any]:
    return {"format_version": 1, "kind": "expression", "title": "An expression",
            "expression": {"program": program, "values": values or {"x": 1.0, "y": 2.0}}}
