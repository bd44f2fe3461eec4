"""gradcheck and gradcheck_report: a whole pass checked, the culprit gate named."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from compgraph import (
    ComputationalGraph,
    GateExecutionError,
    GradcheckError,
    MissingFeedError,
    NodeNotFoundError,
    gradcheck,
    gradcheck_report,
)
from gates import (
    AddGate,
    ExpGate,
    Gate,
    MaxGate,
    MulConstantGate,
    MulGate,
    SigmoidGate,
    SubGate,
)
from tests.gallery import GALLERY, SwappedMulGate, Wrong, WrongSignExpGate

LECTURE = {"x": -2.0, "y": 5.0, "z": -4.0}


def lecture_graph(mul: Gate | None = None) -> ComputationalGraph:
    g = ComputationalGraph()
    for name in "xyz":
        g.add_input(name)
    g.add_gate("q", AddGate(), ["x", "y"])
    g.add_gate("f", mul or MulGate(), ["q", "z"])
    return g


def test_the_lecture_graph_passes_and_keeps_its_pass() -> None:
    g = lecture_graph()
    assert gradcheck(g, LECTURE) is True
    assert g.value("f") == -12
    assert [g.grad(name) for name in "xyzq"] == [-4, -4, 3, -4]


def test_the_culprit_is_named_with_slot_and_values() -> None:
    g = lecture_graph(SwappedMulGate())
    with pytest.raises(GradcheckError) as caught:
        gradcheck(g, LECTURE)
    assert str(caught.value) == (
        "node 'f' (SwappedMulGate): the gradient for input 0 ('q') disagrees with finite "
        "differences: analytic 3, numeric -4 (abs error 7, rel error 1.75) at q=3, z=-4, dz=1\n"
        "4 more failing checks: 'f' input 1 ('z'), 'x' whole graph, 'y' whole graph, "
        "'z' whole graph"
    )
    assert caught.value.node == "f"
    assert caught.value.nodes == ("f", "x", "y", "z")
    report = caught.value.report
    assert [(row.node, row.ok) for row in report.rows] == [
        ("q", True),
        ("q", True),
        ("f", False),
        ("f", False),
        ("x", False),
        ("y", False),
        ("z", False),
    ]


def _graph_around(wrong: Wrong) -> tuple[ComputationalGraph, dict[str, Any]]:
    """inputs -> *1 -> the wrong gate 'bad' -> *1 -> output: the culprit between neighbours."""
    g = ComputationalGraph()
    names = []
    for i in range(len(wrong.inputs)):
        g.add_input(f"a{i}")
        names.append(g.add_gate(f"u{i}", MulConstantGate(1.0), [f"a{i}"]))
    g.add_gate("bad", wrong.gate(), names)
    g.add_gate("out", MulConstantGate(1.0), ["bad"])
    return g, {f"a{i}": value for i, value in enumerate(wrong.inputs)}


@pytest.mark.parametrize("wrong", GALLERY, ids=lambda wrong: wrong.gate.__name__)
def test_every_wrong_gate_in_a_graph_is_the_culprit(wrong: Wrong) -> None:
    g, feeds = _graph_around(wrong)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(g, feeds)
    assert caught.value.node == "bad"
    assert str(caught.value).startswith(f"node 'bad' ({wrong.gate.__name__}): ")
    first = caught.value.report.failures[0]
    assert first.problem == wrong.problem
    assert {row.node for row in caught.value.report.failures} <= {"bad", "a0", "a1"}


def _fifty_gates(culprit: int | None, seed: int = 4) -> tuple[ComputationalGraph, dict[str, float]]:
    """50 gates; gate k consumes gate k-1 and a random earlier node (forks, reuse)."""
    rng = random.Random(seed)
    g = ComputationalGraph()
    nodes = [g.add_input(name) for name in ("a", "b", "c")]
    kinds = [MulGate, SigmoidGate, AddGate, SubGate, SigmoidGate]
    for k in range(50):
        kind = WrongSignExpGate if k == culprit else kinds[k % len(kinds)]
        name = f"g{k}"
        previous = nodes[-1]
        if kind in (SigmoidGate, WrongSignExpGate):
            g.add_gate(name, kind(), [previous])
        else:
            g.add_gate(name, kind(), [previous, rng.choice(nodes[:-1])])
        nodes.append(name)
    return g, {"a": 0.7, "b": -1.3, "c": 0.4}


def test_a_wrong_gate_deep_in_fifty_is_named_not_its_neighbours() -> None:
    g, feeds = _fifty_gates(culprit=None)
    assert gradcheck(g, feeds)
    g, feeds = _fifty_gates(culprit=27)
    with pytest.raises(GradcheckError, match=r"^node 'g27' \(WrongSignExpGate\): ") as caught:
        gradcheck(g, feeds)
    failing_gates = {row.node for row in caught.value.report.failures if row.gate != "input"}
    assert failing_gates == {"g27"}
    checked = {row.node for row in caught.value.report.rows if row.ok}
    assert {"g26", "g28"} <= checked


def test_parameters_are_checked_and_restored() -> None:
    g = ComputationalGraph()
    g.add_input("x")
    g.add_parameter("w", np.array([0.5, -1.0, 2.0]))
    g.add_parameter("b", 0.1)
    g.add_gate("wx", MulGate(), ["w", "x"])
    g.add_gate("s", AddGate(), ["wx", "b"])
    g.add_gate("p", SigmoidGate(), ["s"])
    x = np.array([[1.0, 2.0, -1.0], [0.5, 0.0, 3.0]])
    report = gradcheck_report(g, {"x": x})
    assert report.ok
    assert [row.node for row in report.rows if row.slot == "whole graph"] == ["x", "w", "b"]
    assert g.value("w").tolist() == [0.5, -1.0, 2.0]
    assert g.value("b") == 0.1
    assert g.grad("w").shape == (3,)


def test_parameters_are_restored_when_finite_differences_fail() -> None:
    class BreaksAwayFromTwoGate(Gate):
        def forward(self, x: Any) -> Any:
            if x > 2.0:
                raise ValueError("above 2")
            return x

        def backward(self, dz: Any) -> list[Any]:
            return [dz]

    g = ComputationalGraph()
    g.add_parameter("w", 2.0)
    g.add_gate("y", BreaksAwayFromTwoGate(), ["w"])
    with pytest.raises(GateExecutionError, match="node 'y'"):
        gradcheck(g, nodes=["w"])
    assert g.value("w") == 2.0
    assert g.grad("w") == 1


def test_feeds_default_to_the_latest_pass() -> None:
    g = lecture_graph()
    with pytest.raises(MissingFeedError, match="no forward pass to take them from; feed 'x'"):
        gradcheck(g)
    g.forward(LECTURE)
    assert gradcheck(g)
    h = lecture_graph(SwappedMulGate())
    h.forward(LECTURE)
    with pytest.raises(GradcheckError, match="'f'"):
        gradcheck(h)


def test_nodes_chooses_what_is_checked() -> None:
    g = lecture_graph(SwappedMulGate())
    assert gradcheck(g, LECTURE, nodes=["q"])
    report = gradcheck_report(g, LECTURE, nodes=["f", "z"])
    assert [(row.node, row.ok) for row in report.rows] == [
        ("f", False),
        ("f", False),
        ("z", False),
    ]
    with pytest.raises(NodeNotFoundError, match="gradcheck: 'w' is not a node"):
        gradcheck(g, LECTURE, nodes=["w"])


def test_dout_is_used() -> None:
    g = ComputationalGraph()
    g.add_input("x")
    g.add_gate("e", ExpGate(), ["x"])
    dout = np.array([2.0, -1.0])
    assert gradcheck(g, {"x": np.array([0.1, 0.2])}, dout=dout)
    assert g.grad("x") == pytest.approx(dout * np.exp([0.1, 0.2]))


def test_the_engines_gradient_error_becomes_the_culprits_gradcheck_error() -> None:
    from tests.gallery import TooFewGradientsGate

    g = lecture_graph(TooFewGradientsGate())
    with pytest.raises(GradcheckError, match=r"^node 'f' .*backward returned 1 gradient for 2"):
        gradcheck(g, LECTURE)


def test_state_shared_between_gates_shows_through_the_whole_graph() -> None:
    class SharedCacheMulGate(Gate):
        """Caches on the class, so two instances overwrite each other's inputs."""

        def forward(self, x: Any, y: Any) -> Any:
            type(self).x, type(self).y = x, y
            return x * y

        def backward(self, dz: Any) -> list[Any]:
            cls = type(self)
            return [cls.y * dz, cls.x * dz]

    g = ComputationalGraph()
    for name in "abc":
        g.add_input(name)
    g.add_gate("ab", SharedCacheMulGate(), ["a", "b"])
    g.add_gate("abc", SharedCacheMulGate(), ["ab", "c"])
    with pytest.raises(GradcheckError) as caught:
        gradcheck(g, {"a": 2.0, "b": 3.0, "c": 5.0})
    message = str(caught.value)
    assert message.startswith("the gradient of input 'a' through the whole graph disagrees")
    assert "Every gate checked passes its own check" in message
    assert caught.value.node == "a"


def test_the_report_prints_as_a_table() -> None:
    g = lecture_graph()
    text = str(gradcheck_report(g, LECTURE))
    lines = text.splitlines()
    assert lines[0].split() == ["node", "gate", "input", "abs", "error", "rel", "error", "result"]
    assert [line.split()[:2] for line in lines[2:]] == [
        ["q", "AddGate"],
        ["q", "AddGate"],
        ["f", "MulGate"],
        ["f", "MulGate"],
        ["x", "input"],
        ["y", "input"],
        ["z", "input"],
    ]
    assert all(line.endswith("ok") for line in lines[2:])


GATE_KINDS = [AddGate, SubGate, MulGate, SigmoidGate, MaxGate]


@st.composite
def random_graphs(draw: st.DrawFn) -> tuple[ComputationalGraph, dict[str, float]]:
    """A DAG grown node by node: each gate draws its kind and its inputs from the
    nodes so far (acyclic by construction, with forks and ``x * x``); the last
    node consumes every node nothing else consumes, so it is the only output."""
    g = ComputationalGraph()
    n_inputs = draw(st.integers(1, 3))
    nodes = [g.add_input(f"x{i}") for i in range(n_inputs)]
    consumed: set[str] = set()
    for k in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(GATE_KINDS))
        count = 1 if kind is SigmoidGate else 2
        inputs = [draw(st.sampled_from(nodes)) for _ in range(count)]
        nodes.append(g.add_gate(f"g{k}", kind(), inputs))
        consumed.update(inputs)
    loose = [name for name in nodes if name not in consumed]
    if len(loose) > 1:
        g.add_gate("out", AddGate(), loose)
    values = st.floats(-1.5, 1.5).filter(lambda v: abs(v) > 0.1)
    feeds = {f"x{i}": draw(values) for i in range(n_inputs)}
    return g, feeds


def _away_from_kinks(g: ComputationalGraph) -> bool:
    """Values moderate and every max far from a tie, so finite differences hold."""
    for name in g:
        if abs(g.value(name)) > 50:
            return False
        if g.kind(name) == "gate" and isinstance(g.gate(name), MaxGate):
            x, y = (g.value(item) for item in g.inputs(name))
            if abs(x - y) < 1e-3:
                return False
    return True


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(random_graphs())
def test_correct_graphs_never_fail(graph_and_feeds: tuple[ComputationalGraph, dict]) -> None:
    g, feeds = graph_and_feeds
    g.forward(feeds)
    assume(_away_from_kinks(g))
    assert gradcheck(g, feeds)
