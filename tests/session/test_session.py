"""The session holds a window's state and changes it without Qt: cursor, edits, training."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from tutor.engine import Granularity, Phase
from tutor.engine.notation import to_unicode
from tutor.session import BEFORE_FIRST, Session, State


def _step(session: Session, lhs: str) -> int:
    return next(s.index for s in session.trace if to_unicode(s.lhs) == lhs)


class Recorder:
    """Every event a session emits, in order, with its argument."""

    def __init__(self, session: Session) -> None:
        self.seen: list[tuple] = []
        for event in (session.structure_changed, session.exercise_changed,
                      session.history_changed, session.flags_changed, session.trace_changed,
                      session.cursor_changed, session.path_changed):
            event.connect(lambda *args, name=event.name: self.seen.append((name, *args)))

    def names(self) -> list[str]:
        return [entry[0] for entry in self.seen]


def test_importing_the_session_loads_no_qt() -> None:
    code = ("import sys, tutor.session, tutor.session.session; "
            "print(sorted(m for m in sys.modules if m.startswith(('PySide', 'pyqtgraph'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_the_sheets_numbers_are_on_the_trace(cmu) -> None:
    session = Session(cmu)
    assert len(session.trace) == 30
    assert session.history.losses.tolist() == [8.0]
    session.set_cursor(_step(session, "∂ℓ/∂z₂"))
    assert session.cursor == 11
    assert session.current_step().result == pytest.approx(8.0)  # ∂ℓ/∂ŷ · β₂ = 4 · 2
    assert session.known_keys() == {s.key for s in session.trace.steps[:12]}


def test_the_cursor_clamps_and_says_where_it_went(cmu) -> None:
    session = Session(cmu)
    seen = Recorder(session)
    session.set_cursor(10_000)
    session.set_cursor(10_000)  # no move, no event
    session.back()
    session.rewind()
    assert seen.seen == [("cursor_changed", 29), ("cursor_changed", 28),
                         ("cursor_changed", BEFORE_FIRST)]
    assert session.current_step() is None
    session.next()
    assert session.cursor == 0


def test_an_edit_goes_through_commit_and_tells_in_order(cmu) -> None:
    committed: list[tuple[str, State, State]] = []
    session = Session(cmu, commit=lambda text, before, after: committed.append(
        (text, before, after)))
    problem = cmu.problem
    edited = cmu.with_problem(problem.with_params(
        problem.params.replace_tensor("W2", np.array([[2.0, 2.0]]))))
    session.set_cursor(5)
    session.edit("Set β₁", edited)
    assert session.exercise is cmu  # nothing applied until the commit applies it
    (text, before, after), = committed
    assert text == "Set β₁" and before.exercise is cmu and after.exercise is edited
    seen = Recorder(session)
    session.apply(after)
    assert seen.names() == ["exercise_changed", "history_changed", "flags_changed",
                            "trace_changed", "cursor_changed"]  # same network: no rebuild
    assert session.trace.value("z2[0]") == pytest.approx(2 * 3 + 2 * 2)
    assert session.history.losses.tolist() == [pytest.approx(0.5 * (10 - 3) ** 2)]
    assert session.cursor == 5
    session.apply(before)
    assert session.trace.value("z2[0]") == pytest.approx(7.0)


def test_undo_returns_to_the_same_trace_object(cmu) -> None:
    undo: list[State] = []

    def commit(_text: str, before: State, after: State) -> None:
        undo.append(before)
        session.apply(after)

    session = Session(cmu, commit=commit)
    first = session.trace
    session.train(1)
    assert session.trace is not first
    session.apply(undo.pop())
    assert session.trace is first


def test_one_update_reaches_the_sheets_next_loss(cmu) -> None:
    session = Session(cmu)
    evaluated = session.trace[29]
    assert evaluated.phase == Phase.EVALUATE and evaluated.result == pytest.approx(6.1952)
    run = session.train(1)
    assert session.history.losses == pytest.approx([8.0, 6.1952])
    assert run.losses == pytest.approx([8.0, 6.1952])
    np.testing.assert_allclose(session.exercise.problem.params.tensors()["W2"], [[-0.2, 1.2]])


def test_restore_and_train_again_cut_the_abandoned_branch(inf264) -> None:
    session = Session(inf264)
    session.train(3)
    np.testing.assert_allclose(session.history.losses,
                               [3.25, 2.85564732, 2.58618135, 2.39290225], rtol=1e-8)
    session.restore_history(1)
    assert session.history.current == 1
    np.testing.assert_allclose(session.exercise.problem.params.tensors()["W2"],
                               session.history.params[1].tensors()["W2"])
    session.train(1)
    assert len(session.history) == 3
    assert session.history.losses[2] == pytest.approx(2.58618135)


def test_an_edit_after_training_is_marked(inf264) -> None:
    session = Session(inf264)
    session.train(2)
    problem = session.exercise.problem
    edited = problem.with_params(problem.params.replace_tensor("b2", np.array([0.5])))
    session.edit("Set b", session.exercise.with_problem(edited))
    assert session.history.edits == (3,)
    assert session.history.current == 3
    assert len(session.history) == 4


def test_a_sample_and_layers_retrace_in_place(inf264) -> None:
    session = Session(inf264)
    session.set_sample(1)
    assert session.trace.value("z2[0]") == pytest.approx(0.0)  # ReLU(−3 + 2) = 0
    with pytest.raises(ValueError, match="out of range"):
        session.set_sample(2)
    session.set_granularity(Granularity.LAYER)
    assert {s.granularity for s in session.trace} == {"layer"}


def test_a_run_in_chunks_is_one_change_equal_to_one_engine_run(inf264) -> None:
    committed: list[str] = []
    session = Session(inf264)
    plain = session.commit
    session.commit = lambda text, before, after: committed.append(text) or plain(
        text, before, after)
    run = session.start_training(7)
    assert run.advance(3) == 3 and run.advance(100) == 4 and run.remaining == 0
    assert session.history.updates == 0  # nothing applied until finish
    assert run.trace_final() is True and run.trace_final() is False
    run.finish()
    assert committed == ["Train 7 updates"]
    expected = inf264.problem.train(7)
    np.testing.assert_array_equal(session.history.losses, expected.losses)
    np.testing.assert_array_equal(session.exercise.problem.params.flat(), expected.final.flat())


def test_a_runs_curve_continues_the_history_from_its_current_point(inf264) -> None:
    session = Session(inf264)
    session.train(3)
    session.restore_history(1)
    run = session.start_training(2)
    run.advance(1)
    np.testing.assert_allclose(run.curve(), [3.25, 2.85564732, 2.58618135], rtol=1e-8)
    assert len(session.history) == 4  # the run has pushed nothing yet


def test_a_tick_trains_at_least_what_it_is_asked(inf264) -> None:
    session = Session(inf264)
    run = session.start_training(500)
    assert run.at_once == 100  # a small network's short Run ends within the click
    assert run.advance_for(0.0, at_least=run.at_once) == 100
    assert run.advance_for(0.0) >= 1
    assert run.done >= 101


def test_a_run_is_dropped_when_the_exercise_was_replaced(inf264, cmu) -> None:
    session = Session(inf264)
    run = session.start_training(5)
    run.advance(5)
    session.reset(cmu)
    assert run.stale and run.finish() is None
    assert session.exercise is cmu and session.history.losses.tolist() == [8.0]


def test_flags_are_computed_once_per_trace(cmu, monkeypatch) -> None:
    from tutor.session import flags

    calls = []
    real = flags.flags_for
    monkeypatch.setattr(flags, "flags_for", lambda *a, **k: calls.append(1) or real(*a, **k))
    session = Session(cmu)
    for index in range(len(session.trace)):
        session.set_cursor(index)
    assert len(calls) == 1
    session.set_granularity(Granularity.LAYER)
    assert len(calls) == 2
