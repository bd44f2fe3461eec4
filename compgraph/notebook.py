"""How compgraph's results show in a notebook (Jupyter, IPython).

- A graph shows as its circuit with the latest pass, an SVG drawn by
  :func:`compgraph.draw.draw` (:func:`graph_svg`); where it cannot be drawn
  (matplotlib missing, more than :data:`MAX_DRAWN` nodes, several outputs)
  it shows as text instead.
- The text of ``explain``, of the tables and of the gradient-check reports is
  a :class:`Text`: a ``str`` that a notebook shows as it reads, lines and not
  a quoted string.
- ``g.draw(path)`` returns a :class:`Drawing`: the path, which a notebook
  shows as the image written there.

Nothing here imports IPython: these are the methods IPython looks for.

Examples
--------
>>> text = Text("a\\nb")
>>> isinstance(text, str), text.splitlines()
(True, ['a', 'b'])
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compgraph.errors import OutputError

if TYPE_CHECKING:
    from compgraph.graph import ComputationalGraph

__all__ = ["MAX_DRAWN", "Drawing", "Text", "graph_svg", "graph_text"]

#: The most nodes a graph may have to be drawn inline; a larger one shows as
#: text (drawing it would take seconds and give a figure too large to read).
MAX_DRAWN = 150


class Text(str):
    """A ``str`` that a notebook shows as its lines, not as a quoted string.

    It is a ``str`` in every other way: compare it, print it, split it.

    Examples
    --------
    >>> Text("x = 1") == "x = 1"
    True
    """

    __slots__ = ()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """How IPython shows it: the text itself."""
        printer.text(str(self))


if sys.platform == "win32":  # pragma: no cover
    from pathlib import WindowsPath as _PlatformPath
else:
    from pathlib import PosixPath as _PlatformPath


class Drawing(_PlatformPath):
    """The path of an image that :func:`compgraph.draw.draw` wrote: a
    :class:`pathlib.Path` that a notebook shows as the image itself.

    Examples
    --------
    >>> import tempfile
    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph.from_expression("(x + y) * z")
    >>> _ = g.forward(x=-2, y=5, z=-4), g.backward()
    >>> path = g.draw(Path(tempfile.mkdtemp()) / "f.svg")
    >>> isinstance(path, Path), path.name, "-12" in path._repr_svg_()
    (True, 'f.svg', True)
    """

    def _repr_svg_(self) -> str | None:
        """The SVG's text, if this is an SVG file."""
        if self.suffix.lower() != ".svg" or not self.is_file():
            return None
        return self.read_text(encoding="utf-8")

    def _repr_png_(self) -> bytes | None:
        """The PNG's bytes, if this is a PNG file."""
        if self.suffix.lower() != ".png" or not self.is_file():
            return None
        return self.read_bytes()


def graph_svg(graph: ComputationalGraph, digits: int = 2) -> str | None:
    """The circuit of ``graph`` with its latest pass as SVG text, or ``None``
    where a notebook should show it as text instead: matplotlib is not
    installed, the graph is empty or has several outputs, or it has more than
    :data:`MAX_DRAWN` nodes.

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph.from_expression("(x + y) * z")
    >>> graph_svg(g).startswith("<?xml")
    True
    >>> graph_svg(ComputationalGraph()) is None
    True
    """
    if not 0 < len(graph) <= MAX_DRAWN:
        return None
    try:
        import matplotlib  # noqa: F401  (the viz extra)
    except ImportError:
        return None
    from compgraph.draw import draw

    with tempfile.TemporaryDirectory() as folder:
        try:
            path = draw(graph, Path(folder) / "graph.svg", digits)
        except OutputError:
            return None
        return path.read_text(encoding="utf-8")


def graph_text(graph: ComputationalGraph) -> str:
    """What a notebook shows for a graph as text: its ``repr``, then, up to
    :data:`MAX_DRAWN` nodes, its table (values and gradients of the latest pass).

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph.from_expression("(x + y) * z")
    >>> _ = g.forward(x=-2, y=5, z=-4)
    >>> print(graph_text(g))
    <ComputationalGraph: 3 inputs, 0 parameters, 2 gates>
    node         gate       inputs    value  grad
    -----------  ---------  --------  -----  ----
    x            input                -2
    y            input                5
    z            input                -4
    x + y        + AddGate  x, y      3
    (x + y) * z  * MulGate  x + y, z  -12
    """
    if len(graph) > MAX_DRAWN:
        return repr(graph)
    from compgraph.table import pass_table

    return f"{graph!r}\n{pass_table(graph)}"
