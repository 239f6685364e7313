"""View ▸ Layout: the presets, Reset, the Training panel where it applies, plots large."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from tutor.ui.document import Document
from tutor.ui.main_window import MainWindow

from .conftest import bundled


def make_window(qtbot, monkeypatch, name: str, size: tuple[int, int]) -> MainWindow:
    window = MainWindow(Document(bundled(name)))
    qtbot.addWidget(window)
    monkeypatch.setattr(window.files, "_ask_save", lambda: QMessageBox.StandardButton.Discard)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    QApplication.processEvents()
    return window


def shown(window: MainWindow) -> set[str]:
    return {name for name in ("parameters_dock", "inspector_dock", "trace_dock",
                              "training_dock") if getattr(window, name).isVisible()}


@pytest.fixture
def window(qtbot, monkeypatch):
    return make_window(qtbot, monkeypatch, "cmu-recitation-5", (1600, 1000))


def test_presets_show_the_panels_they_name_and_reset_brings_the_first_layout_back(window):
    everything = {"parameters_dock", "inspector_dock", "trace_dock", "training_dock"}
    assert shown(window) == everything
    window.layouts.actions["lecture"].trigger()
    assert shown(window) == {"inspector_dock"}
    assert window.inspector_dock.width() >= 0.3 * window.width()
    window.layouts.actions["full"].trigger()
    assert shown(window) == set()
    window.layouts.actions["study"].trigger()
    assert shown(window) == everything
    window.layouts.actions["full"].trigger()
    window.layouts.reset_action.trigger()
    assert shown(window) == everything


def test_an_expression_exercise_has_no_training_panel(qtbot, window):
    training = window.training_dock
    window.document.reset(bundled("cmu-recitation-5-expression"))  # as File ▸ Open does
    assert not training.isVisible()
    assert not training.toggleViewAction().isEnabled()
    window.document.reset(bundled("cmu-recitation-5"))
    assert training.isVisible()  # back for a network, as the user had it


def test_on_a_720p_screen_the_step_panel_has_the_right_column(qtbot, monkeypatch):
    from tutor.ui.first_run import share_docks

    window = make_window(qtbot, monkeypatch, "chain-rule-discussion", (1280, 720))
    before = window.centre.width()
    share_docks(window)  # as the first start does (app.py)
    qtbot.waitUntil(lambda: window.centre.width() != before)
    assert window.inspector_dock.isVisible()
    assert window.inspector_dock.height() >= 0.45 * window.height()
    assert not window.training_dock.isVisible()  # one click away in View
    centre = window.centralWidget()
    # about as wide as the widest panel (the parameters' tables set their own minimum)
    assert centre.width() >= 400 and centre.height() >= 0.6 * window.height()


def test_l_shows_the_plots_large_and_then_the_layout_as_it_was(qtbot, window):
    before = shown(window)
    window.layouts.plots_action.trigger()
    assert shown(window) == {"training_dock"}
    QApplication.processEvents()
    assert window.training_dock.width() >= 0.9 * window.width()
    window.layouts.plots_action.trigger()
    assert shown(window) == before


def test_the_node_a_quiz_asks_about_is_marked_on_the_diagram(qtbot, monkeypatch):
    window = make_window(qtbot, monkeypatch, "cmu-recitation-5-expression", (1600, 1000))
    window.quiz_dock.show()
    panel = window.quiz_dock.widget()
    panel.mode_combo.setCurrentIndex(0)  # every step
    panel.start()
    asked = panel.state.current.step.node
    tag = window.graph_view.nodes[asked].tags["asked"]
    assert tag.isVisible() and tag.text == "? asked"
    others = [n for k, n in window.graph_view.nodes.items() if k != asked]
    assert not any(n.tags["asked"].isVisible() for n in others if "asked" in n.tags)
