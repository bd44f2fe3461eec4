"""What every ``compgraph`` command shares: the usage error, the ``--digits`` option, paths."""

from __future__ import annotations

import argparse

__all__ = ["UsageError", "add_digits", "digits", "path_option"]


class UsageError(Exception):
    """Bad input on the command line: reported in one line, exit status 2."""


def add_digits(parser: argparse.ArgumentParser) -> None:
    """Give a command the ``--digits`` option: decimals to round to."""
    parser.add_argument(
        "--digits", type=int, default=2, help="decimals to round to (default: 2, as the lectures)"
    )


def digits(args: argparse.Namespace) -> int:
    """The ``--digits`` given, refused below 0.

    Examples
    --------
    >>> digits(argparse.Namespace(digits=3))
    3
    >>> digits(argparse.Namespace(digits=-1))
    Traceback (most recent call last):
    ...
    compgraph.cli.usage.UsageError: --digits must be 0 or more
    """
    if args.digits < 0:
        raise UsageError("--digits must be 0 or more")
    return int(args.digits)


def path_option(path: str | None, option: str) -> str | None:
    """The path given to ``option`` (None if not given), refused when empty.

    Examples
    --------
    >>> path_option("neuron.svg", "--draw"), path_option(None, "--draw")
    ('neuron.svg', None)
    >>> path_option("", "--draw")
    Traceback (most recent call last):
    ...
    compgraph.cli.usage.UsageError: --draw: the path is empty
    """
    if path == "":
        raise UsageError(f"{option}: the path is empty")
    return path
