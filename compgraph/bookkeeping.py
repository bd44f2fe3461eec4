"""Where a node's gradient comes from: the shares at a fork, and the chain rule along paths.

The lectures' two bookkeeping rules, told with the numbers of the latest pass:

- *gradients add at forks*: :func:`contributions` lists what each gate that
  a node feeds sent back to it, one share per input slot (``x * x`` sends
  two), and the shares add up to the node's gradient;
- *the chain rule multiplies along a path*: :func:`paths` lists every path
  from a node to the output with the product of the local gradients along
  it, and the products add up to the node's gradient.

Examples
--------
>>> from compgraph import ComputationalGraph
>>> g = ComputationalGraph.from_expression("x * y + x")
>>> _ = g.forward(x=3, y=-4), g.backward()
>>> contributions(g, "x")
[('x * y', 0, -4), ('x * y + x', 1, 1)]
>>> paths(g, "x")
[(['x', 'x * y', 'x * y + x'], -4), (['x', 'x * y + x'], 1)]
>>> g.grad("x")
-3
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np

from compgraph.errors import (
    NoBackwardPassError,
    NodeNotFoundError,
    PathArrayError,
    TooManyPathsError,
)
from compgraph.explain import local_gradients, sent_gradients

if TYPE_CHECKING:
    from compgraph.graph import ComputationalGraph

__all__ = [
    "MAX_PATHS",
    "contributions",
    "count_paths",
    "every_path",
    "fork_gradients",
    "path_counts",
    "paths",
]

#: The most paths :func:`paths` lists; more are refused with :class:`TooManyPathsError`.
MAX_PATHS = 10_000


def contributions(graph: ComputationalGraph, name: str) -> list[tuple[str, int, Any]]:
    """What each gate fed by ``name`` sent back to it in the latest backward pass.

    Parameters
    ----------
    graph : ComputationalGraph
        A graph after a forward and a backward pass.
    name : str
        The node whose gradient to break down.

    Returns
    -------
    list of (consumer, slot, gradient)
        One item per input slot that ``name`` feeds, in evaluation order of
        the consumers (``x * x`` gives two items, slots 0 and 1); each
        gradient has ``name``'s shape, and their sum is ``graph.grad(name)``.
        The output feeds nothing: its list is empty, its gradient is the one
        the backward pass started with.

    Raises
    ------
    NodeNotFoundError
        If ``name`` is not a node.
    NoBackwardPassError
        If no backward pass followed the latest forward pass (or it was
        restricted to nodes that do not need ``name``'s gradient).

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph.from_expression("x * x")
    >>> _ = g.forward(x=3), g.backward()
    >>> contributions(g, "x"), g.grad("x")
    ([('x * x', 0, 3), ('x * x', 1, 3)], 6)
    """
    _check_pass(graph, "contributions", name)
    shares = []
    for consumer, slots in _consumers(graph).get(name, {}).items():
        sent = sent_gradients(graph, consumer)
        shares += [(consumer, slot, sent[slot]) for slot in slots]
    return shares


def fork_gradients(graph: ComputationalGraph) -> dict[str, Any]:
    """The gradient of each node at a fork (feeding more than one input slot),
    from the latest backward pass: the sum of its :func:`contributions`.

    Empty before a backward pass; a node the latest (restricted) backward
    pass gave no gradient is left out.

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph.from_expression("x * y + x")
    >>> _ = g.forward(x=3, y=-4)
    >>> fork_gradients(g)
    {}
    >>> _ = g.backward()
    >>> fork_gradients(g)
    {'x': -3}
    """
    forks = {}
    for name, consumers in _consumers(graph).items():
        if sum(map(len, consumers.values())) > 1:
            try:
                forks[name] = graph.grad(name)
            except NoBackwardPassError:
                continue
    return forks


def count_paths(graph: ComputationalGraph, name: str) -> int:
    """How many paths lead from ``name`` to the output, one per input slot
    along the way (``x * x`` gives two), counted without listing them.

    Raises
    ------
    NodeNotFoundError
        If ``name`` is not a node.

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph.from_expression("(x * x) * (x * x)")
    >>> count_paths(g, "x")
    4
    """
    if name not in graph:
        raise NodeNotFoundError(f"count_paths: {name!r} is not a node", str(name))
    return path_counts(graph)[name]


def path_counts(graph: ComputationalGraph) -> dict[str, int]:
    """:func:`count_paths` of every node, all counted in one pass back from the output.

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> path_counts(ComputationalGraph.from_expression("x * x + x"))
    {'x': 3, 'x * x': 1, 'x * x + x': 1}
    """
    return _counts(graph, _consumers(graph))


def paths(graph: ComputationalGraph, name: str) -> list[tuple[list[str], Any]]:
    """Every path from ``name`` to the output, with the product of the local
    gradients along it: the chain rule, one path at a time.

    Parameters
    ----------
    graph : ComputationalGraph
        A graph of numbers (every value on the paths a number, not an array)
        after a forward and a backward pass.
    name : str
        The node the paths start from.

    Returns
    -------
    list of (path, product)
        ``path`` lists the node names from ``name`` to the output; a gate that
        takes a node twice (``x * x``) gives two paths through it, one per
        slot, with the same names. ``product`` is the gradient the backward
        pass started with (1 unless ``dout`` was given) times each gate's
        local gradient for the slot the path enters it by. The products add
        up to ``graph.grad(name)``. The paths come in depth-first order,
        consumers in evaluation order.

    Raises
    ------
    NodeNotFoundError
        If ``name`` is not a node.
    NoBackwardPassError
        If no backward pass followed the latest forward pass.
    PathArrayError
        If a node on the paths holds an array, naming it.
    TooManyPathsError
        If there are more than :data:`MAX_PATHS` paths, saying how many
        (counted before any is listed).

    Notes
    -----
    A local gradient is what the gate's ``backward`` returns for ``dz = 1``,
    run on a copy of the gate as the latest forward left it
    (:func:`compgraph.explain.local_gradients`): no pass runs again and the
    graph is left untouched. It is not the share sent divided by the
    gradient received, which says nothing where that gradient is 0.

    Examples
    --------
    The lectures' ``f = (x + y) z`` at ``x = -2, y = 5, z = -4``:

    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph.from_expression("(x + y) * z")
    >>> _ = g.forward(x=-2, y=5, z=-4), g.backward()
    >>> paths(g, "x")
    [(['x', 'x + y', '(x + y) * z'], -4)]
    """
    _check_pass(graph, "paths", name)
    consumers = _consumers(graph)
    count = _counts(graph, consumers)[name]
    if count > MAX_PATHS:
        raise TooManyPathsError(
            f"paths {name!r}: {count} paths lead from {name!r} to the output, more than "
            f"the {MAX_PATHS} that are listed; see contributions({name!r}) for the shares "
            "that add up to its gradient",
            name,
            count=count,
        )
    on_paths = nx.descendants(graph.graph, name) | {name}
    for node in [name, *(node for node in graph if node in on_paths and node != name)]:
        _check_number(graph, name, node)
    return _listed(graph, _chains(graph, on_paths, consumers)[name])


def every_path(
    graph: ComputationalGraph, limit: int
) -> dict[str, list[tuple[list[str], Any]] | int]:
    """:func:`paths` of every node at once (each gate's local gradients
    computed once), or for a node with more than ``limit`` paths their number.

    Raises
    ------
    NoBackwardPassError
        If no backward pass followed the latest forward pass.
    PathArrayError
        If a node holds an array, naming it.

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph.from_expression("x * y + x")
    >>> _ = g.forward(x=3, y=-4), g.backward()
    >>> every_path(g, limit=1)
    {'x': 2, 'y': [(['y', 'x * y', 'x * y + x'], 3)], 'x * y': [(['x * y', 'x * y + x'], 1)], \
'x * y + x': [(['x * y + x'], 1)]}
    """
    consumers = _consumers(graph)
    counts = _counts(graph, consumers)
    few = {name for name, count in counts.items() if count <= limit}  # closed under consumers
    for node in graph:
        _check_pass(graph, "paths", node)
        _check_number(graph, node, node)
    chains = _chains(graph, few, consumers)
    return {name: _listed(graph, chains[name]) if name in few else counts[name] for name in graph}


# A path to the output as a linked chain, shared by the paths that end alike:
# (node, its local gradient into the next node, the rest), the output's (output, None, None).
_Chain = tuple[str, Any, Any]


def _counts(
    graph: ComputationalGraph, consumers: dict[str, dict[str, list[int]]]
) -> dict[str, int]:
    """Each node's number of paths to the output, counted back from the output."""
    counts: dict[str, int] = {}
    for node in reversed(list(graph)):
        slots = consumers.get(node)
        counts[node] = sum(counts[c] * len(s) for c, s in slots.items()) if slots else 1
    return dict(reversed(counts.items()))


def _chains(
    graph: ComputationalGraph, nodes: set[str], consumers: dict[str, dict[str, list[int]]]
) -> dict[str, list[_Chain]]:
    """The paths to the output from each of ``nodes`` (a set holding each
    node's consumers too), as chains, going back from the output."""
    output = graph.output
    found: dict[str, list[_Chain]] = {}
    local: dict[str, list[Any]] = {}
    for node in reversed(list(graph)):
        if node not in nodes:
            continue
        if node == output:
            found[node] = [(node, None, None)]
            continue
        chains = []
        for consumer, slots in consumers.get(node, {}).items():
            if consumer not in local:
                local[consumer] = local_gradients(graph, consumer)
            chains += [
                (node, local[consumer][slot], rest) for slot in slots for rest in found[consumer]
            ]
        found[node] = chains
    return found


def _listed(graph: ComputationalGraph, chains: list[_Chain]) -> list[tuple[list[str], Any]]:
    """Each chain as ``(path, product)``: the product taken from the start of the
    path to its end, then times the gradient the backward pass started with."""
    dout = graph.grad(graph.output)
    listed = []
    for chain in chains:
        path, product = [], 1
        link: _Chain | None = chain
        while link is not None:
            node, local, link = link
            path.append(node)
            if local is not None:
                product = product * local
        listed.append((path, dout * product))
    return listed


def _check_pass(graph: ComputationalGraph, method: str, name: str) -> None:
    """Refuse an unknown node, or one without a gradient from the latest backward pass."""
    if name not in graph:
        raise NodeNotFoundError(f"{method}: {name!r} is not a node", str(name))
    try:
        graph.grad(name)
    except NoBackwardPassError as exc:
        reason = str(exc).split(": ", 1)[-1]
        raise NoBackwardPassError(
            f"{method} {name!r}: {reason}; run forward, then backward", name
        ) from None


def _check_number(graph: ComputationalGraph, start: str, node: str) -> None:
    if np.ndim(graph.value(node)) > 0:
        raise PathArrayError(
            f"paths {start!r}: node {node!r} holds an array of shape "
            f"{np.shape(graph.value(node))}; paths are listed for graphs of numbers "
            f"(see contributions({start!r}) for the shares at a fork)",
            start,
            node,
        )


def _consumers(graph: ComputationalGraph) -> dict[str, dict[str, list[int]]]:
    """For each node, the gates consuming it (in evaluation order) and at which slots."""
    consumers: dict[str, dict[str, list[int]]] = {}
    for gate in graph:
        for slot, source in enumerate(graph.inputs(gate)):
            consumers.setdefault(source, {}).setdefault(gate, []).append(slot)
    return consumers
