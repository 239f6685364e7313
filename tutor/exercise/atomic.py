"""Files written so that a crash never leaves half of one: a temporary file, then a rename.

Every file the project writes (exercises, answer keys, CSV tables, exported pictures) goes
through :func:`replace_atomically`, so an interrupted write leaves the old file intact and no
temporary file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def replace_atomically(path: str | os.PathLike[str], write: Callable[[str], None], *,
                       mode: int = 0o644, suffix: str = ".tmp") -> None:
    """Let ``write`` fill a temporary file beside ``path``, then rename it over ``path``.

    ``suffix`` is the temporary file's; writers that choose a format by suffix need it.
    """
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix,
                                         dir=path.parent)
    os.close(handle)
    try:
        write(temporary)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _sync_directory(path.parent)
    remove_stale_temporaries(path, suffix)


STALE_SECONDS = 3600  # no write takes this long: such a temporary file was left by a kill


def remove_stale_temporaries(path: Path, suffix: str = ".tmp") -> None:
    """Delete what killed writes of ``path`` left behind (``.name.XXXXXXXX.tmp``)."""
    now = time.time()
    for stale in path.parent.glob(f".{_glob_escape(path.name)}.*{_glob_escape(suffix)}"):
        with contextlib.suppress(OSError):
            if now - stale.stat().st_mtime > STALE_SECONDS:
                stale.unlink()


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def write_atomically(path: str | os.PathLike[str], text: str, *, mode: int = 0o644) -> None:
    """Write UTF-8 text (``\\n`` line ends), flushed to the disk before the rename."""
    def write(temporary: str) -> None:
        with open(temporary, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())

    replace_atomically(path, write, mode=mode)


def _sync_directory(folder: Path) -> None:
    """Make the rename itself durable (not possible on every platform)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
