"""The templates shipped with the program (``tutor/resources/templates/*.template.json``)."""

from __future__ import annotations

from pathlib import Path

from tutor.exercise.validate import resources_dir

SUFFIX = ".template.json"


def templates_dir() -> Path:
    return resources_dir() / "templates"


def bundled_templates() -> dict[str, Path]:
    """Name (``cmu-recitation-5``) → path, ordered by name."""
    paths = sorted(templates_dir().glob(f"*{SUFFIX}"))
    return {p.name[: -len(SUFFIX)]: p for p in paths}


def template_path(name_or_path: str) -> Path:
    """A bundled template's name, or a path to a template file."""
    return bundled_templates().get(name_or_path, Path(name_or_path))
