"""A layered (Sugiyama-style) layout for scalar graphs: sources on the left, the sink right.

Columns come from the longest path: an operation node sits one column right of its furthest
input.  A leaf (input, parameter, constant, target) is pulled right to sit just left of its
first consumer, so ``W2[0,1]`` stands next to ``z2[0]`` rather than far away with ``x``.
Rows are ordered by a few barycentre sweeps (each node moves towards the mean row of its
neighbours), keeping the ordering with the fewest edge crossings.  Ties keep the graph's
forward order, so the result is deterministic.  Rows are 0, 1, … within each column; the
view decides how to centre columns of different heights.
"""

from __future__ import annotations

from collections.abc import Sequence

from .graph import Graph

SWEEPS = 4  # down, up, down, up: enough for the small graphs a lesson uses


def layered_layout(graph: Graph) -> dict[str, tuple[int, int]]:
    """(column, row) of every node; every edge goes from a smaller to a larger column."""
    columns = _columns(graph)
    order = _initial_order(graph, columns)
    best, best_crossings = _copy(order), _crossings(graph, columns, order)
    for sweep in range(SWEEPS):
        downward = sweep % 2 == 0
        _sweep(graph, order, downward)
        crossings = _crossings(graph, columns, order)
        if crossings < best_crossings:
            best, best_crossings = _copy(order), crossings
    return {node: (col, row) for col, nodes in enumerate(best) for row, node in enumerate(nodes)}


def _columns(graph: Graph) -> dict[str, int]:
    column: dict[str, int] = {}
    for node in graph.nodes:
        if node.inputs:
            column[node.id] = 1 + max(column[i] for i in node.inputs)
        else:
            column[node.id] = 0
    for node in reversed(graph.nodes):  # consumers first, so their columns are final
        if node.op is None and not node.inputs and graph.consumers[node.id]:
            column[node.id] = min(column[c] for c, _ in graph.consumers[node.id]) - 1
    return column


def _initial_order(graph: Graph, columns: dict[str, int]) -> list[list[str]]:
    order: list[list[str]] = [[] for _ in range(max(columns.values(), default=-1) + 1)]
    for node in graph.nodes:
        order[columns[node.id]].append(node.id)
    return order


def _copy(order: list[list[str]]) -> list[list[str]]:
    return [list(col) for col in order]


def _centred_rows(order: list[list[str]]) -> dict[str, float]:
    """Row positions measured from each column's middle, so columns of any height compare."""
    return {node: row - (len(col) - 1) / 2 for col in order for row, node in enumerate(col)}


def _neighbours(graph: Graph, node: str, downward: bool) -> list[str]:
    if downward:  # moving left to right: look at the inputs
        return list(graph[node].inputs)
    return [consumer for consumer, _ in graph.consumers[node]]


def _sweep(graph: Graph, order: list[list[str]], downward: bool) -> None:
    indices = range(1, len(order)) if downward else range(len(order) - 2, -1, -1)
    for col in indices:
        rows = _centred_rows(order)
        current = {node: k for k, node in enumerate(order[col])}

        def barycentre(node: str, rows: dict[str, float] = rows,
                       current: dict[str, int] = current, col: int = col) -> float:
            near = _neighbours(graph, node, downward)
            if not near:
                return current[node] - (len(order[col]) - 1) / 2
            return sum(rows[n] for n in near) / len(near)

        order[col].sort(key=lambda n: (barycentre(n), current[n]))


def _crossings(graph: Graph, columns: dict[str, int], order: list[list[str]]) -> int:
    """Crossings among edges that join the same pair of columns (exact for adjacent ones)."""
    rows = {node: row for col in order for row, node in enumerate(col)}
    groups: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for node in graph.nodes:
        for source in node.inputs:
            span = (columns[source], columns[node.id])
            groups.setdefault(span, []).append((rows[source], rows[node.id]))
    total = 0
    for edges in groups.values():
        edges.sort()
        total += _inversions([target for _, target in edges])
    return total


def _inversions(values: Sequence[int]) -> int:
    """Pairs i < j with values[i] > values[j], by merge sort."""
    if len(values) < 2:
        return 0
    middle = len(values) // 2
    left, right = sorted(values[:middle]), sorted(values[middle:])
    count = _inversions(values[:middle]) + _inversions(values[middle:])
    j = 0
    for value in left:
        while j < len(right) and right[j] < value:
            j += 1
        count += j
    return count
