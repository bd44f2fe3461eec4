"""Gates of arithmetic: add, subtract, multiply, divide, and their forms with a constant."""

from __future__ import annotations

from typing import Any

from gates.base import Gate

__all__ = [
    "AddConstantGate",
    "AddGate",
    "ConstantGate",
    "DivGate",
    "MulConstantGate",
    "MulGate",
    "PowGate",
    "ReciprocalGate",
    "SubGate",
]


class AddGate(Gate):
    """Add two or more inputs: ``z = x + y + ...``; the gradient distributor.

    Every input receives ``dz`` unchanged.

    Attributes
    ----------
    n_inputs : int
        How many inputs the latest forward added.

    Examples
    --------
    >>> gate = AddGate()
    >>> gate.forward(-2, 5)
    3
    >>> gate.backward(-4)
    [-4, -4]
    >>> gate.forward(1, 2, 3), gate.backward(0.5)
    (6, [0.5, 0.5, 0.5])
    """

    symbol = "+"
    gradient_pattern = "an add gate distributes it"

    def forward(self, x: Any, y: Any, *more: Any) -> Any:
        self.n_inputs = 2 + len(more)
        z = x + y
        for term in more:
            z = z + term
        return z

    def backward(self, dz: Any) -> list[Any]:
        return [dz] * self.n_inputs

    def local_gradient_formula(self, slot: int) -> str:
        return "1"


class SubGate(Gate):
    """Subtract: ``z = x - y``; ``x`` receives ``dz``, ``y`` receives ``-dz``.

    Examples
    --------
    >>> gate = SubGate()
    >>> gate.forward(5, 3), gate.backward(2)
    (2, [2, -2])
    """

    symbol = "-"

    def forward(self, x: Any, y: Any) -> Any:
        return x - y

    def backward(self, dz: Any) -> list[Any]:
        return [dz, -dz]

    def local_gradient_formula(self, slot: int) -> str:
        return "1" if slot == 0 else "-1"


class MulGate(Gate):
    """Multiply two inputs: ``z = x * y``; each input's gradient is the other times ``dz``.

    The gradient switcher: the local gradients are the inputs, swapped.

    Attributes
    ----------
    x, y : number or numpy.ndarray
        The inputs of the latest forward.

    Examples
    --------
    >>> gate = MulGate()
    >>> gate.forward(-2.0, 3.0)
    -6.0
    >>> gate.backward(1.0)
    [3.0, -2.0]
    """

    symbol = "*"
    gradient_pattern = "a multiply gate switches its inputs"

    def forward(self, x: Any, y: Any) -> Any:
        self.x = x
        self.y = y
        return x * y

    def backward(self, dz: Any) -> list[Any]:
        dx = self.y * dz
        dy = self.x * dz
        return [dx, dy]

    def local_gradient_formula(self, slot: int) -> str:
        return "{y.node}" if slot == 0 else "{x.node}"


class DivGate(Gate):
    """Divide: ``z = x / y``; ``dx = dz / y`` and ``dy = -dz * x / y**2``.

    Attributes
    ----------
    x, y : number or numpy.ndarray
        The inputs of the latest forward.

    Examples
    --------
    >>> gate = DivGate()
    >>> gate.forward(3.0, 2.0), gate.backward(1.0)
    (1.5, [0.5, -0.75])
    """

    symbol = "/"

    def forward(self, x: Any, y: Any) -> Any:
        self.x = x
        self.y = y
        return x / y

    def backward(self, dz: Any) -> list[Any]:
        dx = dz / self.y
        dy = -dz * self.x / (self.y * self.y)
        return [dx, dy]

    def local_gradient_formula(self, slot: int) -> str:
        return "1/{y}" if slot == 0 else "-{x}/{y}^2"


class MulConstantGate(Gate):
    """Multiply by a constant: ``z = c * x``; ``dx = c * dz``.

    The lectures' ``*-1`` gate is ``MulConstantGate(-1)``.

    Parameters
    ----------
    c : number
        The constant factor.

    Examples
    --------
    >>> gate = MulConstantGate(-1)
    >>> gate.forward(1.0), gate.backward(-0.2), gate.symbol
    (-1.0, [0.2], '*-1')
    """

    def __init__(self, c: float) -> None:
        self.c = c
        self.symbol = f"*{c:g}"

    def __repr__(self) -> str:
        return f"MulConstantGate({self.c!r})"

    def forward(self, x: Any) -> Any:
        return self.c * x

    def backward(self, dz: Any) -> list[Any]:
        return [self.c * dz]

    def local_gradient_formula(self, slot: int) -> str:
        return f"{self.c:g}"


class AddConstantGate(Gate):
    """Add a constant: ``z = x + c``; ``dx = dz``.

    The lectures' ``+1`` gate is ``AddConstantGate(1)``.

    Parameters
    ----------
    c : number
        The constant added.

    Examples
    --------
    >>> gate = AddConstantGate(1)
    >>> gate.forward(0.5), gate.backward(-0.53), gate.symbol
    (1.5, [-0.53], '+1')
    """

    def __init__(self, c: float) -> None:
        self.c = c
        self.symbol = f"{c:+g}"

    def __repr__(self) -> str:
        return f"AddConstantGate({self.c!r})"

    def forward(self, x: Any) -> Any:
        return x + self.c

    def backward(self, dz: Any) -> list[Any]:
        return [dz]

    def local_gradient_formula(self, slot: int) -> str:
        return "1"


class ReciprocalGate(Gate):
    """Reciprocal: ``z = 1 / x``; ``dx = -dz / x**2``.

    Attributes
    ----------
    x : number or numpy.ndarray
        The input of the latest forward.

    Examples
    --------
    The lectures' last gate of the sigmoid neuron, at 1.37:

    >>> gate = ReciprocalGate()
    >>> round(gate.forward(1.37), 2), round(gate.backward(1.0)[0], 2)
    (0.73, -0.53)
    """

    symbol = "1/x"

    def forward(self, x: Any) -> Any:
        self.x = x
        return 1 / x

    def backward(self, dz: Any) -> list[Any]:
        return [-dz / (self.x * self.x)]

    def local_gradient_formula(self, slot: int) -> str:
        return "-1/{x}^2"


class PowGate(Gate):
    """Raise to a constant power: ``z = x ** c``; ``dx = c * x ** (c - 1) * dz``.

    Parameters
    ----------
    c : number
        The exponent.

    Attributes
    ----------
    x : number or numpy.ndarray
        The input of the latest forward.
    c_minus_1 : number
        ``c - 1``, the power of ``x`` in the local gradient ``c*x^(c-1)``.

    Raises
    ------
    ValueError
        In ``forward``, for a negative number raised to a fractional power
        (no real result).

    Examples
    --------
    >>> gate = PowGate(2)
    >>> gate.forward(3.0), gate.backward(1.0)
    (9.0, [6.0])
    """

    def __init__(self, c: float) -> None:
        self.c = c
        self.symbol = f"**{c:g}"

    def __repr__(self) -> str:
        return f"PowGate({self.c!r})"

    def forward(self, x: Any) -> Any:
        self.x = x
        z = x**self.c
        if isinstance(z, complex):
            raise ValueError(f"{x!r} ** {self.c!r} has no real value")
        return z

    def backward(self, dz: Any) -> list[Any]:
        return [self.c * self.x ** (self.c - 1) * dz]

    @property
    def c_minus_1(self) -> float:
        """``c - 1``, the power of ``x`` in the local gradient."""
        return self.c - 1

    def local_gradient_formula(self, slot: int) -> str:
        return "{c}*{x}^{c_minus_1:(c-1)}"


class ConstantGate(Gate):
    """A constant: no inputs, ``z = c``; backward sends nothing.

    How an expression's numbers that fold into no other gate become nodes
    (``2 / x``, ``max(x, 0)``).

    Parameters
    ----------
    c : number or array_like
        The value.

    Examples
    --------
    >>> gate = ConstantGate(2)
    >>> gate.forward(), gate.backward(1.0), gate.symbol
    (2, [], '2')
    """

    def __init__(self, c: Any) -> None:
        self.c = c
        self.symbol = f"{c:g}" if isinstance(c, (int, float)) else repr(c)

    def __repr__(self) -> str:
        return f"ConstantGate({self.c!r})"

    def forward(self) -> Any:
        return self.c

    def backward(self, dz: Any) -> list[Any]:
        return []
