"""compgraph.dot: the circuit as Graphviz DOT text."""

from __future__ import annotations

from compgraph import ComputationalGraph
from compgraph.dot import to_dot
from compgraph.layout import wires
from gates import AddGate

NEURON = "sigmoid(w0*x0 + w1*x1 + w2)"
LECTURE = {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}


def neuron() -> ComputationalGraph:
    g = ComputationalGraph.from_expression(NEURON)
    g.forward(LECTURE)
    g.backward()
    return g


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
    g.add_gate("s", AddGate(), ['say "hi"', "a\\b"])
    dot = to_dot(g)
    assert 'n0 [label="say \\"hi\\"", shape=plaintext];' in dot
    assert 'n1 [label="a\\\\b", shape=plaintext];' in dot
    assert "n0 -> n2;" in dot  # no pass yet: no labels
