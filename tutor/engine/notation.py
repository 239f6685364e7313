"""Math markup shared by the trace, the UI and the exports.

Formulas are stored once, in a small LaTeX-like markup, and rendered three ways:
plain Unicode (the UI and the CLI), LaTeX and HTML (answer keys).

The markup understands:
  - ``_{...}`` / ``^{...}`` (or a single character after ``_`` / ``^``): sub/superscripts;
  - ``\\d{ℓ}{z_1}``: the partial derivative ∂ℓ/∂z₁;
  - ``\\mat{1,2;3,4}``: a matrix (rows split by ``;``);
  - ``\\cdot``, ``\\odot``, ``\\T`` (transpose), ``\\sum``: the usual operators;
  - ``{...}``: a group, so that ``{b^T}^{new}`` puts one superscript on another (LaTeX's
    "double superscript" otherwise); Unicode and HTML show its contents.
Anything else is literal text, so Unicode symbols such as α, ŷ or h̄ are written as they are.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import lru_cache

import numpy as np

from .markup_render import (
    _PRECOMPOSED,
    _WORD_END,
    UPDATED,
    _accented,
    _html,
    _latex,
    _unicode,
)


@lru_cache(maxsize=4096)  # traces and views render the same symbols and sentences again
def to_unicode(markup: str) -> str:
    """Render markup as plain Unicode text, e.g. ``\\d{ℓ}{α_{1,1}}`` → ``∂ℓ/∂α₁,₁``."""
    return _unicode.render(markup)


def to_latex(markup: str) -> str:
    """Render markup as LaTeX math (without the surrounding ``$``)."""
    for composed, decomposed in _PRECOMPOSED.items():
        markup = markup.replace(composed, decomposed)
    latex = re.sub(f"{_WORD_END}(?=[A-Za-z])", " ", _latex.render(markup))
    return _FUNCTION_NAME.sub(_upright, _accented(latex.replace(_WORD_END, "")))


# function names set upright, as \log x and not the italic product l·o·g·x
_FUNCTION_NAME = re.compile(r"(?<![\\A-Za-z])(log|ln|exp|sin|cos|tan|sinh|cosh|tanh|ReLU|"
                            r"softplus)(?![A-Za-z])")
_LATEX_OPERATORS = {"log", "ln", "exp", "sin", "cos", "tan", "sinh", "cosh", "tanh"}


def _upright(match: re.Match[str]) -> str:
    name = match.group(1)
    return f"\\{name}" if name in _LATEX_OPERATORS else f"\\operatorname{{{name}}}"


def to_html(markup: str) -> str:
    """Render markup as HTML with ``<sub>``/``<sup>``."""
    return _html.render(markup)


RENDERERS: dict[str, Callable[[str], str]] = {
    "unicode": to_unicode, "latex": to_latex, "html": to_html,
}


# --------------------------------------------------------------------------- numbers

def format_number(value: float, digits: int = 6) -> str:
    """A number as a student would write it: ``7``, ``0.5``, ``−0.2``, ``1.2346e-07``."""
    return _format_number(float(value), digits)


def printed_digits(value: float, digits: int = 6) -> int:
    """The significant digits :func:`format_number` prints ``value`` with: ``digits``, more
    next to ±1, as a saturated σ is, so the gap stays visible (or 1 − ŷ would print as
    1 − 1 and the numbers could not be recomputed)."""
    rounded = round(value)
    gap = abs(value - rounded)
    if (rounded == 1 or rounded == -1) and 0 < gap < 1e-4:
        return max(digits, math.ceil(math.log10(abs(value) / gap)) + 1)
    return digits


def snaps_to_whole(value: float) -> bool:
    """Whether :func:`format_number` prints ``value`` as the whole number it is within 1e-9
    of (6.9999999999 as 7), never a small non-zero number (3e-11) as 0."""
    rounded = round(value)
    return bool(rounded) and abs(value - rounded) < 1e-9 * abs(value) and abs(value) < 1e15


@lru_cache(maxsize=1 << 14)  # a trace shows each weight in every sample's steps
def _format_number(value: float, digits: int) -> str:
    if not math.isfinite(value):
        return "NaN" if value != value else ("∞" if value > 0 else "−∞")
    if value == 0:
        return "0"
    if snaps_to_whole(value):
        text = str(round(value))
    else:
        digits = printed_digits(value, digits)
        text = f"{value:.6g}" if digits == 6 else f"{value:.{digits}g}"  # the literal is faster
        if "e" in text:
            mantissa, exponent = text.split("e")
            text = f"{mantissa}e{int(exponent)}"
    return text.replace("-", "−")


def format_coefficient(value: float) -> str:
    """A constant factor written in front of a term: ``""`` for 1, ``½``, ``2``, ``(1/3)``."""
    if value == 1.0:
        return ""
    if value == 0.5:
        return "½"
    for denominator in range(1, 101):
        numerator = value * denominator
        if abs(numerator - round(numerator)) < 1e-12 * denominator and round(numerator) != 0:
            top = format_number(round(numerator))
            return top if denominator == 1 else f"({top}/{denominator})"
    return format_factor(value)


def format_factor(value: float) -> str:
    """A number placed in a product: negative numbers get parentheses."""
    text = _format_number(float(value), 6)
    return f"({text})" if text.startswith("−") else text


def format_array(values: np.ndarray | float) -> str:
    """Markup for a scalar, vector (as a column when 1-D is shown as a row) or matrix."""
    array = np.asarray(values, dtype=float)
    if array.ndim == 0:
        return format_number(float(array))
    if array.ndim == 1:
        if array.shape[0] <= ELIDE_AFTER:  # the common case: a short vector, as one row
            return f"\\mat{{{','.join([_format_number(v, 6) for v in array.tolist()])}}}"
        array = array[None, :]
    rows, columns = shown_indices(array.shape[0]), shown_indices(array.shape[1])
    hidden_column = columns.index(None) if None in columns else None
    if None in rows:  # only the shown entries, as floats
        array = array[[r for r in rows if r is not None]]
    if hidden_column is not None:
        array = array[:, [c for c in columns if c is not None]]
    shown = iter(array.tolist())
    texts = []
    for r in rows:
        if r is None:
            texts.append(",".join("⋮" for _ in columns))
            continue
        entries = [_format_number(v, 6) for v in next(shown)]
        if hidden_column is not None:
            entries.insert(hidden_column, "…")
        texts.append(",".join(entries))
    return f"\\mat{{{';'.join(texts)}}}"


ELIDE_AFTER = 12  # a longer row or column shows its first 4 and last 2 entries


def shown_indices(count: int) -> list[int | None]:
    """Indices a reader can take in; ``None`` marks the hidden middle (``…`` or ``⋮``)."""
    if count <= ELIDE_AFTER:
        return list(range(count))
    return [0, 1, 2, 3, None, count - 2, count - 1]


# --------------------------------------------------------------------------- numbering

def step_number(index: int) -> int:
    """The number a person reads for the step at ``index``: steps count from 1 in the app, the
    CLI (``--step``), every answer key and printout."""
    return index + 1


def sample_number(sample: int) -> int:
    """Samples count from 1 too, as the sheets number them (x₁, x₂; L⁽¹⁾, L⁽²⁾)."""
    return sample + 1


def sample_label(sample: int | None) -> str:
    """``sample 1`` for row 0 of the data; ``""`` for the batch."""
    return "" if sample is None else f"sample {sample_number(sample)}"


# --------------------------------------------------------------------------- symbols

def instantiate(template: str, **indices: int) -> str:
    """Fill ``$j``-style placeholders in a symbol template: ``α_{$j,$i}`` → ``α_{1,0}``."""
    for name, value in sorted(indices.items(), key=lambda kv: -len(kv[0])):
        template = template.replace(f"${name}", str(value))
    return template




def updated(symbol: str) -> str:
    """Markup for ``symbol`` after one gradient-descent step: ``{β_1}^{new}`` → β₁ⁿᵉʷ."""
    return f"{{{symbol}}}^{{{UPDATED}}}"


def transpose(symbol: str) -> str:
    """Markup for ``symbolᵀ``: ``x^T``, ``{h^{(1)}}^T`` (one superscript on another needs the
    group), and a symbol the sheet already writes transposed, ``b^T``, back to ``b``."""
    if symbol.endswith("^T"):
        return symbol.removesuffix("^T")
    return f"{{{symbol}}}^T" if "^" in symbol else f"{symbol}^T"


def updated_text(plain: str) -> str:
    """:func:`updated` for a symbol already in plain Unicode (a diagram label): ``β₁ⁿᵉʷ``."""
    return plain + to_unicode(f"^{{{UPDATED}}}")


def loss_after_update(loss: str, symbols: list[str] | tuple[str, ...]) -> str:
    """``𝓛(α^{new}, β^{new})``: the loss at the updated parameters, named as the sheet names
    them (a long list keeps its first two and last one)."""
    shown = [updated(s) for s in symbols]
    if len(shown) > 4:
        shown = [*shown[:2], "…", shown[-1]]
    return f"{loss}({', '.join(shown)})"


def adjoint(loss: str, symbol: str) -> str:
    """Markup for the adjoint ∂loss/∂symbol."""
    return f"\\d{{{loss}}}{{{symbol}}}"


def sample_adjoint(markup: str, loss: str, sample_loss: str, n: int) -> str:
    """Sample n's adjoint as the batch formulas write it: ``markup`` (∂L/∂w₀) of the
    sample's own loss where the sheet names it (``sample_loss``: L(x₁, y₁) gives
    ∂L(x₁, y₁)/∂w₀), else with the sample's number, ∂L/∂w₀⁽¹⁾."""
    prefix = f"\\d{{{loss}}}"
    if sample_loss and loss and markup.startswith(prefix):
        return f"\\d{{{sample_loss}}}" + markup[len(prefix):]
    return f"{markup}^{{({n})}}"
