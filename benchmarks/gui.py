"""GUI benchmarks, each in a subprocess with the offscreen platform and a private profile."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLD_START_TARGET = 1.5
BARE_WINDOW = ("from PySide6.QtWidgets import QApplication, QWidget; app = QApplication([]); "
               "w = QWidget(); w.resize(1600, 1000); w.show(); app.processEvents(); "
               "w.grab().save(r'{out}')")


@dataclass(frozen=True)
class GuiItem:
    name: str
    seconds: float | None
    reference: float | None
    target: float | None
    note: str = ""


@dataclass(frozen=True)
class GuiResult:
    items: tuple[GuiItem, ...] = ()
    error: str = ""


def _environment(home: str) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=home,
               XDG_DATA_HOME=home, XDG_CACHE_HOME=home, PYTHONPATH=str(ROOT))
    return env


def _wall_clock(command: list[str], env: dict[str, str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True, timeout=60)
        best = min(best, time.perf_counter() - start)
    return best


def cold_start(env: dict[str, str], home: str, repeat: int) -> GuiItem:
    out = Path(home) / "shot.png"
    app = _wall_clock([sys.executable, "-m", "tutor", "--screenshot", str(out)], env, repeat)
    bare = _wall_clock([sys.executable, "-c", BARE_WINDOW.format(out=out)], env, repeat)
    return GuiItem("cold start → first painted window (python -m tutor --screenshot)", app,
                   bare, COLD_START_TARGET,
                   "reference: a subprocess that shows and grabs a bare QWidget")


def _driver(which: str, quick: bool, env: dict[str, str], timeout: float) -> list[GuiItem]:
    command = [sys.executable, "-m", "benchmarks.gui_driver", which, *(["--quick"] * quick)]
    try:
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return [GuiItem(f"open the {which} network in the window", None, None, None,
                        f"did not finish within {timeout:.0f} s")]
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return [GuiItem(f"{which} GUI benchmark", None, None, None, f"failed: {last}")]
    return [GuiItem(**item) for item in json.loads(done.stdout.strip().splitlines()[-1])]


def run_all(quick: bool) -> GuiResult:
    try:
        import PySide6  # noqa: F401
    except ImportError as error:
        return GuiResult(error=str(error))
    with tempfile.TemporaryDirectory(prefix="tutor-bench-") as home:
        env = _environment(home)
        items = [cold_start(env, home, 2 if quick else 3)]
        items += _driver("seed", quick, env, timeout=120)
        items += _driver("big", quick, env, timeout=15 if quick else 30)
    return GuiResult(tuple(items))
