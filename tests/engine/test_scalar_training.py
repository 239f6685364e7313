"""The loop over Python floats and the matrix loop are one training run.

They cannot agree bit for bit (BLAS sums in its own order and may fuse a multiply-add), so
losses and parameters agree to 1e-9 relative over 20 updates, with the same length and the
same update of divergence.  :func:`train` gives a network always the same loop, so a run in
chunks stays bit for bit the single run on either.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tutor.engine import (
    Activation,
    Dataset,
    Layer,
    Loss,
    LossKind,
    Method,
    Network,
    Parameters,
    Training,
    TrainingRun,
    random_parameters,
    train,
)
from tutor.engine.history import ParameterHistory
from tutor.engine.training import (
    batch_schedule,
    floats_are_faster,
    train_floats,
    train_matrices,
)

from .networks import ACTIVATIONS, Case, cases

# the loops differ by an ulp or so per operation; twenty updates amplify that by the update
# map's sensitivity (2.4e-11 was seen on a four-unit network whose loss did not explode), and
# a parameter near zero takes its error from the larger numbers it was computed from, so the
# error is measured against the largest number compared
AGREE = 1e-9


def assert_agree(ours: np.ndarray, theirs: np.ndarray) -> None:
    scale = float(np.max(np.abs(theirs), initial=0.0))
    np.testing.assert_allclose(ours, theirs, rtol=AGREE, atol=AGREE * scale)


def both_loops(case: Case, training: Training, updates: int, stride: int = 1,
               first: int = 0) -> tuple[TrainingRun, TrainingRun]:
    """(floats, matrices): the same run on each loop."""
    return tuple(loop(case.network, case.params, case.data, training, updates,
                      batch_schedule(training, len(case.data)), stride, first)
                 for loop in (train_floats, train_matrices))


def assert_same_run(floats: TrainingRun, matrices: TrainingRun) -> None:
    assert floats.diverged_at == matrices.diverged_at
    assert len(floats.losses) == len(matrices.losses)
    # a loss that is not finite may be inf on one loop and NaN on the other (inf − inf in
    # another order): only the first loss can be, before a run that then stops at once
    finite = np.isfinite(matrices.losses)
    np.testing.assert_array_equal(np.isfinite(floats.losses), finite)
    assert_agree(floats.losses[finite], matrices.losses[finite])
    np.testing.assert_array_equal(floats.params.kept(), matrices.params.kept())
    assert_agree(floats.params.rows(), matrices.params.rows())


@st.composite
def trainings(draw, case: Case, learning_rate: float = 0.1) -> Training:
    names = sorted(case.params.tensors())
    return Training(
        learning_rate=learning_rate,
        method=draw(st.sampled_from(list(Method))),
        batch_size=draw(st.integers(1, 4)),
        shuffle=draw(st.booleans()),
        seed=draw(st.integers(0, 99)),
        frozen=frozenset(draw(st.lists(st.sampled_from(names), max_size=2))),
    )


@settings(max_examples=150)
@given(st.data())
def test_the_float_and_matrix_loops_agree(data: st.DataObject) -> None:
    case = data.draw(cases())
    training = data.draw(trainings(case))
    floats, matrices = both_loops(case, training, 20)
    # a loss that explodes multiplies the rounding differences of every update with it:
    # diverging runs have their own test below
    assume(np.all(matrices.losses < 1e3 * (1.0 + matrices.losses[0])))
    assert_same_run(floats, matrices)
    for point in floats.params:  # exactly, not approximately
        for name in training.frozen:
            np.testing.assert_array_equal(point.tensors()[name], case.params.tensors()[name])


@settings(max_examples=40)
@given(st.data())
def test_the_loops_keep_the_same_updates(data: st.DataObject) -> None:
    case = data.draw(cases(max_depth=2))
    training = data.draw(trainings(case))
    stride, first = data.draw(st.integers(1, 5)), data.draw(st.integers(0, 7))
    floats, matrices = both_loops(case, training, data.draw(st.integers(0, 13)), stride, first)
    assert_same_run(floats, matrices)
    kept = floats.params.kept()
    assert kept[0] == 0 and kept[-1] == len(floats.losses) - 1
    assert all((first + t) % stride == 0 for t in kept[1:-1])


@settings(max_examples=60)
@given(cases(activations=("identity", "relu", "leaky_relu")))
def test_a_clearly_diverging_run_stops_at_the_same_update(case: Case) -> None:
    assume(case.network.loss.kind is LossKind.SQUARED_ERROR)
    floats, matrices = both_loops(case, Training(1e3), 200)
    assume(matrices.diverged_at is not None)
    assume(np.all(np.diff(matrices.losses) > 0))  # growing from the first update on
    assert floats.diverged_at == matrices.diverged_at
    assert len(floats.losses) == len(matrices.losses) == floats.diverged_at
    np.testing.assert_allclose(floats.losses, matrices.losses, rtol=1e-9)


@pytest.mark.parametrize("kind", list(LossKind))
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_overflow_is_a_divergence_not_an_exception(activation: str, kind: LossKind) -> None:
    """math.exp and x ** 2 raise OverflowError where NumPy gives inf: the float loop must end
    (or go on with) the run as the matrix loop does.

    z = −3e80 is far beyond the exponent's range, the output −3e160 squares to inf, and a
    learning rate of 1e300 sends the parameters out of range.  One unit per layer and one
    sample: a sum of two infinities of opposite sign is NaN in one order and ±inf with a
    fused multiply-add, which no two loops can be asked to agree on.
    """
    output = "sigmoid" if kind is LossKind.BINARY_CROSS_ENTROPY else "identity"
    network = Network(1, (Layer(1, Activation(activation)), Layer(1, Activation(output))),
                      Loss(kind, half=False))
    params = Parameters.of([[[-1e80]], [[1e80]]], [[0.0], [0.0]])
    case = Case(network, params, Dataset([[3.0]], [[1.0]]))
    for learning_rate in (1e-3, 1e300):
        floats, matrices = both_loops(case, Training(learning_rate), 5)
        assert_same_run(floats, matrices)


def test_weights_that_overflow_under_a_finite_loss_stop_both_loops() -> None:
    """A ReLU unit whose weight goes to −∞ outputs 0: only the parameters show the
    divergence (the matrix loop checks them once at the end for a network this small, the
    float loop after every update)."""
    network = Network(1, (Layer(1, Activation("relu")), Layer(1)), Loss())
    params = Parameters.of([[[1.0]], [[1.0]]], [[0.0], [0.0]])
    case = Case(network, params, Dataset([[1.0]], [[-1.0]]))
    for run in both_loops(case, Training(1e308, frozen=frozenset({"W2", "b2"})), 5):
        assert run.diverged_at == 1
        assert run.losses.tolist() == [2.0]
        np.testing.assert_array_equal(run.params.rows(), [params.flat()])


def test_the_seed_sized_networks_take_the_float_loop_and_larger_ones_the_matrices() -> None:
    batch, sgd = Training(), Training(method=Method.SGD)
    assert floats_are_faster(9, 1, batch)  # a seed network on its sample
    assert floats_are_faster(9, 2, sgd)
    assert not floats_are_faster(9, 0, batch)  # no samples: nothing to gain, NaN losses
    assert not floats_are_faster(22, 12, batch)  # a curve fitted to a dozen points
    assert not floats_are_faster(784 * 128 + 128 * 10 + 138, 64, batch)


NETWORK = Network(2, (Layer(2, Activation("sigmoid")), Layer(1)), Loss())
DATA = Dataset([[0.5, -1.0], [1.5, 0.25]], [[0.3], [-0.2]])


@pytest.mark.parametrize("training", [Training(0.5), Training(0.5, Method.SGD, shuffle=True,
                                                                seed=3)], ids=["batch", "sgd"])
def test_chunks_on_the_float_loop_give_the_single_run(training: Training) -> None:
    params = random_parameters(NETWORK, seed=2)
    assert floats_are_faster(params.flat().size, len(DATA), training)
    whole = train(NETWORK, params, DATA, training, 17, keep=3)
    schedule = batch_schedule(training, len(DATA))
    losses, history = [], ParameterHistory.single(params)
    for size in (1, 3, 1, 7, 5):
        before = len(losses) - 1 if losses else 0
        run = train(NETWORK, history.final, DATA, training, size, schedule, keep=3,
                    first=before)
        if before % 3:
            history = history.upto(before - 1)
        history = history.then(run.params, before)
        losses.extend(run.losses[0 if not losses else 1:])
    assert losses == whole.losses.tolist()  # exact, not approximate
    np.testing.assert_array_equal(history.kept(), whole.params.kept())
    np.testing.assert_array_equal(history.rows(), whole.params.rows())


def test_the_float_loop_reads_the_rows_of_the_schedule_it_is_given() -> None:
    training = Training(0.5, Method.SGD)
    params = random_parameters(NETWORK, seed=2)
    schedule = batch_schedule(training, len(DATA))
    next(schedule)  # the first update's row, [0], was used elsewhere
    started_late = train(NETWORK, params, DATA, training, 1, schedule)
    on_row_1 = train(NETWORK, params, Dataset(DATA.inputs[1:], DATA.targets[1:]),
                     Training(0.5), 1)
    np.testing.assert_array_equal(started_late.final.flat(), on_row_1.final.flat())
    assert next(schedule).tolist() == [0]  # the run took the second, [1]
