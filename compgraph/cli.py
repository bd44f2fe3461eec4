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


def _check_command(args: argparse.Namespace) -> int:
    """``compgraph check MODULE:GATE``: import a gate and check it with
    :func:`gates.check_gate`; print the report; 0 if it passes, 1 if not, 2 for
    bad usage."""
    import ast
    import importlib
    import os

    import numpy as np

    from compgraph.errors import GraphError
    from gates.base import Gate, arity
    from gates.check import gate_report

    def usage(message: str) -> int:
        print(f"compgraph check: {message}", file=sys.stderr)
        return 2

    module_name, colon, attribute = args.target.partition(":")
    if not (colon and module_name and attribute):
        return usage(f"expected MODULE:GateClass, got {args.target!r}")
    added = os.getcwd() not in sys.path
    if added:
        sys.path.insert(0, os.getcwd())  # the user's own modules, as ``python -m`` would
    try:
        found: object = importlib.import_module(module_name)
        for part in attribute.split("."):
            found = getattr(found, part)
    except Exception as exc:
        return usage(f"cannot load {args.target!r}: {type(exc).__name__}: {exc}")
    finally:
        if added:
            sys.path.remove(os.getcwd())
    if isinstance(found, type) and issubclass(found, Gate):
        try:
            found = found()
        except Exception as exc:
            return usage(f"cannot create {attribute}(): {type(exc).__name__}: {exc}")
    if not isinstance(found, Gate):
        return usage(f"{args.target!r} is not a gate class or instance (subclass gates.Gate)")
    gate = found

    if args.inputs is None:
        try:
            least, _ = arity(gate)
        except TypeError as exc:
            return usage(str(exc))
        rng = np.random.default_rng(args.seed)
        inputs: list[object] = [float(rng.uniform(0.5, 2.0)) for _ in range(max(least, 1))]
    else:
        inputs = []
        for text in args.inputs:
            try:
                value = ast.literal_eval(text)
                inputs.append(np.array(value, dtype=float) if isinstance(value, list) else value)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                return usage(f"--inputs: {text!r} is not a number or a list of numbers")
    try:
        report = gate_report(
            gate,
            *inputs,
            step=args.step,
            rtol=args.rtol,
            atol=args.atol,
            trials=args.trials,
            seed=args.seed,
        )
    except (GraphError, ValueError) as exc:
        return usage(str(exc).removeprefix("check_gate: "))
    print(report)
    name = type(gate).__name__
    if report.ok:
        print(f"\n{name}: every gradient matches finite differences ({len(report.rows)} checks)")
        return 0
    print(f"\n{name}: {len(report.failures)} of {len(report.rows)} checks failed")
    return 1


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
    check_parser = commands.add_parser(
        "check",
        help="check a gate's backward against finite differences of its forward",
        description="Import a gate (MODULE:GateClass, or MODULE:instance) and check its "
        "backward against central finite differences of its forward, at the given inputs "
        "and at seeded random ones of the same shapes. Exit status 0 if every check "
        "passes, 1 if one fails, 2 for bad usage.",
    )
    check_parser.add_argument("target", metavar="MODULE:GateClass", help="the gate to check")
    check_parser.add_argument(
        "--inputs",
        nargs="+",
        metavar="VALUE",
        help="example inputs, one per input of forward: numbers or lists such as "
        "'[1, 2, 3]' (default: seeded random numbers between 0.5 and 2)",
    )
    check_parser.add_argument(
        "--step", type=float, default=1e-6, help="finite-difference step (default: 1e-6)"
    )
    check_parser.add_argument(
        "--rtol", type=float, default=1e-3, help="relative tolerance (default: 1e-3)"
    )
    check_parser.add_argument(
        "--atol", type=float, default=1e-5, help="absolute tolerance (default: 1e-5)"
    )
    check_parser.add_argument(
        "--trials", type=int, default=3, help="random points besides the inputs (default: 3)"
    )
    check_parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "demo":
        if args.digits < 0:
            print("compgraph demo: --digits must be 0 or more", file=sys.stderr)
            return 2
        print(demo(args.digits))
    elif args.command == "check":
        return _check_command(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
