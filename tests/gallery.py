"""A gallery of wrong gates, each with the mistake users make most, shared by the
tests of check_gate, gradcheck, the pytest helpers and the command line.

Each entry: the gate class, example inputs, the slot blamed ("" for the gate as
a whole), the problem reported, and a piece of the message that must appear.
"""

from __future__ import annotations

import threading
from typing import Any, NamedTuple

import numpy as np

from gates import Gate


class WrongSignExpGate(Gate):
    """exp whose backward has the wrong sign."""

    def forward(self, x: Any) -> Any:
        self.z = np.exp(x)
        return self.z

    def backward(self, dz: Any) -> list[Any]:
        return [-self.z * dz]


class SwappedMulGate(Gate):
    """Multiply whose backward gives each input its own value instead of the other's."""

    def forward(self, x: Any, y: Any) -> Any:
        self.x, self.y = x, y
        return x * y

    def backward(self, dz: Any) -> list[Any]:
        return [self.x * dz, self.y * dz]


class MissingFactorSigmoidGate(Gate):
    """Sigmoid whose local gradient lacks the factor ``(1 - z)``."""

    def forward(self, x: Any) -> Any:
        self.z = 1 / (1 + np.exp(-x))
        return self.z

    def backward(self, dz: Any) -> list[Any]:
        return [self.z * dz]


class WrongDivisorGate(Gate):
    """Divide whose gradient for the divisor lacks its minus sign: only slot 1 is wrong."""

    def forward(self, x: Any, y: Any) -> Any:
        self.x, self.y = x, y
        return x / y

    def backward(self, dz: Any) -> list[Any]:
        return [dz / self.y, dz * self.x / self.y**2]


class RowBiasNoReductionGate(Gate):
    """Add a bias per row, ``x + b[:, None]``, and return ``dz`` for the bias
    without summing the columns it was spread over. numpy broadcasting would
    spread a bias over the rows, so the engine cannot sum this back: the
    gradient's shape (3, 4) is not the bias's (3,)."""

    def forward(self, x: Any, b: Any) -> Any:
        return x + b[:, None]

    def backward(self, dz: Any) -> list[Any]:
        return [dz, dz]


class TooFewGradientsGate(Gate):
    """Multiply whose backward forgets the second input's gradient."""

    def forward(self, x: Any, y: Any) -> Any:
        self.x, self.y = x, y
        return x * y

    def backward(self, dz: Any) -> list[Any]:
        return [self.y * dz]


class MutatesDzGate(Gate):
    """Double: right gradient, but computed by doubling ``dz`` in place."""

    def forward(self, x: Any) -> Any:
        return 2 * x

    def backward(self, dz: Any) -> list[Any]:
        dz *= 2
        return [dz]


class MutatesInputGate(Gate):
    """Square: right gradient, but the square is computed in the input's own array."""

    def forward(self, x: Any) -> Any:
        self.x = x.copy()
        x *= x
        return x

    def backward(self, dz: Any) -> list[Any]:
        return [2 * self.x * dz]


class LockingDoubleGate(Gate):
    """Double, holding a lock (which cannot be deep-copied); with ``wrong`` its
    backward triples instead."""

    def __init__(self, wrong: bool = False) -> None:
        self.lock = threading.Lock()
        self.factor = 3 if wrong else 2

    def forward(self, x: Any) -> Any:
        with self.lock:
            self.x = x
            return 2 * x

    def backward(self, dz: Any) -> list[Any]:
        return [self.factor * dz]


class UncopyableGate(Gate):
    """Double, refusing every copy of itself."""

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise TypeError("no copies of me")

    def forward(self, x: Any) -> Any:
        return 2 * x

    def backward(self, dz: Any) -> list[Any]:
        return [2 * dz]


class Wrong(NamedTuple):
    gate: type[Gate]
    inputs: tuple[Any, ...]
    slot: str
    problem: str
    says: str


GALLERY = [
    Wrong(
        WrongSignExpGate, (0.5,), "0 (x)", "wrong gradient", "analytic -1.648721, numeric 1.6487"
    ),
    Wrong(SwappedMulGate, (3.0, -4.0), "0 (x)", "wrong gradient", "analytic 3, numeric -4"),
    Wrong(
        MissingFactorSigmoidGate,
        (0.3,),
        "0 (x)",
        "wrong gradient",
        "the gradient for input 0 (x) disagrees",
    ),
    Wrong(WrongDivisorGate, (3.0, 2.0), "1 (y)", "wrong gradient", "analytic 0.75, numeric -0.75"),
    Wrong(
        RowBiasNoReductionGate,
        (np.arange(12.0).reshape(3, 4), np.array([1.0, -2.0, 0.5])),
        "1 (b)",
        "wrong shape",
        "the gradient for input 1 (b) has shape (3, 4), not the input's shape (3,)",
    ),
    Wrong(
        TooFewGradientsGate,
        (3.0, -4.0),
        "",
        "wrong count",
        "backward returned 1 gradient for 2 inputs",
    ),
    Wrong(
        MutatesDzGate,
        (np.array([1.0, -2.0, 3.0]),),
        "",
        "modifies dz",
        "backward modified dz in place",
    ),
    Wrong(
        MutatesInputGate,
        (np.array([1.0, -2.0, 3.0]),),
        "0 (x)",
        "modifies input",
        "forward modified input 0 (x) in place",
    ),
]
