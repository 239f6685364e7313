"""The shared visual vocabulary: signs and states are never told by colour alone."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF

from tutor.ui.style import PALETTES, NodeState, Palette, node_pen, theme, weight_pen


def test_weight_sign_is_also_a_line_style_and_magnitude_a_width(qapp):
    palette = Palette.light()
    positive, negative = weight_pen(2.0, 4.0, palette), weight_pen(-2.0, 4.0, palette)
    assert positive.style() == Qt.PenStyle.SolidLine
    assert negative.style() == Qt.PenStyle.DashLine
    assert weight_pen(4.0, 4.0, palette).widthF() > positive.widthF()
    assert positive.widthF() == negative.widthF()


def test_states_differ_by_outline(qapp):
    for make in PALETTES.values():
        palette = make()
        pens = {state: node_pen(state, palette) for state in NodeState}
        assert pens[NodeState.CURRENT].widthF() > pens[NodeState.COMPUTED].widthF()
        assert pens[NodeState.CACHED_READ].style() == Qt.PenStyle.DashLine
        assert pens[NodeState.PENDING].style() == Qt.PenStyle.DotLine
        assert palette.positive != palette.negative


def test_font_scale_is_clamped_and_scales_fonts(qapp):
    t = theme()
    base = t.font().pointSizeF()
    try:
        t.set_font_scale(2.0)
        assert t.font().pointSizeF() == 2 * base
        t.set_font_scale(100)
        assert t.font_scale == 4.0
    finally:
        t.set_font_scale(1.0)


def test_remembered_label_widths_follow_the_font_scale(qapp):
    t, text = theme(), "∂ℓ/∂z₁ = −0.0161573"
    before = t.font_scale
    try:
        font = t.label_font(1.1)
        width = t.text_width(font, text)
        assert width == QFontMetricsF(font).horizontalAdvance(text) > 0
        assert t.text_width(font, text) == width and t.text_width(font, "") == 0.0
        t.set_font_scale(before * 2)
        bigger = t.text_width(t.label_font(1.1), text)
        assert bigger == QFontMetricsF(t.label_font(1.1)).horizontalAdvance(text) > 1.5 * width
    finally:
        t.set_font_scale(before)
