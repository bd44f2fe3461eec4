"""Elementwise gates: exp, sigmoid, max, and the activations and logarithm of training."""

from __future__ import annotations

from typing import Any

from gates import _numeric
from gates.base import Gate

__all__ = ["ExpGate", "LogGate", "MaxGate", "ReLUGate", "SigmoidGate", "TanhGate"]


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

    Past float's range the value is ``inf``, on numbers as on arrays (IEEE):

    >>> gate.forward(1000.0), gate.backward(1.0)
    (inf, [inf])
    """

    symbol = "exp"

    def forward(self, x: Any) -> Any:
        self.z = z = _numeric.exp(x)
        return z

    def backward(self, dz: Any) -> list[Any]:
        z = self.z
        if type(z) is float and type(dz) in _numeric.PLAIN:
            return [z * dz]
        return [_numeric.mul("ExpGate", z, dz)]

    def local_gradient_formula(self, slot: int) -> str:
        return "exp({x})"


class SigmoidGate(Gate):
    """Sigmoid: ``z = 1 / (1 + e ** -x)``; ``dx = (1 - z) * z * dz``.

    Computed without overflow for any input: ``forward(1000)`` is exactly 1.0
    and ``forward(-1000)`` exactly 0.0, with no warning. ``nan`` gives ``nan``;
    a complex input gives the complex sigmoid.

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
        z = self.z
        if type(z) is float and type(dz) in _numeric.PLAIN:
            return [(1 - z) * z * dz]
        return [_numeric.mul("SigmoidGate", _numeric.mul("SigmoidGate", 1 - z, z), dz)]

    def local_gradient_formula(self, slot: int) -> str:
        return "(1 - {z}) * {z}"


class MaxGate(Gate):
    """Maximum of two inputs, elementwise: ``z = max(x, y)``; the gradient router.

    The input that is larger receives all of ``dz``, the other none.

    Attributes
    ----------
    x, y : number or numpy.ndarray
        The inputs of the latest forward.
    x_wins : bool or numpy.ndarray of bool
        Where ``x >= y`` (or ``x`` is ``nan``) in the latest forward.

    Notes
    -----
    At a tie (``x == y``) the whole gradient goes to the first input, ``x``:
    the gate routes, it never splits: one gradient is ``dz``, the other 0.
    :meth:`kink` says so after a forward at a tie.

    ``nan`` wins: ``max(nan, 1)`` and ``max(1, nan)`` are both ``nan`` (as
    numpy's ``maximum``), on numbers as on arrays, and the ``nan`` input
    receives the gradient. Complex inputs are refused (``ValueError``): they
    have no order.

    Examples
    --------
    >>> gate = MaxGate()
    >>> gate.forward(4, 2), gate.backward(2.0)
    (4, [2.0, 0.0])
    >>> gate.forward(3, 3), gate.backward(2.0)
    (3, [2.0, 0.0])
    """

    symbol = "max"
    gradient_pattern = "a max gate routes it to the larger input"

    def forward(self, x: Any, y: Any) -> Any:
        self.x = x
        self.y = y
        if type(x) is float and type(y) is float:
            self.x_wins = x_wins = x >= y or x != x  # a nan wins, to be seen
            return x if x_wins else y
        z, self.x_wins = _numeric.maximum(x, y)
        return z

    def backward(self, dz: Any) -> list[Any]:
        if type(self.x_wins) is bool and type(dz) in _numeric.PLAIN:
            return [dz, type(dz)(0)] if self.x_wins else [type(dz)(0), dz]
        return list(_numeric.route(self.x_wins, dz))

    def local_gradient_formula(self, slot: int) -> str:
        return "[{x} >= {y}]" if slot == 0 else "[{x} < {y}]"

    def kink(self) -> str | None:
        return _numeric.at_kink(
            self.x == self.y, "a tie, x == y", "the whole gradient goes to x, the first input"
        )


class ReLUGate(Gate):
    """Rectified linear unit: ``z = max(x, 0)``; ``dx = dz`` where ``x > 0``, else 0.

    A :class:`MaxGate` against the constant 0: it routes ``dz`` to the elements
    that passed.

    Attributes
    ----------
    x : number or numpy.ndarray
        The input of the latest forward.
    passed : bool or numpy.ndarray of bool
        Where ``x > 0`` (or ``x`` is ``nan``) in the latest forward.

    Notes
    -----
    At the kink, ``x == 0``, the gradient is 0 (the element did not pass), and
    :meth:`kink` says so.
    ``nan`` passes, on numbers as on arrays: ``relu(nan)`` is ``nan`` and
    receives ``dz``. Complex inputs are refused (``ValueError``).

    Examples
    --------
    >>> import numpy as np
    >>> gate = ReLUGate()
    >>> gate.forward(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 3.])
    >>> gate.backward(np.array([5.0, 5.0, 5.0]))
    [array([0., 0., 5.])]
    >>> gate.forward(-1.5), gate.backward(2.0)
    (0.0, [0.0])
    """

    symbol = "relu"

    def forward(self, x: Any) -> Any:
        self.x = x
        z, self.passed = _numeric.relu(x)
        return z

    def backward(self, dz: Any) -> list[Any]:
        return [_numeric.keep(self.passed, dz)]

    def local_gradient_formula(self, slot: int) -> str:
        return "[{x} > 0]"

    def kink(self) -> str | None:
        return _numeric.at_kink(
            self.x == 0, "x == 0 (the kink)", "the gradient is 0 (the subgradient chosen)"
        )


class TanhGate(Gate):
    """Hyperbolic tangent: ``z = tanh(x)``; ``dx = (1 - z**2) * dz``.

    Attributes
    ----------
    z : number or numpy.ndarray
        The output of the latest forward; the local gradient is ``1 - z**2``.

    Examples
    --------
    >>> gate = TanhGate()
    >>> round(gate.forward(0.5), 4), round(gate.backward(1.0)[0], 4)
    (0.4621, 0.7864)
    >>> gate.forward(1000.0)
    1.0
    """

    symbol = "tanh"

    def forward(self, x: Any) -> Any:
        self.z = _numeric.tanh(x)
        return self.z

    def backward(self, dz: Any) -> list[Any]:
        z = self.z
        if type(z) is float and type(dz) is float:
            return [(1 - z * z) * dz]
        return [_numeric.mul("TanhGate", 1 - _numeric.mul("TanhGate", z, z), dz)]

    def local_gradient_formula(self, slot: int) -> str:
        return "1 - {z}^2"


class LogGate(Gate):
    """Natural logarithm: ``z = log(x)``; ``dx = dz / x``.

    Attributes
    ----------
    x : number or numpy.ndarray
        The input of the latest forward.

    Raises
    ------
    ValueError
        In ``forward``, for a negative element of ``x`` (no real logarithm) or
        a complex one, naming it.

    Notes
    -----
    ``log(0)`` is ``-inf``, with the gradient ``inf`` (a pole, as ``1/0``);
    ``log(nan)`` is ``nan``: on numbers as on arrays.

    Examples
    --------
    >>> gate = LogGate()
    >>> round(gate.forward(2.0), 4), gate.backward(1.0)
    (0.6931, [0.5])
    >>> gate.forward(0.0), gate.backward(1.0)
    (-inf, [inf])
    """

    symbol = "log"

    def forward(self, x: Any) -> Any:
        z = _numeric.log("LogGate", x)
        self.x = x
        return z

    def backward(self, dz: Any) -> list[Any]:
        return [_numeric.div("LogGate", dz, self.x)]

    def local_gradient_formula(self, slot: int) -> str:
        return "1/{x}"
