"""A vector's numbers as a sheet writes them in a formula: a column ``[3; 2]``, a row
``[3, 2]``, one entry as the number it is, and a negative factor in parentheses."""

from __future__ import annotations

import numpy as np

from .notation import format_array, format_number


def vector_text(values: np.ndarray, column: bool) -> str:
    """A vector's numbers as the sheet writes it: a column ``[3; 2]``, a row ``[3, 2]``, and a
    one-entry vector as the number it is."""
    values = np.asarray(values, dtype=float)
    if values.size == 1:
        return format_number(float(values.ravel()[0]))
    return format_array(values[:, None]) if column else format_array(values)


def factor_text(values: np.ndarray, column: bool) -> str:
    """A vector in a product; a negative single number in parentheses."""
    text = vector_text(values, column)
    return f"({text})" if text.startswith("−") else text
