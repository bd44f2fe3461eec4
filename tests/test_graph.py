"""ComputationalGraph: building, passes, forks, arrays, inspection, and every error kind."""

from __future__ import annotations

import gc
import re

import networkx as nx
import numpy as np
import pytest

from compgraph import (
    GATE,
    INPUT,
    PARAMETER,
    ArityError,
    ComputationalGraph,
    CycleError,
    DuplicateNodeError,
    GateExecutionError,
    GateReuseError,
    GradientError,
    GraphError,
    GraphTypeError,
    MissingFeedError,
    NoBackwardPassError,
    NodeKindError,
    NodeNotFoundError,
    NoForwardPassError,
    OutputError,
)
from gates import (
    AddConstantGate,
    AddGate,
    DivGate,
    ExpGate,
    Gate,
    LogGate,
    MaxGate,
    MulConstantGate,
    MulGate,
    SubGate,
)
from tests._returning import Returns


def f_xyz() -> ComputationalGraph:
    g = ComputationalGraph()
    for name in "xyz":
        g.add_input(name)
    g.add_gate("q", AddGate(), ["x", "y"])
    g.add_gate("f", MulGate(), ["q", "z"])
    return g


FEEDS = {"x": -2, "y": 5, "z": -4}
GRADS = {"f": 1, "q": -4, "z": 3, "x": -4, "y": -4}


# ---------------------------------------------------------------- building


def test_add_methods_return_the_name():
    g = ComputationalGraph()
    assert g.add_input("x") == "x"
    assert g.add_parameter("w", 2.0) == "w"
    assert g.add_gate("p", MulGate(), ["w", "x"]) == "p"
    assert list(g) == ["x", "w", "p"]
    assert len(g) == 3 and "p" in g and "nope" not in g
    assert [g.kind(n) for n in g] == ["input", "parameter", "gate"]
    assert repr(g) == "<ComputationalGraph: 1 inputs, 1 parameters, 1 gates>"


def test_graph_view_has_nodes_edges_gates_and_slots():
    g = f_xyz()
    view = g.graph
    assert isinstance(view, nx.DiGraph)
    assert list(view.nodes) == ["x", "y", "z", "q", "f"]
    assert sorted(view.edges) == [("q", "f"), ("x", "q"), ("y", "q"), ("z", "f")]
    assert view.nodes["f"]["gate"] is g.gate("f")
    assert view.nodes["x"]["kind"] == "input" and "gate" not in view.nodes["x"]
    assert view.edges["z", "f"]["slots"] == (1,)
    assert list(nx.topological_sort(view))[-1] == "f"


def test_graph_view_is_read_only_and_follows_changes():
    g = f_xyz()
    with pytest.raises(nx.NetworkXError, match="Frozen"):
        g.graph.add_edge("f", "x")
    with pytest.raises(nx.NetworkXError, match="Frozen"):
        g.graph.remove_node("q")
    assert g.forward(FEEDS) == -12  # the refused changes changed nothing
    g.add_gate("h", ExpGate(), ["f"])
    assert "h" in g.graph and ("f", "h") in g.graph.edges


def test_node_used_twice_by_one_gate():
    g = ComputationalGraph()
    g.add_input("x")
    g.add_gate("sq", MulGate(), ["x", "x"])
    assert g.graph.edges["x", "sq"]["slots"] == (0, 1)
    assert g.forward(x=3.0) == 9.0
    assert g.backward() == {"x": 6.0, "sq": 1}


def test_order_of_inputs_matters():
    g = ComputationalGraph()
    g.add_input("x")
    g.add_input("y")
    g.add_gate("r", DivGate(), ["y", "x"])
    assert g.inputs("r") == ["y", "x"]
    assert g.forward(x=4.0, y=2.0) == 0.5
    grads = g.backward()
    assert grads["y"] == 0.25 and grads["x"] == -2.0 / 16.0


# ------------------------------------------------------------------ passes


def test_forward_and_backward_give_the_lectures_numbers():
    g = f_xyz()
    assert g.forward(**FEEDS) == -12
    assert g.backward() == GRADS
    assert (g.value("q"), g.grad("x")) == (3, -4)
    assert (g.gate("f").x, g.gate("f").y) == (3, -4)


def test_forward_takes_a_mapping_or_keywords():
    g = f_xyz()
    assert g.forward(FEEDS) == g.forward(**FEEDS) == g.forward({"x": -2}, y=5, z=-4) == -12


def test_an_input_called_feeds_can_be_fed_by_keyword():
    g = ComputationalGraph()
    g.add_input("feeds")
    g.add_gate("double", MulConstantGate(2), ["feeds"])
    assert g.forward(feeds=4) == 8


def test_backward_is_idempotent_and_dout_scales():
    g = f_xyz()
    g.forward(FEEDS)
    first = g.backward()
    assert g.backward() == first
    scaled = g.backward(2.0)
    assert scaled == {name: 2 * grad for name, grad in first.items()}


def test_parameters_keep_their_value_between_passes():
    g = ComputationalGraph()
    g.add_parameter("w", 3.0)
    g.add_input("x")
    g.add_gate("y", MulGate(), ["w", "x"])
    assert g.forward(x=2.0) == 6.0
    g.set_value("w", -1.0)
    assert g.value("w") == -1.0
    assert g.forward(x=2.0) == -2.0
    assert g.backward()["w"] == 2.0


def test_a_single_input_is_its_own_output():
    g = ComputationalGraph()
    g.add_input("x")
    assert g.output == "x"
    assert g.forward(x=5) == 5
    assert g.backward() == {"x": 1}


def test_zero_input_gate_is_a_constant():
    class Constant(Gate):
        def forward(self):
            return 2.0

        def backward(self, dz):
            return []

    g = ComputationalGraph()
    g.add_input("x")
    g.add_gate("two", Constant(), [])
    g.add_gate("y", MulGate(), ["two", "x"])
    assert g.forward(x=3.0) == 6.0
    assert g.backward() == {"x": 2.0, "two": 3.0, "y": 1}


# -------------------------------------------------------------------- forks


def test_gradients_add_up_at_forks():
    g = ComputationalGraph()
    g.add_input("a")
    g.add_gate("b", AddGate(), ["a", "a"])  # b = 2a
    g.add_gate("c", AddGate(), ["b", "b"])  # c = 4a
    assert g.forward(a=1.5) == 6.0
    assert g.backward() == {"a": 4, "b": 2, "c": 1}


def test_fork_into_different_gates():
    g = ComputationalGraph()  # f = x*y + max(x, y), x = 3, y = -1
    g.add_input("x")
    g.add_input("y")
    g.add_gate("p", MulGate(), ["x", "y"])
    g.add_gate("m", MaxGate(), ["x", "y"])
    g.add_gate("f", AddGate(), ["p", "m"])
    assert g.forward(x=3.0, y=-1.0) == 0.0
    grads = g.backward()
    assert grads["x"] == -1.0 + 1.0
    assert grads["y"] == 3.0 + 0.0


def test_a_long_chain_runs_without_recursion():
    n, factor = 100_000, 1.00002
    g = ComputationalGraph()
    g.add_input("x0")
    expected = 0.5
    for i in range(1, n + 1):
        gate = MulConstantGate(factor) if i % 2 else AddConstantGate(1.0)
        g.add_gate(f"x{i}", gate, [f"x{i - 1}"])
        expected = expected * factor if i % 2 else expected + 1.0
    assert g.forward(x0=0.5) == pytest.approx(expected, rel=1e-12)
    grads = g.backward()
    assert len(grads) == n + 1
    assert grads["x0"] == pytest.approx(factor ** (n // 2), rel=1e-12)
    assert g.output == f"x{n}"


# ------------------------------------------------------------------- arrays


def test_arrays_broadcast_and_gradients_take_their_nodes_shapes():
    g = ComputationalGraph()
    g.add_input("x")  # (3, 4)
    g.add_parameter("w", np.arange(4.0))  # (4,)
    g.add_parameter("b", 0.5)  # scalar
    g.add_gate("xw", MulGate(), ["x", "w"])
    g.add_gate("y", AddGate(), ["xw", "b"])
    x = np.ones((3, 4))
    out = g.forward(x=x)
    assert out.shape == (3, 4)
    grads = g.backward()
    assert grads["x"].shape == (3, 4)
    np.testing.assert_array_equal(grads["x"], np.tile(np.arange(4.0), (3, 1)))
    np.testing.assert_array_equal(grads["w"], [3.0, 3.0, 3.0, 3.0])
    assert grads["b"] == 12.0 and type(grads["b"]) is float


def test_keepdims_axes_are_summed_back():
    g = ComputationalGraph()
    g.add_input("col")  # (3, 1)
    g.add_input("row")  # (1, 4)
    g.add_gate("outer", MulGate(), ["col", "row"])
    g.forward(col=np.array([[1.0], [2.0], [3.0]]), row=np.array([[1.0, 1.0, 1.0, 1.0]]))
    grads = g.backward()
    np.testing.assert_array_equal(grads["col"], [[4.0], [4.0], [4.0]])
    np.testing.assert_array_equal(grads["row"], [[6.0, 6.0, 6.0, 6.0]])


def test_lists_are_fed_as_arrays_and_array_outputs_get_ones():
    g = ComputationalGraph()
    g.add_input("x")
    g.add_gate("e", ExpGate(), ["x"])
    np.testing.assert_allclose(g.forward(x=[0.0, 1.0]), [1.0, np.e])
    np.testing.assert_allclose(g.backward()["x"], [1.0, np.e])
    g.forward(x=np.array([1, 2]))  # an integer array's default dout is float ones
    assert g.backward()["e"].dtype == np.float64


def test_dout_with_the_outputs_shape():
    g = ComputationalGraph()
    g.add_input("x")
    g.add_gate("y", MulConstantGate(3.0), ["x"])
    g.forward(x=np.zeros(2))
    np.testing.assert_array_equal(g.backward(np.array([1.0, -1.0]))["x"], [3.0, -3.0])


# ------------------------------------------------------------ build errors


def test_duplicate_name_is_refused_and_changes_nothing():
    g = f_xyz()
    with pytest.raises(DuplicateNodeError, match="already has a node 'q'") as err:
        g.add_gate("q", MulGate(), ["x", "y"])
    assert err.value.node == "q"
    with pytest.raises(DuplicateNodeError, match="'x'"):
        g.add_input("x")
    with pytest.raises(DuplicateNodeError, match="'z'"):
        g.add_parameter("z", 1.0)
    assert len(g) == 5 and g.forward(FEEDS) == -12 and g.backward() == GRADS


def test_unknown_input_is_refused():
    g = f_xyz()
    with pytest.raises(NodeNotFoundError, match="add_gate 'h': input 'w' is not a node") as err:
        g.add_gate("h", MulGate(), ["f", "w"])
    assert err.value.nodes == ("h", "w")
    assert "h" not in g and g.forward(FEEDS) == -12


def test_a_gate_consuming_itself_is_a_cycle():
    g = f_xyz()
    with pytest.raises(CycleError, match="closes the cycle h -> h") as err:
        g.add_gate("h", AddGate(), ["f", "h"])
    assert err.value.node == "h"
    assert "h" not in g and g.output == "f" and g.forward(FEEDS) == -12


def test_arity_is_read_from_forward():
    g = f_xyz()
    with pytest.raises(ArityError, match=r"MulGate.forward takes 2 inputs, got 3"):
        g.add_gate("h", MulGate(), ["x", "y", "z"])
    with pytest.raises(ArityError, match=r"AddGate.forward takes 2 or more inputs, got 1"):
        g.add_gate("h", AddGate(), ["x"])
    with pytest.raises(ArityError, match=r"ExpGate.forward takes 1 input, got 0"):
        g.add_gate("h", ExpGate(), [])
    g.add_gate("h", AddGate(), ["x", "y", "z", "f"])  # variadic
    assert g.forward(FEEDS) == -13


def test_arity_counts_defaults_and_refuses_keyword_only():
    class Optional(Gate):
        def forward(self, x, y=2.0):
            return x * y

        def backward(self, dz):
            return [dz]

    class KeywordOnly(Gate):
        def forward(self, x, *, scale):
            return x

        def backward(self, dz):
            return [dz]

    g = ComputationalGraph()
    g.add_input("x")
    with pytest.raises(ArityError, match=r"takes 1 to 2 inputs, got 3"):
        g.add_gate("o", Optional(), ["x", "x", "x"])
    with pytest.raises(GraphTypeError, match="keyword-only parameter 'scale'"):
        g.add_gate("k", KeywordOnly(), ["x"])
    assert list(g) == ["x"]


def test_a_gate_instance_sits_at_one_node():
    g = f_xyz()
    gate = g.gate("q")
    with pytest.raises(GateReuseError, match="already sits at node 'q'") as err:
        g.add_gate("h", gate, ["f", "x"])
    assert err.value.nodes == ("h", "q")
    assert "h" not in g


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda g: g.add_input(3), "node names are strings, got 3"),
        (lambda g: g.add_gate("h", MulGate, ["x", "y"]), "got the class MulGate, not an instance"),
        (lambda g: g.add_gate("h", object(), ["x"]), "is not a Gate instance"),
        (lambda g: g.add_gate("h", ExpGate(), "x"), "inputs must be a list of node names"),
        (lambda g: g.add_parameter("w", "heavy"), "expected a number or a numeric array"),
        (lambda g: g.add_parameter("w", [1, [2, 3]]), "expected a number or a numeric array"),
    ],
)
def test_arguments_of_the_wrong_type(call, message):
    g = f_xyz()
    with pytest.raises(GraphTypeError, match=message):
        call(g)
    assert list(g) == ["x", "y", "z", "q", "f"]
    assert g.forward(FEEDS) == -12


def test_a_gate_class_without_backward_is_refused():
    class ForwardOnly(Gate):
        def forward(self, x):
            return x

    g = ComputationalGraph()
    g.add_input("x")
    with pytest.raises(GraphTypeError, match="ForwardOnly defines no backward"):
        g.add_gate("y", ForwardOnly(), ["x"])


# ------------------------------------------------------------ feed errors


def test_missing_feed_names_the_inputs():
    g = f_xyz()
    with pytest.raises(MissingFeedError, match="no value fed for inputs 'y', 'z'") as err:
        g.forward(x=1)
    assert err.value.nodes == ("y", "z")


def test_feeding_an_unknown_name_or_a_non_input():
    g = ComputationalGraph()
    g.add_input("x")
    g.add_parameter("w", 1.0)
    g.add_gate("y", MulGate(), ["w", "x"])
    with pytest.raises(NodeNotFoundError, match="fed 'v', which is not a node"):
        g.forward(x=1.0, v=2.0)
    with pytest.raises(NodeKindError, match="fed 'w', which is a parameter"):
        g.forward(x=1.0, w=2.0)
    with pytest.raises(NodeKindError, match="fed 'y', which is a gate"):
        g.forward(x=1.0, y=2.0)
    with pytest.raises(GraphTypeError, match="feed 'x': expected a number"):
        g.forward(x="one")
    with pytest.raises(GraphTypeError, match="feeds must be a mapping"):
        g.forward([("x", 1.0)])
    with pytest.raises(GraphTypeError, match="fed twice"):
        g.forward({"x": 1.0}, x=2.0)
    assert g.forward(x=2.0) == 2.0


def test_a_refused_feed_keeps_the_previous_pass():
    g = f_xyz()
    g.forward(FEEDS)
    with pytest.raises(MissingFeedError):
        g.forward(x=1)
    assert g.value("q") == 3
    assert g.backward() == GRADS


def test_the_output_must_be_unique():
    g = ComputationalGraph()
    with pytest.raises(OutputError, match="the graph is empty"):
        g.forward()
    g.add_input("x")
    g.add_input("y")
    g.add_gate("a", ExpGate(), ["x"])
    with pytest.raises(OutputError, match=r"2 outputs .*'y', 'a'") as err:
        g.forward(x=0.0, y=1.0)
    assert err.value.nodes == ("y", "a")
    with pytest.raises(OutputError):
        _ = g.output
    g.add_gate("b", MulGate(), ["a", "y"])
    assert g.forward(x=0.0, y=2.0) == 2.0


# ---------------------------------------------------- inspection errors


def test_inspecting_unknown_nodes_and_wrong_kinds():
    g = f_xyz()
    for method in (g.value, g.grad, g.gate, g.inputs, g.kind):
        with pytest.raises(NodeNotFoundError, match=r"'w' is not a node"):
            method("w")
    with pytest.raises(NodeKindError, match="'x' is an input, not a gate"):
        g.gate("x")
    with pytest.raises(NodeKindError, match="set_value: 'q' is a gate, not a parameter"):
        g.set_value("q", 1.0)
    with pytest.raises(NodeKindError, match="set_value: 'x' is an input, not a parameter"):
        g.set_value("x", 1.0)


def test_values_and_grads_before_their_pass():
    g = f_xyz()
    with pytest.raises(NoForwardPassError, match="backward: no forward pass has run"):
        g.backward()
    with pytest.raises(NoForwardPassError, match="value 'q'"):
        g.value("q")
    g.forward(FEEDS)
    with pytest.raises(NoBackwardPassError, match="grad 'x': no backward pass"):
        g.grad("x")
    g.backward()
    g.forward(FEEDS)  # a new forward makes the old gradients stale
    with pytest.raises(NoBackwardPassError):
        g.grad("x")


def test_changing_the_structure_needs_a_new_forward():
    g = f_xyz()
    g.forward(FEEDS)
    g.add_gate("h", ExpGate(), ["f"])
    with pytest.raises(NoForwardPassError, match="the graph changed"):
        g.backward()
    g.forward(FEEDS)
    assert g.backward()["x"] == pytest.approx(-4 * np.exp(-12))


def test_bad_dout_is_refused_without_spoiling_the_pass():
    g = f_xyz()
    g.forward(FEEDS)
    with pytest.raises(GradientError, match=r"dout has shape \(2,\), but the output 'f'"):
        g.backward(np.ones(2))
    assert g.backward() == GRADS


# ------------------------------------------------------- failures in gates


class Exploding(Gate):
    """Raises in forward when its input is negative, in backward when dz is 0."""

    def forward(self, x):
        if x < 0:
            raise ValueError("negative input")
        self.x = x
        return x

    def backward(self, dz):
        if dz == 0:
            raise RuntimeError("zero gradient")
        return [dz]


def exploding_graph() -> ComputationalGraph:
    g = ComputationalGraph()
    g.add_input("x")
    g.add_input("k")
    g.add_gate("e", Exploding(), ["x"])
    g.add_gate("y", MulGate(), ["e", "k"])
    return g


def test_an_exception_in_forward_is_wrapped_and_backward_refuses():
    g = exploding_graph()
    assert g.forward(x=2.0, k=3.0) == 6.0
    with pytest.raises(
        GateExecutionError, match=r"node 'e' \(Exploding\)\.forward raised ValueError: negative"
    ) as err:
        g.forward(x=-1.0, k=3.0)
    assert isinstance(err.value.__cause__, ValueError)
    assert err.value.node == "e"
    with pytest.raises(NoForwardPassError, match="forward pass failed at node 'e'"):
        g.backward()
    with pytest.raises(NoForwardPassError):
        g.value("y")
    assert g.forward(x=1.0, k=3.0) == 3.0  # the next good forward works
    assert g.backward() == {"x": 3.0, "k": 1.0, "e": 3.0, "y": 1}


def test_an_exception_in_backward_is_wrapped_and_a_new_forward_is_needed():
    g = exploding_graph()
    g.forward(x=2.0, k=0.0)
    with pytest.raises(
        GateExecutionError, match=r"node 'e' \(Exploding\)\.backward raised RuntimeError"
    ) as err:
        g.backward()
    assert isinstance(err.value.__cause__, RuntimeError)
    with pytest.raises(NoForwardPassError, match="backward pass failed at node 'e'"):
        g.backward()
    with pytest.raises(NoBackwardPassError):
        g.grad("x")
    g.forward(x=2.0, k=1.0)
    assert g.backward()["x"] == 1.0


def test_errors_inside_built_in_gates_are_wrapped():
    g = ComputationalGraph()
    g.add_input("x")
    g.add_gate("r", LogGate(), ["x"])
    with pytest.raises(GateExecutionError, match=r"'r' \(LogGate\).forward raised ValueError"):
        g.forward(x=-1)
    assert g.forward(x=1) == 0.0


@pytest.mark.parametrize(
    ("gradients", "x", "message"),
    [
        ([1.0], 2.0, r"'h' \(Returns\): backward returned 1 gradient for 2 inputs"),
        ([1.0, 2.0, 3.0], 2.0, "backward returned 3 gradients for 2 inputs"),
        (1.0, 2.0, "backward returned float, not a list of 2 gradients"),
        (
            [np.ones(2), 1.0],
            np.zeros(3),
            r"gradient for input 'x' has shape \(2,\), not the input's shape \(3,\)",
        ),
        ([1.0, None], 2.0, "gradient for input 'y' is a NoneType, not a number or array"),
    ],
)
def test_gradients_that_do_not_fit_are_named(gradients, x, message):
    g = ComputationalGraph()
    g.add_input("x")
    g.add_input("y")
    g.add_gate("h", Returns(gradients), ["x", "y"])
    g.forward(x=x, y=3.0)
    with pytest.raises(GradientError, match=message) as err:
        g.backward()
    assert err.value.node == "h"
    with pytest.raises(NoForwardPassError):
        g.backward()


def test_a_broadcast_gradient_for_a_scalar_input_is_summed():
    g = ComputationalGraph()
    g.add_input("x")
    g.add_input("y")
    g.add_gate("h", Returns([np.ones(3), np.ones(3)]), ["x", "y"])
    g.forward(x=2.0, y=np.zeros(3))  # x is broadcast to the output's (3,)
    assert g.backward(np.ones(3))["x"] == 3.0


@pytest.mark.parametrize(
    ("x", "y", "grads", "reason"),
    [
        (2.0, 3.0, [np.ones(5), 1.0], "has shape (5,), not the input's shape ()"),
        (
            np.zeros(3),
            np.zeros(3),
            [np.ones((7, 3)), np.ones(3)],
            "has shape (7, 3), not the input's shape (3,)",
        ),
    ],
)
def test_a_gradient_no_broadcasting_explains_is_refused(x, y, grads, reason):
    g = ComputationalGraph()
    g.add_input("x")
    g.add_input("y")
    g.add_gate("h", Returns(grads), ["x", "y"])
    out = g.forward(x=x, y=y)
    with pytest.raises(GradientError, match=re.escape(f"gradient for input 'x' {reason}")):
        g.backward(np.ones(np.shape(out)) if np.ndim(out) else None)


def test_a_tuple_of_gradients_is_accepted():
    g = ComputationalGraph()
    g.add_input("x")
    g.add_input("y")
    g.add_gate("h", Returns((4.0, 5.0)), ["x", "y"])
    g.forward(x=2.0, y=3.0)
    assert g.backward() == {"x": 4.0, "y": 5.0, "h": 1}


def test_every_error_is_a_graph_error():
    g = exploding_graph()
    for call in (
        lambda: g.forward(x=1.0),
        lambda: g.add_input("x"),
        lambda: g.value("w"),
        lambda: g.forward(x=-1.0, k=1.0),
    ):
        with pytest.raises(GraphError):
            call()


def test_sub_and_div_gradients_in_a_graph():
    g = ComputationalGraph()  # f = (a - b) / b at a = 5, b = 2
    g.add_input("a")
    g.add_input("b")
    g.add_gate("d", SubGate(), ["a", "b"])
    g.add_gate("f", DivGate(), ["d", "b"])
    assert g.forward(a=5.0, b=2.0) == 1.5
    grads = g.backward()
    assert grads["a"] == 0.5
    assert grads["b"] == pytest.approx(-0.5 - 3.0 / 4.0)


# ----------------------------------------------------------------- garbage


@pytest.mark.parametrize("feeds", [FEEDS, {"x": np.ones(3), "y": np.ones((2, 1)), "z": 2.0}])
def test_passes_leave_no_garbage_cycles(feeds):
    g = f_xyz()
    g.forward(feeds)
    g.backward()
    gc.collect()
    gc.disable()
    try:
        for _ in range(10):
            g.forward(feeds)
            g.backward()
        assert gc.collect() == 0
    finally:
        gc.enable()


# ------------------------------------------------------- restricted backward


class Careful(Gate):
    """Multiplies; returns None for an input the engine says needs no gradient,
    and keeps what it was told at its latest backward."""

    told = None

    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dz):
        self.told = self.needs_input_grad
        needs = self.needs_input_grad or (True, True)
        return [self.y * dz if needs[0] else None, self.x * dz if needs[1] else None]


def careful_graph() -> ComputationalGraph:
    g = ComputationalGraph()  # loss = exp(w * x) + b
    g.add_input("x")
    g.add_parameter("w", 0.5)
    g.add_parameter("b", 1.0)
    g.add_gate("wx", Careful(), ["x", "w"])
    g.add_gate("e", ExpGate(), ["wx"])
    g.add_gate("loss", AddGate(), ["e", "b"])
    return g


@pytest.mark.parametrize("x", [2.0, np.array([1.0, 2.0])])
def test_backward_wrt_gives_the_same_gradients_for_what_is_asked(x):
    g = careful_graph()
    g.forward(x=x)
    full = g.backward(np.ones(np.shape(x)) if np.ndim(x) else None)
    g.forward(x=x)
    only = g.backward(np.ones(np.shape(x)) if np.ndim(x) else None, wrt=["w", "b"])
    assert list(only) == ["w", "b"]
    for name in only:
        np.testing.assert_array_equal(only[name], full[name])
    assert g.gate("wx").told == (False, True)
    assert g.gate("wx").needs_input_grad is None  # told for that pass only
    np.testing.assert_array_equal(g.grad("e"), full["e"])  # on the way: computed
    with pytest.raises(
        NoBackwardPassError, match="grad 'x': the latest backward pass was restricted"
    ):
        g.grad("x")


def test_a_full_backward_after_a_restricted_one_tells_gates_everything_again():
    g = careful_graph()
    g.forward(x=2.0)
    g.backward(wrt=["w"])
    assert g.gate("wx").told == (False, True)
    assert g.backward()["x"] == 0.5 * np.exp(1.0)
    assert g.gate("wx").told is None
    g.backward(wrt=["x"])
    assert g.gate("wx").told == (True, False)


def test_a_failed_restricted_backward_tells_the_gates_nothing_afterwards():
    g = careful_graph()
    g.add_gate("bad", Returns([1.0, 2.0, 3.0]), ["loss", "x"])
    g.forward(x=2.0)
    with pytest.raises(GradientError, match="returned 3 gradients for 2 inputs"):
        g.backward(wrt=["w"])
    assert g.gate("wx").needs_input_grad is None


class CountingExp(ExpGate):
    def __init__(self):
        self.calls = 0

    def backward(self, dz):
        self.calls += 1
        return super().backward(dz)


def test_gates_on_no_path_from_what_is_asked_are_not_run():
    g = ComputationalGraph()  # loss = exp(w * x) + b
    g.add_input("x")
    g.add_parameter("w", 0.5)
    g.add_parameter("b", 1.0)
    g.add_gate("wx", Careful(), ["x", "w"])
    g.add_gate("e", CountingExp(), ["wx"])
    g.add_gate("loss", AddGate(), ["e", "b"])
    g.forward(x=2.0)
    assert g.backward(wrt=["b"]) == {"b": 1}
    assert g.gate("e").calls == 0
    assert g.backward(wrt=["w"]) == {"w": 2.0 * np.exp(1.0)}
    assert g.gate("e").calls == 1  # once: the gate's None for x went to the scratch


def test_wrt_errors():
    g = careful_graph()
    g.forward(x=2.0)
    with pytest.raises(NodeNotFoundError, match="backward: wrt: 'v' is not a node"):
        g.backward(wrt=["v"])
    with pytest.raises(GraphTypeError, match="wrt must be a list of node names"):
        g.backward(wrt="w")
    assert g.backward(wrt=[]) == {}
    assert g.backward()["w"] == pytest.approx(2.0 * np.exp(1.0))


def test_none_for_a_needed_input_is_a_gradient_error():
    g = careful_graph()
    g.gate("wx").needs_input_grad = (False, False)  # a gate that believes it needs nothing
    g.forward(x=2.0)
    with pytest.raises(GradientError, match="gradient for input 'x' is a NoneType"):
        g.backward()


def test_arity_of_a_static_forward_counts_every_parameter():
    class Double(Gate):
        @staticmethod
        def forward(x):
            return 2 * x

        def backward(self, dz):
            return [2 * dz]

    g = ComputationalGraph()
    g.add_input("x")
    g.add_gate("d", Double(), ["x"])
    assert g.forward(x=3) == 6 and g.backward()["x"] == 2
    with pytest.raises(ArityError, match=r"Double.forward takes 1 input, got 2"):
        g.add_gate("e", Double(), ["x", "d"])


def test_input_names_and_node_kinds():
    g = f_xyz()
    g.add_parameter("w", 2.0)
    g.add_gate("h", MulGate(), ["f", "w"])
    assert g.input_names() == ["x", "y", "z"]
    assert list(g.parameters()) == ["w"]
    assert [g.kind(n) for n in ["x", "w", "h"]] == [INPUT, PARAMETER, GATE]
    assert dict(g.graph.nodes(data="kind"))["w"] == PARAMETER


class Noisy(Gate):
    """A student's multiply gate that counts its backward calls (as a print would show)."""

    def __init__(self):
        self.calls = 0

    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dz):
        self.calls += 1
        return [self.y * dz, self.x * dz]


class ZeroDimensional(Gate):
    """Doubles, sending back a 0-d array for a number (fitted to a number)."""

    def forward(self, x):
        return 2 * x

    def backward(self, dz):
        return [np.asarray(2 * dz)]


def test_each_backward_runs_once_per_pass_whatever_the_gradients():
    g = ComputationalGraph()
    g.add_input("x")
    g.add_input("y")
    g.add_gate("m", Noisy(), ["x", "y"])
    g.add_gate("d", ZeroDimensional(), ["m"])
    g.forward(x=3.0, y=-4.0)
    grads = g.backward()
    assert g.gate("m").calls == 1
    assert grads == {"x": -8.0, "y": 6.0, "m": 2.0, "d": 1}
    assert type(grads["m"]) is int  # a number's gradient is a number, not a 0-d array
    g.backward(wrt=["x"])
    assert g.gate("m").calls == 2
