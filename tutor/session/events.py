"""A tiny observer: the session's past-tense events, with no Qt.

Napari's models emit plain events that a Qt layer re-emits as signals; the session does the
same, so it runs and is tested headless.  Callbacks run in the order they were connected.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Event:
    """Something that happened; ``emit`` calls every connected callback with its arguments."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._callbacks: list[Callable[..., Any]] = []

    def connect(self, callback: Callable[..., Any]) -> None:
        self._callbacks.append(callback)

    def disconnect(self, callback: Callable[..., Any]) -> None:
        self._callbacks.remove(callback)

    def emit(self, *args: Any) -> None:
        for callback in tuple(self._callbacks):  # a callback may disconnect itself
            callback(*args)

    def __repr__(self) -> str:
        return f"Event({self.name!r}, {len(self._callbacks)} callbacks)"

