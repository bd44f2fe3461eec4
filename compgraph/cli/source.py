"""Where a command's graph comes from: the ``EXPR`` argument that ``eval`` and ``exercise`` take.

The rule: an argument that ends in ``.json`` (in any case) names a graph file
that :func:`compgraph.save` wrote, and is loaded; anything else is an
expression. No expression ends so (a name followed by ``.json`` is attribute
access, which expressions do not have), so the two never meet.
"""

from __future__ import annotations

from compgraph.cli.usage import UsageError
from compgraph.files import load
from compgraph.graph import ComputationalGraph

__all__ = ["FILE_SUFFIX", "is_file", "read_graph"]

#: How an ``EXPR`` argument that names a graph file ends.
FILE_SUFFIX = ".json"


def is_file(source: str) -> bool:
    """Whether the command line's ``EXPR`` argument names a graph file: it ends in ``.json``.

    Examples
    --------
    >>> is_file("neuron.json"), is_file("runs/NET.JSON"), is_file("(x + y) * z")
    (True, True, False)
    """
    return source.lower().endswith(FILE_SUFFIX)


def read_graph(source: str) -> ComputationalGraph:
    """The graph that the command line's ``EXPR`` argument names: the graph
    file it names (see :func:`is_file`), or the graph of the expression it is.

    Raises
    ------
    UsageError
        If the file cannot be read (no such file, a folder, no permission).
    GraphFileError
        If the file is not a graph file (its message says what is wrong where).
    ExpressionError
        If the expression is not one.

    Examples
    --------
    >>> read_graph("(x + y) * z").output
    '(x + y) * z'
    >>> read_graph("missing.json")
    Traceback (most recent call last):
    ...
    compgraph.cli.usage.UsageError: cannot read the graph file 'missing.json': \
No such file or directory
    """
    if not is_file(source):
        return ComputationalGraph.from_expression(source)
    try:
        return load(source)
    except OSError as exc:
        raise UsageError(f"cannot read the graph file {source!r}: {exc.strerror or exc}") from None
