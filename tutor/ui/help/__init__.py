"""Help inside the app: the welcome page, the user guide, the exercise format and the keys.

The main window calls :func:`install_help` with its Help menu; the app calls
:func:`offer_welcome` once the window is shown.  Each help window is created on first use
and raised again afterwards.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QDialog, QMainWindow, QMenu

from ..actions import make_action
from .pages import EXERCISE_FORMAT, GUIDE, HelpPageDialog
from .shortcuts import ShortcutsDialog
from .welcome import WelcomeDialog, mark_seen, should_show_at_start

__all__ = ["HelpController", "install_help", "offer_welcome"]


class HelpController(QObject):
    """The Help menu's actions and the windows they open."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.setObjectName("help_controller")
        self._window = window
        self._dialogs: dict[str, QDialog] = {}
        self.welcome_action = make_action(window, "action_welcome", "&Welcome…",
                                          "The bundled exercises by course, and the demos")
        self.guide_action = make_action(window, "action_user_guide", "&User guide",
                                        "A short illustrated guide to the app", ("F1",))
        self.shortcuts_action = make_action(window, "action_shortcuts", "&Keyboard shortcuts",
                                            "Every action and its keys", ("Ctrl+/",))
        self.format_action = make_action(window, "action_exercise_format",
                                         "&Exercise format",
                                         "How to write exercise files (for teachers and TAs)")
        self.welcome_action.triggered.connect(self.show_welcome)
        self.guide_action.triggered.connect(self.show_guide)
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        self.format_action.triggered.connect(self.show_exercise_format)

    def actions(self):
        return [self.welcome_action, self.guide_action, self.shortcuts_action,
                self.format_action]

    def _show(self, key: str, make) -> QDialog:
        dialog = self._dialogs.get(key)
        if dialog is None:
            dialog = self._dialogs[key] = make()
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def show_guide(self) -> QDialog:
        return self._show("guide", lambda: HelpPageDialog(
            "Backprop Tutor — User guide", GUIDE, self._window))

    def show_exercise_format(self) -> QDialog:
        return self._show("format", lambda: HelpPageDialog(
            "Backprop Tutor — Exercise format", EXERCISE_FORMAT, self._window))

    def show_shortcuts(self) -> QDialog:
        # rebuilt each time: actions may have changed since (a new exercise, a new mode)
        old = self._dialogs.pop("shortcuts", None)
        if old is not None:
            old.deleteLater()
        return self._show("shortcuts", lambda: ShortcutsDialog(self._window))

    def show_welcome(self) -> QDialog:
        files = self._window.files  # type: ignore[attr-defined]
        return self._show("welcome", lambda: WelcomeDialog(
            files.open_path, self.show_guide, self.show_shortcuts, self._window))


def install_help(window: QMainWindow, menu: QMenu) -> HelpController:
    """Put the help actions at the top of the Help menu (About stays last)."""
    controller = HelpController(window)
    first = menu.actions()[0] if menu.actions() else None
    menu.insertActions(first, controller.actions())
    if first is not None:
        menu.insertSeparator(first)
    window.help = controller  # type: ignore[attr-defined]
    return controller


def offer_welcome(window: QMainWindow, opened_file: bool = False) -> None:
    """The welcome page on the first start, unless the user asked for a file already."""
    controller = getattr(window, "help", None)
    if opened_file or controller is None or not should_show_at_start():
        return
    mark_seen()
    QTimer.singleShot(0, controller.show_welcome)
