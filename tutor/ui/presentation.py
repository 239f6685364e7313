"""Presentation mode: the app on a projector, driven from a clicker or the keyboard.

F5 enters and Esc leaves; F11 toggles full screen on its own.  While presenting the window
is full screen, every text at least twice as large (widget fonts and the diagram's theme),
the palette high-contrast, the editing docks hidden so the diagram and the step inspector
share the screen, and a large step counter sits in the diagram's corner.  Clicker keys:
Page Down / Right / Space next, Page Up / Left back, Home / End, B blanks the screen.
Leaving restores the fonts, palette, docks and window state exactly as they were.
"""

from __future__ import annotations

from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QByteArray, QEvent, QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QFontMetrics, QKeyEvent, QPalette
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QMainWindow, QWidget

from tutor.session.samples import sample_caption, sample_template, shown_sample

from . import style
from .actions import make_action
from .palette import qt_palette
from .text import phase_text

PRESENTATION_SCALE = 2.0  # text at least this many times larger than before presenting
SCALE_STEP = 1.15
LABEL_SCALE = 1.5  # diagram labels grow against the fitted diagram's spacing
INSPECTOR_SHARE = 0.34  # of the screen width, beside the diagram


_KEY_EVENTS = (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)
_SCALE_KEYS = {Qt.Key.Key_Equal: SCALE_STEP, Qt.Key.Key_Plus: SCALE_STEP,
               Qt.Key.Key_Minus: 1 / SCALE_STEP}


def _scale_key(event: QKeyEvent) -> float | None:
    """The scale factor of Ctrl+= / Ctrl++ / Ctrl+-, else None."""
    if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
        return None
    if event.modifiers() & Qt.KeyboardModifier.AltModifier:
        return None  # Ctrl+Alt+= is the saved text size, not the presentation's
    return _SCALE_KEYS.get(Qt.Key(event.key()))


@dataclass(frozen=True)
class _Saved:
    """Everything presentation mode changes, to put back on leaving."""

    app_font: QFont
    app_palette: QPalette
    theme_palette: style.Palette
    font_scale: float
    label_scale: float
    legible_px: float
    window_state: Qt.WindowState
    dock_state: QByteArray
    visible_docks: dict[str, bool]


def _lines(parts: list[str], metrics: QFontMetrics, width: int) -> str:
    """``parts`` joined by " · ", a new line before a part that would pass ``width``: a
    word-wrapped banner read "Backward 7 /" over "10", "Sample" over "1 of 24"."""
    lines = [parts[0]] if parts else []
    for part in parts[1:]:
        joined = f"{lines[-1]} · {part}"
        if metrics.horizontalAdvance(joined) <= width:
            lines[-1] = joined
        else:
            lines.append(part)
    return "\n".join(lines)


def _application() -> QApplication:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app


class _Blank(QWidget):
    """A black sheet over the whole window: the audience looks at the speaker."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("presentation_blank")
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, Qt.GlobalColor.black)
        self.setPalette(palette)
        self.hide()


class PresentationController(QObject):
    """Owns the presentation actions of a main window and what they change."""

    presenting_changed = Signal(bool)  # the window's own chrome (status bar) follows

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._document = window.document
        self._saved: _Saved | None = None
        self._counter_parts: list[str] = []  # the banner's words: step, phase, sample
        self.blank = _Blank(window)
        self.counter = QLabel(window.centralWidget(), objectName="presentation_counter")
        self.counter.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.counter.hide()
        self._make_actions()
        self._document.cursor_changed.connect(self._on_cursor_change)
        self._document.trace_changed.connect(self._update_counter)
        window.installEventFilter(self)

    def _make_actions(self) -> None:
        window = self._window
        self.enter_action = make_action(window, "action_presentation", "&Presentation mode",
                                        "Present: full screen, large high-contrast text",
                                        ("F5",))
        self.leave_action = make_action(window, "action_leave_presentation",
                                        "&Leave presentation", "Leave presentation mode",
                                        ("Esc",))
        self.full_screen_action = make_action(window, "action_full_screen", "&Full screen",
                                              "Full screen on or off", ("F11",))
        self.full_screen_action.setCheckable(True)
        self.next_action = make_action(window, "action_presentation_next", "Next",
                                       "Next step", ("PgDown",))
        self.back_action = make_action(window, "action_presentation_back", "Back",
                                       "Previous step", ("PgUp",))
        self.blank_action = make_action(window, "action_blank", "&Blank screen",
                                        "Blank the screen or show it again", ("B",))
        # Ctrl+= / Ctrl+- also zoom the diagram: the keys are caught before any shortcut
        self.bigger_action = make_action(window, "action_presentation_bigger", "Bigger",
                                         "Bigger text while presenting (Ctrl+=)")
        self.smaller_action = make_action(window, "action_presentation_smaller", "Smaller",
                                          "Smaller text while presenting (Ctrl+-)")
        self.enter_action.triggered.connect(self.enter)
        self.leave_action.triggered.connect(self.leave)
        self.full_screen_action.triggered.connect(self._set_full_screen)
        self.next_action.triggered.connect(self.page_down)
        self.back_action.triggered.connect(self.page_up)
        self.blank_action.triggered.connect(self.toggle_blank)
        self.bigger_action.triggered.connect(lambda: self._scale_by(SCALE_STEP))
        self.smaller_action.triggered.connect(lambda: self._scale_by(1 / SCALE_STEP))
        for action in self._presenting_actions():
            action.setEnabled(False)  # their keys belong to other views until F5
        stepper = getattr(window, "stepper", None)
        for action in stepper.actions() if stepper is not None else ():
            action.triggered.connect(self.unblank)  # any step key shows the screen again
        window.addActions([self.enter_action, self.full_screen_action,
                           *self._presenting_actions()])

    def _presenting_actions(self) -> list[QAction]:
        return [self.leave_action, self.next_action, self.back_action, self.blank_action,
                self.bigger_action, self.smaller_action]

    def actions(self) -> list[QAction]:
        """For the View menu."""
        return [self.enter_action, self.full_screen_action, self.blank_action]

    # -- state ------------------------------------------------------------------------------

    @property
    def presenting(self) -> bool:
        return self._saved is not None

    @property
    def blanked(self) -> bool:
        return self.blank.isVisible()

    def enter(self) -> None:
        if self.presenting:
            return
        window, app, theme = self._window, _application(), style.theme()
        docks = window.findChildren(QDockWidget)
        self._saved = _Saved(QFont(app.font()), QPalette(app.palette()), theme.palette,
                             theme.font_scale, theme.label_scale, theme.legible_px,
                             window.windowState(),
                             window.saveState(),
                             {d.objectName(): d.isVisible() for d in docks})
        palette = style.Palette.high_contrast()
        theme.set_palette(palette)
        app.setPalette(qt_palette(palette))
        theme.set_label_scale(LABEL_SCALE)
        self._set_scale(theme.font_scale * PRESENTATION_SCALE)
        for name in ("parameters_dock", "training_dock", "trace_dock"):
            dock = getattr(window, name, None)
            if dock is not None:
                dock.hide()
        for action in self._presenting_actions():
            action.setEnabled(True)
        self._compact_bar(True)
        app.installEventFilter(self)
        window.showFullScreen()
        self._fit_legible_px()
        self.full_screen_action.setChecked(True)
        self._make_inspector_large()
        self.counter.show()
        self._update_counter()
        self.presenting_changed.emit(True)

    def leave(self) -> None:
        saved = self._saved
        if saved is None:
            return
        self.presenting_changed.emit(False)  # before the docks' sizes are restored
        self.unblank()
        self.counter.hide()
        self._compact_bar(False)
        self._reserve_band(0)
        for action in self._presenting_actions():
            action.setEnabled(False)
        window, app, theme = self._window, _application(), style.theme()
        app.removeEventFilter(self)
        theme.set_palette(saved.theme_palette)
        theme.set_label_scale(saved.label_scale)
        theme.set_legible_px(saved.legible_px)
        theme.set_font_scale(saved.font_scale)  # the window rescales the app font from it
        app.setPalette(saved.app_palette)
        app.setFont(saved.app_font)  # exactly as before, whatever the rounding
        inspector = getattr(window, "inspector_dock", None)
        if inspector is not None:
            inspector.setTitleBarWidget(None)
        window.setWindowState(saved.window_state)
        window.restoreState(saved.dock_state)
        for dock in window.findChildren(QDockWidget):
            dock.setVisible(saved.visible_docks.get(dock.objectName(), dock.isVisible()))
        self.full_screen_action.setChecked(window.isFullScreen())
        self._saved = None
        theme.set_legible_px(saved.legible_px)  # again: restoring the window resized it

    def _step_scroll(self):
        """The step panel's scroll bar, when its text is longer than the panel."""
        inspector = getattr(self._window, "inspector", None)
        browser = getattr(inspector, "browser", None)
        return browser.verticalScrollBar() if browser is not None else None

    def page_down(self) -> None:
        """A clicker cannot scroll: Page Down shows the rest of a long step first, then
        the next step."""
        bar = self._step_scroll()
        if bar is not None and bar.value() < bar.maximum():
            bar.setValue(bar.value() + bar.pageStep())
        else:
            self._document.next()

    def page_up(self) -> None:
        """Back up a long step's text first, then the step before."""
        bar = self._step_scroll()
        if bar is not None and bar.value() > bar.minimum():
            bar.setValue(bar.value() - bar.pageStep())
        else:
            self._document.back()

    def toggle_blank(self) -> None:
        if self.blanked:
            self.unblank()
        else:
            self.blank.setGeometry(self._window.rect())
            self.blank.show()
            self.blank.raise_()

    def unblank(self) -> None:
        self.blank.hide()

    # -- internals --------------------------------------------------------------------------

    def _set_full_screen(self, on: bool) -> None:
        window = self._window
        if on:
            window.showFullScreen()
        else:
            window.setWindowState(window.windowState() & ~Qt.WindowState.WindowFullScreen)

    def _scale_by(self, factor: float) -> None:
        self._set_scale(style.theme().font_scale * factor)

    def _set_scale(self, scale: float) -> None:
        """The theme scale; the window follows it with the widget fonts (not saved)."""
        style.theme().set_font_scale(scale)
        self._place_counter()

    def _compact_bar(self, compact: bool) -> None:
        bar = getattr(self._window, "stepper_bar", None)
        if hasattr(bar, "set_compact"):
            bar.set_compact(compact)

    def _make_inspector_large(self) -> None:
        window = self._window
        dock = getattr(window, "inspector_dock", None)
        if dock is None:
            return
        dock.show()
        dock.setTitleBarWidget(QWidget(dock))  # no tiny "Step" caption on the projector
        window.resizeDocks([dock], [round(window.width() * INSPECTOR_SHARE)],
                           Qt.Orientation.Horizontal)

    def _on_cursor_change(self, _cursor: int) -> None:
        self.unblank()
        self._update_counter()

    def _update_counter(self) -> None:
        if not self.presenting:
            return
        document = self._document
        total = len(document.trace)
        parts = [f"Step {document.cursor + 1} / {total}",
                 phase_text(document.trace, document.cursor),
                 sample_caption(document.trace, document.cursor,
                                sample_template(document.exercise.problem))
                 or shown_sample(document.sample, document.sample_count)]
        self._counter_parts = [p for p in parts if p]
        self._place_counter()

    def _place_counter(self) -> None:
        label, parent = self.counter, self.counter.parentWidget()
        label.setFont(style.theme().font(1.4, bold=True))
        palette = style.theme().palette
        label.setStyleSheet(f"color: {palette.text}; background: {palette.background};"
                            f" border: 2px solid {palette.text}; padding: 4px 10px;")
        label.setWordWrap(False)
        label.setMinimumSize(0, 0)  # measured free of the last call's fixed two-line size:
        label.setMaximumSize(16777215, 16777215)  # else the next call unwraps it to one line
        label.setText(" · ".join(self._counter_parts))
        label.adjustSize()
        if parent is not None and label.width() > parent.width() - 32:  # lines break at " · "
            metrics = label.fontMetrics()  # the padding, border and indent take the rest:
            chrome = label.sizeHint().width() - metrics.horizontalAdvance(label.text())
            room = parent.width() - 32 - chrome
            label.setText(_lines(self._counter_parts, metrics, room))
            label.adjustSize()
        if parent is not None and label.width() > parent.width() - 32:  # a part too wide, then
            label.setWordWrap(True)
            width = max(parent.width() - 32, 100)
            text = label.fontMetrics().boundingRect(QRect(0, 0, width - 28, 10000),
                                                   Qt.TextFlag.TextWordWrap, label.text())
            label.setFixedSize(width, text.height() + 16)  # the padding and border
        if parent is not None:
            label.move(parent.width() - label.width() - 16, 16)
        label.raise_()
        self._reserve_band(label.height() + 24 if label.isVisible() else 0)

    def _place_counter_if_presenting(self) -> None:
        if self.presenting and shiboken6.isValid(self.counter):
            self._place_counter()

    def _reserve_band(self, pixels: int) -> None:
        """The diagrams start below the counter, fitted whole or zoomed onto a step: it
        never covers a node (laid over the corner, it hid unread nodes of zoomed steps)."""
        for name in ("network_view", "graph_view"):
            view = getattr(self._window, name, None)
            if hasattr(view, "reserve_top"):
                view.reserve_top(pixels)

    def _fit_legible_px(self) -> None:
        """Labels as tall a share of the projected picture whatever the projector's size
        (full screen, the window is the screen; it follows when the window resizes)."""
        style.theme().set_legible_px(style.presentation_legible_px(self._window.height()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.presenting and event.type() in _KEY_EVENTS:
            factor = _scale_key(event)
            if factor is not None:
                if event.type() == QEvent.Type.KeyPress:
                    self._scale_by(factor)
                event.accept()
                return True
        if watched is self._window and event.type() == QEvent.Type.Resize:
            if self.blanked:
                self.blank.setGeometry(self._window.rect())
            if self.presenting:
                self._fit_legible_px()
                self._place_counter()
        elif event.type() == QEvent.Type.Resize and self.presenting and \
                shiboken6.isValid(self.counter) and watched is self.counter.parentWidget():
            # a dock grew (the quiz's summary): placed once the diagram has its new width
            QTimer.singleShot(0, self._place_counter_if_presenting)
        return False
