"""compgraph.explain: the backward pass told step by step, with the lectures' numbers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from compgraph import ComputationalGraph, NoBackwardPassError
from compgraph.explain import explain, local_gradients, sent_gradients
from gates import AddGate, Gate, MulGate

LECTURE = {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}


def passed(text: str, **feeds: Any) -> ComputationalGraph:
    g = ComputationalGraph.from_expression(text)
    g.forward(feeds)
    g.backward()
    return g


def test_the_decomposed_neuron_with_the_lectures_numbers() -> None:
    text = passed("1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))", **LECTURE).explain()
    lines = text.splitlines()
    assert lines[0] == (
        "Backward pass from the output '1 / (1 + exp(-(w0 * x0 + w1 * x1 + w2)))' = 0.73, "
        "starting with gradient 1."
    )
    steps = [line.strip() for line in lines if line.startswith("    to ")]
    assert steps == [
        "to '1 + exp(-(w0 * x0 + w1 * x1 + w2))': local gradient -1/x^2 = -1/1.37^2 = -0.53,"
        " times 1, sends -0.53",
        "to 'exp(-(w0 * x0 + w1 * x1 + w2))': local gradient 1, times -0.53, sends -0.53",
        "to '-(w0 * x0 + w1 * x1 + w2)': local gradient exp(x) = exp(-1) = 0.37,"
        " times -0.53, sends -0.2",
        "to 'w0 * x0 + w1 * x1 + w2': local gradient -1, times -0.2, sends 0.2",
        "to 'w0 * x0 + w1 * x1': local gradient 1, times 0.2, sends 0.2",
        "to 'w2': local gradient 1, times 0.2, sends 0.2",
        "to 'w0 * x0': local gradient 1, times 0.2, sends 0.2",
        "to 'w1 * x1': local gradient 1, times 0.2, sends 0.2",
        "to 'w1': local gradient x1 = -2, times 0.2, sends -0.39",
        "to 'x1': local gradient w1 = -3, times 0.2, sends -0.59",
        "to 'w0': local gradient x0 = -1, times 0.2, sends -0.2",
        "to 'x0': local gradient w0 = 2, times 0.2, sends 0.39",
    ]
    assert "+ 'w0 * x0 + w1 * x1 + w2' = 1 receives 0.2; an add gate distributes it" in lines
    assert lines[-6:] == [
        "Gradients on the inputs:",
        "    w0: -0.2",
        "    x0: 0.39",
        "    w1: -0.39",
        "    x1: -0.59",
        "    w2: 0.2",
    ]


def test_the_sigmoid_gate_with_its_local_gradient() -> None:
    lines = passed("sigmoid(w0*x0 + w1*x1 + w2)", **LECTURE).explain().splitlines()
    assert lines[2] == "σ 'sigmoid(w0 * x0 + w1 * x1 + w2)' = 0.73 receives 1 (the output)"
    assert lines[3] == (
        "    to 'w0 * x0 + w1 * x1 + w2': local gradient (1 - σ(x)) * σ(x)"
        " = (1 - 0.73) * 0.73 = 0.2, times 1, sends 0.2"
    )


def test_digits() -> None:
    text = passed("sigmoid(w0*x0 + w1*x1 + w2)", **LECTURE).explain(digits=4)
    assert "(1 - 0.7311) * 0.7311 = 0.1966" in text
    assert "x0: 0.3932" in text


@pytest.mark.parametrize(
    ("text", "feeds", "expected"),
    [
        ("x / y", {"x": 3, "y": -2}, "local gradient -x/y^2 = -3/(-2)^2 = -0.75"),
        ("x / y", {"x": 3, "y": -2}, "local gradient 1/y = 1/(-2) = -0.5"),
        ("x - y", {"x": 3, "y": -2}, "to 'y': local gradient -1, times 1, sends -1"),
        ("x ** 3", {"x": -2}, "local gradient c*x^(c-1) = 3*(-2)^2 = 12"),
        ("max(x, y)", {"x": 3, "y": 5}, "to 'x': local gradient [x >= y] = [3 >= 5] = 0"),
        ("max(x, y)", {"x": 3, "y": 5}, "to 'y': local gradient [x < y] = [3 < 5] = 1"),
        ("max(x, y)", {"x": 3, "y": 5}, "a max gate routes it to the larger input"),
        ("x * y", {"x": 3, "y": 5}, "a multiply gate switches its inputs"),
        ("2.5 * x", {"x": 3}, "local gradient 2.5, times 1, sends 2.5"),
    ],
)
def test_formulas(text: str, feeds: dict[str, Any], expected: str) -> None:
    assert expected in passed(text, **feeds).explain()


def test_gradients_add_up_at_forks() -> None:
    g = ComputationalGraph()
    g.add_input("a")
    g.add_gate("b", AddGate(), ["a", "a"])
    g.add_gate("c", MulGate(), ["b", "b"])
    g.add_gate("d", AddGate(), ["c", "b"])
    g.forward(a=3)  # b = 6, c = 36, d = 42
    g.backward()
    lines = g.explain().splitlines()
    assert (
        "+ 'b' = 6 receives 1 + 6 + 6 = 13 (gradients add up at a fork); an add gate distributes it"
    ) in lines
    assert lines[-1] == "    a: 13 + 13 = 26 (gradients add up at a fork)"
    assert g.grad("a") == 26


def test_negative_parts_of_a_sum_read_as_subtraction() -> None:
    text = passed("x * y - x", x=3, y=-2).explain()
    assert "    x: -1 - 2 = -3 (gradients add up at a fork)" in text


class Cube(Gate):
    """A user's gate the explanation knows no formula for; counts its backward calls."""

    calls = 0

    def forward(self, x: Any) -> Any:
        self.x = x
        return x**3

    def backward(self, dz: Any) -> list[Any]:
        self.calls += 1
        return [3 * self.x**2 * dz]


def test_an_unknown_gate_gets_its_local_gradient_from_its_backward() -> None:
    g = ComputationalGraph.from_expression("cube(2 * x)", functions={"cube": Cube})
    g.forward(x=1)
    g.backward()
    gate = g.gate(g.output)
    assert gate.calls == 1
    text = g.explain()
    assert "Cube 'cube(2 * x)' = 8 receives 1 (the output)" in text
    assert "to '2 * x': local gradient 12 (its backward at dz = 1), times 1, sends 12" in text
    assert gate.calls == 1  # explaining ran copies; the graph's gate is untouched
    assert g.backward()["x"] == 24


def test_sent_gradients_add_up_to_each_nodes_gradient() -> None:
    g = ComputationalGraph.from_expression("max(x * b, x) + exp(b) * x - b / x")
    g.forward(x=np.array([[1.0, -2.0, 0.5], [2.0, 1.5, -1.0]]), b=np.array([0.5, -1.0, 2.0]))
    grads = g.backward()
    totals: dict[str, Any] = {}
    for name in (name for name in g if g.kind(name) == "gate"):
        for source, sent in zip(g.inputs(name), sent_gradients(g, name)):
            assert np.shape(sent) == np.shape(g.value(source))
            totals[source] = totals.get(source, 0) + sent
    for name, total in totals.items():
        np.testing.assert_allclose(total, grads[name], rtol=1e-12)


def test_local_gradients() -> None:
    g = passed("x * y", x=3, y=-4)
    assert local_gradients(g, "x * y") == [-4, 3]
    arrays = ComputationalGraph.from_expression("exp(x)")
    arrays.forward(x=np.array([0.0, 1.0]))
    np.testing.assert_allclose(local_gradients(arrays, "exp(x)")[0], [1.0, np.e])


def test_arrays_are_explained() -> None:
    g = ComputationalGraph.from_expression("max(x, 0)")
    g.forward(x=np.array([-1.0, 2.0]))
    g.backward()
    assert "to 'x': local gradient [x >= y] = [[-1, 2] >= 0] = [0, 1]" in g.explain()


def test_needs_a_backward_pass() -> None:
    g = ComputationalGraph.from_expression("x * y")
    g.forward(x=1, y=2)
    with pytest.raises(NoBackwardPassError, match="explain: no backward pass"):
        explain(g)
    g.backward()
    assert explain(g).startswith("Backward pass")
