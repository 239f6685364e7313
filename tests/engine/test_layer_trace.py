"""Layer-granularity explanations are prose with rendered symbols, never raw markup."""

from __future__ import annotations

import numpy as np

from tutor.engine import (
    Activation,
    BiasMode,
    Dataset,
    Layer,
    LayerNotation,
    Network,
    NetworkProblem,
    Parameters,
)


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
