"""How far the cursor has got with one drawn item: the state every diagram item shows."""

from __future__ import annotations

from enum import StrEnum


class NodeState(StrEnum):
    """How far the cursor has got with one item."""

    PENDING = "pending"  # not computed yet: no number shown
    COMPUTED = "computed"  # computed by an earlier step
    CURRENT = "current"  # computed by the step under the cursor
    CACHED_READ = "cached_read"  # read from the cache by the step under the cursor
    GIVEN = "given"  # data, parameters and constants: known from the start
