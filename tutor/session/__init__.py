"""The state a window shows and the logic that changes it, without Qt (see
docs/architecture.md): the :class:`Session`, its training history, traces, flags and Runs."""

from .events import Event
from .flags import Flags
from .history import TrainingHistory
from .session import BEFORE_FIRST, Session, State
from .traces import NODE_LIMIT, node_granularity_allowed, sample_count, scalar_node_count
from .training import TrainingSession

__all__ = ["BEFORE_FIRST", "NODE_LIMIT", "Event", "Flags", "Session", "State",
           "TrainingHistory", "TrainingSession", "node_granularity_allowed", "sample_count",
           "scalar_node_count"]
