"""The one error type of the file format: it names the file, the field and the problem."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

PathPart = str | int

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def field_path(parts: Sequence[PathPart]) -> str:
    """``("network", "layers", 1, "activation")`` → ``network.layers[1].activation``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not _PLAIN_KEY.match(part):  # a key a teacher did not mean to write, shown exactly
            text += f"[{json.dumps(part)}]"
        else:
            text += f".{part}" if text else str(part)
    return text


class ExerciseError(ValueError):
    """An exercise that cannot be loaded (or saved).

    ``field`` is a path such as ``network.layers[1].activation`` or ``parameters.W1[0][2]``
    (empty when the problem is the file itself, e.g. not JSON); ``problem`` says what is wrong.
    ``str()`` is one line: ``<file>: <field>: <problem>``.
    """

    def __init__(self, field: str, problem: str, file: str = "<string>") -> None:
        self.field = field
        self.problem = " ".join(problem.split())  # always one line
        self.file = file.replace("\n", "\\n").replace("\r", "\\r")
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.field:
            return f"{self.file}: {self.field}: {self.problem}"
        return f"{self.file}: {self.problem}"

    def in_file(self, file: str) -> ExerciseError:
        """The same error, attributed to ``file``."""
        return ExerciseError(self.field, self.problem, file)


@contextmanager
def engine_errors(field: str) -> Iterator[None]:
    """Turn an engine ValueError raised while building ``field`` into an ExerciseError."""
    try:
        yield
    except ExerciseError:
        raise
    except ValueError as error:
        raise ExerciseError(field, str(error)) from error
