"""ComputationalGraph.add_gates: many gates at once, checked as add_gate checks them."""

from __future__ import annotations

import gc
from collections.abc import Sequence
from typing import Any

import pytest

from compgraph import (
    ArityError,
    ComputationalGraph,
    CycleError,
    DuplicateNodeError,
    GateReuseError,
    GraphError,
    GraphTypeError,
    NodeNotFoundError,
)
from gates import AddGate, ExpGate, Gate, MulGate, SigmoidGate


def leaves() -> ComputationalGraph:
    g = ComputationalGraph()
    for name in "xyz":
        g.add_input(name)
    return g


def error_of(call: Any) -> GraphError:
    with pytest.raises(GraphError) as caught:
        call()
    return caught.value


def test_add_gates_builds_what_add_gate_builds():
    spec = [("q", AddGate, ["x", "y"]), ("e", ExpGate, ["q"]), ("f", MulGate, ["e", "z"])]
    one, many = leaves(), leaves()
    for name, cls, inputs in spec:
        one.add_gate(name, cls(), inputs)
    names = many.add_gates(*zip(*[(n, cls(), i) for n, cls, i in spec]))
    assert names == ["q", "e", "f"]
    assert list(many) == list(one) and many.output == "f"
    assert [many.inputs(n) for n in many] == [one.inputs(n) for n in one]
    feeds = {"x": 0.5, "y": -1.0, "z": 3.0}
    assert many.forward(feeds) == one.forward(feeds)
    assert many.backward() == one.backward()
    assert list(many.graph.edges(data="slots")) == list(one.graph.edges(data="slots"))


def test_a_graph_built_in_two_batches_keeps_its_outputs_in_order():
    g = leaves()
    g.add_gates(["a", "b"], [AddGate(), AddGate()], [["x", "y"], ["y", "z"]])
    error = error_of(lambda: g.output)
    assert "'a', 'b'" in str(error)
    g.add_gates(["c"], [MulGate()], [("a", "b")])
    assert g.output == "c"


bad_batches = [  # gate classes (a fresh instance for each graph) or what stands for a gate
    ("a name twice", ["q", "q"], [AddGate, AddGate], [["x", "y"], ["x", "z"]]),
    ("an existing name", ["q", "x"], [AddGate, AddGate], [["x", "y"], ["x", "z"]]),
    ("a name not a string", ["q", 3], [AddGate, AddGate], [["x", "y"], ["x", "z"]]),
    ("a later node", ["q", "r"], [AddGate, AddGate], [["x", "r"], ["x", "z"]]),
    ("itself", ["q", "r"], [AddGate, AddGate], [["x", "y"], ["r", "z"]]),
    ("an unknown input", ["q", "r"], [AddGate, AddGate], [["x", "y"], ["w", "z"]]),
    ("an input not a string", ["q", "r"], [AddGate, AddGate], [["x", "y"], ["q", 3]]),
    ("a wrong arity", ["q", "r"], [AddGate, ExpGate], [["x", "y"], ["q", "z"]]),
    ("inputs as a string", ["q", "r"], [AddGate, ExpGate], [["x", "y"], "q"]),
    ("not a gate", ["q", "r"], [AddGate, lambda: "exp"], [["x", "y"], ["q"]]),
    ("a class", ["q", "r"], [AddGate, lambda: ExpGate], [["x", "y"], ["q"]]),
]


@pytest.mark.parametrize(("fault", "names", "makers", "inputs"), bad_batches)
def test_a_refused_batch_gives_add_gates_error_and_changes_nothing(fault, names, makers, inputs):
    expected = leaves()
    with pytest.raises(GraphError) as by_add_gate:
        for name, make, names_in in zip(names, makers, inputs):
            expected.add_gate(name, make(), names_in)
    g = leaves()
    error = error_of(lambda: g.add_gates(names, [make() for make in makers], inputs))
    assert type(error) is type(by_add_gate.value)
    assert str(error) == str(by_add_gate.value)
    assert list(g) == ["x", "y", "z"] and g.input_names() == ["x", "y", "z"]
    assert gc.isenabled()
    assert g.add_gates(["ok"], [MulGate()], [["x", "y"]]) == ["ok"]  # its gates stayed free
    assert len(g) == 4


def test_the_kinds_of_refusal():
    g = leaves()
    kinds = {
        DuplicateNodeError: (["x"], [AddGate()], [["x", "y"]]),
        CycleError: (["q"], [AddGate()], [["q", "y"]]),
        NodeNotFoundError: (["q"], [AddGate()], [["w", "y"]]),
        ArityError: (["q"], [ExpGate()], [["x", "y"]]),
        GraphTypeError: (["q"], [AddGate()], ["xy"]),
    }
    for kind, batch in kinds.items():
        with pytest.raises(kind, match=r"'[xq]'"):
            g.add_gates(*batch)
    assert len(g) == 3


def test_a_gate_twice_or_already_placed_is_refused():
    g = leaves()
    gate = SigmoidGate()
    with pytest.raises(GateReuseError, match="already sits at node 'a'"):
        g.add_gates(["a", "b"], [gate, gate], [["x"], ["y"]])
    g.add_gate("a", gate, ["x"])
    with pytest.raises(GateReuseError, match="already sits at node 'a'"):
        g.add_gates(["b"], [gate], [["y"]])
    assert list(g) == ["x", "y", "z", "a"]


def test_sequences_of_different_lengths_are_refused():
    with pytest.raises(GraphTypeError, match="2 names, 1 gates and 2 lists of inputs"):
        leaves().add_gates(["a", "b"], [AddGate()], [["x", "y"], ["x", "z"]])


def test_inputs_may_be_any_sequence_of_names():
    class Names:  # a Sequence by its methods only: checked one by one
        def __init__(self, *names: str) -> None:
            self.names = names

        def __len__(self) -> int:
            return len(self.names)

        def __getitem__(self, i: int) -> str:
            return self.names[i]

    Sequence.register(Names)
    g = leaves()
    g.add_gates(["q"], [AddGate()], [Names("x", "y")])
    assert g.inputs("q") == ["x", "y"]


def test_the_collector_runs_again_after_a_batch():
    g = leaves()
    gc.disable()
    try:
        g.add_gates(["q"], [AddGate()], [["x", "y"]])
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()
    g.add_gates(["r"], [AddGate()], [["q", "z"]])
    assert gc.isenabled()


class Collecting(Gate):
    """Says whether the collector runs while its graph's pass calls it."""

    def forward(self, x):
        self.collecting = gc.isenabled()
        return x

    def backward(self, dz):
        return [dz]


def test_the_first_pass_compiles_with_the_collector_paused_and_runs_with_it_as_it_was():
    g = leaves()
    g.add_gates(["q", "c"], [AddGate(), Collecting()], [["x", "y", "z"], ["q"]])
    assert g.forward(x=1.0, y=2.0, z=3.0) == 6.0
    assert g.gate("c").collecting and gc.isenabled()
    g.add_gates(["e"], [Collecting()], [["c"]])
    gc.disable()
    try:
        assert g.forward(x=1.0, y=2.0, z=4.0) == 7.0
        assert not gc.isenabled() and not g.gate("e").collecting
    finally:
        gc.enable()


def test_a_batchs_gates_are_free_again_once_their_graph_is_gone():
    gates = [AddGate(), MulGate()]
    g = leaves()
    g.add_gates(["q", "f"], gates, [["x", "y"], ["q", "z"]])
    g.group("qf", ["q", "f"])  # a change of structure places them again
    other = leaves()
    with pytest.raises(GateReuseError, match="another graph"):
        other.add_gates(["a"], [gates[0]], [["x", "y"]])
    del g
    gc.collect()
    other.add_gates(["a", "b"], gates, [["x", "y"], ["a", "z"]])
    assert other.forward(x=1, y=2, z=4) == 12
