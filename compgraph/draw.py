"""Drawing a circuit as an image, as the lectures draw it (matplotlib, the ``viz`` extra).

Each node at its place from :mod:`compgraph.layout`, gates as circles, and on
every wire its value (green, above) and, after a backward pass, the gradient
flowing back along it (red, below), placed where they touch no other label
and no circle. matplotlib is imported only when
:func:`draw` is called.

Examples
--------
>>> from compgraph import ComputationalGraph
>>> g = ComputationalGraph.from_expression("(x + y) * z")
>>> _ = g.forward(x=-2, y=5, z=-4), g.backward()
>>> import pathlib, tempfile
>>> path = draw(g, pathlib.Path(tempfile.mkdtemp()) / "f.svg")
>>> path.name, "-12" in path.read_text()
('f.svg', True)
"""

from __future__ import annotations

import io
import itertools
import math
import os
import warnings
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape as xml_escape

from compgraph.bookkeeping import fork_gradients
from compgraph.errors import NodeNotFoundError
from compgraph.layout import (
    GRADIENT_COLOR,
    NAME_LIMIT,
    NUMBER_LIMIT,
    VALUE_COLOR,
    Wire,
    arrange,
    check_drawable,
    node_label,
    part_wires,
    readable,
    wires,
)
from compgraph.table import format_number

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    from compgraph.graph import ComputationalGraph

__all__ = ["FORMATS", "draw", "fork_sums"]

#: The image types :func:`draw` writes, by the file's suffix.
FORMATS = (".svg", ".png", ".pdf")
_FORMATS_TEXT = ".svg, .png or .pdf"

_X_STEP, _Y_STEP, _RADIUS = 2.6, 1.3, 0.3
_BEND = 0.6  # how far wires between the same two nodes arc apart
_SYMBOL_LIMIT = 10  # a gate's label, in its circle
_DPI = 150
_MAX_PIXELS = 8000  # a PNG's longer side; a larger circuit gets a lower resolution
_INK = "#333333"
_BOX = (0.7, 0.26)  # a blank's width and height
_GAP = 0.06  # from a wire to its labels
_PAD = 0.03  # the least room around a label
_SLIDE = 0.1  # how far a label slides along its wire at a time, looking for room
_STEP = 0.05  # between the points of a wire that tell which labels it crosses
_WIRE_CELL = 0.25  # the side of the squares those points are kept by
#: Metadata left out of each image type, so that one circuit always makes the same file.
_NO_DATES: dict[str, dict[str, Any]] = {
    ".svg": {"Date": None},
    ".png": {"Software": None},
    ".pdf": {"CreationDate": None, "Producer": None},
}
_Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in data units
_Stretch = tuple[tuple[float, float], tuple[float, float], float]  # start, end, bend
_SUM_STYLE = {"color": GRADIENT_COLOR, "fontsize": 9, "fontweight": "bold", "zorder": 5}
_SUM_LEGEND = "Σ: at a fork, the node's gradient, the sum of its wires'"


def draw(
    graph: ComputationalGraph,
    path: str | os.PathLike[str],
    digits: int = 2,
    *,
    blank: Collection[tuple[str, str]] = (),
    numbers: bool = True,
    nodes: Collection[str] | None = None,
) -> Path:
    """Write the circuit of ``graph`` as an image, its type by the file's suffix.

    At a fork (a node feeding several wires) each wire carries its share of
    the gradient and the node its sum, ``Σ`` (see :func:`fork_sums`).

    Parameters
    ----------
    graph : ComputationalGraph
        Values and gradients of its latest pass go on the wires; a graph
        before any pass is drawn bare.
    path : str or path-like
        Where to write; ``.svg`` (text kept as text), ``.png`` or ``.pdf``
        (for slides).
    digits : int, optional
        Decimals to round to (2, as the lectures).
    blank : collection of (node, "value" or "grad"), optional
        Numbers to leave as empty boxes, for a worksheet: a node's value on
        every wire out of it, its gradient under every wire out of it (at a
        fork, each share, and no sum on the node). A mapping gives each box a tag to write in it
        small (the question's number). The legend says what the boxes ask.
    numbers : bool, optional
        ``False``: the circuit alone, no values, gradients or legend (to ask
        what they are, or to show the wiring).
    nodes : collection of str, optional
        Draw only the part these nodes make, with the nodes feeding it from
        outside as its leaves and a wire out of each node whose value leaves
        the part, carrying the gradient that came back from outside (see
        :func:`compgraph.layout.part_wires`).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    OutputError
        If the graph is empty or has several outputs.
    ValueError
        If ``path`` is empty or its suffix is none of ``.svg``, ``.png``, ``.pdf``,
        ``digits`` is not a whole number from 0 to 20, ``nodes`` is empty, or
        ``blank`` is given with ``numbers=False``.
    NodeNotFoundError
        If ``nodes`` or ``blank`` names a node not in the graph.
    IsADirectoryError
        If ``path`` is a folder.
    FileNotFoundError
        If the folder ``path`` names does not exist.
    OSError
        If the file cannot be written.
    ImportError
        If matplotlib is not installed (``pip install "compgraph[viz]"``).

    Notes
    -----
    Every label is drawn literally (never as mathtext or TeX) as
    :func:`compgraph.layout.readable` shows it: characters that cannot be shown
    as their escapes, a node's name in at most 30 characters and a gate's
    symbol in at most 10, the middle of a longer one cut out for an ellipsis
    (an SVG keeps the whole text as the label's ``<title>``, its tooltip). The
    numbers on the wires are those of :func:`compgraph.layout.wires`, one line
    each. A character the font lacks is a box in a PNG; an SVG keeps it as text
    for the viewer's fonts. A PNG is at most 8000 pixels wide and high: a
    circuit too large for that at 150 dots per inch is written at a lower
    resolution (its SVG keeps every detail).

    No two labels touch (the numbers, blank boxes, names, sums and the
    legend, as the figure's renderer measures them), nor a label a gate's
    circle: a wire's numbers go at the middle of its last stretch, or slide
    along the wire from there to the first spot clear of what is drawn (one
    no other wire crosses first), and stay at the middle only where the whole
    wire has no clear spot.
    """
    path = _checked_path(path)
    suffix = path.suffix.lower()
    check_drawable(graph, "draw")
    lines = wires(graph, digits) if nodes is None else part_wires(graph, nodes, digits)
    boxes = _boxes(graph, blank)
    if not numbers:
        if boxes:
            raise ValueError("draw: blank boxes are for numbers; give no blank with numbers=False")
        lines = [replace(wire, value=None, gradient=None) for wire in lines]
    try:
        import matplotlib
    except ImportError as exc:
        raise ImportError(
            'draw needs matplotlib: pip install "compgraph[viz]" (or pip install matplotlib)'
        ) from exc

    image = io.BytesIO()
    with (
        matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "compgraph"}),
        warnings.catch_warnings(),
    ):
        # A character the font lacks is drawn as a box in a PNG (an SVG keeps it as text).
        warnings.filterwarnings("ignore", "Glyph .* missing from font", UserWarning)
        figure, titles = _circuit(graph, nodes, lines, boxes, digits, numbers)
        figure.savefig(image, format=suffix[1:], dpi=figure.get_dpi(), metadata=_NO_DATES[suffix])
    data = image.getvalue()
    if titles and suffix == ".svg":
        data = _add_titles(data.decode("utf-8"), titles).encode("utf-8")
    path.write_bytes(data)
    return path


def _circuit(
    graph: ComputationalGraph,
    nodes: Collection[str] | None,
    lines: list[Wire],
    boxes: dict[tuple[str, str], str],
    digits: int,
    numbers: bool,
) -> tuple[Figure, dict[str, str]]:
    """The figure :func:`draw` saves, and the whole text of each shortened
    label by its group's id."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Circle

    places, paths = arrange(graph, nodes)
    points = {name: _point(place) for name, place in places.items()}
    bends = {edge: [_point(place) for place in path] for edge, path in paths.items()}
    heights = [y for _, y in points.values()] + [y for path in bends.values() for _, y in path]
    labels = {name: node_label(graph, name) for name in points}
    sums = fork_sums(graph, digits, boxes) if numbers else {}
    sums = {name: text for name, text in sums.items() if name in points}
    leaves = [len(readable(label, NAME_LIMIT)) for label, is_gate in labels.values() if not is_gate]
    leaves += [len(text) for name, text in sums.items() if not labels[name][1]]
    left = -0.3 - 0.13 * max(leaves, default=0)
    right = max(x for x, _ in points.values()) + _X_STEP
    bottom, top = min(heights) - 1.0, max(heights) + 0.7
    scale = 0.75  # inches per unit
    size = ((right - left) * scale, (top - bottom) * scale)
    dpi = min(_DPI, _MAX_PIXELS / max(size))
    figure = Figure(figsize=size, dpi=dpi)
    axes = figure.add_axes((0.0, 0.0, 1.0, 1.0))
    axes.set_xlim(left, right)
    axes.set_ylim(bottom, top)
    axes.set_aspect("equal")
    axes.axis("off")
    renderer = FigureCanvasAgg(figure).get_renderer()  # type: ignore[no-untyped-call]
    room = _Room(axes, renderer, (left, bottom, right, top))

    gates = set()
    titles: dict[str, str] = {}  # a shortened label's group id: its whole text
    for name, (x, y) in points.items():
        label, is_gate = labels[name]
        shown = readable(label, _SYMBOL_LIMIT if is_gate else NAME_LIMIT)
        gid = None
        if shown != readable(label):
            gid = f"compgraph-label-{len(titles)}"
            titles[gid] = readable(label)
        if is_gate:
            gates.add(name)
            axes.add_patch(
                Circle((x, y), _RADIUS, facecolor="white", edgecolor=_INK, linewidth=1.2, zorder=3)
            )
            room.take_circle((x, y))
            room.take(
                _text(axes, x, y, shown, ha="center", va="center", fontsize=11, zorder=4, gid=gid)
            )
            if name.isidentifier() and name != label:  # a name given to it: q, f
                named = readable(name, NAME_LIMIT)
                room.take(
                    _text(axes, x, y + _RADIUS + 0.08, named, ha="center", va="bottom", fontsize=9)
                )
        else:
            room.take(
                _text(axes, x - 0.08, y, shown, ha="right", va="center", fontsize=11, gid=gid)
            )
    for name, text in sums.items():
        x, y = points[name]
        if name in gates:
            room.take(_text(axes, x, y - _RADIUS - 0.06, text, ha="center", va="top", **_SUM_STYLE))
        else:
            room.take(_text(axes, x - 0.08, y - 0.14, text, ha="right", va="top", **_SUM_STYLE))
    if numbers:
        legend = _legend(lines, boxes) + (f"; {_SUM_LEGEND}" if sums else "")
        room.take(_text(axes, left + 0.1, bottom + 0.15, legend, fontsize=7, color="#666666"))
    stretches = []  # each wire's, the one into its gate first
    for number, wire in enumerate(lines):
        sx, sy = points[wire.source]
        start = (sx + (_RADIUS if wire.source in gates else 0.0), sy)
        if wire.target is None:
            route = [start, (sx + _X_STEP * 0.75, sy)]
        else:
            route = [start, *bends[wire.source, wire.target]]
            (tx, ty), (px, py) = points[wire.target], route[-1]
            angle = math.atan2(py - ty, px - tx)
            route.append((tx + _RADIUS * math.cos(angle), ty + _RADIUS * math.sin(angle)))
        stretches.append(_draw_wire(axes, wire, route))
        room.take_wire(number, stretches[-1])
    for number, wire in enumerate(lines):
        _label_wire(axes, wire, number, stretches[number], boxes, room)
    return figure, titles


def fork_sums(
    graph: ComputationalGraph, digits: int = 2, blank: Collection[tuple[str, str]] = ()
) -> dict[str, str]:
    """What a drawing writes on each node at a fork: ``"Σ"`` and its gradient,
    the sum of the gradients on its wires; none for a node whose gradient is
    ``blank`` (a worksheet asks for it).

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph.from_expression("x * x + x")
    >>> _ = g.forward(x=3), g.backward()
    >>> fork_sums(g), fork_sums(g, blank=[("x", "grad")])
    ({'x': 'Σ 7'}, {})
    """
    return {
        name: "Σ " + readable(format_number(grad, digits), NUMBER_LIMIT)
        for name, grad in fork_gradients(graph).items()
        if (name, "grad") not in blank
    }


def _checked_path(path: str | os.PathLike[str]) -> Path:
    """``path`` as a Path, if :func:`draw` can write an image there."""
    if not os.fspath(path):
        raise ValueError(f"draw: the path is empty; name a file ending in {_FORMATS_TEXT}")
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(
            f"draw: {str(path)!r} is a folder; name a file in it ending in {_FORMATS_TEXT}"
        )
    if path.suffix.lower() not in FORMATS:
        raise ValueError(
            f"draw: cannot tell the image type of {str(path)!r}; "
            f"name a file ending in {_FORMATS_TEXT}"
        )
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"draw: cannot write {str(path)!r}: there is no folder {str(path.parent)!r}"
        )
    return path


def _text(axes: Axes, x: float, y: float, text: str, **style: Any) -> Text:
    """``text`` at ``(x, y)`` exactly as written: never read as mathtext or TeX."""
    return axes.text(x, y, text, parse_math=False, usetex=False, **style)


def _add_titles(svg: str, titles: dict[str, str]) -> str:
    """``svg`` with a ``<title>`` (a tooltip) in each group whose id ``titles`` holds."""
    for gid, title in titles.items():
        opening = f'<g id="{gid}">'
        svg = svg.replace(opening, f"{opening}<title>{xml_escape(title)}</title>", 1)
    return svg


def _boxes(
    graph: ComputationalGraph, blank: Collection[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """``blank`` checked, as a dict (node, "value" or "grad"): the tag in its box."""
    boxes = {}
    for item in blank:
        if not (isinstance(item, tuple) and len(item) == 2 and item[1] in ("value", "grad")):
            raise ValueError(
                f"draw: blank holds {item!r}; give pairs (node, 'value') or (node, 'grad')"
            )
        if item[0] not in graph:
            raise NodeNotFoundError(f"draw: blank names {item[0]!r}, not a node of the graph")
        boxes[item] = str(blank[item]) if isinstance(blank, Mapping) else ""
    return boxes


def _legend(lines: list[Wire], boxes: dict[tuple[str, str], str]) -> str:
    """What the drawing shows, never promising a number that is left blank."""
    if not boxes:
        return "value (green) above each wire, gradient (red) below"
    shown = {
        kind: [
            (wire.source, kind) not in boxes
            for wire in lines
            if (wire.value if kind == "value" else wire.gradient) is not None
        ]
        for kind in ("value", "grad")
    }
    asked = {kind for _, kind in boxes}
    parts = []
    for kind, text in (("value", "value (green) above"), ("grad", "gradient (red) below")):
        if any(shown[kind]):
            parts.append(text + (" each wire" if all(shown[kind]) else " where given"))
    words = [word for kind, word in (("value", "value"), ("grad", "gradient")) if kind in asked]
    parts.append(f"boxes: fill in the {' or '.join(words)}")
    forks = Counter(wire.source for wire in lines if (wire.source, "grad") in boxes)
    if any(count > 1 for count in forks.values()):
        parts[-1] += " (at a fork, one box per wire: the gradients add up)"
    return "; ".join(parts)


def _point(place: tuple[int, float]) -> tuple[float, float]:
    return place[0] * _X_STEP, place[1] * _Y_STEP


class _Room:
    """What a label must not touch: the labels already drawn (their boxes in
    data units, as the figure's renderer measures their text) and the gates'
    circles, each kept under the unit squares it covers so that a look-up only
    reads its neighbours."""

    def __init__(self, axes: Axes, renderer: RendererBase, limits: _Box) -> None:
        self._axes = axes
        self._renderer = renderer
        self._limits = limits
        self._boxes: dict[tuple[int, int], list[_Box]] = {}
        self._circles: dict[tuple[int, int], list[tuple[float, float]]] = {}
        self._wires: dict[tuple[int, int], list[tuple[float, float, int]]] = {}

    def measure(self, artist: Artist) -> _Box:
        """The box ``artist`` covers as drawn, in data units."""
        box = artist.get_window_extent(self._renderer).transformed(self._axes.transData.inverted())
        return box.x0, box.y0, box.x1, box.y1

    def take(self, label: Artist | _Box) -> None:
        """Keep the place of ``label`` (an artist, or its box) clear from now on."""
        box = label if isinstance(label, tuple) else self.measure(label)
        for cell in _cells(box):
            self._boxes.setdefault(cell, []).append(box)

    def take_circle(self, centre: tuple[float, float]) -> None:
        """Keep a gate's circle at ``centre`` clear from now on."""
        x, y = centre
        for cell in _cells((x - _RADIUS, y - _RADIUS, x + _RADIUS, y + _RADIUS)):
            self._circles.setdefault(cell, []).append(centre)

    def take_wire(self, number: int, stretches: list[_Stretch]) -> None:
        """Keep points ``_STEP`` apart along wire ``number``, to tell which
        labels it would cross."""
        for start, end, bend in stretches:
            count = math.ceil(math.dist(start, end) / _STEP)
            for k in range(count + 1):
                (x, y), _ = _on_arc(start, end, bend, k / count)
                cell = (math.floor(x / _WIRE_CELL), math.floor(y / _WIRE_CELL))
                self._wires.setdefault(cell, []).append((x, y, number))

    def crossed(self, box: _Box, number: int) -> bool:
        """Whether a wire other than wire ``number`` passes through ``box``."""
        return any(
            box[0] <= x <= box[2] and box[1] <= y <= box[3] and other != number
            for cell in _cells(box, _WIRE_CELL)
            for x, y, other in self._wires.get(cell, ())
        )

    def free(self, box: _Box) -> bool:
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
                if math.dist(nearest, (x, y)) < _RADIUS + _PAD:
                    return False
        return True


def _overlap(one: _Box, other: _Box) -> bool:
    return one[0] < other[2] and other[0] < one[2] and one[1] < other[3] and other[1] < one[3]


def _cells(box: _Box, side: float = 1.0) -> Iterator[tuple[int, int]]:
    """The squares of ``side`` units that ``box`` touches."""
    for i in range(math.floor(box[0] / side), math.floor(box[2] / side) + 1):
        for j in range(math.floor(box[1] / side), math.floor(box[3] / side) + 1):
            yield i, j


def _draw_wire(axes: Axes, wire: Wire, route: list[tuple[float, float]]) -> list[_Stretch]:
    """A wire along ``route``, arrow at its end; its stretches (start, end and
    bend), the last one first.

    Several wires between the same two nodes (``x * x``) bend apart in arcs
    on their last stretch.
    """
    from matplotlib.patches import FancyArrowPatch

    if len(route) > 2:  # through the layers it skips, up to its last stretch
        axes.plot(*zip(*route[:-1]), color=_INK, linewidth=1.0, zorder=2)
    bend = _BEND * (wire.repeat - (wire.copies - 1) / 2)
    axes.add_patch(
        FancyArrowPatch(
            route[-2],
            route[-1],
            arrowstyle="-|>",
            mutation_scale=9,
            linewidth=1.0,
            color=_INK,
            shrinkA=0,
            shrinkB=0,
            connectionstyle=f"arc3,rad={bend}",
            zorder=2,
        )
    )
    return [(route[-2], route[-1], bend)] + [
        (route[i], route[i + 1], 0.0) for i in reversed(range(len(route) - 2))
    ]


def _label_wire(
    axes: Axes,
    wire: Wire,
    number: int,
    stretches: list[_Stretch],
    boxes: dict[tuple[str, str], str],
    room: _Room,
) -> None:
    """The value of wire ``number`` above it and its gradient below (or empty
    boxes for them), where they touch no label or circle drawn before.

    They go at the middle of its last stretch, the one into its gate, if that
    is clear, else at the first clear spot sliding from there along that
    stretch by ``_SLIDE`` each way in turn, then along its earlier stretches,
    the last first; a spot no other wire crosses first, if there is one; at
    the middle if no spot is clear.
    """
    labels = []  # (side: 1 above, -1 below; its box around its anchor; how to move it)
    for text, color, side, kind in (
        (wire.value, VALUE_COLOR, 1, "value"),
        (wire.gradient, GRADIENT_COLOR, -1, "grad"),
    ):
        if (wire.source, kind) in boxes:
            labels.append((side, *_blank_box(axes, color, boxes[wire.source, kind])))
        elif text is not None:
            written = _text(
                axes,
                0.0,
                0.0,
                readable(text, NUMBER_LIMIT),
                color=color,
                fontsize=9,
                ha="center",
                va="center",
                zorder=5,
            )
            labels.append((side, room.measure(written), written.set_position))
    if not labels:
        return
    spots = (
        [(move, *_beside(point, normal, side, box)) for side, box, move in labels]
        for start, end, bend in stretches
        for point, normal in (_on_arc(start, end, bend, t) for t in _slides(start, end))
    )
    middle = next(spots)
    clear = None  # the first spot clear of labels and circles, crossed by a wire
    for spot in itertools.chain([middle], spots):
        if all(room.free(box) for _, _, box in spot):
            if not any(room.crossed(box, number) for _, _, box in spot):
                break
            clear = clear or spot
    else:
        spot = clear or middle
    for move, anchor, box in spot:
        move(anchor)
        room.take(box)


def _slides(start: tuple[float, float], end: tuple[float, float]) -> list[float]:
    """Where along a stretch (0 its start, 1 its end) its labels may go: the
    middle, then ``_SLIDE`` further each way in turn, towards its end first,
    up to a tenth of the stretch from either end."""
    step = _SLIDE / math.dist(start, end)
    count = int(0.4 / step)
    return [0.5] + [0.5 + sign * k * step for k in range(1, count + 1) for sign in (1, -1)]


def _on_arc(
    start: tuple[float, float], end: tuple[float, float], bend: float, t: float
) -> tuple[tuple[float, float], tuple[float, float]]:
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


def _beside(
    point: tuple[float, float], normal: tuple[float, float], side: int, box: _Box
) -> tuple[tuple[float, float], _Box]:
    """Where a label goes on the ``side`` of the wire through ``point`` (1:
    where ``normal`` points, -1: the other), its box's nearest corner ``_GAP``
    from the wire: its anchor, and its box there (``box`` is its box around
    its anchor)."""
    nx, ny = normal[0] * side, normal[1] * side
    nearest = min(x * nx + y * ny for x in (box[0], box[2]) for y in (box[1], box[3]))
    ax, ay = point[0] + nx * (_GAP - nearest), point[1] + ny * (_GAP - nearest)
    return (ax, ay), (box[0] + ax, box[1] + ay, box[2] + ax, box[3] + ay)


def _blank_box(
    axes: Axes, color: str, tag: str
) -> tuple[_Box, Callable[[tuple[float, float]], None]]:
    """An empty box where a number is to be written, ``tag`` small in its
    corner: its box around its centre, and how to move its centre."""
    from matplotlib.patches import Rectangle

    width, height = _BOX
    frame = Rectangle(
        (0.0, 0.0),
        width,
        height,
        facecolor="white",
        edgecolor=color,
        linewidth=1.0,
        zorder=4.6,  # under the numbers of wires crossing it
    )
    axes.add_patch(frame)
    label = _text(axes, 0.0, 0.0, tag, fontsize=7, color="#666666", zorder=4.7) if tag else None

    def move(centre: tuple[float, float]) -> None:
        corner = (centre[0] - width / 2, centre[1] - height / 2)
        frame.set_xy(corner)
        if label is not None:
            label.set_position((corner[0] + 0.04, corner[1] + 0.03))

    return (-width / 2, -height / 2, width / 2, height / 2), move
