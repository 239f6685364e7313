"""The trace: a run of backpropagation as an ordered tuple of immutable steps.

One step computes one quantity (a node's value, a node's adjoint, an averaged gradient, an
updated parameter) and records how: the formula in symbols, the same formula with numbers, the
result and the keys of the cached quantities it read.  The UI's cursor, the quiz, the exports
and the CLI all read the same trace.

This module holds the types; the steps are built by :mod:`.scalar_pass` (one sample through
a scalar graph), :mod:`.batch_steps` (a batch of them, averaged and updated) and
:mod:`.layer_trace` (the same run in matrix form).
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

import numpy as np

from .notation import (
    format_number,
    to_unicode,
)


class Phase(StrEnum):
    FORWARD = "forward"
    BACKWARD = "backward"
    GRADIENT = "gradient"  # the adjoint of a parameter: what the update uses
    AVERAGE = "average"  # combining per-sample gradients (or losses) over a batch
    UPDATE = "update"  # θ ← θ − η ∇θ
    EVALUATE = "evaluate"  # the loss after the update


class Quantity(StrEnum):
    VALUE = "value"
    ADJOINT = "adjoint"
    UPDATED = "updated"  # a parameter's (or the loss's) value after the update


@dataclass(frozen=True, slots=True, order=True)
class Key:
    """Names one cached quantity: a node's value or adjoint, for one sample (or the batch)."""

    quantity: Quantity
    node: str
    sample: int | None = None

    def __str__(self) -> str:
        where = "" if self.sample is None else f"@{self.sample}"
        return f"{self.quantity}:{self.node}{where}"


@dataclass(frozen=True, slots=True)
class Term:
    """One contribution to a sum of chain-rule products, e.g. ∂ℓ/∂ŷ · β₁."""

    via: str  # the consumer node the contribution comes through
    symbol: str  # markup
    numbers: str  # markup
    factors: tuple[float, ...]  # their product is the contribution

    @property
    def value(self) -> float:
        return math.prod(self.factors)


@dataclass(frozen=True, slots=True)
class Step:
    """One immutable step of the trace."""

    index: int
    phase: Phase
    key: Key  # what this step computes
    lhs: str  # markup, e.g. "\\d{ℓ}{z_1}" or "a_1"
    formula: str  # markup of the right-hand side in symbols
    numbers: str  # markup of the right-hand side with numbers substituted
    result: float | np.ndarray
    reads: tuple[Key, ...] = ()
    terms: tuple[Term, ...] = ()  # for chain-rule sums: one per contribution
    granularity: str = "node"
    shape: tuple[int, ...] = ()
    explanation: str = ""  # plain-language one-liner
    column: bool = False  # the sheet writes this vector (1-D, or 1×n) as a column

    def result_markup(self) -> str:
        """The result as the sheet writes it: a column vector as a column."""
        return format_result(self.result, self.column)

    @property
    def node(self) -> str:
        return self.key.node

    @property
    def sample(self) -> int | None:
        return self.key.sample

    @property
    def number(self) -> int:
        """The step's number as printed everywhere (from 1)."""
        from .notation import step_number

        return step_number(self.index)

    @property
    def cached_adjoints(self) -> tuple[Key, ...]:
        """The adjoints this step reuses: computed by earlier steps, read from the cache."""
        return tuple(k for k in self.reads if k.quantity is Quantity.ADJOINT)

    def line(self, render=to_unicode, result_text: str | None = None) -> str:
        """The whole chain-rule line: ``lhs = formula = numbers = result``."""
        result = result_text if result_text is not None else self.result_markup()
        parts = [self.lhs, self.formula]
        if self.numbers and self.numbers != self.formula:
            parts.append(self.numbers)
        rendered = [render(p) for p in parts]
        if rendered[-1] != render(result):
            rendered.append(render(result))
        return " = ".join(rendered)


def format_result(value: float | np.ndarray, column: bool = False) -> str:
    from .notation import format_array

    if column and np.ndim(value) and np.size(value) == 1:
        return format_number(float(np.ravel(value)[0]))
    if column and np.ndim(value):
        return format_array(np.reshape(value, (-1, 1)))
    return format_array(value) if np.ndim(value) else format_number(float(value))


@dataclass(frozen=True)
class Trace:
    """The steps plus lookups: which step produced a key, and the final numbers."""

    steps: tuple[Step, ...]
    loss_symbol: str = "ℓ"
    producer: dict[Key, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "producer", {s.key: s.index for s in self.steps})

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, index: int) -> Step:
        return self.steps[index]

    def __iter__(self):
        return iter(self.steps)

    def value(self, node: str, sample: int | None = None) -> float | np.ndarray:
        return self.steps[self.producer[Key(Quantity.VALUE, node, sample)]].result

    def adjoint(self, node: str, sample: int | None = None) -> float | np.ndarray:
        return self.steps[self.producer[Key(Quantity.ADJOINT, node, sample)]].result

    def find(self, key: Key) -> Step | None:
        index = self.producer.get(key)
        return None if index is None else self.steps[index]

    def known_before(self, cursor: int) -> set[Key]:
        """Keys already computed when the cursor stands on step ``cursor`` (itself included)."""
        return {s.key for s in self.steps[: cursor + 1]}

    def phase_position(self, cursor: int) -> tuple[Phase, int, int]:
        """(phase, position within the phase, steps in the phase), e.g. Backward 4 / 11."""
        phase = self.steps[cursor].phase
        same = [s.index for s in self.steps if s.phase == phase]
        return phase, same.index(cursor) + 1, len(same)


T = TypeVar("T")


def run_to_end(parts: Generator[None, None, T]) -> T:
    """What a generator built in parts (yielding between them) returns once all are done."""
    while True:
        try:
            next(parts)
        except StopIteration as done:
            return done.value
