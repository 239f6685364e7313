"""What a student should notice: the engine's misconception flags, kept for the views.

The session asks :func:`tutor.engine.flags.flags_for` once per new trace (every edit,
training run, undo, granularity or sample switch makes one), never per repaint, and the
diagrams and the inspector read the result.  A flag shows once the cursor has reached its
step; one without a step (the loss history) shows always.
"""

from __future__ import annotations

from collections.abc import Callable

from tutor.engine import NetworkProblem, Step, Trace
from tutor.engine.flags import Flag, FlagKind, flags_for, history_flags
from tutor.engine.ids import tensor_of
from tutor.exercise.model import Problem

from .history import TrainingHistory

GLOBAL_KINDS = frozenset({FlagKind.RISING_LOSS, FlagKind.DIVERGED})
TITLES = {
    FlagKind.SATURATED: "Vanishing gradient",
    FlagKind.DEAD_RELU: "Dead ReLU",
    FlagKind.RISING_LOSS: "Loss rising",
    FlagKind.SHARED_NODE: "Shared node",
    FlagKind.DIVERGED: "Diverged",
}
SHORT = {  # the badge's word on the diagram
    FlagKind.SATURATED: "saturated",
    FlagKind.DEAD_RELU: "dead ReLU",
    FlagKind.RISING_LOSS: "loss rising",
    FlagKind.SHARED_NODE: "shared: Σ",
    FlagKind.DIVERGED: "diverged",
}


def is_visible(flag: Flag, cursor: int) -> bool:
    return flag.step is None or flag.step <= cursor


def concerns(flag: Flag, step: Step) -> bool:
    """Whether ``flag`` is about the node ``step`` computes (or its tensor, layer by
    layer), or about the whole run."""
    if flag.kind in GLOBAL_KINDS:
        return True
    return any(step.node in (node, tensor_of(node)) for node in flag.nodes)


def compute_flags(problem: Problem, trace: Trace, history: TrainingHistory,
                  node_allowed: bool) -> tuple[Flag, ...]:
    """The flags for ``problem``, its trace and its loss history up to the parameters in use.

    A network too large to trace node by node (``node_allowed`` false) gets only the
    history flags: ``flags_for`` builds its scalar graph (seconds for 784-128-10).
    """
    losses, diverged = history.so_far()
    if isinstance(problem, NetworkProblem) and not node_allowed:
        return history_flags(problem, losses, diverged)
    return flags_for(problem, trace, losses, diverged_at=diverged)


class Flags:
    """The current flags of a session, read against its trace and cursor."""

    def __init__(self, trace: Callable[[], Trace], cursor: Callable[[], int]) -> None:
        self._trace, self._cursor = trace, cursor
        self._flags: tuple[Flag, ...] = ()

    @property
    def all(self) -> tuple[Flag, ...]:
        return self._flags

    def set(self, flags: tuple[Flag, ...]) -> None:
        self._flags = flags

    def visible(self, cursor: int | None = None) -> tuple[Flag, ...]:
        cursor = self._cursor() if cursor is None else cursor
        return tuple(f for f in self._flags if is_visible(f, cursor))

    def for_step(self, cursor: int | None = None) -> tuple[Flag, ...]:
        """The visible flags the inspector lists at ``cursor``."""
        cursor = self._cursor() if cursor is None else cursor
        trace = self._trace()
        if not 0 <= cursor < len(trace):
            return ()
        step = trace[cursor]
        return tuple(f for f in self.visible(cursor) if concerns(f, step))
