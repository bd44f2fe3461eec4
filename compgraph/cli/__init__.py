"""The ``compgraph`` command: one module per subcommand, each adding its own options.

Each command module has ``add_command(commands)``, which adds its subparser with
its options and ``set_defaults(func=run)``; :func:`main` parses the command line
and calls ``args.func(args)`` (with no command, it prints the help). Bad usage
gets a one-line message on stderr and exit status 2, never a traceback:
argparse's own errors through the parser, the commands' as a
:class:`~compgraph.cli.usage.UsageError` (or an error of the library below)
caught in :func:`main`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from compgraph._version import __version__
from compgraph.cli import check, demo, evaluate, exercise, grade, lint, train
from compgraph.cli.usage import UsageError
from compgraph.errors import GraphError

__all__ = ["main", "parser"]


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line on stderr, exit status 2 (its subparsers too)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\n")


def parser() -> argparse.ArgumentParser:
    """The ``compgraph`` parser, with every command's subparser.

    Examples
    --------
    >>> args = parser().parse_args(["demo", "--digits", "3"])
    >>> args.command, args.digits, args.func.__module__
    ('demo', 3, 'compgraph.cli.demo')
    """
    command_line = _Parser(
        prog="compgraph",
        description="Build, run and inspect backpropagation on computational graphs of gates.",
    )
    command_line.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = command_line.add_subparsers(dest="command", metavar="COMMAND")
    for command in (demo, check, evaluate, train, exercise, grade, lint):
        command.add_command(commands)
    return command_line


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Examples
    --------
    >>> main(["eval", "x * y", "x=3", "y=-4"])  # doctest: +NORMALIZE_WHITESPACE
    node   gate       inputs  value  grad
    -----  ---------  ------  -----  ----
    x      input              3      -4
    y      input              -4     3
    x * y  * MulGate  x, y    -12    1
    0
    >>> main(["eval", "x * y", "x=3"])  # on stderr: no value for y (give y=VALUE)
    2
    >>> main([])  # doctest: +ELLIPSIS
    usage: compgraph [-h] [--version] COMMAND ...
    ...
    0
    """
    command_line = parser()
    args = command_line.parse_args(argv)
    if args.command is None:  # a bare ``compgraph``: what it can do
        command_line.print_help()
        return 0
    try:
        status: int = args.func(args)
    except (
        UsageError,
        GraphError,
        ValueError,
        OSError,
        ImportError,
        ArithmeticError,  # an overflow the library did not foresee: still one line
        RecursionError,
        MemoryError,
    ) as err:
        message = str(err).splitlines()[0] if str(err) else type(err).__name__
        print(f"compgraph {args.command}: {message}", file=sys.stderr)
        return 2
    return status
