"""The training panel: learning rate, method, step / run / play / reset, and the loss curve.

Every control writes to the document (an undoable edit or a training command); the widgets
are refreshed from the document under signal blockers, never read back as the truth.
pyqtgraph is imported here only, when the panel is built, to keep the app's start fast.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QSignalBlocker, QTimer
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from tutor.engine import Method, NetworkProblem
from tutor.engine.edit import set_learning_rate, set_method
from tutor.engine.notation import format_number
from tutor.ui.style import theme

PLAY_INTERVAL_MS = 40  # one chunk of updates per tick keeps the window responsive
PLAY_CHUNK = 5
METHODS = ((Method.BATCH, "Batch gradient descent"), (Method.SGD, "Stochastic (SGD)"),
           (Method.MINIBATCH, "Mini-batch"))
LOG_FLOOR = 1e-300  # a loss of exactly 0 cannot be drawn on a log axis


class TrainingPanel(QWidget):
    """Training controls and the loss curve of the document's training history."""

    def __init__(self, document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("training_panel")
        self.document = document
        self._play_timer = QTimer(self)
        self._play_timer.setInterval(PLAY_INTERVAL_MS)
        self._play_timer.timeout.connect(self._on_play_tick)
        self._build_controls()
        self._build_plot()
        document.exercise_changed.connect(self._on_exercise_change)
        document.history_changed.connect(self._on_history_change)
        theme().changed.connect(self._on_theme_change)
        self._on_exercise_change()
        self._on_history_change()

    # -- building ------------------------------------------------------------------------

    def _build_controls(self) -> None:
        self.learning_rate = QLineEdit(objectName="learning_rate")
        validator = QDoubleValidator(0.0, 1e6, 12, self)
        validator.setNotation(QDoubleValidator.Notation.ScientificNotation)
        self.learning_rate.setValidator(validator)
        self.learning_rate.setToolTip("η, the step size of gradient descent (positive)")
        self.learning_rate.editingFinished.connect(self._on_learning_rate_edit)
        self.method = QComboBox(objectName="method")
        for method, text in METHODS:
            self.method.addItem(text, method.value)
        self.method.currentIndexChanged.connect(self._on_method_edit)
        self.batch_size = QSpinBox(objectName="batch_size", minimum=1, maximum=1_000_000)
        self.batch_size.setToolTip("Samples per mini-batch update")
        self.batch_size.valueChanged.connect(self._on_method_edit)
        self.step_button = QPushButton("Step", objectName="train_step")
        self.step_button.setToolTip("One gradient-descent update")
        self.step_button.clicked.connect(lambda: self.train(1))
        self.run_count = QSpinBox(objectName="run_count", minimum=1, maximum=100_000, value=10)
        self.run_button = QPushButton("Run", objectName="train_run")
        self.run_button.setToolTip("Run this many updates as one undoable step")
        self.run_button.clicked.connect(lambda: self.train(self.run_count.value()))
        self.play_button = QPushButton("Play", objectName="train_play", checkable=True)
        self.play_button.setToolTip("Train continuously until stopped")
        self.play_button.toggled.connect(self._on_play_toggle)
        self.reset_button = QPushButton("Reset", objectName="train_reset")
        self.reset_button.setToolTip("Back to the parameters before any training")
        self.reset_button.clicked.connect(self._on_reset)
        self.log_y = QCheckBox("Log scale", objectName="log_y")
        self.log_y.toggled.connect(self._on_log_toggle)
        self.message = QLabel(objectName="training_message", wordWrap=True)
        self.message.hide()
        self.status = QLabel(objectName="training_status")

        self.learning_rate.setMaximumWidth(160)
        self.method.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        form = QFormLayout()
        form.addRow("Learning rate η", self.learning_rate)
        method_row = QHBoxLayout()
        method_row.addWidget(self.method)
        method_row.addWidget(QLabel("batch size"))
        method_row.addWidget(self.batch_size)
        method_row.addStretch(1)
        form.addRow("Method", method_row)
        buttons = QHBoxLayout()
        for widget in (self.step_button, self.run_count, self.run_button, self.play_button,
                       self.reset_button):
            buttons.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.log_y)
        layout.addLayout(status_row)

    def _build_plot(self) -> None:
        import pyqtgraph as pg  # lazily: only the training panel needs it

        self._pg = pg
        self.plot = pg.PlotWidget(objectName="loss_plot")
        self.plot.setLabel("bottom", "update")
        self.plot.setLabel("left", "loss")
        bottom = self.plot.getPlotItem().getAxis("bottom")
        bottom.enableAutoSIPrefix(False)  # "update (x0.001)" for one point is nonsense
        self.plot.getPlotItem().getAxis("left").enableAutoSIPrefix(False)
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setMinimumHeight(160)
        self.curve = self.plot.plot([], [])
        self.current_point = pg.ScatterPlotItem(size=12)
        self.plot.addItem(self.current_point)
        self.edit_lines: list = []
        self.plot.scene().sigMouseClicked.connect(self._on_plot_click)
        from tutor.ui.function_view import FunctionView, SideBySide

        self.function_view = FunctionView(self.document)  # what the network computes
        self.layout().addWidget(SideBySide(self.plot, self.function_view), 1)
        self._on_theme_change()

    # -- model → widgets -------------------------------------------------------------------

    def _problem(self) -> NetworkProblem | None:
        problem = self.document.exercise.problem
        return problem if isinstance(problem, NetworkProblem) else None

    def _on_exercise_change(self) -> None:
        problem = self._problem()
        for widget in (self.learning_rate, self.method, self.batch_size, self.step_button,
                       self.run_count, self.run_button, self.play_button, self.reset_button):
            widget.setEnabled(problem is not None)
        if problem is None:
            self.stop()
            self.status.setText("Only network exercises are trained here.")
            return
        training = problem.training
        with QSignalBlocker(self.learning_rate):
            self.learning_rate.setText(format_number(training.learning_rate).replace("−", "-"))
            self.learning_rate.setStyleSheet("")
        with QSignalBlocker(self.method):
            self.method.setCurrentIndex(self.method.findData(training.method.value))
        with QSignalBlocker(self.batch_size):
            self.batch_size.setMaximum(max(1, len(problem.data)))
            self.batch_size.setValue(training.batch_size)
        self.batch_size.setEnabled(training.method is Method.MINIBATCH)

    def _on_history_change(self) -> None:
        history = self.document.history
        losses = np.array(history.losses, dtype=float)
        finite = np.isfinite(losses)
        x = np.arange(len(losses), dtype=float)[finite]
        y = self._shown(losses[finite])
        self.curve.setData(x, y)
        self._fit_x_range(len(losses))
        current = history.current
        if 0 <= current < len(losses) and finite[current]:
            self.current_point.setData([float(current)], self._shown(losses[[current]]))
        else:
            self.current_point.setData([], [])
        self._draw_edit_markers(history.edits)
        self._show_divergence(history.diverged_at)
        if len(losses):
            self.status.setText(f"{history.updates} updates · loss "
                                f"{format_number(losses[current])} at update {current}")
        else:
            self.status.setText("")

    def _fit_x_range(self, points: int) -> None:
        """Updates are whole numbers from 0: show 0…max(10, n) with integer ticks."""
        last = max(10, points - 1)
        self.plot.setXRange(0, last, padding=0.02)
        major = max(1, math.ceil(last / 10))
        self.plot.getPlotItem().getAxis("bottom").setTickSpacing(major, major)

    def _shown(self, values: np.ndarray) -> np.ndarray:
        return np.maximum(values, LOG_FLOOR) if self.log_y.isChecked() else values

    def _draw_edit_markers(self, edits: tuple[int, ...]) -> None:
        for line in self.edit_lines:
            self.plot.removeItem(line)
        palette = theme().palette
        pen = self._pg.mkPen(palette.color("cached_read"), width=2,
                             style=self._pg.QtCore.Qt.PenStyle.DashLine)
        self.edit_lines = [self._pg.InfiniteLine(pos=float(index), angle=90, pen=pen,
                                                 label="edited", labelOpts={"position": 0.9})
                           for index in edits]
        for line in self.edit_lines:
            self.plot.addItem(line)

    def _show_divergence(self, diverged_at: int | None) -> None:
        if diverged_at is None:
            self.message.hide()
            return
        problem = self._problem()
        eta = problem.training.learning_rate if problem is not None else math.nan
        self.message.setText(
            f"Training diverged at update {diverged_at}: the loss became infinite or NaN. "
            f"Try a smaller learning rate (for example η = {format_number(eta / 10)} "
            f"instead of {format_number(eta)}), then Reset.")
        self.message.setStyleSheet(f"color: {theme().palette.negative}; font-weight: bold;")
        self.message.show()

    def _on_theme_change(self) -> None:
        palette = theme().palette
        self.plot.setBackground(palette.color("background"))
        self.curve.setPen(self._pg.mkPen(palette.color("positive"), width=2))
        self.current_point.setBrush(self._pg.mkBrush(palette.color("current")))
        self.current_point.setPen(self._pg.mkPen(palette.color("text"), width=2))
        self._on_history_change()

    def _on_log_toggle(self, checked: bool) -> None:
        self.plot.setLogMode(x=False, y=checked)
        self._on_history_change()

    # -- widgets → model -------------------------------------------------------------------

    def _on_learning_rate_edit(self) -> None:
        problem = self._problem()
        if problem is None:
            return
        try:
            new = set_learning_rate(problem, float(self.learning_rate.text()))
        except ValueError as error:
            self.learning_rate.setStyleSheet(f"border: 2px solid {theme().palette.negative};")
            self.learning_rate.setToolTip(str(error))
            return
        self.learning_rate.setStyleSheet("")
        if new.training != problem.training:
            self.document.edit(f"Set learning rate to {format_number(new.training.learning_rate)}",
                               self.document.exercise.with_problem(new))

    def _on_method_edit(self) -> None:
        problem = self._problem()
        if problem is None:
            return
        method = Method(self.method.currentData())
        new = set_method(problem, method, self.batch_size.value())
        self.batch_size.setEnabled(method is Method.MINIBATCH)
        if new.training != problem.training:
            self.document.edit(f"Train by {self.method.currentText().lower()}",
                               self.document.exercise.with_problem(new))

    def train(self, updates: int) -> None:
        """Run ``updates`` updates (one undoable command); stops playing on divergence."""
        if self._problem() is None:
            return
        run = self.document.train(updates)
        if run.diverged_at is not None:
            self.stop()

    def _on_play_toggle(self, playing: bool) -> None:
        self.play_button.setText("Stop" if playing else "Play")
        if playing:
            self._play_timer.start()
        else:
            self._play_timer.stop()

    def _on_play_tick(self) -> None:
        self.train(PLAY_CHUNK)

    def stop(self) -> None:
        self.play_button.setChecked(False)

    def _on_reset(self) -> None:
        self.stop()
        if len(self.document.history) and self.document.history.current != 0:
            self.document.restore_history(0)

    def _on_plot_click(self, event) -> None:
        view = self.plot.getPlotItem().vb
        if not view.sceneBoundingRect().contains(event.scenePos()):
            return
        x = view.mapSceneToView(event.scenePos()).x()
        self.restore_point(round(x))

    def restore_point(self, index: int) -> None:
        """A clicked point of the curve: go back (undoably) to the parameters of that update."""
        history = self.document.history
        if not len(history):
            return
        index = max(0, min(int(index), len(history) - 1))
        if index != history.current:
            self.stop()
            self.document.restore_history(index)
