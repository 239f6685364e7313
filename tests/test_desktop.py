"""--version, the desktop entry and icon, and bundled exercises reached by name."""

from __future__ import annotations

import configparser
import tomllib
from pathlib import Path

import pytest

import tutor
from tutor import cli, desktop
from tutor.exercise.library import exercises_dir, find

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def data_home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setattr(desktop, "_refresh_caches", lambda: None)
    return tmp_path / "share"


def test_version_is_written_once_and_printed(capsys):
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out == f"backprop-tutor {tutor.__version__}\n"
    assert tutor.__version__.count(".") == 2


def test_the_icon_ships_inside_the_package():
    icon = desktop.icon_path()
    assert icon.is_relative_to(Path(tutor.__file__).parent)
    assert icon.read_text(encoding="utf-8").lstrip().startswith("<?xml")


def _entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser["Desktop Entry"]


def test_install_desktop_writes_entry_and_icon_then_removes_them(data_home, capsys):
    assert cli.main(["install-desktop"]) == 0
    entry = data_home / "applications" / "backprop-tutor.desktop"
    icon = data_home / "icons" / "hicolor" / "scalable" / "apps" / "backprop-tutor.svg"
    assert capsys.readouterr().out == f"Wrote {entry}\nWrote {icon}\n"
    assert icon.read_bytes() == desktop.icon_path().read_bytes()
    keys = _entry(entry)
    assert keys["Type"] == "Application" and keys["Name"] == "Backprop Tutor"
    assert keys["Icon"] == "backprop-tutor" and keys["MimeType"] == "application/json;"
    assert keys["Exec"].endswith(" %f")
    assert cli.main(["install-desktop", "--uninstall"]) == 0
    assert not entry.exists() and not icon.exists()
    assert cli.main(["install-desktop", "--uninstall"]) == 0
    assert capsys.readouterr().out.endswith("Nothing to remove.\n")


def test_exec_arguments_are_quoted_as_the_specification_asks():
    entry = desktop.desktop_entry(["/opt/My Apps/backprop-tutor", "-m", "50%"])
    assert 'Exec="/opt/My Apps/backprop-tutor" -m 50%% %f\n' in entry
    assert desktop._exec_argument("/home/a$b/bin/run") == '"/home/a\\\\$b/bin/run"'
    assert desktop._exec_argument("/usr/bin/backprop-tutor") == "/usr/bin/backprop-tutor"


def test_the_launcher_is_this_installation(monkeypatch, tmp_path):
    script = tmp_path / "backprop-tutor"
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    monkeypatch.setattr("sys.argv", [str(script)])
    assert desktop.launcher() == [str(script.resolve())]
    monkeypatch.setattr("sys.frozen", True, raising=False)
    monkeypatch.setattr("sys.executable", str(tmp_path / "bundle" / "backprop-tutor"))
    assert desktop.launcher() == [str((tmp_path / "bundle" / "backprop-tutor").resolve())]


def test_bundled_exercises_are_found_by_name(tmp_path, monkeypatch):
    assert find("xor") == exercises_dir() / "xor.json"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "xor").write_text("{}", encoding="utf-8")  # a real file wins
    assert find("xor") == Path("xor")
    assert find("no-such-sheet") == Path("no-such-sheet")
    assert find("sub/xor") == Path("sub/xor")  # a path is never replaced
