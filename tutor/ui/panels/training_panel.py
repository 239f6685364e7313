"""The training panel: learning rate, method, step / run / play / reset, and the loss curve.

Every control writes to the document (an undoable edit or a training command); the widgets
are refreshed from the document under signal blockers, never read back as the truth.  How
much each tick of a Run trains is the session's decision (:mod:`tutor.session.training`).
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QSignalBlocker, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from tutor.engine import Method, NetworkProblem
from tutor.engine.edit import set_learning_rate, set_method
from tutor.engine.notation import format_number
from tutor.engine.numbers import parse_number
from tutor.session import training as pacing

from ..style import theme

LEARNING_RATE_TIP = "η, the step size of gradient descent (positive; 0,05 and 1/20 work too)"
PLAY_INTERVAL_MS = 40  # one chunk of updates (pacing.PLAY_CHUNK) per tick
METHODS = ((Method.BATCH, "Batch gradient descent"), (Method.SGD, "Stochastic (SGD)"),
           (Method.MINIBATCH, "Mini-batch"))
CURVE_INTERVAL_SECONDS = 1 / 30  # the curve is redrawn at most 30 times a second while busy


class TrainingPanel(QWidget):
    """Training controls and the loss curve of the document's training history."""

    def __init__(self, document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("training_panel")
        self.document = document
        self._play_timer = QTimer(self)
        self._play_timer.setInterval(PLAY_INTERVAL_MS)
        self._play_timer.timeout.connect(self._on_play_tick)
        self._session = None  # the Run in progress (a TrainingSession), if any
        self._laying_out = False  # the Run's first tick is left to layout and painting
        self._run_timer = QTimer(self, interval=0)
        self._run_timer.timeout.connect(self._on_run_tick)
        self._drawn_at = -math.inf  # when the curve was last redrawn
        self._curve_timer = QTimer(self, singleShot=True)
        self._curve_timer.timeout.connect(self._on_history_change)
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
        self.learning_rate.setToolTip(LEARNING_RATE_TIP)
        self.learning_rate.editingFinished.connect(self._on_learning_rate_edit)
        self.method = QComboBox(objectName="method", toolTip="How each update uses the samples")
        for method, text in METHODS:
            self.method.addItem(text, method.value)
        self.method.currentIndexChanged.connect(self._on_method_edit)
        self.batch_size = QSpinBox(objectName="batch_size", minimum=1, maximum=1_000_000)
        self.batch_size.setToolTip("Samples per mini-batch update")
        self.batch_size.valueChanged.connect(self._on_method_edit)
        self.step_button = QPushButton("Step", objectName="train_step")
        self.step_button.setToolTip("One gradient-descent update")
        self.step_button.clicked.connect(lambda: self.train(1))
        self.run_count = QSpinBox(objectName="run_count", minimum=1, maximum=100_000, value=10,
                                  toolTip="How many updates Run makes")
        self.run_button = QPushButton("Run", objectName="train_run")
        self.run_button.setToolTip("Run this many updates as one undoable step")
        self.run_button.clicked.connect(self._on_run_click)
        self.progress = QProgressBar(objectName="training_progress", textVisible=False)
        self.progress.hide()
        self.play_button = QPushButton("Play", objectName="train_play", checkable=True)
        self.play_button.setToolTip("Train continuously until stopped")
        self.play_button.toggled.connect(self._on_play_toggle)
        self.reset_button = QPushButton("Reset", objectName="train_reset")
        self.reset_button.setToolTip("Back to the parameters before any training")
        self.reset_button.clicked.connect(self._on_reset)
        self.log_y = QCheckBox("Log scale", objectName="log_y",
                               toolTip="Plot the loss on a logarithmic axis")
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
        layout.addWidget(self.progress)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.log_y)
        layout.addLayout(status_row)

    def _build_plot(self) -> None:
        from .function_view import FunctionView, SideBySide
        from .loss_plot import LossPlot

        self.loss_plot = LossPlot(self)
        self.loss_plot.update_clicked.connect(self.restore_point)
        self.function_view = FunctionView(self.document)  # what the network computes
        self.layout().addWidget(SideBySide(self.plot, self.function_view), 1)

    @property
    def plot(self):
        return self.loss_plot.widget

    @property
    def curve(self):
        return self.loss_plot.curve

    @property
    def current_point(self):
        return self.loss_plot.current_point

    @property
    def edit_lines(self) -> list:
        return self.loss_plot.edit_lines

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
        if self._session is not None:
            if not self._session.stale:
                self._enable_editing(False)  # still running: only Stop, Play and Reset
                return
            self._stop_run()  # edited mid-run: the run's updates no longer apply
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
        if self._busy() and self._redraw_later():
            return
        self._drawn_at = time.perf_counter()
        history = self.document.history
        losses, current = history.losses, history.current
        self.loss_plot.draw(losses, current)
        self.loss_plot.draw_edit_markers(history.edits)
        self._show_divergence(history.diverged_at)
        if len(losses):
            self.status.setText(f"{history.updates} updates · loss "
                                f"{format_number(losses[current])} at update {current}")
        else:
            self.status.setText("")

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
        self.loss_plot.apply_theme()
        self._on_history_change()

    def _on_log_toggle(self, checked: bool) -> None:
        self.loss_plot.set_log(checked)
        self._on_history_change()

    # -- widgets → model -------------------------------------------------------------------

    def _on_learning_rate_edit(self) -> None:
        problem = self._problem()
        if problem is None:
            return
        try:
            new = set_learning_rate(problem, parse_number(self.learning_rate.text()))
        except ValueError as error:
            self.learning_rate.setStyleSheet(f"border: 2px solid {theme().palette.negative};")
            self.learning_rate.setToolTip(str(error))
            return
        self.learning_rate.setStyleSheet("")
        self.learning_rate.setToolTip(LEARNING_RATE_TIP)
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
        """Run ``updates`` updates at once (one undoable command); stops playing on divergence."""
        if self._problem() is None:
            return
        self._stop_run()
        run = self.document.train(updates)
        if run.diverged_at is not None:
            self.stop()
            self._on_history_change()  # the message now, not at the next throttled redraw

    def _busy(self) -> bool:
        return self.play_button.isChecked() or self._session is not None

    def _redraw_later(self) -> bool:
        """While busy the curve is redrawn at most 30 times a second: True when this change
        is left to the timer."""
        wait = self._drawn_at + CURVE_INTERVAL_SECONDS - time.perf_counter()
        if wait <= 0:
            return False
        if not self._curve_timer.isActive():
            self._curve_timer.start(math.ceil(wait * 1000))
        return True

    # -- Run: chunks between events ---------------------------------------------------------

    @property
    def running(self) -> bool:
        """A Run is in progress."""
        return self._session is not None

    def _on_run_click(self) -> None:
        if self._session is not None:
            self._stop_run()
        else:
            self.start_run(self.run_count.value())

    def start_run(self, updates: int) -> None:
        """Train ``updates`` updates a chunk at a time; a short run is done before this returns.

        Each tick trains for about RUN_TICK_SECONDS and returns to the event loop, so the
        window repaints and Stop works; the chunk size follows the measured time per update.
        """
        if self._problem() is None:
            return
        self.stop()
        self._session = self.document.start_training(updates)
        self.run_button.setText("Stop")
        self.run_button.setToolTip("Stop training; the updates so far stay, as one undoable step")
        self._enable_editing(False)
        self.progress.setRange(0, updates)
        self.progress.setValue(0)
        self._on_run_tick(at_least=self._session.at_once)
        if self._session is not None:
            self.progress.show()
            # the first tick only lets the window lay out Stop and the progress bar (~25 ms):
            # training in it as well made it the longest wait of a Run
            self._laying_out = True
            self._run_timer.start()

    def _on_run_tick(self, at_least: int = 0) -> None:
        session = self._session
        if session is None:
            return
        if self._laying_out:
            self._laying_out = False
            return
        if not session.remaining:  # trained out in an earlier tick
            # tracing the final parameters of a large network takes longer than applying
            # them: it gets ticks of its own, then the next applies the Run
            if not session.trace_final(pacing.RUN_TICK_SECONDS):
                self._stop_run()
            return
        session.advance_for(pacing.RUN_TICK_SECONDS, at_least)
        if not session.remaining and not self._run_timer.isActive():  # done within the click
            self._stop_run()
            return
        self.progress.setValue(session.done)
        self.status.setText(f"Training… {session.done:,} / {session.total:,}")
        if time.perf_counter() - self._drawn_at >= CURVE_INTERVAL_SECONDS:
            self._draw_session(session)

    def _draw_session(self, session) -> None:
        """The curve so far: the history up to its current point, then the run's losses."""
        self._drawn_at = time.perf_counter()
        losses = session.curve()
        self.loss_plot.draw(losses, len(losses) - 1)

    def _stop_run(self) -> None:
        """End the Run: what it trained becomes one undoable command."""
        session, self._session = self._session, None
        if session is None:
            return
        self._run_timer.stop()
        self.progress.hide()
        self.run_button.setText("Run")
        self.run_button.setToolTip("Run this many updates as one undoable step")
        if session.finish() is None:
            self._on_history_change()  # nothing pushed: the document's own curve again
        self._on_exercise_change()

    def _enable_editing(self, enabled: bool) -> None:
        for widget in (self.learning_rate, self.method, self.batch_size, self.step_button,
                       self.run_count):
            widget.setEnabled(enabled)

    # -- Play ---------------------------------------------------------------------------------

    def _on_play_toggle(self, playing: bool) -> None:
        self.play_button.setText("Stop" if playing else "Play")
        if playing:
            self._stop_run()
            self._play_timer.start()
        else:
            self._play_timer.stop()

    def _on_play_tick(self) -> None:
        self.train(pacing.PLAY_CHUNK)

    def stop(self) -> None:
        """Stop playing or running."""
        self.play_button.setChecked(False)
        self._stop_run()

    def _on_reset(self) -> None:
        self.stop()
        if len(self.document.history) and self.document.history.current != 0:
            self.document.restore_history(0)

    def restore_point(self, index: int) -> None:
        """A clicked point of the curve: go back (undoably) to the parameters of that update."""
        history = self.document.history
        if not len(history):
            return
        # a long run of a large network keeps every k-th update's parameters: take the nearest
        index = history.nearest(max(0, min(int(index), len(history) - 1)))
        if index != history.current:
            self.stop()
            self.document.restore_history(index)

