"""Small texts beside a node: its adjoint, its "cached ∂" badge, its caption.

A tag is a child item of its node (it moves and dies with it) but does not sit at a fixed
offset: the scene's label placement (:mod:`tutor.ui.diagram.placement`) puts each tag where
it covers no other text and no other node, and hides it when there is no such place.
Measured on the bundled exercises before tags were placed: 274 overlapping text pairs in
64 of 144 views, most of them adjoints and badges drawn at a fixed offset above their node.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from tutor.ui.style import theme
from tutor.ui.text import drawable


class Role(StrEnum):
    ADJOINT = "adjoint"  # ∂ℓ/∂a₁ = 4, boxed in the adjoint colour
    BADGE = "badge"  # "cached ∂" / "read", filled in the cached-read colour
    CAPTION = "caption"  # the operation and fan-out, plain text
    ASKED = "asked"  # the node a running quiz asks about


def fonts() -> tuple[QFont, QFont, QFont]:
    """(symbol, number, small) fonts at the theme's scale."""
    t = theme()
    return t.label_font(1.2, bold=True), t.label_font(1.1), t.label_font(1.0)


def text_width(font: QFont, text: str) -> float:
    """How wide ``text`` is drawn (see :func:`drawable`: a hat over its letter)."""
    return theme().text_width(font, drawable(text))


def draw_tag(painter: QPainter, centre: QPointF, text: str, font: QFont, fill: QColor,
              color: QColor, border: QPen | None = None) -> QRectF:
    """A small rounded label centred on ``centre``; returns its rectangle."""
    text = drawable(text)  # x̂'s hat over the x, not clipped to its left
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


def body_of(item: QGraphicsItem) -> QRectF:
    """The shape an edge meets: a node's body (an aggregate stands in as a small square)."""
    return item.body() if hasattr(item, "body") else QRectF(-20, -20, 40, 40)


def tag_font() -> QFont:
    """A tag's font: as large as the node's number, so the step's adjoints read from afar."""
    return theme().label_font(1.0)


def tag_size(text: str, font: QFont | None = None) -> QSizeF:
    font = font or tag_font()
    metrics = QFontMetricsF(font)
    return QSizeF(text_width(font, text) + 10, metrics.height() + 4)


class TagItem(QGraphicsItem):
    """One small text of a node; invisible until the placement gives it a place."""

    def __init__(self, owner: QGraphicsItem, role: Role) -> None:
        super().__init__(owner)
        self.role = role
        self.text = ""
        self.setVisible(False)

    def set_text(self, text: str) -> None:
        if text != self.text:
            self.prepareGeometryChange()
            self.text = text
            self.update()

    def size(self) -> QSizeF:
        return tag_size(self.text)

    def boundingRect(self) -> QRectF:
        size = self.size()
        return QRectF(-size.width() / 2, -size.height() / 2, size.width(), size.height())

    def place_at(self, centre: QPointF | None) -> None:
        """Centre the tag on a scene point, or hide it (None)."""
        if centre is None:
            self.setVisible(False)
            return
        parent = self.parentItem()
        self.setPos(parent.mapFromScene(centre) if parent is not None else centre)
        self.setVisible(True)

    def text_rect(self) -> QRectF:
        """The text's own rectangle in scene coordinates (inside the tag's box)."""
        font = tag_font()
        width = text_width(font, self.text)
        height = QFontMetricsF(font).height()
        return self.mapRectToScene(QRectF(-width / 2, -height / 2, width, height))

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        palette = theme().palette
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self.boundingRect()
        if self.role is Role.ADJOINT:
            painter.setPen(QPen(palette.color("adjoint"), 1.2 * theme().font_scale))
            painter.setBrush(palette.color("background"))
            colour = palette.color("adjoint")
        elif self.role is Role.ASKED:
            painter.setPen(QPen(palette.color("text"), 2.5 * theme().font_scale,
                                Qt.PenStyle.DashLine))
            painter.setBrush(palette.color("background"))
            colour = palette.color("text")
        elif self.role is Role.BADGE:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color("cached_read"))
            colour = palette.color("badge_text")
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color("background"))
            colour = palette.color("text")
        painter.drawRoundedRect(rect, 4, 4)
        painter.setFont(tag_font())
        painter.setPen(colour)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, drawable(self.text))
