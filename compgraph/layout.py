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
{'x': (0, 0.75), 'y': (0, -0.25), 'z': (0, -1.25), 'x + y': (1, 0.25), '(x + y) * z': (2, -0.5)}
>>> routes(g)[("z", "(x + y) * z")]  # z's wire skips layer 1, under x + y
[(1, -1.25)]
>>> [(w.source, w.target, w.value, w.gradient) for w in wires(g)]
... # doctest: +NORMALIZE_WHITESPACE
[('x', 'x + y', '-2', '-4'), ('y', 'x + y', '5', '-4'), ('x + y', '(x + y) * z', '3', '-4'),
 ('z', '(x + y) * z', '-4', '3'), ('(x + y) * z', None, '-12', '1')]
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Collection, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np

from compgraph.errors import GraphError, NodeNotFoundError, OutputError
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
    "crossings",
    "layout",
    "leaf_characters",
    "neighbourhood",
    "node_label",
    "number_text",
    "part_wires",
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
        return None if value is None else number_text(value, digits)

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


def part_wires(graph: ComputationalGraph, nodes: Collection[str], digits: int = 2) -> list[Wire]:
    """The wires of the part of ``graph`` that ``nodes`` make (as :func:`layout`
    places it with ``nodes``): every wire into one of them, then one wire out
    of each node whose value leaves the part (to the rest of the graph, or as
    the output), carrying its value and the gradient that came back to it
    from outside the part (the sum of the outside consumers' shares).

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph.from_expression("q = x + y; f = q * z")
    >>> _ = g.forward(x=-2, y=5, z=-4), g.backward()
    >>> [(w.source, w.target, w.value, w.gradient) for w in part_wires(g, ["q"])]
    [('x', 'q', '-2', '-4'), ('y', 'q', '5', '-4'), ('q', None, '3', '-4')]
    """
    chosen = _part(graph, nodes)
    every = wires(graph, digits)
    result = [wire for wire in every if wire.target in chosen]
    outside: dict[str, list[str | None]] = {}  # None: out of the graph, as its output
    for wire in every:
        if wire.source in chosen and wire.target not in chosen:
            outside.setdefault(wire.source, []).append(wire.target)
    for name in graph:
        if name not in outside:
            continue
        value = next(w.value for w in every if w.source == name)
        if None in outside[name]:  # the output: what backward started with
            gradient = next(w.gradient for w in every if w.source == name and w.target is None)
        else:
            shares = [
                share
                for consumer in dict.fromkeys(c for c in outside[name] if c is not None)
                for source, share in zip(graph.inputs(consumer), _sent(graph, consumer))
                if source == name
            ]
            total = None if None in shares else sum(shares)
            gradient = None if total is None else number_text(total, digits)
        result.append(Wire(name, None, 0, value, gradient))
    return result


def _sent(graph: ComputationalGraph, name: str) -> list[Any]:
    """What gate ``name`` sent back to each input slot, None where not computed."""
    try:
        return list(sent_gradients(graph, name))
    except GraphError:
        return [None] * len(graph.inputs(name))


def number_text(value: Any, digits: int) -> str:
    """``value`` as :func:`wires` writes it: rounded to ``digits`` decimals, on
    one line, in at most :data:`NUMBER_LIMIT` characters.

    Examples
    --------
    >>> number_text(0.7310585786, 2), number_text(10**100, 2), number_text(np.zeros((50, 50)), 2)
    ('0.73', '1e+100', 'array of shape (50, 50)')
    """
    if isinstance(value, np.ndarray) and value.ndim > 0:
        # numpy elides only the axes longer than 6 once there are over 20 numbers
        shown = value.size if value.size <= 20 else math.prod(min(n, 6) for n in value.shape)
        if shown <= NUMBER_LIMIT:
            text = np.array2string(
                value,
                separator=", ",
                formatter={"all": lambda item: number_text(item, digits)},
                max_line_width=1_000_000,
                threshold=20,
            )
            text = " ".join(text.split())
            if len(text) <= NUMBER_LIMIT:
                return text
        return f"array of shape {value.shape}"
    if isinstance(value, (complex, np.complexfloating)):
        real, imag = number_text(value.real, digits), number_text(value.imag, digits)
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


def leaf_characters(labels: dict[str, tuple[str, bool]], sums: dict[str, str]) -> int:
    """The most characters a drawing writes left of its first layer: a leaf's
    label (as :func:`readable` shows it in :data:`NAME_LIMIT`), or the fork sum
    under it; ``labels`` as :func:`node_label` gives them, ``sums`` the text
    written under each node at a fork.

    Examples
    --------
    >>> leaf_characters({"x": ("x", False), "f": ("*", True)}, {"x": "Σ 36"})
    4
    """
    return max(
        (
            max(len(readable(label, NAME_LIMIT)), len(sums.get(name, "")))
            for name, (label, is_gate) in labels.items()
            if not is_gate
        ),
        default=0,
    )


def layout(graph: ComputationalGraph, nodes: Collection[str] | None = None) -> Places:
    """Each node's place: its layer (0 on the left) and its height in the layer.

    The layers are networkx's topological generations of ``graph.graph``
    (every wire goes from a lower layer to a higher one), except that a
    parameter or a constant (a gate without inputs) sits just before its first
    consumer, beside the gate that uses it; inputs stay in layer 0, in the
    order they were added. A wire that skips layers passes through a place of
    its own in each (see :func:`routes`). Within each layer the nodes are
    ordered to keep wires from crossing (barycenter sweeps, then swaps of
    neighbours, keeping the order with the fewest crossings), then given
    heights at least 1 apart, each as near as that allows to the mean height
    of its neighbours, so that chains run straight.

    With ``nodes``, the part of the graph those nodes make: each node feeding
    one of them from outside is placed too, as a leaf beside its consumer
    (see :func:`part`).
    """
    return arrange(graph, nodes)[0]


def routes(graph: ComputationalGraph, nodes: Collection[str] | None = None) -> Routes:
    """The places a wire passes through on its way across the layers it skips,
    for each pair of nodes (``[]`` between neighbouring layers)."""
    return arrange(graph, nodes)[1]


def crossings(graph: ComputationalGraph) -> int:
    """How many pairs of wire stretches between the same two layers cross in
    the drawing of ``graph`` (counted from :func:`layout` and :func:`routes`).

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> crossings(ComputationalGraph.from_expression("(x + y) * z"))
    0
    """
    places, paths = arrange(graph)
    stretches: dict[int, list[tuple[float, float]]] = {}
    for (source, target), points in paths.items():
        chain = [places[source], *points, places[target]]
        for (layer, start), (_, end) in itertools.pairwise(chain):
            stretches.setdefault(layer, []).append((start, end))
    return sum(
        (a[0] - b[0]) * (a[1] - b[1]) < 0
        for pieces in stretches.values()
        for i, a in enumerate(pieces)
        for b in pieces[i + 1 :]
    )


def arrange(
    graph: ComputationalGraph, nodes: Collection[str] | None = None
) -> tuple[Places, Routes]:
    """:func:`layout` and :func:`routes` together, from one arrangement."""
    structure, beside = _structure(graph, nodes)
    layer: dict[Hashable, int] = {}
    for depth, generation in enumerate(nx.topological_generations(structure)):
        for name in generation:
            layer[name] = depth
    for name in structure:  # in evaluation order: a constant may feed a constant's consumer
        if name in beside and structure.out_degree(name):
            layer[name] = min(layer[after] for after in structure.successors(name)) - 1

    # Long wires pass through one waypoint per layer they cross.
    chained = nx.DiGraph()
    chained.add_nodes_from(structure)
    waypoints: dict[tuple[str, str], list[Hashable]] = {}
    for source, target in structure.edges:
        points: list[Hashable] = []
        for depth in range(layer[source] + 1, layer[target]):
            points.append((source, target, depth))
            layer[points[-1]] = depth
        nx.add_path(chained, [source, *points, target])
        waypoints[source, target] = points
    layers: list[list[Hashable]] = [[] for _ in range(max(layer.values()) + 1)]
    for node in chained:
        layers[layer[node]].append(node)
    fixed = [name for name in layers[0] if name not in beside]  # the inputs, in order
    layers = _fewest_crossings(chained, layers, fixed, beside)
    height = _heights(chained, layers)
    places = {name: (layer[name], height[name]) for name in structure}
    paths = {
        edge: [(layer[point], height[point]) for point in points]
        for edge, points in waypoints.items()
    }
    return places, paths


def neighbourhood(graph: ComputationalGraph, around: str, depth: int = 1) -> list[str]:
    """The nodes at most ``depth`` wires away from ``around`` (either way along
    them), ``around`` included, in evaluation order: a part to draw.

    Raises
    ------
    NodeNotFoundError
        If ``around`` is not a node.
    ValueError
        If ``depth`` is not a whole number from 0 up.

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph.from_expression("q = x + y; f = q * z")
    >>> neighbourhood(g, "q"), neighbourhood(g, "x", 2)
    (['x', 'y', 'q', 'f'], ['x', 'y', 'q', 'f'])
    >>> neighbourhood(g, "z", 0)
    ['z']
    """
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
        raise ValueError(f"depth must be a whole number from 0 up, not {depth!r}")
    if around not in graph:
        raise NodeNotFoundError(f"around: {around!r} is not a node of the graph", around)
    near = nx.single_source_shortest_path_length(
        graph.graph.to_undirected(as_view=True), around, depth
    )
    return [name for name in graph if name in near]


def _structure(
    graph: ComputationalGraph, nodes: Collection[str] | None
) -> tuple[nx.DiGraph, set[str]]:
    """The wiring to lay out (the whole graph's, or a part's with the nodes that
    feed it from outside), and the leaves placed beside their consumers:
    parameters, constants and the part's feeders."""
    structure = graph.graph
    beside = {
        name
        for name in graph
        if graph.kind(name) == "parameter"
        or (graph.kind(name) == "gate" and not graph.inputs(name))
    }
    if nodes is None:
        return structure, beside
    chosen = _part(graph, nodes)
    feeders = {source for name in chosen for source in graph.inputs(name) if source not in chosen}
    kept = [name for name in graph if name in chosen or name in feeders]
    part = nx.DiGraph()
    part.add_nodes_from(kept)
    part.add_edges_from((source, target) for source, target in structure.edges if target in chosen)
    return part, (beside & chosen) | feeders


def _part(graph: ComputationalGraph, nodes: Collection[str]) -> set[str]:
    """``nodes`` checked: some, and every one a node of ``graph``."""
    if isinstance(nodes, str):
        raise TypeError(f"nodes must be a collection of node names, not the string {nodes!r}")
    chosen = set(nodes)
    if not chosen:
        raise ValueError("nodes is empty; name the nodes to draw")
    unknown = sorted(chosen - set(graph), key=repr)
    if unknown:
        names = ", ".join(map(repr, unknown))
        raise NodeNotFoundError(f"nodes names {names}, not in the graph", *unknown)
    return chosen


# Rounds of barycenter sweeps (alternating rightwards and leftwards) and of
# height sweeps; more change little on the circuits drawn.
_ORDER_SWEEPS = 12
_HEIGHT_SWEEPS = 7  # odd: the last one rightwards, each gate level with its inputs


def _fewest_crossings(
    chained: nx.DiGraph,
    layers: list[list[Hashable]],
    fixed: list[Hashable],
    followers: Collection[Hashable],
) -> list[list[Hashable]]:
    """``layers`` each reordered to make few crossings between neighbouring
    layers, ``fixed`` (in layer 0) keeping its order."""
    position: dict[Hashable, int] = {}
    keep = set(fixed)

    def number(nodes: list[Hashable]) -> None:
        position.update((node, i) for i, node in enumerate(nodes))

    def total() -> int:
        return sum(_crossings(chained, layers[depth], position) for depth in range(len(layers) - 1))

    for nodes in layers:
        number(nodes)
    best, fewest = [list(nodes) for nodes in layers], total()
    for sweep in range(_ORDER_SWEEPS):
        if fewest == 0:
            break
        rightwards = sweep % 2 == 0
        for depth in range(1, len(layers)) if rightwards else range(len(layers) - 2, -1, -1):
            side = chained.predecessors if rightwards else chained.successors
            keys = {}
            for node in layers[depth]:
                if rightwards and node in followers:
                    continue
                near = [position[n] for n in side(node) if n not in followers] or [
                    position[n] for n in side(node)
                ]
                keys[node] = sum(near) / len(near) if near else position[node]
            ties, derived = {}, set()
            for node in layers[depth]:
                after = [position[n] for n in chained.successors(node)]
                ties[node] = (sum(after) / len(after) if after else 0.0, position[node])
                if node not in keys:  # a follower goes where its consumers' other inputs go
                    derived.add(node)
                    others = [
                        keys[n]
                        for consumer in chained.successors(node)
                        for n in chained.predecessors(consumer)
                        if n in keys
                    ]
                    keys[node] = sum(others) / len(others) if others else position[node]
            # a follower goes below the inputs its consumers share with it
            layers[depth].sort(key=lambda node: (keys[node], node in derived, ties[node]))
            if depth == 0 and fixed:
                slots = [i for i, node in enumerate(layers[0]) if node in keep]
                for i, node in zip(slots, fixed):
                    layers[0][i] = node
            number(layers[depth])
        count = total()
        if count < fewest:
            best, fewest = [list(nodes) for nodes in layers], count
    layers = best
    for nodes in layers:
        number(nodes)
    # Then swap neighbours in a layer while that removes crossings.
    improved = True
    while improved:
        improved = False
        for nodes in layers:
            for i in range(len(nodes) - 1):
                upper, lower = nodes[i], nodes[i + 1]
                if upper in keep and lower in keep:
                    continue
                if _pair_crossings(chained, lower, upper, position) < _pair_crossings(
                    chained, upper, lower, position
                ):
                    nodes[i], nodes[i + 1] = lower, upper
                    position[lower], position[upper] = i, i + 1
                    improved = True
    return layers


def _crossings(chained: nx.DiGraph, nodes: list[Hashable], position: dict[Hashable, int]) -> int:
    """How many pairs of wires from ``nodes`` (one layer) to the next layer cross."""
    ends = sorted(
        (position[node], position[after]) for node in nodes for after in chained.successors(node)
    )
    # Count the pairs whose ends are in the other order, with a Fenwick tree.
    size = 1 + max((end for _, end in ends), default=0)
    tree = [0] * (size + 1)
    count = 0
    for seen, (_, end) in enumerate(ends):
        i = end + 1
        below = 0  # how many of the wires seen end at or above this one
        while i > 0:
            below += tree[i]
            i -= i & -i
        count += seen - below
        i = end + 1
        while i <= size:
            tree[i] += 1
            i += i & -i
    return count


def _pair_crossings(
    chained: nx.DiGraph, upper: Hashable, lower: Hashable, position: dict[Hashable, int]
) -> int:
    """How many wires of ``upper`` cross those of ``lower``, with ``upper`` just above."""
    count = 0
    for side in (chained.predecessors, chained.successors):
        ends = [position[n] for n in side(lower)]
        for mine in side(upper):
            count += sum(position[mine] > end for end in ends)
    return count


def _heights(chained: nx.DiGraph, layers: list[list[Hashable]]) -> dict[Hashable, float]:
    """Each node's height: in its layer's order, at least 1 apart, each as near
    as that allows to the mean height of its neighbours (a few sweeps each way)."""
    height: dict[Hashable, float] = {}
    for nodes in layers:
        height.update((node, (len(nodes) - 1) / 2 - i) for i, node in enumerate(nodes))
    for sweep in range(_HEIGHT_SWEEPS):
        rightwards = sweep % 2 == 0
        for nodes in layers[1:] if rightwards else layers[-2::-1]:
            wanted = []
            for node in nodes:
                before, after = list(chained.predecessors(node)), list(chained.successors(node))
                near = [height[n] for n in ((before or after) if rightwards else (after or before))]
                wanted.append(sum(near) / len(near) if near else height[node])
            height.update(zip(nodes, _spread(wanted)))
    return {node: round(value, 3) + 0.0 for node, value in height.items()}


def _spread(wanted: list[float]) -> list[float]:
    """Heights nearest to ``wanted`` (least squares) going down by at least 1 each.

    Shifted by their index, the heights must not increase: the pool-adjacent-
    violators algorithm finds them.
    """
    blocks: list[list[float]] = []  # [mean, count]
    for i, value in enumerate(wanted):
        blocks.append([value + i, 1])
        while len(blocks) > 1 and blocks[-2][0] < blocks[-1][0]:
            mean, count = blocks.pop()
            blocks[-1][0] = (blocks[-1][0] * blocks[-1][1] + mean * count) / (blocks[-1][1] + count)
            blocks[-1][1] += count
    shifted = [mean for mean, count in blocks for _ in range(int(count))]
    return [value - i for i, value in enumerate(shifted)]
