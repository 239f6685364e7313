"""View ▸ Animate gradient flow: dashes run along the edges a backward step reads through,
a short while after each step; nothing else moves."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QMessageBox

from tutor.ui.diagram.arrange import text_boxes
from tutor.ui.diagram.flow import DASH_PERIOD, LOOPS, PASS_MS
from tutor.ui.document import Document
from tutor.ui.main_window import MainWindow

from .conftest import bundled


def _window(qtbot, monkeypatch) -> MainWindow:
    window = MainWindow(Document(bundled("cmu-recitation-5")))
    qtbot.addWidget(window)
    monkeypatch.setattr(window.files, "_ask_save", lambda: QMessageBox.StandardButton.Discard)
    window.resize(1600, 1000)
    window.show()
    qtbot.waitExposed(window)
    return window


def _texts(view) -> list[tuple[str, str, tuple[float, float, float, float]]]:
    return sorted((b.owner, b.role, b.rect.getRect()) for b in text_boxes(view))


def test_toggling_starts_and_stops_the_flow_and_no_label_moves(qtbot, monkeypatch) -> None:
    window = _window(qtbot, monkeypatch)
    view, action = window.network_view, window.layouts.flow_action
    assert not action.isChecked()  # off by default: still pictures
    window.document.set_cursor(10)  # ∂ℓ/∂z₁ = ∂ℓ/∂ŷ · β₁ reads the cached ∂ℓ/∂ŷ
    QApplication.processEvents()
    flowing = [e for e in view.links if e.flow]
    assert len(flowing) == 1 and flowing[0].weight_id == "W2[0,0]"  # the z₁ → ŷ edge
    assert flowing[0].flow == -1  # against the edge: from ŷ back to z₁
    assert not view.flow.running
    before = _texts(view)

    action.trigger()
    assert view.flow.running and window.graph_view.flow.enabled
    animation = view.flow.animation
    assert animation.duration() == PASS_MS and animation.loopCount() == LOOPS
    animation.setCurrentTime(PASS_MS // 2)  # halfway through the first pass
    assert abs(flowing[0].phase - DASH_PERIOD / 2) < 0.2
    assert all(e.phase == 0.0 for e in view.links if not e.flow)
    assert _texts(view) == before  # the dashes move, the labels do not

    window.document.set_cursor(11)  # ∂ℓ/∂z₂: the flow starts over on the z₂ → ŷ edge
    assert view.flow.running and flowing[0].phase == 0.0 and not flowing[0].flow
    window.document.set_cursor(2)  # a forward step reads no cached adjoint: nothing runs
    assert not view.flow.running

    window.document.set_cursor(10)
    action.trigger()
    assert not view.flow.running and all(e.phase == 0.0 for e in view.links)
    assert _texts(view) == before


def test_the_flow_runs_a_short_while_then_stands_still(qtbot, monkeypatch) -> None:
    window = _window(qtbot, monkeypatch)
    window.layouts.flow_action.trigger()
    window.document.set_cursor(12)  # ∂ℓ/∂a₁ reads ∂ℓ/∂z₁ along the ReLU link
    view = window.network_view
    animation = view.flow.animation
    assert view.flow.running
    animation.setCurrentTime(animation.totalDuration())  # the end of the last pass
    assert not view.flow.running
    window.layouts.flow_action.trigger()


def test_a_new_exercise_does_not_touch_the_old_edges(qtbot, monkeypatch) -> None:
    """The old scene's edges are deleted with it: stopping the flow must not reach them."""
    window = _window(qtbot, monkeypatch)
    window.layouts.flow_action.trigger()
    window.document.set_cursor(10)
    assert window.network_view.flow.running
    window.graph_action.setChecked(True)
    window.document.reset(bundled("xor"))  # as File ▸ Open does: both scenes are rebuilt
    window.document.reset(bundled("cmu-recitation-5-expression"))
    window.document.set_cursor(12)
    QApplication.processEvents()
    window.layouts.flow_action.trigger()
    assert not window.graph_view.flow.running
