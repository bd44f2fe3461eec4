"""The backward pass told step by step, in the lectures' manner.

For each gate, from the output back: the gradient arriving from above, each
input's local gradient with its formula and numbers, and their product, the
gradient sent to that input. Where a node feeds several gates, the gradients
coming back add up, and the text says so.

The numbers come from the gates themselves: a local gradient is what the gate's
``backward`` returns for ``dz = 1``, and a gradient sent what it returns for the
gradient that arrived, each run on a copy of the gate as the latest forward left
it. The table below only knows how to write the built-in gates' formulas.

Examples
--------
>>> from compgraph import ComputationalGraph
>>> g = ComputationalGraph.from_expression("(x + y) * z")
>>> _ = g.forward(x=-2, y=5, z=-4), g.backward()
>>> print(explain(g))
Backward pass from the output '(x + y) * z' = -12, starting with gradient 1.
<BLANKLINE>
* '(x + y) * z' = -12 receives 1 (the output); a multiply gate switches its inputs
    to 'x + y': local gradient z = -4, times 1, sends -4
    to 'z': local gradient x + y = 3, times 1, sends 3
+ 'x + y' = 3 receives -4; an add gate distributes it
    to 'x': local gradient 1, times -4, sends -4
    to 'y': local gradient 1, times -4, sends -4
<BLANKLINE>
Gradients on the inputs:
    x: -4
    y: -4
    z: 3
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from compgraph._shapes import fit_gradient
from compgraph.errors import NoBackwardPassError
from compgraph.table import format_number
from gates.arithmetic import (
    AddConstantGate,
    AddGate,
    DivGate,
    MulConstantGate,
    MulGate,
    PowGate,
    ReciprocalGate,
    SubGate,
)
from gates.base import Gate, full_copy
from gates.elementwise import ExpGate, MaxGate, SigmoidGate

if TYPE_CHECKING:
    from compgraph.graph import ComputationalGraph

__all__ = ["explain", "local_gradients", "sent_gradients"]

# gate, its inputs' names, their values and the output's value (formatted), input slot
# -> (the local gradient's formula, the formula with the numbers put in).
Formula = Callable[[Any, Sequence[str], Sequence[str], str, int], tuple[str, str]]


def _p(number: str) -> str:
    """A formatted number as an operand: negative ones in parentheses."""
    return f"({number})" if number.startswith("-") else number


def _pow(gate: Any, names: Sequence[str], x: Sequence[str], z: str, slot: int) -> tuple[str, str]:
    c = format_number(gate.c)
    return "c*x^(c-1)", f"{c}*{_p(x[0])}^{format_number(gate.c - 1)}"


_FORMULAS: dict[type[Gate], Formula] = {
    AddGate: lambda gate, names, x, z, slot: ("1", "1"),
    AddConstantGate: lambda gate, names, x, z, slot: ("1", "1"),
    SubGate: lambda gate, names, x, z, slot: ("1", "1") if slot == 0 else ("-1", "-1"),
    MulGate: lambda gate, names, x, z, slot: (names[1 - slot], x[1 - slot]),
    MulConstantGate: lambda gate, names, x, z, slot: (format_number(gate.c),) * 2,
    DivGate: lambda gate, names, x, z, slot: (
        ("1/y", f"1/{_p(x[1])}") if slot == 0 else ("-x/y^2", f"-{_p(x[0])}/{_p(x[1])}^2")
    ),
    ReciprocalGate: lambda gate, names, x, z, slot: ("-1/x^2", f"-1/{_p(x[0])}^2"),
    PowGate: _pow,
    ExpGate: lambda gate, names, x, z, slot: ("exp(x)", f"exp({x[0]})"),
    SigmoidGate: lambda gate, names, x, z, slot: ("(1 - σ(x)) * σ(x)", f"(1 - {z}) * {z}"),
    MaxGate: lambda gate, names, x, z, slot: (
        ("[x >= y]", f"[{x[0]} >= {x[1]}]") if slot == 0 else ("[x < y]", f"[{x[0]} < {x[1]}]")
    ),
}

_PATTERNS: dict[type[Gate], str] = {
    AddGate: "an add gate distributes it",
    MulGate: "a multiply gate switches its inputs",
    MaxGate: "a max gate routes it to the larger input",
}


def _backward_on_copy(graph: ComputationalGraph, name: str, dz: Any) -> list[Any]:
    return list(full_copy(graph.gate(name)).backward(dz))


def local_gradients(graph: ComputationalGraph, name: str) -> list[Any]:
    """Each input's local gradient at gate ``name``: its ``backward`` at ``dz = 1``.

    ``dz`` is ones of the output's shape for an array; the gate's state is the
    latest forward's, and the gate itself is left untouched (a copy runs).

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph.from_expression("x * y")
    >>> _ = g.forward(x=3, y=-4)
    >>> local_gradients(g, "x * y")
    [-4, 3]
    """
    value = graph.value(name)
    ones = np.ones(value.shape) if isinstance(value, np.ndarray) else 1
    return _backward_on_copy(graph, name, ones)


def sent_gradients(graph: ComputationalGraph, name: str) -> list[Any]:
    """What gate ``name`` sent to each of its inputs in the latest backward pass.

    One gradient per input slot, each with its input's shape. Where a node
    feeds several gates (or one gate twice), its gradient is the sum of what
    each slot sent it.

    Raises
    ------
    NoBackwardPassError
        If no backward pass followed the latest forward pass.

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph.from_expression("x * x")
    >>> _ = g.forward(x=3), g.backward()
    >>> sent_gradients(g, "x * x"), g.grad("x")
    ([3, 3], 6)
    """
    sent = _backward_on_copy(graph, name, graph.grad(name))
    return [
        fit_gradient(grad, graph.value(source)) if isinstance(grad, np.ndarray) else grad
        for grad, source in zip(sent, graph.inputs(name))
    ]


def explain(graph: ComputationalGraph, digits: int = 2) -> str:
    """The latest backward pass of ``graph``, told gate by gate from the output back.

    Parameters
    ----------
    graph : ComputationalGraph
        A graph after a forward and a backward pass.
    digits : int, optional
        Decimals to round every number to (2, as the lectures do).

    Returns
    -------
    str
        One paragraph per gate: the gradient it receives (a sum where
        gradients add up at a fork), then for each input its local gradient,
        with the formula and the numbers for built-in gates, times the
        gradient received, and the gradient sent. Last, the gradients on the
        inputs and parameters.

    Raises
    ------
    NoBackwardPassError
        If no backward pass followed the latest forward pass.

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph.from_expression("x * x + x")
    >>> _ = g.forward(x=3), g.backward()
    >>> print(explain(g).splitlines()[-1])
        x: 1 + 3 + 3 = 7 (gradients add up at a fork)
    """
    output = graph.output
    try:
        dout = graph.grad(output)
    except NoBackwardPassError:
        raise NoBackwardPassError(
            "explain: no backward pass since the latest forward pass; run forward, then backward",
            output,
        ) from None

    def fmt(value: Any) -> str:
        return format_number(value, digits)

    received: dict[str, list[Any]] = {}
    lines = [
        f"Backward pass from the output {output!r} = {fmt(graph.value(output))}, "
        f"starting with gradient {fmt(dout)}.",
        "",
    ]
    for name in reversed(list(graph)):
        if graph.kind(name) != "gate" or not graph.inputs(name):
            continue
        gate = graph.gate(name)
        label = gate.symbol or type(gate).__name__
        arriving = _received(received.get(name, []), graph.grad(name), fmt)
        pattern = _PATTERNS.get(type(gate))
        lines.append(
            f"{label} {name!r} = {fmt(graph.value(name))} receives {arriving}"
            + (" (the output)" if name == output else "")
            + (f"; {pattern}" if pattern else "")
        )
        inputs = graph.inputs(name)
        values = [fmt(graph.value(source)) for source in inputs]
        formula = _FORMULAS.get(type(gate))
        for slot, (source, local, sent) in enumerate(
            zip(inputs, local_gradients(graph, name), sent_gradients(graph, name))
        ):
            received.setdefault(source, []).append(sent)
            if formula is None:
                text = f"{fmt(local)} (its backward at dz = 1)"
            else:
                symbols, numbers = formula(gate, inputs, values, fmt(graph.value(name)), slot)
                parts = [symbols, numbers, fmt(local)]
                text = " = ".join(part for i, part in enumerate(parts) if part not in parts[:i])
            lines.append(
                f"    to {source!r}: local gradient {text}, "
                f"times {fmt(graph.grad(name))}, sends {fmt(sent)}"
            )
    leaves = [
        f"    {name}: {_received(received.get(name, []), graph.grad(name), fmt)}"
        for name in graph
        if graph.kind(name) != "gate"
    ]
    if leaves:
        lines += ["", "Gradients on the inputs:", *leaves]
    return "\n".join(lines)


def _received(parts: list[Any], total: Any, fmt: Callable[[Any], str]) -> str:
    """``total``, written as the sum of its parts where several gates sent one."""
    if len(parts) < 2:
        return fmt(total)
    terms = " + ".join(fmt(part) for part in parts).replace("+ -", "- ")
    return f"{terms} = {fmt(total)} (gradients add up at a fork)"
