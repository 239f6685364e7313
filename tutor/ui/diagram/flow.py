"""The animated flow of a gradient: dashes running along the edges a backward step reads its
cached adjoints through, towards the node it computes (View ▸ Animate gradient flow).

Off by default, so that tests and screenshots see still pictures; when on, a short run of
``LOOPS`` passes follows every step, then the edges stand still again (a lecture pauses on
a step).  Only the edges' dash offset changes: nothing is laid out again, no label moves.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QAbstractAnimation, QObject, QVariantAnimation

DASH_PERIOD = 6.0  # a Qt dash line repeats every 6 pen widths (4 on, 2 off)
PASS_MS = 900  # one period of the dashes
LOOPS = 3  # passes per step: a short animation, then still


class FlowAnimation(QObject):
    """Drives ``set_phase`` of the edges a step marks as flowing."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.enabled = False
        self._edges: list = []
        self.animation = QVariantAnimation(self)
        self.animation.setStartValue(0.0)
        self.animation.setEndValue(DASH_PERIOD)
        self.animation.setDuration(PASS_MS)
        self.animation.setLoopCount(LOOPS)
        self.animation.valueChanged.connect(self._on_value)

    @property
    def running(self) -> bool:
        return self.animation.state() is QAbstractAnimation.State.Running

    def set_enabled(self, on: bool) -> None:
        self.enabled = on
        if on:
            self.start(self._edges)
        else:
            self.stop()

    def start(self, edges: list) -> None:
        """A new step: these edges flow (none: nothing runs)."""
        self.stop()
        self._edges = list(edges)
        if self.enabled and self._edges:
            self.animation.start()

    def stop(self) -> None:
        self.animation.stop()
        for edge in self._edges:  # a new exercise has deleted the old scene's edges
            if shiboken6.isValid(edge) and edge.phase:
                edge.set_phase(0.0)

    def _on_value(self, value: object) -> None:
        for edge in self._edges:
            if shiboken6.isValid(edge):
                edge.set_phase(float(value))
