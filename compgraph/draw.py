"""Drawing a circuit as an image, as the lectures draw it (matplotlib, the ``viz`` extra).

Each node at its place from :mod:`compgraph.layout`, gates as circles, and on
every wire its value (green, above) and, after a backward pass, the gradient
flowing back along it (red, below). matplotlib is imported only when
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
import math
import os
import warnings
from collections import Counter
from collections.abc import Collection, Mapping
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
    from matplotlib.axes import Axes

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
_BOX = (0.7, 0.26, 0.05)  # a blank's width and height, and its gap from the wire
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
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(
            'draw needs matplotlib: pip install "compgraph[viz]" (or pip install matplotlib)'
        ) from exc

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
    figure = Figure(figsize=((right - left) * scale, (top - bottom) * scale))
    axes = figure.add_axes((0.0, 0.0, 1.0, 1.0))
    axes.set_xlim(left, right)
    axes.set_ylim(bottom, top)
    axes.set_aspect("equal")
    axes.axis("off")

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
                matplotlib.patches.Circle(
                    (x, y), _RADIUS, facecolor="white", edgecolor=_INK, linewidth=1.2, zorder=3
                )
            )
            _text(axes, x, y, shown, ha="center", va="center", fontsize=11, zorder=4, gid=gid)
            if name.isidentifier() and name != label:  # a name given to it: q, f
                named = readable(name, NAME_LIMIT)
                _text(axes, x, y + _RADIUS + 0.08, named, ha="center", va="bottom", fontsize=9)
        else:
            _text(axes, x - 0.08, y, shown, ha="right", va="center", fontsize=11, gid=gid)
    for name, text in sums.items():
        x, y = points[name]
        if name in gates:
            _text(axes, x, y - _RADIUS - 0.06, text, ha="center", va="top", **_SUM_STYLE)
        else:
            _text(axes, x - 0.08, y - 0.14, text, ha="right", va="top", **_SUM_STYLE)
    for wire in lines:
        sx, sy = points[wire.source]
        start = (sx + (_RADIUS if wire.source in gates else 0.0), sy)
        if wire.target is None:
            _draw_wire(axes, wire, [start, (sx + _X_STEP * 0.75, sy)], boxes)
            continue
        route = [start, *bends[wire.source, wire.target]]
        (tx, ty), (px, py) = points[wire.target], route[-1]
        angle = math.atan2(py - ty, px - tx)
        _draw_wire(
            axes,
            wire,
            [*route, (tx + _RADIUS * math.cos(angle), ty + _RADIUS * math.sin(angle))],
            boxes,
        )
    if numbers:
        _text(
            axes,
            left + 0.1,
            bottom + 0.15,
            _legend(lines, boxes) + (f"; {_SUM_LEGEND}" if sums else ""),
            fontsize=7,
            color="#666666",
        )
    image = io.BytesIO()
    with (
        matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "compgraph"}),
        warnings.catch_warnings(),
    ):
        # A character the font lacks is drawn as a box in a PNG (an SVG keeps it as text).
        warnings.filterwarnings("ignore", "Glyph .* missing from font", UserWarning)
        figure.savefig(
            image,
            format=suffix[1:],
            dpi=min(_DPI, _MAX_PIXELS / max(figure.get_size_inches())),
            metadata=_NO_DATES[suffix],
        )
    data = image.getvalue()
    if titles and suffix == ".svg":
        data = _add_titles(data.decode("utf-8"), titles).encode("utf-8")
    path.write_bytes(data)
    return path


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


def _text(axes: Axes, x: float, y: float, text: str, **style: Any) -> None:
    """``text`` at ``(x, y)`` exactly as written: never read as mathtext or TeX."""
    axes.text(x, y, text, parse_math=False, usetex=False, **style)


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


def _draw_wire(
    axes: Axes,
    wire: Wire,
    route: list[tuple[float, float]],
    boxes: dict[tuple[str, str], str],
) -> None:
    """A wire along ``route``, arrow at its end, its labels (or empty boxes) on
    its last stretch.

    Several wires between the same two nodes (``x * x``) bend apart in arcs.
    """
    from matplotlib.patches import FancyArrowPatch

    if len(route) > 2:  # through the layers it skips, up to its last stretch
        axes.plot(*zip(*route[:-1]), color=_INK, linewidth=1.0, zorder=2)
    start, end = route[-2], route[-1]
    bend = _BEND * (wire.repeat - (wire.copies - 1) / 2)
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
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = math.hypot(dx, dy)
    # The middle of the (quadratic) arc; of the segment when it does not bend.
    cx = (start[0] + end[0]) / 2 + bend * dy / 2
    cy = (start[1] + end[1]) / 2 - bend * dx / 2
    normal = (-dy / length * 0.06, dx / length * 0.06)
    for text, color, side, va, kind in (
        (wire.value, VALUE_COLOR, 1, "bottom", "value"),
        (wire.gradient, GRADIENT_COLOR, -1, "top", "grad"),
    ):
        if (wire.source, kind) in boxes:
            _draw_box(
                axes, (cx, cy), (dx / length, dy / length), side, color, boxes[wire.source, kind]
            )
        elif text is not None:
            _text(
                axes,
                cx + side * normal[0],
                cy + side * normal[1],
                readable(text, NUMBER_LIMIT),
                color=color,
                fontsize=9,
                ha="center",
                va=va,
                rotation=math.degrees(math.atan2(dy, dx)),
                rotation_mode="anchor",
                zorder=5,
            )


def _draw_box(
    axes: Axes,
    middle: tuple[float, float],
    along: tuple[float, float],
    side: int,
    color: str,
    tag: str,
) -> None:
    """An empty box beside a wire's ``middle`` (above for ``side`` 1, below for
    -1), along its direction, where a number is to be written; ``tag`` small in
    its corner."""
    from matplotlib.patches import Rectangle

    width, height, gap = _BOX
    ux, uy = along
    nx, ny = -uy * side, ux * side  # towards the box's side of the wire
    cx, cy = middle[0] + nx * (gap + height / 2), middle[1] + ny * (gap + height / 2)
    corner = (cx - ux * width / 2 + uy * height / 2, cy - uy * width / 2 - ux * height / 2)
    axes.add_patch(
        Rectangle(
            corner,
            width,
            height,
            angle=math.degrees(math.atan2(uy, ux)),
            facecolor="white",
            edgecolor=color,
            linewidth=1.0,
            zorder=4.6,  # under the numbers of wires crossing it
        )
    )
    if tag:
        _text(
            axes,
            corner[0] + ux * 0.04 - uy * 0.03,
            corner[1] + uy * 0.04 + ux * 0.03,
            tag,
            fontsize=7,
            color="#666666",
            ha="left",
            va="bottom",
            rotation=math.degrees(math.atan2(uy, ux)),
            rotation_mode="anchor",
            zorder=4.7,
        )
