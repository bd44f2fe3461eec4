"""``compgraph check MODULE:GateClass``: a user's gate against finite differences.

Exit status 0 if every check passes, 1 if one fails, 2 for bad usage. The
user's code may raise anything, ``SystemExit`` and ``KeyboardInterrupt``
included: importing or making the gate then is bad usage (status 2), and
the gate stopping the check is a failure (status 1), each told in one line.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import math
import os
import sys

import numpy as np

from compgraph.checking import CheckOptions
from compgraph.cli.usage import UsageError
from compgraph.errors import GraphError
from compgraph.gatecheck import gate_report
from gates.base import Gate, arity, arity_error

__all__ = ["add_command", "example_inputs", "load_gate", "run", "shape"]

#: The most elements one ``--shape`` may ask for: each is moved twice per point checked.
MAX_ELEMENTS = 10_000


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``check`` and its options to the ``compgraph`` command."""
    parser = commands.add_parser(
        "check",
        help="check a gate's backward against finite differences of its forward",
        description="Import a gate (MODULE:GateClass, or MODULE:instance) and check its "
        "backward against central finite differences of its forward, at the given inputs "
        "and at seeded random ones of the same shapes. Exit status 0 if every check "
        "passes, 1 if one fails, 2 for bad usage.",
    )
    parser.add_argument("target", metavar="MODULE:GateClass", help="the gate to check")
    parser.add_argument(
        "--inputs",
        nargs="+",
        metavar="VALUE",
        help="example inputs, one per input of forward: numbers or lists such as "
        "'[1, 2, 3]' (default: seeded random numbers between 0.5 and 2)",
    )
    parser.add_argument(
        "--shape",
        action="append",
        metavar="N,M",
        help="the shape of the random inputs instead of --inputs, such as 4,3 (or () for a "
        "number): once for every input, or once per input, in order",
    )
    parser.add_argument(
        "--step", type=float, default=1e-6, help="finite-difference step (default: 1e-6)"
    )
    parser.add_argument(
        "--rtol", type=float, default=1e-3, help="relative tolerance (default: 1e-3)"
    )
    parser.add_argument(
        "--atol", type=float, default=1e-5, help="absolute tolerance (default: 1e-5)"
    )
    parser.add_argument(
        "--trials", type=int, default=3, help="random points besides the inputs (default: 3)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Check the gate, print the report; 0 if it passes, 1 if not."""
    gate = load_gate(args.target)
    shapes = None if args.shape is None else [shape(text) for text in args.shape]
    inputs = example_inputs(gate, args.inputs, args.seed, shapes)
    name = type(gate).__name__
    try:
        options = CheckOptions(args.step, args.rtol, args.atol, args.trials, args.seed)
        report = gate_report(gate, *inputs, options=options)
    except (GraphError, ValueError) as exc:
        raise UsageError(str(exc).removeprefix("check_gate: ")) from None
    except BaseException as exc:  # a SystemExit must not read as a pass
        print(
            f"compgraph check: {name}: the check stopped: the gate raised {_told(exc)}",
            file=sys.stderr,
        )
        return 1
    print(report)
    if report.ok:
        print(f"\n{name}: every gradient matches finite differences ({len(report.rows)} checks)")
        return 0
    print(f"\n{name}: {len(report.failures)} of {len(report.rows)} checks failed")
    return 1


def load_gate(target: str) -> Gate:
    """The gate ``MODULE:GateClass`` (made with no arguments) or ``MODULE:instance`` names.

    The current directory is searched first, as ``python -m`` does.

    Examples
    --------
    >>> load_gate("gates.arithmetic:MulGate")
    MulGate()
    >>> load_gate("gates.arithmetic")
    Traceback (most recent call last):
    ...
    compgraph.cli.usage.UsageError: expected MODULE:GateClass, got 'gates.arithmetic'
    """
    module_name, colon, attribute = target.partition(":")
    if not (colon and module_name and attribute):
        raise UsageError(f"expected MODULE:GateClass, got {target!r}")
    added = os.getcwd() not in sys.path
    if added:
        sys.path.insert(0, os.getcwd())
    try:
        found: object = importlib.import_module(module_name)
        for part in attribute.split("."):
            found = getattr(found, part)
    except BaseException as exc:  # an exit or Ctrl-C on import too
        raise UsageError(f"cannot load {target!r}: {_told(exc)}") from None
    finally:
        if added:
            sys.path.remove(os.getcwd())
    if isinstance(found, type) and issubclass(found, Gate):
        try:
            found = found()
        except BaseException as exc:
            raise UsageError(f"cannot create {attribute}(): {_told(exc)}") from None
    if not isinstance(found, Gate):
        raise UsageError(f"{target!r} is not a gate class or instance (subclass gates.Gate)")
    return found


def shape(text: str) -> tuple[int, ...]:
    """The shape ``--shape`` gives: sizes 1 or more separated by commas, ``()`` for a number.

    Raises
    ------
    UsageError
        If ``text`` is not such a shape, or asks for more than :data:`MAX_ELEMENTS`.

    Examples
    --------
    >>> shape("4,3"), shape(" 5 "), shape("()"), shape("(2, 3)")
    ((4, 3), (5,), (), (2, 3))
    >>> shape("4,0")
    Traceback (most recent call last):
    ...
    compgraph.cli.usage.UsageError: --shape: '4,0' is not a shape: every size must be 1 or more
    """
    sizes = text.strip().removeprefix("(").removesuffix(")").strip().rstrip(",")
    if not sizes:
        return ()
    try:
        found = tuple(int(size) for size in sizes.split(","))
    except ValueError:
        raise UsageError(
            f"--shape: {text!r} is not a shape: give whole sizes separated by commas, such as 4,3"
        ) from None
    if min(found) < 1:
        raise UsageError(f"--shape: {text!r} is not a shape: every size must be 1 or more")
    if math.prod(found) > MAX_ELEMENTS:
        raise UsageError(
            f"--shape: {text!r} has {math.prod(found):,} elements; "
            f"checking takes at most {MAX_ELEMENTS:,}"
        )
    return found


def example_inputs(
    gate: Gate,
    texts: list[str] | None,
    seed: int,
    shapes: list[tuple[int, ...]] | None = None,
) -> list[object]:
    """The inputs ``--inputs`` gives (numbers, lists as arrays), or seeded random
    values between 0.5 and 2: numbers by default, arrays of the ``--shape`` given
    (one shape for every input of ``gate``'s forward, or one per input).

    Examples
    --------
    >>> from gates import AddGate, MulGate
    >>> example_inputs(MulGate(), ["3", "[1, 2]"], seed=0)
    [3, array([1., 2.])]
    >>> [round(x, 2) for x in example_inputs(MulGate(), None, seed=0)]
    [1.46, 0.9]
    >>> [x.shape for x in example_inputs(MulGate(), None, seed=0, shapes=[(4, 3)])]
    [(4, 3), (4, 3)]
    >>> [np.shape(x) for x in example_inputs(AddGate(), None, 0, shapes=[(2,), (), (1,)])]
    [(2,), (), (1,)]
    >>> example_inputs(MulGate(), None, seed=0, shapes=[(2,), (2,), (2,)])
    Traceback (most recent call last):
    ...
    compgraph.cli.usage.UsageError: --shape given 3 times: MulGate.forward takes 2 inputs, got 3
    """
    if texts is not None and shapes:
        raise UsageError("give --inputs or --shape, not both")
    if texts is None:
        try:
            least, _ = arity(gate)
            count = max(least, 1)
            if shapes and len(shapes) > 1:
                count = len(shapes)
                wrong = arity_error(gate, count)
                if wrong:
                    raise UsageError(f"--shape given {count} times: {wrong}")
        except TypeError as exc:
            raise UsageError(str(exc)) from None
        shapes = shapes * count if shapes and len(shapes) == 1 else shapes or [()] * count
        rng = np.random.default_rng(seed)
        return [
            rng.uniform(0.5, 2.0, size) if size else float(rng.uniform(0.5, 2.0)) for size in shapes
        ]
    inputs: list[object] = []
    for text in texts:
        try:
            value = ast.literal_eval(text)
            inputs.append(np.array(value, dtype=float) if isinstance(value, list) else value)
        except (ValueError, TypeError, SyntaxError, OverflowError, MemoryError, RecursionError):
            raise UsageError(f"--inputs: {text!r} is not a number or a list of numbers") from None
    return inputs


def _told(exc: BaseException) -> str:
    """An exception in a few words, on one line: its type, and its message if any.

    Examples
    --------
    >>> _told(SystemExit(0)), _told(KeyboardInterrupt()), _told(ValueError("a\\nb"))
    ('SystemExit: 0', 'KeyboardInterrupt', 'ValueError: a')
    """
    message = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
