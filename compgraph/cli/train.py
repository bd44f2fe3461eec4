"""``compgraph train moons``: train the two-moons network, print how it did, write its plots.

Every option is checked before anything is trained, so that a run ends in
bounded time and memory: at most :data:`MAX_EPOCHS` epochs, :data:`MAX_SAMPLES`
points, :data:`MAX_PARAMETERS` weights and biases, and :data:`MAX_VALUES`
numbers in one layer-by-layer pass over all the points; a learning rate that
is positive and finite, a noise that is finite and 0 or more.
"""

from __future__ import annotations

import argparse
import itertools
import math
from pathlib import Path

from compgraph.cli.source import is_file
from compgraph.cli.usage import UsageError, path_option
from compgraph.moons import train_moons

__all__ = [
    "MAX_EPOCHS",
    "MAX_PARAMETERS",
    "MAX_SAMPLES",
    "MAX_VALUES",
    "add_command",
    "run",
    "save_option",
]

#: The most epochs ``compgraph train`` runs.
MAX_EPOCHS = 10_000
#: The most points it generates.
MAX_SAMPLES = 100_000
#: The most weights and biases its network may have.
MAX_PARAMETERS = 1_000_000
#: The most numbers the hidden layers hold in a pass over every point.
MAX_VALUES = 10_000_000


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
    parser.add_argument(
        "--save",
        metavar="FILE",
        help="keep the trained network for one point as a graph file (ending in .json): "
        "compgraph eval FILE x0=.. x1=.. gives its two class scores",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def check_options(args: argparse.Namespace) -> None:
    """Refuse, in one line, the first option that is wrong or too large.

    Examples
    --------
    >>> options = dict(epochs=50, lr=0.01, hidden=[16, 16], samples=200, batch_size=32)
    >>> check_options(argparse.Namespace(**options, noise=0.1))
    >>> check_options(argparse.Namespace(**options, noise=float("nan")))
    Traceback (most recent call last):
    ...
    compgraph.cli.usage.UsageError: --noise must be a finite number 0 or more
    """
    sizes = [2, *args.hidden, 2]
    parameters = sum((into + 1) * out for into, out in itertools.pairwise(sizes))
    hidden = " ".join(str(size) for size in args.hidden)
    values = args.samples * sum(args.hidden)
    problems = [
        message
        for bad, message in [
            (args.epochs < 1, "--epochs must be 1 or more"),
            (args.epochs > MAX_EPOCHS, f"--epochs must be at most {MAX_EPOCHS}"),
            (not (args.lr > 0 and math.isfinite(args.lr)), "--lr must be a positive finite number"),
            (
                not (args.noise >= 0 and math.isfinite(args.noise)),
                "--noise must be a finite number 0 or more",
            ),
            (any(h < 1 for h in args.hidden), "--hidden sizes must be 1 or more"),
            (args.samples < 2, "--samples must be 2 or more"),
            (args.samples > MAX_SAMPLES, f"--samples must be at most {MAX_SAMPLES}"),
            (args.batch_size < 1, "--batch-size must be 1 or more"),
            (
                parameters > MAX_PARAMETERS,
                f"--hidden {hidden} makes {parameters} parameters; the most is {MAX_PARAMETERS}",
            ),
            (
                values > MAX_VALUES,
                f"--samples {args.samples} with --hidden {hidden} holds {values} values in a "
                f"pass; the most is {MAX_VALUES}",
            ),
        ]
        if bad
    ]
    if problems:
        raise UsageError(problems[0])


def run(args: argparse.Namespace) -> int:
    """Check the options and that the plots can be written, then train, report and plot.

    Nothing is trained when the plots could not be written afterwards.
    """
    check_options(args)
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
    save = save_option(args.save)

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
    if save is not None:
        result.network().save(save)
        print(f"saved the network to {save}: compgraph eval {save} x0=VALUE x1=VALUE")
    return 0


def save_option(path: str | None) -> Path | None:
    """The file ``--save`` names (None if not given), refused before training
    when it does not end in ``.json`` or its folder does not exist.

    Examples
    --------
    >>> save_option("net.json"), save_option(None)
    (PosixPath('net.json'), None)
    >>> save_option("net")
    Traceback (most recent call last):
    ...
    compgraph.cli.usage.UsageError: --save: the file name must end in .json (so that compgraph \
eval reads it as a graph file), got 'net'
    """
    given = path_option(path, "--save")
    if given is None:
        return None
    if not is_file(given):
        raise UsageError(
            "--save: the file name must end in .json (so that compgraph eval reads it as a "
            f"graph file), got {given!r}"
        )
    folder = Path(given).parent
    if not folder.is_dir():
        raise UsageError(f"--save: the folder {str(folder)!r} does not exist")
    return Path(given)
