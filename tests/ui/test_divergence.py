"""Divergence, end to end in the window: a huge η on INF264 stops at the first non-finite
loss, says which update and suggests a smaller η; the curve keeps the finite points; the
parameters are the last finite ones; Ctrl+Z returns to the parameters before the run."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tutor.engine import Phase
from tutor.engine.edit import set_learning_rate
from tutor.ui.document import Document
from tutor.ui.main_window import MainWindow

from .conftest import bundled

HUGE_ETA = 10.0  # INF264's loss goes 3.25, 3e6, 1e25, 5e80, 4e247, then overflows
UPDATES = 50


@pytest.fixture
def window(qtbot, monkeypatch):
    window = MainWindow(Document(bundled("inf264-homework-4")))
    qtbot.addWidget(window)
    monkeypatch.setattr(window.files, "_ask_save", lambda: QMessageBox.StandardButton.Discard)
    window.show()
    qtbot.waitExposed(window)
    return window


def type_learning_rate(qtbot, window: MainWindow, text: str) -> None:
    field = window.training.learning_rate
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def diagram_texts(window: MainWindow) -> list[str]:
    view = window.network_view
    texts = [t for node in view.nodes.values() for t in (node.value_text, node.adjoint_text)]
    return texts + [line for label in view.labels.values() for line in label.lines]


@pytest.fixture
def diverged(qtbot, window):
    """The window after Run with η = 10, and the engine's own run from the same start."""
    type_learning_rate(qtbot, window, "10")
    problem = window.document.exercise.problem
    assert problem.training.learning_rate == HUGE_ETA
    expected = set_learning_rate(problem, HUGE_ETA).train(UPDATES)
    window.training.run_count.setValue(UPDATES)
    qtbot.mouseClick(window.training.run_button, Qt.MouseButton.LeftButton)
    # a Run may train in chunks between events: wait for its end
    qtbot.waitUntil(lambda: window.document.history.diverged_at is not None)
    return window, problem, expected


def test_the_engine_run_diverges_within_the_updates(diverged):
    _, _, expected = diverged
    assert expected.diverged_at == 5
    assert len(expected.losses) == 5 and np.all(np.isfinite(expected.losses))


def test_the_message_names_the_update_and_suggests_a_smaller_rate(diverged):
    window, _, expected = diverged
    message = window.training.message
    assert message.isVisibleTo(window.training)
    text = message.text()
    assert f"diverged at update {expected.diverged_at}:" in text
    assert "smaller learning rate" in text
    assert "η = 1 instead of 10" in text


def test_the_curve_holds_exactly_the_finite_losses(diverged):
    window, _, expected = diverged
    x, y = (np.asarray(v) for v in window.training.curve.getData())
    assert x.tolist() == list(range(expected.diverged_at))
    np.testing.assert_array_equal(y, expected.losses)
    np.testing.assert_array_equal(window.document.history.losses, expected.losses)
    assert window.training.current_point.data["x"].tolist() == [expected.diverged_at - 1.0]


def test_the_parameters_are_the_last_finite_ones(diverged):
    window, _, expected = diverged
    params = window.document.exercise.problem.params
    assert np.all(np.isfinite(params.flat()))
    np.testing.assert_array_equal(params.flat(), expected.final.flat())
    np.testing.assert_array_equal(params.flat(), expected.params[-1].flat())


def test_the_views_show_no_nan_or_infinity_before_the_next_update(qtbot, diverged):
    """The trace of the last finite parameters is finite up to the update; the loss after one
    more update overflows, and that step says so instead of showing a bare ∞."""
    window, _, _ = diverged
    document = window.document
    for step in document.trace:
        document.set_cursor(step.index)
        text = window.inspector.text()
        if step.phase is Phase.EVALUATE:
            assert ("Diverged" in text and "smaller" in text.lower()) or "∞" not in text
            continue
        for shown in (text, *diagram_texts(window), window.training.status.text()):
            assert "NaN" not in shown and "∞" not in shown, (step.index, shown)


def test_ctrl_z_returns_to_the_parameters_before_the_run(qtbot, diverged):
    window, before, _ = diverged
    window.activateWindow()
    window.network_view.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    problem = window.document.exercise.problem
    np.testing.assert_array_equal(problem.params.flat(), before.params.flat())
    assert problem.training.learning_rate == HUGE_ETA  # the η edit is its own undo step
    assert window.document.history.diverged_at is None
    assert not window.training.message.isVisibleTo(window.training)
    assert len(window.training.curve.getData()[0]) == 1
