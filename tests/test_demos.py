"""The live-lecture demos train as their descriptions promise, with their stored settings."""

import math
import re

import numpy as np
import pytest

from tutor.engine import LossKind, Method, NetworkProblem
from tutor.engine.batch import forward
from tutor.exercise import load
from tutor.exercise.library import exercises_dir

# name → (updates, the loss stays below this), as written in each file's description
DEMOS = {"xor": (2000, 0.05), "curve-fit-1d": (2000, 0.005), "two-class-2d": (300, 0.05)}


def demo(name: str):
    return load(exercises_dir() / f"{name}.json")


def promised(description: str) -> tuple[int, float]:
    """"… for 2000 updates: the loss falls below 0.05." → (2000, 0.05)."""
    match = re.search(r"for (\d+) updates: the loss falls below ([0-9.]+)\.", description)
    assert match, "the description must say how long to train and how low the loss gets"
    return int(match.group(1)), float(match.group(2))


@pytest.mark.parametrize("name", DEMOS)
def test_demo_reaches_its_stated_loss(name):
    exercise = demo(name)
    problem = exercise.problem
    assert isinstance(problem, NetworkProblem)
    assert promised(exercise.description) == DEMOS[name]
    assert f"η = {problem.training.learning_rate:g}" in exercise.description
    assert problem.training.method is Method.BATCH
    updates, threshold = DEMOS[name]
    run = problem.train(updates)
    assert run.diverged_at is None and len(run.losses) == updates + 1
    assert run.losses[0] > 5 * threshold  # it really has to learn
    assert run.losses[-1] < threshold
    assert "What to watch for" in exercise.description


def test_xor_solves_xor_after_a_plateau_at_ln_2():
    problem = demo("xor").problem
    assert problem.network.sizes == (2, 2, 1)
    assert problem.network.loss.kind is LossKind.BINARY_CROSS_ENTROPY
    run = problem.train(2000)
    assert abs(run.losses[500] - math.log(2)) < 0.01  # the plateau the description names
    outputs = forward(problem.network, run.final, problem.data.inputs).output
    np.testing.assert_array_equal(np.round(outputs), problem.data.targets)
    hidden = np.round(forward(problem.network, run.final, problem.data.inputs).act[1])
    assert sorted(map(tuple, hidden.T)) == [(1, 0, 1, 1), (1, 1, 0, 1)]  # each off for one point


def test_curve_fit_has_one_input_seven_tanh_units_and_fits_sin():
    problem = demo("curve-fit-1d").problem
    assert problem.network.sizes == (1, 7, 1)
    assert problem.network.layers[0].activation.name == "tanh"
    x = problem.data.inputs[:, 0]
    assert len(x) == 12
    np.testing.assert_allclose(problem.data.targets[:, 0], np.sin(x), atol=5e-4)
    fitted = forward(problem.network, problem.train(2000).final, problem.data.inputs).output
    assert np.max(np.abs(fitted[:, 0] - np.sin(x))) < 0.1


def test_two_class_points_are_classified():
    problem = demo("two-class-2d").problem
    assert len(problem.data) == 24 and problem.network.sizes == (2, 3, 1)
    assert problem.data.targets.sum() == 12
    outputs = forward(problem.network, problem.train(300).final, problem.data.inputs).output
    np.testing.assert_array_equal(np.round(outputs), problem.data.targets)
