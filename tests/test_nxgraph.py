"""ComputationalGraph.from_networkx: a DiGraph made by hand becomes a graph."""

from __future__ import annotations

import copy

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compgraph import (
    ArityError,
    CompositeGate,
    ComputationalGraph,
    CycleError,
    GateReuseError,
    GraphTypeError,
    NodeKindError,
    SlotError,
)
from compgraph.graph import _PLACED
from compgraph.lectures import grouped_neuron, neuron
from gates import AddGate, DivGate, ExpGate, MulGate, SubGate
from tests.test_graph_properties import random_graphs


def lectures_f() -> nx.DiGraph:
    dg = nx.DiGraph()
    dg.add_node("q", gate=AddGate())
    dg.add_node("f", gate=MulGate())
    dg.add_edges_from([("x", "q"), ("y", "q"), ("q", "f"), ("z", "f")])
    return dg


def test_the_lectures_f() -> None:
    g = ComputationalGraph.from_networkx(lectures_f())
    assert g.input_names() == ["x", "y", "z"]
    assert g.forward(x=-2, y=5, z=-4) == -12
    assert g.backward() == {"x": -4, "y": -4, "z": 3, "q": -4, "f": 1}


def test_edges_in_the_order_added_or_by_slot() -> None:
    dg = nx.DiGraph()
    dg.add_node("r", gate=DivGate())
    dg.add_edge("y", "r")
    dg.add_edge("x", "r")
    assert ComputationalGraph.from_networkx(dg).inputs("r") == ["y", "x"]
    dg = nx.DiGraph()
    dg.add_node("r", gate=SubGate())
    dg.add_edge("y", "r", slot=1)
    dg.add_edge("x", "r", slots=(0,))
    g = ComputationalGraph.from_networkx(dg)
    assert g.inputs("r") == ["x", "y"] and g.forward(x=5, y=2) == 3


def test_repeated_inputs_by_slots() -> None:
    dg = nx.DiGraph()
    dg.add_node("cube", gate=MulGate())
    dg.add_node("sq", gate=MulGate())
    dg.add_edge("x", "sq", slots=(0, 1))
    dg.add_edge("sq", "cube", slot=0)
    dg.add_edge("x", "cube", slot=1)
    g = ComputationalGraph.from_networkx(dg)
    assert g.forward(x=3) == 27 and g.backward()["x"] == 27


def test_nodes_in_any_order_inputs_in_its_order() -> None:
    dg = nx.DiGraph()
    dg.add_node("f", gate=MulGate())  # before what it consumes
    dg.add_node("b")
    dg.add_node("q", gate=AddGate())
    dg.add_node("a")
    dg.add_edges_from([("q", "f"), ("b", "f"), ("a", "q"), ("b", "q")])
    g = ComputationalGraph.from_networkx(dg)
    assert g.input_names() == ["b", "a"] and list(g) == ["b", "a", "q", "f"]
    assert g.forward(a=1, b=2) == 6


def test_parameters_and_composites() -> None:
    dg = nx.DiGraph()
    dg.add_node("w", kind="parameter", value=np.array([1.0, 2.0]))
    dg.add_node("wx", gate=MulGate())
    dg.add_node("s", gate=CompositeGate(ComputationalGraph.from_expression("exp(t)")))
    dg.add_edges_from([("w", "wx"), ("x", "wx"), ("wx", "s")])
    g = ComputationalGraph.from_networkx(dg)
    assert list(g.parameters()) == ["w"]
    np.testing.assert_allclose(g.forward(x=0.5), np.exp([0.5, 1.0]))
    np.testing.assert_allclose(g.backward()["w"], 0.5 * np.exp([0.5, 1.0]))


@pytest.mark.parametrize("build", [neuron, grouped_neuron, lambda: neuron(decomposed=True)])
def test_round_trip_from_the_graph_view(build) -> None:  # type: ignore[no-untyped-def]
    g, feeds = build()
    g.set_value("w0", 2.5)
    copied = ComputationalGraph.from_networkx(copy.deepcopy(g.graph))
    assert list(copied) == list(g) and copied.parameters() == g.parameters()
    assert all(copied.inputs(name) == g.inputs(name) for name in g)
    assert copied.forward(feeds) == g.forward(feeds)
    assert copied.backward() == g.backward()


# ------------------------------------------------------------------------- errors


def refused(dg: nx.DiGraph, error: type[Exception], match: str) -> None:
    """Refused; the gates of dg sit at no node afterwards (free to place again)."""
    with pytest.raises(error, match=match):
        ComputationalGraph.from_networkx(dg)
    assert not any(id(gate) in _PLACED for _, gate in dg.nodes(data="gate"))


def test_a_cycle_is_shown() -> None:
    dg = lectures_f()
    dg.add_edge("f", "q")
    refused(dg, CycleError, r"the edges close the cycle q -> f -> q")


def test_slot_faults_name_the_gate() -> None:
    dg = nx.DiGraph()
    dg.add_node("r", gate=DivGate())
    dg.add_edge("x", "r", slot=0)
    dg.add_edge("y", "r")
    refused(dg, SlotError, r"gate 'r': the edges from 'x' give slots, the edges from 'y' none")
    dg["y"]["r"]["slot"] = 0
    refused(dg, SlotError, r"gate 'r': the edges from 'x' and 'y' both take slot 0")
    dg["y"]["r"]["slot"] = 2
    refused(dg, SlotError, r"gate 'r': no edge takes slot 1 \(slots \[0, 2\]\)")
    dg["y"]["r"]["slot"] = "1"
    refused(dg, SlotError, r"edge 'y' -> 'r': slot '1' is not a whole number")
    dg["y"]["r"]["slots"] = (1,)
    refused(dg, SlotError, r"edge 'y' -> 'r' has both 'slots' and 'slot'")


def test_an_arity_that_does_not_fit() -> None:
    dg = nx.DiGraph()
    dg.add_node("e", gate=ExpGate())
    dg.add_edges_from([("x", "e"), ("y", "e")])
    refused(dg, ArityError, r"from_networkx: gate 'e': ExpGate.forward takes 1 input, got 2")


def test_a_gate_already_placed() -> None:
    gate = MulGate()
    other = ComputationalGraph()
    other.add_input("a")
    other.add_gate("sq", gate, ["a", "a"])
    dg = nx.DiGraph()
    dg.add_node("m", gate=gate)
    dg.add_edge("x", "m", slots=(0, 1))
    with pytest.raises(
        GateReuseError,
        match=r"gate 'm': this MulGate instance already sits at "
        r"node 'sq' of another graph",
    ):
        ComputationalGraph.from_networkx(dg)
    twice = MulGate()
    dg = nx.DiGraph()
    dg.add_node("a", gate=twice)
    dg.add_node("b", gate=twice)
    dg.add_edge("x", "a", slots=(0, 1))
    dg.add_edge("a", "b", slots=(0, 1))
    with pytest.raises(GateReuseError, match=r"gate 'b': .* already sits at node 'a'"):
        ComputationalGraph.from_networkx(dg)
    again = ComputationalGraph()
    again.add_input("x")
    again.add_gate("c", twice, ["x", "x"])  # the refused graph let it go
    assert again.forward(x=3) == 9


def test_what_is_not_a_gate_graph() -> None:
    dg = nx.DiGraph()
    dg.add_node(1)
    refused(dg, GraphTypeError, r"node names are strings, got 1")
    refused(nx.MultiDiGraph(), GraphTypeError, r"expected a networkx.DiGraph, got MultiDiGraph")
    with pytest.raises(GraphTypeError, match=r"got Graph"):
        ComputationalGraph.from_networkx(nx.Graph())  # type: ignore[arg-type]
    dg = nx.DiGraph()
    dg.add_node("f", gate=MulGate)
    dg.add_edge("x", "f", slots=(0, 1))
    refused(dg, GraphTypeError, r"gate 'f': got the class MulGate, not an instance")
    dg = nx.DiGraph()
    dg.add_node("w", kind="parameter")
    refused(dg, NodeKindError, r"parameter 'w' has no 'value'")
    dg = nx.DiGraph()
    dg.add_edge("a", "x")
    refused(dg, NodeKindError, r"node 'x' has in-edges \(from 'a'\) but no 'gate'")


# --------------------------------------------------------------------- property


@st.composite
def hand_built(draw):  # type: ignore[no-untyped-def]
    g, feeds = draw(random_graphs(array_inputs=draw(st.booleans())))
    dg = nx.DiGraph()
    for node in g:
        if g.kind(node) == "gate":
            dg.add_node(node, gate=copy.deepcopy(g.gate(node)))
        else:
            dg.add_node(node)
    for node in g:
        inputs = g.inputs(node)
        if len(set(inputs)) == len(inputs) and draw(st.booleans()):
            dg.add_edges_from((source, node) for source in inputs)  # in the order added
            continue
        slots: dict[str, list[int]] = {}
        for slot, source in enumerate(inputs):
            slots.setdefault(source, []).append(slot)
        for source in draw(st.permutations(list(slots))):
            if len(slots[source]) == 1 and draw(st.booleans()):
                dg.add_edge(source, node, slot=slots[source][0])
            else:
                dg.add_edge(source, node, slots=tuple(slots[source]))
    return g, dg, feeds


@given(hand_built())
@settings(max_examples=60, deadline=None)
def test_from_networkx_equals_the_graph_built_with_add_gate(case) -> None:  # type: ignore[no-untyped-def]
    g, dg, feeds = case
    built = ComputationalGraph.from_networkx(dg)
    assert list(built) == list(g)
    assert all(built.inputs(node) == g.inputs(node) for node in g)
    with np.errstate(all="ignore"):
        g.forward(feeds)
        built.forward(feeds)
        g.backward()
        built.backward()
    for node in g:
        np.testing.assert_array_equal(built.value(node), g.value(node))
        np.testing.assert_array_equal(built.grad(node), g.grad(node))
