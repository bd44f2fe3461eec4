"""Where a circuit's parts go on the page, and where each wire's numbers go so
that they touch nothing: the geometry the renderers share
(:func:`compgraph.draw.draw` with matplotlib, :func:`compgraph.page.page` as SVG).

Units are the drawing's: layers :data:`X_STEP` apart, heights :data:`Y_STEP`
apart, gates circles of :data:`RADIUS`, y up. A wire's numbers go at the
middle of its last stretch, the one into its gate, if that is clear of every
label and circle placed before; else they slide along the wire to the first
clear spot (:func:`place`), one that no other wire crosses first.

Examples
--------
>>> room = Room((0.0, 0.0, 10.0, 10.0))
>>> room.take_circle((2.0, 2.0))
>>> room.free((2.1, 2.1, 2.5, 2.3)), room.free((5.0, 5.0, 5.5, 5.2))
(False, True)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence

__all__ = [
    "BEND",
    "RADIUS",
    "X_STEP",
    "Y_STEP",
    "Box",
    "Room",
    "Stretch",
    "place",
    "point",
    "route",
]

#: Between layers, between heights in a layer, and a gate's radius.
X_STEP, Y_STEP, RADIUS = 2.6, 1.3, 0.3
#: How far wires between the same two nodes (``x * x``) arc apart.
BEND = 0.6
_GAP = 0.06  # from a wire to its labels
_PAD = 0.03  # the least room around a label
_SLIDE = 0.1  # how far a label slides along its wire at a time, looking for room
_STEP = 0.05  # between the points of a wire that tell which labels it crosses
_WIRE_CELL = 0.25  # the side of the squares those points are kept by

Point = tuple[float, float]
#: x0, y0, x1, y1.
Box = tuple[float, float, float, float]
#: A straight or arcing piece of a wire: its start, its end and its bend
#: (matplotlib's ``arc3`` ``rad``: 0 straight).
Stretch = tuple[Point, Point, float]


def point(place: tuple[int, float]) -> Point:
    """Where a node at ``place`` (layer, height; see :func:`compgraph.layout.layout`) goes."""
    return place[0] * X_STEP, place[1] * Y_STEP


def route(
    source: Point, from_gate: bool, via: Sequence[Point], target: Point | None, repeat: float
) -> list[Stretch]:
    """A wire's stretches, the one into its gate first: from the node at
    ``source`` (the edge of its circle if it is a gate, ``from_gate``)
    through ``via`` (the places of the layers it skips) to the edge of the
    circle at ``target`` (or, out of the output, ``None``, straight on to the
    right), its last stretch bent by ``BEND`` times ``repeat`` (for a wire of
    :class:`compgraph.layout.Wire`: ``repeat - (copies - 1) / 2``).

    Examples
    --------
    >>> route((0.0, 0.0), False, [], (2.6, 0.0), 0.0)
    [((0.0, 0.0), (2.3, 0.0), 0.0)]
    """
    points = [(source[0] + (RADIUS if from_gate else 0.0), source[1]), *via]
    if target is None:
        points.append((source[0] + X_STEP * 0.75, source[1]))
    else:
        (tx, ty), (px, py) = target, points[-1]
        angle = math.atan2(py - ty, px - tx)
        points.append((tx + RADIUS * math.cos(angle), ty + RADIUS * math.sin(angle)))
    return [(points[-2], points[-1], BEND * repeat)] + [
        (points[i], points[i + 1], 0.0) for i in reversed(range(len(points) - 2))
    ]


def place(
    room: Room, number: int, stretches: list[Stretch], labels: list[tuple[int, Box]]
) -> list[tuple[Point, Box]]:
    """Where the labels of wire ``number`` go, and take their room.

    ``labels`` are ``(side, box)``: 1 above the wire, -1 below; the label's
    box around its anchor. They go at the middle of the wire's last stretch
    if that is clear, else at the first clear spot sliding from there along
    that stretch by a tenth of a unit each way in turn, then along its
    earlier stretches, the last first; a spot no other wire crosses first,
    if there is one; at the middle if no spot is clear. Returns each label's
    anchor and its box there.
    """
    spots = (
        [_beside(at, normal, side, box) for side, box in labels]
        for start, end, bend in stretches
        for at, normal in (_on_arc(start, end, bend, t) for t in _slides(start, end))
    )
    middle = next(spots)
    clear = None  # the first spot clear of labels and circles, crossed by a wire
    for spot in itertools.chain([middle], spots):
        if all(room.free(box) for _, box in spot):
            if not any(room.crossed(box, number) for _, box in spot):
                break
            clear = clear or spot
    else:
        spot = clear or middle
    for _, box in spot:
        room.take(box)
    return spot


class Room:
    """What a label must not touch: the labels already placed (their boxes, as
    the renderer measures their text) and the gates' circles, each kept under
    the unit squares it covers so that a look-up only reads its neighbours;
    and the wires, to prefer a spot none crosses. ``limits`` is the drawing's
    (left, bottom, right, top): a label must lie inside."""

    def __init__(self, limits: Box) -> None:
        self._limits = limits
        self._boxes: dict[tuple[int, int], list[Box]] = {}
        self._circles: dict[tuple[int, int], list[Point]] = {}
        self._wires: dict[tuple[int, int], list[tuple[float, float, int]]] = {}

    def take(self, box: Box) -> None:
        """Keep ``box`` clear from now on."""
        for cell in _cells(box):
            self._boxes.setdefault(cell, []).append(box)

    def take_circle(self, centre: Point) -> None:
        """Keep a gate's circle at ``centre`` clear from now on."""
        x, y = centre
        for cell in _cells((x - RADIUS, y - RADIUS, x + RADIUS, y + RADIUS)):
            self._circles.setdefault(cell, []).append(centre)

    def take_wire(self, number: int, stretches: list[Stretch]) -> None:
        """Keep points ``_STEP`` apart along wire ``number``, to tell which
        labels it would cross."""
        for start, end, bend in stretches:
            count = math.ceil(math.dist(start, end) / _STEP)
            for k in range(count + 1):
                (x, y), _ = _on_arc(start, end, bend, k / count)
                cell = (math.floor(x / _WIRE_CELL), math.floor(y / _WIRE_CELL))
                self._wires.setdefault(cell, []).append((x, y, number))

    def crossed(self, box: Box, number: int) -> bool:
        """Whether a wire other than wire ``number`` passes through ``box``."""
        return any(
            box[0] <= x <= box[2] and box[1] <= y <= box[3] and other != number
            for cell in _cells(box, _WIRE_CELL)
            for x, y, other in self._wires.get(cell, ())
        )

    def free(self, box: Box) -> bool:
        """Whether ``box`` lies in the drawing at least ``_PAD`` from every
        label and circle kept so far."""
        left, bottom, right, top = self._limits
        x0, y0, x1, y1 = box
        if x0 < left or y0 < bottom or x1 > right or y1 > top:
            return False
        padded = (x0 - _PAD, y0 - _PAD, x1 + _PAD, y1 + _PAD)
        for cell in _cells(padded):
            for other in self._boxes.get(cell, ()):
                if _overlap(padded, other):
                    return False
            for x, y in self._circles.get(cell, ()):
                nearest = (min(max(x, x0), x1), min(max(y, y0), y1))
                if math.dist(nearest, (x, y)) < RADIUS + _PAD:
                    return False
        return True


def _overlap(one: Box, other: Box) -> bool:
    return one[0] < other[2] and other[0] < one[2] and one[1] < other[3] and other[1] < one[3]


def _cells(box: Box, side: float = 1.0) -> Iterator[tuple[int, int]]:
    """The squares of ``side`` units that ``box`` touches."""
    for i in range(math.floor(box[0] / side), math.floor(box[2] / side) + 1):
        for j in range(math.floor(box[1] / side), math.floor(box[3] / side) + 1):
            yield i, j


def _slides(start: Point, end: Point) -> list[float]:
    """Where along a stretch (0 its start, 1 its end) its labels may go: the
    middle, then ``_SLIDE`` further each way in turn, towards its end first,
    up to a tenth of the stretch from either end."""
    step = _SLIDE / math.dist(start, end)
    count = int(0.4 / step)
    return [0.5] + [0.5 + sign * k * step for k in range(1, count + 1) for sign in (1, -1)]


def _on_arc(start: Point, end: Point, bend: float, t: float) -> tuple[Point, Point]:
    """The point at ``t`` along the arc matplotlib draws from ``start`` to
    ``end`` (``arc3`` with ``rad`` ``bend``: a quadratic Bézier curve), and the
    unit normal there that points up."""
    (sx, sy), (ex, ey) = start, end
    cx, cy = (sx + ex) / 2 + bend * (ey - sy), (sy + ey) / 2 - bend * (ex - sx)
    x = (1 - t) ** 2 * sx + 2 * t * (1 - t) * cx + t**2 * ex
    y = (1 - t) ** 2 * sy + 2 * t * (1 - t) * cy + t**2 * ey
    dx = (1 - t) * (cx - sx) + t * (ex - cx)
    dy = (1 - t) * (cy - sy) + t * (ey - cy)
    length = math.hypot(dx, dy)
    normal = (-dy / length, dx / length)
    return (x, y), normal if normal[1] >= 0 else (-normal[0], -normal[1])


def _beside(at: Point, normal: Point, side: int, box: Box) -> tuple[Point, Box]:
    """Where a label goes on the ``side`` of the wire through ``at`` (1:
    where ``normal`` points, -1: the other), its box's nearest corner ``_GAP``
    from the wire: its anchor, and its box there (``box`` is its box around
    its anchor)."""
    nx, ny = normal[0] * side, normal[1] * side
    nearest = min(x * nx + y * ny for x in (box[0], box[2]) for y in (box[1], box[3]))
    ax, ay = at[0] + nx * (_GAP - nearest), at[1] + ny * (_GAP - nearest)
    return (ax, ay), (box[0] + ax, box[1] + ay, box[2] + ax, box[3] + ay)
