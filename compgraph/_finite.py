"""Central finite differences: the numeric side of every gradient check."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


def central_difference(
    function: Callable[..., Any],
    inputs: Sequence[Any],
    slot: int,
    dout: Any,
    step: float = 1e-6,
) -> Any:
    """The gradient of ``sum(dout * function(*inputs))`` with respect to ``inputs[slot]``.

    Each element of that input is moved by ``+step`` and ``-step`` in float64,
    the others held, and the slope taken between the two outputs. The result has
    the input's shape (a Python float for a number).

    Examples
    --------
    >>> round(central_difference(lambda x, y: x * y, [3.0, -4.0], 0, 1.0), 6)  # d(xy)/dx = y
    -4.0
    >>> import numpy as np
    >>> central_difference(lambda x: x * x, [np.array([1.0, 2.0])], 0, np.ones(2))
    array([2., 4.])
    """
    point = [np.array(value, dtype=np.float64) for value in inputs]
    moved = point[slot]
    weights = np.asarray(dout, dtype=np.float64)
    gradient = np.zeros(moved.shape)
    for index in np.ndindex(moved.shape):
        start = moved[index].item()
        moved[index] = start + step
        above = np.sum(weights * function(*_as_given(point, inputs)))
        moved[index] = start - step
        below = np.sum(weights * function(*_as_given(point, inputs)))
        moved[index] = start
        gradient[index] = (above - below) / (2 * step)
    return gradient.item() if np.ndim(inputs[slot]) == 0 else gradient


def _as_given(point: list[np.ndarray], inputs: Sequence[Any]) -> list[Any]:
    """``point`` with numbers given as numbers back as Python floats (so the
    function runs on the same kinds of values it was given)."""
    return [
        value if isinstance(original, np.ndarray) else value.item()
        for value, original in zip(point, inputs)
    ]
