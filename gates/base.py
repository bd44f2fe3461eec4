"""The gate: a function that computes its output forward and, given the gradient
on its output, one gradient per input backward."""

from __future__ import annotations

import contextlib
import copy
import inspect
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

__all__ = ["Gate", "arity", "arity_error", "full_copy", "keep_caches_elsewhere"]

G = TypeVar("G", bound="Gate")


class Gate:
    """Base class of every gate.

    A subclass defines ``forward(self, ...)``, which computes the output from the
    inputs and caches on ``self`` what ``backward`` needs, and ``backward(self,
    dz)``, which turns the gradient ``dz`` on the output into a list of one
    gradient per input, in order. The number of inputs is the number of
    positional parameters of ``forward``; ``forward(self, *xs)`` takes any number.
    Nothing else is required: no registration, no ``super().__init__()`` call.
    Optionally, :meth:`local_gradient_formula` and ``gradient_pattern`` let
    ``compgraph``'s ``explain`` tell the gate's part of a backward pass in symbols,
    and :meth:`kink` says when the latest ``forward`` ran where the gate is not
    differentiable.

    A gradient may have the broadcast shape of the output: the engine sums it
    back to its input's shape. A gate must not modify its inputs or ``dz`` in place.

    Attributes
    ----------
    symbol : str
        How tables and drawings label the gate (``"*"``, ``"exp"``); empty means
        the class name.
    gradient_pattern : str
        How the gate passes the gradient back, in a few words that follow the
        gradient it receives in ``explain`` (``"an add gate distributes it"``);
        empty: none.
    settings : tuple of str
        The names of the attributes that recreate the gate: the arguments its
        constructor takes, by keyword (``PowGate``'s exponent ``("c",)``, a
        reduction's ``("axis", "keepdims")``); empty for a gate made with no
        arguments. A saved graph keeps each gate as its type and these
        (``compgraph.files``); ``type(gate)(**{name: getattr(gate, name)})``
        makes the same gate.
    needs_input_grad : tuple of bool or None
        Set by the engine, while it calls ``backward`` in a pass restricted with
        ``wrt``, when some inputs of this gate need no gradient: ``False`` at
        those (``None`` again after the pass). ``backward``
        may then return ``None`` for them instead of computing them (the matrix
        product's gate skips its data's gradient so in training). ``None``, the
        default: every input needs its gradient.
    input_count : int or None
        How many inputs this gate instance takes, for a gate whose count is
        set per instance rather than by its ``forward``'s signature (a
        composite gate: as many as its inner graph has inputs). ``None``, the
        default: the signature tells.

    Examples
    --------
    The lecture's multiply gate, written as a user would:

    >>> class MyMulGate(Gate):
    ...     def forward(self, x, y):
    ...         self.x = x
    ...         self.y = y
    ...         return x * y
    ...
    ...     def backward(self, dz):
    ...         dx = self.y * dz
    ...         dy = self.x * dz
    ...         return [dx, dy]
    >>> gate = MyMulGate()
    >>> gate.forward(-2, 3)
    -6
    >>> gate.backward(1)
    [3, -2]
    >>> arity(gate)
    (2, 2)
    """

    symbol: str = ""
    gradient_pattern: str = ""
    settings: tuple[str, ...] = ()
    needs_input_grad: tuple[bool, ...] | None = None
    input_count: int | None = None
    forward: Callable[..., Any]
    backward: Callable[[Any], Sequence[Any]]

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __getattr__(self, name: str) -> Any:
        """An attribute not found: a cache kept elsewhere (see
        :func:`keep_caches_elsewhere`) once put back, else the usual error."""
        keeper = _KEEPERS.get(type(self))
        if keeper is not None and not name.startswith("__"):
            keeper(self)
            held = self.__dict__
            if name in held:
                return held[name]
        raise AttributeError(
            f"{type(self).__name__!r} object has no attribute {name!r}", name=name, obj=self
        )

    def __reduce_ex__(self, protocol: Any) -> Any:
        """Copies and pickles take the cache kept elsewhere too."""
        keeper = _KEEPERS.get(type(self))
        if keeper is not None:
            keeper(self)
        return super().__reduce_ex__(protocol)

    def local_gradient_formula(self, slot: int) -> str | None:
        """The formula of input ``slot``'s local gradient, as a template; ``None``: no formula.

        The local gradient is what ``backward`` returns for ``dz = 1``.
        ``compgraph``'s ``explain`` writes the template twice, in symbols and
        with the numbers of the latest pass (``-x/y^2 = -3/(-2)^2 = -0.75``);
        for a gate without one it gives only the number ``backward`` returns.
        Overriding this method is optional. In the template, between braces:

        - ``{x}``, a parameter of ``forward``: written ``x``, with the value of that input;
        - ``{x.node}``: written as the name of the node feeding ``x``, with its value
          (the multiply gate's ``local gradient z = -4``);
        - ``{z}``: the output, written as the gate applied to ``forward``'s
          parameters (``σ(x)``), with its value;
        - ``{c}``, another name: the gate's attribute ``c`` (a constant), written ``c``;
        - ``{name:text}``: any of these, written ``text`` instead.

        A negative number is put in parentheses where it follows an operator or
        is raised to a power: ``-{x}/{y}^2`` gives ``-3/(-2)^2``.

        Parameters
        ----------
        slot : int
            The input's position among ``forward``'s arguments, from 0.

        Returns
        -------
        str or None
            The template; ``None`` (the default) when the gate gives no formula.

        Examples
        --------
        The local gradients of ``x / y`` are ``1/y`` and ``-x/y^2``:

        >>> class MyDivGate(Gate):
        ...     def forward(self, x, y):
        ...         self.x = x
        ...         self.y = y
        ...         return x / y
        ...
        ...     def backward(self, dz):
        ...         return [dz / self.y, -dz * self.x / self.y**2]
        ...
        ...     def local_gradient_formula(self, slot):
        ...         return "1/{y}" if slot == 0 else "-{x}/{y}^2"
        >>> MyDivGate().local_gradient_formula(1)
        '-{x}/{y}^2'
        >>> Gate().local_gradient_formula(0) is None
        True
        """
        return None

    def kink(self) -> str | None:
        """Whether the latest ``forward`` ran where the gate is not
        differentiable, and if so, what ``backward`` does there.

        ``None`` (the default): it did not, or the gate has no such point. A
        gate that has one (a max at a tie, a ReLU at 0) overrides this to
        return a note naming the point and the convention its ``backward``
        follows there (which input gets the gradient, the subgradient chosen);
        on arrays, how many elements are at it. ``compgraph``'s
        ``g.kinks()`` lists these notes, and the gradient checks say that a
        gate ran at a kink instead of blaming it.

        Examples
        --------
        >>> from gates import MaxGate, ReLUGate
        >>> gate = MaxGate()
        >>> _ = gate.forward(3.0, 3.0)
        >>> print(gate.kink())
        a tie, x == y: the whole gradient goes to x, the first input
        >>> _ = gate.forward(4.0, 2.0)
        >>> gate.kink() is None
        True
        >>> Gate().kink() is None
        True
        """
        return None


_KEEPERS: dict[type, Callable[[Gate], None]] = {}


def keep_caches_elsewhere(types: Sequence[type], keeper: Callable[[Gate], None]) -> None:
    """Let ``keeper(gate)`` put back a gate's cache when it is asked for and
    missing, for gates of exactly these ``types``.

    What an engine that keeps the caches of some gates elsewhere (compgraph's
    compiled kernel, in its arrays) registers: the gates then read as if
    their ``forward`` had cached as usual. ``keeper`` sets the attributes in
    the gate's ``__dict__`` (nothing, if it keeps nothing for that gate).
    """
    for cls in types:
        _KEEPERS[cls] = keeper


_ARITY: dict[type, tuple[int, int | None]] = {}


def arity(gate: Gate) -> tuple[int, int | None]:
    """The least and the most inputs ``gate.forward`` takes (``None``: no limit).

    The gate's ``input_count`` where it sets one; else worked out from the
    signature of ``forward``, once per gate class.

    Raises
    ------
    TypeError
        If the gate's class lacks ``forward`` or ``backward``, or its ``forward``
        has required keyword-only parameters.

    Examples
    --------
    >>> from gates import AddGate, ExpGate
    >>> arity(ExpGate()), arity(AddGate())
    ((1, 1), (2, None))
    """
    known = _ARITY.get(type(gate)) or _signature_arity(type(gate))
    count = gate.input_count
    return known if count is None else (count, count)


def _signature_arity(cls: type) -> tuple[int, int | None]:
    """:func:`arity` from the signature of ``cls.forward``, kept for the class."""
    for method in ("forward", "backward"):
        if not callable(getattr(cls, method, None)):
            raise TypeError(f"{cls.__name__} defines no {method}(); a gate needs both")
    least, most = 0, 0
    limited = True
    for param in _forward_parameters(cls):
        if param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD):
            most += 1
            least += param.default is param.empty
        elif param.kind is param.VAR_POSITIONAL:
            limited = False
        elif param.kind is param.KEYWORD_ONLY and param.default is param.empty:
            raise TypeError(
                f"{cls.__name__}.forward has the required keyword-only parameter "
                f"{param.name!r}; the engine passes inputs by position only"
            )
    _ARITY[cls] = result = (least, most if limited else None)
    return result


def arity_error(gate: Gate, count: int) -> str | None:
    """Why ``gate`` cannot take ``count`` inputs, or ``None`` when it can.

    The one wording of an arity fault: every caller (``add_gate``,
    ``check_gate``, expressions) puts its own context in front of it.

    Raises
    ------
    TypeError
        As :func:`arity` does.

    Examples
    --------
    >>> from gates import AddGate, ExpGate, MulGate
    >>> arity_error(MulGate(), 3)
    'MulGate.forward takes 2 inputs, got 3'
    >>> arity_error(AddGate(), 1), arity_error(ExpGate(), 0)
    ('AddGate.forward takes 2 or more inputs, got 1', 'ExpGate.forward takes 1 input, got 0')
    >>> arity_error(AddGate(), 5) is None
    True
    """
    least, most = arity(gate)
    if least <= count and (most is None or count <= most):
        return None
    if most is None:
        wanted = f"{least} or more inputs"
    elif least == most:
        wanted = f"{least} input{'' if least == 1 else 's'}"
    else:
        wanted = f"{least} to {most} inputs"
    return f"{type(gate).__name__}.forward takes {wanted}, got {count}"


def _forward_parameters(cls: type) -> list[inspect.Parameter]:
    """The parameters of ``cls.forward`` that inputs go to (``self`` left out)."""
    params = list(inspect.signature(cls.forward).parameters.values())  # type: ignore[attr-defined]
    raw = inspect.getattr_static(cls, "forward")
    if isinstance(raw, (staticmethod, classmethod)):
        return params  # no self to skip (a classmethod's cls is bound already)
    return params[1:]


def full_copy(gate: G) -> G:
    """A copy of ``gate`` whose ``backward`` computes every input's gradient,
    whatever a restricted backward pass told the original (for checks and
    explanations, which must not disturb the gate in the graph).

    A deep copy; where the gate holds something that cannot be deep-copied (a
    lock, a file, a connection), a shallow copy whose attributes are each
    deep-copied where they can be and shared where they cannot.

    Raises
    ------
    TypeError
        If the gate cannot be copied even shallowly, saying so and naming its class.

    Examples
    --------
    >>> import threading
    >>> from gates import MulGate
    >>> gate = MulGate()
    >>> gate.lock = threading.Lock()
    >>> _ = gate.forward(3.0, -4.0)
    >>> copied = full_copy(gate)
    >>> copied.backward(1.0), copied.lock is gate.lock
    ([-4.0, 3.0], True)
    """
    try:
        copied = copy.deepcopy(gate)
    except Exception:
        copied = _copy_what_can_be_copied(gate)
    copied.needs_input_grad = None
    return copied


def _copy_what_can_be_copied(gate: G) -> G:
    cls = type(gate).__name__
    try:
        copied = copy.copy(gate)
    except Exception as exc:
        raise TypeError(
            f"cannot copy the gate to run it aside ({type(exc).__name__}: {exc}); "
            f"give {cls} a __copy__ or __deepcopy__ that works"
        ) from exc
    memo: dict[int, Any] = {id(gate): copied}  # attributes that share an object keep sharing it
    for name, value in list(getattr(copied, "__dict__", {}).items()):
        with contextlib.suppress(Exception):  # else shared: copying it is what failed
            setattr(copied, name, copy.deepcopy(value, memo))
    return copied
