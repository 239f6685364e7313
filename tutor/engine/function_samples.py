"""What a network computes, sampled for drawing: a curve f(x) or a grid f(x₁, x₂).

Pure functions over a :class:`NetworkProblem`; each makes one batched forward pass, so a
view can redraw them many times a second while training runs.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np

from .batch import forward
from .problem import NetworkProblem

PADDING = 0.1  # share of the data's span added on each side, so edge points are not clipped
FLAT_PADDING = 1.0  # half-width around a single value (one sample, or a constant column)
CURVE_POINTS = 200
GRID_POINTS = 64
SAMPLING_LIMIT = float(np.finfo(float).max) / 8  # the padded range and its pixels stay finite


class Shape(StrEnum):
    """How a network's function can be drawn."""

    CURVE = "curve"  # one input: y = f(x)
    GRID = "grid"  # two inputs: a heatmap over the input plane
    NONE = "none"  # three or more inputs: no picture


def shape(problem: NetworkProblem) -> Shape:
    inputs = problem.network.input_size
    return {1: Shape.CURVE, 2: Shape.GRID}.get(inputs, Shape.NONE)


def is_probability(problem: NetworkProblem) -> bool:
    """Whether every output lies in (0, 1): a sigmoid output layer, read as P(class 1)."""
    return problem.network.layers[-1].activation.name == "sigmoid"


def is_binary(targets: np.ndarray) -> bool:
    """Whether the targets are class labels 0 and 1 (drawn as two marker shapes)."""
    return bool(np.isin(targets, (0.0, 1.0)).all())


def sampling_range(values: np.ndarray, padding: float = PADDING) -> tuple[float, float]:
    """The data's range padded on both sides; a flat range is widened to ±FLAT_PADDING."""
    values = np.asarray(values, dtype=float)
    # clipped: inputs near the largest float (1e308) would pad the range to ±inf
    values = np.clip(values[np.isfinite(values)], -SAMPLING_LIMIT, SAMPLING_LIMIT)
    if not values.size:
        return -FLAT_PADDING, FLAT_PADDING
    low, high = float(values.min()), float(values.max())
    margin = (high - low) * padding if high > low else max(FLAT_PADDING, abs(high) * padding)
    return low - margin, high + margin


def outputs(problem: NetworkProblem, inputs: np.ndarray, output: int = 0) -> np.ndarray:
    """Output ``output`` of the network for each row of ``inputs`` (one forward pass)."""
    _check_output(problem, output)
    with np.errstate(over="ignore", invalid="ignore"):  # a diverged network draws as gaps
        result = forward(problem.network, problem.params, inputs).output
    return result[:, output]


def curve(problem: NetworkProblem, output: int = 0,
          n: int = CURVE_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """(xs, f(xs)) of a one-input network: ``n`` evenly spaced points over the padded data
    range, merged with the data's own inputs so the line passes exactly through the
    network's predictions at the data."""
    _require_inputs(problem, 1)
    low, high = sampling_range(problem.data.inputs[:, 0])
    xs = np.union1d(np.linspace(low, high, n), problem.data.inputs[:, 0])
    return xs, outputs(problem, xs[:, None], output)


def grid(problem: NetworkProblem, output: int = 0,
         n: int = GRID_POINTS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xs, ys, values) of a two-input network over the padded data rectangle:
    ``values[row, column] = f(xs[column], ys[row])``, rows along the second input."""
    _require_inputs(problem, 2)
    xs = np.linspace(*sampling_range(problem.data.inputs[:, 0]), n)
    ys = np.linspace(*sampling_range(problem.data.inputs[:, 1]), n)
    plane = np.column_stack([np.tile(xs, n), np.repeat(ys, n)])
    return xs, ys, outputs(problem, plane, output).reshape(n, n)


def _require_inputs(problem: NetworkProblem, count: int) -> None:
    if problem.network.input_size != count:
        raise ValueError(f"the network has {problem.network.input_size} inputs, not {count}")


def _check_output(problem: NetworkProblem, output: int) -> None:
    if not 0 <= output < problem.network.output_size:
        raise ValueError(f"output {output} does not exist: the network has "
                         f"{problem.network.output_size}")
