"""Gates on whole arrays: matrix product, sum and mean over axes, stacking."""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from gates import _numeric
from gates.base import Gate

__all__ = ["MatMulGate", "MeanGate", "StackGate", "SumGate"]


class MatMulGate(Gate):
    """Matrix product: ``z = a @ b``; ``da = dz @ b^T`` and ``db = a^T @ dz``.

    The lectures' ``z = W x`` with ``x`` a vector gives ``dW = dz x^T`` (an outer
    product) and ``dx = W^T dz``. A batch of row vectors ``X`` times weights
    ``W`` (``z = X @ W``, the layout of a dense layer) gives ``dW = X^T dz``.
    Operands are matrices, vectors (1-d: a row on the left, a column on the
    right, as numpy's ``@``) or stacks of matrices; stacked axes broadcast.

    Attributes
    ----------
    a, b : numpy.ndarray
        The operands of the latest forward.

    Notes
    -----
    Empty dimensions work as numpy's ``@`` has them (a ``(3, 0) @ (0, 4)``
    product is zeros, with empty gradients); bools are the integers 0 and 1,
    an integer product that does not fit its type is refused.

    Examples
    --------
    ``z = W x`` and its gradients, ``dW = dz x^T``, ``dx = W^T dz``:

    >>> import numpy as np
    >>> gate = MatMulGate()
    >>> w, x = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, -1.0])
    >>> gate.forward(w, x)
    array([-1., -1.])
    >>> dw, dx = gate.backward(np.array([1.0, 2.0]))
    >>> dw
    array([[ 1., -1.],
           [ 2., -2.]])
    >>> dx
    array([ 7., 10.])
    """

    symbol = "@"

    def forward(self, a: Any, b: Any) -> Any:
        self.a = a = _numeric.no_bool(_numeric.as_array(a))
        self.b = b = _numeric.no_bool(_numeric.as_array(b))
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(
                f"MatMulGate: a matrix product takes arrays of one axis or more, "
                f"got shapes {a.shape} and {b.shape}"
            )
        return _numeric.arithmetic("MatMulGate", operator.matmul, a, b)

    def backward(self, dz: Any) -> list[Any]:
        a, b = self.a, self.b
        with _numeric.quiet():
            return self._gradients(a, b, dz)

    def _gradients(self, a: np.ndarray, b: np.ndarray, dz: Any) -> list[Any]:
        if a.ndim == 2 and b.ndim == 2:  # the dense layer's case, kept short
            needs = self.needs_input_grad or (True, True)
            return [dz @ b.T if needs[0] else None, a.T @ dz if needs[1] else None]
        if a.ndim == 1 and b.ndim == 1:  # dot product: dz is a number
            return [dz * b, dz * a]
        # Make vectors matrices (a row on the left, a column on the right), as @ does.
        a2 = a[np.newaxis, :] if a.ndim == 1 else a
        b2 = b[:, np.newaxis] if b.ndim == 1 else b
        dz2 = _numeric.as_array(dz)
        if a.ndim == 1:
            dz2 = np.expand_dims(dz2, -2)
        if b.ndim == 1:
            dz2 = np.expand_dims(dz2, -1)
        da = dz2 @ np.swapaxes(b2, -1, -2)
        db = np.swapaxes(a2, -1, -2) @ dz2
        if a.ndim == 1:
            da = da[..., 0, :]
        if b.ndim == 1:
            db = db[..., 0]
        return [da, db]  # stacked axes that broadcast are summed back by the engine


def _axes(axis: int | tuple[int, ...] | None, ndim: int) -> tuple[int, ...]:
    """``axis`` as a sorted tuple of non-negative axes of an array of ``ndim`` axes."""
    if axis is None:
        return tuple(range(ndim))
    # operator.index: a numpy integer is an axis too, a float is not
    if isinstance(axis, tuple):
        axes = tuple(operator.index(a) for a in axis)
    else:
        axes = (operator.index(axis),)
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of range for an input of {ndim} dimensions")
    return tuple(sorted(a % ndim for a in axes))


class _Reduction(Gate):
    """What :class:`SumGate` and :class:`MeanGate` share: the axes, and spreading
    ``dz`` back over them."""

    settings = ("axis", "keepdims")

    def __init__(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> None:
        self.axis = axis
        self.keepdims = keepdims

    def __repr__(self) -> str:
        return f"{type(self).__name__}(axis={self.axis!r}, keepdims={self.keepdims!r})"

    def _reduce(self, reduce: Any, x: Any) -> Any:
        """Remember the input's shape and dtype, and reduce it; a single number
        comes back as a Python number."""
        self.shape = np.shape(x)
        x = _numeric.as_array(x)
        self._lazy_input = x if _numeric.is_lazy(x) else None  # the chunks of the gradient
        self.dtype = np.result_type(_numeric.floating(x).dtype, 1.0)  # float gradients
        self.axes = _axes(self.axis, len(self.shape))
        z = reduce(x)
        return z.item() if np.ndim(z) == 0 and not _numeric.is_lazy(z) else z

    def _spread(self, dz: Any, scale: float) -> Any:
        """``dz * scale`` with the reduced axes put back, broadcast to the input's shape
        (for a lazy input, a lazy array chunked as the input, whatever ``dz`` is)."""
        if self.shape == ():
            return _numeric.mul(type(self).__name__, dz, scale)
        dtype = np.result_type(self.dtype, _numeric.dtype_of(dz))  # a number keeps float32
        dz = _numeric.as_array(dz)
        if not self.keepdims:
            dz = np.expand_dims(dz, self.axes)
        with _numeric.quiet():
            if self._lazy_input is not None:  # lazy, and chunked as the input
                return np.zeros_like(self._lazy_input, dtype=dtype) + dz * scale
            return np.broadcast_to(dz * scale, self.shape).astype(dtype)


class SumGate(_Reduction):
    """Sum over axes: ``z = x.sum(axis, keepdims)``; every summed element receives ``dz``.

    The distributor of :class:`AddGate`, over the elements of one array.

    Parameters
    ----------
    axis : int, tuple of int or None, optional
        The axes summed over; ``None`` (default) sums everything.
    keepdims : bool, optional
        Keep the summed axes with length 1, as numpy does.

    Attributes
    ----------
    shape : tuple of int
        The shape of the latest input.

    Notes
    -----
    A reduction to a single number returns a Python number. Bools count as 0
    and 1; an integer sum that does not fit its type is refused.

    Examples
    --------
    >>> import numpy as np
    >>> gate = SumGate(axis=0)
    >>> gate.forward(np.array([[1.0, 2.0], [3.0, 4.0]]))
    array([4., 6.])
    >>> gate.backward(np.array([1.0, -1.0]))
    [array([[ 1., -1.],
           [ 1., -1.]])]
    """

    symbol = "sum"

    def forward(self, x: Any) -> Any:
        return self._reduce(self._sum, x)

    def _sum(self, x: Any) -> Any:
        return _numeric.arithmetic("SumGate", self._sum_of, x)

    def _sum_of(self, x: Any) -> Any:
        return np.sum(x, axis=self.axis, keepdims=self.keepdims)

    def backward(self, dz: Any) -> list[Any]:
        return [self._spread(dz, 1)]

    def local_gradient_formula(self, slot: int) -> str:
        return "1"


class MeanGate(_Reduction):
    """Mean over axes: ``z = x.mean(axis, keepdims)``; each of the ``n`` averaged
    elements receives ``dz / n``.

    Parameters
    ----------
    axis : int, tuple of int or None, optional
        The axes averaged over; ``None`` (default) averages everything.
    keepdims : bool, optional
        Keep the averaged axes with length 1, as numpy does.

    Attributes
    ----------
    shape : tuple of int
        The shape of the latest input.
    n : int
        How many elements each mean averaged (``1/n`` is the local gradient).

    Notes
    -----
    A reduction to a single number returns a Python number. The mean of no
    elements (a zero-length axis) is ``nan``, IEEE's ``0/0``, with no warning,
    and its gradient is empty. Integers and bools are averaged in float64.

    Examples
    --------
    >>> import numpy as np
    >>> gate = MeanGate()
    >>> gate.forward(np.array([1.0, 2.0, 6.0]))
    3.0
    >>> gate.backward(1.0)
    [array([0.33333333, 0.33333333, 0.33333333])]
    """

    symbol = "mean"

    def forward(self, x: Any) -> Any:
        return self._reduce(self._mean, x)

    def _mean(self, x: Any) -> Any:
        x = _numeric.floating(_numeric.as_array(x))
        with _numeric.quiet():  # 0/0 for an empty axis: nan, where np.mean would warn
            return np.sum(x, axis=self.axis, keepdims=self.keepdims) / self.n

    @property
    def n(self) -> int:
        """How many elements each mean of the latest forward averaged."""
        return int(np.prod([self.shape[a] for a in self.axes]))

    def backward(self, dz: Any) -> list[Any]:
        if self.n == 0:  # nothing was averaged: the gradient is empty
            return [np.zeros(self.shape, self.dtype)]
        return [self._spread(dz, 1 / self.n)]

    def local_gradient_formula(self, slot: int) -> str:
        return "1/{n}"


class StackGate(Gate):
    """Stack two or more inputs of one shape along a new last axis: ``z[..., i] = x_i``.

    Each input receives its slice of ``dz``. It gathers the outputs of scalar
    neurons (one node each) into the array a loss takes.

    Attributes
    ----------
    n_inputs : int
        How many inputs the latest forward stacked.

    Examples
    --------
    >>> import numpy as np
    >>> gate = StackGate()
    >>> gate.forward(1.0, 2.0, 3.0)
    array([1., 2., 3.])
    >>> gate.backward(np.array([0.5, -1.0, 2.0]))
    [0.5, -1.0, 2.0]
    """

    symbol = "stack"

    def forward(self, x: Any, *more: Any) -> Any:
        self.n_inputs = 1 + len(more)
        return np.stack([x, *more], axis=-1)

    def backward(self, dz: Any) -> list[Any]:
        dz = _numeric.as_array(dz)
        if dz.ndim > 1 or _numeric.is_lazy(dz):
            return [dz[..., i] for i in range(self.n_inputs)]
        return [dz[i].item() for i in range(self.n_inputs)]

    def local_gradient_formula(self, slot: int) -> str:
        return "1"
