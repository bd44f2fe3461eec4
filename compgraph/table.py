"""Plain-text tables of a pass: every node with its gate, inputs, value and gradient."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from compgraph.notebook import Text

if TYPE_CHECKING:
    from compgraph.graph import ComputationalGraph

__all__ = ["format_number", "format_table", "pass_table"]


def format_number(value: Any, digits: int = 4) -> str:
    """``value`` rounded to ``digits`` decimals, without trailing zeros.

    Examples
    --------
    >>> format_number(-12), format_number(0.7310585786, 2), format_number(-0.19661193, 2)
    ('-12', '0.73', '-0.2')
    >>> format_number(10.0, 0), format_number(-0.25, 0), format_number(-0.001, 2)
    ('10', '0', '0')
    >>> import numpy as np
    >>> format_number(np.array([0.5, 1.0 / 3.0]), 3)
    '[0.5, 0.333]'
    """
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return np.array2string(
            value,
            separator=", ",
            formatter={"all": lambda item: format_number(item, digits)},
            max_line_width=1_000_000,
            threshold=20,
        )
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    number = float(value)
    if not math.isfinite(number):
        return str(number)
    text = f"{number:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> Text:
    """Columns aligned under ``headers``, separated by two spaces: a
    :class:`~compgraph.notebook.Text`, which a notebook shows as it reads.

    Examples
    --------
    >>> print(format_table(["node", "value"], [["x", "-2"], ["total", "3"]]))
    node   value
    -----  -----
    x      -2
    total  3
    """
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    lines = [headers, ["-" * width for width in widths], *rows]
    return Text(
        "\n".join(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip()
            for line in lines
        )
    )


def pass_table(graph: ComputationalGraph, digits: int = 4) -> Text:
    """A table of every node of ``graph`` in evaluation order: its gate (or kind),
    its inputs, and its value and gradient from the latest pass (blank where the
    pass has not computed them).

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> from gates import AddGate, MulGate
    >>> g = ComputationalGraph()
    >>> _ = g.add_input("x"), g.add_input("y"), g.add_input("z")
    >>> _ = g.add_gate("q", AddGate(), ["x", "y"]), g.add_gate("f", MulGate(), ["q", "z"])
    >>> _ = g.forward(x=-2, y=5, z=-4), g.backward()
    >>> print(pass_table(g))
    node  gate       inputs  value  grad
    ----  ---------  ------  -----  ----
    x     input              -2     -4
    y     input              5      -4
    z     input              -4     3
    q     + AddGate  x, y    3      -4
    f     * MulGate  q, z    -12    1
    """
    from compgraph.errors import GraphError

    rows = []
    for name in graph:
        if graph.kind(name) == "gate":
            gate = graph.gate(name)
            label = f"{gate.symbol} {type(gate).__name__}" if gate.symbol else type(gate).__name__
        else:
            label = graph.kind(name)
        cells = [name, label, ", ".join(graph.inputs(name))]
        for read in (graph.value, graph.grad):
            try:
                cells.append(format_number(read(name), digits))
            except GraphError:  # not computed by the latest pass
                cells.append("")
        rows.append(cells)
    return format_table(["node", "gate", "inputs", "value", "grad"], rows)
