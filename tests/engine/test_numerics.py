"""Extreme inputs: activations and losses stay finite and right; divergence is reported."""

import math

import numpy as np
import pytest

from tutor.engine import (
    Activation,
    Dataset,
    Granularity,
    Layer,
    Loss,
    LossKind,
    Network,
    NetworkProblem,
    Parameters,
    Phase,
    Training,
    train,
)
from tutor.engine.batch import dataset_loss
from tutor.engine.losses import BinaryCrossEntropy, output_adjoint, sample_losses

HUGE = (1e4, -1e4, 1e308, -1e308)


@pytest.mark.parametrize("z", HUGE)
def test_sigmoid_saturates_without_overflow(z: float) -> None:
    sigmoid = Activation("sigmoid")
    value = float(sigmoid(z))
    assert value == (1.0 if z > 0 else 0.0)
    assert float(sigmoid.derivative(z, value)) == 0.0


@pytest.mark.parametrize(("z", "expected"), [(0.0, 0.5), (2.0, 1 / (1 + math.exp(-2.0))),
                                             (-30.0, math.exp(-30.0) / (1 + math.exp(-30.0)))])
def test_sigmoid_is_accurate_in_the_tails(z: float, expected: float) -> None:
    assert float(Activation("sigmoid")(z)) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("z", HUGE)
def test_softplus_is_finite_and_tends_to_relu(z: float) -> None:
    softplus = Activation("softplus")
    assert float(softplus(z)) == max(z, 0.0)
    assert float(softplus.derivative(z, softplus(z))) == (1.0 if z > 0 else 0.0)


def test_softplus_near_zero() -> None:
    assert float(Activation("softplus")(0.0)) == pytest.approx(math.log(2.0), rel=1e-15)
    assert float(Activation("softplus")(-40.0)) == pytest.approx(math.exp(-40.0), rel=1e-12)


@pytest.mark.parametrize("z", HUGE)
def test_tanh_saturates(z: float) -> None:
    tanh = Activation("tanh")
    assert float(tanh(z)) == math.copysign(1.0, z)
    assert float(tanh.derivative(z, tanh(z))) == 0.0


def test_relu_derivative_at_the_kink_is_zero_by_convention() -> None:
    assert float(Activation("relu").derivative(0.0, 0.0)) == 0.0
    assert float(Activation("relu").derivative(1e-300, 1e-300)) == 1.0
    leaky = Activation("leaky_relu", slope=0.2)
    assert float(leaky.derivative(0.0, 0.0)) == 0.2  # the z ≤ 0 slope, like ReLU's 0
    assert float(leaky(-5.0)) == pytest.approx(-1.0)


@pytest.mark.parametrize(("output", "target"), [(0.0, 1.0), (1.0, 0.0), (0.0, 0.0),
                                                (1.0, 1.0)])
def test_binary_cross_entropy_is_finite_at_zero_and_one(output: float, target: float) -> None:
    network = Network(1, (Layer(1, Activation("sigmoid")),),
                      Loss(LossKind.BINARY_CROSS_ENTROPY, half=False))
    outputs, targets = np.array([[output]]), np.array([[target]])
    loss = sample_losses(network, outputs, targets)[0]
    grad = output_adjoint(network, outputs, targets)[0, 0]
    scalar = BinaryCrossEntropy(1.0)
    assert math.isfinite(loss) and math.isfinite(grad)
    assert scalar.forward([output, target]) == pytest.approx(loss, rel=1e-12, abs=1e-12)
    assert scalar.partial(0, [output, target], loss) == pytest.approx(grad, rel=1e-12)
    if output == target:
        assert loss == pytest.approx(0.0, abs=1e-11)
    else:
        assert loss == pytest.approx(-math.log(1e-12), rel=1e-5)  # clipped at ε = 1e-12
        assert np.sign(grad) == np.sign(output - target)


def test_saturated_network_traces_finite_numbers() -> None:
    network = Network(2, (Layer(1, Activation("sigmoid")),), Loss(LossKind.BINARY_CROSS_ENTROPY))
    params = Parameters.of([[[1e4, 1e4]]], [[0.0]])
    problem = NetworkProblem(network, params, Dataset([[1.0, 1.0]], [[0.0]]), Training(0.1))
    for granularity in Granularity:
        for step in problem.trace(granularity):
            assert np.all(np.isfinite(step.result)), step.line()


def diverging_problem() -> NetworkProblem:
    network = Network(1, (Layer(1, Activation("tanh")), Layer(1)), Loss())
    params = Parameters.of([[[1.0]], [[1.0]]], [[0.0], [0.0]])
    data = Dataset([[10.0], [20.0]], [[1.0], [2.0]])
    return NetworkProblem(network, params, data, Training(learning_rate=1e300))


def test_training_stops_at_the_first_non_finite_update() -> None:
    network = Network(1, (Layer(1),), Loss())
    params = Parameters.of([[[1.0]]], [[0.0]])
    data = Dataset([[10.0], [20.0]], [[1.0], [2.0]])
    run = train(network, params, data, Training(learning_rate=10.0), 1000)
    assert run.diverged_at is not None and run.diverged_at < 1000
    # losses[t] is the loss after t updates; update number diverged_at was the bad one
    assert len(run.losses) == len(run.params) == run.diverged_at
    assert np.all(np.isfinite(run.losses))
    assert all(np.all(np.isfinite(p.flat())) for p in run.params)
    assert np.all(np.diff(run.losses) > 0), "a learning rate this large only climbs"


def test_training_reports_a_first_update_that_overflows() -> None:
    problem = diverging_problem()
    run = problem.train(5)
    assert run.diverged_at == 1
    assert len(run.losses) == 1
    np.testing.assert_array_equal(run.final.flat(), problem.params.flat())


@pytest.mark.parametrize("granularity", list(Granularity))
def test_a_diverging_update_is_traced_not_raised(granularity: Granularity) -> None:
    trace = diverging_problem().trace(granularity)
    last = trace[-1]
    assert last.phase is Phase.EVALUATE
    assert math.isinf(last.result) or math.isnan(last.result)
    assert "∞" in last.line() or "NaN" in last.line()


def test_overflowing_sums_give_infinity_like_the_fast_path() -> None:
    network = Network(1, (Layer(1),), Loss())
    params = Parameters.of([[[1e200]]], [[0.0]])
    data = Dataset([[1e200]], [[1.0]])
    trace = NetworkProblem(network, params, data, Training(0.1)).trace()
    with np.errstate(over="ignore"):
        expected = dataset_loss(network, params, data)
    assert trace.value("loss") == expected == math.inf
