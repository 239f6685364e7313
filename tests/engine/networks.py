"""Random networks for property tests, and an independent pure-Python reference model.

The reference forward pass is written with plain loops and ``math`` so that finite
differences taken through it do not share code with the engine's vectorised or scalar paths.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from tutor.engine import (
    Activation,
    BiasMode,
    Dataset,
    Layer,
    LayerNotation,
    Loss,
    LossKind,
    Network,
    NetworkProblem,
    Parameters,
    Residual,
    Training,
)
from tutor.engine.ids import bias_id, bias_tensor, weight_id, weight_tensor
from tutor.engine.sheet_layout import split_display_matrix

ACTIVATIONS = ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "softplus")
KINKED = ("relu", "leaky_relu")

# (bias mode, notation) pairs: every way the sheets show a bias
BIAS_STYLES = {
    "separate": (BiasMode.SEPARATE, LayerNotation()),
    "folded_first": (BiasMode.FOLDED, LayerNotation()),
    "folded_last": (BiasMode.FOLDED, LayerNotation(intercept_last=True)),
    "transposed_folded": (BiasMode.FOLDED, LayerNotation(transposed=True)),
    "transposed_separate": (BiasMode.SEPARATE, LayerNotation(transposed=True)),
    "none": (BiasMode.NONE, LayerNotation()),
}


@dataclass(frozen=True)
class Case:
    network: Network
    params: Parameters
    data: Dataset

    def problem(self, learning_rate: float = 0.1, **training) -> NetworkProblem:
        return NetworkProblem(self.network, self.params, self.data,
                              Training(learning_rate=learning_rate, **training))


@st.composite
def losses(draw) -> Loss:
    if draw(st.booleans()) and draw(st.booleans()):  # a quarter of the cases
        return Loss(LossKind.BINARY_CROSS_ENTROPY, half=False,
                    mean_over_outputs=draw(st.booleans()),
                    mean_over_samples=draw(st.booleans()))
    return Loss(LossKind.SQUARED_ERROR, half=draw(st.booleans()),
                mean_over_outputs=draw(st.booleans()), mean_over_samples=draw(st.booleans()),
                residual=draw(st.sampled_from(list(Residual))))


@st.composite
def layers(draw, depth: int, loss: Loss, activations=ACTIVATIONS) -> tuple[Layer, ...]:
    out: list[Layer] = []
    for n in range(depth):
        name = draw(st.sampled_from(activations))
        if n == depth - 1 and loss.kind is LossKind.BINARY_CROSS_ENTROPY:
            name = "sigmoid"
        slope = draw(st.floats(0.01, 0.5)) if name == "leaky_relu" else 0.01
        mode, notation = BIAS_STYLES[draw(st.sampled_from(sorted(BIAS_STYLES)))]
        out.append(Layer(draw(st.integers(1, 4)), Activation(name, slope), mode, notation))
    return tuple(out)


def random_case(network: Network, seed: int, samples: int) -> Case:
    """Weights of moderate size, non-zero biases, inputs in [−2, 2], fitting targets."""
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for fan_in, layer in zip(network.sizes, network.layers, strict=False):
        weights.append(rng.normal(0.0, 1.2 / math.sqrt(fan_in), size=(layer.size, fan_in)))
        biases.append(None if layer.bias is BiasMode.NONE
                      else rng.normal(0.0, 0.5, size=layer.size))
    inputs = rng.uniform(-2.0, 2.0, size=(samples, network.input_size))
    if network.loss.kind is LossKind.BINARY_CROSS_ENTROPY:
        targets = rng.uniform(0.0, 1.0, size=(samples, network.output_size))
    else:
        targets = rng.uniform(-1.0, 1.0, size=(samples, network.output_size))
    return Case(network, Parameters.of(weights, biases), Dataset(inputs, targets))


@st.composite
def cases(draw, max_depth: int = 3, activations=ACTIVATIONS) -> Case:
    loss = draw(losses())
    depth = draw(st.integers(1, max_depth))
    network = Network(draw(st.integers(1, 3)), draw(layers(depth, loss, activations)), loss)
    return random_case(network, draw(st.integers(0, 2**32 - 1)), draw(st.integers(1, 4)))


# --------------------------------------------------------------------------- reference model

def _act(name: str, slope: float, z: float) -> float:
    if name == "sigmoid":
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
    if name == "tanh":
        return math.tanh(z)
    if name == "relu":
        return max(z, 0.0)
    if name == "leaky_relu":
        return z if z > 0 else slope * z
    if name == "softplus":
        return math.log1p(math.exp(-abs(z))) + max(z, 0.0)
    return z


def reference_pass(network: Network, weights: list[np.ndarray], biases: list,
                   x: np.ndarray) -> tuple[list[list[float]], list[float]]:
    """Every layer's pre-activations, and the output, with loops."""
    pres: list[list[float]] = []
    h = [float(v) for v in x]
    for layer, w, b in zip(network.layers, weights, biases, strict=True):
        z = [math.fsum([w[j][i] * h[i] for i in range(len(h))]
                       + ([b[j]] if b is not None else [])) for j in range(layer.size)]
        pres.append(z)
        h = [_act(layer.activation.name, layer.activation.slope, v) for v in z]
    return pres, h


def reference_loss(network: Network, weights: list[np.ndarray], biases: list,
                   data: Dataset) -> float:
    loss = network.loss
    per_sample = []
    for x, y in zip(data.inputs, data.targets, strict=True):
        _, out = reference_pass(network, weights, biases, x)
        if loss.kind is LossKind.BINARY_CROSS_ENTROPY:
            parts = [-(t * math.log(p) + (1 - t) * math.log(1 - p)) for p, t in zip(out, y,
                                                                                   strict=True)]
        else:
            parts = [(p - t) ** 2 * (0.5 if loss.half else 1.0) for p, t in zip(out, y,
                                                                                strict=True)]
        value = math.fsum(parts)
        per_sample.append(value / len(parts) if loss.mean_over_outputs else value)
    total = math.fsum(per_sample)
    return total / len(per_sample) if loss.mean_over_samples else total


def finite_difference(case: Case, step: float = 1e-5) -> Parameters:
    """Central differences of the reference loss for every weight and bias.

    The five-point stencil's error is O(step⁴), so a relative tolerance of 1e-6 holds even
    where the loss curves sharply (saturated sigmoids, BCE near 0 or 1).
    """
    weights = [np.array(w) for w in case.params.weights]
    biases = [None if b is None else np.array(b) for b in case.params.biases]

    def loss() -> float:
        return reference_loss(case.network, weights, biases, case.data)

    def slope(array: np.ndarray, index: tuple[int, ...]) -> float:
        saved = array[index]

        def at(offset: float) -> float:
            array[index] = saved + offset
            return loss()

        value = (8 * (at(step) - at(-step)) - (at(2 * step) - at(-2 * step))) / (12 * step)
        array[index] = saved
        return value

    grad_w = [np.array([[slope(w, (j, i)) for i in range(w.shape[1])] for j in range(w.shape[0])])
              for w in weights]
    grad_b = [None if b is None else np.array([slope(b, (j,)) for j in range(b.size)])
              for b in biases]
    return Parameters(tuple(grad_w), tuple(grad_b))


def away_from_kinks(case: Case, margin: float = 1e-3) -> bool:
    """No ReLU-type pre-activation within ``margin`` of 0, and no BCE output within ``margin``
    of 0 or 1 (where the reference model's log(1 − p) loses the digits a tight check needs)."""
    for x in case.data.inputs:
        pres, out = reference_pass(case.network, list(case.params.weights),
                                   list(case.params.biases), x)
        for layer, z in zip(case.network.layers, pres, strict=True):
            if layer.activation.name in KINKED and min(abs(v) for v in z) < margin:
                return False
        if (case.network.loss.kind is LossKind.BINARY_CROSS_ENTROPY
                and not all(margin < p < 1 - margin for p in out)):
            return False
    return True


# --------------------------------------------------------------------------- trace readers

def node_gradients(case: Case, trace) -> Parameters:
    """The batch gradient a node-granularity trace arrives at, shaped like the parameters."""
    def grad(node: str) -> float:
        step = trace.find(_gradient_key(node))
        assert step is not None, f"no gradient step for {node}"
        return float(step.result)

    weights, biases = [], []
    for n, (w, b) in enumerate(zip(case.params.weights, case.params.biases, strict=True)):
        weights.append(np.array([[grad(weight_id(n, j, i)) for i in range(w.shape[1])]
                                 for j in range(w.shape[0])]))
        biases.append(None if b is None else np.array([grad(bias_id(n, j))
                                                       for j in range(b.size)]))
    return Parameters(tuple(weights), tuple(biases))


def layer_gradients(case: Case, trace) -> Parameters:
    """The batch gradient a layer-granularity trace arrives at, shaped like the parameters."""
    weights, biases = [], []
    for n, layer in enumerate(case.network.layers):
        display = trace.find(_gradient_key(weight_tensor(n))).result
        w, b = split_display_matrix(layer, display)
        if layer.bias is BiasMode.SEPARATE:
            b = trace.find(_gradient_key(bias_tensor(n))).result
        weights.append(np.asarray(w))
        biases.append(None if layer.bias is BiasMode.NONE else np.asarray(b))
    return Parameters(tuple(weights), tuple(biases))


def _gradient_key(node: str):
    """The batch gradient's key: a single sample's GRADIENT step or a batch's AVERAGE step."""
    from tutor.engine import Key, Quantity

    return Key(Quantity.ADJOINT, node, None)


def assert_parameters_close(actual: Parameters, expected: Parameters, *, rtol: float,
                            atol: float) -> None:
    for name, value in expected.tensors().items():
        got = actual.tensors()[name]
        np.testing.assert_allclose(got, value, rtol=rtol, atol=atol, err_msg=name)
    assert set(actual.tensors()) == set(expected.tensors())
