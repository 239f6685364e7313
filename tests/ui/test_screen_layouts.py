"""Real screens: at 1280×720 and 1366×768 the diagram is the largest thing in the window,
what the step computes and reads is in view with labels that read at arm's length, the
step panel shows the whole formula and its result without scrolling; at 1024×768
presenting, the toolbar's step label is whole."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFontMetricsF, QTextDocument
from PySide6.QtWidgets import QApplication, QDockWidget, QMessageBox

from tutor.engine import Phase
from tutor.exercise.library import exercises_dir
from tutor.ui import first_run, style
from tutor.ui.diagram.tags import tag_font
from tutor.ui.document import Document
from tutor.ui.inspector import step_html
from tutor.ui.main_window import MainWindow

from .conftest import bundled

LAPTOPS = [(1280, 720), (1366, 768)]
EXERCISES = sorted(p.stem for p in exercises_dir().glob("*.json"))


def open_at(qtbot, monkeypatch, name: str, size: tuple[int, int]) -> MainWindow:
    """As ``--size`` and the first start lay the window out (app.py, first_run.py)."""
    window = MainWindow(Document(bundled(name)))
    qtbot.addWidget(window)
    monkeypatch.setattr(window.files, "_ask_save", lambda: QMessageBox.StandardButton.Discard)
    monkeypatch.setattr(window, "showFullScreen", lambda: window.resize(*size))
    window.resize(*size)
    first_run.share_docks(window)
    window.show()
    qtbot.waitExposed(window)
    QApplication.processEvents()
    return window


def middle_backward(window: MainWindow) -> int:
    trace = window.document.trace
    backward = [s.index for s in trace if s.phase in (Phase.BACKWARD, Phase.GRADIENT)]
    return backward[len(backward) // 2] if backward else len(trace) // 2


def area(widget) -> int:
    return widget.width() * widget.height()


@pytest.mark.parametrize("size", LAPTOPS, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", ["cmu-recitation-5", "xor", "cmu-recitation-5-expression"])
def test_the_diagram_is_the_largest_thing_on_a_laptop(qtbot, monkeypatch, name, size):
    window = open_at(qtbot, monkeypatch, name, size)
    centre = window.centralWidget()
    docks = [d for d in window.findChildren(QDockWidget)
             if d.isVisible() and not d.visibleRegion().isEmpty()]  # a tab behind: empty
    assert docks, "the step panel at least"
    biggest = max(docks, key=area)
    assert area(centre) > area(biggest), (centre.size(), biggest.objectName(), biggest.size())
    assert centre.width() >= 0.45 * size[0] and centre.height() >= 0.6 * size[1]
    assert window.inspector_dock.isVisible()


def _formula_height(window: MainWindow, cursor: int) -> tuple[float, int]:
    """(height of the formula lines and the result as the step panel lays them out, the
    height the panel gives them): the terms and sentences after them may scroll."""
    inspector = window.inspector
    html = step_html(window.document.trace, cursor, style.theme().palette)
    for tail in ("<ul class='terms'>", "<p class='cached'>", "<p class='why'>"):
        if tail in html:
            html = html[:html.index(tail)] + "</body></html>"
    page = QTextDocument()
    page.setDefaultFont(inspector.browser.font())
    page.setDocumentMargin(inspector.browser.document().documentMargin())
    page.setTextWidth(inspector.browser.viewport().width())
    page.setHtml(html)
    return page.size().height(), inspector.browser.viewport().height()


@pytest.mark.parametrize("size", LAPTOPS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_step_panel_shows_the_whole_formula_and_result(qtbot, monkeypatch, size):
    window = open_at(qtbot, monkeypatch, "cmu-recitation-5", size)
    too_tall = []
    for name in EXERCISES:
        window.document.reset(bundled(name))
        QApplication.processEvents()
        for cursor in (1, middle_backward(window), len(window.document.trace) - 1):
            window.document.set_cursor(cursor)
            needed, room = _formula_height(window, cursor)
            if needed > room:
                too_tall.append(f"{name} step {cursor + 1}: {needed:.0f} > {room} px")
    assert not too_tall, too_tall


@pytest.mark.parametrize("name", ["xor", "curve-fit-1d", "two-class-2d", "cmu-recitation-5",
                                  "inf264-homework-4", "ftml-session-8"])
def test_what_the_step_reads_is_in_view_and_legible_at_720p(qtbot, monkeypatch, name):
    """The whole network fitted at 1280×720 drew its labels 6–8 px tall; the view now zooms
    to 11 px and follows the step, keeping every node it computes or reads in view."""
    window = open_at(qtbot, monkeypatch, name, (1280, 720))
    view = window.network_view
    trace = window.document.trace
    line = QFontMetricsF(tag_font()).height()
    for cursor in (0, middle_backward(window), len(trace) - 1):
        window.document.set_cursor(cursor)
        QApplication.processEvents()
        assert view.zoom() * line >= 10.5, f"step {cursor + 1}: {view.zoom() * line:.1f} px"
        viewport = QRectF(view.viewport().rect()).adjusted(-1, -1, 1, 1)
        read = [node_id for node_id, node in view.nodes.items()
                if node.state in (style.NodeState.CURRENT, style.NodeState.CACHED_READ)]
        out = [node_id for node_id in read
               if not viewport.contains(QRectF(view.mapFromScene(
                   view.nodes[node_id].mapRectToScene(view.nodes[node_id].body()))
                   .boundingRect()))]
        assert read and not out, f"step {cursor + 1}: {out} out of view"


def test_the_toolbar_step_label_is_whole_when_presenting_at_1024x768(qtbot, monkeypatch):
    window = open_at(qtbot, monkeypatch, "cmu-recitation-5", (1024, 768))
    window.document.set_cursor(15)
    window.presentation.enter()
    try:
        qtbot.waitUntil(lambda: window.width() == 1024)
        QApplication.processEvents()
        bar, label = window.stepper_bar, window.stepper_bar.phase_label
        assert label.text() == "Gradient 5 / 9 · step 16 / 30"
        assert label.isVisible()
        needed = label.fontMetrics().horizontalAdvance(label.text())
        assert label.width() >= needed
        right = label.mapTo(bar, label.rect().topRight()).x()
        assert right <= bar.width()
        assert not bar.speed_combo.isVisible()  # a presenter steps; settings wait
    finally:
        window.presentation.leave()
    QApplication.processEvents()
    assert window.stepper_bar.speed_combo.isVisible()
