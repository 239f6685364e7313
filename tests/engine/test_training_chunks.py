"""A run trained in chunks over one batch schedule is bit for bit the single run."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from tutor.engine import (
    Activation,
    ChunkedRun,
    Dataset,
    Layer,
    Loss,
    Method,
    Network,
    Training,
    random_parameters,
    train,
)
from tutor.engine.history import ParameterHistory
from tutor.engine.training import batch_schedule, batches

NETWORK = Network(2, (Layer(3, Activation("sigmoid")), Layer(1)), Loss())
ROWS = 5
CHUNKS = (1, 3, 1, 7, 2, 11)  # 25 updates; sizes that cut epochs of 5 rows anywhere


def data() -> Dataset:
    rng = np.random.default_rng(11)
    x = rng.uniform(-1, 1, size=(ROWS, 2))
    return Dataset(x, np.tanh(x[:, :1] - 2 * x[:, 1:]))


TRAININGS = [
    Training(0.5, Method.BATCH),
    Training(0.5, Method.SGD),
    Training(0.5, Method.SGD, shuffle=True, seed=3),
    Training(0.5, Method.MINIBATCH, batch_size=2, shuffle=True, seed=5),
]


@pytest.mark.parametrize("training", TRAININGS, ids=lambda t: f"{t.method}-{t.shuffle}")
def test_the_schedule_starts_with_the_rows_of_batches(training: Training) -> None:
    expected = [r.tolist() for r in batches(training, ROWS, 17)]
    schedule = batch_schedule(training, ROWS)
    assert [r.tolist() for r in itertools.islice(schedule, 17)] == expected


@pytest.mark.parametrize("training", TRAININGS, ids=lambda t: f"{t.method}-{t.shuffle}")
def test_chunks_over_one_schedule_give_the_single_run(training: Training) -> None:
    params = random_parameters(NETWORK, seed=2)
    whole = train(NETWORK, params, data(), training, sum(CHUNKS))
    schedule = batch_schedule(training, ROWS)
    losses, history = [], ParameterHistory.single(params)
    for size in CHUNKS:
        run = train(NETWORK, history.final, data(), training, size, schedule)
        history = history.then(run.params, len(losses) - 1 if losses else 0)
        losses.extend(run.losses[0 if not losses else 1:])
    assert losses == whole.losses.tolist()  # exact, not approximate
    np.testing.assert_array_equal(history.rows(), whole.params.rows())
    np.testing.assert_array_equal(history.kept(), np.arange(len(losses)))


def test_restarting_the_schedule_would_differ() -> None:
    """Why the schedule is passed on: a fresh one per chunk repeats the first epoch's order."""
    training = TRAININGS[2]
    params = random_parameters(NETWORK, seed=2)
    whole = train(NETWORK, params, data(), training, 6)
    first = train(NETWORK, params, data(), training, 3)
    restarted = train(NETWORK, first.final, data(), training, 3)
    assert restarted.losses[-1] != whole.losses[-1]


@pytest.mark.parametrize("training", TRAININGS, ids=lambda t: f"{t.method}-{t.shuffle}")
@pytest.mark.parametrize("total", [25, 4000])  # 4000 on a wide network: every k-th kept
def test_a_chunked_run_is_the_single_run(training: Training, total: int) -> None:
    network = NETWORK if total < 1000 else Network(2, (Layer(300, Activation("tanh")),
                                                       Layer(1)), Loss())
    if total >= 1000:  # a rate the wide network converges with
        training = replace(training, learning_rate=0.002)
    params = random_parameters(network, seed=2)
    whole = train(network, params, data(), training, total)
    chunked = ChunkedRun(network, params, data(), training, total)
    sizes = itertools.cycle(CHUNKS if total < 1000 else (333, 1000, 77))
    trained = [chunked.advance(next(sizes)) for _ in range(40) if chunked.remaining]
    assert sum(trained) == total == chunked.done and chunked.remaining == 0
    assert chunked.advance(5) == 0
    run = chunked.run()
    assert run.losses.tolist() == whole.losses.tolist()
    np.testing.assert_array_equal(run.params.rows(), whole.params.rows())
    np.testing.assert_array_equal(run.params.kept(), whole.params.kept())
    np.testing.assert_array_equal(chunked.latest.flat(), whole.final.flat())
    assert total < 1000 or len(whole.params.kept()) < total // 2 + 2  # a stride was used


def test_a_chunked_run_stops_where_it_diverges() -> None:
    params = random_parameters(NETWORK, seed=2)
    training = Training(1e6, Method.BATCH)
    whole = train(NETWORK, params, data(), training, 50)
    chunked = ChunkedRun(NETWORK, params, data(), training, 50)
    while chunked.advance(3):
        pass
    assert whole.diverged_at is not None and chunked.diverged_at == whole.diverged_at
    assert chunked.remaining == 0
    assert chunked.run().losses.tolist() == whole.losses.tolist()
