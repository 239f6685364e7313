"""SIGKILL a process in the middle of saving: the file at the path is always one whole version.

A child process saves two different, large-ish exercises to one path in turn, printing a
line after each save.  The parent kills it after a seeded random number of saves and a
seeded random part of one save's duration, so the kill lands anywhere in the next save:
encoding, writing the temporary file, syncing it, or renaming it.
Afterwards the path must hold exactly one of the two exercises.  (A dot-prefixed ``.tmp``
sibling may survive a SIGKILL; it never replaces the file.)
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from tutor.engine import Activation, Dataset, Layer, Network, NetworkProblem, random_parameters
from tutor.exercise import Exercise, dumps, load, save

ROUNDS = 6
SAVE_SECONDS = 0.12  # about how long one save of the exercise below takes here

CHILD = """
import sys
import time
from tutor.exercise import load, save
first, second, target = sys.argv[1:4]
versions = [load(first), load(second)]
n = 0
while True:
    save(versions[n % 2], target)
    n += 1
    print(n, flush=True)
"""


def _large_exercise(seed: int) -> Exercise:
    """About 4,000 parameters and 100 samples: a save takes long enough to be hit mid-way."""
    network = Network(30, (Layer(64, Activation("sigmoid")), Layer(32, Activation("tanh")),
                           Layer(5)))
    rng = np.random.default_rng(seed)
    data = Dataset(rng.normal(size=(100, 30)), rng.normal(size=(100, 5)))
    problem = NetworkProblem(network, random_parameters(network, seed=seed), data)
    return Exercise(f"Large exercise {seed}", problem)


def _kill_after(saves: int, delay: float, sources: tuple[Path, Path], target: Path) -> None:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    child = subprocess.Popen([sys.executable, "-c", CHILD, *map(str, sources), str(target)],
                             stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert child.stdout is not None
        for _ in range(saves):
            assert child.stdout.readline(), "the saving process stopped on its own"
        time.sleep(delay)  # not a wait for anything: it moves the kill within the next save
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()
    assert child.returncode == -signal.SIGKILL


def test_a_killed_save_leaves_one_whole_version(tmp_path: Path) -> None:
    first, second = _large_exercise(1), _large_exercise(2)
    texts = {dumps(first), dumps(second)}
    assert len(texts) == 2
    sources = (tmp_path / "first.json", tmp_path / "second.json")
    save(first, sources[0])
    save(second, sources[1])
    target = tmp_path / "target" / "sheet.json"
    target.parent.mkdir()
    rng = random.Random(20261123)
    for _ in range(ROUNDS):
        _kill_after(rng.randint(1, 4), rng.uniform(0.0, SAVE_SECONDS), sources, target)
        assert dumps(load(target)) in texts
        assert target.read_text(encoding="utf-8") in texts  # byte for byte, not just loadable
        leftovers = [p.name for p in target.parent.iterdir() if p != target]
        assert all(name.startswith(".sheet.json.") and name.endswith(".tmp")
                   for name in leftovers), leftovers

