"""Expressions to graphs: a Python arithmetic expression, read with :mod:`ast`
(never evaluated), becomes one gate per operation.

What an expression may hold: numbers, names, ``+ - * / **``, unary minus,
parentheses, and calls of the functions in :data:`FUNCTIONS` (``exp``,
``sigmoid``, ``max`` and whatever :func:`register` added). Its free names
become input nodes; a name used twice is one node, so its gradients add up.

Which gate each operation becomes:

- ``x + c``, ``c + x``: ``AddConstantGate(c)``; ``x - c``: ``AddConstantGate(-c)``
- ``c * x``, ``x * c``: ``MulConstantGate(c)``; ``-x``: ``MulConstantGate(-1)``
- ``1 / x``: ``ReciprocalGate()``; ``x ** c``: ``PowGate(c)`` (the exponent
  must be a number)
- otherwise ``AddGate``, ``SubGate``, ``MulGate``, ``DivGate``, with any
  number among the operands as a ``ConstantGate`` node (``2 / x``,
  ``max(x, 0)``, ``2 + 3``), one node per distinct number.

A gate node is named by its subexpression as :func:`ast.unparse` writes it
(``"w0 * x0"``), unless that is longer than :data:`MAX_NAME` characters or
already taken; then by its operation and a counter (``"add1"``, ``"exp2"``).
A number's node is named by the number (``"2"``).

Examples
--------
>>> g = from_expression("(x + y) * z")
>>> list(g)
['x', 'y', 'z', 'x + y', '(x + y) * z']
>>> g.forward(x=-2, y=5, z=-4), g.backward()["x"]
(-12, -4)
>>> g = from_expression("2 / x")
>>> [(name, g.kind(name)) for name in g]
[('x', 'input'), ('2', 'gate'), ('2 / x', 'gate')]
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from compgraph.errors import ExpressionError, GraphTypeError
from gates.arithmetic import (
    AddConstantGate,
    AddGate,
    ConstantGate,
    DivGate,
    MulConstantGate,
    MulGate,
    PowGate,
    ReciprocalGate,
    SubGate,
)
from gates.base import Gate, arity_error
from gates.elementwise import ExpGate, MaxGate, SigmoidGate

if TYPE_CHECKING:
    from compgraph.graph import ComputationalGraph

__all__ = ["FUNCTIONS", "MAX_NAME", "GateFactory", "from_expression", "register"]

#: Something that makes a new gate each call: a gate class, or a function.
GateFactory = Callable[[], Gate]

#: Function name -> gate factory: the built-ins and what :func:`register` added.
FUNCTIONS: dict[str, GateFactory] = {"exp": ExpGate, "max": MaxGate, "sigmoid": SigmoidGate}

_BUILT_IN = frozenset(FUNCTIONS)

#: The longest subexpression text used as a node name.
MAX_NAME = 48

_OPERATIONS: dict[type[ast.operator], tuple[str, str]] = {
    ast.Add: ("+", "add"),
    ast.Sub: ("-", "sub"),
    ast.Mult: ("*", "mul"),
    ast.Div: ("/", "div"),
    ast.Pow: ("**", "pow"),
}

_REFUSED: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access",
    ast.Subscript: "indexing",
    ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
    ast.Compare: "a comparison",
    ast.BoolOp: "and/or",
    ast.IfExp: "a conditional expression",
    ast.NamedExpr: "an assignment",
    ast.JoinedStr: "a string",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Set: "a set",
    ast.Dict: "a dict",
    ast.Starred: "unpacking",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}


def register(name: str, factory: GateFactory) -> None:
    """Let expressions call ``name(...)``, one new gate from ``factory`` per call.

    Parameters
    ----------
    name : str
        A Python identifier other than a built-in function's name.
    factory : callable
        Makes a new :class:`gates.Gate` each call; a gate class will do. The
        call takes as many arguments as the gate's ``forward``.

    Raises
    ------
    ValueError
        If ``name`` is not an identifier or names a built-in function.
    GraphTypeError
        If ``factory`` is not callable.

    See Also
    --------
    from_expression : its ``functions`` argument adds functions for one call.

    Examples
    --------
    >>> from gates import Gate
    >>> class Square(Gate):
    ...     symbol = "x²"
    ...
    ...     def forward(self, x):
    ...         self.x = x
    ...         return x * x
    ...
    ...     def backward(self, dz):
    ...         return [2 * self.x * dz]
    >>> register("square", Square)
    >>> g = from_expression("square(x + 1)")
    >>> g.forward(x=2), g.backward()["x"]
    (9, 6)
    >>> del FUNCTIONS["square"]
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"register: {name!r} is not a Python identifier")
    if name in _BUILT_IN:
        raise ValueError(f"register: {name!r} is a built-in function; choose another name")
    if not callable(factory):
        raise GraphTypeError(f"register {name!r}: {factory!r} is not callable")
    FUNCTIONS[name] = factory


def from_expression(
    text: str,
    functions: Mapping[str, GateFactory] | None = None,
    *,
    graph_type: type[ComputationalGraph] | None = None,
) -> ComputationalGraph:
    """Build the graph of the arithmetic expression ``text``.

    Parameters
    ----------
    text : str
        A Python expression (see the module's docstring for what it may hold).
    functions : mapping of str to callable, optional
        More functions for this call only, name -> gate factory; they take
        precedence over :data:`FUNCTIONS`.
    graph_type : type, optional
        The class of graph to build: ComputationalGraph or a subclass
        (ComputationalGraph by default).

    Returns
    -------
    ComputationalGraph
        Its free names are inputs; its output is the whole expression.

    Raises
    ------
    ExpressionError
        If ``text`` is not a valid expression or holds anything else; the
        message gives the column.
    GraphTypeError
        If ``text`` is not a string.

    Examples
    --------
    The lectures' neuron, decomposed into their gates:

    >>> g = from_expression("1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))")
    >>> [g.gate(name).symbol for name in g if g.kind(name) == "gate"]
    ['*', '*', '+', '+', '*-1', 'exp', '+1', '1/x']
    >>> round(g.forward(w0=2, x0=-1, w1=-3, x1=-2, w2=-3), 2)
    0.73
    >>> from_expression("x + os.system")
    Traceback (most recent call last):
    ...
    compgraph.errors.ExpressionError: column 5: attribute access is not allowed
        x + os.system
            ^
    """
    if not isinstance(text, str):
        raise GraphTypeError(f"from_expression: expected a string, got {type(text).__name__}")
    if graph_type is None:
        from compgraph.graph import ComputationalGraph

        graph_type = ComputationalGraph
    graph = graph_type()
    known = {**FUNCTIONS, **(functions or {})}
    _Builder(graph, text, known).build()
    return graph


@dataclass(frozen=True)
class _Number:
    """A number of the expression not yet made a node: it may fold into a gate."""

    value: int | float


@dataclass(frozen=True)
class _Operator:
    """Where an error points: at the operator of a binary operation."""

    node: ast.BinOp


_Operand = str | _Number  # a node's name, or a number

_NOT_PARSED = "cannot read this text: it holds a null byte or is nested too deeply"


class _Builder:
    def __init__(
        self, graph: ComputationalGraph, text: str, functions: Mapping[str, GateFactory]
    ) -> None:
        self.graph = graph
        self.text = text
        self.lines = text.splitlines() or [""]
        self.functions = functions
        self.counters: dict[str, int] = {}
        self.names: set[str] = set()
        self.numbers: dict[str, str] = {}  # repr of a number -> its node

    def build(self) -> None:
        if not self.text.strip():
            raise ExpressionError("the expression is empty", self.text, 1, 1)
        try:
            tree = ast.parse(self.text, mode="eval")
        except SyntaxError as err:
            line = min(max(err.lineno or 1, 1), len(self.lines))
            column = err.offset or 0
            if not 1 <= column <= len(self.lines[line - 1]):  # the text ended too early
                column = len(self.lines[line - 1]) + 1
            raise ExpressionError(err.msg, self.text, line, column) from None
        except (ValueError, RecursionError, MemoryError):  # null bytes; nested too deeply
            raise ExpressionError(_NOT_PARSED, self.text, 1, 1) from None
        called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
        leaves = sorted(
            (node for node in ast.walk(tree) if isinstance(node, ast.Name)),
            key=lambda node: (node.lineno, node.col_offset),
        )
        self.names = {node.id for node in leaves}
        for node in leaves:
            if id(node) not in called and node.id not in self.graph:
                self.graph.add_input(node.id)
        try:
            result = self.operand(tree.body)
        except RecursionError:
            raise ExpressionError(_NOT_PARSED, self.text, 1, 1) from None
        if isinstance(result, _Number):
            self.number_node(result)

    # ---------------------------------------------------------------- operands

    def operand(self, node: ast.expr) -> _Operand:
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                what = "a complex number" if isinstance(value, complex) else repr(value)
                raise self.error(f"{what} is not allowed: only real numbers", node)
            return _Number(value)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node)
        if isinstance(node, ast.BinOp):
            return self.binary(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        what = _REFUSED.get(type(node), type(node).__name__)
        raise self.error(f"{what} is not allowed", node)

    def unary(self, node: ast.UnaryOp) -> _Operand:
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            symbol = {ast.Not: "not", ast.Invert: "~"}[type(node.op)]
            raise self.error(f"the operator {symbol} is not allowed", node)
        operand = self.operand(node.operand)
        if isinstance(node.op, ast.UAdd):
            return operand
        if isinstance(operand, _Number):
            return _Number(-operand.value)
        return self.gate(node, "neg", MulConstantGate(-1), [operand])

    def binary(self, node: ast.BinOp) -> _Operand:
        known = _OPERATIONS.get(type(node.op))
        if known is None:
            raise self.error("this operator is not allowed: only + - * / **", _Operator(node))
        symbol, kind = known
        left, right = self.operand(node.left), self.operand(node.right)
        if symbol == "**":
            if not isinstance(right, _Number):
                raise self.error("the exponent of ** must be a number", node.right)
            return self.gate(node, kind, PowGate(right.value), [self.node(left)])
        if symbol == "/" and left == _Number(1) and isinstance(right, str):
            return self.gate(node, "recip", ReciprocalGate(), [right])
        if symbol in "+-*" and isinstance(right, _Number):
            return self.with_number(node, kind, symbol, self.node(left), right.value)
        if symbol in "+*" and isinstance(left, _Number):
            return self.with_number(node, kind, symbol, self.node(right), left.value)
        gate = {"+": AddGate, "-": SubGate, "*": MulGate, "/": DivGate}[symbol]()
        return self.gate(node, kind, gate, [self.node(left), self.node(right)])

    def with_number(
        self, node: ast.BinOp, kind: str, symbol: str, operand: str, number: int | float
    ) -> str:
        if symbol == "*":
            return self.gate(node, kind, MulConstantGate(number), [operand])
        return self.gate(
            node, kind, AddConstantGate(number if symbol == "+" else -number), [operand]
        )

    def call(self, node: ast.Call) -> str:
        if not isinstance(node.func, ast.Name):
            what = _REFUSED.get(type(node.func), "calling anything but a function's name")
            raise self.error(f"{what} is not allowed", node.func)
        name = node.func.id
        factory = self.functions.get(name)
        if factory is None:
            known = ", ".join(sorted(self.functions))
            raise self.error(f"unknown function {name!r} (known: {known})", node.func)
        if node.keywords:
            raise self.error(f"{name}() takes no keyword arguments", node.keywords[0])
        args = [self.node(self.operand(arg)) for arg in node.args]
        gate = factory()
        problem = arity_error(gate, len(args))
        if problem is not None:
            raise self.error(f"{name}(): {problem}", node)
        return self.gate(node, name, gate, args)

    # ------------------------------------------------------------------- nodes

    def node(self, operand: _Operand) -> str:
        return self.number_node(operand) if isinstance(operand, _Number) else operand

    def number_node(self, number: _Number) -> str:
        name = self.numbers.get(repr(number.value))
        if name is None:
            name = repr(number.value)
            if name in self.names:  # inf or nan, and a variable of that name
                name = self.fresh("number")
            self.numbers[repr(number.value)] = name
            self.graph.add_gate(name, ConstantGate(number.value), [])
        return name

    def gate(self, node: ast.expr, kind: str, gate: Gate, inputs: list[str]) -> str:
        name = ast.unparse(node)
        if len(name) > MAX_NAME or name in self.graph:
            name = self.fresh(kind)
        return self.graph.add_gate(name, gate, inputs)

    def fresh(self, kind: str) -> str:
        count = self.counters.get(kind, 0) + 1
        while f"{kind}{count}" in self.graph or f"{kind}{count}" in self.names:
            count += 1
        self.counters[kind] = count
        return f"{kind}{count}"

    def error(self, reason: str, node: ast.AST | _Operator) -> ExpressionError:
        if isinstance(node, _Operator):  # the operator itself: after the left operand
            left = node.node.left
            line, offset = left.end_lineno or left.lineno, left.end_col_offset or 0
            text = self.lines[line - 1].encode()
            while offset < len(text) and text[offset : offset + 1] in b" \t)":
                offset += 1
        else:
            line, offset = getattr(node, "lineno", 1), getattr(node, "col_offset", 0)
            text = self.lines[line - 1].encode()
        column = len(text[:offset].decode(errors="ignore")) + 1  # offsets count UTF-8 bytes
        return ExpressionError(reason, self.text, line, column)
