"""The window's first start: the whole screen, with the docks shared out to fit it.

The main window lays its docks out for a 1600-pixel-wide window; on a 1024×768 or 1280×720
screen (a small laptop, an old projector) that left the network diagram a sliver.  On the
first start (later starts restore the user's own layout), and for a ``--size`` picture, the
side docks get a share of the width and the trace a share of the height: no less than their
controls need, no more than the window's own layout gives them on a large screen.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMainWindow

from .layouts import small_columns

LEFT_SHARE, RIGHT_SHARE, BOTTOM_SHARE = 0.24, 0.32, 0.28
LEFT_MIN, RIGHT_MIN, BOTTOM_MIN = 220, 300, 150  # px: below this a dock is no use
LEFT_MAX, RIGHT_MAX, BOTTOM_MAX = 380, 560, 260  # px: the window's own layout, for big screens


def share_docks(window: QMainWindow) -> None:
    """Size the parameters, step/training and trace docks in proportion to the window."""
    width, height = window.width(), window.height()
    left = min(LEFT_MAX, max(LEFT_MIN, int(LEFT_SHARE * width)))
    right = min(RIGHT_MAX, max(RIGHT_MIN, int(RIGHT_SHARE * width)))
    left, right = small_columns(width, height) or (left, right)  # a short screen: the diagram
    docks = [getattr(window, name, None) for name in ("parameters_dock", "inspector_dock")]
    if all(docks):
        window.resizeDocks(docks, [left, right], Qt.Orientation.Horizontal)
    trace = getattr(window, "trace_dock", None)
    if trace is not None:
        bottom = min(BOTTOM_MAX, max(BOTTOM_MIN, int(BOTTOM_SHARE * height)))
        window.resizeDocks([trace], [bottom], Qt.Orientation.Vertical)
    layouts = getattr(window, "layouts", None)
    if layouts is not None:  # a short screen: the diagram first (View ▸ Layout's rules)
        layouts.fit_screen()


def fill_screen(window: QMainWindow) -> None:
    """Maximise on the window's screen, even without a window manager, then share the docks."""
    window.setGeometry(window.screen().availableGeometry())
    window.showMaximized()
    QTimer.singleShot(0, lambda: share_docks(window))  # once the maximised size is applied
