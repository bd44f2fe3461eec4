"""The compiled schedule of a graph: its gates as steps over node positions.

Each gate becomes one step ``(position, forward, backward, a, b)``: the position
of its node, its bound methods, and its inputs' positions resolved once, so a
pass does nothing but index lists and call gates. One- and two-input gates (almost
all of them) are spelled out; others keep a tuple of positions:

- ``b >= 0``: two inputs, at ``a`` and ``b``;
- ``b == UNARY``: one input, at ``a``;
- ``b == MANY``: ``a`` is the tuple of input positions (none, or three and more).

Node positions are in topological order (a node only consumes nodes added before
it), so the forward pass runs the steps in order and the backward pass in reverse.

A backward pass restricted to some nodes (``wrt``) runs a pruned schedule from
:func:`compile_pruned`: only the gates that pass a gradient on to a needed node,
with every input that needs none sent to a scratch position past the last node.

Backward has two forms. :func:`backward_scalar` serves passes whose values are
all plain numbers: it adds each gradient into place and checks the whole result
once at the end. :func:`backward_checked` fits every gradient to its input's
shape (summing broadcast axes) and names the first one that does not fit; it runs
for arrays, and reruns any scalar pass the fast form could not vouch for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from compgraph._shapes import SCALAR_TYPES, fit_gradient

__all__ = [
    "MisfitError",
    "StepError",
    "backward_checked",
    "backward_scalar",
    "compile_pruned",
    "compile_steps",
]

UNARY, MANY = -1, -2

Step = tuple[int, Callable[..., Any], Callable[[Any], Any], Any, int]


class Discard:
    """What the scratch position holds: adding anything to it (a gradient nobody
    needs, or the ``None`` a gate returns for one) leaves it as it is."""

    def __iadd__(self, other: object) -> Discard:
        return self

    def __repr__(self) -> str:
        return "DISCARD"


DISCARD = Discard()
_SCALARS_OR_DISCARD = SCALAR_TYPES | {Discard}


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


def compile_pruned(
    gates: Sequence[Any], inputs_of: Sequence[tuple[int, ...]], wanted: Sequence[int]
) -> tuple[list[Step], bytearray, list[tuple[Any, tuple[bool, ...]]]]:
    """The steps a backward pass needs for the gradients of the nodes at ``wanted``.

    A node needs its gradient if it is wanted or if a needed node feeds it (its
    gradient then carries the wanted ones). A gate's step is kept if one of its
    inputs needs a gradient; the inputs that need none point to the scratch
    position ``len(gates)``.

    Returns
    -------
    steps : list
        The pruned steps, in topological order.
    needed : bytearray
        1 at the positions whose gradients the steps compute in full.
    partial : list of (gate, tuple of bool)
        The kept gates some of whose inputs need no gradient, with which do.
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
    return compile_steps(kept, pruned_inputs, 0), needed, partial


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


def backward_scalar(steps: list[Step], grads: list[Any]) -> bool:
    """Add every step's gradients into ``grads`` (zeros, ``dout`` at the output,
    and :data:`DISCARD` in the scratch slot past the last node).

    Returns whether the result can be trusted as it is: every gate returned the
    right number of gradients, nothing raised, and every gradient is a plain
    number. When it returns False, ``grads`` is spoiled and the caller runs
    :func:`backward_checked`, which names what went wrong.
    """
    try:
        for position, _, gate_backward, a, b in reversed(steps):
            local = gate_backward(grads[position])
            if b >= 0:
                da, db = local
                grads[a] += da
                grads[b] += db
            elif b == UNARY:
                (da,) = local
                grads[a] += da
            else:
                for consumed, grad in zip(a, local, strict=True):
                    grads[consumed] += grad
    except Exception:
        return False
    return _SCALARS_OR_DISCARD.issuperset(map(type, grads))


def backward_checked(steps: list[Step], values: list[Any], grads: list[Any]) -> None:
    """Sum every step's gradients into ``grads`` (None, ``dout`` at the output, and
    anything in the scratch slot past the last node), each fitted to the shape
    of its input's value. Gradients sent to the scratch are dropped unchecked.

    Raises
    ------
    MisfitError
        If a gate returned the wrong number of gradients or one that does not fit.
    StepError
        If a gate's backward raised.
    """
    position = -1
    scratch = len(values)
    try:
        for position, _, gate_backward, a, b in reversed(steps):
            inputs = (a, b) if b >= 0 else (a,) if b == UNARY else a
            local = gate_backward(grads[position])
            _check_count(position, local, len(inputs))
            for consumed, grad in zip(inputs, local):
                if consumed == scratch:
                    continue
                try:
                    grad = fit_gradient(grad, values[consumed])
                except ValueError as exc:
                    raise MisfitError(position, consumed, str(exc)) from None
                so_far = grads[consumed]
                grads[consumed] = grad if so_far is None else so_far + grad
    except MisfitError:
        raise
    except Exception as exc:
        raise StepError(position, "backward", exc) from exc


def _check_count(position: int, local: Any, expected: int) -> None:
    plural = "s" if expected != 1 else ""
    if not isinstance(local, (list, tuple)):
        reason = f"returned {type(local).__name__}, not a list of {expected} gradient{plural}"
        raise MisfitError(position, None, reason)
    if len(local) != expected:
        got = f"{len(local)} gradient{'s' if len(local) != 1 else ''}"
        raise MisfitError(position, None, f"returned {got} for {expected} input{plural}")
