"""The widgets' colours for a theme: the diagrams read the style palette directly, every
other widget through the application's QPalette made here."""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from . import style


def qt_palette(palette: style.Palette) -> QPalette:
    """The widgets' colours for a theme (the diagrams read the style palette directly)."""
    qt = QPalette()
    window = palette.color("node_fill" if palette.name == "dark" else "background")
    roles = {
        QPalette.ColorRole.Window: window, QPalette.ColorRole.Base: palette.color("background"),
        QPalette.ColorRole.AlternateBase: palette.color("node_fill"),
        QPalette.ColorRole.WindowText: palette.color("text"),
        QPalette.ColorRole.Text: palette.color("text"),
        QPalette.ColorRole.ButtonText: palette.color("text"),
        QPalette.ColorRole.Button: palette.color("node_fill"),
        QPalette.ColorRole.ToolTipText: palette.color("text"),
        QPalette.ColorRole.ToolTipBase: palette.color("background"),
        QPalette.ColorRole.Highlight: palette.color("positive"),
        QPalette.ColorRole.PlaceholderText: palette.color("pending"),
    }
    if palette.name == "light":
        return QApplication.style().standardPalette()
    for role, colour in roles.items():
        qt.setColor(role, colour)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                 QPalette.ColorRole.WindowText):  # disabled controls must look disabled
        qt.setColor(QPalette.ColorGroup.Disabled, role, palette.color("pending"))
    return qt
