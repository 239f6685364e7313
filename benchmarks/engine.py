"""Engine benchmarks: gradient-descent updates against the references, and trace builds."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from tutor import exercise as exercises
from tutor.engine import (
    Activation,
    Dataset,
    Layer,
    Loss,
    Network,
    NetworkProblem,
    Training,
    random_parameters,
)
from tutor.engine.batch import loss_and_gradients
from tutor.engine.training import train

from .references import MicrogradNet, NumpyFloor, TorchNet, torch_available, unsupported
from .timing import Timing, measure

AGREEMENT = 1e-9  # relative: the references sum in other orders, so not bit-identical


@dataclass(frozen=True)
class UpdateRow:
    """Seconds per update for one network; None where a column was skipped."""

    name: str
    engine: Timing
    floor: Timing
    micrograd: Timing | None
    torch: Timing | None
    micrograd_estimated: bool = False
    disagreements: tuple[str, ...] = ()  # references whose final weights differ from ours


@dataclass(frozen=True)
class TraceRow:
    name: str
    granularity: str
    steps: int
    trace: Timing
    gradients: Timing | None  # the fast path's loss_and_gradients on the same batch


def seed_problems() -> list[tuple[str, NetworkProblem]]:
    found = []
    for item in exercises.bundled():
        problem = exercises.load(item.path).problem
        if isinstance(problem, NetworkProblem):
            found.append((item.name, problem))
    return found


def mnist_sized_problem(rows: int = 64, seed: int = 0) -> NetworkProblem:
    """784-128-10 with a sigmoid hidden layer, batch GD on ``rows`` random images."""
    network = Network(784, (Layer(128, Activation("sigmoid")), Layer(10)), Loss())
    rng = np.random.default_rng(seed)
    inputs = rng.uniform(0.0, 1.0, size=(rows, 784))
    targets = np.eye(10)[rng.integers(0, 10, size=rows)]
    return NetworkProblem(network, random_parameters(network, seed), Dataset(inputs, targets),
                          Training(learning_rate=0.1))


def _agrees(problem: NetworkProblem, ours, theirs) -> bool:
    weights, biases = theirs
    mine = list(ours.weights) + [b for b in ours.biases if b is not None]
    other = list(weights) + [b for b in biases if b is not None]
    return all(np.allclose(a, b, rtol=AGREEMENT, atol=1e-12) for a, b in zip(mine, other,
                                                                              strict=True))


def update_row(name: str, problem: NetworkProblem, updates: int, *, repeat: int,
               micrograd: str = "run") -> UpdateRow:
    """Time ``updates`` updates per repeat with each implementation; report per update.

    ``micrograd`` is "run", "estimate" (one update on one row, scaled by the batch size: for
    networks where a full run would take minutes) or "skip".
    """
    def ours():
        return train(problem.network, problem.params, problem.data, problem.training, updates)

    final = ours().final
    floor = NumpyFloor(problem)
    disagreements = [] if _agrees(problem, final, floor.run(updates)) else ["NumPy"]
    per_update = lambda t: Timing(t.best / updates, t.median / updates, t.calls)  # noqa: E731
    engine_time = per_update(measure(ours, repeat=repeat))
    floor_time = per_update(measure(lambda: floor.run(updates), repeat=repeat))

    micro_time, estimated = None, False
    if micrograd != "skip":
        net = MicrogradNet(problem)
        if micrograd == "run":
            if not _agrees(problem, final, net.run(updates)):
                disagreements.append("micrograd")
            micro_time = per_update(measure(lambda: net.run(updates), repeat=repeat))
        else:
            one_row = [np.arange(1)]
            t = measure(lambda: net.run(1, rows=one_row), repeat=1, calls=1)
            rows = len(problem.first_batch())
            micro_time, estimated = Timing(t.best * rows, t.median * rows, 1), True

    torch_time = None
    if torch_available():
        net = TorchNet(problem)
        if not _agrees(problem, final, net.run(updates)):
            disagreements.append("PyTorch")
        torch_time = per_update(measure(lambda: net.run(updates), repeat=repeat))
    return UpdateRow(name, engine_time, floor_time, micro_time, torch_time, estimated,
                     tuple(disagreements))


def skipped_problems() -> list[tuple[str, str]]:
    """(name, reason) of the bundled networks the references cannot train."""
    return [(name, reason) for name, problem in seed_problems()
            if (reason := unsupported(problem)) is not None]


def update_rows(quick: bool) -> list[UpdateRow]:
    repeat = 3 if quick else 7
    rows = [update_row(name, problem, 200 if quick else 1000, repeat=repeat,
                       micrograd="run")
            for name, problem in seed_problems() if unsupported(problem) is None]
    big = mnist_sized_problem()
    rows.append(update_row("784-128-10 (batch 64)", big, 5 if quick else 20, repeat=repeat,
                           micrograd="skip" if quick else "estimate"))
    return rows


def long_training(name: str = "inf264-homework-4", updates: int = 10_000,
                  repeat: int = 3) -> tuple[Timing, Timing, float]:
    """``updates`` updates with the loss history, ours against the NumPy floor."""
    problem = dict(seed_problems())[name]
    ours = measure(lambda: train(problem.network, problem.params, problem.data,
                                 problem.training, updates), repeat=repeat, calls=1)
    floor = NumpyFloor(problem)
    reference = measure(lambda: floor.run(updates), repeat=repeat, calls=1)
    run = train(problem.network, problem.params, problem.data, problem.training, updates)
    return ours, reference, float(run.losses[-1])


def trace_rows(quick: bool) -> list[TraceRow]:
    rows = []
    repeat = 3 if quick else 7
    budget = 0.01 if quick else 0.03
    for item in exercises.bundled():
        problem = exercises.load(item.path).problem
        if not isinstance(problem, NetworkProblem):
            trace = problem.trace()
            rows.append(TraceRow(item.name, "expression", len(trace),
                                 measure(problem.trace, repeat=repeat, budget=budget), None))
            continue
        batch = problem.data.subset(problem.first_batch())
        gradients = measure(lambda p=problem, b=batch: loss_and_gradients(p.network, p.params, b),
                            repeat=repeat, budget=budget)
        for granularity in ("node", "layer"):
            trace = problem.trace(granularity)
            timing = measure(lambda p=problem, g=granularity: p.trace(g), repeat=repeat,
                             budget=budget)
            rows.append(TraceRow(item.name, granularity, len(trace), timing, gradients))
    return rows


def big_layer_trace(rows: int) -> tuple[int, float, float]:
    """The layer trace of 784-128-10 on ``rows`` samples: (steps, seconds of the first trace
    of a fresh network, best seconds of three more)."""
    problem = mnist_sized_problem(rows)
    problem = replace(problem, training=Training(learning_rate=0.1))
    start = time.perf_counter()
    trace = problem.trace("layer")
    first = time.perf_counter() - start
    return len(trace), first, measure(lambda: problem.trace("layer"), repeat=3, calls=1).best
