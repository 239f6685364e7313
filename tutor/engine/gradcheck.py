"""Numerical gradient check by central differences, with its cost.

Sheet 001 asks how analytic (backprop) and numeric derivatives compare: the numeric check
needs two forward passes per parameter, backprop one forward and one backward pass in all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .batch import dataset_loss, loss_and_gradients
from .ids import bias_tensor, weight_tensor
from .network import Dataset, Network, Parameters


@dataclass(frozen=True)
class GradientCheck:
    analytic: np.ndarray  # flat, in Parameters.tensors() order
    numeric: np.ndarray
    max_abs_error: float
    max_rel_error: float
    forward_passes: int  # what the numeric gradient cost
    backward_passes: int = 1  # what backprop cost (plus one forward pass)

    def summary(self) -> str:
        return (f"largest difference {self.max_abs_error:.3g} (relative {self.max_rel_error:.3g}); "
                f"numeric: {self.forward_passes} forward passes, backprop: 1 forward + "
                f"{self.backward_passes} backward pass")


def unflatten(template: Parameters, flat: np.ndarray) -> Parameters:
    """Inverse of Parameters.flat()."""
    tensors = template.tensors()
    out: dict[str, np.ndarray] = {}
    offset = 0
    for name, tensor in tensors.items():
        out[name] = flat[offset:offset + tensor.size].reshape(tensor.shape)
        offset += tensor.size
    layers = len(template.weights)
    return Parameters(tuple(out[weight_tensor(n)] for n in range(layers)),
                      tuple(out.get(bias_tensor(n)) for n in range(layers)))


def check_gradients(network: Network, params: Parameters, data: Dataset,
                    epsilon: float = 1e-6) -> GradientCheck:
    """Compare backprop's gradient with central differences (L(θ+ε) − L(θ−ε)) / 2ε."""
    analytic = loss_and_gradients(network, params, data).params.flat()
    theta = params.flat().copy()
    numeric = np.empty_like(theta)
    for k in range(theta.size):
        saved = theta[k]
        theta[k] = saved + epsilon
        plus = dataset_loss(network, unflatten(params, theta.copy()), data)
        theta[k] = saved - epsilon
        minus = dataset_loss(network, unflatten(params, theta.copy()), data)
        theta[k] = saved
        numeric[k] = (plus - minus) / (2 * epsilon)
    diff = np.abs(analytic - numeric)
    scale = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), 1e-8)
    return GradientCheck(analytic, numeric, float(diff.max(initial=0.0)),
                         float((diff / scale).max(initial=0.0)), forward_passes=2 * theta.size)
