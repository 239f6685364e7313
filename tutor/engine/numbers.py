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
