"""``compgraph exercise EXPR NAME=VALUE ... --out DIR``: a worksheet and its answer key.

Writes ``DIR/worksheet.svg``, ``worksheet.png`` (to print), ``worksheet.html``
(the page that checks a student's answers) and ``key.json``, the answer key
that ``compgraph grade`` reads (:meth:`compgraph.exercise.Exercise.key`).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from compgraph.cli.evaluate import read_feeds
from compgraph.cli.source import read_graph
from compgraph.cli.usage import UsageError, path_option
from compgraph.exercise import Exercise

__all__ = ["add_command", "blank_option", "run"]

#: The files ``compgraph exercise`` writes in its folder, the key last.
FILES = ("worksheet.svg", "worksheet.png", "worksheet.html", "key.json")


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``exercise`` and its options to the ``compgraph`` command."""
    parser = commands.add_parser(
        "exercise",
        help="write a worksheet with numbers left blank, and its answer key",
        description="Build the graph of EXPR, run it at the given values, and write into "
        "DIR a worksheet with the asked numbers left as boxes (worksheet.svg, "
        "worksheet.png, worksheet.html: a page that checks the answers) and the "
        "answer key key.json, for compgraph grade. An EXPR that ends in .json is "
        "read as a saved graph file.",
    )
    parser.add_argument(
        "expression",
        metavar="EXPR",
        help='e.g. "(x + y) * z", or a graph file: one ending in .json',
    )
    parser.add_argument("values", metavar="NAME=VALUE", nargs="*", help="a number for each input")
    parser.add_argument(
        "--blank",
        metavar="WHAT",
        action="append",
        help="gradients (the default: every gradient but the output's), values (every "
        "gate's value), or the nodes whose gradients to ask, as NODE,NODE (repeatable)",
    )
    parser.add_argument("--out", metavar="DIR", required=True, help="the folder to write into")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the worksheets and the key; print their paths."""
    out = Path(str(path_option(args.out, "--out")))
    g = read_graph(args.expression)
    exercise = Exercise(g, read_feeds(g, args.values), blank_option(args.blank))
    out.mkdir(parents=True, exist_ok=True)
    for name in FILES[:-1]:
        print(exercise.worksheet(out / name))
    key = out / FILES[-1]
    key.write_text(json.dumps(exercise.key(), indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(key)
    return 0


def blank_option(given: list[str] | None) -> str | list[str]:
    """What ``--blank`` asks: ``gradients`` (also when not given), ``values``, or
    node names, each ``--blank`` split at the commas outside brackets.

    Examples
    --------
    >>> blank_option(None), blank_option(["values"])
    ('gradients', 'values')
    >>> blank_option(["x,max(x, y)", "z"])
    ['x', 'max(x, y)', 'z']
    """
    if not given:
        return "gradients"
    if len(given) == 1 and given[0].strip() in ("gradients", "values"):
        return given[0].strip()
    names = [name for item in given for name in _split(item)]
    if any(name in ("gradients", "values") or not name for name in names):
        raise UsageError(
            "--blank: give gradients, values, or node names (NODE,NODE), not a mix or an empty name"
        )
    return names


def _split(item: str) -> list[str]:
    """``item`` split at its commas outside brackets, each part stripped."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(item):
        depth += (char in "([") - (char in ")]")
        if char == "," and depth == 0:
            parts.append(item[start:i].strip())
            start = i + 1
    return [*parts, item[start:].strip()]
