"""The ``compgraph`` command.

Bad usage gets a one-line message on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from compgraph.errors import GraphError
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

    from compgraph.gatecheck import gate_report
    from gates.base import Gate, arity

    module_name, colon, attribute = args.target.partition(":")
    if not (colon and module_name and attribute):
        raise UsageError(f"expected MODULE:GateClass, got {args.target!r}")
    added = os.getcwd() not in sys.path
    if added:
        sys.path.insert(0, os.getcwd())  # the user's own modules, as ``python -m`` would
    try:
        found: object = importlib.import_module(module_name)
        for part in attribute.split("."):
            found = getattr(found, part)
    except Exception as exc:
        raise UsageError(f"cannot load {args.target!r}: {type(exc).__name__}: {exc}") from None
    finally:
        if added:
            sys.path.remove(os.getcwd())
    if isinstance(found, type) and issubclass(found, Gate):
        try:
            found = found()
        except Exception as exc:
            raise UsageError(f"cannot create {attribute}(): {type(exc).__name__}: {exc}") from None
    if not isinstance(found, Gate):
        raise UsageError(f"{args.target!r} is not a gate class or instance (subclass gates.Gate)")
    gate = found

    if args.inputs is None:
        try:
            least, _ = arity(gate)
        except TypeError as exc:
            raise UsageError(str(exc)) from None
        rng = np.random.default_rng(args.seed)
        inputs: list[object] = [float(rng.uniform(0.5, 2.0)) for _ in range(max(least, 1))]
    else:
        inputs = []
        for text in args.inputs:
            try:
                value = ast.literal_eval(text)
                inputs.append(np.array(value, dtype=float) if isinstance(value, list) else value)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                raise UsageError(
                    f"--inputs: {text!r} is not a number or a list of numbers"
                ) from None
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
        raise UsageError(str(exc).removeprefix("check_gate: ")) from None
    print(report)
    name = type(gate).__name__
    if report.ok:
        print(f"\n{name}: every gradient matches finite differences ({len(report.rows)} checks)")
        return 0
    print(f"\n{name}: {len(report.failures)} of {len(report.rows)} checks failed")
    return 1


def train_moons(args: argparse.Namespace) -> int:
    """``compgraph train moons``: train an MLP on two moons, print its training
    accuracy, write the loss curve and the decision boundary as PNG files."""
    import time
    from pathlib import Path

    from compgraph import ComputationalGraph, datasets, nn
    from compgraph.optim import Adam
    from compgraph.training import train
    from gates.losses import SoftmaxCrossEntropyGate

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

        from compgraph.plotting import plot_decision_boundary, plot_loss
    except ImportError:
        raise UsageError(
            "writing the plots needs matplotlib: pip install 'compgraph[train]'"
        ) from None
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot write to {str(out)!r}: {exc.strerror}") from None

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


class UsageError(Exception):
    """Bad input on the command line: reported in one line, exit status 2."""


def parse_value(name: str, text: str) -> Any:
    """A value given on the command line: an int, a float, or a list of them
    (nested for a matrix) as an array.

    Examples
    --------
    >>> parse_value("x", "-2"), parse_value("x", "0.5"), parse_value("x", "[1, 2.5]")
    (-2, 0.5, array([1. , 2.5]))
    >>> parse_value("x", "two")
    Traceback (most recent call last):
    ...
    compgraph.cli.UsageError: x=two: not a number or a list of numbers
    """
    text = text.strip()
    try:
        if text.startswith("["):
            array = np.array(json.loads(text))
            if array.dtype.kind not in "iuf" or array.size == 0:
                raise ValueError
            return array
        return int(text) if re.fullmatch(r"[+-]?\d+", text) else float(text)
    except ValueError:
        raise UsageError(f"{name}={text}: not a number or a list of numbers") from None


def evaluate(args: argparse.Namespace) -> str:
    """Run ``compgraph eval``: build, feed, forward, backward; the text to print."""
    from compgraph.graph import ComputationalGraph

    g = ComputationalGraph.from_expression(args.expression)
    feeds: dict[str, Any] = {}
    for item in args.values:
        name, equals, text = item.partition("=")
        if not equals or not name.strip():
            raise UsageError(f"{item!r}: give each value as NAME=VALUE")
        name = name.strip()
        if name in feeds:
            raise UsageError(f"{name} is given twice")
        feeds[name] = parse_value(name, text)
    names = [name for name in g if g.kind(name) == "input"]
    extra = [name for name in feeds if name not in names]
    if extra:
        known = ", ".join(names) or "none"
        raise UsageError(f"{', '.join(extra)}: not a name in the expression (its names: {known})")
    missing = [name for name in names if name not in feeds]
    if missing:
        raise UsageError(f"no value for {', '.join(missing)} (give {missing[0]}=VALUE)")
    g.forward(feeds)
    g.backward()
    if args.draw:
        g.draw(args.draw, args.digits)
    if args.json:
        nodes = [
            {
                "name": name,
                "kind": g.kind(name),
                "gate": type(g.gate(name)).__name__ if g.kind(name) == "gate" else None,
                "symbol": g.gate(name).symbol if g.kind(name) == "gate" else None,
                "inputs": g.inputs(name),
                "value": _plain(g.value(name)),
                "grad": _plain(g.grad(name)),
            }
            for name in g
        ]
        report: dict[str, Any] = {
            "expression": args.expression,
            "output": g.output,
            "value": _plain(g.value(g.output)),
            "nodes": nodes,
        }
        if args.explain:
            report["explanation"] = g.explain(args.digits)
        return json.dumps(report, indent=2, ensure_ascii=False)
    text = pass_table(g, args.digits)
    return f"{text}\n\n{g.explain(args.digits)}" if args.explain else text


def _plain(value: Any) -> Any:
    """A value as JSON holds it: numbers and lists; null for inf and nan."""
    plain = value.tolist() if isinstance(value, (np.ndarray, np.generic)) else value
    if isinstance(plain, list):
        return [_plain(item) for item in plain]
    return plain if math.isfinite(plain) else None


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line on stderr, exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
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
    demo_parser.add_argument(
        "--draw", metavar="DIR", help="also draw each example's circuit as an SVG file in DIR"
    )
    eval_parser = commands.add_parser(
        "eval",
        help="run an expression forward and backward; print every node's value and gradient",
        description="Build the graph of EXPR, run it forward at the given values and "
        "backward, and print every node's gate, value and gradient. "
        'Put -- before an expression that starts with a minus: compgraph eval -- "-x" x=1',
    )
    eval_parser.add_argument("expression", metavar="EXPR", help='e.g. "sigmoid(w0*x0 + w1*x1)"')
    eval_parser.add_argument(
        "values", metavar="NAME=VALUE", nargs="*", help="a number, or a list such as [1, 2.5]"
    )
    eval_parser.add_argument("--draw", metavar="PATH", help="draw the circuit (.svg or .png)")
    eval_parser.add_argument(
        "--explain", action="store_true", help="tell the backward pass step by step"
    )
    eval_parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    eval_parser.add_argument(
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


def draw_examples(folder: str, digits: int) -> list[Path]:
    """Draw each of the lectures' examples after its pass, as ``folder/<title>.svg``."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    paths = []
    for title, _, build in EXAMPLES:
        g, feeds = build()
        g.forward(feeds)
        g.backward()
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        paths.append(g.draw(Path(folder) / f"{slug}.svg", digits))
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "check":
            return _check_command(args)
        if args.command == "train":
            return train_moons(args)
        if args.digits < 0:
            raise UsageError("--digits must be 0 or more")
        if args.command == "demo":
            if args.draw:
                draw_examples(args.draw, args.digits)
            print(demo(args.digits))
        else:
            print(evaluate(args))
    except (UsageError, GraphError, ValueError, OSError, ImportError) as err:
        message = str(err).splitlines()[0] if str(err) else type(err).__name__
        print(f"compgraph {args.command}: {message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
