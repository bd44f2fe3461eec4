"""Random scalar circuits of add, mul, max, exp and sigmoid gates, described once
and then built as a compgraph graph or replayed by a define-by-run engine.

A circuit is layered: ``width`` inputs, then layers of ``width`` gates each taking
its inputs at random from the layer before, then a tree of two-input adds that
sums every node nothing consumed into one output. Its depth is therefore about
``n_gates / width + log2(width)``, shallow enough for recursive engines.
Values stay in a moderate range: an operation that would leave it (``exp`` of a
large input, a large product or sum) is replaced by a sigmoid while the circuit
is drawn, using a plain-Python evaluation made at the same time.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

OPS = ("add", "mul", "max", "exp", "sigmoid")
ARITY = {"add": 2, "mul": 2, "max": 2, "exp": 1, "sigmoid": 1}


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


EVALUATE = {
    "add": lambda x, y: x + y,
    "mul": lambda x, y: x * y,
    "max": lambda x, y: x if x >= y else y,
    "exp": math.exp,
    "sigmoid": _sigmoid,
}


@dataclass
class Circuit:
    """``inputs`` values for nodes ``0 .. len(inputs) - 1``; gate ``k`` is node
    ``len(inputs) + k`` and reads ``gates[k] = (op, input nodes)``. The last
    gate is the output."""

    inputs: list[float]
    gates: list[tuple[str, tuple[int, ...]]]
    output_value: float


def random_circuit(n_gates: int, seed: int = 0, width: int | None = None) -> Circuit:
    """A circuit of ``n_gates`` gates (the final adds included)."""
    rng = random.Random(seed)
    width = width or max(2, math.isqrt(n_gates))
    inputs = [rng.uniform(-1.0, 1.0) for _ in range(width)]
    values = list(inputs)
    gates: list[tuple[str, tuple[int, ...]]] = []
    consumed = [False] * width
    unconsumed = width  # the add tree at the end takes one add per unconsumed node but one

    def add_gate(op: str, args: tuple[int, ...]) -> int:
        nonlocal unconsumed
        gates.append((op, args))
        values.append(EVALUATE[op](*(values[a] for a in args)))
        consumed.append(False)
        unconsumed += 1
        for a in set(args):
            if not consumed[a]:
                consumed[a] = True
                unconsumed -= 1
        return len(values) - 1

    layer = list(range(width))
    while len(gates) + unconsumed - 1 < n_gates:
        next_layer = []
        for _ in range(width):
            if len(gates) + unconsumed - 1 >= n_gates:
                break
            op = rng.choice(OPS)
            args = tuple(rng.choice(layer) for _ in range(ARITY[op]))
            x = values[args[0]]
            y = values[args[-1]]
            if (
                (op == "exp" and abs(x) > 2.0)
                or (op == "mul" and abs(x * y) > 10.0)
                or (op == "add" and abs(x + y) > 10.0)
            ):
                op, args = "sigmoid", args[:1]
            next_layer.append(add_gate(op, args))
        layer = next_layer or layer
    pending = [node for node, used in enumerate(consumed) if not used]
    while len(pending) > 1:
        pending = [add_gate("add", (a, b)) for a, b in zip(pending[::2], pending[1::2])] + (
            pending[-1:] if len(pending) % 2 else []
        )
    return Circuit(inputs, gates, values[-1])


def chain(n_gates: int) -> Circuit:
    """The deepest circuit of ``n_gates`` gates: alternating sigmoid and exp on one
    input (values stay between 0.5 and e)."""
    gates = [("sigmoid" if k % 2 == 0 else "exp", (k,)) for k in range(n_gates)]
    value = 0.5
    for op, _ in gates:
        value = EVALUATE[op](value)
    return Circuit([0.5], gates, value)
