"""The function view: what the network computes, redrawn while it trains.

One input: the data points (x, y) and the network's curve ŷ = f(x).  Two inputs: a heatmap
of f over the input plane with the data points on top, their class shown by marker shape as
well as colour.  Anything else gets a sentence saying why there is no picture.  The samples
come from :mod:`tutor.engine.function_samples`; this module only draws them.

Redraws are coalesced by a single-shot timer (at most ~30 a second) so that playing the
training stays smooth, and skipped while the view is hidden.
pyqtgraph is imported when the view is built, like the loss curve, to keep start-up fast.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
from PySide6.QtCore import QRectF, QSignalBlocker, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from tutor.engine import NetworkProblem
from tutor.engine import function_samples as samples
from tutor.engine.network import input_symbols, layer_symbols
from tutor.engine.notation import to_unicode

from ..style import ORANGE, theme
from ..text import drawable

REDRAW_INTERVAL_MS = 33  # at most ~30 redraws a second however fast training runs
WIDE = 1.3  # side by side when the space is at least this much wider than tall
DECISION_LEVEL = 0.5  # a probability output's decision boundary
MARKER_SIZE = 11
MIN_PLOT_HEIGHT = 120  # below this the caption is hidden so the plot keeps its room
SHADE = 0.5  # the map's colours mixed this much with the background, so the points stand out
CLASS_SYMBOLS = ("o", "t1")  # class 0 a circle, class 1 a triangle: shape, not only colour


class Page(IntEnum):
    CURVE = 0
    MAP = 1
    MESSAGE = 2


def output_names(problem: NetworkProblem) -> tuple[str, ...]:
    network = problem.network
    return tuple(drawable(to_unicode(s))
                 for s in layer_symbols(network, len(network.layers) - 1).act)


def input_names(problem: NetworkProblem) -> tuple[str, ...]:
    return tuple(drawable(to_unicode(s)) for s in input_symbols(problem.network))


def no_picture_reason(problem: object) -> str:
    """Why the view cannot draw ``problem`` ("" when it can)."""
    if not isinstance(problem, NetworkProblem):
        return ("The function view draws what a network computes. An expression exercise "
                "has no network: its values are in the trace and the step panel.")
    inputs = problem.network.input_size
    if samples.shape(problem) is samples.Shape.NONE:
        return (f"The function view needs a network with 1 or 2 inputs (a curve or a map "
                f"over the plane); this one has {inputs}. The loss curve still shows the "
                f"training.")
    return ""


class FunctionView(QWidget):
    """The network's current function beside the loss curve."""

    def __init__(self, document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        import pyqtgraph as pg  # lazily, as in the training panel

        self._pg = pg
        self.setObjectName("function_view")
        self.document = document
        self._stale = True
        self._names: tuple[str, ...] = ()
        self._timer = QTimer(self, singleShot=True, interval=REDRAW_INTERVAL_MS)
        self._timer.timeout.connect(self.redraw)
        self._build()
        document.exercise_changed.connect(self._on_exercise_change)
        document.history_changed.connect(self.schedule)
        theme().changed.connect(self._on_theme_change)
        self._on_exercise_change()
        self._on_theme_change()

    # -- building ------------------------------------------------------------------------

    def _build(self) -> None:
        self.output_choice = QComboBox(objectName="function_output")
        self.output_choice.setToolTip("Which output of the network to draw")
        self.output_choice.currentIndexChanged.connect(self.redraw)
        self.output_row = QWidget()
        row = QHBoxLayout(self.output_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Output"))
        row.addWidget(self.output_choice)
        row.addStretch(1)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_curve_plot())
        self.pages.addWidget(self._build_map_plot())
        self.message = QLabel(objectName="function_message", wordWrap=True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages.addWidget(self.message)
        self.caption = QLabel(objectName="function_caption", wordWrap=True)
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.output_row)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.caption)
        self.setMinimumSize(200, 160)

    def _new_plot(self, name: str):
        plot = self._pg.PlotWidget(objectName=name)
        for side in ("left", "bottom"):
            plot.getPlotItem().getAxis(side).enableAutoSIPrefix(False)
        plot.setMenuEnabled(False)
        plot.setMouseEnabled(x=False, y=False)  # the view follows the data, not drags
        plot.getPlotItem().layout.setContentsMargins(2, 8, 4, 2)  # room for the top tick label
        return plot

    def _build_curve_plot(self):
        self.curve_plot = self._new_plot("function_curve_plot")
        self.curve_plot.showGrid(x=True, y=True, alpha=0.25)
        self.curve = self.curve_plot.plot([], [])
        self.points = self._pg.ScatterPlotItem(size=MARKER_SIZE, symbol="o")
        self.curve_plot.addItem(self.points)
        return self.curve_plot

    def _build_map_plot(self):
        pg = self._pg
        self.map_plot = self._new_plot("function_map_plot")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.map_plot.addItem(self.image)
        self.contour = pg.IsocurveItem(level=DECISION_LEVEL, axisOrder="row-major")
        self.contour.setParentItem(self.image)  # shares the image's pixel → input mapping
        self.class_points = pg.ScatterPlotItem(size=MARKER_SIZE)
        self.map_plot.addItem(self.class_points)
        self.colour_bar = pg.ColorBarItem(values=(0.0, 1.0), width=14, interactive=False,
                                          colorMap=self._colour_map(SHADE))
        self.colour_bar.setImageItem(self.image, insert_in=self.map_plot.getPlotItem())
        return self.map_plot

    def _colour_map(self, shade: float = 0.0):
        """Diverging blue ↔ orange through the background colour (colour-blind safe), its
        ends mixed ``shade`` of the way towards the background."""
        palette = theme().palette
        ends = [_mix(colour, palette.background, shade) for colour in (palette.positive, ORANGE)]
        return self._pg.ColorMap([0.0, 0.5, 1.0], [ends[0], palette.background, ends[1]])

    # -- model → view ----------------------------------------------------------------------

    @property
    def page(self) -> Page:
        return Page(self.pages.currentIndex())

    @property
    def output(self) -> int:
        return max(0, self.output_choice.currentIndex())

    def _problem(self) -> NetworkProblem | None:
        problem = self.document.exercise.problem
        return problem if isinstance(problem, NetworkProblem) else None

    def _on_exercise_change(self) -> None:
        problem = self._problem()
        names = output_names(problem) if problem is not None else ()
        if names != self._names:  # training replaces the exercise every update: keep the choice
            self._names = names
            with QSignalBlocker(self.output_choice):
                kept = self.output_choice.currentIndex()
                self.output_choice.clear()
                self.output_choice.addItems(list(names))
                self.output_choice.setCurrentIndex(kept if 0 <= kept < len(names) else 0)
        self.output_row.setVisible(len(names) > 1)
        self.schedule()

    def schedule(self) -> None:
        """Redraw soon: many changes within one timer interval make one redraw."""
        if not self._timer.isActive():
            self._timer.start()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_caption()

    def _fit_caption(self) -> None:
        """The plot before the legend: with large fonts in a short panel the caption goes
        (it stays as the plot's tooltip) rather than squash the plot to a strip."""
        text = self.caption.text()
        self.pages.setToolTip(text.replace("&nbsp;", " "))
        needed = self.caption.heightForWidth(max(1, self.width())) if text else 0
        self.caption.setVisible(bool(text) and self.height() - needed >= MIN_PLOT_HEIGHT)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self.redraw()

    def redraw(self) -> None:
        self._timer.stop()
        if not self.isVisible():
            self._stale = True  # drawn when shown: hidden views cost nothing while training
            return
        self._stale = False
        problem = self.document.exercise.problem
        reason = no_picture_reason(problem)
        if reason:
            self.message.setText(reason)
            self.caption.clear()
            self.pages.setCurrentIndex(Page.MESSAGE)
        elif samples.shape(problem) is samples.Shape.CURVE:
            self._draw_curve(problem)
        else:
            self._draw_map(problem)
        self._fit_caption()

    def _draw_curve(self, problem: NetworkProblem) -> None:
        output = self.output
        xs, ys = samples.curve(problem, output)
        self.curve.setData(xs, np.where(np.isfinite(ys), ys, np.nan), connect="finite")
        self.points.setData(problem.data.inputs[:, 0], problem.data.targets[:, output],
                            size=MARKER_SIZE * theme().font_scale)
        self.curve_plot.setXRange(xs[0], xs[-1], padding=0)
        x_name, y_name = input_names(problem)[0], output_names(problem)[output]
        self.curve_plot.setLabel("bottom", x_name)
        self.curve_plot.setLabel("left", y_name)
        palette = theme().palette
        self.caption.setText(
            f"<span style='color:{palette.text}'>●</span> data ({x_name}, target) &nbsp; "
            f"<span style='color:{palette.positive}'><b>━</b></span> network "
            f"{y_name} = f({x_name})")
        self.pages.setCurrentIndex(Page.CURVE)

    def _draw_map(self, problem: NetworkProblem) -> None:
        output = self.output
        xs, ys, values = samples.grid(problem, output)
        probability = samples.is_probability(problem)
        targets = problem.data.targets[:, output]
        # classes only where the output reads as P(y = 1); a 0/1 regression target is a value
        classes = probability and samples.is_binary(targets)
        levels = _levels(values, targets, probability)
        self._draw_heatmap(xs, ys, values, levels, probability)
        self._draw_targets(problem.data.inputs, targets, levels, classes)
        names = input_names(problem)
        self.map_plot.setLabel("bottom", names[0])
        self.map_plot.setLabel("left", names[1])
        self.caption.setText(_map_caption(output_names(problem)[output], probability, classes))
        self.pages.setCurrentIndex(Page.MAP)

    def _draw_heatmap(self, xs: np.ndarray, ys: np.ndarray, values: np.ndarray,
                      levels: tuple[float, float], probability: bool) -> None:
        low, high = levels
        finite = np.nan_to_num(values, nan=(low + high) / 2, posinf=high, neginf=low)
        self.image.setImage(finite, autoLevels=False)
        rect = _pixel_rect(xs, ys)
        self.image.setRect(rect)
        self.map_plot.setRange(rect, padding=0)
        self.colour_bar.setLevels(levels)
        self.contour.setVisible(probability)
        if probability:
            self.contour.setData(finite, DECISION_LEVEL)

    def _draw_targets(self, inputs: np.ndarray, targets: np.ndarray,
                      levels: tuple[float, float], classes: bool) -> None:
        pg, palette = self._pg, theme().palette
        if classes:
            colours = (palette.positive, ORANGE)
            labels = targets.astype(int)
            symbols = [CLASS_SYMBOLS[c] for c in labels]
            brushes = [pg.mkBrush(colours[c]) for c in labels]
        else:  # a value: its colour on the heatmap's scale, at full strength
            low, high = levels
            shares = np.clip((targets - low) / (high - low), 0.0, 1.0)
            symbols = ["o"] * len(targets)
            brushes = [pg.mkBrush(c) for c in self._colour_map().map(shares, "qcolor")]
        self.class_points.setData(inputs[:, 0], inputs[:, 1], symbol=symbols, brush=brushes,
                                  pen=pg.mkPen(palette.text, width=1.5),
                                  size=MARKER_SIZE * theme().font_scale)

    def _on_theme_change(self) -> None:
        palette = theme().palette
        pg = self._pg
        for plot in (self.curve_plot, self.map_plot):
            plot.setBackground(palette.color("background"))
        self.curve.setPen(pg.mkPen(palette.color("positive"), width=2.5))
        self.points.setBrush(pg.mkBrush(palette.color("text")))
        self.points.setPen(pg.mkPen(palette.color("background"), width=1))
        self.contour.setPen(pg.mkPen(palette.color("text"), width=2,
                                     style=Qt.PenStyle.DashLine))
        self.colour_bar.setColorMap(self._colour_map(SHADE))
        self.schedule()


def _map_caption(name: str, probability: bool, classes: bool) -> str:
    blue, orange = theme().palette.positive, ORANGE
    if classes:
        points = (f"<span style='color:{blue}'>●</span> y = 0 &nbsp; "
                  f"<span style='color:{orange}'>▲</span> y = 1")
    else:
        points = "● target (same colours)"
    ends = ("0", "1") if probability else ("low", "high")
    shading = (f"shade {name}: <span style='color:{blue}'>{ends[0]} blue</span> → "
               f"<span style='color:{orange}'>{ends[1]} orange</span>")
    if probability:
        shading += f"; dashed {name} = {DECISION_LEVEL}"
    return f"{points} &nbsp;·&nbsp; {shading}"


def _levels(values: np.ndarray, targets: np.ndarray,
            probability: bool) -> tuple[float, float]:
    """The colour scale: 0…1 for a probability, else the range of outputs and targets."""
    if probability:
        return 0.0, 1.0
    both = np.concatenate([values.ravel(), targets.ravel()])
    both = both[np.isfinite(both)]
    if not both.size:
        return -1.0, 1.0
    low, high = float(both.min()), float(both.max())
    return (low, high) if high > low else (low - 1.0, high + 1.0)


def _mix(colour: str, background: str, share: float) -> str:
    """``colour`` moved ``share`` of the way towards ``background`` (#RRGGBB strings)."""
    a, b = (np.array([int(c[i:i + 2], 16) for i in (1, 3, 5)]) for c in (colour, background))
    mixed = np.rint(a + (b - a) * share).astype(int)
    return "#" + "".join(f"{v:02X}" for v in mixed)


def _pixel_rect(xs: np.ndarray, ys: np.ndarray) -> QRectF:
    """Image pixels centred on the sample points."""
    dx = (xs[-1] - xs[0]) / (len(xs) - 1)
    dy = (ys[-1] - ys[0]) / (len(ys) - 1)
    return QRectF(xs[0] - dx / 2, ys[0] - dy / 2, dx * len(xs), dy * len(ys))


class SideBySide(QSplitter):
    """Two views side by side when there is width to spare, one above the other otherwise;
    the user can drag the handle between them."""

    def __init__(self, first: QWidget, second: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("loss_and_function")
        self.setChildrenCollapsible(False)
        self.addWidget(first)
        self.addWidget(second)

    def resizeEvent(self, event) -> None:
        size = event.size()
        wanted = (Qt.Orientation.Horizontal if size.width() >= WIDE * size.height()
                  else Qt.Orientation.Vertical)
        if wanted != self.orientation():
            self.setOrientation(wanted)
            self.setSizes([1, 1])  # share the space equally after turning
        super().resizeEvent(event)
