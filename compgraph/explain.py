"""The backward pass told step by step, in the lectures' manner.

For each gate, from the output back: the gradient arriving from above, each
input's local gradient with its formula and numbers, and their product, the
gradient sent to that input. Where a node feeds several gates, the gradients
coming back add up, and the text says so.

The numbers come from the gates themselves: a local gradient is what the gate's
``backward`` returns for ``dz = 1``, and a gradient sent what it returns for the
gradient that arrived, each run on a copy of the gate as the latest forward left
it. The formulas are the gates' own (``Gate.local_gradient_formula``), with the
numbers put in.

The arithmetic adds up as written: where a product's factors or a fork sum's
terms, rounded to ``digits``, would not give the result shown, they get the
fewest extra decimals (up to four) that do ("times 0.197, sends 0.39", where
2 times 0.2 would not be 0.39); where four are not enough, the line says
"(rounded)". Arrays are written with ``digits`` decimals.

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

import inspect
import math
import re
import string
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from compgraph._shapes import fit_gradient
from compgraph.composite import composites
from compgraph.errors import GraphTypeError, NoBackwardPassError
from compgraph.kinks import kink_of
from compgraph.notebook import Text
from compgraph.table import format_number
from gates.base import full_copy

if TYPE_CHECKING:
    from compgraph.graph import ComputationalGraph

__all__ = [
    "backward_steps",
    "explain",
    "forward_step",
    "forward_steps",
    "gradient_steps",
    "local_gradients",
    "sent_gradients",
]

# A negative number gets parentheses right after one of these, or before a power.
_OPERATORS = "+-*/"
# A number as format_number writes a finite one.
_DECIMAL = re.compile(r"-?\d+(\.\d+)?")


def _backward_on_copy(graph: ComputationalGraph, name: str, dz: Any) -> list[Any]:
    gate = graph.gate(name)
    try:
        copied = full_copy(gate)
    except TypeError as exc:
        raise GraphTypeError(
            f"explain: node {name!r} ({type(gate).__name__}): {exc}", name
        ) from exc
    return list(copied.backward(dz))


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
    inputs = [graph.value(source) for source in graph.inputs(name)]
    output = graph.value(name)
    return [
        fit_gradient(grad, value, output, inputs) if isinstance(grad, np.ndarray) else grad
        for grad, value in zip(sent, inputs)
    ]


def explain(graph: ComputationalGraph, digits: int = 2) -> Text:
    """The latest backward pass of ``graph``, told gate by gate from the output back.

    Parameters
    ----------
    graph : ComputationalGraph
        A graph after a forward and a backward pass.
    digits : int, optional
        Decimals to round every number to (2, as the lectures do); a
        product's factors and a sum's terms get up to four more where the
        rounded ones would not give the result shown.

    Returns
    -------
    Text
        A ``str`` that a notebook shows as it reads. One paragraph per
        gate: the gradient it receives (a sum where gradients add up at a
        fork), then for each input its local gradient,
        with the formula and the numbers where the gate gives a formula, times
        the gradient received, and the gradient sent. Last, the gradients on
        the inputs and parameters.

    Raises
    ------
    NoBackwardPassError
        If no backward pass followed the latest forward pass.
    ValueError
        If a gate's formula names something that is neither a parameter of
        its ``forward``, ``z``, nor an attribute of the gate.

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph.from_expression("x * x + x")
    >>> _ = g.forward(x=3), g.backward()
    >>> print(explain(g).splitlines()[-1])
        x: 1 + 3 + 3 = 7 (gradients add up at a fork)
    """
    opening, steps, received = _story(graph, digits)
    lines = [opening, "", *(step.text for step in steps)]
    leaves = [
        _total_line(name, received.get(name, []), graph.grad(name), digits)
        for name in graph
        if graph.kind(name) != "gate"
    ]
    if leaves:
        lines += ["", "Gradients on the inputs:", *leaves]
    folded = composites(graph)
    if folded:
        names = ", ".join(map(repr, folded))
        lines += [
            "",
            f"Composite gates, each told as one step: {names}; "
            f"explain(opened=[{names}]) tells their inner gates.",
        ]
    return Text("\n".join(lines))


def gradient_steps(graph: ComputationalGraph, digits: int = 2) -> dict[str, str]:
    """For each node, the lines of :func:`explain` that compute its gradient.

    For the output, the opening line; for any other node, each gate it feeds
    with the line sending it its share, and at a fork the line adding the
    shares up. The wording and the numbers are those of :func:`explain`.

    Raises
    ------
    NoBackwardPassError
        If no backward pass followed the latest forward pass.

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph.from_expression("x * x + x")
    >>> _ = g.forward(x=3), g.backward()
    >>> print(gradient_steps(g)["x"])
    + 'x * x + x' = 12 receives 1 (the output); an add gate distributes it
        to 'x': local gradient 1, times 1, sends 1
    * 'x * x' = 9 receives 1; a multiply gate switches its inputs
        to 'x': local gradient x = 3, times 1, sends 3
        to 'x': local gradient x = 3, times 1, sends 3
        x: 1 + 3 + 3 = 7 (gradients add up at a fork)
    """
    opening, steps, received = _story(graph, digits)
    found: dict[str, list[str]] = {name: [] for name in graph}
    found[graph.output] = [opening]
    for step in steps:
        for source in dict.fromkeys(source for source, _ in step.sends):
            found[source] += [step.header, *(line for s, line in step.sends if s == source)]
    for name, parts in received.items():
        if len(parts) > 1:
            found[name].append(_total_line(name, parts, graph.grad(name), digits))
    return {name: "\n".join(lines) for name, lines in found.items()}


def backward_steps(graph: ComputationalGraph, digits: int = 2) -> list[tuple[str, str]]:
    """The backward pass of :func:`explain` one step at a time: ``(node, text)``,
    first the output with the opening line, then each gate from the output
    back with its paragraph (what it receives, and each line sending a gradient).

    Raises
    ------
    NoBackwardPassError
        If no backward pass followed the latest forward pass.

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph.from_expression("(x + y) * z")
    >>> _ = g.forward(x=-2, y=5, z=-4), g.backward()
    >>> for node, text in backward_steps(g)[1:]:
    ...     print(f"[{node}]", text)
    [(x + y) * z] * '(x + y) * z' = -12 receives 1 (the output); a multiply gate switches its inputs
        to 'x + y': local gradient z = -4, times 1, sends -4
        to 'z': local gradient x + y = 3, times 1, sends 3
    [x + y] + 'x + y' = 3 receives -4; an add gate distributes it
        to 'x': local gradient 1, times -4, sends -4
        to 'y': local gradient 1, times -4, sends -4
    """
    opening, steps, _ = _story(graph, digits)
    return [(graph.output, opening), *((step.node, step.text) for step in steps)]


def forward_steps(graph: ComputationalGraph, digits: int = 2) -> list[tuple[str | None, str]]:
    """The forward pass one step at a time: ``(node, text)``, first ``None``
    with the numbers given (inputs, parameters and constants), then each gate
    in evaluation order with its :func:`forward_step`.

    Raises
    ------
    NoForwardPassError
        If no forward pass has run since the graph was built or changed.

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph.from_expression("max(x, 0) * y")
    >>> _ = g.forward(x=-2, y=5)
    >>> for node, text in forward_steps(g):
    ...     print(f"[{node}]", text)
    [None] Forward pass from the inputs x = -2, y = 5 and the constant 0 = 0.
    [max(x, 0)] max 'max(x, 0)' = 0, computed by MaxGate from 'x' = -2 and '0' = 0
    [max(x, 0) * y] * 'max(x, 0) * y' = 0, computed by MulGate from 'max(x, 0)' = 0 and 'y' = 5
    """
    fmt = _formatter(digits)
    given: dict[str, list[str]] = {"input": [], "parameter": [], "constant": []}
    gates = []
    for name in graph:
        if graph.kind(name) != "gate":
            given[graph.kind(name)].append(f"{name} = {fmt(graph.value(name))}")
        elif not graph.inputs(name):
            given["constant"].append(f"{name} = {fmt(graph.value(name))}")
        else:
            gates.append(name)
    groups = [
        f"the {kind}{'s' if len(found) > 1 else ''} {', '.join(found)}"
        for kind, found in given.items()
        if found
    ]
    opening = "Forward pass from " + (
        ", ".join(groups[:-1]) + " and " + groups[-1] if len(groups) > 1 else "".join(groups)
    )
    return [(None, opening + "."), *((name, forward_step(graph, name, digits)) for name in gates)]


def forward_step(graph: ComputationalGraph, name: str, digits: int = 2) -> str:
    """How the latest forward pass computed gate ``name``'s value, in one line.

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph.from_expression("(x + y) * z")
    >>> _ = g.forward(x=-2, y=5, z=-4)
    >>> forward_step(g, "x + y")
    "+ 'x + y' = 3, computed by AddGate from 'x' = -2 and 'y' = 5"
    """
    fmt = _formatter(digits)
    gate = graph.gate(name)
    sources = [f"{source!r} = {fmt(graph.value(source))}" for source in graph.inputs(name)]
    given = (
        ", ".join(sources[:-1]) + " and " + sources[-1] if len(sources) > 1 else "".join(sources)
    )
    return (
        f"{gate.symbol or type(gate).__name__} {name!r} = {fmt(graph.value(name))}, "
        f"computed by {type(gate).__name__}" + (f" from {given}" if given else "")
    )


class _Step(NamedTuple):
    """One gate's paragraph of :func:`explain`: what it receives, then each line
    sending a gradient, with the input it goes to."""

    node: str
    header: str
    sends: list[tuple[str, str]]

    @property
    def text(self) -> str:
        """The paragraph as :func:`explain` writes it."""
        return "\n".join([self.header, *(line for _, line in self.sends)])


def _formatter(digits: int) -> Callable[[Any], str]:
    def fmt(value: Any) -> str:
        return format_number(value, digits)

    return fmt


def _story(graph: ComputationalGraph, digits: int) -> tuple[str, list[_Step], dict[str, list[Any]]]:
    """The opening line, one step per gate from the output back, and what each
    node received from each slot it feeds."""
    fmt = _formatter(digits)
    output = graph.output
    try:
        dout = graph.grad(output)
    except NoBackwardPassError:
        raise NoBackwardPassError(
            "explain: no backward pass since the latest forward pass; run forward, then backward",
            output,
        ) from None
    opening = (
        f"Backward pass from the output {output!r} = {fmt(graph.value(output))}, "
        f"starting with gradient {fmt(dout)}."
    )
    received: dict[str, list[Any]] = {}
    steps = []
    for name in reversed(list(graph)):
        if graph.kind(name) != "gate" or not graph.inputs(name):
            continue
        gate = graph.gate(name)
        label = gate.symbol or type(gate).__name__
        dz = graph.grad(name)
        arriving = _received(received.get(name, []), dz, digits)
        pattern = gate.gradient_pattern
        header = (
            f"{label} {name!r} = {fmt(graph.value(name))} receives {arriving}"
            + (" (the output)" if name == output else "")
            + (f"; {pattern}" if pattern else "")
        )
        kink = kink_of(gate, name)
        if kink is not None:
            header += f"\n    at a kink: {kink}"
        sends = []
        for slot, (source, local, sent) in enumerate(
            zip(graph.inputs(name), local_gradients(graph, name), sent_gradients(graph, name))
        ):
            received.setdefault(source, []).append(sent)
            decimals = _decimals([local, dz], sent, math.prod, digits)
            factor = _formatter(digits if decimals is None else decimals)
            formula = _formula(graph, name, slot, factor)
            if formula is None:
                text = f"{factor(local)} (its backward at dz = 1)"
            else:
                parts = [*formula, factor(local)]
                text = " = ".join(part for i, part in enumerate(parts) if part not in parts[:i])
            sends.append(
                (
                    source,
                    f"    to {source!r}: local gradient {text}, "
                    f"times {factor(dz)}, sends {fmt(sent)}"
                    + (" (rounded)" if decimals is None else ""),
                )
            )
        steps.append(_Step(name, header, sends))
    return opening, steps, received


def _total_line(name: str, parts: list[Any], total: Any, digits: int) -> str:
    """A node's gradient as the summary of :func:`explain` gives it."""
    return f"    {name}: {_received(parts, total, digits)}"


def _formula(
    graph: ComputationalGraph, name: str, slot: int, fmt: Callable[[Any], str]
) -> tuple[str, str] | None:
    """Input ``slot``'s local-gradient formula at gate ``name``, in symbols and with
    the numbers (see ``Gate.local_gradient_formula``); ``None`` if the gate has none."""
    gate = graph.gate(name)
    template = gate.local_gradient_formula(slot)
    if template is None:
        return None
    sources = graph.inputs(name)
    params = [
        param.name
        for param in inspect.signature(gate.forward).parameters.values()
        if param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD)
    ][: len(sources)]  # the parameters this node feeds
    call = f"{gate.symbol or type(gate).__name__}({', '.join(params)})"

    def operand(field: str) -> tuple[str, Any]:
        """The symbol and the value a placeholder stands for."""
        key, dot, part = field.partition(".")
        if key in params and part in ("", "node"):
            source = sources[params.index(key)]
            return source if part else key, graph.value(source)
        if field == "z":
            return call, graph.value(name)
        if not dot and key.isidentifier() and hasattr(gate, key):
            return key, getattr(gate, key)
        raise ValueError(
            f"node {name!r} ({type(gate).__name__}): the formula {template!r} of input "
            f"{slot} names {{{field}}}, which is neither an input "
            f"({', '.join(params)}), z, nor an attribute of the gate"
        )

    symbols = numbers = ""
    pieces = list(string.Formatter().parse(template))
    for i, (literal, field, text, _) in enumerate(pieces):
        symbols += literal
        numbers += literal
        if field is None:
            continue
        symbol, value = operand(field)
        number = fmt(value)
        before = numbers.rstrip()[-1:]
        after = pieces[i + 1][0].lstrip()[:1] if i + 1 < len(pieces) else ""
        if number.startswith("-") and ((before and before in _OPERATORS) or after == "^"):
            number = f"({number})"
        symbols += text or symbol
        numbers += number
    return symbols, numbers


def _received(parts: list[Any], total: Any, digits: int) -> str:
    """``total``, written as the sum of its parts where several gates sent one."""
    if len(parts) < 2:
        return format_number(total, digits)
    decimals = _decimals(parts, total, sum, digits)
    term = _formatter(digits if decimals is None else decimals)
    terms = " + ".join(term(part) for part in parts).replace("+ -", "- ")
    rounded = "rounded; " if decimals is None else ""
    return f"{terms} = {format_number(total, digits)} ({rounded}gradients add up at a fork)"


def _decimals(
    operands: Sequence[Any],
    result: Any,
    combine: Callable[[list[Fraction]], Fraction | int],
    digits: int,
) -> int | None:
    """The fewest decimals, from ``digits`` to ``digits + 4``, to write ``operands``
    with so that the arithmetic adds up: ``combine`` of the operands as written,
    rounded to ``digits`` decimals, gives ``result`` as written with ``digits``.

    A result halfway between two roundings adds up either way. ``None`` if no
    such number of decimals is found (the text then says the result is
    rounded); ``digits`` for arrays and what is not a finite number, whose
    arithmetic is not checked.

    Examples
    --------
    >>> _decimals([2, 0.19661193], 0.39322386, math.prod, 2)  # 2 * 0.2 is not 0.39
    3
    >>> _decimals([0.004, 0.004], 0.008, sum, 2)  # 0 + 0 is not 0.01
    3
    >>> _decimals([1e6, 0.123456789], 123456.789, math.prod, 2) is None
    True
    """
    if not all(_DECIMAL.fullmatch(format_number(number, digits)) for number in [*operands, result]):
        return digits  # an array, or not a finite number
    shown = Fraction(format_number(result, digits))
    half = Fraction(1, 2 * 10**digits)
    for decimals in range(digits, digits + 5):
        written = [Fraction(format_number(number, decimals)) for number in operands]
        if abs(combine(written) - shown) <= half:
            return decimals
    return None
