"""Training stops at the first update whose parameters are not finite, even when the loss is.

A ReLU layer whose weights overflow to −∞ outputs 0, so the loss stays finite: only the
parameter check can see the divergence.  The smallest networks train on Python floats and
check after every update, small ones on matrices once over the whole history, large ones
after every update; all must report the same update.
"""

import numpy as np
import pytest

from tutor.engine import Activation, Dataset, Layer, Loss, Network, Parameters, Training, train
from tutor.engine.batch import dataset_loss
from tutor.engine.training import BULK_CHECK_LIMIT

FROZEN_OUTPUT = frozenset({"W2", "b2"})


def relu_network(width: int) -> tuple[Network, Parameters, Dataset]:
    network = Network(1, (Layer(width, Activation("relu")), Layer(1)), Loss())
    output_weights = np.zeros((1, width))
    output_weights[0, 0] = 1.0  # only the first hidden unit reaches the output
    params = Parameters.of([np.ones((width, 1)), output_weights], [np.zeros(width), [0.0]])
    return network, params, Dataset([[1.0]], [[-1.0]])


@pytest.mark.parametrize("width", [1, 8, BULK_CHECK_LIMIT],
                         ids=["float-loop", "checked-in-bulk", "checked-each-update"])
def test_overflowing_weights_stop_training_although_the_loss_is_finite(width: int) -> None:
    network, params, data = relu_network(width)
    run = train(network, params, data, Training(1e308, frozen=FROZEN_OUTPUT), 5)
    assert run.diverged_at == 1
    assert run.losses.tolist() == [2.0]  # ½(1 − (−1))², before the update
    assert len(run.params) == 1
    np.testing.assert_array_equal(run.final.flat(), params.flat())
    # the refused update sent the first unit's weight to −∞: the output 0, a finite loss ½
    first_layer = params.weights[0].copy()
    first_layer[0, 0] = -np.inf
    refused = Parameters((first_layer, params.weights[1]), params.biases)
    assert dataset_loss(network, refused, data) == 0.5


@pytest.mark.parametrize("width", [1, 8, BULK_CHECK_LIMIT])
def test_a_modest_learning_rate_on_the_same_network_never_diverges(width: int) -> None:
    network, params, data = relu_network(width)
    run = train(network, params, data, Training(0.1, frozen=FROZEN_OUTPUT), 5)
    assert run.diverged_at is None
    assert len(run.losses) == len(run.params) == 6
    assert np.all(np.isfinite(run.final.flat()))
    assert run.losses[-1] < run.losses[0]
