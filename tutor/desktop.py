"""The program as a desktop citizen: its version, its icon and a Linux desktop entry (no Qt).

    backprop-tutor --version
    backprop-tutor install-desktop [--uninstall]

``install-desktop`` writes a freedesktop.org entry and the scalable icon into the user's own
data folder (``$XDG_DATA_HOME``, by default ``~/.local/share``), so the app appears in the
desktop's menu and in "Open with" for ``.json`` files; nothing needs root.  The entry starts
exactly the program that wrote it (this environment's launcher, or the frozen bundle).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import tutor
from tutor.exercise.validate import resources_dir

APP_ID = "backprop-tutor"  # the entry's file name, the icon's name and the Wayland app id
COMMANDS = ("--version", "install-desktop")
_EXEC_RESERVED = set(' \t\n"\'\\><~|&;$*?#()`')


def version() -> str:
    return tutor.__version__


def icon_path() -> Path:
    """The application icon (SVG) inside the package."""
    return resources_dir() / "icons" / f"{APP_ID}.svg"


def data_home() -> Path:
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if os.path.isabs(value) else Path.home() / ".local" / "share"


def entry_path() -> Path:
    return data_home() / "applications" / f"{APP_ID}.desktop"


def installed_icon_path() -> Path:
    return data_home() / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"


def launcher() -> list[str]:
    """The command that starts this very installation of the app."""
    if getattr(sys, "frozen", False):  # a one-folder bundle: its own executable
        return [str(Path(sys.executable).resolve())]
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is not None and script.name == APP_ID and script.is_file():
        return [str(script.resolve())]
    found = shutil.which(APP_ID)
    if found:
        return [str(Path(found).resolve())]
    return [str(Path(sys.executable).resolve()), "-m", "tutor"]


def _exec_argument(argument: str) -> str:
    """One argument of an ``Exec`` key, quoted as the Desktop Entry Specification asks."""
    if _EXEC_RESERVED.intersection(argument):
        inner = "".join("\\" + c if c in '"`$\\' else c for c in argument)
        argument = f'"{inner}"'
    # the string-value escape applies on top of the quoting, and % starts a field code
    return argument.replace("\\", "\\\\").replace("%", "%%")


def desktop_entry(command: Sequence[str]) -> str:
    exec_line = " ".join(_exec_argument(part) for part in command)
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.5",
        "Name=Backprop Tutor",
        "GenericName=Backpropagation tutor",
        "Comment=Watch backpropagation happen, one node at a time",
        f"Exec={exec_line} %f",
        f"Icon={APP_ID}",
        "Terminal=false",
        "Categories=Education;Science;ComputerScience;",
        "Keywords=neural network;gradient;backpropagation;chain rule;",
        "MimeType=application/json;",
        f"StartupWMClass={APP_ID}",
        "",
    ])


def install(command: Sequence[str] | None = None) -> list[Path]:
    """Write the desktop entry and the icon; the paths written."""
    entry, icon = entry_path(), installed_icon_path()
    entry.parent.mkdir(parents=True, exist_ok=True)
    icon.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(icon_path(), icon)
    entry.write_text(desktop_entry(command or launcher()), encoding="utf-8")
    _refresh_caches()
    return [entry, icon]


def uninstall() -> list[Path]:
    """Remove what :func:`install` wrote; the paths removed."""
    removed = []
    for path in (entry_path(), installed_icon_path()):
        if path.is_file():
            path.unlink()
            removed.append(path)
    _refresh_caches()
    return removed


def _refresh_caches() -> None:
    """Menus pick the change up at once where the desktop keeps caches; optional tools."""
    for tool, folder in (("update-desktop-database", entry_path().parent),
                         ("gtk-update-icon-cache", data_home() / "icons" / "hicolor")):
        program = shutil.which(tool)
        if program and folder.is_dir():
            subprocess.run([program, "-q", str(folder)], check=False, capture_output=True,
                           timeout=30)


def main(argv: Sequence[str]) -> int:
    """``--version`` and ``install-desktop``: answered without starting Qt."""
    if argv[:1] == ["--version"]:
        print(f"backprop-tutor {version()}")
        return 0
    parser = argparse.ArgumentParser(
        prog="backprop-tutor install-desktop",
        description="Add Backprop Tutor to this user's application menu (Linux desktops).")
    parser.add_argument("--uninstall", action="store_true",
                        help="remove the menu entry and icon again")
    options = parser.parse_args(list(argv[1:]))
    if sys.platform in ("win32", "darwin"):
        print("install-desktop writes a Linux desktop entry; on Windows and macOS see "
              "'Other systems' in the README.", file=sys.stderr)
        return 1
    try:
        paths = uninstall() if options.uninstall else install()
    except OSError as error:
        print(f"backprop-tutor: {error}", file=sys.stderr)
        return 1
    verb = "Removed" if options.uninstall else "Wrote"
    for path in paths:
        print(f"{verb} {path}")
    if not paths:
        print("Nothing to remove.")
    return 0
