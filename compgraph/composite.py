"""Gates made of graphs: :class:`CompositeGate`, and grouping a part of a graph
into one (:func:`group`) or putting it back (:func:`expand`).

The lectures: "we can group multiple gates into a single gate, or decompose a
function into multiple gates whenever it is convenient". A composite gate's
forward is its inner graph's forward pass and its backward the inner graph's
backward pass, so it is checked, drawn and explained like any gate.

Examples
--------
The sigmoid as the lectures decompose it, ``1 / (1 + exp(-x))``, as one gate:

>>> from compgraph import ComputationalGraph
>>> inner = ComputationalGraph.from_expression("1 / (1 + exp(-x))")
>>> sigmoid = CompositeGate(inner, symbol="σ")
>>> round(sigmoid.forward(1.0), 2), [round(d, 2) for d in sigmoid.backward(1.0)]
(0.73, [0.2])
>>> round(sigmoid.graph.value("exp(-x)"), 2)
0.37
"""

from __future__ import annotations

import copy
import weakref
from collections.abc import Iterable
from typing import Any

from compgraph.errors import (
    DuplicateNodeError,
    GateReuseError,
    GraphTypeError,
    GroupError,
    NodeNotFoundError,
    OutputError,
)
from compgraph.graph import GATE, INPUT, PARAMETER, ComputationalGraph
from gates.base import Gate

__all__ = ["CompositeGate", "composites", "expand", "group", "opened"]

Node = tuple[str, str, Gate | None, list[str]]  # name, kind, gate, input names

# The composite gate holding each inner graph, by the graph's id: an inner graph
# caches one gate's passes, so it sits in one composite gate only.
_HOLDERS: weakref.WeakValueDictionary[int, CompositeGate] = weakref.WeakValueDictionary()


class CompositeGate(Gate):
    """A gate made of a whole graph.

    Its inputs are the inner graph's input nodes, in the order they were
    added; ``forward`` feeds them and runs the inner graph's forward pass,
    returning its output's value, and ``backward`` runs the inner graph's
    backward pass from ``dz`` and returns the inputs' gradients. Placed in a
    graph it is a gate like any other.

    Parameters
    ----------
    graph : ComputationalGraph
        The inner graph: one output, any number of inputs. It becomes the
        gate's own (a graph sits in one composite gate only).
    symbol : str, optional
        How drawings and tables label the gate; empty: ``CompositeGate``.

    Attributes
    ----------
    graph : ComputationalGraph
        The inner graph, holding the latest pass: ``gate.graph.value(name)``
        and ``gate.graph.grad(name)`` read its nodes.
    input_count : int
        The number of inputs, the inner graph's.
    input_names : list of str
        The inner graph's input nodes that the inputs feed, in order.

    Raises
    ------
    GraphTypeError
        If ``graph`` is not a ComputationalGraph.
    OutputError
        If ``graph`` is empty or has several outputs.
    GateReuseError
        If ``graph`` already sits in another composite gate.

    Notes
    -----
    A parameter of the inner graph stays the inner graph's: its value is used
    at every pass and its gradient is read from ``gate.graph.grad(name)``, but
    the outer graph's ``parameters()`` (and so an optimizer of the outer graph)
    do not list it. :meth:`ComputationalGraph.group` never makes such
    parameters: the parameters a grouped part consumes stay in the outer graph
    and become inputs of the inner one.

    The inputs are those the inner graph has when the gate is made: build
    the inner graph first.

    Examples
    --------
    >>> from compgraph import ComputationalGraph, check_gate
    >>> inner = ComputationalGraph.from_expression("(x + y) * z")
    >>> gate = CompositeGate(inner)
    >>> gate.input_count, inner.input_names()
    (3, ['x', 'y', 'z'])
    >>> gate.forward(-2, 5, -4), gate.backward(1)
    (-12, [-4, -4, 3])
    >>> check_gate(CompositeGate(ComputationalGraph.from_expression("x * exp(y)")), 0.5, -1.0)
    True
    """

    gradient_pattern = "its inner graph passes it back"
    settings = ("graph", "symbol")  # a saved file holds the inner graph whole

    def __init__(self, graph: ComputationalGraph, symbol: str = "") -> None:
        if not isinstance(graph, ComputationalGraph):
            raise GraphTypeError(f"CompositeGate: {graph!r} is not a ComputationalGraph")
        try:
            graph.output  # noqa: B018 (refuses a graph without one output)
        except OutputError as exc:
            raise OutputError(f"CompositeGate: {str(exc).partition(': ')[2]}", *exc.nodes) from None
        if id(graph) in _HOLDERS:
            raise GateReuseError(
                "CompositeGate: this graph already sits in another composite gate; a graph "
                "caches one gate's passes, so build another graph (or copy.deepcopy it)",
                graph.output,
            )
        _HOLDERS[id(graph)] = self
        self.graph = graph
        self.symbol = symbol
        self.input_names = graph.input_names()
        self.input_count = len(self.input_names)

    def forward(self, *inputs: Any) -> Any:
        return self.graph.forward(dict(zip(self.input_names, inputs)))

    def backward(self, dz: Any) -> list[Any]:
        grads = self.graph.backward(dz)
        return [grads[name] for name in self.input_names]

    def kink(self) -> str | None:
        """The inner gates' kinks of the latest forward, each with its node."""
        notes = [f"{node!r}: {note}" for node, note in self.graph.kinks()]
        return "; ".join(notes) if notes else None

    def __deepcopy__(self, memo: dict[int, Any]) -> CompositeGate:
        copied = CompositeGate(copy.deepcopy(self.graph, memo), self.symbol)
        copied.needs_input_grad = self.needs_input_grad
        memo[id(self)] = copied
        return copied

    def __repr__(self) -> str:
        label = f", symbol={self.symbol!r}" if self.symbol else ""
        return f"CompositeGate({self.graph!r}{label})"


def group(
    graph: ComputationalGraph, name: str, nodes: Iterable[str], symbol: str | None = None
) -> str:
    """Replace the gate nodes ``nodes`` of ``graph`` by one node ``name`` holding
    a :class:`CompositeGate` of them, in place.

    The part must have one exit: the one node of it that the rest of the
    graph consumes (or that nothing consumes: the output). The composite node
    takes the exit's place; the inner graph's inputs are the nodes outside the
    part that it consumes, under their own names, in the order the part first
    consumes them (the part's nodes in evaluation order, each one's inputs in
    order), and its gates are the part's own gate instances, under their
    names. With one exit the part cannot close a cycle: every node of it
    leads to the exit, and only the exit leads out.

    Every other node keeps its value and gradient of the latest pass, and
    the composite node has the exit's; the inner graph holds the part's pass.

    Parameters
    ----------
    graph : ComputationalGraph
    name : str
        The composite node's name; a node of the part may lend its name.
    nodes : iterable of str
        The gate nodes of the part, in any order.
    symbol : str, optional
        How drawings and tables label the composite gate; ``name`` by default.

    Returns
    -------
    str
        ``name``.

    Raises
    ------
    GraphTypeError
        If ``name`` is not a string or ``nodes`` not a collection of names.
    NodeNotFoundError
        If a name in ``nodes`` is not a node.
    GroupError
        If the part is empty, holds an input or a parameter, or has more than
        one exit (the message names them).
    DuplicateNodeError
        If ``name`` is a node outside the part.

    Examples
    --------
    The lectures' neuron with its sigmoid decomposed: grouping ``*-1``,
    ``exp``, ``+1``, ``1/x`` gives the sigmoid gate's numbers.

    >>> from compgraph.lectures import neuron
    >>> g, feeds = neuron(decomposed=True)
    >>> group(g, "σ", ["neg", "exp", "plus1", "f"])
    'σ'
    >>> round(g.forward(feeds), 2), g.inputs("σ")
    (0.73, ['dot'])
    >>> _ = g.backward()
    >>> round(g.grad("dot"), 2), round(g.gate("σ").graph.grad("exp"), 2)
    (0.2, -0.53)
    """
    if not isinstance(name, str):
        raise GraphTypeError(f"group: node names are strings, got {name!r}")
    if isinstance(nodes, str) or not isinstance(nodes, Iterable):
        raise GraphTypeError(f"group {name!r}: nodes must be a list of node names, got {nodes!r}")
    part = set()
    for node in nodes:
        if node not in graph:
            raise NodeNotFoundError(f"group {name!r}: {node!r} is not a node", str(node))
        part.add(node)
    if not part:
        raise GroupError(f"group {name!r}: the part is empty; name the gate nodes to group", name)
    leaves = [node for node in graph if node in part and graph.kind(node) != GATE]
    if leaves:
        raise GroupError(
            f"group {name!r}: {', '.join(map(repr, leaves))} "
            f"{'is an input or a parameter' if len(leaves) == 1 else 'are inputs or parameters'}"
            "; a part holds gates only (the leaves it consumes become its inputs)",
            *leaves,
        )
    if name in graph and name not in part:
        raise DuplicateNodeError(
            f"group: the graph already has a node {name!r} ({graph.kind(name)})", name
        )
    order = [node for node in graph if node in part]
    consumers: dict[str, set[str]] = {node: set() for node in order}
    for node in graph:
        for consumed in graph.inputs(node):
            if consumed in consumers:
                consumers[consumed].add(node)
    exits = [node for node in order if not consumers[node] or not consumers[node] <= part]
    if len(exits) != 1:
        raise GroupError(
            f"group {name!r}: the part has {len(exits)} exits, "
            f"{', '.join(map(repr, exits))} (nodes that the rest of the graph consumes, or "
            "nothing does); a composite gate has one output",
            *exits,
        )
    (exit_node,) = exits
    values, grads = graph._latest_pass()
    sources = list(dict.fromkeys(i for node in order for i in graph.inputs(node) if i not in part))
    inner_nodes: list[Node] = [(source, INPUT, None, []) for source in sources]
    inner_nodes += [(node, GATE, graph.gate(node), graph.inputs(node)) for node in order]
    inner = ComputationalGraph(check_finite=graph.check_finite)
    inner._restructure(inner_nodes, values, None)
    if grads is not None and exit_node in grads:
        inner.backward(grads[exit_node])  # the part's gradients, the inputs' shares
    composite = CompositeGate(inner, symbol=name if symbol is None else symbol)
    outer_nodes: list[Node] = []
    for node in graph:
        if node == exit_node:
            outer_nodes.append((name, GATE, composite, sources))
        elif node not in part:
            inputs = [name if i == exit_node else i for i in graph.inputs(node)]
            outer_nodes.append((node, graph.kind(node), _gate_at(graph, node), inputs))
    _rename(values, exit_node, name)
    if grads is not None:
        _rename(grads, exit_node, name)
    graph._restructure(outer_nodes, values, grads)
    return name


def expand(graph: ComputationalGraph, name: str) -> list[str]:
    """Put the nodes of the composite gate at node ``name`` back in its place,
    in place; the inverse of :func:`group`.

    The inner graph's gates and parameters become nodes of ``graph`` under
    their inner names (an inner name the graph already has comes back as
    ``"name/inner"``); each inner input stands for the node that the
    composite consumed at that position, and what consumed ``name`` consumes
    the inner output. Every node keeps its value and gradient of the latest
    pass, the inner ones theirs (held by the inner graph). The composite gate
    is left with an empty graph.

    Returns
    -------
    list of str
        The names of the nodes put back, in evaluation order.

    Raises
    ------
    NodeNotFoundError
        If ``name`` is not a node.
    GroupError
        If ``name`` is not a composite gate.
    DuplicateNodeError
        If an inner node's name and its ``"name/inner"`` are both taken.

    Examples
    --------
    >>> from compgraph.lectures import neuron
    >>> g, feeds = neuron(decomposed=True)
    >>> _ = group(g, "σ", ["neg", "exp", "plus1", "f"])
    >>> _ = g.forward(feeds), g.backward()
    >>> expand(g, "σ")
    ['neg', 'exp', 'plus1', 'f']
    >>> round(g.value("f"), 2), round(g.grad("dot"), 2)
    (0.73, 0.2)
    """
    if name not in graph:
        raise NodeNotFoundError(f"expand: {name!r} is not a node", str(name))
    composite = graph.gate(name) if graph.kind(name) == GATE else None
    if not isinstance(composite, CompositeGate):
        what = type(composite).__name__ if composite is not None else f"an {graph.kind(name)}"
        if graph.kind(name) == PARAMETER:
            what = "a parameter"
        raise GroupError(f"expand: {name!r} is {what}, not a composite gate", name)
    inner = composite.graph
    values, grads = graph._latest_pass()
    inner_values, inner_grads = inner._latest_pass()
    taken = {node for node in graph if node != name}
    renamed = dict(zip(inner.input_names(), graph.inputs(name)))
    for node in inner:
        if node in renamed:
            continue
        new = node if node not in taken else f"{name}/{node}"
        if new in taken:
            raise DuplicateNodeError(
                f"expand {name!r}: the graph already has nodes {node!r} and {new!r}, the "
                f"names for the inner node {node!r}",
                name,
                node,
            )
        taken.add(new)
        renamed[node] = new
    output = renamed[inner.output]
    for store in (values, grads):
        if store is not None:
            store.pop(name, None)
    placed: list[Node] = []
    for node in inner:
        if inner.kind(node) == INPUT:
            continue
        gate = _gate_at(inner, node)
        placed.append(
            (renamed[node], inner.kind(node), gate, [renamed[i] for i in inner.inputs(node)])
        )
        for store, inner_store in ((values, inner_values), (grads, inner_grads)):
            if store is not None and inner_store is not None and node in inner_store:
                store[renamed[node]] = inner_store[node]
    outer_nodes: list[Node] = []
    for node in graph:
        if node == name:
            outer_nodes += placed
        else:
            inputs = [output if i == name else i for i in graph.inputs(node)]
            outer_nodes.append((node, graph.kind(node), _gate_at(graph, node), inputs))
    inner._restructure([], {}, None)  # its gates move out
    graph._restructure(outer_nodes, values, grads)
    return [node for node, *_ in placed]


def opened(
    graph: ComputationalGraph, names: Iterable[str]
) -> tuple[ComputationalGraph, dict[str, list[str]]]:
    """A copy of ``graph`` with the composite gates at ``names`` expanded, for
    drawing or explaining them opened; and, for each, the nodes it opened into.

    The copy holds the latest pass (see :func:`expand`); ``graph`` is left as
    it was. A name may be that of a composite inside an opened one, after it.

    Raises
    ------
    GraphTypeError
        If ``names`` is a string rather than a list of names.
    NodeNotFoundError, GroupError
        As :func:`expand`.

    Examples
    --------
    >>> from compgraph.lectures import neuron
    >>> g, feeds = neuron(decomposed=True)
    >>> _ = g.group("σ", ["neg", "exp", "plus1", "f"])
    >>> copy_, frames = opened(g, ["σ"])
    >>> frames, "σ" in g
    ({'σ': ['neg', 'exp', 'plus1', 'f']}, True)
    """
    if isinstance(names, str):
        raise GraphTypeError(f"opened must be a list of composite gates' names, got {names!r}")
    copied = copy.deepcopy(graph)
    return copied, {name: expand(copied, name) for name in names}


def composites(graph: ComputationalGraph) -> list[str]:
    """The nodes of ``graph`` that hold a composite gate, in evaluation order.

    Examples
    --------
    >>> from compgraph.lectures import neuron
    >>> g, _ = neuron(decomposed=True)
    >>> _ = g.group("σ", ["neg", "exp", "plus1", "f"])
    >>> composites(g)
    ['σ']
    """
    return [name for name in graph if isinstance(_gate_at(graph, name), CompositeGate)]


def _gate_at(graph: ComputationalGraph, node: str) -> Gate | None:
    return graph.gate(node) if graph.kind(node) == GATE else None


def _rename(store: dict[str, Any], old: str, new: str) -> None:
    if old in store:
        store[new] = store.pop(old)
