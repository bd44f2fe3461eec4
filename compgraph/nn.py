"""Layers as graph builders: a few calls add a network's gates and parameters to a graph.

Two flavours of the same maths. The **vector** flavour is one
:class:`~gates.MatMulGate` per layer, fed a batch of rows (fast). The **scalar**
flavour is the lectures' neuron repeated, one gate per multiply, one add per
neuron, one activation per neuron (for teaching and drawing); fed one array per
feature, every gate runs on a whole batch at once. Weights are drawn from a
seeded ``numpy.random.Generator``, so a seed gives the same weights in both.

Examples
--------
>>> import numpy as np
>>> from compgraph import ComputationalGraph, nn
>>> g = ComputationalGraph()
>>> x = nn.batch_input(g, "x", 2)
>>> h = nn.dense(g, "h1", x, 16, activation="relu")
>>> out = nn.dense(g, "out", h, 1)
>>> sorted(g.parameters())
['h1.W', 'h1.b', 'out.W', 'out.b']
>>> g.forward(x=np.ones((5, 2))).shape
(5, 1)
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from compgraph.errors import DuplicateNodeError, NodeNotFoundError
from compgraph.graph import ComputationalGraph
from gates.arithmetic import AddGate, MulGate
from gates.base import Gate
from gates.elementwise import ReLUGate, SigmoidGate, TanhGate
from gates.linalg import MatMulGate, StackGate

__all__ = ["MLP", "batch_input", "dense", "dense_scalar", "init_weights", "mlp", "scalar_inputs"]

ACTIVATIONS: dict[str, type[Gate]] = {"relu": ReLUGate, "tanh": TanhGate, "sigmoid": SigmoidGate}

Seed = np.random.Generator | int

# How many features each node built here carries, per graph, so that ``dense``
# needs no input size.
_WIDTHS: weakref.WeakKeyDictionary[ComputationalGraph, dict[str, int]] = weakref.WeakKeyDictionary()


def init_weights(
    rng: Seed, n_in: int, n_out: int, activation: str | None = None, dtype: Any = np.float64
) -> tuple[np.ndarray, np.ndarray]:
    """A weight matrix of shape ``(n_in, n_out)`` and zero biases of shape ``(n_out,)``.

    Weights are normal with standard deviation ``sqrt(2 / n_in)`` before a ReLU
    and ``sqrt(1 / n_in)`` otherwise, so signals keep their scale through layers.

    Examples
    --------
    >>> w, b = init_weights(0, 3, 2)
    >>> w.shape, b.tolist()
    ((3, 2), [0.0, 0.0])
    """
    gain = 2.0 if activation == "relu" else 1.0
    w = np.random.default_rng(rng).standard_normal((n_in, n_out)) * np.sqrt(gain / n_in)
    return w.astype(dtype), np.zeros(n_out, dtype=dtype)


def batch_input(g: ComputationalGraph, name: str, width: int) -> str:
    """Add the input node ``name``, fed batches of rows of ``width`` features.

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> batch_input(ComputationalGraph(), "x", 2)
    'x'
    """
    g.add_input(name)
    _WIDTHS.setdefault(g, {})[name] = width
    return name


def dense(
    g: ComputationalGraph,
    name: str,
    x: str,
    units: int,
    *,
    activation: str | None = None,
    in_units: int | None = None,
    rng: Seed = 0,
    dtype: Any = np.float64,
) -> str:
    """Add a dense layer on node ``x``: ``name = activation(x @ W + b)``; return ``name``.

    Adds the parameters ``name.W`` (``in_units`` by ``units``) and ``name.b``,
    the gates ``name.xW`` (:class:`~gates.MatMulGate`) and ``name.z`` (the
    bias added; it is ``name`` itself without activation), and the activation
    gate ``name``.

    Parameters
    ----------
    g : ComputationalGraph
        The graph to add to.
    name : str
        The layer's output node, and the prefix of its other nodes.
    x : str
        The node fed into the layer: batches of rows.
    units : int
        How many outputs (neurons).
    activation : {"relu", "tanh", "sigmoid"} or None, optional
        Applied to every output; none by default.
    in_units : int, optional
        How many features ``x`` has; known already when ``x`` was made by
        :func:`input` or :func:`dense`.
    rng : numpy.random.Generator or int, optional
        Where the weights come from (a seed makes a new generator).
    dtype : numpy dtype, optional
        Of the parameters (default float64).

    Raises
    ------
    NodeNotFoundError
        If ``x`` is not a node.
    DuplicateNodeError
        If a node the layer would add exists already (nothing is added).
    ValueError
        If the activation is unknown or the input size is not known.
    """
    names = [f"{name}.W", f"{name}.b", f"{name}.xW", name]
    if activation is not None:
        names.append(f"{name}.z")
    _check_layer(g, "dense", name, [x], names, activation)
    n_in = _width(g, "dense", name, x) if in_units is None else in_units
    w, b = init_weights(rng, n_in, units, activation, dtype)
    g.add_parameter(f"{name}.W", w)
    g.add_parameter(f"{name}.b", b)
    g.add_gate(f"{name}.xW", MatMulGate(), [x, f"{name}.W"])
    if activation is None:
        g.add_gate(name, AddGate(), [f"{name}.xW", f"{name}.b"])
    else:
        g.add_gate(f"{name}.z", AddGate(), [f"{name}.xW", f"{name}.b"])
        g.add_gate(name, ACTIVATIONS[activation](), [f"{name}.z"])
    _WIDTHS.setdefault(g, {})[name] = units
    return name


def scalar_inputs(g: ComputationalGraph, name: str, width: int) -> list[str]:
    """Add one input node per feature, ``name[0]`` to ``name[width - 1]``; return their names.

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> scalar_inputs(ComputationalGraph(), "x", 2)
    ['x[0]', 'x[1]']
    """
    return [g.add_input(f"{name}[{i}]") for i in range(width)]


def dense_scalar(
    g: ComputationalGraph,
    name: str,
    xs: Sequence[str],
    units: int,
    *,
    activation: str | None = None,
    rng: Seed = 0,
) -> list[str]:
    """Add a dense layer as the lectures' neurons; return its output nodes ``name[j]``.

    Neuron ``j`` is ``name[j] = activation(xs[0] * W[0,j] + xs[1] * W[1,j] + ... + b[j])``:
    one parameter per weight (``name.W[i,j]``) and bias (``name.b[j]``), one
    :class:`~gates.MulGate` per weight (``name.xW[i,j]``), one
    :class:`~gates.AddGate` per neuron (``name.z[j]``, which is ``name[j]``
    itself without activation), and one activation gate per neuron. The same
    ``rng`` gives the same weights as :func:`dense`.

    Parameters
    ----------
    g : ComputationalGraph
        The graph to add to.
    name : str
        The prefix of the layer's nodes.
    xs : sequence of str
        The nodes fed into the layer, one per feature.
    units : int
        How many neurons.
    activation : {"relu", "tanh", "sigmoid"} or None, optional
        Applied to every neuron; none by default.
    rng : numpy.random.Generator or int, optional
        Where the weights come from (a seed makes a new generator).

    Raises
    ------
    NodeNotFoundError
        If a node of ``xs`` is not in the graph.
    DuplicateNodeError
        If a node the layer would add exists already (nothing is added).
    ValueError
        If the activation is unknown.

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph()
    >>> dense_scalar(g, "h", scalar_inputs(g, "x", 2), 1, activation="sigmoid")
    ['h[0]']
    >>> g.inputs("h.z[0]")
    ['h.xW[0,0]', 'h.xW[1,0]', 'h.b[0]']
    """
    names = []
    for j in range(units):
        names += [f"{name}.W[{i},{j}]" for i in range(len(xs))]
        names += [f"{name}.xW[{i},{j}]" for i in range(len(xs))]
        names += [f"{name}.b[{j}]", f"{name}[{j}]"]
        if activation is not None:
            names.append(f"{name}.z[{j}]")
    _check_layer(g, "dense_scalar", name, xs, names, activation)
    w, b = init_weights(rng, len(xs), units, activation)
    outputs = []
    for j in range(units):
        terms = []
        for i, x in enumerate(xs):
            weight = g.add_parameter(f"{name}.W[{i},{j}]", float(w[i, j]))
            terms.append(g.add_gate(f"{name}.xW[{i},{j}]", MulGate(), [x, weight]))
        terms.append(g.add_parameter(f"{name}.b[{j}]", float(b[j])))
        if activation is None:
            outputs.append(g.add_gate(f"{name}[{j}]", AddGate(), terms))
        else:
            z = g.add_gate(f"{name}.z[{j}]", AddGate(), terms)
            outputs.append(g.add_gate(f"{name}[{j}]", ACTIVATIONS[activation](), [z]))
    return outputs


@dataclass(frozen=True)
class MLP:
    """A network :func:`mlp` added to a graph: where data goes in and where scores come out.

    Attributes
    ----------
    inputs : list of str
        The input nodes: one (``"x"``) in the vector flavour, one per feature
        in the scalar flavour.
    output : str
        The node of the scores, shape ``(batch, sizes[-1])`` in both flavours.
    flavour : {"vector", "scalar"}
        How it was built.
    """

    inputs: list[str]
    output: str
    flavour: Literal["vector", "scalar"]

    def feeds(self, x: Any) -> dict[str, Any]:
        """The feeds that put a batch of rows ``x`` (shape ``(batch, features)``) in."""
        if self.flavour == "vector":
            return {self.inputs[0]: x}
        return {name: x[:, i] for i, name in enumerate(self.inputs)}


def mlp(
    g: ComputationalGraph,
    sizes: Sequence[int],
    *,
    activation: str = "relu",
    flavour: Literal["vector", "scalar"] = "vector",
    input_name: str = "x",
    prefix: str = "layer",
    rng: Seed = 0,
    dtype: Any = np.float64,
) -> MLP:
    """Add a multilayer perceptron: ``sizes[0]`` features in, ``sizes[-1]`` scores out.

    Layers ``layer1``, ``layer2``, ... each dense, with ``activation`` after
    every layer but the last. The scalar flavour gathers its last neurons with
    a :class:`~gates.StackGate` named like the vector flavour's output, so both
    have the same output node, shape and, for one seed, the same weights.

    Parameters
    ----------
    g : ComputationalGraph
        The graph to add to.
    sizes : sequence of int
        The widths, input first: ``[2, 16, 16, 1]``.
    activation : {"relu", "tanh", "sigmoid"}, optional
        After each hidden layer (default ``"relu"``).
    flavour : {"vector", "scalar"}, optional
        One MatMulGate per layer, or one gate per multiply and add.
    input_name : str, optional
        The input node (vector) or the prefix of the input nodes (scalar).
    prefix : str, optional
        Of the layers' names.
    rng : numpy.random.Generator or int, optional
        Where the weights come from (a seed makes a new generator).
    dtype : numpy dtype, optional
        Of the vector flavour's parameters (the scalar flavour's are Python floats).

    Raises
    ------
    ValueError
        If there are fewer than two sizes, or the flavour or activation is unknown.

    Examples
    --------
    >>> import numpy as np
    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph()
    >>> net = mlp(g, [2, 3, 1], flavour="scalar")
    >>> net.inputs, net.output
    (['x[0]', 'x[1]'], 'layer2')
    >>> g.forward(net.feeds(np.zeros((4, 2)))).shape
    (4, 1)
    """
    if len(sizes) < 2:
        raise ValueError(f"mlp: sizes needs the input width and at least one layer, got {sizes}")
    if flavour not in ("vector", "scalar"):
        raise ValueError(f"mlp: flavour must be 'vector' or 'scalar', got {flavour!r}")
    generator = np.random.default_rng(rng)
    last = len(sizes) - 1
    if flavour == "vector":
        node = batch_input(g, input_name, sizes[0])
        for k in range(1, len(sizes)):
            node = dense(
                g,
                f"{prefix}{k}",
                node,
                sizes[k],
                activation=activation if k < last else None,
                rng=generator,
                dtype=dtype,
            )
        return MLP([input_name], node, "vector")
    nodes = inputs = scalar_inputs(g, input_name, sizes[0])
    for k in range(1, len(sizes)):
        nodes = dense_scalar(
            g,
            f"{prefix}{k}",
            nodes,
            sizes[k],
            activation=activation if k < last else None,
            rng=generator,
        )
    output = g.add_gate(f"{prefix}{last}", StackGate(), nodes)
    return MLP(inputs, output, "scalar")


def _width(g: ComputationalGraph, where: str, name: str, x: str) -> int:
    width = _WIDTHS.get(g, {}).get(x)
    if width is None:
        raise ValueError(
            f"{where} {name!r}: how many features {x!r} has is unknown; pass in_units= "
            f"or make it with compgraph.nn.batch_input(g, {x!r}, width)"
        )
    return width


def _check_layer(
    g: ComputationalGraph,
    where: str,
    name: str,
    xs: Sequence[str],
    names: list[str],
    activation: str | None,
) -> None:
    """Refuse a layer before adding anything, so a refused layer leaves the graph as it was."""
    if activation is not None and activation not in ACTIVATIONS:
        raise ValueError(
            f"{where} {name!r}: unknown activation {activation!r}; "
            f"use one of {sorted(ACTIVATIONS)} or None"
        )
    for x in xs:
        if x not in g:
            raise NodeNotFoundError(f"{where} {name!r}: input {x!r} is not a node", name, x)
    for node in names:
        if node in g:
            raise DuplicateNodeError(
                f"{where} {name!r}: the graph already has a node {node!r}", node
            )
