"""The training panel on the INF264 homework: real training through the document."""

from __future__ import annotations

import numpy as np
import pytest

from tutor.engine import Granularity, Method
from tutor.engine import history as history_module
from tutor.engine.edit import set_learning_rate
from tutor.session import training as pacing
from tutor.ui.document import Document
from tutor.ui.panels import loss_plot
from tutor.ui.panels.training_panel import TrainingPanel


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
    panel.learning_rate.setText("1000")  # the largest η a file can store
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
    # whole updates only, and fewer major labels on a narrow axis than on a wide one
    assert axis.tickSpacing(0, 4, 300) == [(1.0, 0.0)]
    assert all(spacing >= 1 for spacing, _ in axis.tickSpacing(0, 30, 800))
    narrow, wide = axis.tickValues(0, 2000, 270)[0][1], axis.tickValues(0, 2000, 1000)[0][1]
    assert narrow == [0, 500, 1000, 1500, 2000] and len(wide) > len(narrow)


def sgd_shuffled(panel):
    """INF264 trained by shuffled SGD: chunks must continue the run's row order exactly."""
    import dataclasses

    document = panel.document
    problem = document.exercise.problem
    training = dataclasses.replace(problem.training, method=Method.SGD, shuffle=True, seed=7)
    document.edit("SGD", document.exercise.with_problem(
        dataclasses.replace(problem, training=training)))
    return document.exercise.problem


def test_a_long_run_trains_between_events_and_stop_keeps_one_undo_step(qtbot, panel):
    problem = panel.document.exercise.problem
    undo_before = panel.document.undo_stack.count()
    panel.run_count.setValue(100_000)
    panel.run_button.click()
    assert panel.running and panel.run_button.text() == "Stop"
    first = panel.progress.value()
    assert 0 < first < 100_000
    assert panel.document.history.updates == 0  # nothing pushed while running
    qtbot.waitUntil(lambda: panel.progress.value() > first, timeout=5000)
    assert panel.status.text().startswith("Training… ")
    assert panel.status.text().endswith(" / 100,000")
    panel.run_button.click()  # Stop
    assert not panel.running and panel.run_button.text() == "Run"
    assert panel.progress.isHidden()
    done = panel.document.history.updates
    assert first < done < 100_000
    expected = problem.train(done)
    np.testing.assert_array_equal(panel.document.history.losses, expected.losses)
    for ours, theirs in zip(panel.document.exercise.problem.params.flat(),
                            expected.final.flat(), strict=True):
        assert ours == theirs
    assert panel.document.undo_stack.count() == undo_before + 1
    assert panel.document.undo_stack.undoText() == f"Train {done} updates"
    panel.document.undo_stack.undo()
    assert panel.document.history.updates == 0
    np.testing.assert_array_equal(panel.document.exercise.problem.params.flat(),
                                  problem.params.flat())


def test_a_run_in_one_update_chunks_equals_one_engine_run(qtbot, panel, monkeypatch):
    problem = sgd_shuffled(panel)
    monkeypatch.setattr(pacing, "RUN_TICK_SECONDS", 0.0)  # one update per tick
    monkeypatch.setattr(pacing, "RUN_AT_ONCE", 0)
    panel.run_count.setValue(23)
    panel.run_button.click()
    assert panel.document.history.updates == 0 and panel.progress.value() == 1
    qtbot.waitUntil(lambda: not panel.running, timeout=5000)
    expected = problem.train(23)
    np.testing.assert_array_equal(panel.document.history.losses, expected.losses)
    assert panel.document.undo_stack.undoText() == "Train 23 updates"
    x, y = curve(panel)
    assert list(x) == list(range(24))
    np.testing.assert_array_equal(y, expected.losses)


def test_a_short_run_is_done_when_the_click_returns(panel, monkeypatch):
    monkeypatch.setattr(pacing, "RUN_TICK_SECONDS", 0.0)  # however slow the machine
    panel.run_count.setValue(40)
    panel.run_button.click()
    assert not panel.running
    assert panel.document.history.updates == 40


def test_divergence_during_a_chunked_run_stops_with_the_message(qtbot, panel, monkeypatch):
    monkeypatch.setattr(pacing, "RUN_TICK_SECONDS", 0.0)
    monkeypatch.setattr(pacing, "RUN_AT_ONCE", 0)
    panel.learning_rate.setText("10")
    panel.learning_rate.editingFinished.emit()
    expected = panel.document.exercise.problem.train(50)
    panel.run_count.setValue(50)
    panel.run_button.click()
    qtbot.waitUntil(lambda: not panel.running, timeout=5000)
    assert panel.document.history.diverged_at == expected.diverged_at == 5
    assert f"diverged at update {expected.diverged_at}:" in panel.message.text()
    assert not panel.message.isHidden()
    np.testing.assert_array_equal(panel.document.history.losses, expected.losses)


def test_editing_during_a_run_drops_the_run(qtbot, panel, monkeypatch):
    monkeypatch.setattr(pacing, "RUN_TICK_SECONDS", 0.0)
    monkeypatch.setattr(pacing, "RUN_AT_ONCE", 0)
    panel.run_count.setValue(1000)
    panel.run_button.click()
    assert panel.running and not panel.learning_rate.isEnabled()
    document = panel.document
    problem = set_learning_rate(document.exercise.problem, 0.05)
    document.edit("Set η", document.exercise.with_problem(problem))
    assert not panel.running and panel.learning_rate.isEnabled()
    assert document.history.updates == 0
    assert document.undo_stack.undoText() == "Set η"


def test_a_single_point_sits_in_a_round_range_from_zero_that_an_edit_keeps(panel):
    from tutor.ui.diagram.edits import with_scalar

    view = panel.plot.getPlotItem().vb
    # L = 3.25 before any update (see above): 0…5, the first of 1, 2, 5 × 10ᵏ ≥ 1.1 · 3.25
    assert view.viewRange()[1] == pytest.approx([0.0, 5.0])
    document = panel.document
    problem = with_scalar(document.exercise.problem, "W2[0,0]", 1.01)
    document.edit("Set w₃", document.exercise.with_problem(problem))
    assert len(document.history.losses) == 1 and document.history.losses[0] != 3.25
    assert view.viewRange()[1] == pytest.approx([0.0, 5.0])
    panel.train(10)  # a curve is ranged to its data again (when next painted)
    assert view.autoRangeEnabled()[1]
    view.updateAutoRange()
    low, high = view.viewRange()[1]
    assert low > 0 and high < 5.0


def test_round_above_picks_one_two_or_five_times_a_power_of_ten():
    assert [loss_plot._round_above(v) for v in (0.003, 1.0, 1.1, 3.575, 8.8, 11.0)] == \
        pytest.approx([0.005, 1.0, 2.0, 5.0, 10.0, 20.0])


def test_a_run_too_large_to_keep_keeps_every_kth_update_and_clicks_take_the_nearest(
        qtbot, panel, monkeypatch):
    """A large network keeps the parameters of every k-th update only (memory); the curve
    stays whole, and a click on an update that was not kept restores the nearest kept one."""
    problem = sgd_shuffled(panel)
    row = problem.params.flat().nbytes
    monkeypatch.setattr(history_module, "MEMORY_BUDGET", 10 * row)  # 10 rows: every 5th of 50
    monkeypatch.setattr(pacing, "RUN_TICK_SECONDS", 0.0)
    monkeypatch.setattr(pacing, "RUN_AT_ONCE", 0)
    panel.run_count.setValue(48)
    panel.run_button.click()
    qtbot.waitUntil(lambda: not panel.running, timeout=5000)
    expected = problem.train(48)  # the same budget: the engine thins its run alike
    history = panel.document.history
    assert history.params.kept().tolist() == [*range(0, 48, 5), 48]
    np.testing.assert_array_equal(history.losses, expected.losses)
    assert len(curve(panel)[0]) == 49
    panel.restore_point(12)  # 10 and 15 were kept: 10 is nearer
    assert history.nearest(12) == 10 and panel.document.history.current == 10
    assert panel.current_point.data["x"].tolist() == [10.0]
    np.testing.assert_array_equal(panel.document.exercise.problem.params.flat(),
                                  expected.params[10].flat())
    assert panel.document.undo_stack.undoText() == "Restore parameters after 10 updates"


@pytest.mark.parametrize("granularity", ["node", "layer"])
def test_a_ticked_run_traces_its_final_parameters_before_it_is_applied(
        qtbot, panel, monkeypatch, granularity):
    """Tracing and applying a large network's result each take a tick: the trace of the final
    parameters is built while the document still holds the old ones, then reused."""
    from tutor.session import traces as document_module

    traced_at = []  # the document's update count whenever a trace is built
    original = document_module.trace_parts

    def spy(problem, granularity, sample, *hand):
        traced_at.append(panel.document.history.updates)
        return original(problem, granularity, sample, *hand)

    panel.document.set_granularity(Granularity(granularity))  # layer: a part per sample
    monkeypatch.setattr(document_module, "trace_parts", spy)
    monkeypatch.setattr(pacing, "RUN_TICK_SECONDS", 0.0)
    monkeypatch.setattr(pacing, "RUN_AT_ONCE", 0)
    problem = panel.document.exercise.problem
    panel.run_count.setValue(6)
    panel.run_button.click()
    qtbot.waitUntil(lambda: not panel.running, timeout=5000)
    assert panel.document.history.updates == 6
    assert traced_at == [0]  # once, before the push; applying it traced nothing
    expected = problem.with_params(problem.train(6).final).trace(granularity)
    assert [s.line() for s in panel.document.trace] == [s.line() for s in expected]


def test_the_first_tick_of_a_run_is_left_to_laying_out_the_progress_bar(qtbot, panel,
                                                                        monkeypatch):
    monkeypatch.setattr(pacing, "RUN_AT_ONCE", 0)
    panel.run_count.setValue(100_000)
    panel.run_button.click()
    after_click = panel.progress.value()
    panel._on_run_tick()  # the tick the timer runs first: the window lays out Stop and the bar
    assert panel.progress.value() == after_click and panel.running
    panel._on_run_tick()
    assert panel.progress.value() > after_click
    panel.run_button.click()  # Stop
    assert not panel.running
