"""Expressions to graphs: a Python arithmetic expression, read with :mod:`ast`
(never evaluated), becomes one gate per operation.

What an expression may hold: numbers, names, ``+ - * / **``, unary minus,
parentheses, and calls of the functions in :data:`FUNCTIONS` (``exp``,
``sigmoid``, ``max``, ``tanh``, ``relu``, ``log`` and whatever :func:`register`
added). Its free names become input nodes; a name used twice is one node, so
its gradients add up.

Several statements name the intermediate nodes, as the lectures do:
``"q = x + y; f = q * z"``, one a line or ``;``-separated, each ``NAME =
EXPRESSION``; the last one, which may also be a bare expression, is the
output. A statement's name is its node's name. A name used before any
statement assigns it is an input. Refused, with where: a name assigned twice,
or assigned after it was used as an input; a name assigned and never used; a
bare expression before the last statement; a statement that only renames
(``u = x``) or assigns a function's name; any other kind of statement.

Which gate each operation becomes:

- ``x + c``, ``c + x``: ``AddConstantGate(c)``; ``x - c``: ``AddConstantGate(-c)``
- ``c * x``, ``x * c``: ``MulConstantGate(c)``; ``-x``: ``MulConstantGate(-1)``
- ``1 / x``: ``ReciprocalGate()``; ``x ** c`` with a number ``c``: ``PowGate(c)``;
  ``x ** y`` with a node ``y``: ``PowerGate()``
- otherwise ``AddGate``, ``SubGate``, ``MulGate``, ``DivGate``, with any
  number among the operands as a ``ConstantGate`` node (``2 / x``,
  ``max(x, 0)``, ``2 + 3``), one node per distinct number.

A gate node that no statement names is named by its subexpression as
:func:`ast.unparse` writes it
(``"w0 * x0"``), unless that is longer than :data:`MAX_NAME` characters or
already taken; then by its operation and a counter (``"add1"``, ``"exp2"``).
A number's node is named by the number (``"2"``).

Limits, so that any text is read in bounded time and memory: a text longer
than :data:`MAX_LENGTH` characters is refused before it is read, and nesting
(parentheses, calls, unary operators, powers) deeper than :data:`MAX_DEPTH`
levels in a statement; a chain such as ``a + b + c`` is read in a loop, so its
length is not nesting, nor is the number of statements. Names are read as
Python reads them (NFKC: a full-width letter is the letter).

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
>>> g = from_expression("q = x + y; f = q * z")
>>> list(g), g.output
(['x', 'y', 'z', 'q', 'f'], 'f')
"""

from __future__ import annotations

import ast
import io
import itertools
import keyword
import tokenize
import unicodedata
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
    PowerGate,
    PowGate,
    ReciprocalGate,
    SubGate,
)
from gates.base import Gate, arity_error
from gates.elementwise import ExpGate, LogGate, MaxGate, ReLUGate, SigmoidGate, TanhGate

if TYPE_CHECKING:
    from compgraph.graph import ComputationalGraph

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_NAME",
    "GateFactory",
    "from_expression",
    "register",
]

#: Something that makes a new gate each call: a gate class, or a function.
GateFactory = Callable[[], Gate]

#: Function name -> gate factory: the built-ins and what :func:`register` added.
FUNCTIONS: dict[str, GateFactory] = {
    "exp": ExpGate,
    "log": LogGate,
    "max": MaxGate,
    "relu": ReLUGate,
    "sigmoid": SigmoidGate,
    "tanh": TanhGate,
}

_BUILT_IN = frozenset(FUNCTIONS)

#: The longest subexpression text used as a node name.
MAX_NAME = 48

#: The longest text read, in characters; longer ones are refused before parsing.
MAX_LENGTH = 100_000

#: The deepest nesting read: parentheses, calls, unary operators and powers
#: each add a level (a chain such as ``a + b + c`` adds none, however long).
MAX_DEPTH = 100

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
        A Python expression, or statements naming the intermediates (see the
        module's docstring for what it may hold).
    functions : mapping of str to callable, optional
        More functions for this call only, name -> gate factory; they take
        precedence over :data:`FUNCTIONS`.
    graph_type : type, optional
        The class of graph to build: ComputationalGraph or a subclass
        (ComputationalGraph by default).

    Returns
    -------
    ComputationalGraph
        Its free names are inputs; its output is the whole expression (the
        last statement).

    Raises
    ------
    ExpressionError
        If ``text`` is not a valid expression or holds anything else, or its
        statements name nodes as the module's docstring refuses; the message
        gives the column (and the line).
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
    if len(text) > MAX_LENGTH:  # refused unread: reading it would take memory in proportion
        shown = text[:40].split("\n")[0] + " ..."
        raise ExpressionError(
            f"the expression is {len(text)} characters long; the most is {MAX_LENGTH}", shown, 1, 1
        )
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


class _NotReadError(Exception):
    """The text holds what :func:`_parse` does not read; Python's parser says why."""

    def __init__(self, line: int, column: int) -> None:
        super().__init__(line, column)
        self.line = line
        self.column = column  # counted in characters, from 1


@dataclass(frozen=True)
class _Parsed:
    """A node, and where its text starts and ends with any parentheses around it."""

    node: ast.expr
    start: tuple[int, int]  # (line, UTF-8 byte offset), as ast counts
    end: tuple[int, int]


_SKIPPED = frozenset({tokenize.NL, tokenize.COMMENT})
_BETWEEN = (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)  # between statements


@dataclass(frozen=True)
class _Statement:
    """``target = value``, or a bare ``value`` (``target`` None)."""

    target: ast.Name | None
    value: ast.expr


_SUMS = {"+": ast.Add, "-": ast.Sub}
_PRODUCTS = {"*": ast.Mult, "/": ast.Div, "//": ast.FloorDiv, "%": ast.Mod, "@": ast.MatMult}
_UNARY = {"-": ast.USub, "+": ast.UAdd, "~": ast.Invert}


def _parse(text: str) -> ast.expr:
    """What ``ast.parse(text, mode="eval").body`` gives, for the texts of numbers,
    names, arithmetic and calls, with each chain of ``+ -`` or ``* /`` read in a
    loop (so its length is not nesting) and nesting limited to :data:`MAX_DEPTH`.

    Raises :class:`_NotReadError` for anything else, and :class:`ExpressionError`
    for nesting too deep.

    Examples
    --------
    >>> ast.unparse(_parse("-x ** 2 + 3 * (y - z)"))
    '-x ** 2 + 3 * (y - z)'
    """
    return _Parser(text, _tokens(text)).parse()


def _parse_statements(text: str) -> list[_Statement]:
    """The statements of ``text`` as :func:`_parse` reads an expression: each
    ``NAME = EXPRESSION`` or ``EXPRESSION``, one a line or ``;``-separated.

    Raises :class:`_NotReadError` for anything else, and :class:`ExpressionError`
    for nesting too deep.

    Examples
    --------
    >>> [(s.target and s.target.id, ast.unparse(s.value)) for s in _parse_statements("q = x + y; q * z")]
    [('q', 'x + y'), (None, 'q * z')]
    """  # noqa: E501
    return _Parser(text, _tokens(text)).statements()


def _tokens(text: str) -> list[tokenize.TokenInfo]:
    if "\r" in text or "\f" in text:  # line breaks that tokenize and ast count apart
        raise _NotReadError(1, 1)
    try:
        return [
            token
            for token in tokenize.generate_tokens(io.StringIO(text).readline)
            if token.type not in _SKIPPED
        ]
    except (tokenize.TokenError, SyntaxError):
        raise _NotReadError(1, 1) from None


class _Parser:
    """Recursive descent over :mod:`tokenize`'s tokens, one method per precedence level."""

    def __init__(self, text: str, tokens: list[tokenize.TokenInfo]) -> None:
        self.text = text
        self.lines = text.split("\n")
        self.tokens = tokens
        self.at = 0
        self.offsets: dict[int, list[int]] = {}  # line -> byte offset of each character

    def parse(self) -> ast.expr:
        found = self.sum(0)
        while self.peek().type in (tokenize.NEWLINE, tokenize.DEDENT):
            self.at += 1
        if self.peek().type != tokenize.ENDMARKER:
            raise self.not_read()
        return found.node

    def statements(self) -> list[_Statement]:
        found: list[_Statement] = []
        while True:
            while self.peek().type in _BETWEEN or self.is_op(";"):
                self.at += 1
            if self.peek().type == tokenize.ENDMARKER:
                return found
            target = None
            token = self.peek()
            after = self.tokens[self.at + 1] if self.at + 1 < len(self.tokens) else token
            if token.type == tokenize.NAME and after.type == tokenize.OP and after.string == "=":
                name = unicodedata.normalize("NFKC", token.string)
                if not token.string.isidentifier() or keyword.iskeyword(name):
                    raise self.not_read(token)
                target = ast.Name(name, ast.Store())
                self.placed(target, self.position(token.start), self.position(token.end))
                self.at += 2
            found.append(_Statement(target, self.sum(0).node))
            if self.peek().type not in (*_BETWEEN, tokenize.ENDMARKER) and not self.is_op(";"):
                raise self.not_read()

    def is_op(self, text: str) -> bool:
        token = self.peek()
        return token.type == tokenize.OP and token.string == text

    # ------------------------------------------------------------------ levels

    def sum(self, depth: int) -> _Parsed:
        left = self.product(depth)
        while self.peek().string in _SUMS and self.peek().type == tokenize.OP:
            op = _SUMS[self.take().string]()
            left = self.binary(left, op, self.product(depth))
        return left

    def product(self, depth: int) -> _Parsed:
        left = self.unary(depth)
        while self.peek().string in _PRODUCTS and self.peek().type == tokenize.OP:
            op = _PRODUCTS[self.take().string]()
            left = self.binary(left, op, self.unary(depth))
        return left

    def unary(self, depth: int) -> _Parsed:
        token = self.peek()
        if token.type != tokenize.OP or token.string not in _UNARY:
            return self.power(depth)
        self.take()
        operand = self.unary(self.deeper(depth, token))
        start = self.position(token.start)
        node = ast.UnaryOp(_UNARY[token.string](), operand.node)
        return self.placed(node, start, operand.end)

    def power(self, depth: int) -> _Parsed:
        base = self.call(depth)
        token = self.peek()
        if token.type != tokenize.OP or token.string != "**":
            return base
        self.take()
        return self.binary(base, ast.Pow(), self.unary(self.deeper(depth, token)))

    def call(self, depth: int) -> _Parsed:
        found = self.atom(depth)
        while self.peek().string == "(" and self.peek().type == tokenize.OP:
            inner = self.deeper(depth, self.take())
            args: list[ast.expr] = []
            while self.peek().string != ")":
                args.append(self.sum(inner).node)
                if self.peek().string == ",":
                    self.take()
                elif self.peek().string != ")":
                    raise self.not_read()
            end = self.position(self.take().end)
            node = ast.Call(found.node, args, [])
            found = self.placed(node, found.start, end)
        return found

    def atom(self, depth: int) -> _Parsed:
        token = self.take()
        start, end = self.position(token.start), self.position(token.end)
        node: ast.expr
        if token.type == tokenize.NAME and token.string.isidentifier():
            name = unicodedata.normalize("NFKC", token.string)  # as Python's parser does
            if keyword.iskeyword(name):
                raise self.not_read(token)
            node = ast.Name(name, ast.Load())
        elif token.type == tokenize.NUMBER:
            node = ast.Constant(self.number(token))
        elif token.type == tokenize.OP and token.string == "(":
            inner = self.sum(self.deeper(depth, token))
            close = self.take()
            if close.string != ")":
                raise self.not_read(close)
            return _Parsed(inner.node, start, self.position(close.end))
        else:
            raise self.not_read(token)
        return self.placed(node, start, end)

    # ----------------------------------------------------------------- helpers

    def number(self, token: tokenize.TokenInfo) -> int | float | complex:
        text = token.string
        try:
            if text[-1] in "jJ":
                return complex(text)
            if text[:2].lower() not in ("0x", "0o", "0b") and any(c in text for c in ".eE"):
                return float(text)
            return int(text, 0)
        except ValueError:  # leading zeros; more digits than Python converts
            raise self.not_read(token) from None

    def binary(self, left: _Parsed, op: ast.operator, right: _Parsed) -> _Parsed:
        return self.placed(ast.BinOp(left.node, op, right.node), left.start, right.end)

    def placed(self, node: ast.expr, start: tuple[int, int], end: tuple[int, int]) -> _Parsed:
        node.lineno, node.col_offset = start
        node.end_lineno, node.end_col_offset = end
        return _Parsed(node, start, end)

    def deeper(self, depth: int, token: tokenize.TokenInfo) -> int:
        if depth >= MAX_DEPTH:
            line, column = token.start
            raise ExpressionError(
                f"nested too deeply: more than {MAX_DEPTH} levels of parentheses, calls, "
                "unary operators or powers",
                self.text,
                line,
                column + 1,
            )
        return depth + 1

    def position(self, where: tuple[int, int]) -> tuple[int, int]:
        """A tokenize position (line, character) as ast gives it (line, UTF-8 byte)."""
        line, column = where
        text = self.lines[line - 1] if line <= len(self.lines) else ""
        if text.isascii():
            return line, column
        offsets = self.offsets.get(line)
        if offsets is None:
            offsets = [0, *itertools.accumulate(len(c.encode()) for c in text)]
            self.offsets[line] = offsets
        return line, offsets[min(column, len(text))]

    def peek(self) -> tokenize.TokenInfo:
        return self.tokens[min(self.at, len(self.tokens) - 1)]

    def take(self) -> tokenize.TokenInfo:
        token = self.peek()
        if token.type == tokenize.ENDMARKER:
            raise self.not_read(token)
        self.at += 1
        return token

    def not_read(self, token: tokenize.TokenInfo | None = None) -> _NotReadError:
        line, column = (token or self.peek()).start
        return _NotReadError(line, column + 1)


_NOT_READ = (
    "cannot read this: an expression holds numbers, names, + - * / **, parentheses "
    "and calls of functions"
)


def _statement_refused(stmt: ast.stmt) -> str:
    """Why a statement Python reads is not one of an expression's."""
    if isinstance(stmt, ast.Assign):
        if len(stmt.targets) > 1:
            return "one name per assignment (q = x + y), not a chain of them"
        return "only a name can be assigned (q = x + y)"
    if isinstance(stmt, ast.AugAssign):
        return "an augmented assignment is not allowed: give each intermediate its own name"
    if isinstance(stmt, ast.AnnAssign):
        return "an annotated assignment is not allowed: write q = x + y"
    return (
        f"a statement such as {type(stmt).__name__.lower()} is not allowed: only NAME = "
        "EXPRESSION, one a line or ;-separated, and last an expression"
    )


def _operands(node: ast.expr) -> list[ast.expr]:
    """The operands of a node of the expressions compgraph reads."""
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return node.args
    return []


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
        self.texts: dict[int, str | None] = {}  # id of a node -> its short text, if any
        self.target: tuple[int, str] | None = None  # the node a statement names, and its name

    def build(self) -> None:
        if not self.text.strip():
            raise ExpressionError("the expression is empty", self.text, 1, 1)
        try:
            statements = _parse_statements(self.text)
        except _NotReadError as missed:
            statements = self.python_parse(missed)
        except RecursionError:  # called from deep in a program already
            raise ExpressionError(_NOT_READ, self.text, 1, 1) from None
        if not statements:
            raise ExpressionError("there is no statement", self.text, 1, 1)
        for name in self.inputs(statements):
            self.graph.add_input(name)
        for statement in statements[:-1]:
            if statement.target is None:
                raise self.error(
                    "only the last statement may be a bare expression: name this one "
                    "(q = ...) so that a later statement can use it",
                    statement.value,
                )
        for statement in statements:
            self.statement(statement)

    def inputs(self, statements: list[_Statement]) -> list[str]:
        """The names used before any statement assigns them, in the order they
        first appear; refusing a name assigned twice, assigned after it was used
        as an input, naming a function, or assigned and never used."""
        used: dict[str, ast.Name] = {}  # name -> where first used
        assigned: dict[str, ast.Name] = {}
        inputs: list[str] = []
        for statement in statements:
            called = {id(n.func) for n in ast.walk(statement.value) if isinstance(n, ast.Call)}
            leaves = sorted(
                (n for n in ast.walk(statement.value) if isinstance(n, ast.Name)),
                key=lambda n: (n.lineno, n.col_offset),
            )
            for leaf in leaves:
                self.names.add(leaf.id)
                if id(leaf) in called:
                    continue
                if leaf.id not in assigned and leaf.id not in used:
                    inputs.append(leaf.id)
                used.setdefault(leaf.id, leaf)
            target = statement.target
            if target is None:
                continue
            self.names.add(target.id)
            if target.id in assigned:
                first = assigned[target.id]
                raise self.error(
                    f"{target.id!r} is assigned twice (first at {self.where(first)}); "
                    "give each intermediate its own name",
                    target,
                )
            if target.id in used:
                first = used[target.id]
                raise self.error(
                    f"{target.id!r} is used before this assignment (at {self.where(first)}), so "
                    "it is an input there; assign a name before using it, or choose another",
                    target,
                )
            if target.id in self.functions:
                raise self.error(f"{target.id!r} names a function; choose another name", target)
            assigned[target.id] = target
        unused = [t for s in statements[:-1] if (t := s.target) is not None and t.id not in used]
        if unused:
            raise self.error(
                f"{unused[0].id!r} is assigned but never used; only the last statement gives "
                "the output",
                unused[0],
            )
        return inputs

    def statement(self, statement: _Statement) -> None:
        """Add the nodes of one statement, its value named by its target if it has one."""
        root = statement.value
        while isinstance(root, ast.UnaryOp) and isinstance(root.op, ast.UAdd):
            root = root.operand
        target = statement.target
        if target is not None and isinstance(root, ast.Name):
            raise self.error(
                f"'{target.id} = {root.id}' only gives {root.id!r} another name; an assignment "
                "names a computation (q = x + y)",
                target,
            )
        self.target = (id(root), target.id) if target is not None else None
        result = self.operand(root)
        if isinstance(result, _Number):
            if target is not None:
                self.graph.add_gate(target.id, ConstantGate(result.value), [])
            else:
                self.number_node(result)

    def where(self, node: ast.AST) -> str:
        """``line L, column C`` (just ``column C`` in a text of one line)."""
        line = getattr(node, "lineno", 1)
        text = self.lines[line - 1].encode()
        column = len(text[: getattr(node, "col_offset", 0)].decode(errors="ignore")) + 1
        return f"line {line}, column {column}" if len(self.lines) > 1 else f"column {column}"

    def python_parse(self, missed: _NotReadError) -> list[_Statement]:
        """Python's own reading of a text :func:`_parse_statements` does not read:
        its syntax error, or the statements in which :meth:`operand` finds what
        is not allowed."""
        try:
            body = ast.parse(self.text, mode="exec").body
        except SyntaxError as err:
            line = min(max(err.lineno or 1, 1), len(self.lines))
            column = err.offset or 0
            if not 1 <= column <= len(self.lines[line - 1]):  # the text ended too early
                column = len(self.lines[line - 1]) + 1
            raise ExpressionError(err.msg, self.text, line, column) from None
        except (ValueError, RecursionError, MemoryError):  # a null byte; too long a chain
            line = min(missed.line, len(self.lines))
            column = min(missed.column, len(self.lines[line - 1]) + 1)
            raise ExpressionError(_NOT_READ, self.text, line, column) from None
        statements = []
        for stmt in body:
            if isinstance(stmt, ast.Expr):
                statements.append(_Statement(None, stmt.value))
            elif (
                isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
            ):
                statements.append(_Statement(stmt.targets[0], stmt.value))
            else:
                raise self.error(_statement_refused(stmt), stmt)
        return statements

    # ---------------------------------------------------------------- operands

    def operand(self, root: ast.expr) -> _Operand:
        """Walk the tree children first, without recursion (a chain is as deep as
        it is long): each node's operands, then the node."""
        done: dict[int, _Operand] = {}
        stack: list[tuple[ast.expr, str]] = [(root, "enter")]
        while stack:
            node, step = stack.pop()
            if step == "enter":
                children = self.children(node)
                stack.append((node, "leave"))
                for child in reversed(children):
                    if isinstance(node, ast.Call):  # an argument is a node once read
                        stack.append((child, "node"))
                    stack.append((child, "enter"))
            elif step == "node":
                done[id(node)] = self.node(done[id(node)])
            else:
                operands = [done.pop(id(child)) for child in _operands(node)]
                done[id(node)] = self.combine(node, operands)
                self.remember_text(node)
        return done[id(root)]

    def children(self, node: ast.expr) -> list[ast.expr]:
        """The operands of ``node``, after refusing what it may not be."""
        if isinstance(node, (ast.Name, ast.Constant)):
            return []
        if isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                symbol = {ast.Not: "not", ast.Invert: "~"}[type(node.op)]
                raise self.error(f"the operator {symbol} is not allowed", node)
            return [node.operand]
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _OPERATIONS:
                raise self.error("this operator is not allowed: only + - * / **", _Operator(node))
            return [node.left, node.right]
        if isinstance(node, ast.Call):
            self.factory(node)
            return node.args
        what = _REFUSED.get(type(node), type(node).__name__)
        raise self.error(f"{what} is not allowed", node)

    def combine(self, node: ast.expr, operands: list[_Operand]) -> _Operand:
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                what = "a complex number" if isinstance(value, complex) else repr(value)
                raise self.error(f"{what} is not allowed: only real numbers", node)
            return _Number(value)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node, operands[0])
        if isinstance(node, ast.BinOp):
            return self.binary(node, *operands)
        assert isinstance(node, ast.Call)  # children() refused every other node
        return self.call(node, [self.node(operand) for operand in operands])

    def unary(self, node: ast.UnaryOp, operand: _Operand) -> _Operand:
        if isinstance(node.op, ast.UAdd):
            return operand
        if isinstance(operand, _Number):
            return _Number(-operand.value)
        return self.gate(node, "neg", MulConstantGate(-1), [operand])

    def binary(self, node: ast.BinOp, left: _Operand, right: _Operand) -> _Operand:
        symbol, kind = _OPERATIONS[type(node.op)]
        if symbol == "**":
            if isinstance(right, _Number):
                return self.gate(node, kind, PowGate(right.value), [self.node(left)])
            return self.gate(node, kind, PowerGate(), [self.node(left), self.node(right)])
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

    def factory(self, node: ast.Call) -> GateFactory:
        if not isinstance(node.func, ast.Name):
            what = _REFUSED.get(type(node.func), "calling anything but a function's name")
            raise self.error(f"{what} is not allowed", node.func)
        factory = self.functions.get(node.func.id)
        if factory is None:
            known = ", ".join(sorted(self.functions))
            raise self.error(f"unknown function {node.func.id!r} (known: {known})", node.func)
        if node.keywords:
            raise self.error(f"{node.func.id}() takes no keyword arguments", node.keywords[0])
        return factory

    def call(self, node: ast.Call, args: list[str]) -> str:
        assert isinstance(node.func, ast.Name)  # factory() refused every other call
        name = node.func.id
        gate = self.factory(node)()
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
        if self.target is not None and self.target[0] == id(node):
            return self.graph.add_gate(self.target[1], gate, inputs)
        name = self.short_text(node)
        if name is None or name in self.graph:
            name = self.fresh(kind)
        return self.graph.add_gate(name, gate, inputs)

    def short_text(self, node: ast.expr) -> str | None:
        """``node``'s text as :func:`ast.unparse` writes it, or None beyond
        :data:`MAX_NAME` characters: a node holding a long one is long, so each
        node's text is written only when its operands' are short (linear time)."""
        if id(node) not in self.texts:
            if any(self.texts.get(id(child), "") is None for child in _operands(node)):
                self.texts[id(node)] = None
            else:
                text = ast.unparse(node)
                self.texts[id(node)] = text if len(text) <= MAX_NAME else None
        return self.texts[id(node)]

    def remember_text(self, node: ast.expr) -> None:
        """Keep ``node``'s short text for its parent; forget its operands'."""
        self.short_text(node)
        for child in _operands(node):
            self.texts.pop(id(child), None)

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
