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


def _ink_columns(item, scale: float = 4.0) -> tuple[set[int], set[int]]:
    """The pixel columns of dark ink in the top and the bottom half of the symbol's line,
    drawn on white ``scale`` times enlarged."""
    from PySide6.QtGui import QColor, QImage, QPainter

    rect = item.text_rects()[0]
    image = QImage(int(rect.width() * scale) + 40, int(rect.height() * scale) + 40,
                   QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.translate(20 - rect.left() * scale, 20 - rect.top() * scale)
    painter.scale(scale, scale)
    item._draw_texts(painter, item.body(), theme().palette)
    painter.end()
    middle = 20 + rect.height() * scale * 0.42  # a hat is drawn above the x-height
    top, bottom = set(), set()
    for y in range(image.height()):
        for x in range(image.width()):
            if QColor(image.pixel(x, y)).lightness() < 128:
                (top if y < middle else bottom).add(x)
    return top, bottom


def test_a_hat_in_a_node_label_is_drawn_over_its_letter(qapp):
    """A combining circumflex (x̂) fell left of its letter in the usual Linux font."""
    from tutor.ui.diagram.items import NodeItem

    hat, letter = _ink_columns(NodeItem("n", "g", "x\u0302"))
    assert hat, "no ink above the letter"
    assert min(hat) >= min(letter) - 2 and max(hat) <= max(letter) + 2, (hat, letter)
