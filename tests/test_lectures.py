"""The lecture notes' worked examples, with their numbers."""

from __future__ import annotations

import math

import pytest

from compgraph.lectures import (
    EXAMPLES,
    demo,
    draw_examples,
    grouped_neuron,
    neuron,
    the_exercise,
    three_times_a_plus_bc,
    write_pages,
    x_plus_y_times_z,
)


def test_three_times_a_plus_bc():
    g, feeds = three_times_a_plus_bc()
    assert feeds == {"a": 5, "b": 4, "c": 2}
    assert g.forward(feeds) == 39
    assert (g.value("u"), g.value("v")) == (8, 13)
    assert g.backward() == {"a": 3, "b": 6, "c": 12, "u": 3, "v": 3, "J": 1}


def test_x_plus_y_times_z():
    g, feeds = x_plus_y_times_z()
    assert g.forward(feeds) == -12
    assert g.backward() == {"x": -4, "y": -4, "z": 3, "q": -4, "f": 1}
    assert (g.gate("f").x, g.gate("f").y) == (3, -4)


# The lecture's numbers for the neuron at w = [2, -3, -3], x = [-1, -2], to 2 decimals.
NEURON_VALUES = {"w0*x0": -2, "w1*x1": 6, "sum": 4, "dot": 1, "f": 0.73}
NEURON_GRADS = {"w0": -0.2, "x0": 0.39, "w1": -0.39, "x1": -0.59, "w2": 0.2, "dot": 0.2}


@pytest.mark.parametrize("decomposed", [False, True])
def test_sigmoid_neuron(decomposed):
    g, feeds = neuron(decomposed=decomposed)
    g.forward(feeds)
    grads = g.backward()
    for name, value in NEURON_VALUES.items():
        assert round(g.value(name), 2) == value
    for name, grad in NEURON_GRADS.items():
        assert round(grads[name], 2) == grad
    sigma = 1 / (1 + math.exp(-1))
    assert g.value("f") == pytest.approx(sigma, rel=1e-15)
    assert grads["dot"] == pytest.approx((1 - sigma) * sigma, rel=1e-15)


def test_decomposed_neuron_step_by_step():
    g, feeds = neuron(decomposed=True)
    g.forward(feeds)
    grads = g.backward()
    assert [round(g.value(n), 2) for n in ["neg", "exp", "plus1"]] == [-1, 0.37, 1.37]
    # 1/x: -1/1.37^2 = -0.53; +1 passes it; exp: 0.37 * -0.53 = -0.2; *-1: 0.2
    assert [round(grads[n], 2) for n in ["plus1", "exp", "neg", "dot"]] == [-0.53, -0.53, -0.2, 0.2]
    assert grads["plus1"] == pytest.approx(-1 / g.value("plus1") ** 2, rel=1e-15)


def test_the_two_neurons_agree():
    whole, feeds = neuron()
    chain, _ = neuron(decomposed=True)
    assert whole.forward(feeds) == pytest.approx(chain.forward(feeds), rel=1e-15)
    grads_whole, grads_chain = whole.backward(), chain.backward()
    for name, grad in grads_whole.items():
        if name != "f":
            assert grad == pytest.approx(grads_chain[name], rel=1e-12)


def test_the_grouped_neuron_gives_the_sigmoid_gates_numbers():
    whole, feeds = neuron()
    grouped, _ = grouped_neuron()
    assert grouped.gate("f").symbol == "σ" and grouped.inputs("f") == ["dot"]
    assert grouped.forward(feeds) == pytest.approx(whole.forward(feeds), rel=1e-15)
    assert round(grouped.value("f"), 2) == 0.73
    grads_whole, grads_grouped = whole.backward(), grouped.backward()
    assert grads_grouped.keys() == grads_whole.keys()
    for name, grad in grads_whole.items():
        assert grad == pytest.approx(grads_grouped[name], rel=1e-12), name
    assert round(grads_grouped["dot"], 2) == 0.2 == round((1 - 0.73) * 0.73, 2)


def test_demo_tables_each_example_then_the_three_neurons():
    text = demo()
    titles = [line for line in text.splitlines() if "   at " in line]
    assert titles == [f"{title}   at {formula}" for title, formula, _ in EXAMPLES]
    j_table = text.split("\n\n")[1].splitlines()
    assert j_table[-1].split() == ["J", "*3", "MulConstantGate", "v", "39", "1"]
    agreement = text[text.index("The three neurons agree:") :].splitlines()
    assert agreement[4].split() == ["f", "(value)", "0.73", "0.73", "0.73"]
    assert agreement[-1].startswith("largest difference in value or gradient: ")
    assert float(agreement[-1].split()[-1]) < 1e-15


def test_demo_digits():
    text = demo(4)
    assert "0.7311" in text and "-0.5344" in text and "0.73 " not in text


def test_draw_examples_makes_the_folder_and_one_svg_each(tmp_path):
    paths = draw_examples(tmp_path / "images", digits=1)
    assert [path.name for path in paths] == [
        "j-3-a-bc.svg",
        "f-x-y-z.svg",
        "sigmoid-neuron-one-sigmoid-gate.svg",
        "sigmoid-neuron-decomposed.svg",
        "sigmoid-neuron-the-four-gates-grouped-into-one.svg",
        "the-exercise.svg",
    ]
    assert ">σ<" in paths[4].read_text()  # the composite drawn as one gate
    assert sorted(tmp_path.joinpath("images").iterdir()) == sorted(paths)
    assert ">0.7<" in paths[2].read_text()  # sigma(1) = 0.73 to one decimal


def test_the_exercise_has_the_gradients_finite_differences_give() -> None:
    g, feeds = the_exercise()
    g.forward(feeds)
    grads = g.backward()
    x, y, h = feeds["x"], feeds["y"], 1e-6

    def f(x: float, y: float) -> float:
        s = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
        return (x + s(y)) / (s(x) + (x + y) ** 2)

    assert g.value(g.output) == pytest.approx(f(x, y), rel=1e-12)
    assert grads["x"] == pytest.approx((f(x + h, y) - f(x - h, y)) / (2 * h), rel=1e-6)
    assert grads["y"] == pytest.approx((f(x, y + h) - f(x, y - h)) / (2 * h), rel=1e-6)


def test_write_pages_writes_one_page_to_step_through_each_example(tmp_path) -> None:
    paths = write_pages(tmp_path / "pages")
    assert [path.stem for path in paths] == [
        path.stem for path in draw_examples(tmp_path / "images")
    ]
    text = paths[2].read_text(encoding="utf-8")
    assert "<h1>sigmoid neuron, one sigmoid gate, at f = σ(w0*x0 + w1*x1 + w2)" in text
    assert "sends 0.39" in text
