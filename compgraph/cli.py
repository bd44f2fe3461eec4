"""The ``compgraph`` command.

Bad usage gets a one-line message on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

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


def train_moons(args: argparse.Namespace) -> int:
    """``compgraph train moons``: train an MLP on two moons, print its training
    accuracy, write the loss curve and the decision boundary as PNG files."""
    import time
    from pathlib import Path

    import numpy as np

    from compgraph import ComputationalGraph, datasets, nn
    from compgraph.optim import Adam
    from compgraph.training import train
    from gates import SoftmaxCrossEntropyGate

    problems = [
        message
        for bad, message in [
            (args.epochs < 1, "--epochs must be 1 or more"),
            (not args.lr > 0, "--lr must be positive"),
            (any(h < 1 for h in args.hidden), "--hidden sizes must be 1 or more"),
            (args.samples < 2, "--samples must be 2 or more"),
            (args.batch_size < 1, "--batch-size must be 1 or more"),
        ]
        if bad
    ]
    if problems:
        print(f"compgraph train: {problems[0]}", file=sys.stderr)
        return 2
    try:
        import matplotlib  # noqa: F401

        from compgraph.plotting import plot_decision_boundary, plot_loss
    except ImportError:
        print(
            "compgraph train: writing the plots needs matplotlib: pip install 'compgraph[train]'",
            file=sys.stderr,
        )
        return 2
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"compgraph train: cannot write to {str(out)!r}: {exc.strerror}", file=sys.stderr)
        return 2

    x, y = datasets.make_moons(args.samples, noise=args.noise, rng=args.seed)
    sizes = [2, *args.hidden, 2]
    g = ComputationalGraph()
    net = nn.mlp(g, sizes, rng=args.seed)
    g.add_input("y")
    g.add_gate("loss", SoftmaxCrossEntropyGate(), [net.output, "y"])
    start = time.perf_counter()
    history = train(
        g,
        {"x": x, "y": y},
        Adam(g, lr=args.lr),
        epochs=args.epochs,
        batch_size=args.batch_size,
        rng=args.seed,
        progress=not args.quiet,
    )
    seconds = time.perf_counter() - start

    def predict(points: np.ndarray) -> Any:
        g.forward(x=points, y=np.zeros(len(points), dtype=np.int64))
        return np.argmax(g.value(net.output), axis=1)

    loss = g.forward(x=x, y=y)
    accuracy = float(np.mean(np.asarray(g.value(net.output)).argmax(axis=1) == y))
    shape = "-".join(map(str, sizes))
    stopped = " (interrupted)" if history.interrupted else ""
    print(
        f"trained a {shape} MLP on {args.samples} moons points: {len(history)} steps "
        f"in {seconds:.2f} s{stopped}; training loss {loss:.4g}"
    )
    print(f"training accuracy: {100 * accuracy:.1f}%")
    loss_path, boundary_path = out / "moons_loss.png", out / "moons_boundary.png"
    plot_loss(history, loss_path, title=f"{shape} MLP on two moons: loss per step")
    plot_decision_boundary(
        predict, x, y, boundary_path, title=f"decision boundary: {100 * accuracy:.1f}% correct"
    )
    print(f"wrote {loss_path} and {boundary_path}")
    return 0


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
    train_parser = commands.add_parser(
        "train",
        help="train an MLP on a generated data set; print its accuracy and write its plots",
    )
    train_parser.add_argument("dataset", choices=["moons"], help="the data set: two moons")
    train_parser.add_argument(
        "--hidden", type=int, nargs="+", default=[16, 16], help="hidden sizes (default: 16 16)"
    )
    train_parser.add_argument("--epochs", type=int, default=50, help="default: 50")
    train_parser.add_argument("--lr", type=float, default=0.01, help="Adam's (default: 0.01)")
    train_parser.add_argument("--batch-size", type=int, default=32, help="default: 32")
    train_parser.add_argument("--samples", type=int, default=200, help="points (default: 200)")
    train_parser.add_argument("--noise", type=float, default=0.1, help="default: 0.1")
    train_parser.add_argument(
        "--seed", type=int, default=0, help="of data and weights (default: 0)"
    )
    train_parser.add_argument(
        "--out", default=".", help="folder for the PNG files (default: current directory)"
    )
    train_parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "demo":
        if args.digits < 0:
            print("compgraph demo: --digits must be 0 or more", file=sys.stderr)
            return 2
        print(demo(args.digits))
    if args.command == "train":
        return train_moons(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
