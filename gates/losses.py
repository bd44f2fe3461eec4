"""Loss gates: a batch of predictions and their targets in, one number out.

Every loss is the mean over the batch, so its size does not scale the
gradients. The targets are an input like any other (a node fed with each
mini-batch); where they are class labels, their gradient is zero.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gates import _numeric
from gates.base import Gate

__all__ = ["HingeGate", "MSEGate", "SoftmaxCrossEntropyGate"]


def _mean(x: Any) -> Any:
    """The mean of ``x`` as a Python float (a lazy array's as a lazy number):
    ``nan`` for an empty batch, with no warning."""
    if not x.size:
        return float("nan")
    with _numeric.quiet():
        mean = np.sum(x) / x.size
    return mean if _numeric.is_lazy(mean) else float(mean)


def _same_shape(
    gate: str, prediction: Any, target: Any, what: str
) -> tuple[np.ndarray, np.ndarray]:
    """Both as real float arrays, refusing a complex one and a target that would broadcast
    the prediction to another shape (``(n, 1)`` against ``(n,)`` would compare all pairs)."""
    for value in (prediction, target):
        _numeric.real(gate, value, "a loss takes")
    p = _numeric.floating(_numeric.as_array(prediction))
    t = _numeric.floating(_numeric.as_array(target))
    if np.broadcast_shapes(p.shape, t.shape) != p.shape:
        raise ValueError(
            f"{what} of shape {t.shape} does not fit predictions of shape {p.shape}: "
            "give it the predictions' shape"
        )
    return p, t


class SoftmaxCrossEntropyGate(Gate):
    """Softmax cross-entropy of logits against integer class labels, mean over the batch.

    ``z = mean_i(-log softmax(logits_i)[labels_i])``; the logits' gradient is
    ``(softmax(logits) - onehot(labels)) * dz / n``. The labels are not
    differentiable: their gradient is zero.

    ``forward(logits, labels)`` takes one row of scores per example, shape
    ``(..., classes)`` (one row alone for a single example), and the class of
    each example, integers from 0 to ``classes - 1`` of shape ``(...)``.

    Attributes
    ----------
    probs : numpy.ndarray
        The softmax of the latest logits.

    Raises
    ------
    ValueError
        In ``forward``, if the labels are not integers of the logits' shape
        less the last axis, or lie outside ``0 .. classes - 1``.

    Notes
    -----
    Computed through the largest logit of each row, so no logit is too large:
    logits of +-1e4 give a finite loss and gradient, with no warning.

    Examples
    --------
    >>> import numpy as np
    >>> gate = SoftmaxCrossEntropyGate()
    >>> round(gate.forward(np.array([[2.0, 0.0], [0.0, 0.0]]), np.array([0, 1])), 4)
    0.4100
    >>> dlogits, dlabels = gate.backward(1.0)
    >>> dlogits.round(4)
    array([[-0.0596,  0.0596],
           [ 0.25  , -0.25  ]])
    >>> dlabels
    array([0., 0.])
    >>> gate.forward(np.array([1e4, -1e4]), 1)
    20000.0
    """

    symbol = "softmax-xent"

    def forward(self, logits: Any, labels: Any) -> Any:
        _numeric.real("SoftmaxCrossEntropyGate", logits, "the logits are")
        logits = _numeric.floating(_numeric.as_array(logits))
        labels = _numeric.as_array(labels)
        if logits.ndim == 0:
            raise ValueError("the logits must have an axis of classes, got a single number")
        classes = logits.shape[-1]
        if classes == 0:
            raise ValueError(f"the logits of shape {logits.shape} have no classes")
        if labels.shape != logits.shape[:-1] or labels.dtype.kind not in "iu":
            raise ValueError(
                f"the labels must be integers of shape {logits.shape[:-1]} (the logits' shape "
                f"{logits.shape} less the class axis), got {labels.dtype} of shape {labels.shape}"
            )
        lazy = _numeric.is_lazy(logits) or _numeric.is_lazy(labels)
        if not lazy and labels.size and (labels.min() < 0 or labels.max() >= classes):
            raise ValueError(
                f"labels must lie in 0 .. {classes - 1}, got {labels.min()} .. {labels.max()}"
            )
        with _numeric.quiet():  # near float's limit a shifted logit is -inf: exp gives 0
            shifted = logits - logits.max(axis=-1, keepdims=True)
            exp = np.exp(shifted)
            total = exp.sum(axis=-1, keepdims=True)
            self.probs = exp / total
            if lazy:  # no element is read: a label out of range makes the loss nan
                onehot = labels[..., np.newaxis] == np.arange(classes)
                picked = np.where(onehot, shifted, 0).sum(axis=-1, keepdims=True)
                valid = ((labels >= 0) & (labels < classes))[..., np.newaxis]
                picked = np.where(valid, picked, np.nan)
            else:
                picked = np.take_along_axis(shifted, labels[..., np.newaxis], axis=-1)
            losses = np.log(total) - picked
        self.labels = labels
        return _mean(losses)

    def backward(self, dz: Any) -> list[Any]:
        labels = self.labels
        if _numeric.is_lazy(self.probs) or _numeric.is_lazy(labels):  # no writes in place
            onehot = labels[..., np.newaxis] == np.arange(self.probs.shape[-1])
            with _numeric.quiet():
                grad = (self.probs - onehot) * (dz / max(labels.size, 1))
            return [grad, np.zeros_like(labels, dtype=np.float64)]
        grad = self.probs.copy()
        rows = grad.reshape(-1, grad.shape[-1])  # a view: writes go to grad
        rows[np.arange(rows.shape[0]), labels.reshape(-1)] -= 1
        with _numeric.quiet():
            grad *= dz / max(labels.size, 1)
        return [grad, np.zeros(labels.shape)]


class MSEGate(Gate):
    """Mean squared error: ``z = mean((prediction - target) ** 2)``.

    ``dprediction = 2 (prediction - target) dz / n``; the target's gradient is
    its negative.

    Attributes
    ----------
    diff : numpy.ndarray
        ``prediction - target`` in the latest forward.
    n : int
        How many elements the latest forward averaged.

    Raises
    ------
    ValueError
        In ``forward``, if the target does not broadcast to the prediction's shape.

    Examples
    --------
    >>> import numpy as np
    >>> gate = MSEGate()
    >>> gate.forward(np.array([1.0, 2.0]), np.array([0.0, 4.0]))
    2.5
    >>> gate.backward(1.0)
    [array([ 1., -2.]), array([-1.,  2.])]
    """

    symbol = "mse"

    def forward(self, prediction: Any, target: Any) -> Any:
        p, t = _same_shape("MSEGate", prediction, target, "target")
        with _numeric.quiet():
            self.diff = p - t
            return _mean(self.diff * self.diff)

    @property
    def n(self) -> int:
        """How many elements the latest forward averaged (1 for none)."""
        return max(int(self.diff.size), 1)

    def backward(self, dz: Any) -> list[Any]:
        with _numeric.quiet():
            grad = self.diff * (2 * dz / self.n)
            return [grad, -grad]

    def local_gradient_formula(self, slot: int) -> str:
        formula = "2*({prediction} - {target})/{n}"
        return formula if slot == 0 else "-" + formula


class HingeGate(Gate):
    """Max-margin (hinge) loss of scores against labels of +1 or -1, mean over the batch.

    ``z = mean(max(0, 1 - labels * scores))``: a score on the right side of
    zero by a margin of 1 or more costs nothing. Where the margin is not met,
    ``dscores = -labels * dz / n`` and ``dlabels = -scores * dz / n``.

    Attributes
    ----------
    violated : numpy.ndarray of bool
        Where ``1 - labels * scores > 0`` in the latest forward.

    Raises
    ------
    ValueError
        In ``forward``, if the labels do not broadcast to the scores' shape.

    Notes
    -----
    At the kink, a margin of exactly 1, the gradient is 0, and :meth:`kink`
    says so.

    Examples
    --------
    >>> import numpy as np
    >>> gate = HingeGate()
    >>> gate.forward(np.array([2.0, 0.5, -1.0]), np.array([1.0, 1.0, 1.0]))
    0.8333333333333334
    >>> dscores, dlabels = gate.backward(1.0)
    >>> dscores
    array([ 0.        , -0.33333333, -0.33333333])
    """

    symbol = "hinge"

    def forward(self, scores: Any, labels: Any) -> Any:
        s, y = _same_shape("HingeGate", scores, labels, "labels")
        with _numeric.quiet():
            margins = 1 - y * s
            self.violated = (margins > 0) | np.isnan(margins)
            self.scores, self.labels = s, y
            return _mean(np.maximum(margins, 0))

    def kink(self) -> str | None:
        with _numeric.quiet():
            exact = self.labels * self.scores == 1
        return _numeric.at_kink(
            exact, "a margin of exactly 1 (labels * scores == 1)", "no gradient flows"
        )

    def backward(self, dz: Any) -> list[Any]:
        with _numeric.quiet():
            scale = dz / max(self.violated.size, 1)
            return [
                np.where(self.violated, -self.labels * scale, 0.0),
                np.where(self.violated, -self.scores * scale, 0.0),
            ]
