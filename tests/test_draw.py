"""compgraph.draw: the circuit as SVG, PNG and DOT, values and gradients on its wires."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

from compgraph import ComputationalGraph
from compgraph.draw import GRADIENT_COLOR, VALUE_COLOR, layout, routes, to_dot, wires

NEURON = "sigmoid(w0*x0 + w1*x1 + w2)"
LECTURE = {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}


def neuron(text: str = NEURON) -> ComputationalGraph:
    g = ComputationalGraph.from_expression(text)
    g.forward(LECTURE)
    g.backward()
    return g


def svg_texts(path: Path) -> list[str]:
    root = ET.parse(path).getroot()  # valid XML, or this raises
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return [
        "".join(element.itertext()).strip()
        for element in root.iter("{http://www.w3.org/2000/svg}text")
    ]


def test_svg_holds_every_label_value_and_gradient(tmp_path: Path) -> None:
    g = neuron("1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))")
    assert g.draw(tmp_path / "neuron.svg") == tmp_path / "neuron.svg"
    texts = svg_texts(tmp_path / "neuron.svg")
    for name in g:
        expected = g.gate(name).symbol if g.kind(name) == "gate" else name
        assert expected in texts
    assert {"*", "+", "*-1", "exp", "+1", "1/x"} <= set(texts)
    for wire in wires(g):
        assert wire.value in texts
        assert wire.gradient in texts
    # the lecture's numbers, each on its wire
    for number in ["0.73", "1.37", "0.37", "-0.53", "-0.2", "0.2", "0.39", "-0.39", "-0.59"]:
        assert number in texts


def test_png_opens_and_shows_values_in_green_and_gradients_in_red(tmp_path: Path) -> None:
    neuron().draw(tmp_path / "neuron.png")
    assert (tmp_path / "neuron.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = imread(tmp_path / "neuron.png")[..., :3]
    height, width = pixels.shape[:2]
    assert width > height > 200

    def near(color: str) -> int:
        rgb = np.array([int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)])
        return int(np.sum(np.abs(pixels - rgb).max(axis=-1) < 0.1))

    assert near(VALUE_COLOR) > 100
    assert near(GRADIENT_COLOR) > 100
    assert near("#333333") > 500  # the wires and gates


def test_before_backward_only_values_and_before_forward_none(tmp_path: Path) -> None:
    g = ComputationalGraph.from_expression("(x + y) * z")
    g.draw(tmp_path / "bare.svg")
    assert not any(t.lstrip("-").isdigit() for t in svg_texts(tmp_path / "bare.svg"))
    g.forward(x=-2, y=5, z=-4)
    g.draw(tmp_path / "forward.svg")
    texts = svg_texts(tmp_path / "forward.svg")
    assert {"-2", "5", "-4", "3", "-12"} <= set(texts)
    assert "1" not in texts  # no gradient yet
    assert all(w.gradient is None for w in wires(g))


def test_the_drawing_is_reproducible(tmp_path: Path) -> None:
    neuron().draw(tmp_path / "a.svg")
    neuron().draw(tmp_path / "b.svg")
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()


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


@pytest.mark.parametrize("name", ["circuit.jpg", "circuit", "circuit.pdf"])
def test_unknown_suffix(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match=r"name a file ending in \.svg or \.png"):
        neuron().draw(tmp_path / name)
    assert not (tmp_path / name).exists()


def test_unwritable_path(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        neuron().draw(tmp_path / "no such folder" / "neuron.svg")


def test_to_dot() -> None:
    g = neuron()
    dot = g.to_dot()
    assert dot.startswith("digraph compgraph {\n  rankdir=LR;")
    assert dot.endswith("}")
    edges = [line for line in dot.splitlines() if " -> " in line]
    assert len(edges) == len(wires(g)) == 10
    assert 'n9 [label="σ", tooltip="sigmoid(w0 * x0 + w1 * x1 + w2)", shape=circle];' in dot
    assert (
        '  n9 -> out [label=<<font color="#1a7f37">0.73</font><br/>'
        '<font color="#cf222e">1</font>>];'
    ) in dot
    assert '<font color="#cf222e">-0.59</font>' in dot


def test_to_dot_quotes_names() -> None:
    g = ComputationalGraph()
    g.add_input('say "hi"')
    g.add_input("a\\b")
    from gates import AddGate

    g.add_gate("s", AddGate(), ['say "hi"', "a\\b"])
    dot = to_dot(g)
    assert 'n0 [label="say \\"hi\\"", shape=plaintext];' in dot
    assert 'n1 [label="a\\\\b", shape=plaintext];' in dot
    assert "n0 -> n2;" in dot  # no pass yet: no labels


def test_arrays_on_the_wires(tmp_path: Path) -> None:
    g = ComputationalGraph.from_expression("x * w")
    g.forward(x=np.array([1.0, 2.0]), w=np.array([0.5, -1.0]))
    g.backward()
    g.draw(tmp_path / "arrays.svg")
    texts = svg_texts(tmp_path / "arrays.svg")
    assert "[1, 2]" in texts and "[0.5, -1]" in texts and "[0.5, -2]" in texts
