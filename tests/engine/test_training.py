"""Gradient-descent training: batch, SGD and mini-batches, seeds, frozen tensors, history."""

import numpy as np
import pytest

from tutor.engine import (
    Activation,
    Dataset,
    Granularity,
    Key,
    Layer,
    Loss,
    Method,
    Network,
    NetworkProblem,
    Phase,
    Quantity,
    Training,
    loss_and_gradients,
    random_parameters,
    train,
)
from tutor.engine.batch import dataset_loss
from tutor.engine.network_graph import gradient_parameters
from tutor.engine.notation import to_unicode
from tutor.engine.training import apply_update, batches

from .networks import assert_parameters_close

NETWORK = Network(2, (Layer(3, Activation("tanh")), Layer(1)), Loss())
ROWS = 5


def data(rows: int = ROWS) -> Dataset:
    rng = np.random.default_rng(7)
    x = rng.uniform(-1, 1, size=(rows, 2))
    return Dataset(x, (x[:, :1] - 0.5 * x[:, 1:]))


def rows_of(training: Training, updates: int, samples: int = ROWS) -> list[list[int]]:
    return [r.tolist() for r in batches(training, samples, updates)]


def test_batch_gradient_descent_uses_every_row_every_time() -> None:
    assert rows_of(Training(method=Method.BATCH), 3) == [[0, 1, 2, 3, 4]] * 3


def test_sgd_without_shuffle_cycles_in_order() -> None:
    assert rows_of(Training(method=Method.SGD), 7) == [[0], [1], [2], [3], [4], [0], [1]]


def test_minibatches_end_each_epoch_with_a_partial_batch() -> None:
    training = Training(method=Method.MINIBATCH, batch_size=2)
    assert rows_of(training, 6) == [[0, 1], [2, 3], [4], [0, 1], [2, 3], [4]]


def test_minibatch_larger_than_the_data_is_the_whole_batch() -> None:
    assert rows_of(Training(method=Method.MINIBATCH, batch_size=99), 2) == [[0, 1, 2, 3, 4]] * 2


def test_seeded_shuffle_is_reproducible_and_depends_on_the_seed() -> None:
    def run(seed: int) -> list[list[int]]:
        return rows_of(Training(method=Method.MINIBATCH, batch_size=2, shuffle=True,
                                seed=seed), 9)

    assert run(3) == run(3)
    assert run(3) != run(4)
    for epoch in range(3):  # every epoch visits every row exactly once
        visited = [r for batch in run(3)[3 * epoch: 3 * epoch + 3] for r in batch]
        assert sorted(visited) == list(range(ROWS))
    assert [len(b) for b in run(3)] == [2, 2, 1] * 3


@pytest.mark.parametrize("training", [
    Training(learning_rate=0.2),
    Training(learning_rate=0.2, method=Method.SGD),
    Training(learning_rate=0.2, method=Method.SGD, shuffle=True, seed=11),
    Training(learning_rate=0.2, method=Method.MINIBATCH, batch_size=2, shuffle=True, seed=5),
], ids=["batch", "sgd", "sgd-shuffled", "minibatch-shuffled"])
def test_each_update_uses_its_batch_and_history_matches_the_dataset_loss(
        training: Training) -> None:
    params = random_parameters(NETWORK, seed=1)
    dataset = data()
    run = train(NETWORK, params, dataset, training, 8)
    assert run.diverged_at is None
    assert len(run.losses) == len(run.params) == 9
    expected = params
    for t, rows in enumerate(batches(training, ROWS, 8)):
        grads = loss_and_gradients(NETWORK, expected, dataset.subset(rows)).params
        expected = apply_update(expected, grads, training.learning_rate)
        assert_parameters_close(run.params[t + 1], expected, rtol=1e-13, atol=1e-15)
    for loss, point in zip(run.losses, run.params, strict=True):
        assert loss == dataset_loss(NETWORK, point, dataset)


def test_the_traced_update_is_the_first_training_update() -> None:
    training = Training(learning_rate=0.2, method=Method.MINIBATCH, batch_size=2, shuffle=True,
                        seed=5)
    problem = NetworkProblem(NETWORK, random_parameters(NETWORK, seed=1), data(), training)
    first = problem.train(1).params[1]
    trace = problem.trace(Granularity.NODE)
    samples = sorted({s.sample for s in trace if s.phase is Phase.FORWARD})
    assert samples == sorted(problem.first_batch().tolist())
    batch_loss = trace.find(Key(Quantity.VALUE, "loss", None))
    named = " + ".join(f"ℓ{'⁽' + '¹²³⁴⁵'[row] + '⁾'}" for row in problem.first_batch())
    assert named in to_unicode(batch_loss.formula), "samples keep their numbers in a batch"
    updates = {s.node: s.result for s in trace if s.phase is Phase.UPDATE}
    assert_parameters_close(gradient_parameters(NETWORK, updates), first, rtol=1e-12,
                            atol=1e-14)


def test_frozen_tensors_never_move() -> None:
    params = random_parameters(NETWORK, seed=2, scale=0.5)
    training = Training(learning_rate=0.3, method=Method.SGD, frozen=frozenset({"W1", "b2"}))
    run = train(NETWORK, params, data(), training, 10)
    for point in run.params:
        np.testing.assert_array_equal(point.weights[0], params.weights[0])
        np.testing.assert_array_equal(point.biases[1], params.biases[1])
    assert not np.array_equal(run.final.weights[1], params.weights[1])
    assert not np.array_equal(run.final.biases[0], params.biases[0])


def test_a_small_learning_rate_lowers_the_loss_at_every_batch_update() -> None:
    network = Network(2, (Layer(1),), Loss())  # linear regression: a convex bowl
    run = train(network, random_parameters(network, seed=0), data(), Training(0.05), 200)
    assert np.all(np.diff(run.losses) < 0)
    assert run.losses[-1] < 0.05 * run.losses[0]


def test_training_does_not_modify_its_inputs() -> None:
    params = random_parameters(NETWORK, seed=3)
    before = params.flat().copy()
    train(NETWORK, params, data(), Training(0.5), 3)
    np.testing.assert_array_equal(params.flat(), before)
    with pytest.raises(ValueError, match="read-only"):
        params.weights[0][0, 0] = 1.0
