"""Fitting a gradient to the value it belongs to: one helper, used by the engine
and by gradient checking, so that no gate reduces broadcast axes itself."""

from __future__ import annotations

import contextlib
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from gates._numeric import is_lazy

#: Types whose values are plain scalars; a gradient of one of these types for a
#: value of one of these types needs no fitting (the engine's fast path).
SCALAR_TYPES = frozenset({float, int, bool, np.float64, np.float32, np.int64})


def unbroadcast(grad: Any, shape: tuple[int, ...]) -> Any:
    """Sum ``grad`` over the axes numpy broadcasting added, so it has ``shape``.

    Parameters
    ----------
    grad : number, numpy.ndarray or lazy array
        A gradient with the broadcast shape of a gate's output (a lazy one is
        summed lazily).
    shape : tuple of int
        The shape of the input the gradient belongs to.

    Returns
    -------
    number or numpy.ndarray
        ``grad`` summed over the leading axes the input lacks and over the axes
        where the input has length 1; ``grad`` itself when nothing is to be summed
        (the caller's shape check reports any remaining mismatch).

    Examples
    --------
    >>> import numpy as np
    >>> unbroadcast(np.ones((2, 3)), (3,))
    array([2., 2., 2.])
    >>> unbroadcast(np.ones((2, 3)), (2, 1))
    array([[3.],
           [3.]])
    >>> float(unbroadcast(np.ones((2, 3)), ()))
    6.0
    """
    ndim = np.ndim(grad)
    if ndim < len(shape) or np.shape(grad) == shape:
        return grad
    if ndim > len(shape):
        grad = np.sum(grad, axis=tuple(range(ndim - len(shape))))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return np.sum(grad, axis=axes, keepdims=True) if axes else grad


def fit_gradient(grad: Any, value: Any, output: Any, inputs: Sequence[Any]) -> Any:
    """Return ``grad`` with the shape of ``value``, or raise ``ValueError`` saying why not.

    ``grad`` is a gate's gradient for its input ``value``; ``output`` is the
    gate's output and ``inputs`` all its inputs. The gradient may have the
    input's own shape, or the shape the input takes when broadcast for the
    output or against the other inputs (a loss of a prediction and a target):
    each axis broadcasting added or stretched must be an axis of that shape, of
    its length (counted from the right, as numpy broadcasts; a batched matrix
    product's batch axes so). Those axes are summed back. No other shape fits,
    so a gradient of the wrong shape is never summed into a plausible one.

    Raises
    ------
    ValueError
        If ``grad`` is not a number or a numeric array, is complex for a real
        ``value``, or has another shape.

    Examples
    --------
    >>> import numpy as np
    >>> x, y = np.zeros((1, 3)), np.zeros((4, 3))
    >>> fit_gradient(np.ones((4, 3)), x, x + y, [x, y])
    array([[4., 4., 4.]])
    >>> fit_gradient(np.ones(3), 2.0, np.zeros(3), [2.0, np.zeros(3)])
    3.0
    >>> fit_gradient(np.ones(5), 2.0, 4.0, [2.0, 2.0])
    Traceback (most recent call last):
    ...
    ValueError: has shape (5,), not the input's shape ()
    >>> x, y = np.zeros(3), np.zeros((2, 3))
    >>> fit_gradient(np.ones((7, 3)), x, x + y, [x, y])
    Traceback (most recent call last):
    ...
    ValueError: has shape (7, 3), not the input's shape (3,) nor the output's (2, 3)
    """
    if (
        type(grad) is np.ndarray
        and type(value) is np.ndarray
        and grad.shape == value.shape
        and (grad.dtype.kind in "biuf" or grad.dtype.kind == value.dtype.kind == "c")
    ):
        return grad  # the common case, first
    if isinstance(grad, np.ndarray) or is_lazy(grad):
        if grad.dtype.kind not in "biufc":
            raise ValueError(f"is an array of {grad.dtype}, not of numbers")
    elif not isinstance(grad, numbers.Number):
        raise ValueError(f"is a {type(grad).__name__}, not a number or array")
    if np.iscomplexobj(grad) and not np.iscomplexobj(value):
        raise ValueError("is complex, but the input's value is real")
    shape, grad_shape, output_shape = np.shape(value), np.shape(grad), np.shape(output)
    if grad_shape == shape:
        fitted = grad
    elif any(_explained(shape, grad_shape, to) for to in _broadcast_shapes(output, inputs)):
        fitted = unbroadcast(grad, shape)
    else:
        also = f" nor the output's {output_shape}" if output_shape != shape else ""
        raise ValueError(f"has shape {grad_shape}, not the input's shape {shape}{also}")
    if isinstance(value, (int, float, complex)) and isinstance(fitted, (np.ndarray, np.generic)):
        return fitted.item()  # a Python number's gradient is a Python number
    if isinstance(fitted, np.ndarray) and not isinstance(value, np.ndarray):
        return fitted[()]  # a numpy number's gradient is a numpy number, not an array
    return fitted


def _explained(
    shape: tuple[int, ...], grad_shape: tuple[int, ...], output: tuple[int, ...]
) -> bool:
    """Whether broadcasting an input of ``shape`` for an output of shape ``output``
    explains a gradient of ``grad_shape``."""
    added = len(grad_shape) - len(shape)
    if added < 0 or len(grad_shape) > len(output):
        return False
    offset = len(output) - len(grad_shape)
    for axis, length in enumerate(grad_shape):
        own = shape[axis - added] if axis >= added else None
        if own == length:
            continue
        if own not in (None, 1) or output[axis + offset] != length:
            return False
    return True


def _broadcast_shapes(output: Any, inputs: Sequence[Any]) -> list[tuple[int, ...]]:
    """The shapes an input may have been broadcast to: the output's, and the
    inputs' broadcast together (when they broadcast)."""
    shapes = [np.shape(output)]
    with contextlib.suppress(ValueError):
        shapes.append(np.broadcast_shapes(*(np.shape(x) for x in inputs)))
    return shapes
