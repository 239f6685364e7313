"""The packed parameter history: every update's parameters, or every k-th of a large run."""

from __future__ import annotations

import numpy as np
import pytest

from tutor.engine import Activation, Layer, Loss, Method, Network, Training, train
from tutor.engine.history import MEMORY_BUDGET, ParameterHistory, keep_every
from tutor.engine.training import batch_schedule

from .networks import random_case

NETWORK = Network(3, (Layer(4, Activation("tanh")), Layer(2)), Loss())
CASE = random_case(NETWORK, seed=4, samples=6)
TRAININGS = [Training(0.2), Training(0.3, Method.SGD, shuffle=True, seed=2),
             Training(0.2, frozen=frozenset({"b1", "W2"}))]


def run(training: Training, updates: int, **options):
    return train(NETWORK, CASE.params, CASE.data, training, updates, **options)


@pytest.mark.parametrize("training", TRAININGS, ids=lambda t: f"{t.method}-{t.frozen}")
def test_every_update_is_kept_by_default_and_unpacks_to_its_parameters(training) -> None:
    full = run(training, 30)
    assert len(full.params) == 31 and full.params.kept().tolist() == list(range(31))
    np.testing.assert_array_equal(full.params[0].flat(), CASE.params.flat())
    for t in (1, 17, 30):  # each row is one update from the row before
        expected = train(NETWORK, full.params[t - 1], CASE.data, training, 1,
                         _schedule_after(training, t - 1)).final
        np.testing.assert_array_equal(full.params[t].flat(), expected.flat())
    assert full.final.weights[1].shape == (2, 4)
    np.testing.assert_array_equal(full.params[-1].flat(), full.final.flat())


def _schedule_after(training: Training, updates: int):
    schedule = batch_schedule(training, len(CASE.data))
    for _ in range(updates):
        next(schedule)
    return schedule


@pytest.mark.parametrize("training", TRAININGS, ids=lambda t: f"{t.method}-{t.frozen}")
@pytest.mark.parametrize("stride", [2, 3, 7, 40])
def test_a_thinned_run_keeps_every_kth_row_bit_for_bit(training, stride) -> None:
    full = run(training, 30)
    thinned = run(training, 30, keep=stride)
    kept = thinned.params.kept().tolist()
    assert kept == sorted({0, 30, *range(0, 31, stride)})
    for update in kept:
        assert thinned.params.row(update).tobytes() == full.params.row(update).tobytes()
    assert thinned.losses.tobytes() == full.losses.tobytes()  # the curve stays whole
    with pytest.raises(KeyError, match="update 1 were not kept"):
        thinned.params[1]


def test_a_chunk_counts_its_stride_from_the_runs_first_update() -> None:
    thinned = run(TRAININGS[0], 10, keep=4, first=3)
    assert thinned.params.kept().tolist() == [0, 1, 5, 9, 10]


def test_a_thinned_run_that_diverges_keeps_its_last_finite_parameters() -> None:
    training = Training(500.0)
    full = run(training, 100)
    assert full.diverged_at is not None and full.diverged_at > 7
    thinned = run(training, 100, keep=5)
    assert thinned.diverged_at == full.diverged_at
    assert thinned.params.last == full.params.last == full.diverged_at - 1
    np.testing.assert_array_equal(thinned.final.flat(), full.final.flat())


def test_the_stride_keeps_a_run_within_the_memory_budget() -> None:
    assert keep_every(parameters=20, updates=100_000) == 1
    big = 784 * 128 + 128 + 128 * 10 + 10  # 784-128-10: 0.8 MB a row
    for updates in (200, 10_000):
        stride = keep_every(big, updates)
        rows = updates // stride + 3
        assert stride > 1 and rows * big * 8 <= MEMORY_BUDGET + 3 * big * 8
    assert keep_every(big, 1) == 1  # a single update is always kept


def test_cutting_and_continuing_copy_no_rows() -> None:
    first, second = run(TRAININGS[0], 10), run(TRAININGS[0], 10, keep=3)
    joined = first.params.then(second.params, at=6)  # second's update 0 is first's update 6
    assert joined.kept().tolist() == [0, 1, 2, 3, 4, 5, 6, 9, 12, 15, 16]
    np.testing.assert_array_equal(joined.row(12), second.params.row(6))
    assert np.shares_memory(joined.row(12), second.params.row(6))
    assert joined.upto(13).kept().tolist() == [0, 1, 2, 3, 4, 5, 6, 9, 12]
    assert [joined.nearest(u) for u in (7, 8, 10, 11, 14, 20)] == [6, 9, 9, 12, 15, 16]
    edited = joined.appended(10, CASE.params)  # an edit after update 9
    assert edited.kept().tolist() == [0, 1, 2, 3, 4, 5, 6, 9, 10]
    np.testing.assert_array_equal(edited[10].flat(), CASE.params.flat())
    assert ParameterHistory.single(CASE.params).kept().tolist() == [0]


def test_rows_are_read_only() -> None:
    history = run(TRAININGS[0], 3).params
    with pytest.raises(ValueError, match="read-only"):
        history.row(2)[0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        history[2].weights[0][0, 0] = 1.0
