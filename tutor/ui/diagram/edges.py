"""The edge item: a line (or a bent path) between two diagram items, coloured and dashed by the
weight it carries, with an optional arrow head and the animated flow of a gradient."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from tutor.ui.diagram.tags import body_of
from tutor.ui.style import NodeState, Palette, theme, weight_pen


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
        self.flow = 0  # +1/−1: a gradient flows along / against this edge in this step
        self.phase = 0.0  # the animated flow's dash offset
        self.setZValue(0)
        self._line = (QPointF(), QPointF())
        self.via: tuple[QPointF, ...] = ()  # bends that keep the edge off other nodes
        self.reposition()

    def reposition(self) -> None:
        self.prepareGeometryChange()
        self._line = (self.source.pos(), self.target.pos())

    def set_via(self, points: tuple[QPointF, ...]) -> None:
        self.prepareGeometryChange()
        self.via = points

    def point_at(self, t: float) -> QPointF:
        a, b = self._line
        return a + (b - a) * t

    def show(self, value: float | None, largest: float, state: NodeState) -> None:
        if (value, largest, state) == (self.value, self.largest, self.state):
            return
        self.value, self.largest, self.state = value, largest, state
        self.update()

    def set_flow(self, flow: int) -> None:
        if flow != self.flow:
            self.flow = flow
            self.setZValue(1 if flow else 0)  # over the other edges it crosses
            self.update()

    def set_phase(self, phase: float) -> None:
        self.phase = phase
        self.update()

    def path(self, end: QPointF | None = None) -> QPainterPath:
        """The line from the source through the bends to ``end`` (the target's centre)."""
        a, b = self._line
        path = QPainterPath(a)
        for point in self.via:
            path.lineTo(point)
        path.lineTo(b if end is None else end)
        return path

    def boundingRect(self) -> QRectF:
        pad = 16.0 * theme().font_scale
        return self.path().boundingRect().adjusted(-pad, -pad, pad, pad)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        palette = theme().palette
        scale = theme().font_scale
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if self.state in (NodeState.CURRENT, NodeState.CACHED_READ):
            halo_color = palette.color("current" if self.state is NodeState.CURRENT
                                       else "cached_read")
            halo_color.setAlpha(150)
            halo = QPen(halo_color, 10 * scale)
            halo.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(halo)
            painter.drawPath(self.path())
        if self.weight_id is None:
            pen = QPen(palette.color("edge"), 1.3 * scale)
        else:
            pen = weight_pen(self.value, self.largest, palette, scale)
        if self.state is NodeState.PENDING:
            pen.setColor(palette.color("dim"))
        painter.setPen(pen)
        if not self.arrow:
            painter.drawPath(self.path())
        else:
            b = self._line[1]
            end = b - self._target_reach()
            painter.drawPath(self.path(end))
            painter.setBrush(pen.color())
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawPath(arrow_path(self.via[-1] if self.via else self._line[0], end,
                                        10 * scale))
        if self.flow:
            self._paint_flow(painter, palette, scale)

    def _paint_flow(self, painter: QPainter, palette: Palette, scale: float) -> None:
        """Where the gradient comes from, without relying on colour: a wide halo, a dashed
        core moving towards the current node and arrowheads pointing the same way."""
        path = self.path()
        if self.flow < 0:
            path = path.toReversed()
        halo = palette.color("cached_read")
        halo.setAlpha(110)
        pen = QPen(halo, 14 * scale)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(pen)
        painter.drawPath(path)
        core = QPen(palette.color("text"), 2.5 * scale, Qt.PenStyle.DashLine)
        core.setDashOffset(-self.phase)
        painter.setPen(core)
        painter.drawPath(path)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color("text"))
        for t in (0.45, 0.6):
            tip, base = path.pointAtPercent(t), path.pointAtPercent(max(t - 0.05, 0.0))
            painter.drawPath(arrow_path(base, tip, 16 * scale))

    def length(self) -> float:
        a, b = self._line
        return max(((b - a).x() ** 2 + (b - a).y() ** 2) ** 0.5, 1e-9)

    def direction(self) -> tuple[float, float]:
        """The unit vector from the source to the target (the last bend to the target)."""
        a, b = self._line
        if self.via:
            a = self.via[-1]
        length = max(((b - a).x() ** 2 + (b - a).y() ** 2) ** 0.5, 1e-9)
        return (b - a).x() / length, (b - a).y() / length

    def _target_reach(self) -> QPointF:
        """From the target's centre back to where this edge meets its outline."""
        ux, uy = self.direction()
        reach = _reach(body_of(self.target).adjusted(-2, -2, 2, 2), ux, uy)
        return QPointF(ux * reach, uy * reach)


def _reach(rect: QRectF, ux: float, uy: float) -> float:
    """From the centre of ``rect`` along (ux, uy) to where that ray leaves it."""
    half_w, half_h = rect.width() / 2, rect.height() / 2
    return min(half_w / abs(ux) if ux else 1e9, half_h / abs(uy) if uy else 1e9)


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
