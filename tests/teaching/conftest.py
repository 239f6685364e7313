"""The sheets the teaching products are tested on, loaded once per module."""

import pytest

from tutor.exercise import default_path, load
from tutor.exercise.library import exercises_dir


@pytest.fixture(scope="module")
def cmu():
    return load(default_path())


@pytest.fixture(scope="module")
def inf264():
    return load(exercises_dir() / "inf264-homework-4.json")
