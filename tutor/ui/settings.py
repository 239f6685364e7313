"""What the app remembers between runs, in grouped QSettings keys.

Tests switch QSettings to a private test location (see tests/ui/conftest.py), so nothing here
ever touches a real profile while testing.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow

ORGANIZATION = "BackpropTutor"
APPLICATION = "Backprop Tutor"
MAX_RECENT = 8


def _settings() -> QSettings:
    return QSettings()


def recent_files() -> list[Path]:
    """Recently opened or saved files, newest first, only those that still exist."""
    value = _settings().value("files/recent", [])
    names = [value] if isinstance(value, str) else list(value or [])
    return [Path(n) for n in names if n and Path(n).is_file()]


def add_recent_file(path: Path) -> None:
    path = Path(path).resolve()
    others = [p for p in recent_files() if p.resolve() != path]
    _settings().setValue("files/recent", [str(p) for p in [path, *others][:MAX_RECENT]])


def clear_recent_files() -> None:
    _settings().remove("files/recent")


def theme_name() -> str:
    return str(_settings().value("appearance/theme", "light"))


def set_theme_name(name: str) -> None:
    _settings().setValue("appearance/theme", name)


def font_scale() -> float:
    try:
        return float(_settings().value("appearance/font_scale", 1.0))
    except (TypeError, ValueError):
        return 1.0


def set_font_scale(scale: float) -> None:
    _settings().setValue("appearance/font_scale", float(scale))


def save_window(window: QMainWindow) -> None:
    settings = _settings()
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/state", window.saveState())


def restore_window(window: QMainWindow) -> bool:
    """Restore geometry and dock layout; False when there was nothing saved."""
    settings = _settings()
    geometry = settings.value("window/geometry")
    state = settings.value("window/state")
    restored = isinstance(geometry, QByteArray) and window.restoreGeometry(geometry)
    if isinstance(state, QByteArray):
        window.restoreState(state)
    return bool(restored)
