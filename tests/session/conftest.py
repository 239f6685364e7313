"""Sessions on the bundled sheets, with no QApplication anywhere."""

from __future__ import annotations

import pytest

from tutor.exercise import Exercise, load
from tutor.exercise.library import exercises_dir


def bundled(name: str) -> Exercise:
    return load(exercises_dir() / f"{name}.json")


@pytest.fixture
def cmu() -> Exercise:
    """CMU recitation 5: x = (1, 2), y = 3, ŷ = 7, ℓ = ½(ŷ − y)² = 8, η = 0.1."""
    return bundled("cmu-recitation-5")


@pytest.fixture
def inf264() -> Exercise:
    """INF264 homework 4: two samples, η = 0.01, loss 3.25 before training."""
    return bundled("inf264-homework-4")
