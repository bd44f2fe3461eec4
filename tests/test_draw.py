"""compgraph.draw: the circuit as SVG and PNG, values and gradients on its wires."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

from compgraph import ComputationalGraph
from compgraph.layout import GRADIENT_COLOR, VALUE_COLOR, wires

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


@pytest.mark.parametrize("name", ["circuit.jpg", "circuit", "circuit.pdf"])
def test_unknown_suffix(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match=r"name a file ending in \.svg or \.png"):
        neuron().draw(tmp_path / name)
    assert not (tmp_path / name).exists()


def test_unwritable_path(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        neuron().draw(tmp_path / "no such folder" / "neuron.svg")


def test_arrays_on_the_wires(tmp_path: Path) -> None:
    g = ComputationalGraph.from_expression("x * w")
    g.forward(x=np.array([1.0, 2.0]), w=np.array([0.5, -1.0]))
    g.backward()
    g.draw(tmp_path / "arrays.svg")
    texts = svg_texts(tmp_path / "arrays.svg")
    assert "[1, 2]" in texts and "[0.5, -1]" in texts and "[0.5, -2]" in texts
