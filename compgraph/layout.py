"""Where a circuit's nodes and wires go, and what each wire carries, as the lectures draw it.

Inputs on the left, one node per gate labelled with its symbol, and on every
wire the value it carries and, after a backward pass, the gradient flowing
back along it. Where a node feeds several gates each wire has its own
gradient; the node's gradient is their sum. Pure Python and networkx: the
renderers (:func:`compgraph.draw.draw` with matplotlib, :func:`compgraph.dot.to_dot`
as Graphviz text) read their circuit from here.

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

import math
from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np

from compgraph.errors import GraphError, OutputError
from compgraph.explain import sent_gradients
from compgraph.table import format_number

if TYPE_CHECKING:
    from compgraph.graph import ComputationalGraph

__all__ = [
    "GRADIENT_COLOR",
    "NAME_LIMIT",
    "NUMBER_LIMIT",
    "VALUE_COLOR",
    "Wire",
    "arrange",
    "check_drawable",
    "layout",
    "node_label",
    "readable",
    "routes",
    "wires",
]

# The lectures' colours, the same in every renderer.
VALUE_COLOR = "#1a7f37"  # green
GRADIENT_COLOR = "#cf222e"  # red

#: The most characters a node's label is drawn with (see :func:`readable`).
NAME_LIMIT = 30
#: The most characters of a number on a wire; longer ones are written otherwise
#: (see :func:`wires`).
NUMBER_LIMIT = 40
_MAX_DIGITS = 20

Places = dict[str, tuple[int, float]]
Routes = dict[tuple[str, str], list[tuple[int, float]]]


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

    Each number is rounded to ``digits`` decimals and written on one line in
    at most :data:`NUMBER_LIMIT` characters: a number too long for that in
    scientific notation (``1e+200``), an array too long for it as its shape
    (``array of shape (1000, 1000)``).

    Raises
    ------
    ValueError
        If ``digits`` is not a whole number from 0 to 20.

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph.from_expression("x * y")
    >>> import numpy as np
    >>> _ = g.forward(x=10**100, y=np.array([[1.0, 2.0], [3.0, 4.0]]))
    >>> [w.value for w in wires(g)]
    ['1e+100', '[[1, 2], [3, 4]]', '[[1e+100, 2e+100], [3e+100, 4e+100]]']
    """
    if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= _MAX_DIGITS:
        raise ValueError(f"digits must be a whole number from 0 to {_MAX_DIGITS}, not {digits!r}")

    def read(method: Any, *args: Any) -> Any:
        try:
            return method(*args)
        except GraphError:  # not computed by the latest pass
            return None

    def text(value: Any) -> str | None:
        return None if value is None else _number_text(value, digits)

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


def _number_text(value: Any, digits: int) -> str:
    """``value`` as :func:`wires` writes it: one line, at most :data:`NUMBER_LIMIT` characters."""
    if isinstance(value, np.ndarray) and value.ndim > 0:
        # numpy elides only the axes longer than 6 once there are over 20 numbers
        shown = value.size if value.size <= 20 else math.prod(min(n, 6) for n in value.shape)
        if shown <= NUMBER_LIMIT:
            text = np.array2string(
                value,
                separator=", ",
                formatter={"all": lambda item: _number_text(item, digits)},
                max_line_width=1_000_000,
                threshold=20,
            )
            text = " ".join(text.split())
            if len(text) <= NUMBER_LIMIT:
                return text
        return f"array of shape {value.shape}"
    if isinstance(value, (complex, np.complexfloating)):
        real, imag = _number_text(value.real, digits), _number_text(value.imag, digits)
        return f"{real}{'' if imag.startswith('-') else '+'}{imag}j"
    whole = isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
    if whole and abs(int(value)) >= 10**NUMBER_LIMIT:  # str() may refuse it: not even tried
        return _scientific(int(value), digits)
    text = format_number(value, digits)
    if len(text) <= NUMBER_LIMIT:
        return text
    return _scientific(int(value) if whole else float(value), digits)


def _scientific(number: float, digits: int) -> str:
    """``number`` as ``1.5e+300``: ``digits`` decimals, without trailing zeros.

    Works for integers beyond the floats' range (and beyond what ``str``
    writes) through their logarithm.
    """
    if isinstance(number, int) and abs(number) >= 10**300:
        exponent = math.floor(math.log10(abs(number)))
        mantissa = f"{10 ** (math.log10(abs(number)) - exponent):.{digits}f}"
        if float(mantissa) >= 10:  # 9.999 rounded up
            exponent, mantissa = exponent + 1, f"{1:.{digits}f}"
        sign = "-" if number < 0 else ""
    else:
        mantissa, power = f"{number:.{digits}e}".split("e")
        sign, exponent = "", int(power)
    mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
    return f"{sign}{mantissa}e{exponent:+d}"


def readable(text: str, limit: int | None = None) -> str:
    r"""``text`` as a drawing shows it: every character that cannot be shown as
    it is written as its Python escape, and at most ``limit`` characters.

    Not shown as themselves are the characters Python does not print: control
    characters (the escape character as ``\x1b``, a newline as ``\n``), lone
    surrogates, format characters, unassigned code points, and spaces other
    than the plain space. The rest, ``$`` and backslashes included, are shown
    literally (a backslash is not doubled, so the escape character and the
    four characters ``\x1b`` look alike). A longer text loses its middle to an
    ellipsis; an escape is kept whole or left out.

    Examples
    --------
    >>> print(readable("$\\frac$ \x1b[1m"))
    $\frac$ \x1b[1m
    >>> readable("a_very_long_name_" * 4, 20)
    'a_very_lon…ong_name_'
    """
    pieces = [
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in text
    ]
    if limit is None or sum(map(len, pieces)) <= limit:
        return "".join(pieces)
    head: list[str] = []
    tail: list[str] = []
    room = limit - 1  # for the ellipsis
    while pieces:
        piece = pieces[0] if len(head) <= len(tail) else pieces[-1]
        if len(piece) > room:
            break
        room -= len(piece)
        if len(head) <= len(tail):
            head.append(pieces.pop(0))
        else:
            tail.append(pieces.pop())
    return "".join(head) + "…" + "".join(reversed(tail))


def check_drawable(graph: ComputationalGraph, what: str) -> None:
    """Refuse, before any drawing, a graph that cannot be drawn: an empty one,
    or one with several outputs (still being built).

    Raises
    ------
    OutputError
        If ``graph`` is empty or has several outputs; ``what`` (the renderer's
        name) begins the message.

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> check_drawable(ComputationalGraph(), "draw")
    Traceback (most recent call last):
    ...
    compgraph.errors.OutputError: draw: the graph is empty; there is nothing to draw
    """
    if len(graph) == 0:
        raise OutputError(f"{what}: the graph is empty; there is nothing to draw")
    graph.output  # noqa: B018 (raises OutputError naming several outputs)


def node_label(graph: ComputationalGraph, name: str) -> tuple[str, bool]:
    """The text a node is drawn with, and whether it is drawn as a gate (a circle).

    A leaf's name; a gate's symbol, or its class's name if its ``symbol`` is
    empty or not a string.

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph.from_expression("max(x, 0)")
    >>> [node_label(g, name) for name in g]  # the constant 0 is a gate drawn as a leaf
    [('x', False), ('0', False), ('max', True)]
    """
    if graph.kind(name) != "gate":
        return name, False
    gate = graph.gate(name)
    symbol = getattr(gate, "symbol", "")
    label = symbol if isinstance(symbol, str) and symbol else type(gate).__name__
    return label, bool(graph.inputs(name))  # a constant is drawn as a leaf


def layout(graph: ComputationalGraph) -> Places:
    """Each node's place: its layer (0 on the left) and its height in the layer.

    The layers are networkx's topological generations of ``graph.graph``, except
    that a constant (a gate without inputs) sits just before its first
    consumer. A wire that skips layers passes through a place of its own in
    each (see :func:`routes`). Within a layer, nodes are ordered by the mean
    height of their neighbours (a few sweeps each way), to keep wires from
    crossing.
    """
    return arrange(graph)[0]


def routes(graph: ComputationalGraph) -> Routes:
    """The places a wire passes through on its way across the layers it skips,
    for each pair of nodes (``[]`` between neighbouring layers)."""
    return arrange(graph)[1]


def arrange(graph: ComputationalGraph) -> tuple[Places, Routes]:
    """:func:`layout` and :func:`routes` together, from one arrangement."""
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
