"""The lectures' worked examples, built as graphs with the values the lectures use.

Each builder returns the graph and the feeds of the lecture's example;
:func:`demo` prints them all as tables (``compgraph demo``),
:func:`draw_examples` draws them (``compgraph demo --draw DIR``) and
:func:`write_pages` writes a page to step through each (``compgraph demo --html DIR``).

Examples
--------
>>> g, feeds = three_times_a_plus_bc()
>>> g.forward(feeds), sorted(g.backward().items())
(39, [('J', 1), ('a', 3), ('b', 6), ('c', 12), ('u', 3), ('v', 3)])
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from compgraph.graph import ComputationalGraph
from compgraph.table import format_number, format_table, pass_table
from gates.arithmetic import AddConstantGate, AddGate, MulConstantGate, MulGate, ReciprocalGate
from gates.elementwise import ExpGate, SigmoidGate

__all__ = [
    "EXAMPLES",
    "demo",
    "draw_examples",
    "grouped_neuron",
    "neuron",
    "the_exercise",
    "three_times_a_plus_bc",
    "write_pages",
    "x_plus_y_times_z",
]

Feeds = dict[str, Any]


def three_times_a_plus_bc() -> tuple[ComputationalGraph, Feeds]:
    """``J = 3(a + bc)`` at ``a = 5, b = 4, c = 2``: ``u = bc``, ``v = a + u``, ``J = 3v``."""
    g = ComputationalGraph()
    for name in "abc":
        g.add_input(name)
    g.add_gate("u", MulGate(), ["b", "c"])
    g.add_gate("v", AddGate(), ["a", "u"])
    g.add_gate("J", MulConstantGate(3), ["v"])
    return g, {"a": 5, "b": 4, "c": 2}


def x_plus_y_times_z() -> tuple[ComputationalGraph, Feeds]:
    """``f = (x + y) z`` at ``x = -2, y = 5, z = -4``: ``q = x + y``, ``f = qz``."""
    g = ComputationalGraph()
    for name in "xyz":
        g.add_input(name)
    g.add_gate("q", AddGate(), ["x", "y"])
    g.add_gate("f", MulGate(), ["q", "z"])
    return g, {"x": -2, "y": 5, "z": -4}


def neuron(decomposed: bool = False) -> tuple[ComputationalGraph, Feeds]:
    """The 2-input sigmoid neuron ``f = 1 / (1 + exp(-(w0 x0 + w1 x1 + w2)))``
    at ``w = [2, -3, -3]``, ``x = [-1, -2]``; the weights are parameters.

    With ``decomposed=True`` the sigmoid is the lectures' chain of gates
    ``*-1``, ``exp``, ``+1``, ``1/x``; otherwise one :class:`gates.SigmoidGate`.
    """
    g = ComputationalGraph()
    for name, value in (("w0", 2.0), ("w1", -3.0), ("w2", -3.0)):
        g.add_parameter(name, value)
    g.add_input("x0")
    g.add_input("x1")
    g.add_gate("w0*x0", MulGate(), ["w0", "x0"])
    g.add_gate("w1*x1", MulGate(), ["w1", "x1"])
    g.add_gate("sum", AddGate(), ["w0*x0", "w1*x1"])
    g.add_gate("dot", AddGate(), ["sum", "w2"])
    if decomposed:
        g.add_gate("neg", MulConstantGate(-1), ["dot"])
        g.add_gate("exp", ExpGate(), ["neg"])
        g.add_gate("plus1", AddConstantGate(1), ["exp"])
        g.add_gate("f", ReciprocalGate(), ["plus1"])
    else:
        g.add_gate("f", SigmoidGate(), ["dot"])
    return g, {"x0": -1.0, "x1": -2.0}


def grouped_neuron() -> tuple[ComputationalGraph, Feeds]:
    """The decomposed neuron with its ``*-1``, ``exp``, ``+1``, ``1/x`` grouped
    into one composite gate ``f``, labelled ``σ`` (see
    :meth:`ComputationalGraph.group`): the lectures' "we can group multiple
    gates into a single gate".

    Examples
    --------
    >>> g, feeds = grouped_neuron()
    >>> round(g.forward(feeds), 2), g.inputs("f"), list(g.gate("f").graph)
    (0.73, ['dot'], ['dot', 'neg', 'exp', 'plus1', 'f'])
    """
    g, feeds = neuron(decomposed=True)
    g.group("f", ["neg", "exp", "plus1", "f"], symbol="σ")
    return g, feeds


def the_exercise() -> tuple[ComputationalGraph, Feeds]:
    """The lectures' exercise ``f(x, y) = (x + σ(y)) / (σ(x) + (x + y)^2)``, at
    ``x = 3, y = -4``, built from its expression.

    Examples
    --------
    >>> g, feeds = the_exercise()
    >>> round(g.forward(feeds), 4), {name: round(grad, 4) for name, grad in g.backward().items()
    ...                               if name in feeds}
    (1.5456, {'x': 2.0596, 'y': 1.5922})
    """
    g = ComputationalGraph.from_expression("(x + sigmoid(y)) / (sigmoid(x) + (x + y) ** 2)")
    return g, {"x": 3, "y": -4}


#: (title, formula, builder) for each worked example, in the lectures' order.
EXAMPLES = [
    ("J = 3(a + bc)", "a=5, b=4, c=2", three_times_a_plus_bc),
    ("f = (x + y)z", "x=-2, y=5, z=-4", x_plus_y_times_z),
    (
        "sigmoid neuron, one sigmoid gate",
        "f = σ(w0*x0 + w1*x1 + w2), w = [2, -3, -3], x = [-1, -2]",
        neuron,
    ),
    (
        "sigmoid neuron, decomposed",
        "f = 1 / (1 + exp(-(w0*x0 + w1*x1 + w2))), same values",
        lambda: neuron(decomposed=True),
    ),
    (
        "sigmoid neuron, the four gates grouped into one",
        "f = σ(w0*x0 + w1*x1 + w2) with σ the composite of *-1, exp, +1, 1/x",
        grouped_neuron,
    ),
    ("the exercise", "x=3, y=-4 in f = (x + σ(y)) / (σ(x) + (x + y)^2)", the_exercise),
]


def demo(digits: int = 2) -> str:
    """The lectures' worked examples: one table of node, gate, value and gradient
    each, then the three forms of the sigmoid neuron side by side.

    Parameters
    ----------
    digits : int, optional
        Decimals to round to (2, as the lectures).

    Returns
    -------
    str
        The text ``compgraph demo`` prints.

    Examples
    --------
    >>> text = demo()
    >>> print(text.splitlines()[0])
    J = 3(a + bc)   at a=5, b=4, c=2
    >>> for line in text.splitlines()[-9:-2]:
    ...     print(line)
    f (value)    0.73          0.73               0.73
    d f / d w0   -0.2          -0.2               -0.2
    d f / d x0   0.39          0.39               0.39
    d f / d w1   -0.39         -0.39              -0.39
    d f / d x1   -0.59         -0.59              -0.59
    d f / d w2   0.2           0.2                0.2
    d f / d dot  0.2           0.2                0.2
    """
    parts = []
    for title, formula, build in EXAMPLES:
        g, feeds = build()
        g.forward(feeds)
        g.backward()
        parts.append(f"{title}   at {formula}\n\n{pass_table(g, digits)}\n")
    parts.append(_neuron_agreement(digits))
    return "\n".join(parts)


def _neuron_agreement(digits: int) -> str:
    """The one-gate, the decomposed and the grouped neuron side by side, and how
    far apart they are."""
    graphs = [neuron(), neuron(decomposed=True), grouped_neuron()]
    grads = []
    for g, feeds in graphs:
        g.forward(feeds)
        grads.append(g.backward())
    rows = [["f (value)", *(format_number(g.value("f"), digits) for g, _ in graphs)]]
    rows += [
        [f"d f / d {name}", *(format_number(each[name], digits) for each in grads)]
        for name in ("w0", "x0", "w1", "x1", "w2", "dot")
    ]
    one_gate = graphs[0][0]
    largest = max(
        max(
            abs(one_gate.value("f") - g.value("f")), *(abs(grads[0][n] - each[n]) for n in grads[0])
        )
        for (g, _), each in zip(graphs[1:], grads[1:])
    )
    table = format_table(["", "sigmoid gate", "*-1, exp, +1, 1/x", "grouped into σ"], rows)
    return (
        f"The three neurons agree:\n\n{table}\n\n"
        f"largest difference in value or gradient: {largest:.1e}\n"
    )


def draw_examples(folder: str | Path, digits: int = 2) -> list[Path]:
    """Draw each worked example after its pass, as ``folder/<title>.svg``.

    The folder is made if it is missing. Needs matplotlib (the ``viz`` extra).

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of :data:`EXAMPLES`.

    Raises
    ------
    OSError
        If the folder or a file cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> [path.name for path in draw_examples(tempfile.mkdtemp())]
    ... # doctest: +NORMALIZE_WHITESPACE
    ['j-3-a-bc.svg', 'f-x-y-z.svg', 'sigmoid-neuron-one-sigmoid-gate.svg',
     'sigmoid-neuron-decomposed.svg', 'sigmoid-neuron-the-four-gates-grouped-into-one.svg',
     'the-exercise.svg']
    """
    return [g.draw(path.with_suffix(".svg"), digits) for path, _, g in _passed(folder)]


def write_pages(folder: str | Path, digits: int = 2) -> list[Path]:
    """Write a page to step through each worked example's pass
    (:meth:`ComputationalGraph.to_html`), as ``folder/<title>.html``.

    The folder is made if it is missing.

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of :data:`EXAMPLES`.

    Raises
    ------
    OSError
        If the folder or a file cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> [path.name for path in write_pages(tempfile.mkdtemp())][:2]
    ['j-3-a-bc.html', 'f-x-y-z.html']
    """
    return [
        g.to_html(path.with_suffix(".html"), digits, title=title)
        for path, title, g in _passed(folder)
    ]


def _passed(folder: str | Path) -> list[tuple[Path, str, ComputationalGraph]]:
    """Each worked example after its forward and backward pass, with the path
    in ``folder`` (made if missing) its files are named by, and its title."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    examples = []
    for title, formula, build in EXAMPLES:
        g, feeds = build()
        g.forward(feeds)
        g.backward()
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        examples.append((Path(folder) / slug, f"{title}, at {formula}", g))
    return examples
