"""Passive graphics items: a node and an aggregate placeholder (edges: ``edges``, their labels:
``edge_labels``).

Items know how to draw themselves in a given state and nothing else; the scenes decide the
state and the texts and update the items in place when the cursor moves.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from tutor.ui.diagram.tags import Role, TagItem
from tutor.ui.diagram.tags import fonts as _fonts
from tutor.ui.diagram.tags import text_width as _text_width
from tutor.ui.style import NodeState, Palette, node_fill, node_pen, theme
from tutor.ui.text import drawable

RADIUS = 30.0  # node radius at font scale 1
BADGE_TEXT = "cached"


class Shape(StrEnum):
    CIRCLE = "circle"
    SQUARE = "square"  # a separate bias
    BOX = "box"  # an operation in the computation graph, the loss


def _stack_height(with_value: bool) -> float:
    """The height of a node's symbol, over its value when it has one."""
    symbol, number, _ = _fonts()
    return QFontMetricsF(symbol).height() + (QFontMetricsF(number).height() if with_value
                                             else 0.0)


def _halves(body: QRectF) -> tuple[QRectF, QRectF]:
    """Where a node draws its symbol (upper) and its value (lower): stacked, centred."""
    symbol, _, _ = _fonts()
    top = body.center().y() - _stack_height(True) / 2
    symbol_h = QFontMetricsF(symbol).height()
    return (QRectF(body.left(), top, body.width(), symbol_h),
            QRectF(body.left(), top + symbol_h, body.width(),
                   _stack_height(True) - symbol_h))


def _centred(rect: QRectF, font: QFont, text: str) -> QRectF:
    """The rectangle ``text`` takes when drawn centred in ``rect``, in ``rect``'s terms."""
    width, height = _text_width(font, text), QFontMetricsF(font).height()
    return QRectF(rect.center().x() - width / 2, rect.center().y() - height / 2, width, height)


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
        # the adjoint and badge change with the cursor: made now, so a step adds no items;
        # a caption or a quiz mark only when there is one (a big network has many nodes)
        self.tags: dict[Role, TagItem] = {role: TagItem(self, role)
                                          for role in (Role.ADJOINT, Role.BADGE)}
        self._body: tuple[tuple, QRectF] | None = None
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
        self._set_tag(Role.ADJOINT, adjoint_text)
        self._set_tag(Role.BADGE, badge if state is NodeState.CACHED_READ else "")
        self.update()

    def set_asked(self, asked: bool) -> None:
        """Mark the node a quiz asks about (its value or adjoint is still hidden)."""
        self._set_tag(Role.ASKED, "? asked" if asked else "")

    def _set_tag(self, role: Role, text: str) -> None:
        tag = self.tags.get(role)
        if tag is None and text:
            tag = self.tags[role] = TagItem(self, role)
        if tag is not None:
            tag.set_text(text)

    def tag_text(self, role: Role) -> str:
        tag = self.tags.get(role)
        return tag.text if tag is not None else ""

    @property
    def caption(self) -> str:
        """Small text under the body: the operation, the fan-out."""
        return self.tag_text(Role.CAPTION)

    @caption.setter
    def caption(self, text: str) -> None:
        self._set_tag(Role.CAPTION, text)

    # -- geometry -------------------------------------------------------------------------

    def radius(self) -> float:
        return RADIUS * self.size * theme().font_scale

    def body(self) -> QRectF:
        """The node's shape, grown to hold its symbol over its value (kept per text and
        scale: the placement and the painting ask for it thousands of times a step)."""
        t = theme()
        key = (self.value_text, t.font_scale, t.label_scale)
        if self._body is None or self._body[0] != key:
            self._body = (key, self._measure_body())
        return QRectF(self._body[1])

    def _measure_body(self) -> QRectF:
        r = self.radius()
        symbol, number, _ = _fonts()
        text_w = max(_text_width(symbol, self.symbol), _text_width(number, self.value_text))
        text_h = _stack_height(bool(self.value_text))
        if self.shape is Shape.BOX:
            width, height = max(2 * r, text_w + 14), max(1.7 * r, text_h + 6)
        elif self.shape is Shape.SQUARE:  # a separate bias: a small square, grown to its texts
            width, height = max(1.6 * r, text_w + 8), max(1.6 * r, text_h + 6)
        else:  # a circle, or a stadium whose round ends clear the text's corners
            height = max(2 * r, text_h + 4)
            half_h = height / 2
            inset = half_h - (half_h ** 2 - (text_h / 2) ** 2) ** 0.5
            width = max(2 * r, text_w + 2 * inset + 8)
        return QRectF(-width / 2, -height / 2, width, height)

    def boundingRect(self) -> QRectF:
        ring = 6 * theme().font_scale  # the double outline of a cached read, and its pen
        return self.body().adjusted(-ring, -ring, ring, ring)

    def outline(self) -> QRectF:
        """The body and its rings in scene coordinates: what other texts must not cover."""
        return self.mapRectToScene(self.boundingRect())

    def text_rects(self) -> list[QRectF]:
        """The symbol's and the value's rectangles in scene coordinates."""
        body = self.body()
        symbol_font, number_font, _ = _fonts()
        if not self.value_text:
            rects = [_centred(body, symbol_font, self.symbol)]
        else:
            upper, lower = _halves(body)
            rects = [_centred(upper, symbol_font, self.symbol),
                     _centred(lower, number_font, self.value_text)]
        return [self.mapRectToScene(rect) for rect in rects]

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
            painter.drawText(body, Qt.AlignmentFlag.AlignCenter, drawable(self.symbol))
            return
        upper, lower = _halves(body)
        painter.setFont(symbol_font)
        painter.drawText(upper, Qt.AlignmentFlag.AlignCenter, drawable(self.symbol))
        painter.setFont(number_font)
        painter.drawText(lower, Qt.AlignmentFlag.AlignCenter, self.value_text)

    def hoverEnterEvent(self, event) -> None:
        if self.editable:
            self.setCursor(Qt.CursorShape.IBeamCursor)
        super().hoverEnterEvent(event)


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
