"""Sampling a network's function for the function view: ranges, curves and grids."""

from __future__ import annotations

import numpy as np
import pytest

from tutor.engine import Activation, Dataset, Layer, Loss, Network, NetworkProblem, Parameters
from tutor.engine import function_samples as fs
from tutor.engine.batch import forward


def ramp() -> NetworkProblem:
    """f(x) = 3·relu(2x − 1) + 0.5 on three samples x = −1, 0.5, 2."""
    network = Network(1, (Layer(1, Activation("relu")), Layer(1)))
    params = Parameters.of([[[2.0]], [[3.0]]], [[-1.0], [0.5]])
    data = Dataset(np.array([[-1.0], [0.5], [2.0]]), np.array([[0.0], [1.0], [9.0]]))
    return NetworkProblem(network, params, data)


def inf264() -> NetworkProblem:
    """INF264 homework 4: f(x₁, x₂) = relu(x₁ + x₂), samples (2, 1) and (−3, 2)."""
    network = Network(2, (Layer(1, Activation("relu")), Layer(1)), loss=Loss(half=False))
    params = Parameters.of([[[1.0, 1.0]], [[1.0]]], [[0.0], [0.0]])
    data = Dataset(np.array([[2.0, 1.0], [-3.0, 2.0]]), np.array([[1.3], [1.9]]))
    return NetworkProblem(network, params, data)


def two_outputs() -> NetworkProblem:
    """f(x) = (2x, −x + 1): a linear layer with two outputs."""
    network = Network(1, (Layer(2),))
    params = Parameters.of([[[2.0], [-1.0]]], [[0.0, 1.0]])
    data = Dataset(np.array([[0.0], [4.0]]), np.array([[0.0, 1.0], [8.0, -3.0]]))
    return NetworkProblem(network, params, data)


def test_sampling_range_pads_a_tenth_of_the_span_each_side():
    assert fs.sampling_range(np.array([-3.0, 2.0, 0.0])) == pytest.approx((-3.5, 2.5))


def test_sampling_range_widens_a_single_value():
    assert fs.sampling_range(np.array([1.5])) == (0.5, 2.5)
    assert fs.sampling_range(np.array([np.nan])) == (-1.0, 1.0)


def test_curve_by_hand():
    xs, ys = fs.curve(ramp(), n=7)
    # padded range: [−1, 2] ± 0.3 → seven points −1.3, −0.8, …, 2.3, plus x = −1, 0.5, 2
    assert xs[0] == pytest.approx(-1.3) and xs[-1] == pytest.approx(2.3)
    assert np.all(np.diff(xs) > 0)
    expected = 3 * np.maximum(2 * xs - 1, 0) + 0.5
    np.testing.assert_allclose(ys, expected, rtol=0, atol=1e-12)
    assert ys[np.searchsorted(xs, 2.0)] == pytest.approx(9.5)  # 3·relu(3) + 0.5
    assert ys[np.searchsorted(xs, -1.0)] == pytest.approx(0.5)


def test_curve_passes_through_the_forward_outputs_at_the_data():
    problem = ramp()
    xs, ys = fs.curve(problem, n=50)
    at_data = ys[np.searchsorted(xs, problem.data.inputs[:, 0])]
    expected = forward(problem.network, problem.params, problem.data.inputs).output[:, 0]
    np.testing.assert_array_equal(at_data, expected)


def test_curve_of_the_second_output():
    xs, ys = fs.curve(two_outputs(), output=1, n=5)
    np.testing.assert_allclose(ys, -xs + 1, atol=1e-12)


def test_grid_orientation_by_hand():
    xs, ys, values = fs.grid(inf264(), n=3)
    np.testing.assert_allclose(xs, [-3.5, -0.5, 2.5])
    np.testing.assert_allclose(ys, [0.9, 1.5, 2.1])
    assert values.shape == (3, 3)
    assert values[0, 2] == pytest.approx(3.4)  # relu(2.5 + 0.9): row = x₂, column = x₁
    assert values[2, 0] == 0.0  # relu(−3.5 + 2.1)
    assert values[1, 1] == pytest.approx(1.0)


def test_grid_equals_one_forward_pass_over_the_plane():
    problem = inf264()
    xs, ys, values = fs.grid(problem, n=20)
    assert values.shape == (20, 20)
    row, column = 13, 4
    point = np.array([[xs[column], ys[row]]])
    assert values[row, column] == forward(problem.network, problem.params, point).output[0, 0]
    np.testing.assert_allclose(values, np.maximum(xs[None, :] + ys[:, None], 0), atol=1e-12)


def test_shapes_and_wrong_arguments():
    assert fs.shape(ramp()) is fs.Shape.CURVE
    assert fs.shape(inf264()) is fs.Shape.GRID
    with pytest.raises(ValueError, match="2 inputs, not 1"):
        fs.curve(inf264())
    with pytest.raises(ValueError, match="output 2 does not exist"):
        fs.curve(two_outputs(), output=2)


def test_probability_and_binary_targets():
    assert not fs.is_probability(ramp())
    assert fs.is_binary(np.array([[0.0], [1.0], [1.0]]))
    assert not fs.is_binary(np.array([[0.0], [0.5]]))
