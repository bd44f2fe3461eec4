"""Fitting a gradient to the value it belongs to: one helper, used by the engine
and by gradient checking, so that no gate reduces broadcast axes itself."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

#: Types whose values are plain scalars; a gradient of one of these types for a
#: value of one of these types needs no fitting (the engine's fast path).
SCALAR_TYPES = frozenset({float, int, bool, np.float64, np.float32, np.int64})


def unbroadcast(grad: Any, shape: tuple[int, ...]) -> Any:
    """Sum ``grad`` over the axes numpy broadcasting added, so it has ``shape``.

    Parameters
    ----------
    grad : number or numpy.ndarray
        A gradient with the broadcast shape of a gate's output.
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


def fit_gradient(grad: Any, value: Any) -> Any:
    """Return ``grad`` with the shape of ``value``, or raise ``ValueError`` saying why not.

    Examples
    --------
    >>> import numpy as np
    >>> fit_gradient(np.ones((4, 3)), np.zeros((1, 3)))
    array([[4., 4., 4.]])
    >>> fit_gradient(np.ones(3), 2.0)
    3.0
    >>> fit_gradient(np.ones(2), np.zeros(3))
    Traceback (most recent call last):
    ...
    ValueError: has shape (2,), not the input's shape (3,)
    """
    if type(grad) is np.ndarray and type(value) is np.ndarray and grad.shape == value.shape:
        return grad  # the common case, first
    if not isinstance(grad, (numbers.Number, np.ndarray)):
        raise ValueError(f"is a {type(grad).__name__}, not a number or array")
    shape, grad_shape = np.shape(value), np.shape(grad)  # type: ignore[arg-type]
    fitted = unbroadcast(grad, shape)
    if np.shape(fitted) != shape:
        raise ValueError(f"has shape {grad_shape}, not the input's shape {shape}")
    if isinstance(value, (int, float, complex)) and isinstance(fitted, (np.ndarray, np.generic)):
        return fitted.item()  # a Python number's gradient is a Python number
    return fitted
