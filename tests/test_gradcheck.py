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
    GradcheckError,
    GraphTypeError,
    MissingFeedError,
    NodeNotFoundError,
    gradcheck,
    gradcheck_report,
)
from gates import (
    AddGate,
    DivGate,
    ExpGate,
    Gate,
    LogGate,
    MaxGate,
    MulConstantGate,
    MulGate,
    PowGate,
    ReciprocalGate,
    ReLUGate,
    SigmoidGate,
    SoftmaxCrossEntropyGate,
    SubGate,
    TanhGate,
)
from tests.gallery import (
    GALLERY,
    LockingDoubleGate,
    SwappedMulGate,
    UncopyableGate,
    Wrong,
    WrongSignExpGate,
)

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
    with pytest.raises(GradcheckError) as caught:
        gradcheck(g, nodes=["w"])
    assert str(caught.value) == (
        "cannot check parameter 'w' through the whole graph: every step from 2e-06 down to "
        "2e-09 leaves forward's domain (at w=2.000002 forward raised GateExecutionError: "
        "node 'y' (BreaksAwayFromTwoGate).forward raised ValueError: above 2); give a "
        "smaller step"
    )
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


# Never blame the innocent: points where finite differences cannot tell.


def graph_of(gate: Gate, *names: str) -> ComputationalGraph:
    g = ComputationalGraph()
    for name in names:
        g.add_input(name)
    g.add_gate("f", gate, list(names))
    return g


def cannot_check(report: Any) -> bool:
    """Whether a failed report only says what it could not check, blaming no gate."""
    return not report.ok and all(row.inconclusive for row in report.failures)


def test_a_nan_input_is_refused_up_front_naming_it() -> None:
    g = graph_of(MulGate(), "x", "y")
    with pytest.raises(GradcheckError) as caught:
        gradcheck(g, {"x": float("nan"), "y": 2.0})
    assert str(caught.value) == (
        "cannot check input 'x': its value is nan, and finite differences need finite values"
    )
    assert caught.value.node == "x"


def test_a_gate_making_inf_from_finite_inputs_is_refused_naming_it() -> None:
    g = graph_of(ExpGate(), "x")
    with pytest.raises(GradcheckError) as caught, np.errstate(over="ignore"):
        gradcheck(g, {"x": np.array([1.0, 1000.0])})
    assert str(caught.value) == (
        "cannot check node 'f' (ExpGate): its value is [2.718282, inf], made from finite "
        "inputs, and finite differences need finite values"
    )
    assert caught.value.node == "f"


def test_huge_values_take_a_step_of_their_size() -> None:
    assert gradcheck(graph_of(AddGate(), "x", "y"), {"x": 1e300, "y": -3e299})
    assert gradcheck(graph_of(MulGate(), "x", "y"), {"x": 1e150, "y": -2e140})
    feeds = {"x": np.array([1e300, 1.0]), "y": np.array([-2e299, 3.0])}
    assert gradcheck(graph_of(AddGate(), "x", "y"), feeds)


def test_a_change_lost_in_rounding_is_not_blamed() -> None:
    with pytest.raises(GradcheckError) as caught:
        gradcheck(graph_of(AddGate(), "x", "y"), {"x": 1e300, "y": 1.0})
    assert str(caught.value).splitlines()[0] == (
        "node 'f' (AddGate): cannot check input 1 ('y') at x=1e+300, y=1, dz=1: float64 "
        "rounding of the output (about 1e+300) hides the change a step of 1e-06 makes, so "
        "finite differences cannot tell the gradient"
    )
    assert cannot_check(caught.value.report)


def test_log_near_the_edge_of_its_domain_is_checked_with_a_smaller_step() -> None:
    g = ComputationalGraph()
    g.add_input("x")
    g.add_gate("log", LogGate(), ["x"])
    assert gradcheck(g, {"x": 1e-7})
    assert gradcheck(g, {"x": np.array([1e-12, 3.0, 1e-300])})


def test_a_point_at_the_edge_of_a_domain_says_so() -> None:
    class SqrtOfOneLessGate(Gate):
        """sqrt(1 - x), defined for x <= 1 only."""

        def forward(self, x: Any) -> Any:
            if x > 1:
                raise ValueError(f"sqrt(1 - {x}) is not real")
            self.z = (1 - x) ** 0.5
            return self.z

        def backward(self, dz: Any) -> list[Any]:
            return [-dz / (2 * self.z)]

    g = graph_of(SqrtOfOneLessGate(), "x")
    with pytest.raises(GradcheckError) as caught:
        gradcheck(g, {"x": 1 - 1e-12})
    assert str(caught.value).splitlines()[0] == (
        "node 'f' (SqrtOfOneLessGate): cannot check input 0 ('x') at x=1, dz=1: every step "
        "from 1e-06 down to 1e-09 leaves forward's domain (at x=1.000001 forward raised "
        "ValueError: "
        "sqrt(1 - 1.000000999999) is not real); give a smaller step"
    )
    assert cannot_check(caught.value.report)
    assert g.value("f") == pytest.approx(1e-6, rel=1e-3)  # the pass checked is kept


def test_exp_near_overflow_is_checked() -> None:
    assert gradcheck(graph_of(ExpGate(), "x"), {"x": np.array([709.0, -745.0])})


def test_a_tie_of_max_is_a_kink_not_a_culprit() -> None:
    with pytest.raises(GradcheckError) as caught:
        gradcheck(graph_of(MaxGate(), "x", "y"), {"x": 1.0, "y": 1.0})
    message = str(caught.value)
    assert message.splitlines()[0] == (
        "node 'f' (MaxGate): cannot check input 0 ('x') at x=1, y=1, dz=1: the gate ran at a "
        "kink (a tie, x == y: the whole gradient goes to x, the first input), where finite "
        "differences do not apply: the slope is 1 on one side and 0 on the other"
    )
    assert "disagrees" not in message and "wrong" not in message
    assert cannot_check(caught.value.report)
    leaf = next(row for row in caught.value.report.rows if row.node == "x")
    assert leaf.problem == "cannot check (kink)"
    assert "the pass ran at a kink ('f': a tie, x == y: " in leaf.message


def test_relu_at_zero_in_an_array_is_a_kink_naming_how_many_elements() -> None:
    g = ComputationalGraph.from_expression("relu(x) * 2")
    with pytest.raises(GradcheckError) as caught:
        gradcheck(g, {"x": np.array([0.0, 1.5, 0.0, -1.0])})
    first = str(caught.value).splitlines()[0]
    assert first.startswith("node 'relu(x)' (ReLUGate): cannot check input 0 ('x'), element (0,),")
    assert "the gate ran at a kink (x == 0 (the kink) in 2 of 4 elements; there the gradient " in (
        first
    )
    assert g.kinks() == [
        (
            "relu(x)",
            "x == 0 (the kink) in 2 of 4 elements; there the gradient is 0 (the "
            "subgradient chosen)",
        )
    ]


def test_a_wrong_gate_is_still_blamed_before_a_kink() -> None:
    g = ComputationalGraph()
    for name in "xyz":
        g.add_input(name)
    g.add_gate("m", MaxGate(), ["x", "y"])
    g.add_gate("f", SwappedMulGate(), ["m", "z"])
    with pytest.raises(GradcheckError) as caught:
        gradcheck(g, {"x": 1.0, "y": 1.0, "z": 3.0})
    assert str(caught.value).startswith(
        "node 'f' (SwappedMulGate): the gradient for input 0 ('m') disagrees"
    )
    assert caught.value.node == "f"


def test_integer_labels_are_held_and_said_so() -> None:
    g = ComputationalGraph()
    g.add_input("logits")
    g.add_input("labels")
    g.add_gate("loss", SoftmaxCrossEntropyGate(), ["logits", "labels"])
    feeds = {"logits": np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]]), "labels": np.array([1, 2])}
    assert gradcheck(g, feeds)
    report = gradcheck_report(g, feeds)
    held = [(row.node, row.slot, row.note) for row in report.rows if row.note]
    assert held == [
        ("loss", "1 ('labels')", "held (integers)"),
        ("labels", "whole graph", "held (integers)"),
    ]
    assert "held (integers)" in str(report)


def test_a_gate_holding_a_lock_is_checked() -> None:
    g = graph_of(LockingDoubleGate(), "x")
    assert gradcheck(g, {"x": np.array([1.0, -2.0])})


def test_a_wrong_gate_holding_a_lock_is_blamed() -> None:
    with pytest.raises(GradcheckError, match=r"^node 'f' \(LockingDoubleGate\): the gradient"):
        gradcheck(graph_of(LockingDoubleGate(wrong=True), "x"), {"x": 1.0})


def test_a_gate_that_cannot_be_copied_is_refused_naming_the_node() -> None:
    with pytest.raises(GraphTypeError) as caught:
        gradcheck(graph_of(UncopyableGate(), "x"), {"x": 1.0})
    assert str(caught.value) == (
        "gradcheck: node 'f' (UncopyableGate): cannot copy the gate to run it aside "
        "(TypeError: no copies of me); give UncopyableGate a __copy__ or __deepcopy__ "
        "that works"
    )
    assert caught.value.node == "f"


#: Built-in gates and where each is defined, with a finite value and gradient,
#: large magnitudes included.
BIG = st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False)
DOMAINS: list[tuple[str, Any, list[Any]]] = [
    ("AddGate", AddGate, [BIG, BIG]),
    ("SubGate", SubGate, [BIG, BIG]),
    ("MulGate", MulGate, [st.floats(-1e150, 1e150), st.floats(-1e150, 1e150)]),
    ("DivGate", DivGate, [st.floats(-1e150, 1e150), st.floats(1e-70, 1e150)]),
    ("ExpGate", ExpGate, [st.floats(-700.0, 700.0)]),
    ("SigmoidGate", SigmoidGate, [BIG]),
    ("TanhGate", TanhGate, [BIG]),
    ("LogGate", LogGate, [st.floats(1e-300, 1e300)]),
    ("ReLUGate", ReLUGate, [BIG]),
    ("MaxGate", MaxGate, [BIG, BIG]),
    ("ReciprocalGate", ReciprocalGate, [st.floats(1e-140, 1e140)]),
    ("PowGate(2)", lambda: PowGate(2), [st.floats(-1e150, 1e150)]),
    ("PowGate(0.5)", lambda: PowGate(0.5), [st.floats(1e-300, 1e300)]),
]


@pytest.mark.parametrize(("label", "make", "domain"), DOMAINS, ids=[d[0] for d in DOMAINS])
@settings(max_examples=60, deadline=None)
@given(data=st.data(), as_array=st.booleans())
def test_a_correct_built_in_gate_is_never_blamed(
    label: str, make: Any, domain: list[Any], data: st.DataObject, as_array: bool
) -> None:
    values = [data.draw(strategy) for strategy in domain]
    feeds = {f"x{i}": np.array([v]) if as_array else v for i, v in enumerate(values)}
    g = graph_of(make(), *feeds)
    report = gradcheck_report(g, feeds)
    assert report.ok or cannot_check(report), str(report)


def test_a_kink_note_that_raises_is_reported_on_its_gates_row() -> None:
    class BadNoteGate(MaxGate):
        def kink(self) -> str | None:
            raise RuntimeError("no note")

    report = gradcheck_report(graph_of(BadNoteGate(), "x", "y"), {"x": 1.0, "y": 2.0})
    assert [(row.node, row.problem) for row in report.failures] == [("f", "kink raised")]
    assert "node 'f' (BadNoteGate): BadNoteGate.kink raised RuntimeError: no note" in (
        report.failures[0].message
    )


def test_a_max_nearer_a_tie_than_any_step_is_not_blamed() -> None:
    # x0 and x1 tie within every step finite differences try: one side's slope
    # keeps moving, so the check cannot tell, and says so, instead of blaming
    g = graph_of(MaxGate(), "x0", "x1")
    report = gradcheck_report(g, {"x0": 0.0, "x1": -5.467593134209286e-14})
    assert not report.ok and cannot_check(report)
    assert "at a kink" in str(report) and "wrong gradient" not in str(report)
