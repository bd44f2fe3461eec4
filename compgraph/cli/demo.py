"""``compgraph demo``: the lectures' worked examples, as tables; with ``--draw``
drawings, with ``--html`` a page to step through each."""

from __future__ import annotations

import argparse

from compgraph.cli.usage import add_digits, digits, path_option
from compgraph.lectures import demo, draw_examples, write_pages

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
    parser.add_argument(
        "--html",
        metavar="DIR",
        help="also write a page to step through each example's pass, as an HTML file in DIR",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print :func:`compgraph.lectures.demo`; first draw the examples with
    ``--draw`` and write their pages with ``--html``, each path printed."""
    rounding = digits(args)
    folder = path_option(args.draw, "--draw")
    pages = path_option(args.html, "--html")
    if folder is not None:
        draw_examples(folder, rounding)
    if pages is not None:
        for path in write_pages(pages, rounding):
            print(f"wrote {path}")
    print(demo(rounding))
    return 0
