"""Crashes the monkey test found, each replayed directly through the real window."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

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
    return window


def test_a_new_file_after_adding_a_layer_draws_the_smaller_network(window):
    """The diagram kept the largest weight of every layer it had drawn, so after Add hidden
    layer then New it looked up layer 3 of a two-layer network (IndexError)."""
    window.parameters.add_layer()
    assert len(window.document.exercise.problem.network.layers) == 3
    window.files.new()
    assert len(window.document.exercise.problem.network.layers) == 2
    assert set(window.network_view._largest) == {0, 1}
    window.document.last()
    assert window.network_view.nodes["z2[0]"].value_text != ""
