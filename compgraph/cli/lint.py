"""``compgraph lint EXPR|FILE``: what is wrong with how a graph is wired, for CI.

Prints one line per finding of :meth:`~compgraph.ComputationalGraph.lint`
and exits with status 1 when there are any, 0 when the graph is clean, and 2
when the graph cannot be read.
"""

from __future__ import annotations

import argparse

from compgraph.cli.source import read_graph

__all__ = ["add_command", "run"]


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``lint`` to the ``compgraph`` command."""
    parser = commands.add_parser(
        "lint",
        help="check how a graph is wired (several outputs, unused inputs, dead gates); "
        "exit status 1 on findings",
        description="Check how the graph is wired: more than one output, inputs and "
        "parameters nothing consumes, gates that lead only to a second output. Prints "
        "one line per finding; exit status 1 when there are findings, 0 when clean, "
        "2 when the graph cannot be read. EXPR is an expression or a saved graph: an "
        "EXPR that ends in .json is read as a graph file.",
    )
    parser.add_argument(
        "source", metavar="EXPR", help='e.g. "(x + y) * z", or a graph file: one ending in .json'
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the findings about the graph ``args.source`` names; 1 if any, else 0.

    Examples
    --------
    >>> run(argparse.Namespace(source="q = x + y; f = q * z"))
    clean: one output, 'f', and every node leads to it
    0
    """
    graph = read_graph(args.source)
    findings = graph.lint()
    for finding in findings:
        print(finding.message)
    if findings:
        print(f"{len(findings)} finding{'' if len(findings) == 1 else 's'}")
        return 1
    print(f"clean: one output, {graph.output!r}, and every node leads to it")
    return 0
