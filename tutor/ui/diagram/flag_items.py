"""Misconception flags on a diagram: a "!" badge under a flagged node, a banner for the run.

Never colour alone: a badge is a black-outlined yellow tag with a warning triangle and a
word ("saturated", "dead ReLU", "shared: Σ"); its tooltip (and the node's) holds the
engine's plain-words message.  A flag about the whole run (rising loss, divergence) is also
a banner above the diagram, next to the loss.

:class:`FlagOverlay` follows the document's flags and cursor and keeps the badges on a
view's ``nodes`` (``node id → NodeItem``) in place: a badge is created when a node becomes
flagged (and again after the view rebuilds its scene) and shown or hidden as the cursor
moves.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from tutor.engine.flags import Flag
from tutor.ui.notices import GLOBAL_KINDS, NOTICE_FILL, SHORT, TITLES, is_visible
from tutor.ui.style import BLACK, YELLOW, theme

BANNER_WIDTH = 560.0  # at label scale 1
GAP = 14.0


def _triangle(centre: QPointF, size: float) -> QPainterPath:
    path = QPainterPath()
    path.moveTo(centre + QPointF(0, -size / 2))
    path.lineTo(centre + QPointF(size / 2, size / 2))
    path.lineTo(centre + QPointF(-size / 2, size / 2))
    path.closeSubpath()
    return path


def _draw_warning(painter: QPainter, centre: QPointF, size: float) -> None:
    """A black triangle holding a yellow "!": the warning shape, whatever the colours."""
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(BLACK))
    painter.drawPath(_triangle(centre, size))
    font = theme().label_font(0.9, bold=True)
    painter.setFont(font)
    painter.setPen(QColor(YELLOW))
    painter.drawText(QRectF(centre.x() - size / 2, centre.y() - size * 0.2, size, size * 0.7),
                     Qt.AlignmentFlag.AlignCenter, "!")


class FlagBadge(QGraphicsItem):
    """Under its node: ⚠ and the flags' short words; the messages as tooltip."""

    def __init__(self, node: QGraphicsItem) -> None:
        super().__init__()  # a top-level item of the scene, like the node it marks
        self.node = node
        self.flags: tuple[Flag, ...] = ()
        self.text = ""
        self.setZValue(5)
        self.setAcceptHoverEvents(True)

    def set_flags(self, flags: tuple[Flag, ...]) -> None:
        text = " · ".join(dict.fromkeys(SHORT[f.kind] for f in flags))
        if flags == self.flags and text == self.text:
            return
        self.prepareGeometryChange()
        self.flags, self.text = flags, text
        self.setToolTip("\n\n".join(f.message for f in flags))
        self._place()
        self.update()

    def messages(self) -> tuple[str, ...]:
        return tuple(f.message for f in self.flags)

    def _place(self) -> None:
        """Just below the node's body and caption, centred."""
        below = self.node.boundingRect().bottom()
        self.setPos(self.node.pos() + QPointF(0, below + self.boundingRect().height() / 2 - 4))

    def _metrics(self) -> tuple[QFontMetricsF, float]:
        metrics = QFontMetricsF(theme().label_font(1.0, bold=True))
        return metrics, metrics.height() * 1.1

    def boundingRect(self) -> QRectF:
        metrics, icon = self._metrics()
        width = icon + metrics.horizontalAdvance(self.text) + 16
        height = metrics.height() + 8
        return QRectF(-width / 2, -height / 2, width, height)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self.boundingRect().adjusted(1, 1, -1, -1)
        _, icon = self._metrics()
        painter.setPen(QPen(QColor(BLACK), 2))
        painter.setBrush(QColor(YELLOW))
        painter.drawRoundedRect(rect, 5, 5)
        _draw_warning(painter, QPointF(rect.left() + 4 + icon / 2, rect.center().y()), icon)
        painter.setFont(theme().label_font(1.0, bold=True))
        painter.setPen(QColor(BLACK))
        text_rect = rect.adjusted(icon + 8, 0, -4, 0)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         self.text)


class FlagBanner(QGraphicsItem):
    """A boxed paragraph for the flags about the whole run: ⚠, a bold title, the words."""

    def __init__(self) -> None:
        super().__init__()
        self.flags: tuple[Flag, ...] = ()
        self.setZValue(6)

    def set_flags(self, flags: tuple[Flag, ...]) -> None:
        if flags != self.flags:
            self.prepareGeometryChange()
            self.flags = flags
            self.setToolTip("\n\n".join(f.message for f in flags))
            self.update()

    def text(self) -> str:
        return "\n".join(f"{TITLES[f.kind]}: {f.message}" for f in self.flags)

    def _layout(self) -> tuple[float, float, list[tuple[str, str, float, float]]]:
        """(width, height, [(title, message, title height, message height)])."""
        t = theme()
        width = BANNER_WIDTH * t.font_scale * t.label_scale
        title_font, body_font = t.label_font(1.3, bold=True), t.label_font(1.15)
        icon = QFontMetricsF(title_font).height() * 1.2
        inner = width - icon - 24
        rows = []
        for flag in self.flags:
            title_h = QFontMetricsF(title_font).height()
            body = QFontMetricsF(body_font).boundingRect(
                QRectF(0, 0, inner, 1e6), Qt.TextFlag.TextWordWrap, flag.message)
            rows.append((TITLES[flag.kind], flag.message, title_h, body.height()))
        height = sum(a + b + 6 for *_, a, b in rows) + 12
        return width, height, rows

    def boundingRect(self) -> QRectF:
        width, height, _ = self._layout()
        return QRectF(0, 0, width, height)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        t = theme()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width, height, rows = self._layout()
        rect = QRectF(1, 1, width - 2, height - 2)
        painter.setPen(QPen(QColor(BLACK), 2.5))
        painter.setBrush(QColor(NOTICE_FILL))
        painter.drawRoundedRect(rect, 8, 8)
        title_font, body_font = t.label_font(1.3, bold=True), t.label_font(1.15)
        icon = QFontMetricsF(title_font).height() * 1.2
        left, top = icon + 16, 8.0
        for title, message, title_h, body_h in rows:
            _draw_warning(painter, QPointF(8 + icon / 2, top + icon / 2), icon)
            painter.setPen(QColor(BLACK))
            painter.setFont(title_font)
            painter.drawText(QRectF(left, top, width - left - 8, title_h),
                             Qt.AlignmentFlag.AlignLeft, title)
            painter.setFont(body_font)
            painter.drawText(QRectF(left, top + title_h, width - left - 8, body_h),
                             Qt.TextFlag.TextWordWrap, message)
            top += title_h + body_h + 6


class FlagOverlay(QObject):
    """Keeps a diagram view's badges and banner in step with ``document.flags``.

    Built after the view has connected its own handlers, so after a rebuild of the scene
    (structure or theme change) the view's new items exist when this runs.  A child of the
    view: its connections end with the view.
    """

    def __init__(self, view) -> None:
        super().__init__(view)
        self.badges: dict[str, tuple[QGraphicsItem, FlagBadge]] = {}
        self.banner: FlagBanner | None = None
        document = view.document
        if getattr(document, "flags", None) is None:  # a bare stand-in document: no flags
            return
        document.flags.changed.connect(self.sync)
        document.cursor_changed.connect(self._on_cursor_change)
        document.structure_changed.connect(self.sync)
        theme().changed.connect(self.sync)
        self.sync()

    @property
    def view(self):
        """The parent view (not kept in an attribute: a view ↔ overlay reference cycle
        would leave the view to Python's cycle collector, which may free it mid-event)."""
        return self.parent()

    def badge(self, node_id: str) -> FlagBadge | None:
        entry = self.badges.get(node_id)
        return None if entry is None or not shiboken6.isValid(entry[1]) else entry[1]

    def sync(self) -> None:
        """Badges for the flagged nodes that are drawn; the banner for the run's flags."""
        flags = self.view.document.flags.all
        wanted: dict[str, list[Flag]] = {}
        for flag in flags:
            if flag.nodes and flag.nodes[0] in self.view.nodes:
                wanted.setdefault(flag.nodes[0], []).append(flag)
        for node_id in list(self.badges):
            if node_id not in wanted:
                self._drop(node_id)
        for node_id, node_flags in wanted.items():
            self._badge_for(node_id).set_flags(tuple(node_flags))
        self._on_cursor_change()

    def _badge_for(self, node_id: str) -> FlagBadge:
        node = self.view.nodes[node_id]
        entry = self.badges.get(node_id)
        if entry is not None and entry[0] is node and shiboken6.isValid(entry[1]):
            return entry[1]
        badge = FlagBadge(node)
        self.view.scene().addItem(badge)
        self.badges[node_id] = (node, badge)
        return badge

    def _drop(self, node_id: str) -> None:
        node, badge = self.badges.pop(node_id)
        if shiboken6.isValid(badge) and badge.scene() is not None:
            badge.scene().removeItem(badge)
        if shiboken6.isValid(node):
            node.setToolTip("")

    def _on_cursor_change(self, _cursor: int = 0) -> None:
        cursor = self.view.document.cursor
        before = self._shown()
        for node, badge in self.badges.values():
            if not shiboken6.isValid(badge):
                continue
            shown = tuple(f for f in badge.flags if is_visible(f, cursor))
            badge.setVisible(bool(shown))
            node.setToolTip("\n\n".join(f.message for f in shown))
        self._show_banner(tuple(f for f in self.view.document.flags.all
                                if f.kind in GLOBAL_KINDS and is_visible(f, cursor)))
        rearrange = getattr(self.view, "rearrange", None)
        if self._shown() != before and rearrange is not None:
            rearrange()  # a badge came or went: the texts around it move

    def _shown(self) -> tuple:
        """Which badges and banner show, and what they say: their places depend on it."""
        badges = tuple((node_id, badge.text) for node_id, (_, badge) in self.badges.items()
                       if shiboken6.isValid(badge) and badge.isVisible())
        banner = self.banner if self.banner is not None and shiboken6.isValid(
            self.banner) else None
        return badges, banner is not None and banner.isVisible(), \
            banner.flags if banner is not None else ()

    def _show_banner(self, flags: tuple[Flag, ...]) -> None:
        banner = self.banner if self.banner is not None and shiboken6.isValid(
            self.banner) else None
        if not flags or not self.view.nodes:
            if banner is not None and banner.isVisible():
                banner.hide()
                self.view.refit()
            return
        if banner is None:
            banner = self.banner = FlagBanner()
            banner.hide()
            self.view.scene().addItem(banner)
        was_shown, old = banner.isVisible(), banner.flags
        if was_shown and old == flags:
            return  # a cursor move: nothing to redo
        banner.set_flags(flags)
        self._place_banner(banner)
        banner.show()
        self.view.refit()

    def _place_banner(self, banner: FlagBanner) -> None:
        """Above the diagram, its right edge over the loss (the diagram's right end)."""
        area = QRectF()
        for node in self.view.nodes.values():
            area = area.united(node.sceneBoundingRect())
        right = area.right()
        loss = self.view.nodes.get(banner.flags[0].nodes[0]) if banner.flags[0].nodes else None
        if loss is not None:
            right = loss.sceneBoundingRect().right()
        rect = banner.boundingRect()
        left = max(area.left(), right - rect.width())
        banner.setPos(left, area.top() - rect.height() - GAP * theme().font_scale)
