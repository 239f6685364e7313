"""Saving an exercise: checked, atomic, and careful about what the path points at.

A symbolic link is followed (its target gets the new text, the link stays a link); a folder,
FIFO or device is refused; a file the user may not write is only replaced when the caller
says so (the app asks first).
"""

from __future__ import annotations

import os
from pathlib import Path

from .atomic import write_atomically
from .errors import ExerciseError
from .format import loads
from .model import Exercise, Question
from .reading import FileRefused, regular_target
from .writing import dumps, saved_questions


class ReadOnlyTarget(ExerciseError):
    """The file exists and is read-only: replacing it needs the user's word."""


def save(exercise: Exercise, path: str | os.PathLike[str], *,
         replace_read_only: bool = False) -> tuple[Question, ...]:
    """Write atomically: a temporary file in the same folder, fsync, then ``os.replace``.

    An interrupted save leaves the old file intact.  What is written is checked by reading it
    back first, so a saved file always loads.  Returns the questions that could not be saved
    because the edited problem no longer has their node or sample (the caller tells the user).
    """
    path = Path(path)
    try:
        target = regular_target(path)
    except FileRefused as error:
        raise ExerciseError("", str(error), str(path)) from None
    exists = target.exists()
    if exists and not replace_read_only and _read_only(target):
        raise ReadOnlyTarget("", "the file is read-only", str(path))
    text = dumps(exercise)
    loads(text, str(path))
    mode = target.stat().st_mode & 0o777 if exists else 0o644
    write_atomically(target, text, mode=mode)
    kept = saved_questions(exercise)
    return tuple(q for q in exercise.questions if q not in kept)


def _read_only(path: Path) -> bool:
    """No write permission for us, or none for anyone (which even root should respect)."""
    return not os.access(path, os.W_OK) or not path.stat().st_mode & 0o222
