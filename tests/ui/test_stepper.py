"""Stepping: buttons enable at the ends, play runs to the end, samples pick one pass."""

from __future__ import annotations

from tutor.ui.document import Document
from tutor.ui.stepper import Stepper, StepperBar


def test_ends_disable_the_buttons_that_cannot_move(qtbot, document: Document) -> None:
    stepper = Stepper(document)
    assert not stepper.back_action.isEnabled() and stepper.next_action.isEnabled()
    stepper.last_action.trigger()
    assert document.at_end()
    assert stepper.back_action.isEnabled() and not stepper.next_action.isEnabled()


def test_play_runs_to_the_end_and_stops(qtbot, document: Document) -> None:
    stepper = Stepper(document)
    stepper.set_speed(200)
    document.set_cursor(len(document.trace) - 4)
    stepper.play()
    qtbot.waitUntil(lambda: not stepper.timer.isActive(), timeout=3000)
    assert document.at_end()
    assert not stepper.play_action.isChecked()
    stepper.play()  # from the end, play starts again at the beginning
    assert document.cursor == 0
    stepper.pause()


def test_the_phase_label_and_sample_selector(qtbot, inf264) -> None:
    document = Document(inf264)
    bar = StepperBar(document, Stepper(document))
    qtbot.addWidget(bar)
    assert bar.phase_label.text() == f"Forward 1 / 8 · step 1 / {len(document.trace)}"
    assert bar.sample_combo.count() == 3  # all samples, sample 1, sample 2
    bar.sample_combo.setCurrentIndex(2)
    assert document.sample == 1
    assert {s.sample for s in document.trace} == {None}
    assert document.trace.value("z2[0]") == 0.0  # ReLU(−3 + 2) = 0, so ŷ = w₄ = 0


def test_a_large_network_disables_node_by_node_and_says_why(qtbot, document: Document) -> None:
    from .test_document import _mnist_sized

    stepper = Stepper(document)
    assert stepper.node_action.isEnabled() and stepper.node_action.isChecked()
    document.reset(_mnist_sized())
    assert not stepper.node_action.isEnabled()
    assert stepper.layer_action.isChecked()
    assert "too large" in stepper.node_action.toolTip()
