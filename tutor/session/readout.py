"""What each diagram item shows at a cursor position: lookups in the trace, no Qt.

A node's value or adjoint is shown once the step that computes it is at or before the
cursor (``trace.producer`` gives that step in O(1), so a cursor move costs one lookup per
drawn item whatever the trace length).  Leaves (inputs, targets, parameters, constants) are
given from the start.  At layer granularity steps name whole tensors (``z1``, ``W1``); a
scalar id such as ``W1[0,1]`` is read as one element of its tensor.
"""

from __future__ import annotations

import numpy as np

from tutor.engine import Key, NetworkProblem, Phase, Quantity, Step, Trace, ids
from tutor.engine.ids import ScalarId, parse_id
from tutor.engine.network_graph import sample_values
from tutor.engine.notation import format_number
from tutor.engine.sheet_layout import display_entry, shown_tensor
from tutor.exercise.model import Problem

from .node_states import NodeState
from .samples import shown_sample


def is_layer_trace(trace: Trace) -> bool:
    return bool(len(trace)) and trace[0].granularity == "layer"


def is_batch_step(trace: Trace, cursor: int) -> bool:
    """Whether the step at ``cursor`` is about the whole batch (an average, an update) in a
    trace whose other steps are per sample: it shows no one sample's numbers."""
    if not 0 <= cursor < len(trace) or trace[cursor].sample is not None:
        return False
    return any(step.sample is not None for step in trace.steps)


def sample_note(sample: int | None, count: int) -> str:
    """Says that one sample of several is shown and how to see them all; "" otherwise."""
    shown = shown_sample(sample, count)
    return (f"Showing {shown.lower()} — choose All samples in the toolbar for the whole batch"
            if shown else "")


def view_sample(trace: Trace, cursor: int) -> int | None:
    """The sample whose pass the cursor is in (or has just finished); None at a batch step."""
    if is_batch_step(trace, cursor):
        return None
    for step in reversed(trace.steps[: cursor + 1]):
        if step.sample is not None:
            return step.sample
    for step in trace.steps[cursor + 1:]:
        if step.sample is not None:
            return step.sample
    return None


class Readout:
    """Answers "what does item X show at this cursor?" for one trace and problem."""

    def __init__(self, trace: Trace, problem: Problem | None,
                 shown_row: int | None = None) -> None:
        self.trace = trace
        self.problem = problem
        self.layered = is_layer_trace(trace)
        self._shown_row = shown_row
        # parameters are read from their tensors on demand: a dict of every weight of a
        # 784-128-10 network cost ~40 ms per edit and ~10 ms per cursor move to build
        self._params = problem.params if isinstance(problem, NetworkProblem) else None
        self.cursor = 0
        self.sample: int | None = None
        self.batch = False  # at an average or update: batch quantities only
        self.step: Step | None = None
        self._leaves: dict[str, float] = {}
        self._cached: set[str] = set()  # adjoints the step reuses from the cache
        self._read: set[str] = set()  # values a forward step reads

    # -- cursor ---------------------------------------------------------------------------

    def move(self, cursor: int) -> None:
        self.cursor = cursor
        self.step = self.trace[cursor] if 0 <= cursor < len(self.trace) else None
        self.sample = view_sample(self.trace, cursor)
        self.batch = is_batch_step(self.trace, cursor)
        self._leaves = {} if self.batch else self._leaf_values()  # no one sample's data
        reads = self.step.reads if self.step is not None else ()
        self._cached = {k.node for k in reads if k.quantity is Quantity.ADJOINT}
        # A backward step also lists every other input of the consumer it differentiates;
        # only the reused adjoints are worth pointing at there.
        forward = self.step is not None and self.step.phase is Phase.FORWARD
        self._read = {k.node for k in reads if forward and k.quantity is Quantity.VALUE}

    def _leaf_values(self) -> dict[str, float]:
        if not isinstance(self.problem, NetworkProblem):
            leaves = getattr(self.problem, "leaves", None)  # an expression's variables
            return leaves() if callable(leaves) else {}
        data = self.problem.data
        row = self.sample
        if row is None:
            row = self._shown_row if self._shown_row is not None else int(
                self.problem.first_batch()[0])
        if not 0 <= row < len(data):
            row = 0
        return sample_values(data, row)

    # -- numbers --------------------------------------------------------------------------

    def given(self, node_id: str) -> float | None:
        """Inputs, targets, parameters and constant 1s: known before any step."""
        parsed = parse_id(node_id)
        if parsed is not None and parsed.prefix == ids.INTERCEPT:
            return 1.0
        value = self._leaves.get(node_id)
        return value if value is not None else self._parameter(node_id)

    def _parameter(self, node_id: str) -> float | None:
        """A weight ``W1[j,i]`` or bias ``b1[j]`` of the problem's parameters."""
        if self._params is None:
            return None
        parsed = parse_id(node_id)
        if parsed is None or not parsed.is_parameter or not parsed.index:
            return None
        n = parsed.layer - 1
        if not 0 <= n < len(self._params.weights):
            return None
        tensor = (self._params.weights[n] if parsed.prefix == ids.WEIGHT
                  else self._params.biases[n])
        if tensor is None or len(parsed.index) != tensor.ndim:
            return None
        if not all(0 <= i < size for i, size in zip(parsed.index, tensor.shape, strict=True)):
            return None
        return float(tensor[parsed.index])

    def value(self, node_id: str) -> float | None:
        given = self.given(node_id)
        if given is not None:
            return given
        return self._lookup(Quantity.VALUE, node_id, self.sample)

    def adjoint(self, node_id: str) -> tuple[float | None, bool]:
        """(∂ℓ/∂node for the sample shown, or the batch's ∂L/∂node once averaged; is_batch)."""
        if self.sample is not None:
            batch = self._lookup(Quantity.ADJOINT, node_id, None)
            if batch is not None:
                return batch, True
        return self._lookup(Quantity.ADJOINT, node_id, self.sample), False

    def adjoint_text(self, node_id: str, symbol: str, loss: str, batch_loss: str) -> str:
        """``∂ℓ/∂a₁ = 4`` once known (``∂L/∂w`` for a batch average), else empty."""
        value, batch = self.adjoint(node_id)
        if value is None:
            return ""
        return f"∂{batch_loss if batch else loss}/∂{symbol} = {format_number(value)}"

    def updated(self, node_id: str) -> float | None:
        return self._lookup(Quantity.UPDATED, node_id, None)

    def _lookup(self, quantity: Quantity, node_id: str, sample: int | None) -> float | None:
        if not self.layered:
            return self._known(Key(quantity, node_id, sample))
        parsed = parse_id(node_id)
        if parsed is None:
            return None
        if node_id == ids.LOSS:
            return self._known(Key(quantity, ids.LOSS, sample))
        tensor, element = self._layer_element(parsed)
        if tensor is None:
            return None
        array = self._known_array(Key(quantity, tensor, sample))
        if array is None:
            return None
        return element(array)

    def _known(self, key: Key) -> float | None:
        index = self.trace.producer.get(key)
        if index is None or index > self.cursor:
            return None
        result = self.trace[index].result
        return float(result) if np.ndim(result) == 0 else None

    def _known_array(self, key: Key) -> np.ndarray | None:
        index = self.trace.producer.get(key)
        if index is None or index > self.cursor:
            return None
        return np.asarray(self.trace[index].result, dtype=float)

    def _layer_element(self, parsed: ScalarId):
        """(tensor step id, function taking the tensor to this scalar) at layer granularity."""
        problem = self.problem
        if not isinstance(problem, NetworkProblem) or (
                parsed.layer is None and parsed.prefix not in (ids.INPUT, ids.TARGET)):
            return None, None
        if parsed.prefix in (ids.INPUT, ids.TARGET, ids.RESIDUAL, ids.PRE, ids.ACT):
            k = parsed.index[0] if parsed.index else 0
            return parsed.tensor, lambda a: float(np.ravel(a)[k])
        entry = display_entry(problem.network, str(parsed))
        if entry is not None:
            # the step's tensor is what the sheet writes: a display matrix or a bias vector
            tensor, index = entry
            if len(index) == 1:
                return tensor, lambda a: float(np.ravel(a)[index[0]])
            return tensor, lambda a: float(np.asarray(a, dtype=float)[index])
        return None, None

    # -- highlight ------------------------------------------------------------------------

    def _tensor_of(self, node_id: str) -> str:
        """The layer-granularity step id an item belongs to (folded biases sit in W)."""
        parsed = parse_id(node_id)
        if parsed is None or node_id == ids.LOSS:
            return node_id
        if isinstance(self.problem, NetworkProblem):
            shown = shown_tensor(self.problem.network, node_id)
            if shown is not None:
                return shown
        return parsed.tensor

    def state(self, node_id: str, *, leaf: bool) -> NodeState:
        """Current, cached read, computed, given or pending."""
        target = self._tensor_of(node_id) if self.layered else node_id
        step = self.step
        if step is not None and step.node == target:
            return NodeState.CURRENT
        if target in self._cached or target in self._read:
            return NodeState.CACHED_READ
        if leaf:
            return NodeState.GIVEN
        value_known = self._lookup(Quantity.VALUE, node_id, self.sample) is not None
        return NodeState.COMPUTED if value_known else NodeState.PENDING

    def badge(self, node_id: str) -> str:
        """The badge of a cached-read item: "cached ∂" for a reused adjoint, else "read"."""
        target = self._tensor_of(node_id) if self.layered else node_id
        return "cached ∂" if target in self._cached else "read"
