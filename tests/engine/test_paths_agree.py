"""The scalar node trace, the layer trace and the vectorised fast path are one computation.

Values, losses, gradients, updated parameters and the loss after the update agree to 1e-12.
"""

import numpy as np
import pytest
from hypothesis import given, settings

from tutor.engine import Granularity, Key, NetworkProblem, Phase, Quantity, Trace, Training
from tutor.engine.batch import dataset_loss
from tutor.engine.ids import act_tensor, input_id, pre_id, pre_tensor, weight_tensor
from tutor.engine.losses import sample_losses
from tutor.engine.network_graph import act_id, gradient_parameters
from tutor.engine.sheet_layout import display_matrix
from tutor.engine.training import apply_update

from .networks import Case, assert_parameters_close, cases, layer_gradients, node_gradients

TIGHT = {"rtol": 1e-12, "atol": 1e-12}


def sample_ids(case: Case) -> list[int | None]:
    return [None] if len(case.data) == 1 else list(range(len(case.data)))


def check_values(case: Case, problem: NetworkProblem, node: Trace, layer: Trace) -> None:
    fast = problem.gradients()
    per_sample = sample_losses(case.network, fast.cache.output, case.data.targets)
    for row, sample in enumerate(sample_ids(case)):
        for n, size in enumerate(case.network.sizes[1:]):
            pre = [node.value(pre_id(n, j), sample) for j in range(size)]
            act = [node.value(act_id(case.network, n, j), sample) for j in range(size)]
            np.testing.assert_allclose(pre, fast.cache.pre[n][row], **TIGHT)
            np.testing.assert_allclose(act, fast.cache.act[n + 1][row], **TIGHT)
            np.testing.assert_allclose(layer.value(pre_tensor(n), sample), pre, **TIGHT)
            if not case.network.layers[n].activation.is_identity:
                np.testing.assert_allclose(layer.value(act_tensor(n), sample), act, **TIGHT)
        for trace in (node, layer):
            assert trace.value("loss", sample) == pytest.approx(per_sample[row], **_approx())
    for trace in (node, layer):
        batch = trace.find(Key(Quantity.VALUE, "loss", None))
        assert batch.result == pytest.approx(fast.loss, **_approx())


def _approx() -> dict[str, float]:
    return {"rel": 1e-12, "abs": 1e-12}


def check_gradients_and_update(case: Case, problem: NetworkProblem, node: Trace,
                               layer: Trace) -> None:
    fast = problem.gradients()
    assert_parameters_close(node_gradients(case, node), fast.params, **TIGHT)
    assert_parameters_close(layer_gradients(case, layer), fast.params, **TIGHT)
    for sample in sample_ids(case):  # the per-sample gradients, before any averaging
        scalar = {s.node: s.result for s in node if s.phase is Phase.GRADIENT
                  and s.sample == sample}
        per_sample = gradient_parameters(case.network, scalar)
        for n, layer_spec in enumerate(case.network.layers):
            shown = layer.find(Key(Quantity.ADJOINT, weight_tensor(n), sample)).result
            expected = display_matrix(layer_spec, per_sample.weights[n], per_sample.biases[n])
            np.testing.assert_allclose(shown, expected, **TIGHT)
    eta = problem.training.learning_rate
    updated = apply_update(case.params, fast.params, eta)
    flat_updates = {s.node: s.result for s in node if s.phase is Phase.UPDATE}
    assert_parameters_close(gradient_parameters(case.network, flat_updates), updated, **TIGHT)
    for n, layer_spec in enumerate(case.network.layers):
        shown = layer.find(Key(Quantity.UPDATED, weight_tensor(n))).result
        expected = display_matrix(layer_spec, updated.weights[n], updated.biases[n])
        np.testing.assert_allclose(shown, expected, **TIGHT)
    after = dataset_loss(case.network, updated, case.data)
    for trace in (node, layer):
        assert trace[-1].phase is Phase.EVALUATE
        assert trace[-1].result == pytest.approx(after, **_approx())


def check_paths(case: Case) -> None:
    problem = case.problem(learning_rate=0.3)
    node, layer = problem.trace(Granularity.NODE), problem.trace(Granularity.LAYER)
    check_values(case, problem, node, layer)
    check_gradients_and_update(case, problem, node, layer)


@settings(max_examples=60)
@given(cases())
def test_node_layer_and_fast_paths_agree(case: Case) -> None:
    check_paths(case)


@pytest.mark.slow
@settings(max_examples=1000)
@given(cases())
def test_node_layer_and_fast_paths_agree_thoroughly(case: Case) -> None:
    check_paths(case)


@settings(max_examples=30)
@given(cases(max_depth=2))
def test_input_gradients_agree(case: Case) -> None:
    problem = NetworkProblem(case.network, case.params, case.data, Training(0.1),
                             input_gradients=True)
    fast = problem.gradients()
    node, layer = problem.trace(Granularity.NODE), problem.trace(Granularity.LAYER)
    weight = 1 / len(case.data) if case.network.loss.mean_over_samples else 1.0
    for row, sample in enumerate(sample_ids(case)):
        scalar = [node.adjoint(input_id(i), sample) for i in range(case.network.input_size)]
        np.testing.assert_allclose(np.multiply(scalar, weight), fast.inputs[row], **TIGHT)
        np.testing.assert_allclose(layer.adjoint("x", sample), scalar, **TIGHT)


@settings(max_examples=30)
@given(cases(max_depth=2))
def test_frozen_tensors_get_no_update_step_and_keep_their_values(case: Case) -> None:
    problem = case.problem(learning_rate=0.3, frozen=frozenset({"W1"}))
    node, layer = problem.trace(Granularity.NODE), problem.trace(Granularity.LAYER)
    assert not [s for s in node if s.phase is Phase.UPDATE and s.node.startswith("W1[")]
    assert layer.find(Key(Quantity.UPDATED, "W1")) is None
    fast = problem.gradients()
    updated = apply_update(case.params, fast.params, 0.3, frozenset({"W1"}))
    np.testing.assert_array_equal(updated.weights[0], case.params.weights[0])
    after = dataset_loss(case.network, updated, case.data)
    assert node[-1].result == pytest.approx(after, **_approx())
    assert layer[-1].result == pytest.approx(after, **_approx())
