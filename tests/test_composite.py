"""CompositeGate: a gate made of a graph, checked as any gate."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compgraph import (
    CompositeGate,
    ComputationalGraph,
    DuplicateNodeError,
    GateExecutionError,
    GateReuseError,
    GraphError,
    GraphTypeError,
    GroupError,
    NoBackwardPassError,
    NodeNotFoundError,
    NoForwardPassError,
    OutputError,
    check_gate,
    gate_report,
    gradcheck,
)
from compgraph.composite import composites
from compgraph.explain import local_gradients
from compgraph.lectures import grouped_neuron, neuron
from gates import AddGate, Gate, MaxGate, MulGate
from gates.base import arity
from tests.test_graph_properties import random_graphs


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


# ------------------------------------------------------------------ group, expand


def neuron_passes() -> tuple[ComputationalGraph, ComputationalGraph, dict[str, float]]:
    """The decomposed neuron after a pass, and the SigmoidGate one after a pass."""
    decomposed, feeds = neuron(decomposed=True)
    whole, _ = neuron()
    for g in (decomposed, whole):
        g.forward(feeds)
        g.backward()
    return decomposed, whole, feeds


SIGMOID_PART = ["neg", "exp", "plus1", "f"]


def test_grouping_the_neurons_sigmoid_gives_the_sigmoid_gates_numbers() -> None:
    g, whole, feeds = neuron_passes()
    g.group("σ", ["f", "exp", "neg", "plus1"])  # any order
    assert list(g) == ["w0", "w1", "w2", "x0", "x1", "w0*x0", "w1*x1", "sum", "dot", "σ"]
    assert g.output == "σ" and g.inputs("σ") == ["dot"]
    for state in ("kept from the latest pass", "a new pass"):
        assert g.value("σ") == pytest.approx(whole.value("f"), abs=1e-15), state
        assert round(g.value("σ"), 2) == 0.73
        (local,) = local_gradients(g, "σ")
        assert round(local, 2) == 0.2 == round((1 - 0.73) * 0.73, 2)
        assert local == pytest.approx(local_gradients(whole, "f")[0], abs=1e-15)
        for name in ("w0", "w1", "w2", "x0", "x1", "dot"):
            assert g.grad(name) == pytest.approx(whole.grad(name), abs=1e-15), (state, name)
        assert [round(g.grad(w), 2) for w in ("w0", "w1", "w2")] == [-0.2, -0.39, 0.2]
        g.forward(feeds)
        g.backward()


def test_grouping_keeps_every_other_number_and_the_inner_graph_holds_the_part() -> None:
    g, _, _ = neuron_passes()
    before = {name: (g.value(name), g.grad(name)) for name in g}
    g.group("σ", SIGMOID_PART)
    for name in g:
        if name != "σ":
            assert (g.value(name), g.grad(name)) == before[name], name
    assert (g.value("σ"), g.grad("σ")) == before["f"]
    inner = g.gate("σ").graph
    assert list(inner) == ["dot", *SIGMOID_PART] and inner.input_names() == ["dot"]
    for name in SIGMOID_PART:
        assert (inner.value(name), inner.grad(name)) == before[name], name
    assert inner.value("dot") == before["dot"][0]
    assert inner.grad("dot") == before["dot"][1]  # dot feeds only the part
    assert g.gate("σ").symbol == "σ"


def test_grouping_without_a_pass_or_after_forward_only() -> None:
    g, feeds = neuron(decomposed=True)
    g.group("σ", SIGMOID_PART)
    with pytest.raises(NoForwardPassError):
        g.value("σ")
    g, _ = neuron(decomposed=True)
    g.forward(feeds)
    g.group("σ", SIGMOID_PART)
    assert round(g.value("σ"), 2) == 0.73
    with pytest.raises(NoBackwardPassError):
        g.grad("σ")
    g.backward()
    assert round(g.grad("dot"), 2) == 0.2


def test_the_inner_inputs_in_the_order_the_part_first_consumes_them() -> None:
    g = ComputationalGraph.from_expression("a = x * y; b = z + x; c = a * b; d = c + w")
    g.group("c", ["a", "b", "c"])  # the exit lends its name
    assert g.inputs("c") == ["x", "y", "z"]
    assert g.gate("c").graph.input_names() == ["x", "y", "z"]
    assert g.forward(x=2, y=3, z=4, w=1) == 2 * 3 * (4 + 2) + 1


def test_grouping_after_a_restricted_backward_keeps_what_it_computed() -> None:
    g, feeds = neuron(decomposed=True)
    g.forward(feeds)
    g.backward(wrt=["w0"])
    g.group("σ", SIGMOID_PART)
    assert round(g.grad("w0"), 2) == -0.2
    with pytest.raises(NoBackwardPassError, match="restricted"):
        g.grad("x1")


def test_expand_puts_the_nodes_back() -> None:
    g, _, _ = neuron_passes()
    before = {name: (g.value(name), g.grad(name)) for name in g}
    order = list(g)
    gate = g.gate("exp")
    g.group("σ", SIGMOID_PART)
    assert g.expand("σ") == SIGMOID_PART
    assert list(g) == order
    assert {name: (g.value(name), g.grad(name)) for name in g} == before
    assert g.gate("exp") is gate
    assert "σ" not in g
    with pytest.raises(GateReuseError, match=r"'again'.*node 'exp'"):
        g.add_gate("again", gate, ["f"])


def test_expand_a_built_composite_with_parameters_and_a_clash() -> None:
    inner = ComputationalGraph()
    inner.add_input("x")
    inner.add_parameter("k", 3.0)
    inner.add_gate("y", MulGate(), ["k", "x"])
    g = ComputationalGraph()
    g.add_input("y")
    g.add_gate("c", CompositeGate(inner), ["y"])
    g.add_gate("out", AddGate(), ["c", "y"])
    g.forward(y=2.0)
    g.backward()
    assert g.expand("c") == ["k", "c/y"]
    assert g.inputs("c/y") == ["k", "y"] and g.inputs("out") == ["c/y", "y"]
    assert g.parameters() == {"k": 3.0}
    assert (g.value("c/y"), g.grad("k"), g.grad("y")) == (6.0, 2.0, 4.0)
    assert list(inner) == []


def part_refused(g: ComputationalGraph, error: type[Exception], match: str, *args: object) -> None:
    """Refused, leaving the graph as it was."""
    nodes, inputs = list(g), {name: g.inputs(name) for name in g}
    with pytest.raises(error, match=match):
        g.group(*args)  # type: ignore[arg-type]
    assert list(g) == nodes and {name: g.inputs(name) for name in g} == inputs


def test_group_refusals_name_what_is_wrong() -> None:
    g, feeds = neuron(decomposed=True)
    g.forward(feeds)
    part_refused(g, GroupError, r"2 exits, 'w0\*x0', 'neg'", "s", ["neg", "w0*x0"])
    # a part that would close a cycle (dot -> neg outside -> exp) has two exits
    part_refused(g, GroupError, r"2 exits, 'dot', 'exp'", "s", ["dot", "exp"])
    part_refused(g, NodeNotFoundError, r"'nope' is not a node", "s", ["exp", "nope"])
    part_refused(g, GroupError, r"'w2' is an input or a parameter", "s", ["dot", "w2"])
    part_refused(g, GroupError, r"the part is empty", "s", [])
    part_refused(g, DuplicateNodeError, r"already has a node 'x0'", "x0", SIGMOID_PART)
    part_refused(g, GraphTypeError, r"list of node names", "s", "exp")
    part_refused(g, GraphTypeError, r"names are strings", 3, SIGMOID_PART)
    assert round(g.value("f"), 2) == 0.73  # the pass is still there
    g.backward()
    assert round(g.grad("dot"), 2) == 0.2


def test_expand_refusals() -> None:
    g, _ = neuron(decomposed=True)
    with pytest.raises(GroupError, match="'exp' is ExpGate, not a composite gate"):
        g.expand("exp")
    with pytest.raises(GroupError, match="'x0' is an input, not a composite gate"):
        g.expand("x0")
    with pytest.raises(GroupError, match="'w0' is a parameter"):
        g.expand("w0")
    with pytest.raises(NodeNotFoundError, match="'nope'"):
        g.expand("nope")


@st.composite
def graphs_with_one_exit_parts(draw):  # type: ignore[no-untyped-def]
    g, feeds = draw(random_graphs(array_inputs=draw(st.booleans())))
    gates = [name for name in g if g.kind(name) == "gate"]
    exit_node = draw(st.sampled_from(gates))
    consumers: dict[str, set[str]] = {name: set() for name in g}
    for name in g:
        for consumed in g.inputs(name):
            consumers[consumed].add(name)
    part = {exit_node}
    for name in reversed(gates[: gates.index(exit_node)]):
        if consumers[name] and consumers[name] <= part and draw(st.booleans()):
            part.add(name)
    return g, feeds, sorted(part)


@given(graphs_with_one_exit_parts(), st.booleans())
@settings(max_examples=60, deadline=None)
def test_grouping_and_expanding_changes_no_value_or_gradient(case, lend_the_name) -> None:  # type: ignore[no-untyped-def]
    g, feeds, part = case
    with np.errstate(all="ignore"):
        g.forward(feeds)
        g.backward()
        before = {node: (g.value(node), g.grad(node)) for node in g}
        order, inputs = list(g), {node: g.inputs(node) for node in g}
        exit_node = next(node for node in reversed(order) if node in part)
        composite = exit_node if lend_the_name else "group"
        g.group(composite, part)
        for node in g:  # the latest pass, kept
            expected = before[exit_node if node == composite else node]
            np.testing.assert_array_equal(g.value(node), expected[0])
            np.testing.assert_array_equal(g.grad(node), expected[1])
        g.forward(feeds)
        g.backward()
        for node in g:  # a new pass adds a fork's shares in another order (by the group)
            expected = before[exit_node if node == composite else node]
            np.testing.assert_array_equal(g.value(node), expected[0])
            np.testing.assert_allclose(g.grad(node), expected[1], rtol=1e-12, atol=1e-12)
        inner = g.gate(composite).graph
        held = {node: (g.value(node), g.grad(node)) for node in g if node != composite}
        held.update({node: (inner.value(node), inner.grad(node)) for node in part})
        assert g.expand(composite) == [node for node in order if node in part]
        assert sorted(g) == sorted(order)  # the part comes back at its exit's place
        assert all(g.inputs(node) == inputs[node] for node in g)
        for node in g:  # the grouped graph's latest pass, kept
            np.testing.assert_array_equal(g.value(node), held[node][0])
            np.testing.assert_array_equal(g.grad(node), held[node][1])
        g.forward(feeds)
        g.backward()
        for node in g:
            np.testing.assert_allclose(g.grad(node), before[node][1], rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------ seeing a composite


def grouped_neuron_pass() -> ComputationalGraph:
    g, feeds = grouped_neuron()
    g.forward(feeds)
    g.backward()
    return g


def test_explain_tells_a_composite_as_one_step_and_opened_gate_by_gate() -> None:
    g = grouped_neuron_pass()
    closed = g.explain()
    assert "σ 'f' = 0.73 receives 1 (the output); its inner graph passes it back" in closed
    assert "to 'dot': local gradient 0.2 (its backward at dz = 1), times 1, sends 0.2" in closed
    assert "'exp'" not in closed
    assert closed.splitlines()[-1] == (
        "Composite gates, each told as one step: 'f'; "
        "explain(opened=['f']) tells their inner gates."
    )
    opened_text = g.explain(opened=["f"])
    decomposed, feeds = neuron(decomposed=True)
    decomposed.forward(feeds)
    decomposed.backward()
    assert opened_text == decomposed.explain()
    assert g.gate("f").symbol == "σ" and "neg" not in g  # the graph itself stays grouped


def test_to_dot_collapsed_and_opened_in_a_frame() -> None:
    g = grouped_neuron_pass()
    closed = g.to_dot()
    assert 'n9 [label="σ", tooltip="f", shape=circle];' in closed and "exp" not in closed
    opened_dot = g.to_dot(opened=["f"])
    assert 'subgraph cluster_0 { label="f"; style=dashed; n9; n10; n11; n12; }' in opened_dot
    assert 'n10 [label="exp", tooltip="exp", shape=circle];' in opened_dot
    assert '<font color="#1a7f37">0.37</font><br/><font color="#cf222e">-0.53</font>' in opened_dot


def test_draw_collapsed_and_opened(tmp_path: Path) -> None:
    g = grouped_neuron_pass()
    closed = g.draw(tmp_path / "closed.svg").read_text()
    opened_svg = g.draw(tmp_path / "opened.svg", opened=["f"]).read_text()
    assert ">σ<" in closed and ">exp<" not in closed
    assert ">exp<" in opened_svg and ">0.37<" in opened_svg and ">σ<" not in opened_svg


def test_opened_refuses_what_is_not_a_composite() -> None:
    g = grouped_neuron_pass()
    with pytest.raises(GroupError, match="'dot' is AddGate"):
        g.explain(opened=["dot"])
    with pytest.raises(GraphTypeError, match="list of composite gates' names"):
        g.to_dot(opened="f")  # type: ignore[arg-type]
    assert composites(g) == ["f"]


def test_checks_name_the_inner_inputs() -> None:
    report = str(
        gate_report(CompositeGate(ComputationalGraph.from_expression("x * exp(y)")), 1.0, 2.0)
    )
    assert "0 (x)" in report and "1 (y)" in report
