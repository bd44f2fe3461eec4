"""compgraph.dot: the circuit as Graphviz DOT text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compgraph import ComputationalGraph
from compgraph.dot import to_dot
from compgraph.errors import OutputError
from compgraph.layout import NAME_LIMIT, readable, wires
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


def named(*names: str, symbol: str | None = None) -> ComputationalGraph:
    g = ComputationalGraph()
    for name in names:
        g.add_input(name)
    gate = AddGate()
    gate.symbol = symbol
    g.add_gate("sum", gate, list(names))
    return g


def dot_statements(dot: str) -> list[list[str]]:
    """A small DOT tokenizer: each statement's tokens, quoted strings unescaped
    (only ``\\\\`` and ``\\"`` may follow a backslash), HTML labels whole.

    It fails on an unbalanced quote or angle bracket, a control character, or
    a statement over several lines.
    """
    assert dot.isprintable() or set(dot) - set(filter(str.isprintable, dot)) == {"\n"}
    lines = dot.splitlines()
    assert lines[0] == "digraph compgraph {" and lines[-1] == "}"
    statements = []
    for line in lines[1:-1]:
        tokens, i = [], 0
        assert line.endswith(";"), line
        while i < len(line) - 1:
            char = line[i]
            if char == '"':
                text, i = [], i + 1
                while line[i] != '"':
                    if line[i] == "\\":
                        assert line[i + 1] in '\\"', line
                        i += 1
                    text.append(line[i])
                    i += 1
                tokens.append("".join(text))
                i += 1
            elif char == "<":
                depth, start = 0, i
                while True:
                    depth += {"<": 1, ">": -1}.get(line[i], 0)
                    i += 1
                    if depth == 0:
                        break
                tokens.append(line[start:i])
            elif char in " ,[]=":
                i += 1
            else:
                start = i
                while line[i] not in ' ,[]=;"<':
                    i += 1
                tokens.append(line[start:i])
        statements.append(tokens)
    return statements


def test_control_characters_and_newlines_are_escaped() -> None:
    g = named("a\x1b[1m", "two\nlines", "\ud800", 'q"\\', symbol="+\x00")
    statements = dot_statements(to_dot(g))
    labels = [tokens[2] for tokens in statements if tokens[1] == "label"][:5]
    assert labels == ["a\\x1b[1m", "two\\nlines", "\\ud800", 'q"\\', "+\\x00"]
    assert 'n1 [label="two\\\\nlines", shape=plaintext];' in to_dot(g)
    to_dot(g).encode("utf-8")  # no lone surrogate left


def test_long_names_are_shortened_with_the_whole_name_in_the_tooltip() -> None:
    g = named("x" * 10_000, "y", symbol="s" * 31)
    dot = to_dot(g)
    short = "x" * 15 + "…" + "x" * 14
    assert f'n0 [label="{short}", tooltip="{"x" * 10_000}", shape=plaintext];' in dot
    assert f'n2 [label="{"s" * 15}…{"s" * 14}", tooltip="sum", shape=circle];' in dot
    g.forward({"x" * 10_000: 10**5000, "y": 1})
    assert '<font color="#1a7f37">1e+5000</font>' in to_dot(g)


def test_an_empty_graph_is_refused() -> None:
    with pytest.raises(
        OutputError, match=r"^to_dot: the graph is empty; there is nothing to draw$"
    ):
        to_dot(ComputationalGraph())
    g = ComputationalGraph()
    g.add_input("x")
    assert dot_statements(to_dot(g))[-1] == ["n0", "->", "out"]


NAMES = st.text(
    st.characters(codec=None) | st.sampled_from("$\\\"'\n\r\x00\x1b<>&{};[]=-"), max_size=40
)


@settings(max_examples=200, deadline=None)
@given(st.lists(NAMES, min_size=1, max_size=4, unique=True), st.one_of(st.none(), NAMES))
def test_any_names_make_valid_dot(names: list[str], symbol: str | None) -> None:
    g = ComputationalGraph()
    for name in names:
        g.add_input(name)
    gate = AddGate()
    gate.symbol = symbol
    g.add_gate(max(names, key=len) + "+", gate, [names[0], *names])  # a name of its own
    g.forward(dict.fromkeys(names, 1.0))
    g.backward()
    statements = dot_statements(to_dot(g))
    nodes = [tokens for tokens in statements if tokens[1] == "label"]
    assert [tokens[2] for tokens in nodes[: len(names)]] == [
        readable(name, NAME_LIMIT) for name in names
    ]


def test_a_fork_has_its_sum_as_the_nodes_outside_label() -> None:
    g = ComputationalGraph.from_expression("x * y + x")
    g.forward(x=3, y=-4)
    assert "xlabel" not in to_dot(g)
    g.backward()
    (line,) = [line for line in to_dot(g).splitlines() if "xlabel" in line]
    assert line == '  n0 [label="x", xlabel=<<font color="#cf222e">Σ -3</font>>, shape=plaintext];'
