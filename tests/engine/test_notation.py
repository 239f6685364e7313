"""The markup renders the same formula as Unicode, LaTeX and HTML; numbers read naturally."""

import math

import numpy as np
import pytest

from tutor.engine import Activation, BiasMode, Layer, Network
from tutor.engine.network import input_symbols, layer_symbols
from tutor.engine.notation import (
    adjoint,
    format_array,
    format_coefficient,
    format_factor,
    format_number,
    instantiate,
    to_html,
    to_latex,
    to_unicode,
)

RENDERINGS = [
    # markup, unicode, latex, html
    (r"\d{ℓ}{z_1}", "∂ℓ/∂z₁", r"\frac{\partial \ell}{\partial z_{1}}", "∂ℓ/∂z<sub>1</sub>"),
    (r"\d{ℓ}{α_{1,1}}", "∂ℓ/∂α₁,₁", r"\frac{\partial \ell}{\partial \alpha_{1,1}}",
     "∂ℓ/∂α<sub>1,1</sub>"),
    ("W^{(2)}_{1,2}", "W⁽²⁾₁,₂", "W^{(2)}_{1,2}", "W<sup>(2)</sup><sub>1,2</sub>"),
    ("ŷ_1", "ŷ₁", r"\hat{y}_{1}", "ŷ<sub>1</sub>"),
    ("h̄_j", "h̄ⱼ", r"\bar{h}_{j}", "h̄<sub>j</sub>"),
    ("x̂", "x̂", r"\hat{x}", "x̂"),
    ("α̂_1", "α̂₁", r"\hat{\alpha}_{1}", "α̂<sub>1</sub>"),
    (r"\mat{1,2;3,4}", "[1, 2; 3, 4]", r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}",
     "[1, 2; 3, 4]"),
    (r"\mat{1,−2}", "[1, −2]", r"\begin{bmatrix} 1 & -2 \end{bmatrix}", "[1, −2]"),
    (r"a \cdot b \odot c\T", "a · b ⊙ cᵀ", r"a \cdot b \odot c^\top", "a · b ⊙ cᵀ"),
    ("x^{(n)}", "x⁽ⁿ⁾", "x^{(n)}", "x<sup>(n)</sup>"),
    ("z_{q}", "z_q", "z_{q}", "z<sub>q</sub>"),
    ("w_{10}", "w₁₀", "w_{10}", "w<sub>10</sub>"),
    ("σ′(z)", "σ′(z)", r"\sigma'(z)", "σ′(z)"),
    ("ηx", "ηx", r"\eta x", "ηx"),
    ("½‖r‖^2", "½‖r‖²", r"\tfrac{1}{2}\|r\|^{2}", "½‖r‖<sup>2</sup>"),
    ("a < b & 100%", "a < b & 100%", r"a < b \& 100\%", "a &lt; b &amp; 100%"),
    ("y log ŷ + exp(x)", "y log ŷ + exp(x)", r"y \log \hat{y} + \exp(x)",
     "y log ŷ + exp(x)"),
    ("ReLU′(z) logit", "ReLU′(z) logit", r"\operatorname{ReLU}'(z) logit", "ReLU′(z) logit"),
]


@pytest.mark.parametrize(("markup", "unicode", "latex", "html"), RENDERINGS)
def test_markup_renders_three_ways(markup: str, unicode: str, latex: str, html: str) -> None:
    assert to_unicode(markup) == unicode
    assert to_latex(markup) == latex
    assert to_html(markup) == html


def test_nested_derivative_of_a_subscripted_superscripted_symbol() -> None:
    markup = adjoint("L", "W^{(1)}_{2,1}")
    assert to_unicode(markup) == "∂L/∂W⁽¹⁾₂,₁"
    assert to_latex(markup) == r"\frac{\partial L}{\partial W^{(1)}_{2,1}}"


def test_unknown_backslash_words_stay_literal() -> None:
    assert to_unicode(r"\cdotx") == r"\cdotx"  # an operator name must end at a non-letter
    assert to_unicode(r"\dx") == r"\dx"


def test_unbalanced_braces_do_not_crash() -> None:
    assert to_unicode("x_{12") == "x₁₂"


@pytest.mark.parametrize(("value", "text"), [
    (7, "7"), (7.0, "7"), (-3.0, "−3"), (0.5, "0.5"), (-0.2, "−0.2"), (0.0, "0"),
    (-0.0, "0"), (1 / 3, "0.333333"), (123456789.0, "123456789"), (12345678.9, "1.23457e7"),
    (1.23456789e-7, "1.23457e−7"), (-3e-5, "−3e−5"), (1e20, "1e20"), (2.5e15, "2.5e15"),
    (6.9999999999, "7"), (-3.4771603e-11, "−3.47716e−11"), (1e-300, "1e−300"),
    (math.nan, "NaN"), (math.inf, "∞"), (-math.inf, "−∞"),
    # a saturated σ or tanh keeps the digits that make 1 − σ non-zero
    (0.99999941, "0.99999941"), (-0.9999997, "−0.9999997"), (0.9999546, "0.999955"),
    (1 + 2e-7, "1.0000002"), (1 - 1e-12, "1"), (2.9999997, "3"),
])
def test_format_number(value: float, text: str) -> None:
    assert format_number(value) == text


def test_format_number_never_uses_an_ascii_minus() -> None:
    for value in (-1.5, -1e-9, -1e300, -7):
        assert "-" not in format_number(value)


def test_format_factor_parenthesises_negatives_only() -> None:
    assert format_factor(-0.2) == "(−0.2)"
    assert format_factor(0.2) == "0.2"
    assert format_factor(-math.inf) == "(−∞)"


@pytest.mark.parametrize(("value", "text"), [
    (1.0, ""), (0.5, "½"), (2.0, "2"), (1 / 3, "(1/3)"), (2 / 3, "(2/3)"), (0.25, "(1/4)"),
    (1 / 6, "(1/6)"), (0.123456789, "0.123457"),
])
def test_format_coefficient(value: float, text: str) -> None:
    assert format_coefficient(value) == text


def test_format_array() -> None:
    assert format_array([1.0, -2.0]) == r"\mat{1,−2}"
    assert format_array([[1.0, 2.5], [3.0, 4.0]]) == r"\mat{1,2.5;3,4}"
    assert format_array(3.0) == "3"
    assert to_unicode(format_array([[1.0, 2.0], [3.0, 4.0]])) == "[1, 2; 3, 4]"


def test_instantiate_fills_longer_names_first() -> None:
    assert instantiate("α_{$j,$i}", j=1, i=0) == "α_{1,0}"
    assert instantiate("w^{($l)}_{$j$i}", l=2, j=1, i=3) == "w^{(2)}_{13}"


def test_large_arrays_show_their_corners_with_ellipses():
    matrix = np.arange(20 * 30, dtype=float).reshape(20, 30)
    text = to_unicode(format_array(matrix))
    rows = text.strip("[]").split("; ")
    assert len(rows) == 7 and rows[4] == ", ".join(["⋮"] * 7)
    assert rows[0] == "0, 1, 2, 3, …, 28, 29" and rows[-1] == "570, 571, 572, 573, …, 598, 599"
    assert to_unicode(format_array(np.arange(12.0))).count(",") == 11  # 12 entries: all shown


@pytest.mark.parametrize(("bias", "names"), [
    (BiasMode.FOLDED, ("x₀", "x₁")),  # x₀ = 1 beside the one input: keep its index
    (BiasMode.SEPARATE, (None, "x")),
])
def test_a_single_input_keeps_its_index_only_beside_an_intercept(bias, names) -> None:
    network = Network(1, (Layer(1, Activation(), bias),))
    intercept, single = names
    assert to_unicode(input_symbols(network)[0]) == single
    if intercept is not None:
        assert to_unicode(layer_symbols(network, 0).intercept) == intercept


def test_a_samples_quantities_are_named_apart_as_the_sheet_names_them():
    from tutor.engine.network import per_sample_label

    # INF264 names a sample's loss L(x₁, y₁): its adjoints follow, other values are numbered
    inf = ("L", "L(x_{$n}, y_{$n})")
    assert per_sample_label("\\d{L}{w_0}", 1, *inf) == "\\d{L(x_{1}, y_{1})}{w_0}"
    assert per_sample_label("L(x_{2}, y_{2})", 2, *inf) == "L(x_{2}, y_{2})"
    assert per_sample_label("ŷ", 2, *inf) == "ŷ^{(2)}"
    # a sheet that names no sample's loss numbers them all
    assert per_sample_label("\\d{ℓ}{w_0}", 1, "ℓ", "") == "\\d{ℓ}{w_0}^{(1)}"
