"""The one parser for typed numbers: what it accepts and how it refuses."""

from __future__ import annotations

import math
import re

import pytest

from tutor.engine.numbers import MAX_LENGTH, parse_number, parse_positive


@pytest.mark.parametrize(("text", "value"), [
    ("7", 7.0), ("-0.5", -0.5), ("−0.5", -0.5), ("–2", -2.0), ("+3", 3.0), ("0,5", 0.5),
    ("−0,25", -0.25), ("1/3", 1 / 3), ("-3/4", -0.75), ("1e-3", 0.001), ("3E2", 300.0),
    (".5", 0.5), ("5.", 5.0), ("1/4e1", 0.025), ("1\u2009000", 1000.0), (" 2 ", 2.0),
])
def test_what_a_person_types(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(("text", "message"), [
    ("abc", "“abc” is not a number (try 0.5, −2 or 1/3)"),
    ("", "an empty text is not a number"),
    ("2+3", "is not a number"), ("1,000.5", "is not a number"), ("0,2,5", "is not a number"),
    ("0x10", "is not a number"), ("1_000", "is not a number"), ("3 4", "is not a number"),
    ("1//2", "is not a number"), ("__import__('os')", "is not a number"),
    ("1/0", "a fraction cannot have 0 as its denominator"),
    ("inf", "must be a finite number"), ("nan", "must be a finite number"),
    ("1e999", "“1e999” is too large"),
    ("9" * (MAX_LENGTH + 1), "too long for a number"),
])
def test_anything_else_is_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_number(text)


def test_non_finite_numbers_only_when_asked() -> None:
    assert parse_number("∞", finite=False) == math.inf
    assert parse_number("−∞", finite=False) == -math.inf
    assert math.isnan(parse_number("nan", finite=False))
    with pytest.raises(ValueError, match="is not a number"):
        parse_number("∞∞", finite=False)


def test_positive_numbers() -> None:
    assert parse_positive("0,05") == 0.05
    for text in ("0", "-1"):
        with pytest.raises(ValueError, match="not positive"):
            parse_positive(text)
