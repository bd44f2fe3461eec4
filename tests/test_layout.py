"""compgraph.layout: where nodes and wires go, and what each wire carries."""

from __future__ import annotations

import subprocess
import sys

from compgraph import ComputationalGraph
from compgraph.layout import arrange, layout, node_label, routes, wires
from gates import Gate


class Untitled(Gate):
    """A gate without a symbol."""

    def forward(self, x):
        return x

    def backward(self, dz):
        return [dz]


def test_forks_get_a_wire_and_a_gradient_each() -> None:
    g = ComputationalGraph.from_expression("x * x + x")
    g.forward(x=3)
    g.backward()
    into = [
        (w.source, w.target, w.gradient, w.repeat, w.copies) for w in wires(g) if w.source == "x"
    ]
    assert into == [
        ("x", "x * x", "3", 0, 2),
        ("x", "x * x", "3", 1, 2),
        ("x", "x * x + x", "1", 0, 1),
    ]
    assert g.grad("x") == 7


def test_layout_is_layered_left_to_right() -> None:
    g = ComputationalGraph.from_expression("max(w * x + b, 0) * 2")
    places = layout(g)
    for name in g:
        for source in g.inputs(name):
            assert places[source][0] < places[name][0]
    assert {places[n][0] for n in ("w", "x", "b")} == {0}
    # the constant 0 sits just before the max gate, not on the far left
    assert places["0"][0] == places["max(w * x + b, 0)"][0] - 1
    # b's wire skips the layer of w * x through a place of its own
    assert [layer for layer, _ in routes(g)[("b", "w * x + b")]] == [1]
    assert routes(g)[("w", "w * x")] == []
    heights = [h for layer, h in places.values() if layer == 1]
    assert len(set(heights)) == len(heights)


def test_the_lectures_circuit_has_its_places_and_wires() -> None:
    g = ComputationalGraph.from_expression("(x + y) * z")
    assert arrange(g) == (layout(g), routes(g))
    assert layout(g) == {
        "x": (0, 1.0),
        "y": (0, 0.0),
        "z": (0, -1.0),
        "x + y": (1, 0.5),
        "(x + y) * z": (2, 0.0),
    }
    assert routes(g) == {
        ("x", "x + y"): [],
        ("y", "x + y"): [],
        ("x + y", "(x + y) * z"): [],
        ("z", "(x + y) * z"): [(1, -0.5)],
    }
    g.forward(x=-2, y=5, z=-4)
    assert [(w.value, w.gradient) for w in wires(g)] == [
        ("-2", None),
        ("5", None),
        ("3", None),
        ("-4", None),
        ("-12", None),
    ]
    g.backward()
    assert [(w.value, w.gradient) for w in wires(g, digits=0)][-2:] == [("-4", "3"), ("-12", "1")]


def test_node_labels() -> None:
    g = ComputationalGraph.from_expression("max(x, 0)")
    g.add_gate("same", Untitled(), ["max(x, 0)"])
    assert [node_label(g, name) for name in g] == [
        ("x", False),
        ("0", False),  # a constant is drawn as a leaf
        ("max", True),
        ("Untitled", True),  # no symbol: the class's name
    ]


def test_layout_and_dot_need_no_matplotlib() -> None:
    code = (
        "import sys; from compgraph import ComputationalGraph; from compgraph.dot import to_dot; "
        "from compgraph.layout import layout; g = ComputationalGraph.from_expression('x * y'); "
        "layout(g); to_dot(g); print('matplotlib' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False"]
