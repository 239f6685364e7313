"""Reading a user's file: only regular files, never more than a set number of bytes.

A FIFO would block ``open`` forever and ``/dev/zero`` never ends, so the file is opened
without blocking and its kind checked on the open descriptor (no race with a rename)
before a single byte is read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class FileRefused(ValueError):
    """A path that cannot be read as a user file; the message is one plain sentence."""


_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words."""
    return next((words for test, words in _KINDS if test(mode)), "not a regular file")


def read_bytes(path: str | os.PathLike[str], limit: int) -> bytes:
    """The whole file, refusing anything but a regular file of at most ``limit`` bytes."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise FileRefused("no such file") from None
    except PermissionError:
        raise FileRefused("permission denied") from None
    except OSError as error:
        raise FileRefused(f"cannot read the file: {error.strerror or error}") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused(f"is {kind_of(info.st_mode)}, not a file")
        if info.st_size > limit:
            raise FileRefused(f"the file is {_size(info.st_size)}; files are limited to "
                              f"{_size(limit)}")
        chunks, total = [], 0
        while total <= limit:  # the file may grow after fstat
            chunk = os.read(descriptor, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as error:
        raise FileRefused(f"cannot read the file: {error.strerror or error}") from None
    finally:
        os.close(descriptor)
    if total > limit:
        raise FileRefused(f"the file is larger than {_size(limit)}; files are limited to "
                          f"{_size(limit)}")
    return b"".join(chunks)


def _size(count: int) -> str:
    return f"{count / 2**20:.1f} MB" if count >= 2**20 else f"{count:,} bytes"


def regular_target(path: Path) -> Path:
    """Where saving to ``path`` writes: a symbolic link's target, refusing folders, FIFOs and
    devices (replacing one with a file would surprise far more than a refusal)."""
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        return target
    except OSError as error:
        raise FileRefused(f"cannot write there: {error.strerror or error}") from None
    if not stat.S_ISREG(mode):
        raise FileRefused(f"is {kind_of(mode)}; choose a file name")
    return target
