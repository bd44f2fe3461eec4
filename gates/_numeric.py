"""The arithmetic of the built-in gates: one policy for Python numbers and numpy arrays.

docs/gates.md states the policy as a table. In short: floating point follows
IEEE on both paths (an overflow is ``inf``, ``1/0`` is ``inf``, ``0/0`` is
``nan``), with no exception and no warning; ``nan`` propagates; an input
without a real result (the logarithm of a negative number, a fractional power
of one) is refused with a ``ValueError`` naming the gate and the value; an
integer result that does not fit its type is refused; a bool is the integer 0
or 1; and a function with a float result (exp, log, 1/x...) gives float64 for
integers, as Python does (numpy would give float16 for an int8).

Python numbers take the ``math`` route, about ten times cheaper than numpy's
ufuncs; where Python raises ``ZeroDivisionError`` or ``OverflowError`` the
value is taken from numpy in float64 instead, which is IEEE's. Everything else
(numpy scalars and arrays) takes the numpy route with floating-point warnings
off. The ``type(x) is float`` tests come first because they are the cheapest.

Lazy arrays (dask's) take the numpy route too, and stay lazy: numpy's
functions hand them to dask (``__array_ufunc__``, ``__array_function__``), and
nothing here asks for an element of one. So the checks that need the data are
not made on them: a logarithm of a negative element or a negative base to a
fractional power is ``nan``, as IEEE has it, instead of an error, and an
integer result that does not fit its type wraps around as numpy's does.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

#: The types of Python's own numbers (a numpy scalar is none of them, even np.float64).
_PYTHON = frozenset({int, float, bool, complex})
#: Python's real numbers.
_REAL = frozenset({int, float, bool})
#: What a gradient of plain numbers is: the gates' shortcuts take these as they are.
PLAIN = frozenset({float, int})

_STATE: Any = None  # numpy >= 2: the state np.errstate sets, set here for 0.1 us, not 1.2 us
_SILENT: Any = None
try:
    from numpy._core.umath import _extobj_contextvar

    _STATE = _extobj_contextvar
    with np.errstate(all="ignore"):
        _SILENT = _STATE.get()
except ImportError:  # numpy 1.x: quiet uses np.errstate itself
    pass


class quiet:  # noqa: N801 (used as np.errstate is)
    """``with quiet():`` numpy's floating-point warnings are off, as with
    ``np.errstate(all="ignore")``, which costs ten times more."""

    __slots__ = ("_token",)
    _token: Any

    def __enter__(self) -> None:
        if _STATE is None:
            self._token = np.errstate(all="ignore")
            self._token.__enter__()
        else:
            self._token = _STATE.set(_SILENT)

    def __exit__(self, *exc: Any) -> None:
        if _STATE is None:
            self._token.__exit__(*exc)
        else:
            _STATE.reset(self._token)


def is_lazy(x: Any) -> bool:
    """Whether ``x`` is a lazy array (a dask array), known without importing dask.

    A lazy array is a numpy-protocol array (``__array_function__``) that is a
    dask collection (``__dask_graph__``): its elements are computed only when
    asked for, so nothing here may ask for them.

    Examples
    --------
    >>> import numpy as np
    >>> is_lazy(np.ones(3)), is_lazy(2.0), is_lazy([1.0])
    (False, False, False)
    """
    kind = type(x)
    return hasattr(kind, "__dask_graph__") and hasattr(kind, "__array_function__")


def as_array(x: Any) -> Any:
    """``x`` as an array: a numpy or a lazy array as it is, a number or list as numpy's.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.ones(2)
    >>> as_array(a) is a, as_array(3.0)
    (True, array(3.))
    """
    return x if isinstance(x, np.ndarray) or is_lazy(x) else np.asarray(x)


def dtype_of(x: Any) -> Any:
    """What decides ``x``'s type in :func:`numpy.result_type`, without reading its
    elements: an array's dtype, or a number as it is (Python numbers are weak)."""
    dtype = getattr(x, "dtype", None)
    return x if dtype is None else dtype


def no_bool(x: Any) -> Any:
    """``x`` with numpy bools as int64 (numpy adds bools as a logical or; Python as 0 and 1)."""
    dtype = getattr(x, "dtype", None)
    return x.astype(np.int64) if dtype is not None and dtype.kind == "b" else x


def floating(x: Any) -> Any:
    """``x`` with numpy integers and bools as float64, for functions with a float result."""
    dtype = getattr(x, "dtype", None)
    return x.astype(np.float64) if dtype is not None and dtype.kind in "biu" else x


def is_complex(x: Any) -> bool:
    """Whether ``x`` is a complex number or an array of complex numbers."""
    if isinstance(x, complex):
        return True
    dtype = getattr(x, "dtype", None)
    return dtype is not None and dtype.kind == "c"


def real(gate: str, x: Any, what: str) -> None:
    """Refuse a complex ``x``: ``gate`` is defined for real numbers only (``what`` says why)."""
    if is_complex(x):
        example = x if isinstance(x, complex) else np.asarray(x).reshape(-1)[0]
        raise ValueError(f"{gate}: got the complex number {example!r}; {what} real numbers")


def _ieee(op: Callable[..., Any], *args: Any) -> Any:
    """``op`` on Python numbers computed by numpy in float64 (or complex128): IEEE's value
    where Python raises ``ZeroDivisionError`` or ``OverflowError``."""
    kind = np.complex128 if any(type(a) is complex for a in args) else np.float64
    with quiet():
        return op(*(kind(a) for a in args)).item()


def _fits(gate: str, op: Callable[..., Any], args: tuple[Any, ...], z: Any) -> None:
    """Refuse an integer result ``z`` of ``op(*args)`` that wrapped around its type."""
    dtype = np.asarray(z).dtype
    with quiet():  # a float estimate first: the exact power of huge integers would never end
        estimate = op(*(np.asarray(a, dtype=np.float64) for a in args))
    huge = np.asarray(np.abs(estimate) > 2.0**64)
    if huge.any():
        first = np.asarray(estimate)[huge].reshape(-1)[0]
        value = f"about {first:.4g}" if np.isfinite(first) else "(beyond float's range)"
    else:
        exact = np.asarray(op(*(np.asarray(a).astype(object) for a in args)), dtype=object)
        wrong = np.asarray(np.asarray(z).astype(object) != exact, dtype=bool)
        if not wrong.any():
            return
        value = str(exact[wrong].reshape(-1)[0])
    raise ValueError(
        f"{gate}: the result {value} does not fit {dtype} (numpy would wrap it around); "
        "give floats or a wider integer type"
    )


def arithmetic(gate: str, op: Callable[..., Any], *args: Any) -> Any:
    """``op(*args)`` under the policy: IEEE on numbers and arrays alike, bools as 0 and 1,
    an integer result that does not fit its type refused."""
    for a in args:  # a loop, not all(...): this is the hot path of numbers
        if type(a) not in _PYTHON:
            break
    else:
        try:
            return op(*args)
        except (ZeroDivisionError, OverflowError):
            return _ieee(op, *args)
    args = tuple(no_bool(a) for a in args)
    with quiet():
        z = op(*args)
    dtype = getattr(z, "dtype", None)
    if dtype is not None and dtype.kind in "iu" and not is_lazy(z):
        _fits(gate, op, args, z)
    return z


def add(gate: str, x: Any, y: Any) -> Any:
    """``x + y``."""
    if type(x) is float and type(y) is float:
        return x + y  # a float sum never raises: an overflow is inf already
    return arithmetic(gate, operator.add, x, y)


def sub(gate: str, x: Any, y: Any) -> Any:
    """``x - y``."""
    if type(x) is float and type(y) is float:
        return x - y
    return arithmetic(gate, operator.sub, x, y)


def mul(gate: str, x: Any, y: Any) -> Any:
    """``x * y``."""
    if type(x) is float and type(y) is float:
        return x * y
    return arithmetic(gate, operator.mul, x, y)


def div(gate: str, x: Any, y: Any) -> Any:
    """``x / y``: ``1/0`` is ``inf``, ``0/0`` is ``nan``, on numbers as on arrays."""
    return arithmetic(gate, operator.truediv, x, y)


def neg(gate: str, x: Any) -> Any:
    """``-x``."""
    if type(x) is float:
        return -x
    return arithmetic(gate, operator.neg, x)


def _fractional(c: Any) -> Any:
    """Where the real exponent ``c`` is finite and not a whole number (a negative base
    has no real power there; IEEE counts +-inf as even)."""
    with quiet():
        return np.asarray((np.mod(c, 1) != 0) & np.isfinite(c))


#: The largest exact integer power computed, in bits (a number of about 20,000 digits).
MAX_POWER_BITS = 65_536


def power(gate: str, x: Any, c: Any) -> Any:
    """``x ** c``, refusing a negative real base with a fractional exponent (no real value).

    An integer base to a negative power is a float, as in Python (numpy refuses it).
    An exact integer power of more than :data:`MAX_POWER_BITS` bits is computed as a
    float instead (``inf``): Python would take minutes or hours to build it.
    """
    if type(x) in _REAL and type(c) in _REAL:
        if x < 0 and math.isfinite(c) and c != int(c):
            raise ValueError(_no_real_power(gate, x, c))
        if (
            type(c) is int
            and type(x) is int
            and abs(x) > 1
            and c * abs(x).bit_length() > MAX_POWER_BITS
        ):
            return _ieee(operator.pow, x, c)
        try:
            return x**c
        except (ZeroDivisionError, OverflowError):
            return _ieee(operator.pow, x, c)
    if is_lazy(x) or is_lazy(c):
        pass  # nothing to check without computing: a fractional power of a negative is nan
    elif not is_complex(x) and not is_complex(c):
        negative = np.asarray(x < 0) & _fractional(c)
        if negative.any():
            shape = negative.shape
            base = np.broadcast_to(x, shape)[negative].reshape(-1)[0]
            exponent = np.broadcast_to(c, shape)[negative].reshape(-1)[0]
            raise ValueError(_no_real_power(gate, base, exponent))
        if getattr(x, "dtype", None) is not None and x.dtype.kind in "biu" and np.any(c < 0):
            x = x.astype(np.float64)
    return arithmetic(gate, operator.pow, x, c)


def _no_real_power(gate: str, x: Any, c: Any) -> str:
    return (
        f"{gate}: {float(x)!r} ** {float(c)!r} has no real value "
        "(a negative number to a fractional power)"
    )


def exp(x: Any) -> Any:
    """``e ** x``, elementwise: ``inf`` past float's range, on numbers as on arrays."""
    if type(x) is float or type(x) in _REAL:
        try:
            return math.exp(x)
        except OverflowError:
            return math.inf if x > 0 else 0.0  # a Python int beyond float's range
    if type(x) is complex:
        return _ieee(np.exp, x)
    with quiet():
        return np.exp(floating(x))


def sigmoid(x: Any) -> Any:
    """``1 / (1 + e ** -x)``, elementwise, computed without overflow.

    Where ``x`` (its real part) is negative it uses the equal form ``e ** x / (1
    + e ** x)``, so the exponential never exceeds 1: the limits at +-1000 are
    exactly 1 and 0. Complex numbers are welcome; at a pole the value is ``inf``.
    """
    if type(x) is float or type(x) in _REAL:
        if x >= 0:
            return 1.0 / (1.0 + math.exp(-x))
        e = math.exp(x)  # x < 0 or nan
        return e / (1.0 + e)
    z = x if type(x) is not complex else np.complex128(x)
    z = floating(z)
    with quiet():
        negative = np.real(z) < 0
        e = np.exp(np.where(negative, z, -z))  # |e| <= 1, so no overflow
        s = np.where(negative, e / (1.0 + e), 1.0 / (1.0 + e))
    return s.item() if type(x) is complex else s


def select(mask: Any, x: Any, y: Any) -> Any:
    """``x`` where ``mask`` holds, else ``y``, elementwise (numpy's ``where``).

    A single truth value (comparing two numbers) picks one of them as it is.
    """
    if mask is True or mask is False or type(mask) is np.bool_:
        return x if mask else y
    return np.where(mask, x, y)


def route(mask: Any, dz: Any) -> tuple[Any, Any]:
    """``dz`` where ``mask`` holds and 0 elsewhere, and the other way round: a
    router's two gradients (exactly 0 for the loser, even where ``dz`` is ``inf``)."""
    if mask is True or mask is False or type(mask) is np.bool_:
        zero = type(dz)(0) if type(dz) in _PYTHON else np.zeros_like(dz)[()]
        return (dz, zero) if mask else (zero, dz)
    with quiet():
        if not is_lazy(dz) and np.isfinite(dz).all():  # then a product is exact, and cheaper
            return dz * mask, dz * ~mask
    return np.where(mask, dz, 0), np.where(mask, 0, dz)


def keep(mask: Any, dz: Any) -> Any:
    """The first of :func:`route`'s gradients alone: ``dz`` where ``mask`` holds, else 0."""
    if mask is True or mask is False or type(mask) is np.bool_:
        return route(mask, dz)[0]
    with quiet():
        if not is_lazy(dz) and np.isfinite(dz).all():
            return dz * mask
    return np.where(mask, dz, 0)


def tanh(x: Any) -> Any:
    """The hyperbolic tangent, elementwise (complex numbers welcome)."""
    if type(x) in _REAL:
        return math.tanh(x)
    if type(x) is complex:
        return _ieee(np.tanh, x)
    with quiet():
        return np.tanh(floating(x))


def log(gate: str, x: Any) -> Any:
    """The natural logarithm, elementwise, for real ``x >= 0``: ``log(0)`` is ``-inf``
    (a pole, as ``1/0``), ``nan`` stays ``nan``; a negative or complex ``x`` is refused."""
    real(gate, x, "the logarithm takes")
    if type(x) in _REAL:
        if x > 0:
            return math.log(x)
        if x == 0:
            return -math.inf
        if x != x:
            return x
        raise ValueError(f"{gate}: log of {x!r} has no real value (the logarithm needs x >= 0)")
    x = floating(x)
    negative = np.asarray(False if is_lazy(x) else x < 0)  # a lazy log of a negative: nan
    if negative.any():
        value = np.asarray(x)[negative].reshape(-1)[0]
        raise ValueError(
            f"{gate}: log of {value!r} (an element of the input) has no real value "
            "(the logarithm needs x >= 0)"
        )
    with quiet():
        return np.log(x)


def ieee_log(x: Any) -> Any:
    """The natural logarithm as IEEE has it, for gradients: ``log(0)`` is ``-inf``,
    a negative real number gives ``nan``; complex numbers welcome."""
    if type(x) in _REAL:
        return math.log(x) if x > 0 else -math.inf if x == 0 else math.nan
    if type(x) is complex:
        return _ieee(np.log, x)
    with quiet():
        return np.log(floating(x))


def real_part(x: Any) -> Any:
    """The real part of ``x`` (``x`` itself for real numbers)."""
    return x.real if isinstance(x, complex) else np.real(x)


def relu(x: Any) -> tuple[Any, Any]:
    """``max(x, 0)`` elementwise, with ``nan`` kept; and where the input passed
    (``x > 0`` or ``nan``: a ``nan`` lets the gradient through, to be seen)."""
    if type(x) is float or type(x) in _REAL:
        passed = x > 0 or x != x
        return (x if passed else type(x)(0)), passed
    real("ReLUGate", x, "relu compares with 0, so it takes")
    passed = (x > 0) | (x != x)
    return np.maximum(x, 0), passed


def maximum(x: Any, y: Any) -> tuple[Any, Any]:
    """``max(x, y)`` elementwise, ``nan`` if either is ``nan``; and where ``x`` won
    (``x >= y``, or ``x`` is ``nan``)."""
    if type(x) in _REAL and type(y) in _REAL:
        x_wins = x >= y or x != x
        return (x if x_wins else y), x_wins
    for value in (x, y):
        real("MaxGate", value, "max compares its inputs, so it takes")
    x_wins = (x >= y) | (x != x)
    return select(x_wins, x, y), x_wins


def at_kink(where: Any, point: str, convention: str) -> str | None:
    """A gate's kink note (see :meth:`gates.Gate.kink`): ``point: convention``
    where ``where`` holds (on an array, saying in how many elements), else ``None``.

    Examples
    --------
    >>> import numpy as np
    >>> print(at_kink(np.array([0.0, 1.0, 0.0]) == 0, "x == 0", "the gradient is 0"))
    x == 0 in 2 of 3 elements; there the gradient is 0
    >>> at_kink(False, "x == 0", "the gradient is 0") is None
    True
    """
    if type(where) in _REAL or type(where) is np.bool_:
        return f"{point}: {convention}" if where else None
    count = int(np.count_nonzero(where))
    if count == 0:
        return None
    size = int(np.size(where))
    return f"{point} in {count} of {size} element{'' if size == 1 else 's'}; there {convention}"


def floor(x: Any) -> Any:
    """The largest whole number not above ``x``, elementwise (``nan`` stays ``nan``)."""
    return math.floor(x) if type(x) in _REAL and math.isfinite(x) else np.floor(x)
