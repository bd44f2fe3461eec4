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
from typing import Any

from compgraph.errors import GateReuseError, GraphTypeError, OutputError
from compgraph.graph import ComputationalGraph
from gates.base import Gate

__all__ = ["CompositeGate"]

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
        self._inputs = graph.input_names()
        self.input_count = len(self._inputs)

    def forward(self, *inputs: Any) -> Any:
        return self.graph.forward(dict(zip(self._inputs, inputs)))

    def backward(self, dz: Any) -> list[Any]:
        grads = self.graph.backward(dz)
        return [grads[name] for name in self._inputs]

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
