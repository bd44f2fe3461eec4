"""``compgraph eval EXPR NAME=VALUE ...``: every node's value and gradient, as a table or JSON.

The module is not named ``eval`` so that it shadows no builtin where it is imported.
"""

from __future__ import annotations

import argparse
import json
import math
import re
from typing import Any

import numpy as np

from compgraph.cli.usage import UsageError, add_digits, digits
from compgraph.graph import ComputationalGraph
from compgraph.table import pass_table

__all__ = ["add_command", "evaluate", "parse_value", "report", "run"]


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``eval`` and its options to the ``compgraph`` command."""
    parser = commands.add_parser(
        "eval",
        help="run an expression forward and backward; print every node's value and gradient",
        description="Build the graph of EXPR, run it forward at the given values and "
        "backward, and print every node's gate, value and gradient. "
        'Put -- before an expression that starts with a minus: compgraph eval -- "-x" x=1',
    )
    parser.add_argument("expression", metavar="EXPR", help='e.g. "sigmoid(w0*x0 + w1*x1)"')
    parser.add_argument(
        "values", metavar="NAME=VALUE", nargs="*", help="a number, or a list such as [1, 2.5]"
    )
    parser.add_argument("--draw", metavar="PATH", help="draw the circuit (.svg or .png)")
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
    """Build, feed, forward, backward (and draw with ``--draw``); the text to print.

    Examples
    --------
    >>> args = argparse.Namespace(
    ...     expression="(x + y) * z", values=["x=-2", "y=5", "z=-4"],
    ...     draw=None, explain=False, json=False, digits=2,
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
    g = ComputationalGraph.from_expression(args.expression)
    feeds: dict[str, Any] = {}
    for item in args.values:
        name, equals, text = item.partition("=")
        if not equals or not name.strip():
            raise UsageError(f"{item!r}: give each value as NAME=VALUE")
        name = name.strip()
        if name in feeds:
            raise UsageError(f"{name} is given twice")
        feeds[name] = parse_value(name, text)
    names = [name for name in g if g.kind(name) == "input"]
    extra = [name for name in feeds if name not in names]
    if extra:
        known = ", ".join(names) or "none"
        raise UsageError(f"{', '.join(extra)}: not a name in the expression (its names: {known})")
    missing = [name for name in names if name not in feeds]
    if missing:
        raise UsageError(f"no value for {', '.join(missing)} (give {missing[0]}=VALUE)")
    g.forward(feeds)
    g.backward()
    if args.draw:
        g.draw(args.draw, rounding)
    if args.json:
        explanation = g.explain(rounding) if args.explain else None
        return json.dumps(report(g, args.expression, explanation), indent=2, ensure_ascii=False)
    text = pass_table(g, rounding)
    return f"{text}\n\n{g.explain(rounding)}" if args.explain else text


def parse_value(name: str, text: str) -> Any:
    """A value given on the command line: an int, a float, or a list of them
    (nested for a matrix) as an array.

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
    try:
        if text.startswith("["):
            array = np.array(json.loads(text))
            if array.dtype.kind not in "iuf" or array.size == 0:
                raise ValueError
            return array
        return int(text) if re.fullmatch(r"[+-]?\d+", text) else float(text)
    except ValueError:
        raise UsageError(f"{name}={text}: not a number or a list of numbers") from None


def report(
    g: ComputationalGraph, expression: str, explanation: str | None = None
) -> dict[str, Any]:
    """The latest pass of ``g``, built from ``expression``, as ``--json`` prints it
    (numbers and lists; null for inf and nan), with ``explanation`` if given.

    Examples
    --------
    >>> g = ComputationalGraph.from_expression("x * y")
    >>> _ = g.forward(x=3, y=-4), g.backward()
    >>> found = report(g, "x * y")
    >>> found["value"], [(node["name"], node["grad"]) for node in found["nodes"]]
    (-12, [('x', -4), ('y', 3), ('x * y', 1)])
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
    }
    if explanation is not None:
        found["explanation"] = explanation
    return found


def _plain(value: Any) -> Any:
    """A value as JSON holds it: numbers and lists; null for inf and nan."""
    plain = value.tolist() if isinstance(value, (np.ndarray, np.generic)) else value
    if isinstance(plain, list):
        return [_plain(item) for item in plain]
    return plain if math.isfinite(plain) else None
