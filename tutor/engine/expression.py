"""Computation graphs of scalar expressions (placeholder until the parser lands)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


class ExpressionError(ValueError):
    """A program that is not in the grammar; ``column`` points at the offending character."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


@dataclass(frozen=True)
class ExpressionProblem:
    program: str
    values: Mapping[str, float]
    symbols: Mapping[str, str] = field(default_factory=dict)
    differentiate: tuple[str, ...] | None = None
    learning_rate: float = 0.1
    trainable: tuple[str, ...] = ()
