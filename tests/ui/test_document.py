"""The document owns the state: cursor, trace, edits, undo and the training history."""

from __future__ import annotations

import numpy as np
import pytest

from tutor.engine import Granularity, Phase
from tutor.ui.document import Document


def _find(document: Document, lhs_unicode: str) -> int:
    from tutor.engine.notation import to_unicode

    return next(s.index for s in document.trace if to_unicode(s.lhs) == lhs_unicode)


def test_cursor_clamps_and_reports_moves(qtbot, document: Document) -> None:
    with qtbot.waitSignal(document.cursor_changed) as blocker:
        document.set_cursor(10_000)
    assert blocker.args == [len(document.trace) - 1]
    document.first()
    document.back()
    assert document.cursor == 0
    document.next()
    assert document.cursor == 1


def test_known_keys_grow_with_the_cursor(document: Document) -> None:
    document.set_cursor(3)
    assert document.known_keys() == {s.key for s in document.trace.steps[:4]}


def test_the_sheet_gradient_is_on_the_trace(document: Document) -> None:
    document.set_cursor(_find(document, "∂ℓ/∂α₁,₁"))
    assert document.current_step().result == pytest.approx(4.0)


def test_edit_is_undoable_and_keeps_the_cursor(qtbot, document: Document, cmu) -> None:
    document.set_cursor(5)
    problem = cmu.problem
    params = problem.params.replace_tensor("W2", np.array([[2.0, 2.0]]))
    with qtbot.waitSignal(document.trace_changed):
        document.edit("Set β₁", cmu.with_problem(problem.with_params(params)))
    assert document.cursor == 5
    assert document.trace.value("z2[0]") == pytest.approx(2 * 3 + 2 * 2)
    assert document.is_modified
    document.undo_stack.undo()
    assert document.trace.value("z2[0]") == pytest.approx(7.0)
    assert not document.is_modified


def test_layer_granularity_keeps_the_phase(document: Document) -> None:
    document.set_cursor(_find(document, "∂ℓ/∂α₁,₁"))
    document.set_granularity(Granularity.LAYER)
    assert document.current_step().phase in (Phase.GRADIENT, Phase.BACKWARD)
    step = document.trace.find(next(s.key for s in document.trace if s.node == "W1"))
    assert np.array_equal(step.result, [[4, 4, 8], [8, 8, 16]])


def test_training_appends_and_undo_restores(inf264) -> None:
    document = Document(inf264)
    before = document.exercise.problem.params
    run = document.train(10)
    history = document.history
    assert len(history.losses) == 11
    assert np.all(np.diff(history.losses) < 0)
    assert history.losses == pytest.approx(tuple(run.losses))
    assert history.current == 10
    document.undo_stack.undo()
    assert document.history.updates == 0
    assert np.array_equal(document.exercise.problem.params.flat(), before.flat())


def test_edit_after_training_marks_the_history(inf264) -> None:
    document = Document(inf264)
    document.train(3)
    problem = document.exercise.problem
    params = problem.params.replace_tensor("b2", np.array([0.5]))
    document.edit("Set b", document.exercise.with_problem(problem.with_params(params)))
    assert document.history.edits == (4,)
    assert document.history.current == 4
    document.train(2)
    assert len(document.history) == 7


def test_restore_history_moves_current(inf264) -> None:
    document = Document(inf264)
    document.train(5)
    document.restore_history(2)
    assert document.history.current == 2
    expected = document.history.params[2].flat()
    assert np.array_equal(document.exercise.problem.params.flat(), expected)
    document.train(1)  # continues from update 2: the abandoned updates 3..5 are cut
    assert len(document.history) == 4


def test_sample_selects_one_pass(inf264) -> None:
    document = Document(inf264)
    assert {s.sample for s in document.trace} >= {0, 1}
    document.set_sample(1)
    forward = document.trace[0]
    assert forward.sample is None
    assert document.trace.value("z2[0]") == pytest.approx(0.0)  # ReLU(−3 + 2) = 0
