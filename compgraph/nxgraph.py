"""A graph built from a ``networkx.DiGraph`` that the user made
(:meth:`ComputationalGraph.from_networkx`): the networkx user's way in.

A node whose data holds ``"gate"`` (a gate instance) is a gate node; a node
whose data holds ``kind="parameter"`` and ``"value"`` is a parameter; any other
node is an input. A gate's inputs are its in-edges, ordered by their
``"slots"`` (a tuple of input positions, as ``ComputationalGraph.graph``
writes them) or ``"slot"`` (one position) data where given, else in the order
the edges were added.

Examples
--------
>>> import networkx as nx
>>> from gates import AddGate, MulGate
>>> digraph = nx.DiGraph()
>>> digraph.add_node("q", gate=AddGate())
>>> digraph.add_node("f", gate=MulGate())
>>> digraph.add_edges_from([("x", "q"), ("y", "q"), ("q", "f"), ("z", "f")])
>>> g = from_networkx(digraph)
>>> g.input_names(), g.forward(x=-2, y=5, z=-4)
(['x', 'y', 'z'], -12)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compgraph.errors import CycleError, GraphError, GraphTypeError, NodeKindError, SlotError
from compgraph.graph import PARAMETER, ComputationalGraph

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["from_networkx"]


def from_networkx(
    digraph: nx.DiGraph, graph_type: type[ComputationalGraph] = ComputationalGraph
) -> ComputationalGraph:
    """Build a :class:`ComputationalGraph` from the ``networkx.DiGraph`` ``digraph``.

    Nodes are added in a topological order that keeps ``digraph``'s order of nodes
    wherever it can, so inputs are fed, and parameters listed, in the order
    ``digraph`` holds them. ``digraph`` is only read.

    Parameters
    ----------
    digraph : networkx.DiGraph
        Node names are strings. Gate nodes hold ``gate`` (an instance not
        placed at any node yet); parameters ``kind="parameter"`` and
        ``value``; edges may hold ``slots`` (a tuple of input positions: an
        edge into ``x * x`` has ``(0, 1)``) or ``slot`` (one position).

    Raises
    ------
    GraphTypeError
        If ``digraph`` is not a ``networkx.DiGraph`` (a multigraph neither), a node
        name is not a string, or a ``gate`` is not a gate instance.
    CycleError
        If ``digraph`` has a cycle (the message shows it).
    NodeKindError
        If an input or parameter has in-edges, or a parameter no value.
    SlotError
        If a gate's in-edges give slots on some edges only, two at one slot,
        leave a slot out, or give a slot that is not a whole number.
    ArityError
        If a gate's ``forward`` does not take that many inputs.
    GateReuseError
        If a gate instance already sits at a node, of another graph or of ``digraph``.

    Every message names the node; a refused ``digraph`` leaves its gates free to
    place again.

    Examples
    --------
    ``x / y`` with the order given by ``slot``, and a parameter:

    >>> import networkx as nx
    >>> from gates import DivGate, MulGate
    >>> digraph = nx.DiGraph()
    >>> digraph.add_node("w", kind="parameter", value=3.0)
    >>> digraph.add_node("r", gate=DivGate())
    >>> digraph.add_node("f", gate=MulGate())
    >>> digraph.add_edge("y", "r", slot=1)
    >>> digraph.add_edge("x", "r", slot=0)
    >>> digraph.add_edge("r", "f")
    >>> digraph.add_edge("w", "f")
    >>> g = from_networkx(digraph)
    >>> g.inputs("r"), g.parameters(), g.forward(x=1.0, y=4.0)
    (['x', 'y'], {'w': 3.0}, 0.75)
    """
    import networkx as nx

    if not isinstance(digraph, nx.DiGraph) or digraph.is_multigraph():
        raise GraphTypeError(
            f"from_networkx: expected a networkx.DiGraph, got {type(digraph).__name__}; "
            "give repeated inputs as an edge's slots, (0, 1) for x * x"
        )
    for node in digraph:
        if not isinstance(node, str):
            raise GraphTypeError(f"from_networkx: node names are strings, got {node!r}", str(node))
    position = {node: i for i, node in enumerate(digraph)}
    try:
        order = list(nx.lexicographical_topological_sort(digraph, key=position.__getitem__))
    except nx.NetworkXUnfeasible:
        cycle = [u for u, _ in nx.find_cycle(digraph)]
        raise CycleError(
            f"from_networkx: the edges close the cycle {' -> '.join([*cycle, cycle[0]])}", *cycle
        ) from None
    g = graph_type()
    try:
        for node in order:
            _add(g, digraph, node)
    except GraphError:
        g._restructure([], {}, None)  # the gates placed so far are free again
        raise
    return g


def _add(g: ComputationalGraph, digraph: nx.DiGraph, node: str) -> None:
    data = digraph.nodes[node]
    if "gate" not in data:
        if digraph.in_degree(node):
            sources = ", ".join(map(repr, digraph.pred[node]))
            raise NodeKindError(
                f"from_networkx: node {node!r} has in-edges (from {sources}) but no 'gate' in "
                "its data; only gates consume nodes",
                node,
            )
        if data.get("kind") == PARAMETER:
            if "value" not in data:
                raise NodeKindError(
                    f"from_networkx: parameter {node!r} has no 'value' in its data", node
                )
            g.add_parameter(node, data["value"])
        else:
            g.add_input(node)
        return
    inputs = _inputs(digraph, node)
    try:
        g.add_gate(node, data["gate"], inputs)
    except GraphError as exc:
        reason = str(exc).removeprefix(f"add_gate {node!r}: ")
        raise type(exc)(f"from_networkx: gate {node!r}: {reason}", *exc.nodes) from None


def _inputs(digraph: nx.DiGraph, node: str) -> list[str]:
    """The inputs of gate ``node`` in slot order: its in-edges' slots, or the
    order the edges were added."""
    edges = list(digraph.pred[node].items())
    given = [source for source, data in edges if "slots" in data or "slot" in data]
    if not given:
        return [source for source, _ in edges]
    if len(given) < len(edges):
        missing = ", ".join(repr(source) for source, _ in edges if source not in given)
        raise SlotError(
            f"from_networkx: gate {node!r}: the edges from {', '.join(map(repr, given))} give "
            f"slots, the edges from {missing} none; give every in-edge its slots or none",
            node,
        )
    at: dict[int, str] = {}
    for source, data in edges:
        for slot in _slots(node, source, data):
            if slot in at:
                raise SlotError(
                    f"from_networkx: gate {node!r}: the edges from {at[slot]!r} and {source!r} "
                    f"both take slot {slot}",
                    node,
                )
            at[slot] = source
    gaps = [slot for slot in range(len(at)) if slot not in at]
    if gaps:
        raise SlotError(
            f"from_networkx: gate {node!r}: no edge takes slot {gaps[0]} (slots "
            f"{sorted(at)}); slots count the inputs from 0",
            node,
        )
    return [at[slot] for slot in range(len(at))]


def _slots(node: str, source: str, data: dict[str, Any]) -> list[int]:
    if "slots" in data and "slot" in data:
        raise SlotError(
            f"from_networkx: edge {source!r} -> {node!r} has both 'slots' and 'slot'; give one",
            node,
        )
    given = data["slots"] if "slots" in data else (data["slot"],)
    slots = list(given) if isinstance(given, (tuple, list)) else [given]
    for slot in slots:
        if type(slot) is not int or slot < 0:
            raise SlotError(
                f"from_networkx: edge {source!r} -> {node!r}: slot {slot!r} is not a whole "
                "number from 0",
                node,
            )
    if not slots:
        raise SlotError(f"from_networkx: edge {source!r} -> {node!r} has no slots", node)
    return slots
