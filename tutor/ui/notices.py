"""What a student should notice: the engine's misconception flags, kept for the views.

The document owns one :class:`FlagWatch`.  It asks :func:`tutor.engine.flags.flags_for`
once per new trace (every edit, training run, undo, granularity or sample switch ends in
``trace_changed``), never per repaint, and the diagrams and the inspector read the result.
A flag shows once the cursor has reached its step; one without a step (the loss history)
shows always.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Signal

from tutor.engine import NetworkProblem, Step
from tutor.engine.flags import Flag, FlagKind, flags_for, history_flags

from . import style

if TYPE_CHECKING:
    from .document import Document, TrainingHistory

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
NOTICE_INK = style.BLACK  # on the notice's yellow in every theme
NOTICE_FILL = "#FFF4B0"  # a pale Okabe–Ito yellow, behind black text


def is_visible(flag: Flag, cursor: int) -> bool:
    return flag.step is None or flag.step <= cursor


def _tensor(node_id: str) -> str:
    return node_id.split("[")[0]


def concerns(flag: Flag, step: Step) -> bool:
    """Whether ``flag`` is about the node ``step`` computes (or its tensor, layer by
    layer), or about the whole run."""
    if flag.kind in GLOBAL_KINDS:
        return True
    return any(step.node in (node, _tensor(node)) for node in flag.nodes)


def compute_flags(document: Document) -> tuple[Flag, ...]:
    """The flags for the document's problem, trace and loss history up to the parameters
    in use.  A network too large to trace node by node gets only the history flags:
    ``flags_for`` builds its scalar graph (seconds for 784-128-10)."""
    problem = document.exercise.problem
    losses, diverged = _history_so_far(document.history)
    if isinstance(problem, NetworkProblem) and not document.node_granularity_allowed:
        return history_flags(problem, losses, diverged)
    return flags_for(problem, document.trace, losses, diverged_at=diverged)


def _history_so_far(history: TrainingHistory) -> tuple[np.ndarray, int | None]:
    """The losses up to the current parameters (a restored earlier point ignores later ones)."""
    losses = history.losses[: history.current + 1]
    diverged = history.diverged_at
    if diverged is not None and diverged > history.current:
        diverged = None
    return losses, diverged


class FlagWatch(QObject):
    """The current flags; ``changed`` after each recomputation."""

    changed = Signal()

    def __init__(self, document: Document) -> None:
        super().__init__(document)  # the parent is the document: no reference cycle
        self._flags: tuple[Flag, ...] = ()
        # connected in the document's constructor, so it runs before any view's handler
        document.trace_changed.connect(self._on_trace_change)
        self._flags = compute_flags(document)

    @property
    def _document(self) -> Document:
        return self.parent()

    @property
    def all(self) -> tuple[Flag, ...]:
        return self._flags

    def visible(self, cursor: int | None = None) -> tuple[Flag, ...]:
        cursor = self._document.cursor if cursor is None else cursor
        return tuple(f for f in self._flags if is_visible(f, cursor))

    def for_step(self, cursor: int | None = None) -> tuple[Flag, ...]:
        """The visible flags the inspector lists at ``cursor``."""
        cursor = self._document.cursor if cursor is None else cursor
        trace = self._document.trace
        if not 0 <= cursor < len(trace):
            return ()
        step = trace[cursor]
        return tuple(f for f in self.visible(cursor) if concerns(f, step))

    def _on_trace_change(self) -> None:
        self._flags = compute_flags(self._document)
        self.changed.emit()


def notice_html(flags: tuple[Flag, ...]) -> str:
    """The inspector's "Notice" box: a "!" mark, a bold title per flag and its plain words;
    empty when there is nothing to notice."""
    if not flags:
        return ""
    # smaller than the step's formula, which stays the page's main line on a projector
    items = "".join(f"<p style='margin: 4px 0'><small><b>{escape(TITLES[f.kind])}:</b> "
                    f"{escape(f.message)}</small></p>" for f in flags)
    cell = f"style='background-color: {NOTICE_FILL}; color: {NOTICE_INK}'"
    return (f"<table class='notice' width='100%' cellspacing='0' cellpadding='6' border='2' "
            f"style='border-color: {NOTICE_INK}; border-style: solid; margin-top: 8px'>"
            f"<tr><td {cell} valign='top' width='1'><b><big>&nbsp;!&nbsp;</big></b></td>"
            f"<td {cell}><b>Notice</b>{items}</td></tr></table>")


__all__ = ["GLOBAL_KINDS", "SHORT", "TITLES", "FlagWatch", "compute_flags", "concerns",
           "is_visible", "notice_html"]
