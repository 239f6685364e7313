"""The loss curve of the training panel: the losses so far, the current point, the edits.

Following pyqtgraph's own advice, the curve, point and axes are made once and updated with
``setData``; the ranges are set only when they change (re-ranging re-lays out both axes).
pyqtgraph is imported here only, when the plot is built, to keep the app's start fast.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QObject, Signal

from ..style import theme

LOG_FLOOR = 1e-300  # a loss of exactly 0 cannot be drawn on a log axis
Y_HEADROOM = 1.1  # a single point sits at least this far below the top of the plot


class LossPlot(QObject):
    """A pyqtgraph plot of a loss curve; ``update_clicked`` with the update a click chose."""

    update_clicked = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        import pyqtgraph as pg  # lazily: only the training panel needs it

        self._pg = pg
        self.log = False
        self._x_range: tuple[float, ...] | None = None  # the last fitted range, as shown
        self._y_top: float | None = None  # the pinned 0…top of a one-point curve, if any
        self.drawn_edits: tuple[int, ...] = ()
        self.widget = pg.PlotWidget(objectName="loss_plot", axisItems={"bottom": _update_axis(pg)})
        self.widget.setLabel("bottom", "update")
        self.widget.setLabel("left", "loss")
        item = self.widget.getPlotItem()
        item.getAxis("bottom").enableAutoSIPrefix(False)  # "update (x0.001)" is nonsense
        item.getAxis("left").enableAutoSIPrefix(False)
        self.widget.showGrid(x=True, y=True, alpha=0.25)
        self.widget.setMinimumHeight(160)
        self.curve = self.widget.plot([], [])
        self.current_point = pg.ScatterPlotItem(size=12)
        self.widget.addItem(self.current_point)
        self.edit_lines: list = []
        self.widget.scene().sigMouseClicked.connect(self._on_click)
        # axes with a grid cost ~4 ms each to repaint, and anything drawn in the plot repaints
        # them: cached, they are redrawn only when their ticks change
        cache = pg.QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache
        for name in ("left", "bottom"):
            item.getAxis(name).setCacheMode(cache)
        # 100,000 updates are drawn as about one min/max pair per pixel column
        self.curve.setDownsampling(auto=True, method="peak")
        self.apply_theme()

    def draw(self, losses: np.ndarray, current: int) -> None:
        """The curve of the finite losses and the point of update ``current``."""
        finite = np.isfinite(losses)
        shown = self._shown(losses[finite])
        self.curve.setData(np.arange(len(losses), dtype=float)[finite], shown)
        self._fit_x_range(len(losses))
        self._fit_y_range(shown)
        if 0 <= current < len(losses) and finite[current]:
            self.current_point.setData([float(current)], self._shown(losses[[current]]))
        else:
            self.current_point.setData([], [])

    def draw_edit_markers(self, edits: tuple[int, ...]) -> None:
        """A dashed "edited" line at each update where the network was edited."""
        if edits == self.drawn_edits:
            return
        self.drawn_edits = edits
        for line in self.edit_lines:
            self.widget.removeItem(line)
        pg = self._pg
        pen = pg.mkPen(theme().palette.color("cached_read"), width=2,
                       style=pg.QtCore.Qt.PenStyle.DashLine)
        self.edit_lines = [pg.InfiniteLine(pos=float(index), angle=90, pen=pen, label="edited",
                                           labelOpts={"position": 0.9}) for index in edits]
        for line in self.edit_lines:
            self.widget.addItem(line)

    def set_log(self, log: bool) -> None:
        self.log = log
        self._x_range = None  # the log mode re-ranges the axes
        self.widget.setLogMode(x=False, y=log)

    def apply_theme(self) -> None:
        self.drawn_edits = (-1,)  # the markers take the new palette
        palette, pg = theme().palette, self._pg
        self.widget.setBackground(palette.color("background"))
        self.curve.setPen(pg.mkPen(palette.color("positive"), width=2))
        self.current_point.setBrush(pg.mkBrush(palette.color("current")))
        self.current_point.setPen(pg.mkPen(palette.color("text"), width=2))

    def _fit_x_range(self, points: int) -> None:
        """Updates are whole numbers from 0: show 0…max(10, n) (ticks: :func:`_update_axis`)."""
        last = max(10, points - 1)
        view = self.widget.getPlotItem().getViewBox()
        if self._x_range == (last, *view.viewRange()[0]):
            return  # setting the same range again re-lays out both axes
        self.widget.setXRange(0, last, padding=0.02)
        self._x_range = (last, *view.viewRange()[0])

    def _fit_y_range(self, shown: np.ndarray) -> None:
        """A single point (an exercise just opened or edited) is drawn in 0…a round number
        above it, so that editing a weight moves the point rather than both axes and the grid
        (about 5 ms a repaint); a longer curve is ranged to its data."""
        view = self.widget.getPlotItem().getViewBox()
        top = None
        if len(shown) == 1 and not self.log and 0 < shown[0] < math.inf:
            top = _round_above(float(shown[0]) * Y_HEADROOM)
        if top == self._y_top:
            return
        self._y_top = top
        if top is None:
            view.enableAutoRange(axis=view.YAxis)
        else:
            view.setYRange(0, top, padding=0)

    def _shown(self, values: np.ndarray) -> np.ndarray:
        return np.maximum(values, LOG_FLOOR) if self.log else values

    def _on_click(self, event) -> None:
        view = self.widget.getPlotItem().vb
        if view.sceneBoundingRect().contains(event.scenePos()):
            self.update_clicked.emit(round(view.mapSceneToView(event.scenePos()).x()))


def _update_axis(pg):
    """An x axis of update numbers: pyqtgraph's spacing, which adapts to the axis's width in
    pixels so labels never run together, minus any fractional spacing (update 2.5 is not)."""

    class UpdateAxis(pg.AxisItem):
        def tickSpacing(self, minVal, maxVal, size):  # pyqtgraph names it
            levels = [(spacing, offset)
                      for spacing, offset in super().tickSpacing(minVal, maxVal, size)
                      if spacing >= 1]
            return levels or [(1.0, 0.0)]

    return UpdateAxis("bottom")


def _round_above(value: float) -> float:
    """The smallest of 1, 2 and 5 times a power of ten that is at least ``value`` (> 0)."""
    power = 10.0 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)
