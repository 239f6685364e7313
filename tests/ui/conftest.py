"""Qt tests run offscreen, with settings isolated from any real user profile."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, QStandardPaths

from tutor import exercise as exercises
from tutor.exercise import Exercise
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
    return exercises.load(exercises_dir() / f"{name}.json")


def cmu_recitation() -> Exercise:
    """CMU 10-301/601 recitation 5: α = [[2,1,0],[0,2,0]], β = [0,1,2], x = (1,2), y = 3."""
    return bundled("cmu-recitation-5")


def inf264_homework() -> Exercise:
    """INF264 homework 4: θ = (1, 1, 0, 1, 0), two samples, mean squared error without ½."""
    return bundled("inf264-homework-4")


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
