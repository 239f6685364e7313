"""The built wheel works on its own: installed into a fresh environment (not editable) and run
from a folder outside the checkout, it lists, solves and shows every bundled exercise.

This is what a user of ``pipx install`` or ``pip install`` gets; a file the program reads but
the wheel leaves out fails here and nowhere else.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

import tutor
from tutor.cli import list_text, solve
from tutor.exercise import bundled, load

REPO = Path(__file__).resolve().parents[1]
JUNK = (".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
        ".ruff_cache", ".hypothesis", "shots")


def _run(command: list[str | Path], cwd: Path, env: dict[str, str] | None = None,
         timeout: float = 300) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(part) for part in command], cwd=cwd, env=env, text=True,
                            capture_output=True, timeout=timeout, check=False)
    assert result.returncode == 0, f"{command}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel built from a copy of the checkout."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(*JUNK))
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir",
          root / "dist", source], cwd=root)
    wheels = list((root / "dist").glob("backprop_tutor-*.whl"))
    assert [w.name for w in wheels] == [f"backprop_tutor-{tutor.__version__}-py3-none-any.whl"]
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", venv], cwd=root)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    _run([bin_dir / "python", "-m", "pip", "install", "--quiet", wheels[0]], cwd=root,
         timeout=600)
    return bin_dir


@pytest.fixture
def outside(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A working folder outside the checkout and an environment that cannot see it."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), HOME=str(tmp_path))
    return tmp_path, env


@pytest.mark.slow
def test_the_installed_package_is_the_wheel_not_the_checkout(installed, outside):
    cwd, env = outside
    code = "import tutor, sys; print(tutor.__file__); print(tutor.__version__)"
    lines = _run([installed / "python", "-c", code], cwd, env).stdout.splitlines()
    assert Path(lines[0]).is_relative_to(installed.parent)
    assert not Path(lines[0]).is_relative_to(REPO)
    assert lines[1] == tutor.__version__
    code = ("from tutor.ui.help.pages import help_file; from tutor.desktop import icon_path; "
            "print(help_file('guide.md')); print(icon_path())")
    guide, icon = (Path(p) for p in _run([installed / "python", "-c", code], cwd, env)
                   .stdout.splitlines())
    assert guide.is_relative_to(installed.parent) and icon.is_relative_to(installed.parent)
    assert guide.read_bytes() == (REPO / "docs" / "guide.md").read_bytes()
    for picture in ("backward.png", "training.png", "quiz.png"):
        shipped = guide.parent / "images" / picture
        assert shipped.read_bytes() == (REPO / "docs" / "images" / picture).read_bytes()
    assert (guide.parent / "exercise-format.md").read_bytes() == \
        (REPO / "docs" / "exercise-format.md").read_bytes()
    version = _run([installed / "backprop-tutor", "--version"], cwd, env).stdout
    assert version == f"backprop-tutor {tutor.__version__}\n"


@pytest.mark.slow
def test_list_and_solve_every_bundled_exercise(installed, outside):
    cwd, env = outside
    assert _run([installed / "backprop-tutor", "list"], cwd, env).stdout == list_text() + "\n"
    exercises = bundled()
    assert len(exercises) == 17  # every bundled file ships in the wheel
    for item in exercises:  # by name, as a user who only has the installed program would
        printed = _run([installed / "backprop-tutor", "solve", item.name], cwd, env).stdout
        assert printed == solve(load(item.path)) + "\n", item.name


@pytest.mark.slow
def test_the_app_opens_the_default_exercise_offscreen(installed, outside):
    cwd, env = outside
    shot = cwd / "shot.png"
    result = _run([installed / "backprop-tutor", "--screenshot", shot, "--size", "1024x768"],
                  cwd, env, timeout=120)
    assert "missing" not in result.stderr
    assert _png_size(shot) == (1024, 768)
    installed_entry = _run([installed / "backprop-tutor", "install-desktop"], cwd, env).stdout
    entry = cwd / "data" / "applications" / "backprop-tutor.desktop"
    assert f"Wrote {entry}" in installed_entry
    assert f"Exec={installed / 'backprop-tutor'} %f" in entry.read_text(encoding="utf-8")
