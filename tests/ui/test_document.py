"""The document owns the state: cursor, trace, edits, undo and the training history."""

from __future__ import annotations

import numpy as np
import pytest

from tutor.engine import (
    Activation,
    Dataset,
    Granularity,
    Layer,
    Network,
    NetworkProblem,
    Parameters,
    Phase,
)
from tutor.exercise import Exercise
from tutor.ui.document import NODE_LIMIT, Document, scalar_node_count


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


def _mnist_sized() -> Exercise:
    """A 784-128-10 network with random parameters and a batch of 4 samples."""
    rng = np.random.default_rng(0)
    network = Network(784, (Layer(128, Activation("sigmoid")), Layer(10, Activation())))
    params = Parameters.of([rng.normal(0, 0.05, (128, 784)), rng.normal(0, 0.05, (10, 128))],
                           [np.zeros(128), np.zeros(10)])
    data = Dataset(rng.random((4, 784)), rng.random((4, 10)))
    return Exercise("784-128-10", NetworkProblem(network, params, data))


def test_a_large_network_is_traced_layer_by_layer() -> None:
    document = Document(_mnist_sized())
    assert scalar_node_count(document.exercise.problem) > NODE_LIMIT
    assert not document.node_granularity_allowed
    assert document.granularity is Granularity.LAYER
    assert 0 < len(document.trace) < 100
    assert {s.granularity for s in document.trace} == {"layer"}
    document.set_granularity(Granularity.NODE)  # refused: it would take minutes
    assert document.granularity is Granularity.LAYER
    assert {s.sample for s in document.trace} == {0, 1, 2, 3, None}
    averaged = next(s for s in document.trace if s.phase == Phase.AVERAGE and s.node == "W1")
    assert averaged.result.shape == (128, 784)  # ∂L/∂W1 of the whole batch


def test_a_small_network_keeps_the_chosen_granularity(document: Document) -> None:
    assert scalar_node_count(document.exercise.problem) == 6 + 3 + 2 + 1 + 2 * 3
    assert document.node_granularity_allowed
    document.set_granularity(Granularity.LAYER)
    document.edit("same", document.exercise.with_problem(document.exercise.problem))
    assert document.granularity is Granularity.LAYER


def test_undo_and_redo_reuse_the_traces_they_return_to(document: Document, cmu) -> None:
    before = document.trace
    problem = cmu.problem
    edited = problem.with_params(problem.params.replace_tensor("W2", np.array([[2.0, 2.0]])))
    document.edit("Set β₁", cmu.with_problem(edited))
    after = document.trace
    assert after is not before and after.value("z2[0]") == pytest.approx(10.0)
    document.undo_stack.undo()
    assert document.trace is before
    document.undo_stack.redo()
    assert document.trace is after


def test_histories_share_one_loss_curve_and_a_branch_leaves_it_alone(inf264) -> None:
    """Every Run keeps a history on the undo stack: those that continue from the end of the
    curve write after it in place (a long session stays linear in memory); one that continues
    from an earlier point gets a copy, so the histories undo returns to keep their numbers."""
    document = Document(inf264)
    document.train(5)
    first = document.history
    document.train(5)
    second = document.history
    assert len(second.losses) == 11 and np.shares_memory(first.losses, second.losses)
    np.testing.assert_array_equal(second.losses[:6], first.losses)
    before = second.losses.copy()
    document.restore_history(3)
    document.train(2)  # a branch from update 3
    branch = document.history
    assert len(branch.losses) == 6 and not np.shares_memory(branch.losses, second.losses)
    np.testing.assert_array_equal(second.losses, before)  # untouched
    np.testing.assert_array_equal(branch.losses[:4], before[:4])
    with pytest.raises(ValueError, match="read-only"):
        branch.losses[0] = 1.0
