"""The exercises shipped with the program (``tutor/resources/exercises/*.json``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tutor.engine.notation import to_unicode

from .validate import resources_dir

DEFAULT = "cmu-recitation-5"


@dataclass(frozen=True, slots=True)
class BundledExercise:
    name: str  # the file stem, e.g. "cmu-recitation-5"
    title: str  # as written in the file: markup such as e^{xz}
    path: Path

    @property
    def shown_title(self) -> str:
        """The title as a reader sees it (eˣᶻ, not e^{xz})."""
        return to_unicode(self.title)


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


def find(name: str | Path) -> Path:
    """NAME itself when such a file exists, else the bundled exercise of that name (``xor``).

    An installed program's exercises live deep inside the environment; ``backprop-tutor solve
    xor`` reaches them by the name ``list`` prints.  Anything else is returned unchanged, so
    a missing file still gets the loader's own message.
    """
    path = Path(name)
    if not path.exists() and path.name == str(name):
        candidate = exercises_dir() / f"{path.name}.json"
        if candidate.is_file():
            return candidate
    return path


def default_path() -> Path:
    """The exercise the app opens first: the CMU 10-301/601 recitation network."""
    return exercises_dir() / f"{DEFAULT}.json"
