"""Kinks: the gates whose latest forward ran where they are not differentiable.

A max at a tie, a ReLU at 0: there a gradient is a convention, not a slope,
and each gate says which one it follows through :meth:`gates.Gate.kink`.

Examples
--------
>>> from compgraph import ComputationalGraph
>>> g = ComputationalGraph.from_expression("max(x, y) * z")
>>> _ = g.forward(x=3.0, y=3.0, z=2.0), g.backward()
>>> kinks(g)
[('max(x, y)', 'a tie, x == y: the whole gradient goes to x, the first input')]
>>> g.grad("x"), g.grad("y")
(2.0, 0.0)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from compgraph.errors import GateExecutionError
from gates.base import Gate

if TYPE_CHECKING:
    from compgraph.graph import ComputationalGraph

__all__ = ["kink_of", "kinks"]


def kinks(graph: ComputationalGraph) -> list[tuple[str, str]]:
    """``(node, note)`` for each gate node, in evaluation order, whose latest
    forward ran at a kink; the note names the point and the convention used.

    Raises
    ------
    NoForwardPassError
        If no forward pass has run since the graph was built or changed.
    GateExecutionError
        If a gate's ``kink`` raised or returned something other than a string
        or ``None``.

    Examples
    --------
    >>> import numpy as np
    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph.from_expression("relu(x)")
    >>> _ = g.forward(x=np.array([-1.0, 0.0, 2.0, 0.0]))
    >>> kinks(g)
    [('relu(x)', 'x == 0 (the kink) in 2 of 4 elements; there the gradient is 0 (the subgradient chosen)')]
    >>> _ = g.forward(x=np.array([-1.0, 2.0]))
    >>> kinks(g)
    []
    """  # noqa: E501
    graph.value(graph.output)  # a NoForwardPassError before any pass
    found = []
    for name in graph:
        if graph.kind(name) == "gate":
            note = kink_of(graph.gate(name), name)
            if note is not None:
                found.append((name, note))
    return found


def kink_of(gate: Gate, node: str | None = None) -> str | None:
    """``gate.kink()`` after its latest forward, checked: a string or ``None``.

    Raises
    ------
    GateExecutionError
        If ``kink`` raised or returned anything else, naming ``node`` (or the
        gate's class when it is in no graph).
    """
    where = f"node {node!r} ({type(gate).__name__})" if node else type(gate).__name__
    try:
        note = gate.kink()
    except Exception as exc:
        raise GateExecutionError(
            f"{where}.kink raised {type(exc).__name__}: {exc}", *([node] if node else [])
        ) from exc
    if note is not None and not isinstance(note, str):
        raise GateExecutionError(
            f"{where}.kink returned {type(note).__name__}, not a note (a string) or None",
            *([node] if node else []),
        )
    return note
