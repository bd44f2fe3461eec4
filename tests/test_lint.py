"""g.lint(): how a graph is wired, before it runs."""

from __future__ import annotations

import networkx as nx
import pytest

from compgraph import ComputationalGraph, OutputError
from compgraph.lectures import grouped_neuron, neuron
from compgraph.lint import Finding
from gates import AddGate, ExpGate, MulGate


def test_clean_graphs_have_no_findings() -> None:
    assert ComputationalGraph.from_expression("q = x + y; f = q * z").lint() == []
    for build in (neuron, grouped_neuron):
        assert build()[0].lint() == []
    one = ComputationalGraph()
    one.add_input("x")
    assert one.lint() == []  # the output is the input itself


def test_several_outputs_name_every_unconsumed_node() -> None:
    g = ComputationalGraph()
    g.add_input("x")
    g.add_parameter("w", 1.0)
    g.add_input("unused")
    g.add_parameter("bias", 0.0)
    g.add_gate("a", ExpGate(), ["x"])
    g.add_gate("b", MulGate(), ["a", "w"])  # a forgotten chain: a -> b
    g.add_gate("f", MulGate(), ["x", "x"])
    findings = g.lint()
    assert findings[0] == Finding(
        ("unused", "bias", "b", "f"),
        "4 outputs (nodes nothing consumes): 'unused', 'bias', 'b', 'f'; a graph runs with "
        "one, and the checks below take the last added, 'f'",
    )
    assert [(f.nodes, str(f)) for f in findings[1:]] == [
        (("unused",), "nothing consumes the input 'unused'"),
        (("bias",), "nothing consumes the parameter 'bias'"),
        (
            ("a", "b"),
            "the gate 'b' is a second output: nothing consumes it, 'a' leads only to it, "
            "and it does not lead to the output 'f'",
        ),
        (("w",), "the parameter 'w' has no path to the output 'f' (it leads only to 'b')"),
    ]
    with pytest.raises(OutputError):  # what the findings explain
        g.forward(x=1.0, unused=2.0)


def test_a_gate_feeding_two_second_outputs_is_named_under_each() -> None:
    g = ComputationalGraph()
    g.add_input("x")
    g.add_gate("shared", ExpGate(), ["x"])
    g.add_gate("one", ExpGate(), ["shared"])
    g.add_gate("two", ExpGate(), ["shared"])
    g.add_gate("f", AddGate(), ["x", "x"])
    nodes = [finding.nodes for finding in g.lint()]
    assert nodes == [("one", "two", "f"), ("shared", "one"), ("shared", "two")]


def test_the_empty_graph() -> None:
    assert [str(f) for f in ComputationalGraph().lint()] == [
        "the graph is empty: add an input and a gate"
    ]


def test_lint_reads_structure_only_and_graphs_from_networkx() -> None:
    digraph = nx.DiGraph()
    digraph.add_node("f", gate=MulGate())
    digraph.add_node("left", gate=ExpGate())
    digraph.add_edges_from([("x", "f"), ("y", "f"), ("y", "left")])
    g = ComputationalGraph.from_networkx(digraph)
    assert [f.nodes for f in g.lint()] == [("f", "left"), ("f",), ("x",)]
    assert "does not lead to the output 'left'" in str(g.lint()[1])
    assert str(g.lint()[2]) == (
        "the input 'x' has no path to the output 'left' (it leads only to 'f')"
    )


def test_a_long_chain() -> None:
    g = ComputationalGraph()
    g.add_input("x")
    previous = "x"
    for i in range(100_000):
        previous = g.add_gate(f"g{i}", ExpGate(), [previous])
    assert g.lint() == []
