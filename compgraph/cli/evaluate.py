"""``compgraph eval EXPR NAME=VALUE ...``: every node's value and gradient, as a table or JSON.

The module is not named ``eval`` so that it shadows no builtin where it is imported.

Every input ends in bounded time and memory: the expression's own limits
(:mod:`compgraph.expression`), integers exact up to :data:`MAX_DIGITS` digits
(a value given or computed that could be longer is refused before the pass:
Python's integers grow without bound, ``x ** 999999999`` at ``x=3`` would not
end), and lists read as float arrays (numpy's integers would wrap around).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import unicodedata
from typing import Any

import numpy as np

from compgraph.cli.source import read_graph
from compgraph.cli.usage import UsageError, add_digits, digits, path_option
from compgraph.graph import ComputationalGraph
from compgraph.table import pass_table
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
from gates.base import Gate
from gates.elementwise import ExpGate, LogGate, MaxGate, ReLUGate, SigmoidGate, TanhGate

__all__ = [
    "MAX_DIGITS",
    "add_command",
    "evaluate",
    "parse_value",
    "read_feeds",
    "report",
    "run",
]

#: The most digits of an integer, given or computed, that ``compgraph eval`` takes.
MAX_DIGITS = 1000

_MAX_BITS = math.ceil(MAX_DIGITS / math.log10(2))
_FLOATS = (DivGate, ReciprocalGate, ExpGate, SigmoidGate, TanhGate, LogGate)


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``eval`` and its options to the ``compgraph`` command."""
    parser = commands.add_parser(
        "eval",
        help="run an expression forward and backward; print every node's value and gradient",
        description="Build the graph of EXPR, run it forward at the given values and "
        "backward, and print every node's gate, value and gradient. "
        "EXPR may also be a saved graph (g.save, compgraph train --save): an EXPR "
        "that ends in .json is read as a graph file. "
        'Put -- before an expression that starts with a minus: compgraph eval -- "-x" x=1',
    )
    parser.add_argument(
        "expression",
        metavar="EXPR",
        help='e.g. "sigmoid(w0*x0 + w1*x1)", or a graph file: one ending in .json',
    )
    parser.add_argument(
        "values", metavar="NAME=VALUE", nargs="*", help="a number, or a list such as [1, 2.5]"
    )
    parser.add_argument("--draw", metavar="PATH", help="draw the circuit (.svg, .png or .pdf)")
    parser.add_argument(
        "--html", metavar="PATH", help="write a page to step through the pass (.html)"
    )
    parser.add_argument(
        "--explain", action="store_true", help="tell the backward pass step by step"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_digits(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print what :func:`evaluate` returns."""
    print(evaluate(args))
    return 0


def evaluate(args: argparse.Namespace) -> str:
    """Build, feed, forward, backward (draw with ``--draw``, write the page to
    step through the pass with ``--html``); the text to print.

    Examples
    --------
    >>> args = argparse.Namespace(
    ...     expression="(x + y) * z", values=["x=-2", "y=5", "z=-4"],
    ...     draw=None, html=None, explain=False, json=False, digits=2,
    ... )
    >>> print(evaluate(args))  # doctest: +NORMALIZE_WHITESPACE
    node         gate       inputs    value  grad
    -----------  ---------  --------  -----  ----
    x            input                -2     -4
    y            input                5      -4
    z            input                -4     3
    x + y        + AddGate  x, y      3      -4
    (x + y) * z  * MulGate  x + y, z  -12    1
    """
    rounding = digits(args)
    draw = path_option(args.draw, "--draw")
    page = path_option(args.html, "--html")
    if page is not None and not page.lower().endswith((".html", ".htm")):
        raise UsageError(f"--html: {page!r} does not end in .html; name an .html file")
    g = read_graph(args.expression)
    feeds = read_feeds(g, args.values)
    g.forward(feeds)
    g.backward()
    if draw is not None:
        g.draw(draw, rounding)
    if page is not None:
        g.to_html(page, rounding)
    if args.json:
        explanation = g.explain(rounding) if args.explain else None
        return json.dumps(report(g, args.expression, explanation), indent=2, ensure_ascii=False)
    text = pass_table(g, rounding)
    return f"{text}\n\n{g.explain(rounding)}" if args.explain else text


def read_feeds(g: ComputationalGraph, values: list[str]) -> dict[str, Any]:
    """The feeds given as ``NAME=VALUE`` items, one for each input of ``g``,
    refused where a pass could not end in bounded time (:func:`check_integers`).

    Examples
    --------
    >>> read_feeds(ComputationalGraph.from_expression("x * y"), ["x=3", "y=-4"])
    {'x': 3, 'y': -4}
    """
    feeds: dict[str, Any] = {}
    for item in values:
        name, equals, text = item.partition("=")
        if not equals or not name.strip():
            raise UsageError(f"{_shown(item)!r}: give each value as NAME=VALUE")
        name = unicodedata.normalize("NFKC", name.strip())  # as the expression's names are
        if name in feeds:
            raise UsageError(f"{name} is given twice")
        feeds[name] = parse_value(name, text)
    names = [name for name in g if g.kind(name) == "input"]
    known = ", ".join(names) or "none"
    parameters = [name for name in feeds if name in g and g.kind(name) == "parameter"]
    if parameters:
        raise UsageError(
            f"{', '.join(parameters)}: a parameter of the graph, which holds its value;"
            f" give its inputs only ({known})"
        )
    extra = [name for name in feeds if name not in names]
    if extra:
        raise UsageError(f"{', '.join(extra)}: not a name in the expression (its names: {known})")
    missing = [name for name in names if name not in feeds]
    if missing:
        raise UsageError(f"no value for {', '.join(missing)} (give {missing[0]}=VALUE)")
    check_integers(g, feeds)
    return feeds


def parse_value(name: str, text: str) -> Any:
    """A value given on the command line: an int (of at most :data:`MAX_DIGITS`
    digits), a float, or a list of numbers (nested for a matrix) as a float array.

    Examples
    --------
    >>> parse_value("x", "-2"), parse_value("x", "0.5"), parse_value("x", "[1, 2.5]")
    (-2, 0.5, array([1. , 2.5]))
    >>> parse_value("x", "two")
    Traceback (most recent call last):
    ...
    compgraph.cli.usage.UsageError: x=two: not a number or a list of numbers
    """
    text = text.strip()
    if re.fullmatch(r"[+-]?\d+", text) and len(text.lstrip("+-")) > MAX_DIGITS:
        raise UsageError(
            f"{name}={_shown(text)}: an integer of {len(text.lstrip('+-'))} digits; "
            f"the most is {MAX_DIGITS}"
        )
    try:
        if text.startswith("["):
            array = np.array(json.loads(text))
            if array.dtype.kind not in "iuf" or array.size == 0:
                raise ValueError
            return array.astype(float)
        return int(text) if re.fullmatch(r"[+-]?\d+", text) else float(text)
    except (ValueError, RecursionError, MemoryError):  # RecursionError: lists nested deeply
        raise UsageError(f"{name}={_shown(text)}: not a number or a list of numbers") from None


def check_integers(g: ComputationalGraph, feeds: dict[str, Any]) -> None:
    """Refuse a pass in which a node's value, an integer, could have more than
    :data:`MAX_DIGITS` digits: a bound on each node's size from its gate and
    its inputs' (a product adds sizes, a power multiplies them), before the pass.

    Examples
    --------
    >>> g = ComputationalGraph.from_expression("x ** 4000")
    >>> check_integers(g, {"x": 2.0})  # floats: the pass is bounded anyway
    >>> check_integers(g, {"x": 2})
    Traceback (most recent call last):
    ...
    compgraph.cli.usage.UsageError: node 'x ** 4000': its value, an integer, could have up to \
1205 digits at these values; the most is 1000 (give the numbers as floats: 2.0)
    """
    sizes: dict[str, float | None] = {}
    for name in g:
        if g.kind(name) == "gate":
            sizes[name] = _integer_size(g.gate(name), [sizes[node] for node in g.inputs(name)])
        else:
            sizes[name] = _size(feeds.get(name))
        found = sizes[name]
        if found is not None and math.floor(found * math.log10(2)) + 1 > MAX_DIGITS:
            given = [str(value) for value in feeds.values() if _size(value) is not None]
            example = next((f"{text}.0" for text in given if len(text) < 10), "2.0")
            raise UsageError(
                f"node {name!r}: its value, an integer, could have up to "
                f"{math.floor(found * math.log10(2)) + 1} digits at these values; the most is "
                f"{MAX_DIGITS} (give the numbers as floats: {example})"
            )


def _size(value: object) -> float | None:
    """``log2`` of an integer's magnitude (0 for 0 and 1); None for anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return math.log2(abs(value)) if value else 0.0
    return None


def _integer_size(gate: Gate, inputs: list[float | None]) -> float | None:
    """At most ``log2`` of the magnitude of the integer ``gate`` makes of
    integers of ``inputs`` sizes (None: a float, when an input is one or the
    gate makes floats)."""
    ints = [size for size in inputs if size is not None]
    if isinstance(gate, ConstantGate):
        return _size(gate.c)
    if isinstance(gate, _FLOATS) or not ints:
        return None
    if isinstance(gate, (MaxGate, ReLUGate)):
        return max(ints)
    if isinstance(gate, (AddGate, SubGate, MulGate)):
        if None in inputs:
            return None
        return sum(ints) if isinstance(gate, MulGate) else max(ints) + 1
    if isinstance(gate, (AddConstantGate, MulConstantGate)):
        constant = _size(gate.c)
        if constant is None:
            return None
        return (
            ints[0] + constant if isinstance(gate, MulConstantGate) else max(ints[0], constant) + 1
        )
    if isinstance(gate, PowGate):
        exponent = gate.c
        if _size(exponent) is None or exponent < 0:  # int ** float, int ** -n: floats
            return None
        return ints[0] * exponent
    return sum(ints)  # any other gate: as large as a product of its inputs


def _shown(text: str, most: int = 40) -> str:
    """``text``, cut to ``most`` characters for a one-line message."""
    return text if len(text) <= most else text[: most - 3] + "..."


def report(
    g: ComputationalGraph, expression: str, explanation: str | None = None
) -> dict[str, Any]:
    """The latest pass of ``g``, built from ``expression``, as ``--json`` prints it
    (numbers and lists; null for inf and nan), the gates that ran at a kink
    (:meth:`~compgraph.graph.ComputationalGraph.kinks`), with ``explanation`` if given.

    Examples
    --------
    >>> g = ComputationalGraph.from_expression("x * y")
    >>> _ = g.forward(x=3, y=-4), g.backward()
    >>> found = report(g, "x * y")
    >>> found["value"], [(node["name"], node["grad"]) for node in found["nodes"]]
    (-12, [('x', -4), ('y', 3), ('x * y', 1)])
    >>> g = ComputationalGraph.from_expression("max(x, y)")
    >>> _ = g.forward(x=2, y=2), g.backward()
    >>> report(g, "max(x, y)")["kinks"]  # doctest: +ELLIPSIS
    [{'node': 'max(x, y)', 'note': '...'}]
    """
    nodes = [
        {
            "name": name,
            "kind": g.kind(name),
            "gate": type(g.gate(name)).__name__ if g.kind(name) == "gate" else None,
            "symbol": g.gate(name).symbol if g.kind(name) == "gate" else None,
            "inputs": g.inputs(name),
            "value": _plain(g.value(name)),
            "grad": _plain(g.grad(name)),
        }
        for name in g
    ]
    found: dict[str, Any] = {
        "expression": expression,
        "output": g.output,
        "value": _plain(g.value(g.output)),
        "nodes": nodes,
        "kinks": [{"node": node, "note": note} for node, note in g.kinks()],
    }
    if explanation is not None:
        found["explanation"] = explanation
    return found


def _plain(value: Any) -> Any:
    """A value as JSON holds it: numbers and lists; null for inf and nan."""
    plain = value.tolist() if isinstance(value, (np.ndarray, np.generic)) else value
    if isinstance(plain, list):
        return [_plain(item) for item in plain]
    if isinstance(plain, int):  # exact, and may be beyond a float's range
        return plain
    return plain if math.isfinite(plain) else None
