"""compgraph.draw: the circuit as SVG and PNG, values and gradients on its wires."""

from __future__ import annotations

import math
import re
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import imread
from matplotlib.patches import Circle, Rectangle
from matplotlib.transforms import Bbox

from compgraph import ComputationalGraph, Exercise, GraphError
from compgraph.draw import draw
from compgraph.errors import NodeNotFoundError, OutputError
from compgraph.layout import (
    GRADIENT_COLOR,
    NAME_LIMIT,
    NUMBER_LIMIT,
    VALUE_COLOR,
    part_wires,
    readable,
    wires,
)
from compgraph.lectures import EXAMPLES
from compgraph.nn import mlp
from gates import AddGate, MulGate, SigmoidGate

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


def test_pdf_for_slides_is_reproducible(tmp_path: Path) -> None:
    neuron().draw(tmp_path / "a.pdf")
    neuron().draw(tmp_path / "b.PDF")
    data = (tmp_path / "a.pdf").read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert data == (tmp_path / "b.PDF").read_bytes()
    assert b"CreationDate" not in data


@pytest.mark.parametrize("name", ["circuit.jpg", "circuit", "circuit.eps"])
def test_unknown_suffix(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match=r"name a file ending in \.svg, \.png or \.pdf"):
        neuron().draw(tmp_path / name)
    assert not (tmp_path / name).exists()


def test_arrays_on_the_wires(tmp_path: Path) -> None:
    g = ComputationalGraph.from_expression("x * w")
    g.forward(x=np.array([1.0, 2.0]), w=np.array([0.5, -1.0]))
    g.backward()
    g.draw(tmp_path / "arrays.svg")
    texts = svg_texts(tmp_path / "arrays.svg")
    assert "[1, 2]" in texts and "[0.5, -1]" in texts and "[0.5, -2]" in texts


def named(*names: str, symbol: str | None = None) -> ComputationalGraph:
    """Inputs ``names`` added by a gate (its symbol ``symbol`` if given), after a pass."""
    g = ComputationalGraph()
    for name in names:
        g.add_input(name)
    gate = AddGate()
    if symbol is not None:
        gate.symbol = symbol
    g.add_gate("sum", gate, list(names))
    g.forward({name: 1.0 for name in names})
    g.backward()
    return g


def titles(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    return [element.text or "" for element in root.iter("{http://www.w3.org/2000/svg}title")]


def test_dollar_signs_are_text_not_math(tmp_path: Path) -> None:
    g = named("$\\frac$", "$x_1$", "cost in $", symbol="$\\sqrt{}$")
    g.draw(tmp_path / "math.svg")
    texts = svg_texts(tmp_path / "math.svg")
    assert {"$\\frac$", "$x_1$", "cost in $", "$\\sqrt{}$"} <= set(texts)
    g.draw(tmp_path / "math.png")  # the raster path lays the same text out


def test_control_characters_are_shown_as_escapes(tmp_path: Path) -> None:
    g = named("a\x1b[1m", "nul\x00", "two\nlines", "\ud800", symbol="+\x07")
    g.draw(tmp_path / "control.svg")
    texts = svg_texts(tmp_path / "control.svg")
    assert {"a\\x1b[1m", "nul\\x00", "two\\nlines", "\\ud800", "+\\x07"} <= set(texts)
    g.draw(tmp_path / "control.png")


def test_long_labels_are_shortened_with_the_whole_name_in_a_title(tmp_path: Path) -> None:
    g = named("x" * 10_000, "y", symbol="<" * 40)
    g.draw(tmp_path / "long.svg")
    texts = svg_texts(tmp_path / "long.svg")
    assert "x" * 15 + "…" + "x" * 14 in texts
    assert "<" * 5 + "…" + "<" * 4 in texts  # a gate's label, in its circle
    assert titles(tmp_path / "long.svg") == ["x" * 10_000, "<" * 40]
    g.draw(tmp_path / "long.png")
    height, width = imread(tmp_path / "long.png").shape[:2]
    assert width < 2000 and height < 1000
    # short labels get no title: the lectures' drawings are as before
    neuron().draw(tmp_path / "neuron.svg")
    assert titles(tmp_path / "neuron.svg") == []


def test_a_large_circuit_makes_a_png_of_bounded_size(tmp_path: Path) -> None:
    g = ComputationalGraph()
    g.add_input("x")
    previous = "x"
    for i in range(60):  # x feeds every gate: its wires cross up to 59 layers
        g.add_gate(f"a{i}", AddGate(), [previous, "x"])
        previous = f"a{i}"
    g.forward(x=1)
    g.draw(tmp_path / "chain.png")
    header = (tmp_path / "chain.png").read_bytes()[:24]
    width, height = int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")
    assert max(width, height) == 8000  # at 150 dots per inch: 17,890 by 8,820


def test_huge_and_non_finite_numbers(tmp_path: Path) -> None:
    g = ComputationalGraph.from_expression("x * y")
    g.forward(x=10**5000, y=-2)
    g.draw(tmp_path / "huge.svg")
    assert {"1e+5000", "-2", "-2e+5000"} <= set(svg_texts(tmp_path / "huge.svg"))
    g = ComputationalGraph.from_expression("x * y + z")
    g.forward(x=float("nan"), y=float("inf"), z=np.ones((2,) * 20))
    g.draw(tmp_path / "numbers.svg")
    texts = svg_texts(tmp_path / "numbers.svg")
    assert {"nan", "inf", "array of shape (2, 2…, 2, 2, 2, 2, 2, 2)"} <= set(texts)
    assert max(len(text) for text in texts if "green" not in text) == NUMBER_LIMIT


def test_graphs_of_one_leaf(tmp_path: Path) -> None:
    g = ComputationalGraph()
    g.add_parameter("w", 3.0)
    g.draw(tmp_path / "parameter.svg")
    assert {"w", "3"} <= set(svg_texts(tmp_path / "parameter.svg"))
    g = ComputationalGraph()
    g.add_input("x")
    g.draw(tmp_path / "input.png")
    assert (tmp_path / "input.png").exists()


def test_after_a_failed_pass_the_circuit_is_bare(tmp_path: Path) -> None:
    g = ComputationalGraph.from_expression("x ** 0.5 / y")
    g.forward(x=1, y=2)
    with pytest.raises(GraphError):
        g.forward(x=-1, y=2)  # no real square root
    g.draw(tmp_path / "failed.svg")
    texts = svg_texts(tmp_path / "failed.svg")
    assert not any(text.lstrip("-").replace(".", "").isdigit() for text in texts)


def test_an_empty_graph_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"^draw: the graph is empty; there is nothing to draw$"):
        ComputationalGraph().draw(tmp_path / "empty.svg")
    assert not (tmp_path / "empty.svg").exists()
    g = ComputationalGraph()
    g.add_input("x")
    g.add_input("y")
    with pytest.raises(OutputError, match=r"the graph has 2 outputs"):
        g.draw(tmp_path / "two.svg")


def test_an_empty_path_or_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"^draw: the path is empty; name a file ending in "):
        neuron().draw("")
    with pytest.raises(IsADirectoryError, match=r"^draw: '.*' is a folder; name a file in it"):
        neuron().draw(tmp_path)
    (tmp_path / "folder.svg").mkdir()
    with pytest.raises(IsADirectoryError, match=r"folder\.svg' is a folder"):
        neuron().draw(tmp_path / "folder.svg")


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(
        FileNotFoundError,
        match=r"^draw: cannot write '.*neuron\.svg': there is no folder '.*missing'$",
    ):
        neuron().draw(tmp_path / "missing" / "neuron.svg")


NAMES = st.text(
    st.characters(codec=None) | st.sampled_from("$\\\"'\n\x00\x1b<>&{}_^"), max_size=40
) | st.builds(lambda n: "n" * n, st.integers(0, 300))


@settings(max_examples=50, deadline=None)
@given(st.lists(NAMES, min_size=1, max_size=3, unique=True), st.one_of(st.none(), NAMES))
def test_any_names_make_a_valid_svg(names: list[str], symbol: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "any.svg"
        g = ComputationalGraph()
        for name in names:
            g.add_input(name)
        gate = AddGate()
        gate.symbol = symbol
        g.add_gate(max(names, key=len) + "+", gate, [names[0], names[0], *names[1:]])
        g.draw(path)
        texts = svg_texts(path)
        assert readable(names[0], NAME_LIMIT).strip() in [*texts, ""]
        assert max(map(len, texts)) <= 60


# ------------------------------------------------------------ blanks, for worksheets


def legend(texts: list[str]) -> str:
    (found,) = [text for text in texts if "green" in text or "boxes" in text]
    return found


def test_blank_numbers_are_boxes_and_the_legend_says_so(tmp_path: Path) -> None:
    g = neuron()
    shown = svg_texts(g.draw(tmp_path / "full.svg"))
    path = draw(g, tmp_path / "blank.svg", blank={("x0", "grad"): "7", ("w0", "value"): "8"})
    texts = svg_texts(path)
    assert "0.39" in shown and "0.39" not in texts  # x0's gradient: a box
    assert texts.count("2") == shown.count("2") - 1  # w0's value: a box
    assert "7" in texts and "8" in texts  # the tags
    assert legend(texts) == (
        "value (green) above where given; gradient (red) below where given; "
        "boxes: fill in the value or gradient"
    )
    assert legend(shown) == "value (green) above each wire, gradient (red) below"


def test_all_gradients_blank_the_legend_promises_no_gradient(tmp_path: Path) -> None:
    g = ComputationalGraph.from_expression("x * x + y")
    g.forward(x=3, y=1)
    g.backward()
    everything = [(name, "grad") for name in g]
    found = legend(svg_texts(draw(g, tmp_path / "f.svg", blank=everything)))
    assert "red" not in found
    assert found == (
        "value (green) above each wire; boxes: fill in the gradient "
        "(at a fork, one box per wire: the gradients add up)"
    )


@pytest.mark.parametrize(
    ("blank", "error", "message"),
    [
        ([("x0", "gradient")], ValueError, "give pairs (node, 'value') or (node, 'grad')"),
        (["x0"], ValueError, "blank holds 'x0'"),
        ([("w", "grad")], GraphError, "blank names 'w', not a node"),
    ],
)
def test_bad_blanks_are_refused(
    tmp_path: Path, blank: list[object], error: type, message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        draw(neuron(), tmp_path / "f.svg", blank=blank)  # type: ignore[arg-type]
    assert not (tmp_path / "f.svg").exists()


def test_a_gate_named_by_a_statement_shows_its_name(tmp_path: Path) -> None:
    g = ComputationalGraph.from_expression("q = x + y; f = q * z")
    g.forward(x=-2, y=5, z=-4)
    g.backward()
    svg = g.draw(tmp_path / "f.svg").read_text()
    assert ">q<" in svg and ">f<" in svg
    unnamed = ComputationalGraph.from_expression("(x + y) * z").draw(tmp_path / "g.svg")
    assert ">x + y<" not in unnamed.read_text()  # a subexpression's name is not drawn


# ------------------------------------------------------------ the sum at a fork


def test_a_fork_shows_each_share_on_its_wire_and_the_sum_on_the_node(tmp_path: Path) -> None:
    g = ComputationalGraph.from_expression("x * y + x")
    g.forward(x=3, y=-4)
    g.backward()
    texts = svg_texts(g.draw(tmp_path / "fork.svg"))
    assert "-4" in texts and "1" in texts  # x's two shares, one on each wire
    assert [text for text in texts if text.startswith("Σ")] == ["Σ -3"]  # only x forks
    assert legend(texts).endswith("Σ: at a fork, the node's gradient, the sum of its wires'")


def test_a_gate_at_a_fork_and_x_times_x_get_their_sums(tmp_path: Path) -> None:
    g = ComputationalGraph.from_expression("q = x * x; f = q * q + q")
    g.forward(x=2)
    g.backward()  # f = x^4 + x^2: df/dq = 2q + 1 = 9, df/dx = 4x^3 + 2x = 36
    sums = sorted(t for t in svg_texts(g.draw(tmp_path / "f.svg")) if t.startswith("Σ"))
    assert sums == ["Σ 36", "Σ 9"]


def test_no_sum_before_a_backward_pass_nor_where_a_worksheet_asks(tmp_path: Path) -> None:
    g = ComputationalGraph.from_expression("x * y + x")
    g.forward(x=3, y=-4)
    assert not [t for t in svg_texts(g.draw(tmp_path / "f.svg")) if "Σ" in t]
    g.backward()
    texts = svg_texts(draw(g, tmp_path / "blank.svg", blank=[("x", "grad")]))
    assert not [text for text in texts if "Σ" in text]
    assert "Σ" not in legend(texts) and "-3" not in texts


def test_numbers_hidden_leave_the_circuit_alone(tmp_path: Path) -> None:
    g = neuron()
    texts = svg_texts(g.draw(tmp_path / "bare.svg", numbers=False))
    assert {"w0", "x0", "w1", "x1", "w2", "*", "+", "σ"} <= set(texts)
    assert not [text for text in texts if re.fullmatch(r"-?\d+(\.\d+)?", text)]  # no number
    assert not [text for text in texts if "green" in text or "red" in text]  # no legend
    with pytest.raises(ValueError, match="numbers=False"):
        draw(g, tmp_path / "boxes.svg", blank=[("x0", "grad")], numbers=False)


def test_a_part_is_drawn_with_its_feeders_and_the_gradient_from_outside(tmp_path: Path) -> None:
    g = neuron("1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))")
    chain = [name for name in g if g.kind(name) == "gate"][-4:]  # *-1, exp, +1, 1/x
    texts = svg_texts(g.draw(tmp_path / "part.svg", nodes=chain))
    assert {"*-1", "exp", "+1", "1/x", "+"} <= set(texts)  # the part, and the + feeding it
    assert not {"w0", "x0", "*"} & set(texts)
    assert {"1", "0.2", "-1", "0.37", "-0.53", "1.37", "0.73"} <= set(texts)


def test_a_part_wire_out_carries_the_sum_of_the_outside_shares() -> None:
    g = ComputationalGraph.from_expression("q = x * x; f = q * q + q")
    g.forward(x=2.0)
    g.backward()
    out = [wire for wire in part_wires(g, ["q"]) if wire.target is None]
    assert [(wire.source, wire.value, wire.gradient) for wire in out] == [("q", "4", "9")]
    assert g.grad("q") == 9.0  # 2q from q * q, 1 from + q


def test_a_part_naming_no_node_or_an_unknown_one_is_refused(tmp_path: Path) -> None:
    g = neuron()
    with pytest.raises(NodeNotFoundError, match="nope"):
        g.draw(tmp_path / "part.svg", nodes=["nope"])
    with pytest.raises(ValueError, match="nodes is empty"):
        g.draw(tmp_path / "part.svg", nodes=[])
    assert not (tmp_path / "part.svg").exists()


# ------------------------------------------------------------ labels apart


def drawn_figure(monkeypatch: pytest.MonkeyPatch, make: Callable[[Path], object]) -> Figure:
    """The matplotlib figure ``make`` saves (it is given a path to write to)."""
    saved: list[Figure] = []
    savefig = Figure.savefig

    def keep(figure: Figure, *args: Any, **kwargs: Any) -> None:
        saved.append(figure)
        savefig(figure, *args, **kwargs)

    with monkeypatch.context() as patch, tempfile.TemporaryDirectory() as folder:
        patch.setattr(Figure, "savefig", keep)
        make(Path(folder) / "circuit.png")
    (figure,) = saved
    return figure


def label_clashes(figure: Figure) -> list[str]:
    """The pairs of labels whose boxes, as matplotlib measures the drawn text,
    touch, and the labels touching a node's circle.

    A label is a text (a number, a name, a Σ sum, the legend, a gate's symbol)
    or a blank box with its tag; a gate's symbol may lie in its own circle.
    """
    (axes,) = figure.axes
    renderer = FigureCanvasAgg(figure).get_renderer()
    to_data = axes.transData.inverted()

    def box(artist: Any) -> Bbox:
        return artist.get_window_extent(renderer).transformed(to_data)

    circles = [patch for patch in axes.patches if isinstance(patch, Circle)]
    blanks = [patch for patch in axes.patches if isinstance(patch, Rectangle)]
    labels: list[tuple[str, Bbox, Circle | None]] = [
        (f"box at {box(blank).p0.round(2)}", box(blank), None) for blank in blanks
    ]
    for text in axes.texts:
        anchor = np.array(text.get_position())
        if any(box(blank).contains(*anchor) for blank in blanks):
            continue  # a box's tag, inside it
        own = [circle for circle in circles if np.allclose(circle.center, anchor)]
        labels.append((repr(text.get_text()), box(text), own[0] if own else None))
    clashes = [
        f"{a} and {b}"
        for i, (a, a_box, _) in enumerate(labels)
        for b, b_box, _ in labels[:i]
        if a_box.x0 < b_box.x1
        and b_box.x0 < a_box.x1
        and a_box.y0 < b_box.y1
        and b_box.y0 < a_box.y1
    ]
    for name, label_box, own_circle in labels:
        for circle in circles:
            x, y = circle.center
            nearest = (
                np.clip(x, label_box.x0, label_box.x1),
                np.clip(y, label_box.y0, label_box.y1),
            )
            if circle is not own_circle and math.dist(nearest, (x, y)) < circle.radius:
                clashes.append(f"{name} and the circle at {(round(x, 2), round(y, 2))}")
    return clashes


def after_a_pass(graph: ComputationalGraph, feeds: dict[str, Any]) -> ComputationalGraph:
    graph.forward(feeds)
    graph.backward()
    return graph


@pytest.mark.parametrize(
    ("title", "build"),
    [example[::2] for example in EXAMPLES],
    ids=[title for title, *_ in EXAMPLES],
)
def test_no_two_labels_of_a_lecture_example_touch(
    monkeypatch: pytest.MonkeyPatch, title: str, build: Callable[[], tuple[Any, Any]]
) -> None:
    graph, feeds = build()
    figure = drawn_figure(monkeypatch, after_a_pass(graph, feeds).draw)
    assert label_clashes(figure) == []
    sheet = drawn_figure(monkeypatch, Exercise(graph, feeds).worksheet)  # blank boxes
    assert label_clashes(sheet) == []


def test_no_two_labels_of_a_2_4_1_network_touch(monkeypatch: pytest.MonkeyPatch) -> None:
    g = ComputationalGraph()
    network = mlp(g, [2, 4, 1], flavour="scalar", activation="tanh")
    after_a_pass(g, {name: 0.5 for name in network.inputs})
    assert label_clashes(drawn_figure(monkeypatch, g.draw)) == []


@st.composite
def small_circuits(draw: st.DrawFn) -> ComputationalGraph:
    """A random circuit of a few gates, forks and long wires, ending in one output."""
    g = ComputationalGraph()
    nodes = [g.add_input(f"x{i}") for i in range(draw(st.integers(1, 3)))]
    for k in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from([AddGate, MulGate, SigmoidGate]))
        picks = [draw(st.sampled_from(nodes)) for _ in range(1 if kind is SigmoidGate else 2)]
        nodes.append(g.add_gate(f"g{k}", kind(), picks))
    ends = [name for name in nodes if not g.graph.out_degree(name)]
    while len(ends) > 1:
        ends = [*ends[2:], g.add_gate(f"join{len(ends)}", AddGate(), ends[:2])]
    return after_a_pass(
        g,
        {
            name: draw(st.sampled_from([-2.5, 0.5, 3.0]))
            for name in nodes[:3]
            if g.kind(name) == "input"
        },
    )


@settings(max_examples=15, deadline=None)
@given(small_circuits())
def test_no_two_labels_of_a_small_circuit_touch(graph: ComputationalGraph) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert label_clashes(drawn_figure(monkeypatch, graph.draw)) == []
