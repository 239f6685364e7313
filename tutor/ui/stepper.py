"""Stepping through the trace: first / back / next / last, play–pause, granularity, sample.

:class:`Stepper` owns the actions and the play timer (so menus and the toolbar share them);
:class:`StepperBar` is the toolbar that shows them with the phase indicator and selectors.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QComboBox, QLabel, QToolBar, QWidget

from tutor.engine import Granularity
from tutor.session.readout import sample_note

from .actions import make_action
from .document import Document
from .text import phase_text

SPEEDS = (0.5, 1.0, 2.0, 4.0, 8.0)  # steps per second
DEFAULT_SPEED = 1.0


class Stepper(QObject):
    """Moves the document's cursor; plays it forward on a timer."""

    def __init__(self, document: Document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._on_tick)
        self._speed = DEFAULT_SPEED
        self.first_action = make_action(self, "action_first", "|◀ First", "First step", ("Home",))
        self.back_action = make_action(self, "action_back", "◀ Back", "Previous step", ("Left",))
        self.next_action = make_action(self, "action_next", "Next ▶", "Next step",
                                       ("Right", "Space"))
        self.last_action = make_action(self, "action_last", "Last ▶|", "Last step", ("End",))
        self.play_action = make_action(self, "action_play", "▶ Play", "Play or pause", ("P",))
        self.play_action.setCheckable(True)
        self.node_action = make_action(self, "action_granularity_node", "Node by node",
                                       "Step one scalar node at a time", ("Ctrl+1",))
        self.layer_action = make_action(self, "action_granularity_layer", "Layer by layer",
                                        "Step one whole layer (matrix form) at a time",
                                        ("Ctrl+2",))
        group = QActionGroup(self)
        for action in (self.node_action, self.layer_action):
            action.setCheckable(True)
            group.addAction(action)
        self.node_action.setChecked(document.granularity is Granularity.NODE)
        self.layer_action.setChecked(document.granularity is Granularity.LAYER)
        self.first_action.triggered.connect(document.first)
        self.back_action.triggered.connect(document.back)
        self.next_action.triggered.connect(document.next)
        self.last_action.triggered.connect(document.last)
        self.play_action.toggled.connect(self._on_play_toggled)
        self.node_action.triggered.connect(lambda: document.set_granularity(Granularity.NODE))
        self.layer_action.triggered.connect(lambda: document.set_granularity(Granularity.LAYER))
        document.cursor_changed.connect(self._on_cursor_change)
        document.trace_changed.connect(self._on_trace_change)
        self._on_trace_change()

    def actions(self) -> list[QAction]:
        return [self.first_action, self.back_action, self.play_action, self.next_action,
                self.last_action]

    @property
    def speed(self) -> float:
        return self._speed

    def set_speed(self, steps_per_second: float) -> None:
        self._speed = max(0.1, float(steps_per_second))
        self.timer.setInterval(round(1000 / self._speed))

    def play(self) -> None:
        self.play_action.setChecked(True)

    def pause(self) -> None:
        self.play_action.setChecked(False)

    def _on_play_toggled(self, playing: bool) -> None:
        self.play_action.setText("Pause" if playing else "▶ Play")
        if playing:
            if self._document.at_end():
                self._document.first()
            self.set_speed(self._speed)
            self.timer.start()
        else:
            self.timer.stop()

    def _on_tick(self) -> None:
        self._document.next()
        if self._document.at_end():
            self.pause()

    def _on_cursor_change(self, _cursor: int) -> None:
        self._update_enabled()

    def _on_trace_change(self) -> None:
        document = self._document
        with QSignalBlocker(self.node_action), QSignalBlocker(self.layer_action):
            self.node_action.setChecked(document.granularity is Granularity.NODE)
            self.layer_action.setChecked(document.granularity is Granularity.LAYER)
        allowed = document.node_granularity_allowed
        self.node_action.setEnabled(allowed)
        tip = self.node_action.toolTip().split(" — ")[0]
        self.node_action.setToolTip(tip if allowed else
                                    f"{tip} — unavailable: this network is too large to trace "
                                    "one scalar node at a time, so it is shown layer by layer")
        self._update_enabled()

    def _update_enabled(self) -> None:
        document = self._document
        at_start, at_end = document.cursor <= 0, document.at_end()
        self.first_action.setEnabled(not at_start)
        self.back_action.setEnabled(not at_start)
        self.next_action.setEnabled(not at_end)
        self.last_action.setEnabled(not at_end)


class StepperBar(QToolBar):
    """The stepping toolbar: buttons, speed, phase indicator, granularity and sample."""

    def __init__(self, document: Document, stepper: Stepper,
                 parent: QWidget | None = None) -> None:
        super().__init__("Stepping", parent)
        self.setObjectName("stepper_bar")
        self._document = document
        self._stepper = stepper
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in stepper.actions():
            self.addAction(action)
        self.speed_combo = QComboBox(objectName="speed_combo")
        self.speed_combo.setToolTip("Playback speed")
        for speed in SPEEDS:
            self.speed_combo.addItem(f"{speed:g} step{'' if speed == 1 else 's'}/s", speed)
        self.speed_combo.setCurrentIndex(SPEEDS.index(DEFAULT_SPEED))
        self.speed_combo.currentIndexChanged.connect(self._on_speed_chosen)
        # what a presenter does not need: hidden while presenting, so the step label fits
        self._settings = [self.addWidget(self.speed_combo)]
        self.addSeparator()
        self.phase_label = QLabel(objectName="phase_label")
        self.phase_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.addWidget(self.phase_label)
        self._fit_label()
        self._settings += [self.addSeparator(), stepper.node_action, stepper.layer_action,
                           self.addSeparator()]
        self.addAction(stepper.node_action)
        self.addAction(stepper.layer_action)
        self.sample_combo = QComboBox(objectName="sample_combo")
        self.sample_combo.setToolTip("Which sample's pass to show")
        self.sample_combo.currentIndexChanged.connect(self._on_sample_chosen)
        self._sample_action = self.addWidget(self.sample_combo)
        self._compact = False
        document.cursor_changed.connect(self._on_cursor_change)
        document.trace_changed.connect(self._on_trace_change)
        document.exercise_changed.connect(self._on_exercise_change)
        self._on_exercise_change()

    def set_compact(self, compact: bool) -> None:
        """Only the step buttons and the step label (presentation mode): at twice the text
        size on a 1024×768 projector the speed, granularity and sample controls pushed the
        label off the bar."""
        self._compact = compact
        self._fit_label()
        for action in self._settings:
            action.setVisible(not compact)
        self._sample_action.setVisible(not compact and self._document.sample_count > 1)

    def _fit_label(self) -> None:
        """Room for the longest step label at the current font, so the bar does not jump
        from step to step; when presenting, for the label shown only."""
        longest = "" if getattr(self, "_compact", False) else \
            "Backward 000 / 000 · step 0000 / 0000"
        self.phase_label.setMinimumWidth(self.fontMetrics().horizontalAdvance(longest) + 16)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_label()

    def _on_speed_chosen(self, index: int) -> None:
        self._stepper.set_speed(self.speed_combo.itemData(index))

    def _on_sample_chosen(self, index: int) -> None:
        if index >= 0:
            self._document.set_sample(self.sample_combo.itemData(index))

    def _on_cursor_change(self, _cursor: int) -> None:
        document = self._document
        total = len(document.trace)
        self.phase_label.setText(
            f"{phase_text(document.trace, document.cursor)} · step {document.cursor + 1} / {total}")

    def _on_trace_change(self) -> None:
        document = self._document
        self.sample_combo.setToolTip(sample_note(document.sample, document.sample_count)
                                     or "Which sample's pass to show")
        self._on_cursor_change(document.cursor)

    def _on_exercise_change(self) -> None:
        document = self._document
        count = document.sample_count
        with QSignalBlocker(self.sample_combo):
            self.sample_combo.clear()
            self.sample_combo.addItem("All samples", None)
            for n in range(count):
                self.sample_combo.addItem(f"Sample {n + 1}", n)
            self.sample_combo.setCurrentIndex(
                0 if document.sample is None else document.sample + 1)
        self._sample_action.setVisible(count > 1 and not self._compact)
        self._on_trace_change()
