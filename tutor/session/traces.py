"""Traces as a window shows them: of one sample or the whole batch, node by node or layer by
layer, with the last few kept for undo, redo and a finished Run.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Generator

from tutor.engine import Granularity, NetworkProblem, Trace
from tutor.engine.limits import LimitError
from tutor.engine.trace import Phase, run_to_end
from tutor.engine.training import Method
from tutor.exercise.model import Exercise, Problem

TRACES_KEPT = 4  # traces of recent problems, for undo/redo and a finished Run
LARGE_TRACES_KEPT = 1  # of a network too large to trace node by node (60 MB each): the newest
NODE_LIMIT = 2_000  # above this many scalar nodes a node-by-node trace takes too long to build


def compute_trace(problem: Problem, granularity: Granularity, sample: int | None,
                  hand: bool = False) -> Trace:
    """The trace of ``problem``; with ``sample`` set, of that one sample of the dataset;
    ``hand``: the hand calculation (tutor/engine/hand.py)."""
    return run_to_end(trace_parts(problem, granularity, sample, hand))


def trace_parts(problem: Problem, granularity: Granularity, sample: int | None,
                hand: bool = False) -> Generator[None, None, Trace]:
    """:func:`compute_trace` in parts: a layer-by-layer trace pauses after each sample."""
    if isinstance(problem, NetworkProblem):
        if sample is not None and len(problem.data) > 1:
            training = dataclasses.replace(problem.training, method=Method.BATCH)
            problem = dataclasses.replace(problem, data=problem.data.subset([sample]),
                                          training=training)
        return (yield from problem.trace_in_parts(granularity, hand=hand))
    trace = getattr(problem, "trace", None)
    return trace(hand=hand) if callable(trace) else Trace(())


def scalar_node_count(problem: Problem) -> int:
    """How many nodes a node-by-node trace of ``problem`` would draw (0 for non-networks).

    Every parameter is a leaf; each traced sample adds its inputs, targets and two nodes
    (pre-activation and activation) per unit.
    """
    if not isinstance(problem, NetworkProblem):
        return 0
    network = problem.network
    weights = sum(w.size for w in problem.params.weights)
    biases = sum(b.size for b in problem.params.biases if b is not None)
    per_sample = (network.input_size + network.output_size
                  + 2 * sum(layer.size for layer in network.layers))
    return weights + biases + len(problem.first_batch()) * per_sample


def node_granularity_allowed(problem: Problem) -> bool:
    if scalar_node_count(problem) > NODE_LIMIT:
        return False
    try:  # the engine's own cap (tutor/engine/limits.py) counts each weight per sample
        if isinstance(problem, NetworkProblem):
            problem.check_trace_size(Granularity.NODE)
    except LimitError:
        return False
    return True


def allowed_granularity(problem: Problem, preferred: Granularity) -> Granularity:
    """``preferred``, unless a network too large for nodes forces layers."""
    if preferred is Granularity.NODE and not node_granularity_allowed(problem):
        return Granularity.LAYER
    return preferred


def sample_count(problem: Problem) -> int:
    return len(problem.data) if isinstance(problem, NetworkProblem) else 0


class TraceCache:
    """The traces of the last few problems, by (problem, granularity, sample).

    Undo and redo go back to problems traced before, and a Run traces its final parameters
    between events before it is applied.
    """

    def __init__(self) -> None:
        self._traces: OrderedDict[tuple, tuple[Problem, Trace]] = OrderedDict()

    def trace_in_parts(self, problem: Problem, granularity: Granularity, sample: int | None,
                       hand: bool = False) -> Generator[None, None, Trace]:
        """The trace (see :func:`trace_parts`), from the cache or kept at the end."""
        key = (id(problem), granularity, sample, hand)
        hit = self._traces.get(key)
        if hit is not None and hit[0] is problem:  # the problem held keeps its id unique
            self._traces.move_to_end(key)
            return hit[1]
        trace = yield from trace_parts(problem, granularity, sample, hand)
        self._traces[key] = (problem, trace)
        # a large network's trace holds every sample's gradient matrices (784-128-10: 60 MB)
        kept = TRACES_KEPT if node_granularity_allowed(problem) else LARGE_TRACES_KEPT
        while len(self._traces) > kept:
            self._traces.popitem(last=False)
        return trace

    def __len__(self) -> int:
        return len(self._traces)


def same_structure(old: Exercise, new: Exercise) -> bool:
    """Whether the diagrams can stay: same network (or the same expression program)."""
    a, b = old.problem, new.problem
    if isinstance(a, NetworkProblem) and isinstance(b, NetworkProblem):
        return a.network == b.network
    return type(a) is type(b) and getattr(a, "program", None) == getattr(b, "program", None)


def matching_cursor(old: Trace, cursor: int, new: Trace) -> int:
    """The step of ``new`` at the same relative place within the same phase as ``cursor``."""
    if not len(old) or not len(new) or cursor < 0:
        return 0
    phase, position, count = old.phase_position(cursor)
    same = [s.index for s in new if s.phase == phase]
    if not same:
        return 0 if phase is Phase.FORWARD else len(new) - 1
    return same[min(len(same) - 1, max(0, round(position / count * len(same)) - 1))]
