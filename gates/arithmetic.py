"""Gates of arithmetic: add, subtract, multiply, divide, and their forms with a constant."""

from __future__ import annotations

from typing import Any

from gates import _numeric
from gates.base import Gate

__all__ = [
    "AddConstantGate",
    "AddGate",
    "ConstantGate",
    "DivGate",
    "MulConstantGate",
    "MulGate",
    "PowGate",
    "PowerGate",
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
        if type(x) is float and type(y) is float and not more:
            return x + y  # two floats need no more: an overflow is inf already
        z = _numeric.add("AddGate", x, y)
        for term in more:
            z = _numeric.add("AddGate", z, term)
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
        return _numeric.sub("SubGate", x, y)

    def backward(self, dz: Any) -> list[Any]:
        return [dz, _numeric.neg("SubGate", dz)]

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
        if type(x) is float and type(y) is float:
            return x * y  # floats need no more: an overflow is inf already
        return _numeric.mul("MulGate", x, y)

    def backward(self, dz: Any) -> list[Any]:
        x, y = self.x, self.y
        if type(x) is float and type(y) is float and type(dz) in _numeric.PLAIN:
            return [y * dz, x * dz]
        dx = _numeric.mul("MulGate", y, dz)
        dy = _numeric.mul("MulGate", x, dz)
        return [dx, dy]

    def local_gradient_formula(self, slot: int) -> str:
        return "{y.node}" if slot == 0 else "{x.node}"


class DivGate(Gate):
    """Divide: ``z = x / y``; ``dx = dz / y`` and ``dy = -dz * x / y**2``.

    Attributes
    ----------
    x, y : number or numpy.ndarray
        The inputs of the latest forward.
    z : number or numpy.ndarray
        The output of the latest forward.

    Notes
    -----
    Division by zero follows IEEE on numbers as on arrays: ``1/0`` is ``inf``,
    ``0/0`` is ``nan``. ``dy`` is computed as ``-(dz * z) / y``, so it stays
    finite where ``y**2`` alone would underflow to 0 (``x = y = 1e-200`` gives
    ``-1e200``, not ``-inf``).

    Examples
    --------
    >>> gate = DivGate()
    >>> gate.forward(3.0, 2.0), gate.backward(1.0)
    (1.5, [0.5, -0.75])
    >>> gate.forward(1.0, 0.0), gate.backward(1.0)
    (inf, [inf, -inf])
    """

    symbol = "/"

    def forward(self, x: Any, y: Any) -> Any:
        self.x = x
        self.y = y
        self.z = z = _numeric.div("DivGate", x, y)
        return z

    def backward(self, dz: Any) -> list[Any]:
        dx = _numeric.div("DivGate", dz, self.y)
        dy = _numeric.neg(
            "DivGate", _numeric.div("DivGate", _numeric.mul("DivGate", dz, self.z), self.y)
        )
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

    settings = ("c",)

    def __init__(self, c: float) -> None:
        self.c = c
        self.symbol = f"*{c:g}"

    def __repr__(self) -> str:
        return f"MulConstantGate({self.c!r})"

    def forward(self, x: Any) -> Any:
        return _numeric.mul("MulConstantGate", self.c, x)

    def backward(self, dz: Any) -> list[Any]:
        return [_numeric.mul("MulConstantGate", self.c, dz)]

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

    settings = ("c",)

    def __init__(self, c: float) -> None:
        self.c = c
        self.symbol = f"{c:+g}"

    def __repr__(self) -> str:
        return f"AddConstantGate({self.c!r})"

    def forward(self, x: Any) -> Any:
        return _numeric.add("AddConstantGate", x, self.c)

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

    Notes
    -----
    IEEE on numbers as on arrays: ``1/0`` is ``inf`` and its gradient ``-inf``;
    at ``1e-200`` the gradient ``-1e400`` overflows to ``-inf``. ``dx`` is
    computed as ``-(dz / x) / x``, so a small ``dz`` keeps it finite where
    ``x**2`` alone would underflow to 0.

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
        return _numeric.div("ReciprocalGate", 1, x)

    def backward(self, dz: Any) -> list[Any]:
        x = self.x
        return [
            _numeric.neg(
                "ReciprocalGate",
                _numeric.div("ReciprocalGate", _numeric.div("ReciprocalGate", dz, x), x),
            )
        ]

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
        (no real result), on numbers and arrays alike; or for an integer
        result that does not fit its type.

    Notes
    -----
    ``PowGate(0)`` is the constant 1: its gradient is 0 everywhere, at ``x =
    0`` too (where ``0 * 0**-1`` would be ``nan``). Where ``x**(c-1)`` has a
    pole (``x = 0`` with ``c < 1``) the gradient is IEEE's ``+-inf``, as
    ``0**-1`` is ``inf``.

    Examples
    --------
    >>> gate = PowGate(2)
    >>> gate.forward(3.0), gate.backward(1.0)
    (9.0, [6.0])
    >>> gate = PowGate(0)
    >>> gate.forward(0.0), gate.backward(1.0)
    (1.0, [0.0])
    >>> PowGate(-1).forward(0.0)
    inf
    """

    settings = ("c",)

    def __init__(self, c: float) -> None:
        self.c = c
        self.symbol = f"**{c:g}"

    def __repr__(self) -> str:
        return f"PowGate({self.c!r})"

    def forward(self, x: Any) -> Any:
        self.x = x
        return _numeric.power("PowGate", x, self.c)

    def backward(self, dz: Any) -> list[Any]:
        if self.c == 0:
            return [_numeric.mul("PowGate", 0.0, dz)]
        local = _numeric.power("PowGate", self.x, self.c - 1)
        return [_numeric.mul("PowGate", _numeric.mul("PowGate", local, self.c), dz)]

    @property
    def c_minus_1(self) -> float:
        """``c - 1``, the power of ``x`` in the local gradient."""
        return self.c - 1

    def local_gradient_formula(self, slot: int) -> str:
        return "{c}*{x}^{c_minus_1:(c-1)}"


class PowerGate(Gate):
    """Raise one input to the power of another: ``z = x ** y``;
    ``dx = y * x**(y-1) * dz`` and ``dy = log(x) * x**y * dz``.

    :class:`PowGate` is the gate of a constant exponent; this one takes the
    exponent as an input, so it has a gradient too.

    Attributes
    ----------
    x, y : number or numpy.ndarray
        The inputs of the latest forward.
    z : number or numpy.ndarray
        The output of the latest forward.

    Raises
    ------
    ValueError
        In ``forward``, for a negative real ``x`` to a fractional ``y`` (no
        real value), on numbers and arrays alike; or for an integer result
        that does not fit its type.

    Notes
    -----
    Where ``x <= 0`` (real numbers):

    - ``y = 0``: ``z = 1`` whatever ``x``, so ``dx = 0`` (at ``x = 0`` too).
    - ``x = 0``, ``y > 0``: ``z = 0`` for every ``y > 0``, so ``dy = 0``;
      at ``y = 0`` too (the convention of the other engines: ``z`` jumps there;
      :meth:`kink` says so).
    - ``x = 0``, ``y < 0``: ``z = inf``; ``dx`` and ``dy`` are IEEE's
      infinities (``log(0) = -inf``).
    - ``x < 0`` with an integer ``y``: ``z`` and ``dx`` are real, but
      ``y -> x**y`` has no real derivative (``x**y`` is complex for the ``y``
      nearby): ``dy`` is ``nan`` (:meth:`kink` says so).

    Complex inputs are welcome: the gate is then the analytic ``x ** y``.

    Examples
    --------
    >>> gate = PowerGate()
    >>> gate.forward(2.0, 3.0)
    8.0
    >>> dx, dy = gate.backward(1.0)
    >>> dx, round(dy, 4)
    (12.0, 5.5452)
    >>> gate.forward(0.0, 2.0), gate.backward(1.0)
    (0.0, [0.0, 0.0])
    >>> gate.forward(-2.0, 3.0), gate.backward(1.0)
    (-8.0, [12.0, nan])
    """

    symbol = "**"

    def forward(self, x: Any, y: Any) -> Any:
        self.x = x
        self.y = y
        self.z = z = _numeric.power("PowerGate", x, y)
        return z

    def backward(self, dz: Any) -> list[Any]:
        x, y, z = self.x, self.y, self.z
        needs = self.needs_input_grad or (True, True)
        dx = dy = None
        if needs[0]:
            local = _numeric.mul(
                "PowerGate", y, _numeric.power("PowerGate", x, _numeric.sub("PowerGate", y, 1))
            )
            dx = _numeric.mul("PowerGate", _numeric.select(y == 0, 0.0, local), dz)
        if needs[1]:
            local = _numeric.mul("PowerGate", _numeric.ieee_log(x), z)
            flat = (x == 0) & (_numeric.real_part(y) >= 0)
            dy = _numeric.mul("PowerGate", _numeric.select(flat, 0.0, local), dz)
        return [dx, dy]

    def local_gradient_formula(self, slot: int) -> str:
        return "{y}*{x}^({y}-1)" if slot == 0 else "log({x})*{x}^{y}"

    def kink(self) -> str | None:
        x, y = self.x, self.y
        notes = [
            _numeric.at_kink(
                (x == 0) & (y == 0),
                "0 ** 0, where z jumps (1 at y = 0, 0 for y > 0)",
                "both gradients are 0",
            )
        ]
        if not (_numeric.is_complex(x) or _numeric.is_complex(y)):
            with _numeric.quiet():
                negative = (x < 0) & (y == _numeric.floor(y))
            notes.append(
                _numeric.at_kink(
                    negative,
                    "x < 0 with a whole y, where x ** y has no real derivative in y",
                    "dy is nan",
                )
            )
        found = [note for note in notes if note is not None]
        return "; ".join(found) if found else None


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

    settings = ("c",)

    def __init__(self, c: Any) -> None:
        self.c = c
        self.symbol = f"{c:g}" if isinstance(c, (int, float)) else repr(c)

    def __repr__(self) -> str:
        return f"ConstantGate({self.c!r})"

    def forward(self) -> Any:
        return self.c

    def backward(self, dz: Any) -> list[Any]:
        return []
