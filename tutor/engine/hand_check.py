"""The hand-check: recompute a printed step from its printed numbers, as a student would.

A step prints ``lhs = formula = numbers = result``.  :func:`check_step` reads the *printed*
numbers (the Unicode text a student sees: ``2.69657 · 0.5``, ``[1; 2] 4``,
``½‖[1.27241, 1.44303]‖²``, ``σ([0; 2.5])``), evaluates them, rounds the outcome to the
printed precision (:func:`~tutor.engine.hand.hand_round`) and compares it with the printed
result.  In hand mode every step must pass; in the exact mode the last digit may not.

Juxtaposition is a product, as on the sheets: a matrix product when the shapes chain
(``[4; 8] [1, 1, 2]`` is an outer product), a scaling when one side is a number.  Square
brackets holding ``,`` or ``;`` are a matrix, otherwise a group (``½[(a − b)² + …]``).
Text that is not arithmetic (``[d is the max]``, a symbolic loss) is *not checkable*, which
the caller is told; it is never guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .activations import sigmoid, softplus
from .hand import round_values
from .notation import to_unicode
from .trace import Step


class NotCheckable(ValueError):
    """The printed numbers are not plain arithmetic (words, elided entries)."""


@dataclass(frozen=True)
class Mismatch:
    """A printed result that its printed numbers do not give."""

    step: int  # the step's number as printed (from 1)
    line: str
    recomputed: str

    def __str__(self) -> str:
        return f"step {self.step}: {self.line}  (the printed numbers give {self.recomputed})"


Functions = dict[str, Callable[[np.ndarray], np.ndarray]]
_FUNCTIONS: Functions = {
    "σ": sigmoid, "tanh": np.tanh, "ReLU": lambda z: np.maximum(z, 0.0), "exp": np.exp,
    "log": np.log, "ln": np.log, "sin": np.sin, "cos": np.cos, "softplus": softplus,
    "sqrt": np.sqrt,
}
_TOKEN = re.compile(r"\s*(?:(?P<number>(?:\d+\.?\d*|\.\d+)(?:e−?\d+)?)"
                    r"|(?P<op>[−+·⊙/()\[\],;‖ᵀ²³½>])|(?P<name>[^\W\d_]+))")


_POWERS = {"²": 2, "³": 3}


def _tokens(text: str) -> list[str]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise NotCheckable(f"“{text[position:position + 12]}” is not arithmetic")
        tokens.append(match.group(match.lastgroup))
        position = match.end()
    return tokens


class _Reader:
    """Recursive descent over the tokens; values are floats or 2-D arrays."""

    def __init__(self, text: str, functions: Functions) -> None:
        self.functions = {**_FUNCTIONS, **functions}
        self.tokens = _tokens(text)
        self.at = 0
        self.norms = 0  # inside ‖…‖: a ‖ closes rather than opens

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise NotCheckable(f"expected {expected or 'more'}, found {token}")
        self.at += 1
        return token

    def whole(self) -> np.ndarray | float:
        value = self.sum()
        if self.peek() is not None:
            raise NotCheckable(f"unexpected “{self.peek()}”")
        return value

    def sum(self) -> np.ndarray | float:
        negate = self.peek() == "−" and bool(self.take())
        value = self.product()
        value = -value if negate else value
        while self.peek() in ("+", "−"):
            op = self.take()
            right = self.product()
            value = _elementwise(value, right, np.add if op == "+" else np.subtract)
        if self.peek() == ">":  # an Iverson bracket's test, [3 > 0]
            self.take()
            value = np.asarray(value > self.product(), dtype=float)
        return value

    def product(self) -> np.ndarray | float:
        value = self.postfix()
        while True:
            token = self.peek()
            if token in ("·", "⊙", "/"):
                self.take()
                right = self.postfix()
                value = (_times(value, right) if token == "·" else
                         _elementwise(value, right, np.multiply if token == "⊙" else np.divide))
            elif token is not None and self._starts_factor(token):
                value = _times(value, self.postfix())
            else:
                return value

    def _starts_factor(self, token: str) -> bool:
        if token == "‖":
            return self.norms == 0
        return token in ("(", "[", "½") or token[0].isdigit() or token[0] == "." \
            or token in self.functions or token in ("max", "min")

    def postfix(self) -> np.ndarray | float:
        value = self.primary()
        while self.peek() in ("ᵀ", "²", "³"):
            mark = self.take()
            value = np.transpose(value) if mark == "ᵀ" else np.power(value, _POWERS[mark])
        return value

    def primary(self) -> np.ndarray | float:
        token = self.take()
        if token[0].isdigit() or token[0] == ".":
            return float(token.replace("−", "-"))
        if token == "½":
            return 0.5
        if token == "(":
            value = self.sum()
            self.take(")")
            return value
        if token == "‖":
            self.norms += 1
            inner = self.sum()
            self.norms -= 1
            self.take("‖")
            return float(np.sqrt(np.sum(np.square(inner))))
        if token == "[":
            return self._bracket()
        if token in ("max", "min"):
            self.take("(")
            first = self.sum()
            self.take(",")
            second = self.sum()
            self.take(")")
            return (max if token == "max" else min)(first, second)
        if token in self.functions:  # σ(…), and log 0.39 as the BCE line writes it
            value = self.postfix()
            result = self.functions[token](np.asarray(value, dtype=float))
            return float(result) if np.ndim(result) == 0 else result
        raise NotCheckable(f"“{token}” is not a number")

    def _bracket(self) -> np.ndarray | float:
        rows: list[list] = [[self.sum()]]
        while self.peek() in (",", ";"):
            if self.take() == ";":
                rows.append([])
            rows[-1].append(self.sum())
        self.take("]")
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]  # a group: ½[(a − b)² + (c − d)²], or [3 > 0]
        if any(np.ndim(v) for row in rows for v in row) or len({len(r) for r in rows}) > 1:
            raise NotCheckable("a matrix of matrices")
        return np.array(rows, dtype=float)


def _elementwise(left, right, op) -> np.ndarray | float:
    if np.ndim(left) and np.ndim(right) and np.shape(left) != np.shape(right):
        raise NotCheckable(f"shapes {np.shape(left)} and {np.shape(right)} do not match")
    value = op(left, right)
    return float(value) if np.ndim(value) == 0 else value


def _times(left, right) -> np.ndarray | float:
    """A product as the sheets write it: matrix product when the shapes chain, else scaling."""
    if np.ndim(left) == 2 and np.ndim(right) == 2:
        if left.shape[1] == right.shape[0]:
            return left @ right
        if left.size != 1 and right.size != 1:
            raise NotCheckable(f"shapes {left.shape} and {right.shape} do not chain")
    value = np.multiply(left, right)
    return float(value) if np.ndim(value) == 0 else value


def evaluate(text: str, functions: Functions | None = None) -> np.ndarray | float:
    """The value of printed numbers (Unicode), e.g. ``2 · (−1.34828)`` → −2.69656.
    ``functions`` adds names a sheet gives its own functions (INF264's activation ``g``)."""
    if "…" in text or "⋮" in text:
        raise NotCheckable("some entries are not shown")
    return _Reader(text, functions or {}).whole()


def check_step(step: Step, functions: Functions | None = None) -> Mismatch | None:
    """None when the printed result is what the printed numbers give at the printed
    precision; a :class:`Mismatch` otherwise.  Raises :class:`NotCheckable` when the step
    prints no numbers to recompute from, or numbers that are not plain arithmetic."""
    numbers = to_unicode(step.numbers) if step.numbers != step.formula else ""
    if not numbers.strip():
        raise NotCheckable("the step prints no numbers")
    printed = evaluate(to_unicode(step.result_markup()))
    recomputed = round_values(evaluate(numbers, functions))
    if _same(recomputed, printed):
        return None
    shown = np.array2string(np.asarray(recomputed), separator=", ")
    return Mismatch(step.number, step.line(), shown)


def _same(recomputed, printed) -> bool:
    """Equal entries; a vector may be printed in the sheet's orientation (a gradient of a
    row written as the column it updates), a matrix may not be transposed."""
    left, right = np.atleast_2d(recomputed), np.atleast_2d(printed)
    if left.shape != right.shape:
        if left.size != right.size or min(left.shape) != 1 or min(right.shape) != 1:
            return False
        left, right = left.ravel(), right.ravel()
    return bool(np.all((left == right) | (np.isnan(left) & np.isnan(right))))


def check_trace(steps, functions: Functions | None = None
                ) -> tuple[list[Mismatch], list[tuple[int, str]]]:
    """(mismatches, not checkable as (step number, why)) over a trace's steps."""
    mismatches, unchecked = [], []
    for step in steps:
        try:
            found = check_step(step, functions)
        except (NotCheckable, ValueError, OverflowError) as reason:
            unchecked.append((step.number, str(reason)))
            continue
        if found is not None:
            mismatches.append(found)
    return mismatches, unchecked


__all__ = ["Mismatch", "NotCheckable", "check_step", "check_trace", "evaluate"]
