"""``compgraph train moons``: train the two-moons network, print how it did, write its plots."""

from __future__ import annotations

import argparse
from pathlib import Path

from compgraph.cli.usage import UsageError
from compgraph.moons import train_moons

__all__ = ["add_command", "run"]


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``train`` and its options to the ``compgraph`` command."""
    parser = commands.add_parser(
        "train",
        help="train an MLP on a generated data set; print its accuracy and write its plots",
    )
    parser.add_argument("dataset", choices=["moons"], help="the data set: two moons")
    parser.add_argument(
        "--hidden", type=int, nargs="+", default=[16, 16], help="hidden sizes (default: 16 16)"
    )
    parser.add_argument("--epochs", type=int, default=50, help="default: 50")
    parser.add_argument("--lr", type=float, default=0.01, help="Adam's (default: 0.01)")
    parser.add_argument("--batch-size", type=int, default=32, help="default: 32")
    parser.add_argument("--samples", type=int, default=200, help="points (default: 200)")
    parser.add_argument("--noise", type=float, default=0.1, help="default: 0.1")
    parser.add_argument("--seed", type=int, default=0, help="of data and weights (default: 0)")
    parser.add_argument(
        "--out", default=".", help="folder for the PNG files (default: current directory)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Check the options and that the plots can be written, then train, report and plot.

    Nothing is trained when the plots could not be written afterwards.
    """
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
        raise UsageError(problems[0])
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UsageError(
            "writing the plots needs matplotlib: pip install 'compgraph[train]'"
        ) from None
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot write to {str(out)!r}: {exc.strerror}") from None

    result = train_moons(
        hidden=args.hidden,
        epochs=args.epochs,
        lr=args.lr,
        batch_size=args.batch_size,
        samples=args.samples,
        noise=args.noise,
        seed=args.seed,
        progress=not args.quiet,
    )
    print(result)
    loss_path, boundary_path = result.write_plots(out)
    print(f"wrote {loss_path} and {boundary_path}")
    return 0
