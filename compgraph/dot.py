"""A circuit as Graphviz DOT text (:func:`to_dot`): needs nothing installed.

Graphviz places the nodes itself; the wires and their labels are those of
:func:`compgraph.layout.wires`.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from compgraph.layout import GRADIENT_COLOR, VALUE_COLOR, node_label, wires

if TYPE_CHECKING:
    from compgraph.graph import ComputationalGraph

__all__ = ["to_dot"]


def to_dot(graph: ComputationalGraph, digits: int = 2) -> str:
    """The circuit as Graphviz DOT text, laid out left to right.

    Gates are circles labelled with their symbols, inputs and constants plain
    text; each wire's label holds its value (green) over its gradient (red).

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
    ids = {name: f"n{i}" for i, name in enumerate(graph)}
    lines = [
        "digraph compgraph {",
        "  rankdir=LR;",
        '  node [fontname="Helvetica"];',
        '  edge [fontname="Helvetica", arrowsize=0.6];',
    ]
    for name in graph:
        label, is_gate = node_label(graph, name)
        quoted = _dot_string(label)
        if is_gate:
            tooltip = _dot_string(name)
            lines.append(f"  {ids[name]} [label={quoted}, tooltip={tooltip}, shape=circle];")
        else:
            lines.append(f"  {ids[name]} [label={quoted}, shape=plaintext];")
    lines.append('  out [label="", shape=point];')
    for wire in wires(graph, digits):
        parts = [
            f'<font color="{color}">{html.escape(text)}</font>'
            for text, color in ((wire.value, VALUE_COLOR), (wire.gradient, GRADIENT_COLOR))
            if text is not None
        ]
        label = f" [label=<{'<br/>'.join(parts)}>]" if parts else ""
        target = "out" if wire.target is None else ids[wire.target]
        lines.append(f"  {ids[wire.source]} -> {target}{label};")
    lines.append("}")
    return "\n".join(lines)


def _dot_string(text: str) -> str:
    """``text`` as a quoted DOT string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
