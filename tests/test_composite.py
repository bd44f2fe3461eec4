"""CompositeGate: a gate made of a graph, checked as any gate."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

from compgraph import (
    CompositeGate,
    ComputationalGraph,
    GateExecutionError,
    GateReuseError,
    GraphError,
    GraphTypeError,
    OutputError,
    check_gate,
    gradcheck,
)
from gates import AddGate, Gate, MaxGate, MulGate
from gates.base import arity


def sigmoid_graph() -> ComputationalGraph:
    return ComputationalGraph.from_expression("1 / (1 + exp(-x))")


def test_inputs_follow_the_order_they_were_added() -> None:
    inner = ComputationalGraph()
    inner.add_input("b")
    inner.add_input("a")
    inner.add_gate("d", MulGate(), ["a", "b"])
    gate = CompositeGate(inner)
    assert arity(gate) == (2, 2)
    assert gate.forward(3.0, 2.0) == 6.0  # b = 3, a = 2
    assert inner.value("b") == 3.0
    assert gate.backward(1.0) == [2.0, 3.0]


def test_sigmoid_numbers() -> None:
    gate = CompositeGate(sigmoid_graph())
    assert gate.forward(1.0) == pytest.approx(1 / (1 + math.exp(-1)))
    (dx,) = gate.backward(1.0)
    s = 1 / (1 + math.exp(-1))
    assert dx == pytest.approx((1 - s) * s)


@pytest.mark.parametrize(
    ("text", "inputs"),
    [
        ("1 / (1 + exp(-x))", (0.3,)),
        ("(x + y) * z", (-2.0, 5.0, -4.0)),
        ("x * x + y / x", (1.5, -0.5)),
        ("tanh(x) * y", (np.array([0.5, -1.0]), np.array([[2.0], [3.0]]))),
    ],
)
def test_check_gate_passes_on_composites(text: str, inputs: tuple[object, ...]) -> None:
    assert check_gate(CompositeGate(ComputationalGraph.from_expression(text)), *inputs)


def test_check_gate_blames_a_wrong_inner_gate() -> None:
    class WrongSquare(Gate):
        def forward(self, x):  # type: ignore[no-untyped-def]
            self.x = x
            return x * x

        def backward(self, dz):  # type: ignore[no-untyped-def]
            return [self.x * dz]  # should be 2x dz

    inner = ComputationalGraph()
    inner.add_input("x")
    inner.add_gate("sq", WrongSquare(), ["x"])
    with pytest.raises(GraphError, match="CompositeGate"):
        check_gate(CompositeGate(inner), 1.5)


def test_placed_in_a_graph_gradcheck_and_the_inner_pass() -> None:
    g = ComputationalGraph()
    g.add_input("x")
    g.add_parameter("w", 2.0)
    g.add_gate("wx", MulGate(), ["w", "x"])
    g.add_gate("s", CompositeGate(sigmoid_graph(), symbol="σ"), ["wx"])
    g.add_gate("f", AddGate(), ["s", "x"])
    g.forward(x=0.5)
    grads = g.backward()
    s = 1 / (1 + math.exp(-1.0))
    assert g.value("s") == pytest.approx(s)
    assert grads["wx"] == pytest.approx((1 - s) * s)
    assert grads["x"] == pytest.approx(1 + 2.0 * (1 - s) * s)
    inner = g.gate("s").graph
    assert inner.value("x") == 1.0  # what the outer node 'wx' fed it
    assert inner.grad("x") == pytest.approx(grads["wx"])
    assert gradcheck(g, {"x": 0.5})
    # gradcheck ran on copies: the inner graph still holds the graph's own pass
    assert inner.value("x") == 1.0 and inner.grad("x") == pytest.approx(grads["wx"])


def test_inner_parameters_stay_the_inner_graphs() -> None:
    inner = ComputationalGraph()
    inner.add_input("x")
    inner.add_parameter("k", 3.0)
    inner.add_gate("kx", MulGate(), ["k", "x"])
    g = ComputationalGraph()
    g.add_input("x")
    g.add_gate("c", CompositeGate(inner), ["x"])
    assert g.parameters() == {}
    assert g.forward(x=2.0) == 6.0
    g.backward()
    assert g.grad("x") == 3.0
    assert g.gate("c").graph.grad("k") == 2.0


def test_arrays_and_nesting() -> None:
    middle = ComputationalGraph()
    middle.add_input("a")
    middle.add_input("b")
    middle.add_gate("s", CompositeGate(sigmoid_graph()), ["a"])
    middle.add_gate("m", MulGate(), ["s", "b"])
    g = ComputationalGraph()
    g.add_input("x")
    g.add_input("y")
    g.add_gate("c", CompositeGate(middle), ["x", "y"])
    x, y = np.array([0.5, -1.0, 2.0]), np.array([[1.0], [2.0]])
    out = g.forward(x=x, y=y)
    s = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(out, s * y)
    g.backward()
    np.testing.assert_allclose(g.grad("x"), (s * (1 - s)) * y.sum())
    assert g.grad("y").shape == (2, 1)
    assert gradcheck(g, {"x": x, "y": y})


def test_copies_run_aside() -> None:
    gate = CompositeGate(ComputationalGraph.from_expression("x * y"))
    gate.forward(2.0, 3.0)
    copied = copy.deepcopy(gate)
    assert copied.backward(1.0) == [3.0, 2.0]  # the copy holds the pass
    copied.forward(10.0, 10.0)
    assert gate.graph.value("x") == 2.0
    assert gate.backward(1.0) == [3.0, 2.0]


def test_kinks_name_the_inner_node() -> None:
    inner = ComputationalGraph()
    inner.add_input("a")
    inner.add_input("b")
    inner.add_gate("top", MaxGate(), ["a", "b"])
    gate = CompositeGate(inner)
    gate.forward(1.0, 1.0)
    assert gate.kink() is not None and gate.kink().startswith("'top': a tie")  # type: ignore[union-attr]
    gate.forward(1.0, 0.0)
    assert gate.kink() is None


def test_refuses_what_is_not_a_graph() -> None:
    with pytest.raises(GraphTypeError, match="not a ComputationalGraph"):
        CompositeGate("x * y")  # type: ignore[arg-type]


def test_refuses_a_graph_without_one_output() -> None:
    with pytest.raises(OutputError, match="CompositeGate: the graph is empty"):
        CompositeGate(ComputationalGraph())
    two = ComputationalGraph()
    two.add_input("x")
    two.add_gate("a", MulGate(), ["x", "x"])
    two.add_gate("b", AddGate(), ["x", "x"])
    with pytest.raises(OutputError, match=r"2 outputs.*'a', 'b'"):
        CompositeGate(two)


def test_refuses_a_graph_already_in_a_composite() -> None:
    inner = sigmoid_graph()
    first = CompositeGate(inner)
    with pytest.raises(GateReuseError, match="already sits in another composite gate"):
        CompositeGate(inner)
    assert CompositeGate(copy.deepcopy(inner)).forward(0.0) == first.forward(0.0) == 0.5


def test_a_composite_instance_sits_at_one_node() -> None:
    gate = CompositeGate(sigmoid_graph())
    g = ComputationalGraph()
    g.add_input("x")
    g.add_gate("a", gate, ["x"])
    with pytest.raises(GateReuseError, match=r"'b'.*node 'a'"):
        g.add_gate("b", gate, ["a"])
    g.forward(x=0.0)
    assert g.value("a") == 0.5


def test_a_graph_inside_itself_is_refused_when_run() -> None:
    g = ComputationalGraph()
    g.add_input("x")
    g.add_gate("y", MulGate(), ["x", "x"])
    outer = ComputationalGraph()
    outer.add_input("x")
    outer.add_gate("c", CompositeGate(g), ["x"])
    assert outer.forward(x=3.0) == 9.0
    g.add_gate("z", g_gate := CompositeGate(outer), ["y"])
    del g_gate
    with pytest.raises(GateExecutionError, match="CompositeGate"):
        g.forward(x=1.0)


def test_user_gates_keep_their_arity() -> None:
    class Three(Gate):
        def forward(self, a, b, c=0.0):  # type: ignore[no-untyped-def]
            return a + b + c

        def backward(self, dz):  # type: ignore[no-untyped-def]
            return [dz, dz, dz]

    assert arity(Three()) == (2, 3)
    assert Three.input_count is None
