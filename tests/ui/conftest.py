"""Qt tests run offscreen, with settings isolated from any real user profile."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QSettings, QStandardPaths

from tutor.engine import (
    Activation,
    BiasMode,
    Dataset,
    Layer,
    LayerNotation,
    Loss,
    Network,
    NetworkProblem,
    Parameters,
    Training,
)
from tutor.exercise import Exercise, load
from tutor.exercise.library import exercises_dir

ORGANIZATION = "BackpropTutorTests"
APPLICATION = "Backprop Tutor Tests"


def pytest_configure(config: pytest.Config) -> None:
    QStandardPaths.setTestModeEnabled(True)
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory: pytest.TempPathFactory):
    """Every test starts with empty settings in a private directory."""
    folder = tmp_path_factory.mktemp("settings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(folder))
    QSettings().clear()
    yield folder


def bundled(name: str) -> Exercise:
    """A bundled exercise as the Examples menu opens it."""
    return load(exercises_dir() / f"{name}.json")


def cmu_recitation() -> Exercise:
    """CMU 10-301/601 recitation 5 built in code (the diagram tests rely on this form):
    α = [[2,1,0],[0,2,0]], β = [0,1,2], x = (1,2), y = 3."""
    hidden = Layer(2, Activation("relu"), BiasMode.FOLDED,
                   LayerNotation(pre="a_{$j}", act="z_{$j}", weight="α_{$j,$i}",
                                 intercept="x_0", weight_matrix="α"))
    output = Layer(1, Activation(), BiasMode.FOLDED,
                   LayerNotation(weight="β_{$i}", intercept="z_0", weight_matrix="β"))
    params = Parameters.of([[[1, 0], [2, 0]], [[1, 2]]], [[2, 0], [0]])
    problem = NetworkProblem(Network(2, (hidden, output)), params,
                             Dataset(np.array([[1.0, 2.0]]), np.array([[3.0]])))
    return Exercise("CMU recitation 5", problem, source="CMU 10-301/601")


def inf264_homework() -> Exercise:
    """INF264 homework 4 built in code with separate biases and η = 0.1 (the bundled file
    folds them): θ = (1, 1, 0, 1, 0), two samples, mean squared error without ½."""
    hidden = Layer(1, Activation("relu"), BiasMode.SEPARATE)
    output = Layer(1, Activation(), BiasMode.SEPARATE)
    network = Network(2, (hidden, output), loss=Loss(half=False))
    params = Parameters.of([[[1, 1]], [[1]]], [[0], [0]])
    data = Dataset(np.array([[2.0, 1.0], [-3.0, 2.0]]), np.array([[1.3], [1.9]]))
    problem = NetworkProblem(network, params, data, Training(learning_rate=0.1))
    return Exercise("INF264 homework 4", problem, source="INF264")


@pytest.fixture
def cmu() -> Exercise:
    return cmu_recitation()


@pytest.fixture
def inf264() -> Exercise:
    return inf264_homework()


@pytest.fixture
def document(qtbot, cmu: Exercise):
    """A document on the CMU recitation (one sample: ∂ℓ/∂α₁,₁ = 4)."""
    from tutor.ui.document import Document

    return Document(cmu)
