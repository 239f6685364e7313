"""The exercises shipped with the program (``tutor/resources/exercises/*.json``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .validate import resources_dir

DEFAULT = "cmu-recitation-5"


@dataclass(frozen=True, slots=True)
class BundledExercise:
    name: str  # the file stem, e.g. "cmu-recitation-5"
    title: str
    path: Path


def exercises_dir() -> Path:
    return resources_dir() / "exercises"


def _title(path: Path) -> str:
    """The title without a full validation (the test suite validates every bundled file)."""
    try:
        title = json.loads(path.read_text(encoding="utf-8")).get("title")
    except (OSError, ValueError, AttributeError):
        return path.stem
    return title if isinstance(title, str) and title else path.stem


def bundled() -> tuple[BundledExercise, ...]:
    """Every bundled exercise, ordered by file name."""
    paths = sorted(exercises_dir().glob("*.json"), key=lambda p: p.stem)
    return tuple(BundledExercise(p.stem, _title(p), p) for p in paths)


def default_path() -> Path:
    """The exercise the app opens first: the CMU 10-301/601 recitation network."""
    return exercises_dir() / f"{DEFAULT}.json"
