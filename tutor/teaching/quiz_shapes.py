"""Vectors and matrices typed in the sheet's shape, for the quiz's layer-granularity steps.

A step's result is a column when the sheet writes it as one (CMU's ∂ℓ/∂a = [4; 8]), a row
when it writes a row (FTML's ∂l/∂h), or a matrix.  A student types it that way — ``[4; 8]``,
``[4, 8]ᵀ``, rows on separate lines — and an answer in the other orientation is refused with
a message that says how the sheet writes it, rather than marked wrong.
"""

from __future__ import annotations

import numpy as np

from tutor.engine import Step, numbers


class ShapeError(ValueError):
    """A typed matrix that is not in the shape the sheet writes."""


def sheet_shape(step: Step) -> tuple[int, int]:
    """(rows, columns) of ``step``'s result as the sheet writes it (a number is 1×1)."""
    shape = np.shape(step.result)
    if len(shape) == 0:
        return (1, 1)
    if len(shape) == 1:
        return (shape[0], 1) if step.column else (1, shape[0])
    if step.column and shape[0] == 1:
        return (shape[1], 1)
    return (int(shape[0]), int(shape[1]))


def describe(shape: tuple[int, int]) -> str:
    """``a column of 2 numbers``, ``a row of 3 numbers``, ``a 2×3 matrix``."""
    rows, columns = shape
    if columns == 1:
        return f"a column of {rows} numbers"
    if rows == 1:
        return f"a row of {columns} numbers"
    return f"a {rows}×{columns} matrix"


def example(shape: tuple[int, int]) -> str:
    """How to type a value of ``shape``: ``[4; 8] or [4, 8]ᵀ``, ``[4, 12, 8]``, ``[1, 2; 3, 4]``."""
    rows, columns = shape
    if columns == 1:
        return "[a; b; …] or [a, b, …]ᵀ" if rows > 2 else "[a; b] or [a, b]ᵀ"
    if rows == 1:
        return "[a, b, …]"
    return "rows separated by ; as in [a, b; c, d]"


def typing_hint(step: Step) -> str:
    """The answer box's placeholder for ``step``."""
    shape = sheet_shape(step)
    if shape == (1, 1):
        return "Your answer, e.g. 0.25 or 1/2; Return checks it"
    return f"{describe(shape).capitalize()}: {example(shape)}; Return checks it"


def parse_shaped(text: str, shape: tuple[int, int]) -> np.ndarray:
    """The entries of ``text`` row by row, if it is typed in ``shape`` (see module doc).

    A matrix typed as one flat row of all its entries is read row by row, as before rows
    were asked for.  Raises :class:`ShapeError` for the transposed shape and ``ValueError``
    for text that is not a matrix of numbers.
    """
    rows, columns = shape
    typed = np.array(numbers.parse_matrix(text, columns=columns, finite=False), dtype=float)
    if typed.shape == shape:
        return typed.ravel()
    if typed.size != rows * columns:  # "4,8" read as 4.8 for a column? read it as two
        plain = np.array(numbers.parse_matrix(text, finite=False), dtype=float)
        typed = plain if plain.size == rows * columns else typed
    if typed.shape == (columns, rows) and rows != columns:
        where = ("a column" if columns == 1 else "a row" if rows == 1
                 else f"{rows} rows of {columns}")
        raise ShapeError(f"the sheet writes this as {where}: type it as {example(shape)}")
    if typed.size == rows * columns and typed.shape[0] == 1 and min(shape) > 1:
        return typed.ravel()  # every entry in one row: row by row
    if typed.size != rows * columns:
        raise ShapeError(f"expected {rows * columns} numbers (row by row), got {typed.size}: "
                         f"the sheet writes {describe(shape)}")
    raise ShapeError(f"the sheet writes this as {describe(shape)}; you typed "
                     f"{describe(typed.shape)}")
