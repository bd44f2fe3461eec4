"""Optimizers: update a graph's parameters from the gradients of its latest backward pass.

Call ``step()`` after each ``backward()``. A step computes every new value
first and only then writes them; if the writing is interrupted (Ctrl-C), the
values it had written are put back, so the parameters are always those of a
whole step.

Examples
--------
Minimise ``(w - 3) ** 2`` from ``w = 0``:

>>> from compgraph import ComputationalGraph
>>> from gates import AddConstantGate, PowGate
>>> g = ComputationalGraph()
>>> _ = g.add_parameter("w", 0.0)
>>> _ = g.add_gate("d", AddConstantGate(-3), ["w"])
>>> _ = g.add_gate("loss", PowGate(2), ["d"])
>>> opt = SGD(g, lr=0.25)
>>> for _ in range(3):
...     _ = g.forward()
...     _ = g.backward()
...     opt.step()
>>> g.value("w")
2.625
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

from compgraph.errors import NodeKindError
from compgraph.graph import ComputationalGraph
from gates._numeric import is_lazy

__all__ = ["SGD", "Adam", "Optimizer"]


class Optimizer:
    """Base class: which parameters of which graph, the learning rate, and the
    all-or-nothing step. Subclasses define ``_update``.

    Parameters
    ----------
    graph : ComputationalGraph
        The graph whose parameters are trained.
    lr : float
        The learning rate; it may be changed between steps (a schedule).
    params : iterable of str, optional
        The parameters to train; all of the graph's by default.

    Attributes
    ----------
    steps : int
        How many steps have been taken.

    Raises
    ------
    NodeNotFoundError
        If a name in ``params`` is not a node.
    NodeKindError
        If a name in ``params`` is not a parameter.
    TypeError
        If ``lr`` is not a number.
    ValueError
        If there is no parameter to train, or ``lr`` is not positive and finite.
    """

    def __init__(
        self, graph: ComputationalGraph, lr: float, params: Iterable[str] | None = None
    ) -> None:
        names = list(graph.parameters()) if params is None else list(params)
        for name in names:
            kind = graph.kind(name)
            if kind != "parameter":
                article = "an" if kind == "input" else "a"
                raise NodeKindError(
                    f"{type(self).__name__}: {name!r} is {article} {kind}, not a parameter", name
                )
        if not names:
            raise ValueError(f"{type(self).__name__}: the graph has no parameters to train")
        self.graph = graph
        self.names = names
        self._lr: float
        self.lr = lr
        self.steps = 0
        self._state: dict[str, Any] = {}

    @property
    def lr(self) -> float:
        """The learning rate: a positive finite number, checked when set."""
        return self._lr

    @lr.setter
    def lr(self, lr: object) -> None:
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
            raise TypeError(
                f"{type(self).__name__}: the learning rate must be a number, "
                f"got {type(lr).__name__} {lr!r}"
            )
        rate = float(lr)
        if not (math.isfinite(rate) and rate > 0):
            raise ValueError(
                f"{type(self).__name__}: the learning rate must be positive and finite, got {lr}"
            )
        self._lr = rate

    def step(self) -> None:
        """Update every parameter from its gradient in the latest backward pass.

        Raises
        ------
        NoBackwardPassError
            If no backward pass followed the latest forward pass.
        """
        graph = self.graph
        grads = {name: graph.grad(name) for name in self.names}
        old = {name: graph.value(name) for name in self.names}
        new, state = self._update(old, grads, self.steps + 1)
        try:
            for name in self.names:
                graph.set_value(name, _like(new[name], old[name]))
        except BaseException:  # Ctrl-C while writing: put every value back
            for name in self.names:
                graph.set_value(name, old[name])
            raise
        self._state = state
        self.steps += 1

    def _update(
        self, values: dict[str, Any], grads: dict[str, Any], t: int
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The new values and the new state after step ``t``; changes nothing."""
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, with momentum if asked.

    ``v = momentum * v + grad`` (``v`` starts as the first gradient), then
    ``p = p - lr * v``. Without momentum, ``p = p - lr * grad``.

    Parameters
    ----------
    graph : ComputationalGraph
        The graph whose parameters are trained.
    lr : float, optional
        The learning rate (default 0.01).
    momentum : float, optional
        How much of the previous velocity to keep (default 0: none).
    params : iterable of str, optional
        The parameters to train; all of the graph's by default.

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> from gates import MulGate
    >>> g = ComputationalGraph()
    >>> _ = g.add_parameter("w", 1.0), g.add_input("x"), g.add_gate("y", MulGate(), ["w", "x"])
    >>> opt = SGD(g, lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     _ = g.forward(x=2.0)
    ...     _ = g.backward()
    ...     opt.step()
    >>> round(g.value("w"), 6)                   # 1 - 0.1*2, then - 0.1*(0.9*2 + 2)
    0.42
    """

    def __init__(
        self,
        graph: ComputationalGraph,
        lr: float = 0.01,
        momentum: float = 0.0,
        params: Iterable[str] | None = None,
    ) -> None:
        super().__init__(graph, lr, params)
        if not 0 <= momentum < 1:
            raise ValueError(f"SGD: momentum must be in [0, 1), got {momentum}")
        self.momentum = momentum

    def _update(
        self, values: dict[str, Any], grads: dict[str, Any], t: int
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        lr, momentum = self.lr, self.momentum
        if not momentum:
            return {name: _minus_scaled(values[name], lr, grads[name]) for name in values}, {}
        velocity = {
            name: grads[name] if t == 1 else momentum * self._state[name] + grads[name]
            for name in values
        }
        return {name: _minus_scaled(values[name], lr, velocity[name]) for name in values}, velocity


class Adam(Optimizer):
    """Adam: steps scaled by running averages of the gradient and its square.

    ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g**2``, both corrected for
    their start at zero (``m / (1 - b1**t)``, ``v / (1 - b2**t)``), then
    ``p = p - lr * m_hat / (sqrt(v_hat) + eps)``.

    Parameters
    ----------
    graph : ComputationalGraph
        The graph whose parameters are trained.
    lr : float, optional
        The learning rate (default 0.001).
    betas : tuple of float, optional
        ``(b1, b2)``, the decay of the two averages (default ``(0.9, 0.999)``).
    eps : float, optional
        Added to the denominator (default 1e-8).
    params : iterable of str, optional
        The parameters to train; all of the graph's by default.

    Examples
    --------
    The first step moves every parameter by ``lr`` against its gradient's sign:

    >>> from compgraph import ComputationalGraph
    >>> from gates import MulGate
    >>> g = ComputationalGraph()
    >>> _ = g.add_parameter("w", 1.0), g.add_input("x"), g.add_gate("y", MulGate(), ["w", "x"])
    >>> opt = Adam(g, lr=0.1)
    >>> _ = g.forward(x=-5.0)
    >>> _ = g.backward()
    >>> opt.step()
    >>> round(g.value("w"), 6)
    1.1
    """

    def __init__(
        self,
        graph: ComputationalGraph,
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        params: Iterable[str] | None = None,
    ) -> None:
        super().__init__(graph, lr, params)
        if not all(0 <= b < 1 for b in betas):
            raise ValueError(f"Adam: betas must be in [0, 1), got {betas}")
        self.betas = betas
        self.eps = eps

    def _update(
        self, values: dict[str, Any], grads: dict[str, Any], t: int
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        b1, b2 = self.betas
        step = self.lr / (1 - b1**t)
        correction = 1 / (1 - b2**t)
        new, state = {}, {}
        for name, value in values.items():
            g = grads[name]
            m0, v0 = self._state.get(name, (0.0, 0.0))
            m = b1 * m0 + (1 - b1) * g
            v = b2 * v0 + (1 - b2) * (g * g)
            root = math.sqrt(v * correction) if isinstance(v, float) else np.sqrt(v * correction)
            new[name] = value - step * m / (root + self.eps)
            state[name] = (m, v)
        return new, state


def _minus_scaled(value: Any, lr: float, grad: Any) -> Any:
    """``value - lr * grad``, written into the new array ``lr * grad`` when it
    has the value's shape and type (one new array per step instead of two)."""
    scaled = lr * grad
    if (
        isinstance(scaled, np.ndarray)
        and isinstance(value, np.ndarray)
        and scaled.shape == value.shape
        and scaled.dtype == value.dtype
    ):
        return np.subtract(value, scaled, out=scaled)
    return value - scaled


def _like(new: Any, old: Any) -> Any:
    """``new`` as a Python float where the parameter was one (numpy may hand back
    its scalars; a lazy number stays lazy); a new array made read-only, so that
    the graph keeps it uncopied."""
    if isinstance(new, np.ndarray):
        new.flags.writeable = False
        return new
    if type(old) is float and type(new) is not float and not is_lazy(new):
        return float(new)
    return new
