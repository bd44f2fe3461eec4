"""The compiled schedule of a graph: its gates as steps over node positions.

Each gate becomes one step ``(position, forward, backward, a, b)``: the position
of its node, its bound methods, and its inputs' positions resolved once, so a
pass does nothing but index lists and call gates. One- and two-input gates (almost
all of them) are spelled out; others keep a tuple of positions:

- ``b >= 0``: two inputs, at ``a`` and ``b``;
- ``b == UNARY``: one input, at ``a``;
- ``b == MANY``: ``a`` is the tuple of input positions (none, or three and more).

Node positions are in topological order (a node only consumes nodes added before
it), so :func:`forward` runs the steps in order and :func:`backward` in reverse.

A backward pass restricted to some nodes (``wrt``) runs the steps of a
:class:`Plan` from :func:`plan`: only the gates that pass a gradient on to a
needed node, with every input that needs none pointed at a scratch position past
the last node, whose gradient is never read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from compgraph._shapes import SCALAR_TYPES, fit_gradient
from compgraph._values import describe, is_finite

__all__ = [
    "MisfitError",
    "NonFiniteGradientError",
    "Plan",
    "StepError",
    "backward",
    "compile_steps",
    "finite_checked",
    "forward",
    "plan",
]

UNARY, MANY = -1, -2

Step = tuple[int, Callable[..., Any], Callable[[Any], Any], Any, int]

_NO_TYPES: frozenset[type] = frozenset()


class StepError(Exception):
    """The gate at ``position`` raised ``error`` in its ``method``."""

    def __init__(self, position: int, method: str, error: Exception) -> None:
        super().__init__(position, method, error)
        self.position, self.method, self.error = position, method, error


class MisfitError(Exception):
    """The gate at ``position`` returned gradients that do not fit: the wrong
    number (``consumed`` is None) or one that cannot take the shape of the value
    at position ``consumed``; ``reason`` says how."""

    def __init__(self, position: int, consumed: int | None, reason: str) -> None:
        super().__init__(position, consumed, reason)
        self.position, self.consumed, self.reason = position, consumed, reason


class NonFiniteGradientError(MisfitError):
    """The gate at ``position`` sent a non-finite gradient to the value at
    ``consumed`` from a finite ``dz`` and finite inputs (see :func:`finite_checked`)."""


def compile_steps(
    gates: Sequence[Any], inputs_of: Sequence[tuple[int, ...]], start: int
) -> list[Step]:
    """The steps of the gates at positions ``start`` onwards (leaves have no step)."""
    steps: list[Step] = []
    for position in range(start, len(gates)):
        gate = gates[position]
        if gate is None:
            continue
        inputs = inputs_of[position]
        a: Any
        b: int
        if len(inputs) == 2:
            a, b = inputs
        elif len(inputs) == 1:
            a, b = inputs[0], UNARY
        else:
            a, b = inputs, MANY
        steps.append((position, gate.forward, gate.backward, a, b))
    return steps


@dataclass(frozen=True)
class Plan:
    """The steps of a backward pass that needs only some gradients.

    Attributes
    ----------
    steps : list
        The kept steps, in topological order.
    needed : bytearray or None
        1 at the positions whose gradients the steps compute in full; None
        when the steps are all of them.
    partial : list of (gate, tuple of bool)
        The kept gates some of whose inputs need no gradient, with which do
        (what the pass tells them as ``needs_input_grad``).
    """

    steps: list[Step]
    needed: bytearray | None
    partial: list[tuple[Any, tuple[bool, ...]]]


def plan(gates: Sequence[Any], inputs_of: Sequence[tuple[int, ...]], wanted: Sequence[int]) -> Plan:
    """The plan of a backward pass for the gradients of the nodes at ``wanted``.

    A node needs its gradient if it is wanted or if a needed node feeds it (its
    gradient then carries the wanted ones). A gate's step is kept if one of its
    inputs needs a gradient; the inputs that need none point to the scratch
    position ``len(gates)``.

    Examples
    --------
    >>> from gates import ExpGate, MulGate
    >>> gates, inputs_of = [None, None, MulGate(), ExpGate()], [(), (), (0, 1), (2,)]
    >>> wanted_w = plan(gates, inputs_of, [1])       # x * w, then exp: only w's gradient
    >>> [(step[0], step[3], step[4]) for step in wanted_w.steps]
    [(2, 4, 1), (3, 2, -1)]
    >>> list(wanted_w.needed), wanted_w.partial[0][1]
    ([0, 1, 1, 1], (False, True))
    """
    scratch = len(gates)
    needed = bytearray(scratch)
    for position in wanted:
        needed[position] = 1
    for position, inputs in enumerate(inputs_of):
        if not needed[position] and any(needed[i] for i in inputs):
            needed[position] = 1
    kept: list[Any] = [None] * scratch
    pruned_inputs: list[tuple[int, ...]] = [()] * scratch
    partial = []
    for position, gate in enumerate(gates):
        if gate is None:
            continue
        inputs = inputs_of[position]
        mask = tuple(bool(needed[i]) for i in inputs)
        if any(mask):
            kept[position] = gate
            pruned_inputs[position] = tuple(i if m else scratch for i, m in zip(inputs, mask))
            if not all(mask):
                partial.append((gate, mask))
    return Plan(compile_steps(kept, pruned_inputs, 0), needed, partial)


def forward(steps: list[Step], values: list[Any]) -> None:
    """Compute every step's value into ``values``, in order."""
    position = -1
    try:
        for position, gate_forward, _, a, b in steps:
            if b >= 0:
                values[position] = gate_forward(values[a], values[b])
            elif b == UNARY:
                values[position] = gate_forward(values[a])
            else:
                values[position] = gate_forward(*[values[i] for i in a])
    except Exception as exc:
        raise StepError(position, "forward", exc) from exc


def backward(steps: list[Step], values: list[Any], grads: list[Any], numbers: bool) -> None:
    """Run every step's ``backward`` once, from the last step back, and add the
    gradients it returns into ``grads``.

    ``grads`` starts as zeros with the output's gradient at the output, and one
    more slot past the last node: the scratch that pruned steps send to. Each
    gradient is checked as it arrives: where every value is a plain number
    (``numbers``), a plain number needs no more; anything else is fitted to its
    input's shape (summing the axes broadcasting added) or refused.

    Raises
    ------
    MisfitError
        If a gate returned the wrong number of gradients or one that does not fit.
    StepError
        If a gate's backward raised.

    Examples
    --------
    ``f = (x + y) * z`` at ``x = -2, y = 5, z = -4``:

    >>> from gates import AddGate, MulGate
    >>> steps = compile_steps([None, None, None, AddGate(), MulGate()], [(), (), (), (0, 1), (3, 2)], 0)
    >>> values = [-2, 5, -4, None, None]
    >>> forward(steps, values)
    >>> grads = [0, 0, 0, 0, 1, 0]
    >>> backward(steps, values, grads, numbers=True)
    >>> grads[:5]
    [-4, -4, 3, -4, 1]
    """  # noqa: E501
    plain = SCALAR_TYPES if numbers else _NO_TYPES
    position = -1
    try:
        for position, _, gate_backward, a, b in reversed(steps):
            local = gate_backward(grads[position])
            if type(local) is not list and type(local) is not tuple:
                raise _not_a_list(position, local, b, a)
            if b >= 0:
                try:
                    da, db = local
                except ValueError:
                    raise _wrong_count(position, len(local), 2) from None
                if type(da) not in plain:
                    da = _fitted(position, da, a, values, (a, b))
                if type(db) not in plain:
                    db = _fitted(position, db, b, values, (a, b))
                grads[a] = grads[a] + da
                grads[b] = grads[b] + db
            elif b == UNARY:
                try:
                    (da,) = local
                except ValueError:
                    raise _wrong_count(position, len(local), 1) from None
                if type(da) not in plain:
                    da = _fitted(position, da, a, values, (a,))
                grads[a] = grads[a] + da
            else:
                if len(local) != len(a):
                    raise _wrong_count(position, len(local), len(a))
                for consumed, grad in zip(a, local):
                    if type(grad) not in plain:
                        grad = _fitted(position, grad, consumed, values, a)
                    grads[consumed] = grads[consumed] + grad
    except MisfitError:
        raise
    except Exception as exc:
        raise StepError(position, "backward", exc) from exc


def finite_checked(steps: list[Step], values: list[Any]) -> list[Step]:
    """``steps`` whose ``backward`` refuses to make a non-finite gradient out of
    a finite ``dz`` and finite inputs (raising :class:`NonFiniteGradientError`): the
    graph's ``check_finite`` mode, which costs a check of every gradient."""
    scratch = len(values)

    def checked(position: int, gate_backward: Callable[[Any], Any], inputs: Any) -> Any:
        def run(dz: Any) -> Any:
            local = gate_backward(dz)
            if not isinstance(local, (list, tuple)) or not is_finite(dz):
                return local  # the loop refuses a non-list; a non-finite dz came from above
            if not all(is_finite(values[i]) for i in inputs if i != scratch):
                return local
            for consumed, grad in zip(inputs, local):
                if consumed != scratch and grad is not None and not is_finite(grad):
                    raise NonFiniteGradientError(position, consumed, describe(grad))
            return local

        return run

    return [
        (position, gate_forward, checked(position, gate_backward, _inputs(a, b)), a, b)
        for position, gate_forward, gate_backward, a, b in steps
    ]


def _inputs(a: Any, b: int) -> tuple[int, ...]:
    """A step's input positions, from its ``a`` and ``b``."""
    return (a, b) if b >= 0 else (a,) if b == UNARY else tuple(a)


def _fitted(position: int, grad: Any, consumed: int, values: list[Any], inputs: Any) -> Any:
    """``grad`` fitted to the value at ``consumed``, one of the ``inputs`` of the
    gate at ``position``; 0 for the scratch, whose gradient nobody reads (a gate
    may send it ``None``)."""
    scratch = len(values)
    if consumed == scratch:
        return 0
    given = [values[i] for i in inputs if i != scratch]
    try:
        return fit_gradient(grad, values[consumed], values[position], given)
    except ValueError as exc:
        raise MisfitError(position, consumed, str(exc)) from None


def _not_a_list(position: int, local: Any, b: int, a: Any) -> MisfitError:
    count = len(_inputs(a, b))
    reason = f"returned {type(local).__name__}, not a list of {_plural(count, 'gradient')}"
    return MisfitError(position, None, reason)


def _wrong_count(position: int, got: int, expected: int) -> MisfitError:
    reason = f"returned {_plural(got, 'gradient')} for {_plural(expected, 'input')}"
    return MisfitError(position, None, reason)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
