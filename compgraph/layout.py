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

from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx

from compgraph.errors import GraphError
from compgraph.explain import sent_gradients
from compgraph.table import format_number

if TYPE_CHECKING:
    from compgraph.graph import ComputationalGraph

__all__ = [
    "GRADIENT_COLOR",
    "VALUE_COLOR",
    "Wire",
    "arrange",
    "layout",
    "node_label",
    "routes",
    "wires",
]

# The lectures' colours, the same in every renderer.
VALUE_COLOR = "#1a7f37"  # green
GRADIENT_COLOR = "#cf222e"  # red

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
    """

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


def node_label(graph: ComputationalGraph, name: str) -> tuple[str, bool]:
    """The text a node is drawn with, and whether it is drawn as a gate (a circle).

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
    label = gate.symbol or type(gate).__name__
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
