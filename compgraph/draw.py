"""Drawing a graph as the lectures draw circuits.

Inputs on the left, one node per gate labelled with its symbol, and on every
wire the value it carries (green, above) and, after a backward pass, the
gradient flowing back along it (red, below). Where a node feeds several gates
each wire shows its own gradient; the node's gradient is their sum.

:func:`draw` writes SVG or PNG with matplotlib (the ``viz`` extra), imported
only when called; :func:`to_dot` writes Graphviz DOT text and needs nothing.

Examples
--------
>>> from compgraph import ComputationalGraph
>>> g = ComputationalGraph.from_expression("(x + y) * z")
>>> _ = g.forward(x=-2, y=5, z=-4), g.backward()
>>> layout(g)  # name: (layer, height)
{'x': (0, 1.0), 'y': (0, 0.0), 'z': (0, -1.0), 'x + y': (1, 0.5), '(x + y) * z': (2, 0.0)}
>>> routes(g)[("z", "(x + y) * z")]  # z's wire skips layer 1, under x + y
[(1, -0.5)]
>>> [(w.source, w.target, w.value, w.gradient) for w in wires(g)]
... # doctest: +NORMALIZE_WHITESPACE
[('x', 'x + y', '-2', '-4'), ('y', 'x + y', '5', '-4'), ('x + y', '(x + y) * z', '3', '-4'),
 ('z', '(x + y) * z', '-4', '3'), ('(x + y) * z', None, '-12', '1')]
"""

from __future__ import annotations

import html
import math
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compgraph.errors import GraphError
from compgraph.table import format_number

if TYPE_CHECKING:
    import os

    from matplotlib.axes import Axes

    from compgraph.graph import ComputationalGraph

__all__ = ["FORMATS", "Wire", "draw", "layout", "routes", "to_dot", "wires"]

#: The image types :func:`draw` writes, by the file's suffix.
FORMATS = (".svg", ".png")

VALUE_COLOR = "#1a7f37"  # green, as the lectures draw values
GRADIENT_COLOR = "#cf222e"  # red, as the lectures draw gradients

_X_STEP, _Y_STEP, _RADIUS = 2.6, 1.3, 0.3
_BEND = 0.6  # how far wires between the same two nodes arc apart
_INK = "#333333"


@dataclass(frozen=True)
class Wire:
    """One wire: from ``source`` into input ``slot`` of gate ``target``, or out
    of the output (``target`` None); its value and gradient as text, None where
    the latest pass did not compute them. ``copies`` wires join the same two
    nodes (2 for ``x * x``); ``repeat`` counts the earlier ones among them."""

    source: str
    target: str | None
    slot: int
    value: str | None
    gradient: str | None
    repeat: int = 0
    copies: int = 1


def wires(graph: ComputationalGraph, digits: int = 2) -> list[Wire]:
    """Every wire of ``graph``, one per gate input (``x * x`` has two), then the output's.

    Values come from the latest forward pass, gradients from the latest
    backward pass: each wire's is what its gate sent back along it.
    """
    from compgraph.explain import sent_gradients

    def read(method: Any, *args: Any) -> Any:
        try:
            return method(*args)
        except GraphError:  # not computed by the latest pass
            return None

    def text(value: Any) -> str | None:
        return None if value is None else format_number(value, digits)

    result = []
    for name in graph:
        inputs = graph.inputs(name)
        if not inputs:
            continue
        sent = read(sent_gradients, graph, name) or [None] * len(inputs)
        for slot, (source, gradient) in enumerate(zip(inputs, sent)):
            value = text(read(graph.value, source))
            repeat, copies = inputs[:slot].count(source), inputs.count(source)
            result.append(Wire(source, name, slot, value, text(gradient), repeat, copies))
    output = graph.output
    result.append(
        Wire(output, None, 0, text(read(graph.value, output)), text(read(graph.grad, output)))
    )
    return result


def layout(graph: ComputationalGraph) -> dict[str, tuple[int, float]]:
    """Each node's place: its layer (0 on the left) and its height in the layer.

    The layers are networkx's topological generations of ``graph.graph``, except
    that a constant (a gate without inputs) sits just before its first
    consumer. A wire that skips layers passes through a place of its own in
    each (see :func:`routes`). Within a layer, nodes are ordered by the mean
    height of their neighbours (a few sweeps each way), to keep wires from
    crossing.
    """
    return _arrange(graph)[0]


def routes(graph: ComputationalGraph) -> dict[tuple[str, str], list[tuple[int, float]]]:
    """The places a wire passes through on its way across the layers it skips,
    for each pair of nodes (``[]`` between neighbouring layers)."""
    return _arrange(graph)[1]


def _arrange(
    graph: ComputationalGraph,
) -> tuple[dict[str, tuple[int, float]], dict[tuple[str, str], list[tuple[int, float]]]]:
    import networkx as nx

    structure = graph.graph
    layer: dict[Hashable, int] = {}
    for depth, generation in enumerate(nx.topological_generations(structure)):
        for name in generation:
            layer[name] = depth
    for name in graph:
        if graph.kind(name) == "gate" and not graph.inputs(name) and structure.out_degree(name):
            layer[name] = min(layer[after] for after in structure.successors(name)) - 1

    # Long wires pass through one waypoint per layer they cross.
    chained = nx.DiGraph()
    chained.add_nodes_from(graph)
    waypoints: dict[tuple[str, str], list[Hashable]] = {}
    for source, target in structure.edges:
        points: list[Hashable] = []
        for depth in range(layer[source] + 1, layer[target]):
            points.append((source, target, depth))
            layer[points[-1]] = depth
        nx.add_path(chained, [source, *points, target])
        waypoints[source, target] = points
    order = {node: i for i, node in enumerate(chained)}
    layers: dict[int, list[Hashable]] = {}
    for node in chained:
        layers.setdefault(layer[node], []).append(node)

    height: dict[Hashable, float] = {}

    def place(nodes: list[Hashable]) -> None:
        for i, node in enumerate(nodes):
            height[node] = (len(nodes) - 1) / 2 - i

    for nodes in layers.values():
        place(nodes)
    depths = sorted(layers)
    for sweep, downstream in ((depths[1:], False), (depths[-2::-1], True), (depths[1:], False)):
        for depth in sweep:
            keys = {
                node: (-_mean_height(chained, node, height, downstream), order[node])
                for node in layers[depth]
            }
            layers[depth].sort(key=keys.__getitem__)
            place(layers[depth])
    places = {name: (layer[name], height[name]) for name in graph}
    paths = {
        edge: [(layer[point], height[point]) for point in points]
        for edge, points in waypoints.items()
    }
    return places, paths


def _mean_height(
    structure: Any, node: Hashable, height: dict[Hashable, float], downstream: bool
) -> float:
    """The mean height of a node's neighbours on one side (the other if it has none there)."""
    before, after = list(structure.predecessors(node)), list(structure.successors(node))
    near = (after or before) if downstream else (before or after)
    return sum(height[n] for n in near) / len(near) if near else height[node]


def to_dot(graph: ComputationalGraph, digits: int = 2) -> str:
    """The circuit as Graphviz DOT text, laid out left to right.

    Gates are circles labelled with their symbols, inputs and constants plain
    text; each wire's label holds its value (green) over its gradient (red).

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph.from_expression("x * y")
    >>> _ = g.forward(x=3, y=-4), g.backward()
    >>> print(to_dot(g))  # doctest: +NORMALIZE_WHITESPACE
    digraph compgraph {
      rankdir=LR;
      node [fontname="Helvetica"];
      edge [fontname="Helvetica", arrowsize=0.6];
      n0 [label="x", shape=plaintext];
      n1 [label="y", shape=plaintext];
      n2 [label="*", tooltip="x * y", shape=circle];
      out [label="", shape=point];
      n0 -> n2 [label=<<font color="#1a7f37">3</font><br/><font color="#cf222e">-4</font>>];
      n1 -> n2 [label=<<font color="#1a7f37">-4</font><br/><font color="#cf222e">3</font>>];
      n2 -> out [label=<<font color="#1a7f37">-12</font><br/><font color="#cf222e">1</font>>];
    }
    """
    ids = {name: f"n{i}" for i, name in enumerate(graph)}
    lines = [
        "digraph compgraph {",
        "  rankdir=LR;",
        '  node [fontname="Helvetica"];',
        '  edge [fontname="Helvetica", arrowsize=0.6];',
    ]
    for name in graph:
        label, is_gate = _node_label(graph, name)
        quoted = _dot_string(label)
        if is_gate:
            tooltip = _dot_string(name)
            lines.append(f"  {ids[name]} [label={quoted}, tooltip={tooltip}, shape=circle];")
        else:
            lines.append(f"  {ids[name]} [label={quoted}, shape=plaintext];")
    lines.append('  out [label="", shape=point];')
    for wire in wires(graph, digits):
        parts = [
            f'<font color="{color}">{html.escape(text)}</font>'
            for text, color in ((wire.value, VALUE_COLOR), (wire.gradient, GRADIENT_COLOR))
            if text is not None
        ]
        label = f" [label=<{'<br/>'.join(parts)}>]" if parts else ""
        target = "out" if wire.target is None else ids[wire.target]
        lines.append(f"  {ids[wire.source]} -> {target}{label};")
    lines.append("}")
    return "\n".join(lines)


def draw(graph: ComputationalGraph, path: str | os.PathLike[str], digits: int = 2) -> Path:
    """Write the circuit of ``graph`` as an image, its type by the file's suffix.

    Parameters
    ----------
    graph : ComputationalGraph
        Values and gradients of its latest pass go on the wires; a graph
        before any pass is drawn bare.
    path : str or path-like
        Where to write; ``.svg`` (text kept as text) or ``.png``.
    digits : int, optional
        Decimals to round to (2, as the lectures).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        If the suffix is neither ``.svg`` nor ``.png``.
    OSError
        If the file cannot be written.
    ImportError
        If matplotlib is not installed (``pip install "compgraph[viz]"``).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(
            f"draw: cannot tell the image type of {str(path)!r}; "
            f"name a file ending in {' or '.join(FORMATS)}"
        )
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(
            'draw needs matplotlib: pip install "compgraph[viz]" (or pip install matplotlib)'
        ) from exc

    places, paths = _arrange(graph)
    points = {name: _point(place) for name, place in places.items()}
    bends = {edge: [_point(place) for place in path] for edge, path in paths.items()}
    heights = [y for _, y in points.values()] + [y for path in bends.values() for _, y in path]
    leaves = [len(name) for name in graph if not _node_label(graph, name)[1]]
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
    for name, (x, y) in points.items():
        label, is_gate = _node_label(graph, name)
        if is_gate:
            gates.add(name)
            axes.add_patch(
                matplotlib.patches.Circle(
                    (x, y), _RADIUS, facecolor="white", edgecolor=_INK, linewidth=1.2, zorder=3
                )
            )
            axes.text(x, y, label, ha="center", va="center", fontsize=11, zorder=4)
        else:
            axes.text(x - 0.08, y, label, ha="right", va="center", fontsize=11)
    for wire in wires(graph, digits):
        sx, sy = points[wire.source]
        start = (sx + (_RADIUS if wire.source in gates else 0.0), sy)
        if wire.target is None:
            _draw_wire(axes, wire, [start, (sx + _X_STEP * 0.75, sy)])
            continue
        route = [start, *bends[wire.source, wire.target]]
        (tx, ty), (px, py) = points[wire.target], route[-1]
        angle = math.atan2(py - ty, px - tx)
        _draw_wire(
            axes, wire, [*route, (tx + _RADIUS * math.cos(angle), ty + _RADIUS * math.sin(angle))]
        )
    axes.text(
        left + 0.1,
        bottom + 0.15,
        "value (green) above each wire, gradient (red) below",
        fontsize=7,
        color="#666666",
    )
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "compgraph"}):
        figure.savefig(
            path,
            format=suffix[1:],
            dpi=150,
            metadata={"Date": None} if suffix == ".svg" else {"Software": None},
        )
    return path


def _point(place: tuple[int, float]) -> tuple[float, float]:
    return place[0] * _X_STEP, place[1] * _Y_STEP


def _node_label(graph: ComputationalGraph, name: str) -> tuple[str, bool]:
    """The text a node is drawn with, and whether it is drawn as a gate (a circle)."""
    if graph.kind(name) != "gate":
        return name, False
    gate = graph.gate(name)
    label = gate.symbol or type(gate).__name__
    return label, bool(graph.inputs(name))  # a constant is drawn as a leaf


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _draw_wire(axes: Axes, wire: Wire, route: list[tuple[float, float]]) -> None:
    """A wire along ``route``, arrow at its end, its labels on its last stretch.

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
    for text, color, side, va in (
        (wire.value, VALUE_COLOR, 1, "bottom"),
        (wire.gradient, GRADIENT_COLOR, -1, "top"),
    ):
        if text is not None:
            axes.text(
                cx + side * normal[0],
                cy + side * normal[1],
                text,
                color=color,
                fontsize=9,
                ha="center",
                va=va,
                rotation=math.degrees(math.atan2(dy, dx)),
                rotation_mode="anchor",
                zorder=5,
            )
