"""Where each diagram text goes: the first free place among its candidates, or nowhere.

Texts are placed in order of importance: what the current step computes and reads first
(those must show, so they search further), then the other adjoints, flag badges, captions,
and last the labels of edges the step does not touch.  A text takes the first candidate
that overlaps no node and no text already placed; a text that finds none is hidden and its
owner's tooltip says it instead.  Everything scales with the view's zoom alike, so a
placement free of overlaps at one zoom is free of them at every zoom.

Pure geometry over ``(left, top, right, bottom)`` tuples and a grid of cells, so a sweep
over hundreds of steps stays cheap (no Qt call per comparison).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

Box = tuple[float, float, float, float]  # left, top, right, bottom
Point = tuple[float, float]

FAR_ROWS = 6  # how many rows away from its node a text that must show may go


@dataclass
class Request:
    """One text to place: its size, its candidate centres (best first), whether it must."""

    key: object
    width: float
    height: float
    candidates: Iterable[Point]
    must: bool = False
    reach: bool = True  # with a focus, may go further than NEAR to keep it smaller
    owner: Box | None = None  # its node: a text further than NEAR stays nearer it than others


@dataclass
class _Grid:
    """Boxes already taken, bucketed by cell so a test looks at its neighbours only."""

    cell: float
    cells: dict[tuple[int, int], list[Box]] = field(default_factory=dict)

    def _keys(self, box: Box) -> Iterator[tuple[int, int]]:
        for i in range(int(box[0] // self.cell), int(box[2] // self.cell) + 1):
            for j in range(int(box[1] // self.cell), int(box[3] // self.cell) + 1):
                yield i, j

    def add(self, box: Box) -> None:
        for key in self._keys(box):
            self.cells.setdefault(key, []).append(box)

    def free(self, box: Box) -> bool:
        for key in self._keys(box):
            for other in self.cells.get(key, ()):
                if box[0] < other[2] and other[0] < box[2] and box[1] < other[3] \
                        and other[1] < box[3]:
                    return False
        return True


NEAR = 12  # a text that must show takes, of its first this many candidates, the one that
# widens the focus least: "read" beside a node rather than below the focus's last row made
# the view zoom out less (a view fits the focus, so each row it adds shrinks every label)


@dataclass
class Focus:
    """The rectangle a view keeps in sight, growing as the texts that must show are placed;
    ``aspect`` (the view's width over its height) weighs its width against its height."""

    box: Box | None
    aspect: float = 1.0

    def cost(self, box: Box) -> float:
        left, top, right, bottom = self.united(box)
        return max((right - left) / self.aspect, bottom - top)

    def united(self, box: Box) -> Box:
        if self.box is None:
            return box
        a = self.box
        return min(a[0], box[0]), min(a[1], box[1]), max(a[2], box[2]), max(a[3], box[3])


def place(obstacles: Iterable[Box], requests: Iterable[Request], gap: float,
          cell: float = 120.0, focus: Focus | None = None) -> dict[object, Point | None]:
    """The centre each request gets (None: hidden), ``gap`` kept around every text."""
    grid = _Grid(cell)
    obstacles = list(obstacles)
    for box in obstacles:
        grid.add(box)
    placed: dict[object, Point | None] = {}
    for request in requests:
        ranked = focus if request.must else None
        chosen = _choose(grid, request, gap, ranked, obstacles)
        placed[request.key] = None if chosen is None else chosen[0]
        if chosen is not None:
            grid.add(chosen[1])
            if ranked is not None:
                ranked.box = ranked.united(chosen[1])
    return placed


def _distance(point: Point, box: Box) -> float:
    dx = max(box[0] - point[0], 0.0, point[0] - box[2])
    dy = max(box[1] - point[1], 0.0, point[1] - box[3])
    return dx * dx + dy * dy


def _own(point: Point, owner: Box | None, others: list[Box]) -> bool:
    """Whether ``point`` is nearer its node than any other (else it reads as theirs: z's
    adjoint above y read as y's)."""
    if owner is None:
        return True
    mine = _distance(point, owner)
    return all(_distance(point, box) > mine for box in others if box != owner)


def _choose(grid: _Grid, request: Request, gap: float, focus: Focus | None,
            others: list[Box] = ()) -> tuple[Point, Box] | None:
    """The first free candidate.  With a focus: the free one among the first NEAR that
    widens it least (the earlier of equals), or a later one nearest its node if that widens
    it less still (CMU's "shared: Σ" beside z's adjoint, not left of z: 15 % narrower)."""
    half_w, half_h = request.width / 2 + gap, request.height / 2 + gap
    near: list[tuple[float, Point, Box]] = []
    far: list[tuple[float, float, Point, Box]] = []
    origin: Point | None = None
    for n, (x, y) in enumerate(request.candidates):
        origin = origin or (x, y)  # the first candidate stands next to the node
        box = (x - half_w, y - half_h, x + half_w, y + half_h)
        if not grid.free(box):
            continue
        if focus is None:
            return (x, y), box
        if n < NEAR:
            near.append((round(focus.cost(box)), (x, y), box))
        elif near and not request.reach:
            break
        elif _own((x, y), request.owner, others):
            distance = (x - origin[0]) ** 2 + (y - origin[1]) ** 2
            far.append((round(focus.cost(box)), distance, (x, y), box))
    best_near = min(near, key=lambda choice: choice[0], default=None)
    best_far = min(far, key=lambda choice: choice[:2], default=None)
    if best_far is not None and (best_near is None or best_far[0] < best_near[0]):
        return best_far[2], best_far[3]
    return None if best_near is None else (best_near[1], best_near[2])


def around(body: Box, width: float, height: float, gap: float, *, below_first: bool = False,
           far: bool = False) -> Iterator[Point]:
    """Candidate centres for a ``width`` × ``height`` text beside a node's ``body``: just
    above or below it, then beside it, then further rows (only when ``far``)."""
    left, top, right, bottom = body
    cx, cy = (left + right) / 2, (top + bottom) / 2
    gap = 2 * gap + 0.5  # both boxes keep ``gap`` around them, and touching is not free
    row = height + gap
    above = [top - gap - height / 2 - k * row for k in range(FAR_ROWS if far else 2)]
    below = [bottom + gap + height / 2 + k * row for k in range(FAR_ROWS if far else 2)]
    first, second = (below, above) if below_first else (above, below)
    shifts = (0.0, -width / 2, width / 2, -width, width)
    for s in shifts[:3]:  # just above or below, centred or half a width aside
        yield cx + s, first[0]
        yield cx + s, second[0]
    side_x = (right + gap + width / 2, left - gap - width / 2)
    for y in (cy, cy - row / 2, cy + row / 2):
        for x in side_x:
            yield x, y
    for k in range(len(first)):
        for s in shifts:
            yield cx + s, first[k]
            yield cx + s, second[k]
    if far:
        for k in range(1, FAR_ROWS):
            for y in (cy - k * row / 2, cy + k * row / 2):
                for x in side_x:
                    yield x, y
                    yield x + (width + gap) * (1 if x > cx else -1), y


def along(start: Point, end: Point, fractions: Iterable[float], offsets: Iterable[float]
          ) -> Iterator[Point]:
    """Candidate centres on the segment ``start`` → ``end`` at ``fractions`` of its length,
    then shifted sideways (perpendicular) by each of ``offsets`` in turn."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = max((dx * dx + dy * dy) ** 0.5, 1e-9)
    nx, ny = -dy / length, dx / length
    fractions = tuple(fractions)
    for d in offsets:  # on the edge anywhere first, then beside it
        for t in fractions:
            yield start[0] + dx * t + nx * d, start[1] + dy * t + ny * d
