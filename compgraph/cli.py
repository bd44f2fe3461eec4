"""The ``compgraph`` command.

Bad usage gets a one-line message on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from compgraph.lectures import EXAMPLES, neuron
from compgraph.table import format_number, format_table, pass_table

__all__ = ["main"]


def demo(digits: int) -> str:
    """The lectures' worked examples: one table of node, gate, value and gradient
    each, then the two forms of the sigmoid neuron side by side.

    Examples
    --------
    >>> print(demo(2).splitlines()[0])
    J = 3(a + bc)   at a=5, b=4, c=2
    """
    parts = []
    for title, formula, build in EXAMPLES:
        g, feeds = build()
        g.forward(feeds)
        g.backward()
        parts.append(f"{title}   at {formula}\n\n{pass_table(g, digits)}\n")
    parts.append(_neuron_agreement(digits))
    return "\n".join(parts)


def _neuron_agreement(digits: int) -> str:
    one_gate, feeds = neuron()
    chain, _ = neuron(decomposed=True)
    one_gate.forward(feeds)
    chain.forward(feeds)
    grads_one, grads_chain = one_gate.backward(), chain.backward()
    rows = [
        [
            "f (value)",
            format_number(one_gate.value("f"), digits),
            format_number(chain.value("f"), digits),
        ]
    ]
    rows += [
        [
            f"d f / d {name}",
            format_number(grads_one[name], digits),
            format_number(grads_chain[name], digits),
        ]
        for name in ("w0", "x0", "w1", "x1", "w2", "dot")
    ]
    largest = max(abs(grads_one[name] - grads_chain[name]) for name in grads_one)
    largest = max(largest, abs(one_gate.value("f") - chain.value("f")))
    table = format_table(["", "sigmoid gate", "*-1, exp, +1, 1/x"], rows)
    return (
        f"The two neurons agree:\n\n{table}\n\n"
        f"largest difference in value or gradient: {largest:.1e}\n"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="compgraph",
        description="Build, run and inspect backpropagation on computational graphs of gates.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    demo_parser = commands.add_parser(
        "demo", help="print the lectures' worked examples with their values and gradients"
    )
    demo_parser.add_argument(
        "--digits", type=int, default=2, help="decimals to round to (default: 2, as the lectures)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "demo":
        if args.digits < 0:
            print("compgraph demo: --digits must be 0 or more", file=sys.stderr)
            return 2
        print(demo(args.digits))
    return 0


if __name__ == "__main__":
    sys.exit(main())
