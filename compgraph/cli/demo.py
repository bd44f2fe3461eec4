"""``compgraph demo``: the lectures' worked examples, as tables and, with ``--draw``, drawings."""

from __future__ import annotations

import argparse

from compgraph.cli.usage import add_digits, digits, path_option
from compgraph.lectures import demo, draw_examples

__all__ = ["add_command", "run"]


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``demo`` and its options to the ``compgraph`` command."""
    parser = commands.add_parser(
        "demo", help="print the lectures' worked examples with their values and gradients"
    )
    add_digits(parser)
    parser.add_argument(
        "--draw", metavar="DIR", help="also draw each example's circuit as an SVG file in DIR"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print :func:`compgraph.lectures.demo`; draw the examples first with ``--draw``."""
    rounding = digits(args)
    folder = path_option(args.draw, "--draw")
    if folder is not None:
        draw_examples(folder, rounding)
    print(demo(rounding))
    return 0
