"""What presenting shows besides the diagram: no status bar, a banner that names the shown
sample and stays inside the window, a step text that fits a small projector's panel."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QApplication, QMessageBox

from tutor.ui import style
from tutor.ui.document import Document
from tutor.ui.inspector import LINE_CHARACTERS
from tutor.ui.main_window import MainWindow

from .conftest import bundled


@pytest.fixture
def xor(qtbot, monkeypatch):
    """XOR shows sample 1 of 4 by default: the status bar says so outside presentation."""
    window = MainWindow(Document(bundled("xor")))
    qtbot.addWidget(window)
    monkeypatch.setattr(window.files, "_ask_save", lambda: QMessageBox.StandardButton.Discard)
    monkeypatch.setattr(window, "showFullScreen", lambda: window.resize(1024, 768))
    window.resize(1024, 768)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.presentation.leave()  # the theme and app font are application-wide


def test_presenting_hides_the_status_bar_and_its_sample_note(xor):
    assert xor.statusBar().isVisible()
    assert xor.sample_note.isVisible() and "sample 1 of 4" in xor.sample_note.text()
    xor.presentation.enter()
    xor.statusBar().showMessage("Saved xor.json", 8000)  # a file message while presenting
    QApplication.processEvents()
    assert not xor.statusBar().isVisible() and not xor.sample_note.isVisible()
    assert "Sample 1 of 4" in xor.presentation.counter.text()  # said in the banner instead
    xor.presentation.leave()
    assert xor.statusBar().isVisible() and xor.sample_note.isVisible()


def test_the_banner_follows_the_sample_chosen_in_the_toolbar(xor):
    xor.presentation.enter()
    xor.document.set_sample(2)
    assert xor.presentation.counter.text().endswith("Sample 3 of 4")


def test_the_banner_stays_inside_the_diagram_after_every_step(xor):
    """It wraps to two lines when one is too wide; placing it again used to measure the
    fixed two-line size, unwrap it to one line and push its start off the left edge."""
    xor.presentation.enter()
    counter = xor.presentation.counter
    parent = counter.parentWidget()
    for cursor in (14, 15, 16, 15):
        xor.document.set_cursor(cursor)
        QApplication.processEvents()
        assert parent.rect().contains(counter.geometry()), (cursor, counter.geometry())
        for line in counter.text().splitlines():
            needed = counter.fontMetrics().horizontalAdvance(line)
            assert counter.wordWrap() or needed <= counter.contentsRect().width()
    assert QRect(counter.geometry()).left() >= 0


def test_the_banner_breaks_its_lines_between_its_parts(xor):
    """Word-wrapped, it read "Backward 7 /" over "10" and "Sample" over "1 of 24"."""
    xor.presentation.enter()
    xor.document.set_cursor(14)
    QApplication.processEvents()
    lines = xor.presentation.counter.text().splitlines()
    assert len(lines) > 1  # too wide for one line at 1024×768
    parts = [part for line in lines for part in line.split(" · ")]
    assert parts == ["Step 15 / 32", "Backward 5 / 6", "Sample 1 of 4"]
    assert not xor.presentation.counter.wordWrap()


def _characters_a_line(window: MainWindow) -> float:
    browser = window.inspector.browser
    room = browser.viewport().width() - 2 * browser.document().documentMargin()
    return room / QFontMetricsF(browser.font()).averageCharWidth()


def test_a_long_step_shrinks_to_hold_a_number_a_line_on_a_small_projector(xor):
    """A third of 1024×768 at 1.7 times the presenting size held 11 characters a line:
    −0.0821787) broke before its bracket.  It holds 20 now, still above the theme's size."""
    xor.document.set_cursor(14)  # ∂ℓ/∂z⁽¹⁾₁ = ∂ℓ/∂h⁽¹⁾₁ · σ′(z⁽¹⁾₁): three pages at full size
    xor.presentation.enter()
    QApplication.processEvents()
    theme, font = style.theme(), xor.inspector.browser.font()
    assert _characters_a_line(xor) >= LINE_CHARACTERS - 0.5
    assert theme.font(1.0).pointSizeF() <= font.pointSizeF() < theme.font(1.7).pointSizeF()
    xor.presentation.leave()
    QApplication.processEvents()
    assert xor.inspector.browser.font().pointSizeF() == theme.font(1.7).pointSizeF()


def test_a_short_step_keeps_the_full_size_on_a_small_projector(xor):
    """Shrinking is for steps that would scroll: a short page stays as large as it was."""
    xor.presentation.enter()
    xor.document.set_cursor(14)
    QApplication.processEvents()
    assert xor.inspector.browser.font().pointSizeF() < style.theme().font(1.7).pointSizeF()
    xor.document.rewind()  # "Nothing is computed yet: step 1 comes next."
    QApplication.processEvents()
    assert xor.inspector.browser.verticalScrollBar().maximum() == 0
    assert xor.inspector.browser.font().pointSizeF() == style.theme().font(1.7).pointSizeF()


def test_a_wide_step_panel_keeps_the_full_size(xor, monkeypatch):
    monkeypatch.setattr(xor, "showFullScreen", lambda: xor.resize(1920, 1080))
    xor.presentation.enter()
    QApplication.processEvents()
    assert _characters_a_line(xor) > LINE_CHARACTERS
    assert xor.inspector.browser.font().pointSizeF() == style.theme().font(1.7).pointSizeF()
