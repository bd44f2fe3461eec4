"""The lectures' worked examples, built as graphs with the values the lectures use.

Each builder returns the graph and the feeds of the lecture's example.

Examples
--------
>>> g, feeds = three_times_a_plus_bc()
>>> g.forward(feeds), sorted(g.backward().items())
(39, [('J', 1), ('a', 3), ('b', 6), ('c', 12), ('u', 3), ('v', 3)])
"""

from __future__ import annotations

from typing import Any

from compgraph.graph import ComputationalGraph
from gates.arithmetic import AddConstantGate, AddGate, MulConstantGate, MulGate, ReciprocalGate
from gates.elementwise import ExpGate, SigmoidGate

__all__ = ["EXAMPLES", "neuron", "three_times_a_plus_bc", "x_plus_y_times_z"]

Feeds = dict[str, Any]


def three_times_a_plus_bc() -> tuple[ComputationalGraph, Feeds]:
    """``J = 3(a + bc)`` at ``a = 5, b = 4, c = 2``: ``u = bc``, ``v = a + u``, ``J = 3v``."""
    g = ComputationalGraph()
    for name in "abc":
        g.add_input(name)
    g.add_gate("u", MulGate(), ["b", "c"])
    g.add_gate("v", AddGate(), ["a", "u"])
    g.add_gate("J", MulConstantGate(3), ["v"])
    return g, {"a": 5, "b": 4, "c": 2}


def x_plus_y_times_z() -> tuple[ComputationalGraph, Feeds]:
    """``f = (x + y) z`` at ``x = -2, y = 5, z = -4``: ``q = x + y``, ``f = qz``."""
    g = ComputationalGraph()
    for name in "xyz":
        g.add_input(name)
    g.add_gate("q", AddGate(), ["x", "y"])
    g.add_gate("f", MulGate(), ["q", "z"])
    return g, {"x": -2, "y": 5, "z": -4}


def neuron(decomposed: bool = False) -> tuple[ComputationalGraph, Feeds]:
    """The 2-input sigmoid neuron ``f = 1 / (1 + exp(-(w0 x0 + w1 x1 + w2)))``
    at ``w = [2, -3, -3]``, ``x = [-1, -2]``; the weights are parameters.

    With ``decomposed=True`` the sigmoid is the lectures' chain of gates
    ``*-1``, ``exp``, ``+1``, ``1/x``; otherwise one :class:`gates.SigmoidGate`.
    """
    g = ComputationalGraph()
    for name, value in (("w0", 2.0), ("w1", -3.0), ("w2", -3.0)):
        g.add_parameter(name, value)
    g.add_input("x0")
    g.add_input("x1")
    g.add_gate("w0*x0", MulGate(), ["w0", "x0"])
    g.add_gate("w1*x1", MulGate(), ["w1", "x1"])
    g.add_gate("sum", AddGate(), ["w0*x0", "w1*x1"])
    g.add_gate("dot", AddGate(), ["sum", "w2"])
    if decomposed:
        g.add_gate("neg", MulConstantGate(-1), ["dot"])
        g.add_gate("exp", ExpGate(), ["neg"])
        g.add_gate("plus1", AddConstantGate(1), ["exp"])
        g.add_gate("f", ReciprocalGate(), ["plus1"])
    else:
        g.add_gate("f", SigmoidGate(), ["dot"])
    return g, {"x0": -1.0, "x1": -2.0}


#: (title, formula, builder) for each worked example, in the lectures' order.
EXAMPLES = [
    ("J = 3(a + bc)", "a=5, b=4, c=2", three_times_a_plus_bc),
    ("f = (x + y)z", "x=-2, y=5, z=-4", x_plus_y_times_z),
    (
        "sigmoid neuron, one sigmoid gate",
        "f = σ(w0*x0 + w1*x1 + w2), w = [2, -3, -3], x = [-1, -2]",
        neuron,
    ),
    (
        "sigmoid neuron, decomposed",
        "f = 1 / (1 + exp(-(w0*x0 + w1*x1 + w2))), same values",
        lambda: neuron(decomposed=True),
    ),
]
