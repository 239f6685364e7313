"""The same gradient-descent run written three other ways, to time the engine against.

Each reference trains a :class:`NetworkProblem`'s network on its data with its training
settings for ``updates`` updates and returns the final weights and biases, so the run can be
checked to agree with the engine before its time means anything.

* ``NumpyFloor``: a minimal hand-written NumPy loop, mutable arrays updated in place — the
  least any NumPy implementation of the same maths can cost.
* ``MicrogradNet``: the scalar teaching engine (``micrograd.engine.Value``), one Python object
  per scalar, the way a student would build the network.
* ``TorchNet``: PyTorch on the CPU in float64 with autograd.

All three support squared-error losses (every bundled network uses one) and no frozen tensors.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from tutor.engine import NetworkProblem
from tutor.engine.network import LossKind
from tutor.engine.training import batches

Arrays = tuple[list[np.ndarray], list[np.ndarray | None]]


def unsupported(problem: NetworkProblem) -> str | None:
    """Why the references cannot run ``problem`` (None when they can)."""
    if problem.network.loss.kind is not LossKind.SQUARED_ERROR:
        return "the references implement the squared error only"
    if problem.training.frozen:
        return "the references do not freeze tensors"
    missing = {layer.activation.name for layer in problem.network.layers} - set(
        _NUMPY_ACTIVATIONS)
    if missing:
        return f"the references do not implement {', '.join(sorted(missing))}"
    return None


def _check_supported(problem: NetworkProblem) -> None:
    reason = unsupported(problem)
    if reason is not None:
        raise NotImplementedError(reason)


class _Run:
    """What every reference shares: the settings read once from the problem."""

    def __init__(self, problem: NetworkProblem) -> None:
        _check_supported(problem)
        self.problem = problem
        network = problem.network
        self.activations = [layer.activation.name for layer in network.layers]
        self.scale = network.loss.scale(network.output_size)
        self.mean = network.loss.mean_over_samples
        self.learning_rate = problem.training.learning_rate
        self.samples = len(problem.data)

    def rows(self, updates: int) -> list[np.ndarray]:
        return batches(self.problem.training, self.samples, updates)


# --------------------------------------------------------------------------- NumPy floor

def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


_NUMPY_ACTIVATIONS: dict[str, tuple[Callable, Callable | None]] = {
    # name: (function, derivative written in terms of the function's output)
    "identity": (lambda z: z, None),
    "tanh": (np.tanh, lambda h: 1.0 - h * h),
    "sigmoid": (_sigmoid, lambda h: h * (1.0 - h)),
    "relu": (lambda z: np.maximum(z, 0.0), lambda h: (h > 0).astype(float)),
}


class NumpyFloor(_Run):
    """Forward on the whole dataset (its loss is the history), backward on the batch rows."""

    def run(self, updates: int) -> Arrays:
        params = self.problem.params
        weights = [w.copy() for w in params.weights]
        biases = [None if b is None else b.copy() for b in params.biases]
        functions = [_NUMPY_ACTIVATIONS[name] for name in self.activations]
        x, y = self.problem.data.inputs, self.problem.data.targets
        losses = []
        acts = self._forward(x, weights, biases, functions)
        losses.append(self._loss(acts[-1], y))
        for rows in self.rows(updates):
            full = len(rows) == self.samples
            batch = acts if full else [a[rows] for a in acts]
            weight = 1.0 / len(rows) if self.mean else 1.0
            delta = (2.0 * self.scale * weight) * (batch[-1] - (y if full else y[rows]))
            for index in range(len(weights) - 1, -1, -1):
                derivative = functions[index][1]
                if derivative is not None:
                    delta *= derivative(batch[index + 1])
                grad_w = delta.T @ batch[index]
                grad_b = delta.sum(axis=0)
                if index:
                    delta = delta @ weights[index]
                weights[index] -= self.learning_rate * grad_w
                if biases[index] is not None:
                    biases[index] -= self.learning_rate * grad_b
            acts = self._forward(x, weights, biases, functions)
            losses.append(self._loss(acts[-1], y))
        return weights, biases

    @staticmethod
    def _forward(x, weights, biases, functions) -> list[np.ndarray]:
        acts = [x]
        for w, b, (function, _) in zip(weights, biases, functions, strict=True):
            z = acts[-1] @ w.T
            if b is not None:
                z += b
            acts.append(function(z))
        return acts

    def _loss(self, output: np.ndarray, y: np.ndarray) -> float:
        total = self.scale * float(np.sum((output - y) ** 2))
        return total / len(y) if self.mean else total


# --------------------------------------------------------------------------- micrograd

def _micrograd_activation(name: str, value):
    """micrograd ships ReLU only; tanh and the sigmoid are added the way its ops are written:
    the forward rule and the local derivative side by side."""
    from micrograd.engine import Value

    if name == "identity":
        return value
    if name == "relu":
        return value.relu()
    if name == "tanh":
        t = math.tanh(value.data)
        out = Value(t, (value,), "tanh")

        def _backward() -> None:
            value.grad += (1.0 - t * t) * out.grad
    elif name == "sigmoid":
        s = 1.0 / (1.0 + math.exp(-value.data))
        out = Value(s, (value,), "σ")

        def _backward() -> None:
            value.grad += s * (1.0 - s) * out.grad
    else:
        raise NotImplementedError(name)
    out._backward = _backward
    return out


class MicrogradNet(_Run):
    """One ``Value`` per weight, rebuilt graph per update, exactly as micrograd's demo does."""

    def __init__(self, problem: NetworkProblem) -> None:
        super().__init__(problem)
        from micrograd.engine import Value

        self.Value = Value

    def run(self, updates: int, rows: list[np.ndarray] | None = None) -> Arrays:
        V = self.Value
        params = self.problem.params
        weights = [[[V(float(w)) for w in row] for row in matrix] for matrix in params.weights]
        biases = [None if b is None else [V(float(v)) for v in b] for b in params.biases]
        every = [v for m in weights for row in m for v in row]
        every += [v for b in biases if b is not None for v in b]
        x = self.problem.data.inputs.tolist()
        y = self.problem.data.targets.tolist()
        for batch in rows if rows is not None else self.rows(updates):
            for value in every:
                value.grad = 0.0
            weight = 1.0 / len(batch) if self.mean else 1.0
            loss = sum((self._sample_loss(x[r], y[r], weights, biases) for r in batch), V(0.0))
            loss = loss * weight
            loss.backward()
            for value in every:
                value.data -= self.learning_rate * value.grad
        return ([np.array([[v.data for v in row] for row in m]) for m in weights],
                [None if b is None else np.array([v.data for v in b]) for b in biases])

    def _sample_loss(self, x, y, weights, biases):
        h = x
        for matrix, bias, name in zip(weights, biases, self.activations, strict=True):
            h = [_micrograd_activation(name, sum((w * v for w, v in zip(row, h, strict=True)),
                                                 bias[j] if bias is not None else 0.0))
                 for j, row in enumerate(matrix)]
        return self.scale * sum(((out - target) ** 2 for out, target in zip(h, y, strict=True)),
                                self.Value(0.0))


# --------------------------------------------------------------------------- PyTorch

def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except (ImportError, OSError):  # a half-installed torch fails loading its libraries
        return False
    return True


class TorchNet(_Run):
    """float64 tensors with ``requires_grad``; the update under ``no_grad``."""

    def __init__(self, problem: NetworkProblem) -> None:
        super().__init__(problem)
        import torch

        self.torch = torch
        self.functions = {"identity": lambda z: z, "tanh": torch.tanh,
                          "sigmoid": torch.sigmoid, "relu": torch.relu}

    def run(self, updates: int) -> Arrays:
        torch = self.torch
        params = self.problem.params
        weights = [torch.tensor(w, dtype=torch.float64, requires_grad=True)
                   for w in params.weights]
        biases = [None if b is None else torch.tensor(b, dtype=torch.float64, requires_grad=True)
                  for b in params.biases]
        tensors = [t for t in (*weights, *biases) if t is not None]
        functions = [self.functions[name] for name in self.activations]
        x = torch.tensor(self.problem.data.inputs, dtype=torch.float64)
        y = torch.tensor(self.problem.data.targets, dtype=torch.float64)
        history = []
        for rows in self.rows(updates):
            h = x
            for w, b, function in zip(weights, biases, functions, strict=True):
                h = function(h @ w.T + b if b is not None else h @ w.T)
            losses = self.scale * ((h - y) ** 2).sum(dim=1)
            history.append(losses.detach().mean())
            batch = losses if len(rows) == self.samples else losses[torch.as_tensor(rows)]
            loss = batch.mean() if self.mean else batch.sum()
            loss.backward()
            with torch.no_grad():
                for t in tensors:
                    t -= self.learning_rate * t.grad
                    t.grad = None
        return ([w.detach().numpy() for w in weights],
                [None if b is None else b.detach().numpy() for b in biases])
