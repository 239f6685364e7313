"""A weight's label on its edge, and where along the edge it sits."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from tutor.ui.diagram.tags import body_of, draw_tag
from tutor.ui.diagram.tags import fonts as _fonts
from tutor.ui.diagram.tags import text_width as _text_width
from tutor.ui.style import NodeState, node_pen, theme
from tutor.ui.text import drawable

BADGE_TEXT = "cached"


def label_position(edge, label: EdgeLabelItem, at: float) -> QPointF:
    """Where ``label`` sits on ``edge``: at the fraction ``at`` of its length, or further
    along when that would reach over the source node, as a wide label in presentation mode's
    large text would; never over the target node while the edge is long enough."""
    ux, uy = edge.direction()

    def half(rect: QRectF) -> float:  # half the rectangle's shadow on the edge's line
        return abs(ux) * rect.width() / 2 + abs(uy) * rect.height() / 2

    def clearance(item: QGraphicsItem) -> float:
        """How far along the label's centre must be from ``item``'s: shadows that do not
        overlap on the line mean the label and the node do not overlap either."""
        gap = 8 * theme().font_scale  # beyond a node's double outline (cached and read)
        return (half(body_of(item)) + half(label.body()) + gap) / edge.length()

    first, last = clearance(edge.source), 1 - clearance(edge.target)
    if first > last:  # too short for the label: it overlaps both ends alike
        return edge.point_at((first + last) / 2)
    return edge.point_at(min(max(at, first), last))


def _label_fonts(lines: int) -> list[QFont]:
    """An edge label's fonts: the value's, then smaller for the gradient and the update."""
    _, number, small = _fonts()
    return [number] + [small] * (lines - 1)


def label_height(lines: int) -> float:
    """The height of an edge label of ``lines`` lines."""
    return sum(QFontMetricsF(font).height() for font in _label_fonts(lines)) + 4


class EdgeLabelItem(QGraphicsItem):
    """A weight's label on its edge: ``β₁ = 1``, then ``∂ℓ/∂β₁ = 12`` and ``β₁ⁿᵉʷ = −0.2``."""

    def __init__(self, node_id: str, group: str, symbol: str) -> None:
        super().__init__()
        self.node_id = node_id
        self.group = group
        self.symbol = symbol
        self.lines: tuple[str, ...] = (symbol,)
        self.compact = False  # only the value: a backward step reads the weight, not ∂/∂w
        self.badge = BADGE_TEXT
        self.state = NodeState.GIVEN
        self.editable = False
        self.setZValue(3)

    def show(self, state: NodeState, lines: tuple[str, ...], badge: str = BADGE_TEXT,
             compact: bool = False) -> None:
        if (state, lines, badge, compact) == (self.state, self.lines, self.badge, self.compact):
            return
        self.prepareGeometryChange()
        self.state, self.lines, self.badge, self.compact = state, lines, badge, compact
        self.update()

    def shown_lines(self) -> tuple[str, ...]:
        return self.lines[:1] if self.compact else self.lines

    def _fonts(self) -> list[QFont]:
        return _label_fonts(len(self.shown_lines()))

    def body(self) -> QRectF:
        fonts = self._fonts()
        lines = self.shown_lines()
        width = max(_text_width(f, t) for f, t in zip(fonts, lines, strict=True)) + 10
        height = label_height(len(lines))
        return QRectF(-width / 2, -height / 2, width, height)

    def badge_rect(self) -> QRectF | None:
        """The "cached" badge on the label's top right corner, when it is read."""
        if self.state is not NodeState.CACHED_READ:
            return None
        _, _, small = _fonts()
        body = self.body()
        width = _text_width(small, self.badge) + 8
        height = QFontMetricsF(small).height() + 2
        return QRectF(body.right() - width, body.top() - height - 2, width, height)

    def boundingRect(self) -> QRectF:
        pad = 4.0 * theme().font_scale
        rect = self.body()
        badge = self.badge_rect()
        if badge is not None:
            rect = rect.united(badge)
        return rect.adjusted(-pad, -pad, pad, pad)

    def outline(self) -> QRectF:
        """What other texts and nodes must keep clear of, in scene coordinates."""
        return self.mapRectToScene(self.boundingRect())

    def text_rects(self) -> list[tuple[QRectF, QFont]]:
        """Each line's rectangle in scene coordinates (and the badge's), with its font."""
        body = self.body()
        rects = []
        top = body.top() + 2
        for font, text in zip(self._fonts(), self.shown_lines(), strict=True):
            height = QFontMetricsF(font).height()
            width = _text_width(font, text)
            rects.append((self.mapRectToScene(QRectF(-width / 2, top, width, height)), font))
            top += height
        badge = self.badge_rect()
        if badge is not None:
            rects.append((self.mapRectToScene(badge), _fonts()[2]))
        return rects

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        palette = theme().palette
        scale = theme().font_scale
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        body = self.body()
        if self.state in (NodeState.CURRENT, NodeState.CACHED_READ):
            pen = node_pen(self.state, palette, scale)
            pen.setWidthF(pen.widthF() * 0.7)
        else:
            pen = QPen(palette.color("dim"), 1.0)
        fill = palette.color("current" if self.state is NodeState.CURRENT else "background")
        painter.setPen(pen)
        painter.setBrush(fill)
        painter.drawRoundedRect(body, 5, 5)
        top = body.top() + 2
        colours = ["text", "adjoint", "text"]
        for n, (font, text) in enumerate(zip(self._fonts(), self.shown_lines(), strict=True)):
            height = QFontMetricsF(font).height()
            painter.setFont(font)
            painter.setPen(palette.color(colours[min(n, 2)]))
            painter.drawText(QRectF(body.left(), top, body.width(), height),
                             Qt.AlignmentFlag.AlignCenter, drawable(text))
            top += height
        badge = self.badge_rect()
        if badge is not None:
            draw_tag(painter, badge.center(), self.badge, _fonts()[2],
                      palette.color("cached_read"), palette.color("badge_text"))
