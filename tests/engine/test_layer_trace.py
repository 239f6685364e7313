"""Layer-granularity steps: prose explanations, and per-sample gradients that the batch
average combines exactly."""

from __future__ import annotations

import numpy as np
import pytest

from tutor.engine import (
    Activation,
    BiasMode,
    Dataset,
    Layer,
    LayerNotation,
    Network,
    NetworkProblem,
    Parameters,
    Phase,
    Quantity,
)

from .networks import BIAS_STYLES, random_case


def test_explanations_show_symbols_not_markup() -> None:
    hidden = Layer(2, Activation("relu"), BiasMode.SEPARATE,
                   LayerNotation(pre_vector="z^{(1)}", act_vector="h^{(1)}"))
    network = Network(2, (hidden, Layer(1, Activation())))
    params = Parameters.of([[[2, 1], [0, 2]], [[1, 2]]], [[0, 0], [0]])
    problem = NetworkProblem(network, params, Dataset(np.array([[1.0, 2.0]]),
                                                      np.array([[3.0]])))
    texts = [step.explanation for step in problem.trace("layer")]
    assert any("the cached ∂ℓ/∂z⁽¹⁾:" in text for text in texts)
    assert not any("\\" in text or "{" in text for text in texts)


@pytest.mark.parametrize("style", sorted(BIAS_STYLES))
@pytest.mark.parametrize("samples", [1, 3, 5])
def test_weight_gradients_are_outer_products_and_the_average_is_their_mean(style, samples):
    mode, notation = BIAS_STYLES[style]
    network = Network(3, (Layer(4, Activation("tanh"), mode, notation),
                          Layer(1, Activation(), mode, notation)))
    case = random_case(network, 7, samples)
    trace = case.problem().trace("layer")
    for name in ("W1", "W2"):
        per_sample = [s for s in trace if s.phase is Phase.GRADIENT and s.node == name]
        assert len(per_sample) == samples
        for row, step in enumerate(per_sample):
            delta = trace.find(step.reads[0]).result
            below = trace.find(step.reads[1])  # None for the input x: not a step
            inp = case.data.inputs[row] if below is None else below.result
            if mode is BiasMode.FOLDED:
                inp = np.append(inp, 1.0) if notation.intercept_last else np.insert(inp, 0, 1.0)
            outer = np.outer(delta, inp)
            expected = outer.T if notation.transposed else outer
            assert np.array_equal(step.result, expected)
            assert step.shape == expected.shape and not step.result.flags.writeable
        average = [s for s in trace if s.phase is Phase.AVERAGE and s.node == name]
        if samples == 1:
            assert not average
            continue
        parts = [s.result for s in per_sample]
        assert np.array_equal(average[0].result, np.mean(parts, axis=0))  # bit for bit
        assert average[0].reads == tuple(s.key for s in per_sample)
        assert average[0].key.quantity is Quantity.ADJOINT


@pytest.mark.parametrize("granularity, pauses", [("layer", 5), ("node", 0)])
def test_a_trace_in_parts_pauses_after_each_sample_and_ends_with_the_same_trace(
        granularity, pauses) -> None:
    """A window traces a large network between events: a layer trace pauses once per sample
    (a node trace, only ever of small networks, at once) and returns the trace whole."""
    case = random_case(Network(3, (Layer(4, Activation("tanh")), Layer(2))), seed=8, samples=5)
    problem = NetworkProblem(case.network, case.params, case.data)
    parts = problem.trace_in_parts(granularity)
    count, outside = 0, np.geterr()
    while True:
        try:
            next(parts)
            count += 1
            assert np.geterr() == outside  # overflow is quiet inside a part, not between
        except StopIteration as done:
            in_parts = done.value
            break
    whole = problem.trace(granularity)
    assert count == pauses
    assert [s.line() for s in in_parts] == [s.line() for s in whole]
    assert [s.key for s in in_parts] == [s.key for s in whole] and len(whole) > 20
