"""compgraph.layout: where nodes and wires go, and what each wire carries."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compgraph import ComputationalGraph
from compgraph.errors import OutputError
from compgraph.layout import (
    arrange,
    check_drawable,
    crossings,
    layout,
    node_label,
    readable,
    routes,
    wires,
)
from compgraph.nn import mlp
from gates import Gate, MulGate


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
        "x": (0, 0.75),
        "y": (0, -0.25),
        "z": (0, -1.25),
        "x + y": (1, 0.25),
        "(x + y) * z": (2, -0.5),
    }
    assert routes(g) == {
        ("x", "x + y"): [],
        ("y", "x + y"): [],
        ("x + y", "(x + y) * z"): [],
        ("z", "(x + y) * z"): [(1, -1.25)],
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
    odd = Untitled()
    odd.symbol = 5  # type: ignore[assignment]
    g.add_gate("odd", odd, ["same"])
    assert [node_label(g, name) for name in g] == [
        ("x", False),
        ("0", False),  # a constant is drawn as a leaf
        ("max", True),
        ("Untitled", True),  # no symbol: the class's name
        ("Untitled", True),  # nor one that is not text
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


def test_readable_escapes_what_cannot_be_shown() -> None:
    assert readable("x0") == "x0"
    assert readable("$\\frac$ 'q' \"z\"") == "$\\frac$ 'q' \"z\""  # printable: as it is
    assert readable("a\x1bb\x00") == "a\\x1bb\\x00"
    assert readable("two\nlines\tand\r") == "two\\nlines\\tand\\r"
    assert readable("\ud800 \x85 \u200b \ufffe") == "\\ud800 \\x85 \\u200b \\ufffe"
    assert readable("σ ∂ é") == "σ ∂ é"


def test_readable_shortens_in_the_middle() -> None:
    assert readable("x" * 30, 30) == "x" * 30
    assert readable("abcdefghij" * 3 + "!", 10) == "abcde…hij!"
    assert len(readable("x" * 10_000, 30)) == 30
    # an escape is kept whole or left out
    assert readable("\x1b" * 20, 10) == "\\x1b…\\x1b"
    assert readable("\x00", 3) == "…"


def test_numbers_on_the_wires_stay_short() -> None:
    g = ComputationalGraph.from_expression("x * y")
    g.forward(x=10**200, y=1)
    assert [w.value for w in wires(g)] == ["1e+200", "1", "1e+200"]
    g.forward(x=10**5000, y=-1)  # beyond what str() of an int allows
    assert [w.value for w in wires(g)] == ["1e+5000", "-1", "-1e+5000"]
    g.forward(x=1.5e300, y=float("nan"))
    assert [w.value for w in wires(g)] == ["1.5e+300", "nan", "nan"]
    g.forward(x=-(10**39), y=float("-inf"))
    assert [w.value for w in wires(g, digits=3)] == ["-1e+39", "-inf", "inf"]
    g.forward(x=1e40, y=1e39)
    assert [w.value for w in wires(g)][:2] == ["1e+40", "999999999999999939709166371603178586112"]
    g.forward(x=9.999e99, y=1)
    assert next(w.value for w in wires(g)) == "1e+100"


def test_complex_numbers_on_the_wires() -> None:
    g = ComputationalGraph.from_expression("x * y")
    g.forward(x=1 + 2j, y=-0.5)
    assert [w.value for w in wires(g)] == ["1+2j", "-0.5", "-0.5-1j"]
    g.forward(x=np.array([1j, 1e300 + 0j]), y=complex("nan"))
    assert [w.value for w in wires(g)] == ["[0+1j, 1e+300+0j]", "nan+0j", "[nan+nanj, nan+nanj]"]


def test_arrays_on_the_wires_are_one_line_or_their_shape() -> None:
    g = ComputationalGraph.from_expression("x * y")
    g.forward(x=np.array([[1.0, 2.0], [3.0, 4.0]]), y=np.zeros((2, 1, 1)))
    assert [w.value for w in wires(g)] == [
        "[[1, 2], [3, 4]]",
        "[[[0]], [[0]]]",
        "[[[0, 0], [0, 0]], [[0, 0], [0, 0]]]",
    ]
    g.forward(x=np.ones((1000, 1000)), y=2)
    assert [w.value for w in wires(g)] == [
        "array of shape (1000, 1000)",
        "2",
        "array of shape (1000, 1000)",
    ]
    g.forward(x=np.ones((2,) * 20), y=2)  # numpy would print every one of the million numbers
    assert next(w.value for w in wires(g)) == (
        "array of shape (2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2)"
    )
    g.forward(x=np.arange(14.0) / 7, y=1)
    assert next(w.value for w in wires(g)) == "array of shape (14,)"
    g.forward(x=np.zeros((0, 3)), y=1)
    assert [w.value for w in wires(g)] == ["[]", "1", "[]"]


@pytest.mark.parametrize("digits", [-1, 21, 2.0, True, "2", None])
def test_digits_must_be_a_small_whole_number(digits: object) -> None:
    g = ComputationalGraph.from_expression("x * y")
    with pytest.raises(ValueError, match=r"^digits must be a whole number from 0 to 20, not "):
        wires(g, digits)  # type: ignore[arg-type]


def test_an_empty_graph_or_several_outputs_are_refused() -> None:
    with pytest.raises(OutputError, match=r"^draw: the graph is empty; there is nothing to draw$"):
        check_drawable(ComputationalGraph(), "draw")
    g = ComputationalGraph()
    g.add_input("x")
    check_drawable(g, "draw")  # one input is its own output
    g.add_input("y")
    with pytest.raises(OutputError, match=r"the graph has 2 outputs"):
        check_drawable(g, "to_dot")


@pytest.mark.parametrize(("sizes", "bound"), [([2, 4, 1], 20), ([2, 8, 8, 1], 1300)])
def test_mlp_drawings_cross_few_wires(sizes: list[int], bound: int) -> None:
    # the layout before parameters went beside their gates: 40 and 2325 crossings
    g = ComputationalGraph()
    mlp(g, sizes, flavour="scalar", activation="tanh")
    assert crossings(g) <= bound


def test_inputs_keep_their_order_and_parameters_sit_beside_their_gate() -> None:
    g = ComputationalGraph()
    net = mlp(g, [2, 4, 1], flavour="scalar", activation="tanh")
    places = layout(g)
    inputs = [places[name] for name in net.inputs]
    assert all(layer == 0 for layer, _ in inputs)
    assert [h for _, h in inputs] == sorted((h for _, h in inputs), reverse=True)
    for name in g.parameters():
        (consumer,) = g.graph.successors(name)
        assert places[consumer][0] - places[name][0] == 1
        assert abs(places[consumer][1] - places[name][1]) <= 2


def test_the_lectures_inputs_stay_left_in_order() -> None:
    g = ComputationalGraph.from_expression("(x + sigmoid(y)) / (sigmoid(x) + (x + y) ** 2)")
    places = layout(g)
    assert places["x"][0] == places["y"][0] == 0 and places["x"][1] > places["y"][1]


@given(
    st.integers(1, 6),
    st.lists(st.tuples(st.integers(0, 100), st.integers(0, 100)), min_size=1, max_size=25),
)
@settings(max_examples=60, deadline=None)
def test_random_graphs_go_left_to_right_with_places_apart(
    width: int, picks: list[tuple[int, int]]
) -> None:
    g = ComputationalGraph()
    nodes = [g.add_input(f"x{i}") for i in range(width)]
    for k, (a, b) in enumerate(picks):
        nodes.append(g.add_gate(f"g{k}", MulGate(), [nodes[a % len(nodes)], nodes[b % len(nodes)]]))
    places, paths = layout(g), routes(g)
    for source, target in g.graph.edges:
        assert places[source][0] < places[target][0]
        chain = [places[source], *paths[source, target], places[target]]
        assert [layer for layer, _ in chain] == list(
            range(places[source][0], places[target][0] + 1)
        )
    spots = list(places.values()) + [p for points in paths.values() for p in points]
    assert len(set(spots)) == len(spots)
