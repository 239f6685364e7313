"""Passive graphics items: a node, an edge, an edge's label and an aggregate placeholder.

Items know how to draw themselves in a given state and nothing else; the scenes decide the
state and the texts and update the items in place when the cursor moves.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from tutor.ui.style import NodeState, Palette, node_fill, node_pen, theme, weight_pen

RADIUS = 30.0  # node radius at font scale 1
BADGE_TEXT = "cached"


class Shape(StrEnum):
    CIRCLE = "circle"
    SQUARE = "square"  # a separate bias
    BOX = "box"  # an operation in the computation graph, the loss


def _fonts() -> tuple[QFont, QFont, QFont]:
    """(symbol, number, small) fonts at the theme's scale."""
    t = theme()
    return t.label_font(1.2, bold=True), t.label_font(1.1), t.label_font(1.0)


def _text_width(font: QFont, text: str) -> float:
    return theme().text_width(font, text)


def _draw_tag(painter: QPainter, centre: QPointF, text: str, font: QFont, fill: QColor,
              color: QColor, border: QPen | None = None) -> QRectF:
    """A small rounded label centred on ``centre``; returns its rectangle."""
    metrics = QFontMetricsF(font)
    rect = QRectF(0, 0, metrics.horizontalAdvance(text) + 8, metrics.height() + 2)
    rect.moveCenter(centre)
    painter.setPen(border if border is not None else Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    painter.drawRoundedRect(rect, 4, 4)
    painter.setFont(font)
    painter.setPen(color)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    return rect


class NodeItem(QGraphicsItem):
    """One scalar: its symbol, its value (once known) and its adjoint (once known)."""

    def __init__(self, node_id: str, group: str, symbol: str, shape: Shape = Shape.CIRCLE,
                 *, size: float = 1.0) -> None:
        super().__init__()
        self.node_id = node_id
        self.group = group
        self.symbol = symbol
        self.shape = shape
        self.size = size
        self.value_text = ""
        self.adjoint_text = ""
        self.badge = BADGE_TEXT
        self.caption = ""  # small text under the body: the operation, the fan-out
        self.state = NodeState.PENDING
        self.editable = False
        self.setAcceptHoverEvents(True)
        self.setZValue(2)

    # -- state --------------------------------------------------------------------------

    def show(self, state: NodeState, value_text: str, adjoint_text: str,
             badge: str = BADGE_TEXT) -> None:
        """Update in place; repaints only when something changed."""
        new = (state, value_text, adjoint_text, badge)
        if new == (self.state, self.value_text, self.adjoint_text, self.badge):
            return
        self.prepareGeometryChange()
        self.state, self.value_text, self.adjoint_text, self.badge = new
        self.update()

    # -- geometry -------------------------------------------------------------------------

    def radius(self) -> float:
        return RADIUS * self.size * theme().font_scale

    def body(self) -> QRectF:
        r = self.radius()
        if self.shape is Shape.BOX:
            symbol, number, _ = _fonts()
            width = max(2 * r, _text_width(symbol, self.symbol) + 14,
                        _text_width(number, self.value_text) + 14)
            return QRectF(-width / 2, -r * 0.85, width, 1.7 * r)
        if self.shape is Shape.SQUARE:  # a separate bias: a small square, grown to its texts
            symbol, number, _ = _fonts()
            width = max(1.6 * r, _text_width(symbol, self.symbol) + 8,
                        _text_width(number, self.value_text) + 8)
            height = 1.6 * r
            if self.value_text:  # _draw_texts gives the symbol 45 % and the number 42 %
                height = max(height, QFontMetricsF(symbol).height() / 0.45,
                             QFontMetricsF(number).height() / 0.42)
            return QRectF(-width / 2, -height / 2, width, height)
        symbol, number, _ = _fonts()  # a long symbol like (preₕ)₁ widens the circle too
        width = max(2 * r, _text_width(symbol, self.symbol) + 12,
                    _text_width(number, self.value_text) + 12)
        return QRectF(-width / 2, -r, width, 2 * r)

    def boundingRect(self) -> QRectF:
        body = self.body()
        _, _, small = _fonts()
        tag_h = QFontMetricsF(small).height() + 4
        extra = max(_text_width(small, self.adjoint_text), _text_width(small, self.badge),
                    _text_width(small, self.caption)) + 12
        width = max(body.width(), extra) + 2 * 6
        top = body.top() - 2 * tag_h - 4
        bottom = body.bottom() + (tag_h if self.caption else 0) + 6
        return QRectF(-width / 2, top, width, bottom - top)

    # -- painting -------------------------------------------------------------------------

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        palette = theme().palette
        scale = theme().font_scale
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        body = self.body()
        painter.setBrush(QBrush(node_fill(self.state, palette)))
        painter.setPen(node_pen(self.state, palette, scale))
        if self.state is NodeState.CACHED_READ:  # a double outline: two dashed rings
            self._draw_shape(painter, body.adjusted(-4 * scale, -4 * scale, 4 * scale,
                                                    4 * scale))
        self._draw_shape(painter, body)
        self._draw_texts(painter, body, palette)
        _, _, small = _fonts()
        tag_h = QFontMetricsF(small).height() + 4
        if self.adjoint_text:
            _draw_tag(painter, QPointF(0, body.top() - tag_h / 2 - 3), self.adjoint_text, small,
                      palette.color("background"), palette.color("adjoint"),
                      QPen(palette.color("adjoint"), 1))
        if self.caption:
            painter.setFont(small)
            painter.setPen(palette.color("text"))
            painter.drawText(QRectF(-200, body.bottom() + 2, 400, tag_h),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                             self.caption)
        if self.state is NodeState.CACHED_READ:
            rows = 1.5 if self.adjoint_text else 0.5
            _draw_tag(painter, QPointF(0, body.top() - rows * tag_h - 5), self.badge, small,
                      palette.color("cached_read"), palette.color("background"))

    def _draw_shape(self, painter: QPainter, rect: QRectF) -> None:
        if self.shape is Shape.CIRCLE and rect.width() <= rect.height() + 0.5:
            painter.drawEllipse(rect)
        elif self.shape is Shape.SQUARE:
            painter.drawRect(rect)
        else:
            painter.drawRoundedRect(rect, rect.height() / 2 if self.shape is Shape.CIRCLE
                                    else 8, rect.height() / 2 if self.shape is Shape.CIRCLE
                                    else 8)

    def _draw_texts(self, painter: QPainter, body: QRectF, palette: Palette) -> None:
        symbol_font, number_font, _ = _fonts()
        text_color = palette.color("pending" if self.state is NodeState.PENDING else "text")
        painter.setPen(text_color)
        if not self.value_text:
            painter.setFont(symbol_font)
            painter.drawText(body, Qt.AlignmentFlag.AlignCenter, self.symbol)
            return
        upper = QRectF(body.left(), body.top() + body.height() * 0.08, body.width(),
                       body.height() * 0.45)
        lower = QRectF(body.left(), body.center().y(), body.width(), body.height() * 0.42)
        painter.setFont(symbol_font)
        painter.drawText(upper, Qt.AlignmentFlag.AlignCenter, self.symbol)
        painter.setFont(number_font)
        painter.drawText(lower, Qt.AlignmentFlag.AlignCenter, self.value_text)

    def hoverEnterEvent(self, event) -> None:
        if self.editable:
            self.setCursor(Qt.CursorShape.IBeamCursor)
        super().hoverEnterEvent(event)


class EdgeItem(QGraphicsItem):
    """A line from one item to another; a weight edge is coloured and dashed by sign."""

    def __init__(self, source: QGraphicsItem, target: QGraphicsItem, *,
                 weight_id: str | None = None, arrow: bool = False) -> None:
        super().__init__()
        self.source = source
        self.target = target
        self.weight_id = weight_id
        self.arrow = arrow
        self.value: float | None = None
        self.largest = 1.0
        self.state = NodeState.GIVEN
        self.setZValue(0)
        self._line = (QPointF(), QPointF())
        self.reposition()

    def reposition(self) -> None:
        self.prepareGeometryChange()
        self._line = (self.source.pos(), self.target.pos())

    def point_at(self, t: float) -> QPointF:
        a, b = self._line
        return a + (b - a) * t

    def show(self, value: float | None, largest: float, state: NodeState) -> None:
        if (value, largest, state) == (self.value, self.largest, self.state):
            return
        self.value, self.largest, self.state = value, largest, state
        self.update()

    def boundingRect(self) -> QRectF:
        a, b = self._line
        pad = 12.0 * theme().font_scale
        return QRectF(a, b).normalized().adjusted(-pad, -pad, pad, pad)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        palette = theme().palette
        scale = theme().font_scale
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        a, b = self._line
        if self.state in (NodeState.CURRENT, NodeState.CACHED_READ):
            halo_color = palette.color("current" if self.state is NodeState.CURRENT
                                       else "cached_read")
            halo_color.setAlpha(150)
            halo = QPen(halo_color, 10 * scale)
            halo.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(halo)
            painter.drawLine(a, b)
        if self.weight_id is None:
            pen = QPen(palette.color("edge"), 1.3 * scale)
        else:
            pen = weight_pen(self.value, self.largest, palette, scale)
        if self.state is NodeState.PENDING:
            pen.setColor(palette.color("dim"))
        painter.setPen(pen)
        if not self.arrow:
            painter.drawLine(a, b)
            return
        end = b - self._target_reach()
        painter.drawLine(a, end)
        painter.setBrush(pen.color())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawPath(arrow_path(a, end, 10 * scale))

    def length(self) -> float:
        a, b = self._line
        return max(((b - a).x() ** 2 + (b - a).y() ** 2) ** 0.5, 1e-9)

    def direction(self) -> tuple[float, float]:
        """The unit vector from the source to the target."""
        a, b = self._line
        return (b - a).x() / self.length(), (b - a).y() / self.length()

    def _target_reach(self) -> QPointF:
        """From the target's centre back to where this edge meets its outline."""
        ux, uy = self.direction()
        reach = _reach(_body_of(self.target).adjusted(-2, -2, 2, 2), ux, uy)
        return QPointF(ux * reach, uy * reach)


def _body_of(item: QGraphicsItem) -> QRectF:
    """The shape an edge meets: a node's body (an aggregate stands in as a small square)."""
    return item.body() if hasattr(item, "body") else QRectF(-20, -20, 40, 40)


def _reach(rect: QRectF, ux: float, uy: float) -> float:
    """From the centre of ``rect`` along (ux, uy) to where that ray leaves it."""
    half_w, half_h = rect.width() / 2, rect.height() / 2
    return min(half_w / abs(ux) if ux else 1e9, half_h / abs(uy) if uy else 1e9)


def label_position(edge: EdgeItem, label: EdgeLabelItem, at: float) -> QPointF:
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
        return (half(_body_of(item)) + half(label.body()) + gap) / edge.length()

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
        self.badge = BADGE_TEXT
        self.state = NodeState.GIVEN
        self.editable = False
        self.setZValue(3)

    def show(self, state: NodeState, lines: tuple[str, ...], badge: str = BADGE_TEXT) -> None:
        if (state, lines, badge) == (self.state, self.lines, self.badge):
            return
        self.prepareGeometryChange()
        self.state, self.lines, self.badge = state, lines, badge
        self.update()

    def _fonts(self) -> list[QFont]:
        return _label_fonts(len(self.lines))

    def body(self) -> QRectF:
        fonts = self._fonts()
        width = max(_text_width(f, t) for f, t in zip(fonts, self.lines, strict=True)) + 10
        height = label_height(len(self.lines))
        return QRectF(-width / 2, -height / 2, width, height)

    def boundingRect(self) -> QRectF:
        _, _, small = _fonts()
        pad = 4.0 * theme().font_scale
        above = QFontMetricsF(small).height() + 6
        return self.body().adjusted(-pad, -pad - above, pad, pad)

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
        for n, (font, text) in enumerate(zip(self._fonts(), self.lines, strict=True)):
            height = QFontMetricsF(font).height()
            painter.setFont(font)
            painter.setPen(palette.color(colours[min(n, 2)]))
            painter.drawText(QRectF(body.left(), top, body.width(), height),
                             Qt.AlignmentFlag.AlignCenter, text)
            top += height
        if self.state is NodeState.CACHED_READ:
            _, _, small = _fonts()
            tag_h = QFontMetricsF(small).height() + 2
            _draw_tag(painter, QPointF(body.right() - _text_width(small, self.badge) / 2,
                                       body.top() - tag_h / 2 - 2), self.badge, small,
                      palette.color("cached_read"), palette.color("background"))


class AggregateItem(QGraphicsItem):
    """Stands for the neurons a wide layer does not draw: ``⋮ 779 more``."""

    def __init__(self, group: str, text: str) -> None:
        super().__init__()
        self.group = group
        self.text = text
        self.state = NodeState.GIVEN
        self.setZValue(2)

    def show(self, state: NodeState) -> None:
        if state != self.state:
            self.state = state
            self.update()

    def boundingRect(self) -> QRectF:
        _, number, _ = _fonts()
        metrics = QFontMetricsF(number)
        width = metrics.horizontalAdvance(self.text) + 16
        height = 2 * metrics.height() + 8
        return QRectF(-width / 2, -height / 2, width, height)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        palette = theme().palette
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self.boundingRect()
        pen = node_pen(self.state, palette, theme().font_scale)
        if self.state in (NodeState.GIVEN, NodeState.COMPUTED):
            pen = QPen(palette.color("dim"), 1.0, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(node_fill(self.state, palette))
        painter.drawRoundedRect(rect, 8, 8)
        _, number, _ = _fonts()
        painter.setFont(number)
        painter.setPen(palette.color("text"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "⋮\n" + self.text)


def arrow_path(start: QPointF, end: QPointF, size: float) -> QPainterPath:
    """A small arrow head at ``end`` pointing away from ``start``."""
    path = QPainterPath()
    direction = end - start
    length = max((direction.x() ** 2 + direction.y() ** 2) ** 0.5, 1e-9)
    ux, uy = direction.x() / length, direction.y() / length
    left = QPointF(end.x() - size * (ux - 0.5 * uy), end.y() - size * (uy + 0.5 * ux))
    right = QPointF(end.x() - size * (ux + 0.5 * uy), end.y() - size * (uy - 0.5 * ux))
    path.moveTo(end)
    path.lineTo(left)
    path.lineTo(right)
    path.closeSubpath()
    return path
