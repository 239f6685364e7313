"""The one parser for numbers a person types: in a table cell, the diagram's inline editor, a
quiz answer, a CSV import or a command-line option.

Accepted: ``7``, ``-0.5``, ``−0.5`` (Unicode minus or an en dash), ``+3``, ``0,5`` (one
decimal comma when there is no point), ``1/3`` (one fraction bar), ``2e-3``, ``.5``, ``5.``,
and thin spaces as digit grouping (``1 000``).  Refused with a ``ValueError`` a student can
act on: anything else — ``2+3``, ``1,000.5``, ``0x10``, ``1_000``, ``3 4``, ``1/0`` and, unless
asked for, ``inf``/``nan``.  A regular expression decides what is a number; Python's
``float`` only converts what it accepted, so nothing a person types is ever evaluated.
"""

from __future__ import annotations

import math
import re

MAX_LENGTH = 1_000  # characters: no number a person types is longer; checked before parsing
EXAMPLES = "try 0.5, −2 or 1/3"

_DECIMAL = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_NUMBER = re.compile(rf"({_DECIMAL})(?:/({_DECIMAL}))?\Z")
_MINUS = str.maketrans({"−": "-", "–": "-"})
_GROUPING = str.maketrans({"\u2009": None, "\u202f": None})  # thin and narrow no-break space
_NON_FINITE = {"∞": math.inf, "inf": math.inf, "infinity": math.inf, "nan": math.nan}


def parse_number(text: str, *, finite: bool = True) -> float:
    """The number ``text`` spells (see the module docstring).

    ``finite=False`` also accepts ``∞``, ``−∞``, ``inf`` and ``nan`` (a quiz answer may be
    the value of a diverged step); by default they, and numbers too large for a float, are
    refused.
    """
    if len(text) > MAX_LENGTH:
        raise ValueError(f"that is too long for a number ({len(text):,} characters)")
    shown = text.strip()
    cleaned = shown.translate(_MINUS).translate(_GROUPING)
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # a decimal comma
    body = cleaned[1:] if cleaned[:1] in "+-" else cleaned
    special = _NON_FINITE.get(body.lower())
    if special is not None:
        if finite:
            raise ValueError(f"the number must be a finite number, not “{shown}”")
        return -special if cleaned.startswith("-") else special
    match = _NUMBER.match(cleaned)
    if match is None:
        raise ValueError(f"“{shown[:40]}” is not a number ({EXAMPLES})" if shown
                         else f"an empty text is not a number ({EXAMPLES})")
    value = float(match.group(1))
    if match.group(2) is not None:
        denominator = float(match.group(2))
        if denominator == 0:
            raise ValueError(f"“{shown}” is not a number: a fraction cannot have 0 as its "
                             "denominator")
        value /= denominator
    if not math.isfinite(value):
        raise ValueError(f"the number must be a finite number: “{shown[:40]}” is too large")
    return value


def parse_positive(text: str) -> float:
    """A number greater than 0 (a learning rate, a tolerance)."""
    value = parse_number(text)
    if value <= 0:
        raise ValueError(f"{value:g} is not positive: it must be greater than 0")
    return value


# --------------------------------------------------------------------------- matrices

MAX_MATRIX_LENGTH = 100_000  # characters: a typed matrix; checked before splitting
_TRANSPOSED = ("ᵀ", "^T", "^t", "'")
_NESTED_ROW = re.compile(r"\[([^\[\]]*)\]")


def parse_matrix(text: str, *, columns: int | None = None, finite: bool = True
                 ) -> list[list[float]]:
    """The rows of a vector or matrix typed as on paper, each entry by :func:`parse_number`.

    ``[4; 8]`` and ``[4, 8]ᵀ`` are a column, ``[4, 8]`` and ``4 8`` a row; rows are separated
    by ``;`` or new lines, entries by commas or spaces (``[[1, 2], [3, 4]]`` also works).
    Between spaces a comma is a decimal comma (``0,5 1,5``); in a row without spaces,
    ``0,5`` is one number only when one entry per row is expected (``columns=1``).
    """
    if len(text) > MAX_MATRIX_LENGTH:
        raise ValueError(f"that is too long for a matrix ({len(text):,} characters)")
    body = text.strip()
    transposed = False
    for mark in _TRANSPOSED:
        if body.endswith(mark):
            body, transposed = body[:-len(mark)].rstrip(), True
            break
    if body.startswith("[["):
        if not body.endswith("]]"):
            raise ValueError("the brackets do not match")
        texts = _NESTED_ROW.findall(body)
    else:
        if body.startswith("[") and body.endswith("]"):
            body = body[1:-1]
        if "[" in body or "]" in body:
            raise ValueError("the brackets do not match")
        texts = re.split(r"\s*[;\n]\s*", body.strip().rstrip(";"))
    rows = [_matrix_row(row, None if transposed else columns, finite) for row in texts]
    widths = sorted({len(row) for row in rows})
    if len(widths) > 1:
        raise ValueError(f"the rows have different lengths ({', '.join(map(str, widths))}); "
                         "every row needs the same number of entries")
    return [list(column) for column in zip(*rows, strict=True)] if transposed else rows


def _matrix_row(text: str, columns: int | None, finite: bool) -> list[float]:
    text = text.strip().strip(",").strip()
    if not text:
        raise ValueError(f"a row is empty ({EXAMPLES}, rows separated by ;)")
    if re.search(r"\s", text):
        entries = [e for e in (e.strip(",") for e in re.split(r"\s+", text)) if e]
    elif text.count(",") == 1 and columns == 1:
        entries = [text]  # a decimal comma: one entry per row was expected
    else:
        entries = text.split(",")
    return [parse_number(entry, finite=finite) for entry in entries]
