"""A tiny arithmetic evaluator for the rendered ``numbers`` of a trace step (no eval).

Understands what a student would write: numbers (with ``−`` and ``e−7`` exponents), ``+ − · /``,
juxtaposition as multiplication (``0.4(1 − 0.4)``), ``( ) [ ]``, ``²`` and a leading ``½``.
Returns the value and a bound on its error, propagated from the rounding of every number
shown (six significant digits: a relative error of at most 5e-6 each).
"""

from __future__ import annotations

import math
import re

_TOKEN = re.compile(r"\s*(\d+(?:\.\d+)?(?:e[−+-]?\d+)?|[-+−·/()\[\]²½])")
ALLOWED = set("0123456789.e+−·/()[]²½ ")
ROUNDING = 5e-6  # relative error of a number rounded to six significant digits


def _rounding(token: str) -> float:
    """Relative error of a shown number: six significant digits, or more when more are shown
    (a σ near 1 is written 0.99999941 so that 1 − σ keeps its digits).

    Near 1, ``format_number`` writes ⌈log₁₀(size/gap)⌉ + 1 digits; a trailing zero is
    dropped, so 0.99999896 written to 7 digits reads ``0.999999``.  Counting the digits on the
    page would take it for 6 (an error of 5e-6, more than the gap 1e-6 itself).  The digits
    are worked out from the gap on the page, taken as large as the sixth digit's rounding
    allows (−1.0000128 is written to 6 digits, −1.00001, whose own gap would ask for 7): never
    more digits than the engine used.
    """
    if token == "1":  # format_number writes 1 only within 1e-9 of it (more digits otherwise)
        return 1e-9
    mantissa = token.split("e")[0]
    digits = max(6, len(mantissa.replace(".", "").lstrip("0")))
    value = float(mantissa)
    gap = abs(value - 1.0)
    if "e" not in token and 0 < gap < 1e-4:
        half = 5e-6 if value >= 1 else 5e-7  # half a unit in the sixth significant digit
        digits = max(digits, math.ceil(math.log10((value - half) / (gap + half))) + 1)
    return ROUNDING * 10.0 ** (6 - digits)


class Unsupported(ValueError):
    """The text contains something that is not plain arithmetic (a function, a symbol)."""


def tokenize(text: str) -> list[str]:
    if not set(text) <= ALLOWED:
        raise Unsupported(text)
    tokens, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            if text[pos:].strip() == "":
                break
            raise Unsupported(text[pos:])
        tokens.append(match.group(1))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expression(self) -> tuple[float, float]:
        value, error = self.product()
        while self.peek() in ("+", "−", "-"):
            sign = -1.0 if self.take() != "+" else 1.0
            right, right_error = self.product()
            value, error = value + sign * right, error + right_error
        return value, error

    def product(self) -> tuple[float, float]:
        left = self.power()
        while True:
            token = self.peek()
            if token in ("·", "/"):
                self.take()
                right = self.power()
                left = _times(left, right) if token == "·" else _divided(left, right)
            elif token is not None and (token[0].isdigit() or token in "([½"):
                left = _times(left, self.power())  # juxtaposition: 0.4(1 − 0.4)
            else:
                return left

    def power(self) -> tuple[float, float]:
        left = self.atom()
        while self.peek() == "²":
            self.take()
            left = _times(left, left)
        return left

    def atom(self) -> tuple[float, float]:
        token = self.take()
        if token in ("−", "-"):
            value, error = self.power()
            return -value, error
        if token == "½":
            return 0.5, 0.5
        if token in "([":
            inner = self.expression()
            closing = self.take()
            if closing not in ")]":
                raise Unsupported(closing)
            return inner
        number = float(token.replace("−", "-"))
        return number, abs(number) * _rounding(token)


def _times(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    (x, ex), (y, ey) = a, b
    return x * y, abs(x) * ey + abs(y) * ex + ex * ey


def _divided(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    (x, ex), (y, ey) = a, b
    if abs(y) <= ey:
        raise Unsupported("a divisor that rounds to zero")
    return x / y, (abs(x) * ey / abs(y) + ex) / (abs(y) - ey)


def evaluate(text: str) -> tuple[float, float]:
    """(value, error bound) of a plain arithmetic expression; raises Unsupported otherwise."""
    parser = _Parser(tokenize(text))
    if not parser.tokens:
        raise Unsupported(text)
    result = parser.expression()
    if parser.peek() is not None:
        raise Unsupported(text)
    return result
