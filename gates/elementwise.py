"""Elementwise gates: exp, sigmoid, max."""

from __future__ import annotations

from typing import Any

from gates import _numeric
from gates.base import Gate

__all__ = ["ExpGate", "MaxGate", "SigmoidGate"]


class ExpGate(Gate):
    """Exponential: ``z = e ** x``; ``dx = z * dz``.

    Attributes
    ----------
    z : number or numpy.ndarray
        The output of the latest forward (it is its own local gradient).

    Examples
    --------
    The lectures' exp gate of the sigmoid neuron, at -1 with -0.53 arriving:

    >>> gate = ExpGate()
    >>> round(gate.forward(-1.0), 2), round(gate.backward(-0.53)[0], 2)
    (0.37, -0.2)
    """

    symbol = "exp"

    def forward(self, x: Any) -> Any:
        self.z = z = _numeric.exp(x)
        return z

    def backward(self, dz: Any) -> list[Any]:
        return [self.z * dz]


class SigmoidGate(Gate):
    """Sigmoid: ``z = 1 / (1 + e ** -x)``; ``dx = (1 - z) * z * dz``.

    Computed without overflow for any input: ``forward(1000)`` is exactly 1.0
    and ``forward(-1000)`` exactly 0.0, with no warning.

    Attributes
    ----------
    z : number or numpy.ndarray
        The output of the latest forward; the local gradient is ``(1 - z) * z``.

    Examples
    --------
    The lectures' neuron: sigmoid(1.0) is 0.73, local gradient (1 - 0.73) * 0.73:

    >>> gate = SigmoidGate()
    >>> round(gate.forward(1.0), 2), round(gate.backward(1.0)[0], 2)
    (0.73, 0.2)
    >>> gate.forward(1000.0), gate.forward(-1000.0)
    (1.0, 0.0)
    """

    symbol = "σ"

    def forward(self, x: Any) -> Any:
        self.z = z = _numeric.sigmoid(x)
        return z

    def backward(self, dz: Any) -> list[Any]:
        return [(1 - self.z) * self.z * dz]


class MaxGate(Gate):
    """Maximum of two inputs, elementwise: ``z = max(x, y)``; the gradient router.

    The input that is larger receives all of ``dz``, the other none.

    Attributes
    ----------
    x_wins : bool or numpy.ndarray of bool
        Where ``x >= y`` in the latest forward.

    Notes
    -----
    At a tie (``x == y``) the whole gradient goes to the first input, ``x``:
    the gate routes, it never splits. ``y``'s gradient is ``dz`` minus ``x``'s,
    so the two always add up to ``dz``.

    Examples
    --------
    >>> gate = MaxGate()
    >>> gate.forward(4, 2), gate.backward(2.0)
    (4, [2.0, 0.0])
    >>> gate.forward(3, 3), gate.backward(2.0)
    (3, [2.0, 0.0])
    """

    symbol = "max"

    def forward(self, x: Any, y: Any) -> Any:
        self.x_wins = x_wins = x >= y
        return _numeric.select(x_wins, x, y)

    def backward(self, dz: Any) -> list[Any]:
        dx = dz * self.x_wins
        return [dx, dz - dx]
