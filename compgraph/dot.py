"""A circuit as Graphviz DOT text (:func:`to_dot`): needs nothing installed.

Graphviz places the nodes itself; the wires and their labels are those of
:func:`compgraph.layout.wires`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from compgraph.draw import fork_sums
from compgraph.layout import (
    GRADIENT_COLOR,
    NAME_LIMIT,
    NUMBER_LIMIT,
    VALUE_COLOR,
    check_drawable,
    node_label,
    readable,
    wires,
)

if TYPE_CHECKING:
    from compgraph.graph import ComputationalGraph

__all__ = ["to_dot"]


def to_dot(
    graph: ComputationalGraph, digits: int = 2, *, frames: Mapping[str, Sequence[str]] = {}
) -> str:
    """The circuit as Graphviz DOT text, laid out left to right.

    Gates are circles labelled with their symbols, inputs and constants plain
    text; each wire's label holds its value (green) over its gradient (red),
    and a node at a fork has its gradient, the sum, as its outside label
    (``xlabel``, "Σ -3").
    Labels are shown as :func:`compgraph.layout.readable` writes them (control
    characters as escapes, at most 30 characters); the tooltip of a gate, and
    of a node whose label was shortened, holds the node's whole name. Each of
    ``frames`` (a label -> the nodes in it: an opened composite gate's) is a
    dashed box around its nodes.

    Raises
    ------
    OutputError
        If the graph is empty or has several outputs.
    ValueError
        If ``digits`` is not a whole number from 0 to 20.

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph.from_expression("x * y")
    >>> _ = g.forward(x=3, y=-4), g.backward()
    >>> print(to_dot(g))  # doctest: +NORMALIZE_WHITESPACE
    digraph compgraph {
      rankdir=LR;
      node [fontname="Helvetica"];
      edge [fontname="Helvetica", arrowsize=0.6];
      n0 [label="x", shape=plaintext];
      n1 [label="y", shape=plaintext];
      n2 [label="*", tooltip="x * y", shape=circle];
      out [label="", shape=point];
      n0 -> n2 [label=<<font color="#1a7f37">3</font><br/><font color="#cf222e">-4</font>>];
      n1 -> n2 [label=<<font color="#1a7f37">-4</font><br/><font color="#cf222e">3</font>>];
      n2 -> out [label=<<font color="#1a7f37">-12</font><br/><font color="#cf222e">1</font>>];
    }
    """
    check_drawable(graph, "to_dot")
    lines_of_wires = wires(graph, digits)
    ids = {name: f"n{i}" for i, name in enumerate(graph)}
    sums = fork_sums(graph, digits)
    lines = [
        "digraph compgraph {",
        "  rankdir=LR;",
        '  node [fontname="Helvetica"];',
        '  edge [fontname="Helvetica", arrowsize=0.6];',
    ]
    for name in graph:
        label, is_gate = node_label(graph, name)
        attributes = [f"label={_dot_string(readable(label, NAME_LIMIT))}"]
        if is_gate or readable(label, NAME_LIMIT) != readable(label):
            attributes.append(f"tooltip={_dot_string(readable(name))}")
        if name in sums:
            attributes.append(
                f'xlabel=<<font color="{GRADIENT_COLOR}">{html.escape(sums[name])}</font>>'
            )
        attributes.append("shape=circle" if is_gate else "shape=plaintext")
        lines.append(f"  {ids[name]} [{', '.join(attributes)}];")
    for number, (label, nodes) in enumerate(frames.items()):
        lines.append(
            f"  subgraph cluster_{number} {{ label={_dot_string(readable(label, NAME_LIMIT))}; "
            f"style=dashed; {' '.join(ids[node] + ';' for node in nodes)} }}"
        )
    lines.append('  out [label="", shape=point];')
    for wire in lines_of_wires:
        parts = [
            f'<font color="{color}">{html.escape(readable(text, NUMBER_LIMIT))}</font>'
            for text, color in ((wire.value, VALUE_COLOR), (wire.gradient, GRADIENT_COLOR))
            if text is not None
        ]
        label = f" [label=<{'<br/>'.join(parts)}>]" if parts else ""
        target = "out" if wire.target is None else ids[wire.target]
        lines.append(f"  {ids[wire.source]} -> {target}{label};")
    lines.append("}")
    return "\n".join(lines)


def _dot_string(text: str) -> str:
    """``text`` (printable: see :func:`compgraph.layout.readable`) as a quoted DOT string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
