"""Where a command's graph comes from: the ``EXPR`` argument that ``eval`` and ``exercise`` take."""

from __future__ import annotations

from compgraph.graph import ComputationalGraph

__all__ = ["read_graph"]


def read_graph(source: str) -> ComputationalGraph:
    """The graph that the command line's ``EXPR`` argument names.

    Examples
    --------
    >>> read_graph("(x + y) * z").output
    '(x + y) * z'
    """
    return ComputationalGraph.from_expression(source)
