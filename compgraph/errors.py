"""The exceptions compgraph raises: one root, one subclass per kind of fault.

Every error caused by how a graph was built or fed is a :class:`GraphError`.
Its message names the node(s) involved, and the first of them is kept on the
error as ``err.node`` (all of them as ``err.nodes``).

Examples
--------
>>> from compgraph import ComputationalGraph, GraphError, NodeNotFoundError
>>> g = ComputationalGraph()
>>> try:
...     g.value("w")
... except NodeNotFoundError as err:
...     print(err, "|", err.node, "|", isinstance(err, GraphError))
value: 'w' is not a node | w | True
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ArityError",
    "CycleError",
    "DuplicateNodeError",
    "ExpressionError",
    "GateExecutionError",
    "GateReuseError",
    "GradcheckError",
    "GradientError",
    "GraphBusyError",
    "GraphError",
    "GraphFileError",
    "GraphTypeError",
    "GroupError",
    "MissingFeedError",
    "NoBackwardPassError",
    "NoForwardPassError",
    "NodeKindError",
    "NodeNotFoundError",
    "NonFiniteError",
    "OutputError",
    "PathArrayError",
    "SettingError",
    "ShapeError",
    "SlotError",
    "TooManyPathsError",
    "UnknownGateError",
]


class GraphError(Exception):
    """Root of every error about how a graph was built, fed or run.

    Parameters
    ----------
    message : str
        The whole message; it names the node(s) involved.
    *nodes : str
        The node(s) the message is about, first the main one.
    """

    def __init__(self, message: str, *nodes: str) -> None:
        super().__init__(message)
        self.nodes: tuple[str, ...] = nodes
        self.node: str | None = nodes[0] if nodes else None


class GraphTypeError(GraphError, TypeError):
    """An argument of the wrong type: a name that is not a string, a gate that
    is not a :class:`gates.Gate` instance, inputs that are not a list of names,
    or a value that is neither a number nor an array."""


class CycleError(GraphError):
    """Adding a gate would close a cycle (a gate that consumes itself)."""


class NodeNotFoundError(GraphError):
    """A name that is not a node of the graph."""


class DuplicateNodeError(GraphError):
    """Adding a node under a name the graph already has."""


class NodeKindError(GraphError):
    """A node of the wrong kind for the request: feeding a gate, setting the
    value of an input, asking a leaf for its gate."""


class MissingFeedError(GraphError):
    """A forward pass without a value for one or more inputs."""


class OutputError(GraphError):
    """The graph has no single output: several nodes are consumed by no gate,
    or the graph is empty."""


class ArityError(GraphError):
    """A gate given a number of inputs its ``forward`` does not take."""


class GateReuseError(GraphError):
    """One gate instance added at two nodes (its cache belongs to one node)."""


class SlotError(GraphError):
    """A ``networkx`` graph given to ``from_networkx`` whose in-edges do not
    tell a gate's input order: slots given on some in-edges only, two edges at
    one slot, a gap, or a slot that is not a whole number."""


class GroupError(GraphError):
    """A part of a graph that cannot become one composite gate (``group``): empty,
    holding an input or a parameter, or with more than one exit (nodes that the
    rest of the graph consumes, or that nothing consumes); or ``expand`` asked
    for a node that is not a composite gate."""


class ShapeError(GraphError, ValueError):
    """A value of the wrong shape for its node: ``set_value`` giving a parameter
    a new shape (the graph's gates were built for the old one)."""


class GraphBusyError(GraphError):
    """A graph asked to run or change while it runs a pass: from inside one of
    its own gates, or for a backward whose forward pass another thread ran
    (passes of two threads would mix)."""


class NoForwardPassError(GraphError):
    """Backward, or a value, asked for with no successful forward pass since
    the graph was built, changed, or a pass failed."""


class NoBackwardPassError(GraphError):
    """A gradient asked for before a backward pass of the latest forward."""


class TooManyPathsError(GraphError):
    """Paths asked for from a node with more paths to the output than can be
    listed (their number grows exponentially with the depth of a graph that
    forks and joins); the number is kept on the error as ``err.count``."""

    def __init__(self, message: str, *nodes: str, count: int = 0) -> None:
        super().__init__(message, *nodes)
        self.count = count


class PathArrayError(GraphError):
    """Paths asked for through a node holding an array: a local gradient
    along a path is a number only when every value on it is one."""


class GateExecutionError(GraphError):
    """A gate's ``forward`` or ``backward`` raised; the original exception is
    the ``__cause__``."""


class GradientError(GraphError):
    """A gradient that does not fit: a ``backward`` returned the wrong number
    of gradients or one whose shape is not its input's (after summing the
    broadcast axes), or ``dout`` does not have the output's shape."""


class NonFiniteError(GraphError):
    """With ``check_finite`` on: a gate made a non-finite value (inf or nan)
    from finite ones, in ``forward`` or in a gradient of ``backward``; or, in
    training, the loss stopped being finite."""


class GradcheckError(GraphError):
    """A gate's ``backward`` disagrees with finite differences of its ``forward``.

    The whole report of the check (every node checked, with its worst error) is
    kept on the error as ``err.report``.
    """

    report: Any = None

    """A gate's ``backward`` disagrees with finite differences of its ``forward``."""


class ExpressionError(GraphError):
    """An expression that cannot become a graph: a syntax error, or a construct
    other than numbers, names, ``+ - * / **``, unary minus, parentheses and
    calls of known functions.

    The first line of the message says what is wrong and where (``column N``,
    counted from 1, and the line when the text has several); the next two show
    the text with a caret under that column.

    Parameters
    ----------
    reason : str
        What is wrong.
    text : str
        The whole expression.
    line, column : int
        Where, both counted from 1.

    Examples
    --------
    >>> err = ExpressionError("unknown function 'f'", "x + f(y)", 1, 5)
    >>> print(err)
    column 5: unknown function 'f'
        x + f(y)
            ^
    >>> err.column, err.reason
    (5, "unknown function 'f'")
    """

    def __init__(self, reason: str, text: str, line: int, column: int) -> None:
        lines = text.splitlines() or [""]
        shown = lines[min(line, len(lines)) - 1]
        where = f"column {column}" if len(lines) == 1 else f"line {line}, column {column}"
        super().__init__(f"{where}: {reason}\n    {shown}\n    {' ' * (column - 1)}^")
        self.reason = reason
        self.text = text
        self.line = line
        self.column = column


class GraphFileError(GraphError):
    """A graph file that :func:`compgraph.load` refuses, or a graph that
    :func:`compgraph.save` cannot write as one.

    The message says what is wrong and where: the file, then the place in it as
    a JSON path (``nodes[3].settings.c``), as kept on the error as ``err.where``
    (empty where the fault is the whole file).
    """

    def __init__(self, message: str, *nodes: str, where: str = "") -> None:
        super().__init__(message, *nodes)
        self.where = where


class UnknownGateError(GraphFileError):
    """A gate type that is neither built in nor registered with
    :func:`compgraph.register_gate`: named by a file being loaded, or held by
    a graph being saved. The message names the node and the type."""


class SettingError(GraphFileError):
    """A gate's setting that does not fit: of a type its constructor does not
    take, missing, unknown, or a value a file cannot hold. The message names
    the node, the gate and the setting."""
