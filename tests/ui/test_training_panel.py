"""The training panel on the INF264 homework: real training through the document."""

from __future__ import annotations

import numpy as np
import pytest

from tutor.ui.document import Document
from tutor.ui.training_panel import TrainingPanel


@pytest.fixture
def panel(qtbot, inf264):
    document = Document(inf264)
    widget = TrainingPanel(document)
    qtbot.addWidget(widget)
    return widget


def curve(panel) -> tuple[np.ndarray, np.ndarray]:
    x, y = panel.curve.getData()
    return np.asarray(x), np.asarray(y)


def test_ten_updates_draw_eleven_decreasing_points(panel):
    panel.run_count.setValue(10)
    panel.run_button.click()
    x, y = curve(panel)
    assert list(x) == list(range(11))
    # before any update: ŷ = (3, 0), L = ((3 − 1.3)² + (0 − 1.9)²)/2 = 3.25
    assert y[0] == pytest.approx(3.25)
    assert np.all(np.diff(y) < 0)
    assert panel.current_point.data["x"].tolist() == [10.0]
    assert panel.document.history.current == 10


def test_step_adds_one_point(panel):
    panel.step_button.click()
    panel.step_button.click()
    assert len(curve(panel)[0]) == 3


def test_clicking_a_point_restores_its_parameters(panel):
    panel.train(10)
    history = panel.document.history
    panel.restore_point(4)
    params = panel.document.exercise.problem.params
    for ours, theirs in zip(params.flat(), history.params[4].flat(), strict=True):
        assert ours == theirs
    assert panel.current_point.data["x"].tolist() == [4.0]
    assert len(curve(panel)[0]) == 11  # restoring keeps the curve
    panel.document.undo_stack.undo()
    assert panel.document.history.current == 10


def test_reset_goes_back_to_the_start(panel):
    panel.train(3)
    panel.reset_button.click()
    assert panel.document.history.current == 0
    np.testing.assert_array_equal(panel.document.exercise.problem.params.flat(),
                                  panel.document.history.params[0].flat())


def test_log_scale_toggle(panel):
    panel.train(5)
    panel.log_y.setChecked(True)
    assert panel.plot.getPlotItem().ctrl.logYCheck.isChecked()
    assert len(curve(panel)[0]) == 6
    panel.log_y.setChecked(False)
    assert not panel.plot.getPlotItem().ctrl.logYCheck.isChecked()


def test_learning_rate_is_validated_and_edited_undoably(panel):
    panel.learning_rate.setText("0.01")
    panel.learning_rate.editingFinished.emit()
    assert panel.document.exercise.problem.training.learning_rate == 0.01
    panel.learning_rate.setText("0")
    panel.learning_rate.editingFinished.emit()
    assert panel.document.exercise.problem.training.learning_rate == 0.01
    assert "positive" in panel.learning_rate.toolTip()
    panel.document.undo_stack.undo()
    assert panel.learning_rate.text() == "0.1"


def test_method_and_batch_size(panel):
    panel.method.setCurrentIndex(panel.method.findData("minibatch"))
    assert panel.batch_size.isEnabled()
    panel.batch_size.setValue(2)
    training = panel.document.exercise.problem.training
    assert (training.method.value, training.batch_size) == ("minibatch", 2)


def test_a_huge_learning_rate_diverges_with_a_clear_message(panel):
    panel.learning_rate.setText("1e6")
    panel.learning_rate.editingFinished.emit()
    panel.train(50)
    history = panel.document.history
    assert history.diverged_at is not None
    assert not panel.message.isHidden()
    assert "smaller learning rate" in panel.message.text()
    x, y = curve(panel)
    assert len(x) == len(history.losses) and np.all(np.isfinite(y))


def test_play_trains_in_chunks_until_stopped(qtbot, panel):
    panel.play_button.setChecked(True)
    qtbot.waitUntil(lambda: panel.document.history.updates >= 10, timeout=5000)
    panel.stop()
    assert panel.play_button.text() == "Play" and not panel._play_timer.isActive()


def test_edit_markers_appear_where_the_network_was_edited(panel):
    from tutor.ui.diagram.edits import with_scalar

    panel.train(3)
    document = panel.document
    problem = with_scalar(document.exercise.problem, "W2[0,0]", 2.0)
    document.edit("Set w₃", document.exercise.with_problem(problem))
    assert [line.value() for line in panel.edit_lines] == [4.0]


def test_the_update_axis_counts_whole_updates_without_a_prefix(panel):
    axis = panel.plot.getPlotItem().getAxis("bottom")
    view = panel.plot.getPlotItem().vb
    (low, high), _ = view.viewRange()
    assert low == pytest.approx(0, abs=0.5) and high == pytest.approx(10, abs=0.5)
    assert not axis.autoSIPrefix
    assert axis.labelString().find("x0.001") == -1
    panel.train(30)
    (low, high), _ = view.viewRange()
    assert low == pytest.approx(0, abs=1) and high == pytest.approx(30, abs=1)
    assert axis._tickSpacing == [(3, 0.0), (3, 0.0)]  # integer ticks every 3 updates
