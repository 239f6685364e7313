"""Presentation mode, driven through its keys on the assembled window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDockWidget, QMessageBox

from tutor.ui import style
from tutor.ui.document import Document
from tutor.ui.main_window import MainWindow

from .conftest import bundled


@pytest.fixture
def window(qtbot, monkeypatch):
    window = MainWindow(Document(bundled("cmu-recitation-5")))
    qtbot.addWidget(window)
    monkeypatch.setattr(window.files, "_ask_save", lambda: QMessageBox.StandardButton.Discard)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    yield window
    window.presentation.leave()  # the theme and app font are application-wide


def press(qtbot, window: MainWindow, key: Qt.Key) -> None:
    qtbot.keyClick(window, key)


def editing_docks(window: MainWindow):
    return (window.parameters_dock, window.training_dock, window.trace_dock)


def test_f5_enters_big_high_contrast_full_screen_and_esc_restores_everything(qtbot, window):
    app = QApplication.instance()
    font_before = app.font().pointSizeF()
    palette_before = style.theme().palette
    assert all(d.isVisible() for d in editing_docks(window))
    enter = window.findChild(QAction, "action_presentation")
    assert "F5" in enter.toolTip()

    press(qtbot, window, Qt.Key.Key_F5)
    presentation = window.presentation
    assert presentation.presenting
    assert app.font().pointSizeF() >= 2 * font_before
    assert style.theme().font_scale >= 2.0
    theme = style.theme()
    assert theme.label_font(1.0).pointSizeF() == theme.font(1.5).pointSizeF()  # labels 1.5×
    assert style.theme().palette.name == "high_contrast"
    assert not any(d.isVisible() for d in editing_docks(window))
    assert window.inspector_dock.isVisible()
    assert window.isFullScreen()
    assert presentation.counter.isVisible()
    assert presentation.counter.text().startswith(f"Step 1 / {len(window.document.trace)}")

    press(qtbot, window, Qt.Key.Key_Escape)
    assert not presentation.presenting
    assert app.font().pointSizeF() == font_before
    assert (style.theme().font_scale, style.theme().label_scale) == (1.0, 1.0)
    assert style.theme().palette == palette_before
    assert all(d.isVisible() for d in editing_docks(window))
    assert not window.isFullScreen()
    assert not presentation.counter.isVisible()
    assert window.inspector_dock.titleBarWidget() is None  # its caption and buttons are back


def test_a_hidden_dock_stays_hidden_after_presenting(qtbot, window):
    window.training_dock.hide()
    window.presentation.enter()
    window.presentation.leave()
    assert not window.training_dock.isVisible()
    assert window.parameters_dock.isVisible() and window.trace_dock.isVisible()


def test_every_presentation_key_moves_the_cursor(qtbot, window):
    document = window.document
    window.presentation.enter()
    last = len(document.trace) - 1
    moves = [(Qt.Key.Key_PageDown, 1), (Qt.Key.Key_Right, 2), (Qt.Key.Key_Space, 3),
             (Qt.Key.Key_PageUp, 2), (Qt.Key.Key_Left, 1), (Qt.Key.Key_End, last),
             (Qt.Key.Key_Home, 0)]
    for key, cursor in moves:
        press(qtbot, window, key)
        assert document.cursor == cursor, key
    assert window.presentation.counter.text().startswith("Step 1 /")


def test_b_blanks_and_b_or_a_step_key_unblanks(qtbot, window):
    presentation = window.presentation
    presentation.enter()
    press(qtbot, window, Qt.Key.Key_B)
    assert presentation.blanked
    assert presentation.blank.geometry() == window.rect()
    press(qtbot, window, Qt.Key.Key_B)
    assert not presentation.blanked
    press(qtbot, window, Qt.Key.Key_B)
    press(qtbot, window, Qt.Key.Key_PageDown)
    assert not presentation.blanked and window.document.cursor == 1
    press(qtbot, window, Qt.Key.Key_B)
    press(qtbot, window, Qt.Key.Key_Left)
    assert not presentation.blanked and window.document.cursor == 0


def test_presentation_keys_are_inert_until_f5(qtbot, window):
    press(qtbot, window, Qt.Key.Key_B)
    press(qtbot, window, Qt.Key.Key_PageDown)
    assert not window.presentation.blanked
    assert window.document.cursor == 0


def test_ctrl_plus_and_minus_scale_text_while_presenting(qtbot, window):
    window.presentation.enter()
    scale = style.theme().font_scale
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert style.theme().font_scale > scale
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert style.theme().font_scale < scale
    window.presentation.leave()
    assert style.theme().font_scale == 1.0


def test_f11_toggles_full_screen_without_presenting(qtbot, window):
    press(qtbot, window, Qt.Key.Key_F11)
    assert window.isFullScreen() and not window.presentation.presenting
    assert style.theme().font_scale == 1.0
    press(qtbot, window, Qt.Key.Key_F11)
    assert not window.isFullScreen()


def test_ctrl_plus_minus_then_esc_puts_every_panel_back_where_it_was(qtbot, window):
    QApplication.processEvents()
    before = {d.objectName(): (d.isVisible(), d.geometry()) for d in
              window.findChildren(QDockWidget)}
    centre = window.centralWidget().geometry()
    legible = style.theme().legible_px
    press(qtbot, window, Qt.Key.Key_F5)
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, window, Qt.Key.Key_Escape)
    QApplication.processEvents()
    after = {d.objectName(): (d.isVisible(), d.geometry()) for d in
             window.findChildren(QDockWidget)}
    assert after == before
    assert window.centralWidget().geometry() == centre
    assert style.theme().legible_px == legible
    assert window.network_view.viewportMargins().top() < 60  # only the sample caption


@pytest.mark.parametrize(("name", "size"), [("cmu-recitation-5", (1920, 1080)),
                                             ("cmu-recitation-5", (1024, 768)),
                                             ("curve-fit-1d", (1920, 1080))])
def test_the_step_counter_covers_no_node(qtbot, monkeypatch, name, size):
    """The counter stands above the diagram's viewport: no node, read or not, is under it,
    whether the diagram is fitted whole or zoomed onto a step."""
    window = MainWindow(Document(bundled(name)))
    qtbot.addWidget(window)
    monkeypatch.setattr(window.files, "_ask_save", lambda: QMessageBox.StandardButton.Discard)
    window.show()
    qtbot.waitExposed(window)
    monkeypatch.setattr(window, "showFullScreen", lambda: window.resize(*size))  # a projector
    window.presentation.enter()
    QApplication.processEvents()
    counter = window.presentation.counter
    view = window.centre.currentWidget()
    top_left = view.viewport().mapTo(window, QPoint(0, 0))
    diagram = QRect(top_left, view.viewport().size())
    banner = QRect(counter.mapTo(window, QPoint(0, 0)), counter.size())
    assert counter.isVisible() and not diagram.intersects(banner)
    for cursor in range(len(window.document.trace)):
        window.document.set_cursor(cursor)
        QApplication.processEvents()
        shown = {node_id: view.mapFromScene(node.mapRectToScene(node.body())).boundingRect()
                 .translated(top_left) for node_id, node in view.nodes.items()}
        covered = [node_id for node_id, rect in shown.items()
                   if rect.intersected(diagram).intersects(banner)]
        assert not covered, f"step {cursor + 1}: {covered} under the counter"
    assert diagram.height() > 0.6 * window.height()
    assert diagram.width() > 0.5 * window.width()
    window.presentation.leave()  # the theme is application-wide


@pytest.mark.parametrize(("size", "legible"), [((1920, 1080), 34.0), ((1024, 768), 24.2)])
def test_a_smaller_projector_zooms_in_less_and_shows_the_whole_small_network(
        qtbot, monkeypatch, size, legible):
    """34 px of 1080 is as tall on the wall as 24 px of 768: at 1024×768 the warm-up's
    ∂ℓ/∂ŷ = ŷ − y shows ŷ, y and ℓ together (zoomed to 34 px it showed ŷ alone)."""
    window = MainWindow(Document(bundled("cmu-recitation-5-warm-up")))
    qtbot.addWidget(window)
    monkeypatch.setattr(window.files, "_ask_save", lambda: QMessageBox.StandardButton.Discard)
    window.show()
    qtbot.waitExposed(window)
    monkeypatch.setattr(window, "showFullScreen", lambda: window.resize(*size))
    try:
        window.presentation.enter()
        QApplication.processEvents()
        assert style.theme().legible_px == pytest.approx(legible, abs=0.1)
        window.document.set_cursor(2)  # ∂ℓ/∂ŷ = ŷ − y
        QApplication.processEvents()
        view = window.centre.currentWidget()
        seen = view.mapToScene(view.viewport().rect()).boundingRect()
        shown = {node_id for node_id, node in view.nodes.items()
                 if seen.contains(node.mapRectToScene(node.body()))}
        assert {"z1[0]", "y[0]", "loss"} <= shown or size[1] == 1080, shown  # ŷ, y, ℓ
    finally:
        window.presentation.leave()
    assert style.theme().legible_px == style.NORMAL_LEGIBLE_PX


def test_the_counter_names_the_sample_of_a_per_sample_step(qtbot, monkeypatch):
    window = MainWindow(Document(bundled("inf264-homework-4")))
    qtbot.addWidget(window)
    monkeypatch.setattr(window.files, "_ask_save", lambda: QMessageBox.StandardButton.Discard)
    window.show()
    try:
        window.presentation.enter()
        trace = window.document.trace
        second = next(s.index for s in trace if s.sample == 1)
        window.document.set_cursor(second)
        assert "Sample 2 of 2" in window.presentation.counter.text()
        batch = next(s.index for s in trace if s.sample is None)
        window.document.set_cursor(batch)
        assert "Whole batch (2 samples)" in window.presentation.counter.text()
    finally:
        window.presentation.leave()


def test_page_down_shows_the_rest_of_a_long_step_before_the_next(qtbot, monkeypatch):
    window = MainWindow(Document(bundled("chain-rule-discussion")))
    qtbot.addWidget(window)
    monkeypatch.setattr(window.files, "_ask_save", lambda: QMessageBox.StandardButton.Discard)
    monkeypatch.setattr(window, "showFullScreen", lambda: window.resize(1024, 768))
    window.show()
    try:
        window.presentation.enter()
        window.document.set_cursor(23)  # ∂ℓ/∂x₂: a sum of two paths and a notice
        QApplication.processEvents()
        bar = window.inspector.browser.verticalScrollBar()
        assert bar.maximum() > 0  # longer than the panel at this size
        pages = 0
        while window.document.cursor == 23 and pages < 20:
            window.presentation.next_action.trigger()
            pages += 1
        assert pages >= 2 and window.document.cursor == 24  # the rest first, then onwards
        window.document.set_cursor(23)
        QApplication.processEvents()
        bar.setValue(bar.maximum())
        window.presentation.back_action.trigger()
        assert window.document.cursor == 23 and bar.value() < bar.maximum()
    finally:
        window.presentation.leave()
