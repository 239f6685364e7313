"""The first start on a small screen leaves the diagram room (1024×768, 1280×720)."""

from __future__ import annotations

import pytest

from tutor.ui.document import Document
from tutor.ui.first_run import share_docks
from tutor.ui.main_window import MainWindow

from .conftest import bundled


@pytest.mark.parametrize(("width", "height", "centre"),
                         [(1024, 768, 300), (1280, 720, 480), (1920, 1080, 900)])
def test_the_docks_are_shared_out_to_fit_a_small_screen(qtbot, width, height, centre):
    window = MainWindow(Document(bundled("cmu-recitation-5")))
    qtbot.addWidget(window)
    window.setGeometry(0, 0, width, height)
    window.show()
    qtbot.waitExposed(window)
    before = window.centre.width()
    share_docks(window)
    if width < 1600:  # the window's own layout is for 1600 px: smaller screens gain
        qtbot.waitUntil(lambda: window.centre.width() != before)
        assert window.centre.width() >= centre > before
    qtbot.wait(20)
    assert window.centre.width() >= centre
    assert window.parameters_dock.width() <= min(380, max(220, int(0.24 * width))) + 10
    assert window.trace_dock.height() <= min(260, int(0.28 * height)) + 10
