"""A sheet's closed form of a weight gradient, with the numbers put in.

DS 102 answers ∂𝓛/∂b = 2z₄ · (−z₂) and ∂𝓛/∂A = 2z₄ · (−b ⊙ z₂ ⊙ (1 − z₂)) xᵀ in the forward
pass's own vectors. A layer's ``gradient_form`` (its notation) is such an answer for the
layer's weight matrix; the layer trace writes it after the chain-rule product and puts the
numbers of the very vectors it names in place of their symbols. The result stays the one
backpropagation computed, and the form is shown only when its printed numbers give that
result (the hand-check's arithmetic reads them, as a student would): a wrong form in a file
never prints a false equation.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence

import numpy as np

from .hand_check import evaluate
from .layer_text import LayerShown, error_symbol, is_column
from .network import Network, Residual
from .notation import format_array, to_unicode, transpose
from .vector_text import factor_text, vector_text


def _continues_a_name(char: str) -> bool:
    """True when ``char`` would make the symbol before or after it part of a longer name."""
    return char.isalnum() or char in "_^{\\" or unicodedata.combining(char) > 0


def substitute(form: str, numbers: Mapping[str, str]) -> str:
    """``form`` with every symbol of ``numbers`` replaced by its numbers: the longest symbol
    first (``x^T`` before ``x``), only where it is not part of a longer name (the ``x`` of
    ``exp``), and a coefficient written before a symbol kept as a product (2z₄ → 2 · z₄'s
    numbers)."""
    keys = sorted(numbers, key=len, reverse=True)
    out: list[str] = []
    i = 0
    while i < len(form):
        for key in keys:
            end = i + len(key)
            if (form.startswith(key, i)
                    and not (i and (form[i - 1].isalpha() or form[i - 1] in "_\\"))
                    and not (end < len(form) and _continues_a_name(form[end]))):
                before = form[i - 1] if i else ""
                joint = " \\cdot " if before.isdigit() or before == ")" else ""
                out.append(joint + numbers[key])
                i = end
                break
        else:
            out.append(form[i])
            i += 1
    return "".join(out)


def vector_numbers(network: Network, layers: Sequence[LayerShown], x: np.ndarray,
                   y: np.ndarray, pre: Sequence[np.ndarray], act: Sequence[np.ndarray]
                   ) -> dict[str, str]:
    """Symbol → numbers of one sample's vectors and the parameters, in each one's orientation
    (and its transpose: ``x^T`` is a row where ``x`` is a column)."""
    numbers: dict[str, str] = {}

    def put(symbol: str, values: np.ndarray, column: bool) -> None:
        numbers.setdefault(symbol, factor_text(values, column))
        numbers.setdefault(transpose(symbol), factor_text(values, not column))

    first = is_column(network.layers[0])
    put(network.notation.input_vector, x, first)
    last = is_column(network.layers[-1])
    put(network.notation.target_vector, y, last)
    if network.loss.residual is not Residual.NONE:
        out = act[-1]
        flip = network.loss.residual is Residual.TARGET_MINUS_OUTPUT
        put(error_symbol(network), y - out if flip else out - y, last)
    for n, layer in enumerate(network.layers):
        symbols, column = layers[n].symbols, is_column(layer)
        put(symbols.act_vector, act[n], column)
        if not layer.activation.is_identity:
            put(symbols.pre_vector, pre[n], column)
        if layers[n].bias_text:
            numbers.setdefault(symbols.bias_vector, layers[n].bias_text)
        matrix = layers[n].matrix
        numbers.setdefault(symbols.weight_matrix, layers[n].matrix_text)
        numbers.setdefault(transpose(symbols.weight_matrix),
                           vector_text(matrix[0], True) if matrix.shape[0] == 1
                           else format_array(matrix.T))
    return numbers


def checked_form(form: str, numbers: Mapping[str, str], result: np.ndarray) -> str | None:
    """The form's numbers when they give ``result`` (to the 6 printed digits), else None."""
    text = substitute(form, numbers)
    try:
        value = np.asarray(evaluate(to_unicode(text)), dtype=float)
    except (ValueError, ArithmeticError):  # not arithmetic, or shapes that do not chain
        return None
    if value.size != np.size(result):
        return None
    return text if np.allclose(np.ravel(value), np.ravel(result), rtol=1e-4, atol=1e-9) \
        else None
