"""Actions as every menu, toolbar and test finds them: an objectName and a tooltip that
names the shortcut (orange-canvas declares its QActions the same way)."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence


def make_action(parent: QObject, name: str, text: str, tip: str,
                shortcuts: tuple[QKeySequence | str, ...] = ()) -> QAction:
    """An action with an objectName and a tooltip that names its shortcut."""
    action = QAction(text, parent)
    action.setObjectName(name)
    keys = [QKeySequence(s) for s in shortcuts]
    if keys:
        action.setShortcuts(keys)
        names = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
        tip = f"{tip} ({names})"
    action.setToolTip(tip)
    action.setStatusTip(tip)
    return action
