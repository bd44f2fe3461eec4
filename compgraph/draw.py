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
import os
import warnings
from collections import Counter
from collections.abc import Callable, Collection, Mapping
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
    leaf_characters,
    node_label,
    part_wires,
    readable,
    wires,
)
from compgraph.placing import RADIUS, X_STEP, Box, Room, Stretch, place, point, route
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

_SYMBOL_LIMIT = 10  # a gate's label, in its circle
_DPI = 150
_MAX_PIXELS = 8000  # a PNG's longer side; a larger circuit gets a lower resolution
_INK = "#333333"
_BOX = (0.7, 0.26)  # a blank's width and height
#: Metadata left out of each image type, so that one circuit always makes the same file.
_NO_DATES: dict[str, dict[str, Any]] = {
    ".svg": {"Date": None},
    ".png": {"Software": None},
    ".pdf": {"CreationDate": None, "Producer": None},
}
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
    points = {name: point(place) for name, place in places.items()}
    bends = {edge: [point(place) for place in path] for edge, path in paths.items()}
    heights = [y for _, y in points.values()] + [y for path in bends.values() for _, y in path]
    labels = {name: node_label(graph, name) for name in points}
    sums = fork_sums(graph, digits, boxes) if numbers else {}
    sums = {name: text for name, text in sums.items() if name in points}
    left = -0.3 - 0.13 * leaf_characters(labels, sums)
    right = max(x for x, _ in points.values()) + X_STEP
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
    room = Room((left, bottom, right, top))

    def take(artist: Artist) -> None:
        room.take(_measure(axes, renderer, artist))

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
                Circle((x, y), RADIUS, facecolor="white", edgecolor=_INK, linewidth=1.2, zorder=3)
            )
            room.take_circle((x, y))
            take(_text(axes, x, y, shown, ha="center", va="center", fontsize=11, zorder=4, gid=gid))
            if name.isidentifier() and name != label:  # a name given to it: q, f
                named = readable(name, NAME_LIMIT)
                take(_text(axes, x, y + RADIUS + 0.08, named, ha="center", va="bottom", fontsize=9))
        else:
            take(_text(axes, x - 0.08, y, shown, ha="right", va="center", fontsize=11, gid=gid))
    for name, text in sums.items():
        x, y = points[name]
        if name in gates:
            take(_text(axes, x, y - RADIUS - 0.06, text, ha="center", va="top", **_SUM_STYLE))
        else:
            take(_text(axes, x - 0.08, y - 0.14, text, ha="right", va="top", **_SUM_STYLE))
    if numbers:
        legend = _legend(lines, boxes) + (f"; {_SUM_LEGEND}" if sums else "")
        take(_text(axes, left + 0.1, bottom + 0.15, legend, fontsize=7, color="#666666"))
    stretches = []  # each wire's, the one into its gate first
    for number, wire in enumerate(lines):
        via = [] if wire.target is None else bends[wire.source, wire.target]
        target = None if wire.target is None else points[wire.target]
        bend = wire.repeat - (wire.copies - 1) / 2
        stretches.append(route(points[wire.source], wire.source in gates, via, target, bend))
        _draw_wire(axes, stretches[-1])
        room.take_wire(number, stretches[-1])
    for number, wire in enumerate(lines):
        numbered = _wire_labels(axes, renderer, wire, boxes)
        if numbered:
            sides = [(side, box) for side, box, _ in numbered]
            for (_, _, move), (anchor, _) in zip(
                numbered, place(room, number, stretches[number], sides)
            ):
                move(anchor)
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


def _draw_wire(axes: Axes, stretches: list[Stretch]) -> None:
    """A wire along ``stretches`` (the one into its gate first, arcing where
    several wires join the same two nodes), arrow at its end."""
    from matplotlib.patches import FancyArrowPatch

    (start, end, bend), *before = stretches
    if before:  # through the layers it skips, up to its last stretch
        points = [before[-1][0], *(stretch[1] for stretch in reversed(before))]
        axes.plot(*zip(*points), color=_INK, linewidth=1.0, zorder=2)
    axes.add_patch(
        FancyArrowPatch(
            start,
            end,
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


def _wire_labels(
    axes: Axes,
    renderer: RendererBase,
    wire: Wire,
    boxes: dict[tuple[str, str], str],
) -> list[tuple[int, Box, Callable[[tuple[float, float]], None]]]:
    """The value of a wire to go above it and its gradient below (or empty
    boxes for them), drawn at the origin: for each, its side (1 above, -1
    below), its box around its anchor and how to move its anchor (see
    :func:`compgraph.placing.place`)."""
    labels = []
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
            labels.append((side, _measure(axes, renderer, written), written.set_position))
    return labels


def _measure(axes: Axes, renderer: RendererBase, artist: Artist) -> Box:
    """The box ``artist`` covers as drawn, in data units."""
    box = artist.get_window_extent(renderer).transformed(axes.transData.inverted())
    return box.x0, box.y0, box.x1, box.y1


def _blank_box(
    axes: Axes, color: str, tag: str
) -> tuple[Box, Callable[[tuple[float, float]], None]]:
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
