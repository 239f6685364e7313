"""A QGraphicsView that zooms (wheel, Ctrl +/−), pans (drag) and fits its scene."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QFontMetricsF,
    QKeySequence,
    QPainter,
    QShortcut,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView, QLabel, QWidget

from tutor.engine import Phase, Step
from tutor.session.samples import sample_caption, sample_template
from tutor.ui.diagram.arrange import arrange
from tutor.ui.diagram.flow import FlowAnimation
from tutor.ui.diagram.tags import tag_font
from tutor.ui.style import NodeState, theme

ZOOM_STEP = 1.2
MIN_ZOOM, MAX_ZOOM = 0.05, 8.0
FIT_MARGIN = 24.0


def mark_flow(edges, step: Step | None) -> list:
    """Mark the edges a backward step's gradient flows along: from each cached node it reads
    to the current node.  Returns them."""
    backward = step is not None and step.phase in (Phase.BACKWARD, Phase.GRADIENT)
    flowing = []
    for edge in edges:
        ends = (getattr(edge.source, "state", None), getattr(edge.target, "state", None))
        flow = 0
        if backward and ends == (NodeState.CURRENT, NodeState.CACHED_READ):
            flow = -1  # against the edge: from its target back to its source
        elif backward and ends == (NodeState.CACHED_READ, NodeState.CURRENT):
            flow = 1
        edge.set_flow(flow)
        if flow:
            flowing.append(edge)
    return flowing


def _fitting(rect: QRectF, area: QRectF, margin: float = 0.0) -> float:
    """The zoom at which ``rect`` (scene) fits ``area`` (viewport px) less ``margin``."""
    return max(min((area.width() - 2 * margin) / max(rect.width(), 1),
                   (area.height() - 2 * margin) / max(rect.height(), 1)), MIN_ZOOM)


def _centre_near(focus: QRectF, content: QRectF, seen: QSizeF) -> QPointF:
    """The focus's centre, moved (keeping the focus in view) so that a view ``seen`` large
    (scene units) shows as much of the diagram as it can, not empty scene beyond its edge."""
    content = content.adjusted(-FIT_MARGIN, -FIT_MARGIN, FIT_MARGIN, FIT_MARGIN)

    def clamp(centre: float, low: float, high: float, span: float) -> float:
        if high - low <= span:
            return (low + high) / 2
        return min(max(centre, low + span / 2), high - span / 2)

    centre = focus.center()
    return QPointF(clamp(centre.x(), content.left(), content.right(), seen.width()),
                   clamp(centre.y(), content.top(), content.bottom(), seen.height()))


class ZoomPanView(QGraphicsView):
    """Fits the scene on first show and on resize until the user zooms by hand."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)  # pans without scroll bars
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.BoundingRectViewportUpdate)
        self._auto_fit = True
        self.focus = QRectF()  # what the current step computes and reads: kept in sight
        for keys, handler, text in ((QKeySequence.StandardKey.ZoomIn, self.zoom_in, "Zoom in"),
                                    (QKeySequence.StandardKey.ZoomOut, self.zoom_out, "Zoom out"),
                                    (QKeySequence("Ctrl+="), self.zoom_in, "Zoom in"),
                                    (QKeySequence("Ctrl+0"), self.fit, "Fit to the view")):
            shortcut = QShortcut(keys, self)
            shortcut.setWhatsThis(text)  # Help ▸ Keyboard shortcuts reads it
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(handler)
        theme().changed.connect(self._on_theme_change)
        self._on_theme_change()

    # -- zoom ---------------------------------------------------------------------------

    def explicitly_hidden(self) -> bool:
        """Hidden by itself or a parent below its window (a stacked page not current, a
        closed dock); a window not shown yet, as in tests, is not."""
        widget: QWidget | None = self
        while widget is not None and not widget.isWindow():
            if widget.isHidden() and widget.testAttribute(
                    Qt.WidgetAttribute.WA_WState_ExplicitShowHide):
                return True
            widget = widget.parentWidget()
        return False

    def zoom(self) -> float:
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        target = min(max(self.zoom() * factor, MIN_ZOOM), MAX_ZOOM)
        self._auto_fit = False
        self.scale(target / self.zoom(), target / self.zoom())

    def zoom_in(self) -> None:
        self.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.zoom_by(1 / ZOOM_STEP)

    def fit(self) -> None:
        """Show the whole scene, or when its labels would be too small to read, the part
        the current step is about at a legible zoom; later resizes and steps keep it so."""
        self._auto_fit = True
        rect = self.content_rect()
        if rect.isEmpty():
            return
        port = QRectF(self.viewport().rect())
        grown = rect.adjusted(-FIT_MARGIN, -FIT_MARGIN, FIT_MARGIN, FIT_MARGIN)
        whole = min(_fitting(grown, port), 1.6 * theme().font_scale)  # a tiny scene: not huge
        legible = self.legible_zoom()
        focus = self.focus
        if focus.isEmpty() or whole >= legible:
            self._show_at(whole, rect.center())
            return
        zoom = max(min(legible, _fitting(focus, port, FIT_MARGIN / 2)), whole)  # never less
        self._show_at(zoom, _centre_near(focus, rect, port.size() / zoom))

    def _show_at(self, zoom: float, centre: QPointF) -> None:
        """Zoom to ``zoom`` with scene point ``centre`` in the middle of the viewport."""
        self.setTransform(QTransform.fromScale(zoom, zoom))
        port = QRectF(self.viewport().rect())
        seen = QRectF(0, 0, port.width() / zoom, port.height() / zoom)
        seen.moveCenter(centre)
        if not self.sceneRect().contains(seen):  # else centerOn stops at the scene's edge
            self.scene().setSceneRect(self.sceneRect().united(seen))
        self.centerOn(centre)

    def legible_zoom(self) -> float:
        """The zoom at which a tag's text is the theme's legible height on screen."""
        wanted = theme().legible_px
        return wanted / QFontMetricsF(tag_font()).height() if wanted > 0 else 0.0

    def follow(self, focus: QRectF) -> None:
        """Keep ``focus`` (the current step's items) in sight: refit while fitted, else
        scroll only when part of it is out of view."""
        self.focus = QRectF(focus)
        if focus.isEmpty():
            return
        room = focus.adjusted(-200, -200, 200, 200)  # texts placed beyond the first build
        if not self.sceneRect().contains(room):
            self.scene().setSceneRect(self.sceneRect().united(room))
        if self._auto_fit:
            self.fit()
            return
        visible = self.mapToScene(self.viewport().rect()).boundingRect()
        if not visible.contains(focus):
            self.centerOn(focus.center())

    def content_rect(self) -> QRectF:
        return self.scene().itemsBoundingRect()

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(ZOOM_STEP ** steps)
        event.accept()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._auto_fit:
            self.fit()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._auto_fit:
            self.fit()

    def refit(self) -> None:
        """After a rebuild: fit again unless the user chose a zoom."""
        rect = self.content_rect()
        self.scene().setSceneRect(rect.adjusted(-200, -200, 200, 200))
        if self._auto_fit:
            self.fit()

    def _on_theme_change(self) -> None:
        self.setBackgroundBrush(theme().palette.color("background"))
        self.scene().update()


class TraceDiagramView(ZoomPanView):
    """A diagram of the document's trace at its cursor, drawn once per (trace, cursor): a new
    trace draws itself, the cursor signal that follows it must not draw again, and a hidden
    view catches up when it is shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._readout = None  # the subclass's Readout of the current trace
        self._drawn: tuple[object, int] | None = None  # what the items show
        self._touched: frozenset[str] = frozenset()  # weight labels the step needs shown
        # which sample the numbers are of, in a band above the diagram (never over a node)
        self.caption = QLabel(self, objectName="diagram_sample")
        self.caption.hide()
        self._reserved_top = 0  # room a window keeps above the diagram (the step counter)
        self.flow = FlowAnimation(self)  # dashes along the edges a backward step reads through

    def set_animate_flow(self, on: bool) -> None:
        """View ▸ Animate gradient flow: a short run of moving dashes after each step."""
        self.flow.set_enabled(on)

    def _is_stale(self) -> bool:
        return self._drawn != (self._readout, self.document.cursor)

    def _on_new_structure(self) -> None:
        """A new exercise (File ▸ New, Open, an example) or a new network shape: fit the new
        diagram whatever the zoom was."""
        self._auto_fit = True
        self.focus = QRectF()
        self._on_structure_change()

    def _on_structure_change(self) -> None:
        raise NotImplementedError

    def _on_cursor_change(self, _cursor: int = 0) -> None:
        if self._is_stale():
            self._refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._is_stale():
            self._refresh()
        else:  # badges may have come while hidden: their texts were placed without them
            self.rearrange()

    def _refresh(self) -> None:
        raise NotImplementedError

    def reserve_top(self, pixels: int) -> None:
        """Keep the top ``pixels`` for a banner the window lays there (the step counter):
        the viewport starts below it, so it covers no node, read or not."""
        self._reserved_top = pixels  # the viewport starts below it: no node ever under it
        self._show_caption()  # the banner says which sample instead
        self._layout_band()

    def _show_caption(self) -> None:
        document = self.document
        text = "" if self._reserved_top else sample_caption(
            document.trace, document.cursor, sample_template(document.exercise.problem))
        if text != self.caption.text() or self.caption.isHidden() == bool(text):
            self.caption.setText(text)
            self.caption.setVisible(bool(text))
            self._layout_band()

    def _layout_band(self) -> None:
        t = theme()
        self.caption.setFont(t.font(1.2, bold=True))
        self.caption.setStyleSheet(f"color: {t.palette.text}; padding: 2px 8px;")
        self.caption.adjustSize()
        shown = self.caption.text() and not self.caption.isHidden()
        top = max(self.caption.height() + 4 if shown else 0, self._reserved_top)
        self.caption.move(self.frameWidth(), self.frameWidth())
        if self.viewportMargins().top() != top:
            self.setViewportMargins(0, top, 0, 0)
        if self._auto_fit:
            self.fit()

    def set_asked(self, node_id: str | None) -> None:
        """Mark the node a running quiz asks about (None: no question open)."""
        for key, node in getattr(self, "nodes", {}).items():
            node.set_asked(key == node_id)
        self.rearrange()

    def rearrange(self) -> None:
        """Place the texts again (a flag badge came or went) without redrawing the items."""
        if self._drawn is not None and not self.explicitly_hidden():
            self.follow(arrange(self, self._touched))
