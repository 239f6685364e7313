"""Dump training histories, to check that a faster training loop trains the same.

    python -m benchmarks.training_dump OUT.npz                      # write the dump
    python -m benchmarks.training_dump OUT.npz --against BEFORE.npz  # and compare bit for bit

Covers every bundled network exercise (300 updates) and 240 random networks (60 updates; every
activation, both losses, every bias style, batch/SGD/mini-batch with shuffles, frozen tensors,
learning rates up to 10³ that diverge): the losses, the kept updates and every kept row of
parameters. Make the reference as for ``trace_dump``: the same script run against the engine
before the change. A run takes the loop :func:`tutor.engine.train` chooses for its network, so
compare dumps of one loop's changes, not across the floats/matrices boundary.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings

from tutor.engine import Method, Training, train
from tutor.exercise import load
from tutor.exercise.library import exercises_dir

# for tests.engine.networks; appended, so that an older engine on PYTHONPATH stays the one used
sys.path.append(str(Path(__file__).resolve().parent.parent))
from tests.engine.networks import cases

TRAININGS = [Training(0.3, Method.BATCH), Training(0.3, Method.SGD),
             Training(0.7, Method.SGD, shuffle=True, seed=3),
             Training(0.5, Method.MINIBATCH, batch_size=2, shuffle=True, seed=5),
             Training(40.0, Method.BATCH), Training(1000.0, Method.SGD)]


def dump() -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for path in sorted(exercises_dir().glob("*.json")):
        problem = load(path).problem
        if hasattr(problem, "network"):
            _record(out, path.stem, problem.train(300))
    for n, case in enumerate(_random_cases(240)):
        training = TRAININGS[n % len(TRAININGS)]
        if n % 7 == 0:
            training = Training(training.learning_rate, training.method, training.batch_size,
                                training.shuffle, training.seed, frozenset({"W1"}))
        _record(out, f"random{n}", train(case.network, case.params, case.data, training, 60))
    return out


def _record(out: dict[str, np.ndarray], name: str, run) -> None:
    out[f"{name}:losses"] = run.losses
    out[f"{name}:kept"] = run.params.kept()
    out[f"{name}:rows"] = run.params.rows()
    out[f"{name}:diverged"] = np.array([-1 if run.diverged_at is None else run.diverged_at])


def _random_cases(count: int) -> list:
    found = []

    @settings(max_examples=count, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(cases())
    def collect(case) -> None:
        found.append(case)

    collect()
    return found


def differences(ours: dict[str, np.ndarray], theirs: dict[str, np.ndarray]) -> list[str]:
    """The names of the arrays that are not bit for bit the same (or missing)."""
    names = sorted(set(ours) | set(theirs))
    return [name for name in names if name not in ours or name not in theirs
            or ours[name].shape != theirs[name].shape
            or ours[name].tobytes() != theirs[name].tobytes()]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--against", type=Path, help="a dump to compare with, bit for bit")
    args = parser.parse_args(argv)
    ours = dump()
    np.savez(args.out, **ours)
    print(f"{len(ours)} arrays written to {args.out}")
    if args.against is None:
        return 0
    with np.load(args.against) as before:
        different = differences(ours, dict(before))
    print("bit for bit the same" if not different else
          f"{len(different)} differ: {', '.join(different[:12])}")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
