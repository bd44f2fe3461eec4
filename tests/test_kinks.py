"""compgraph.kinks and each gate's ``kink``: where a forward ran at a point
that is not differentiable, and the convention its backward followed there."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from compgraph import ComputationalGraph, GraphError
from compgraph.errors import GateExecutionError, NoForwardPassError
from gates import (
    AddGate,
    ExpGate,
    Gate,
    HingeGate,
    MaxGate,
    MulGate,
    PowerGate,
    ReLUGate,
    SigmoidGate,
)


def test_a_max_tie_names_the_input_that_got_the_gradient() -> None:
    g = ComputationalGraph.from_expression("max(x, y) * z")
    g.forward(x=3.0, y=3.0, z=2.0)
    grads = g.backward()
    assert g.kinks() == [
        ("max(x, y)", "a tie, x == y: the whole gradient goes to x, the first input")
    ]
    assert (grads["x"], grads["y"]) == (2.0, 0.0)  # what the note says
    g.forward(x=3.0, y=2.0, z=2.0)
    assert g.kinks() == []


def test_a_tie_in_some_elements_of_arrays_says_how_many() -> None:
    gate = MaxGate()
    gate.forward(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 0.0, 3.0, 5.0]))
    assert gate.kink() == (
        "a tie, x == y in 2 of 4 elements; there the whole gradient goes to x, the first input"
    )
    gate.forward(np.array([[1.0, 2.0]]), np.array([[0.0], [2.0]]))  # broadcast
    assert gate.kink() is not None and "in 1 of 4 elements" in gate.kink()


def test_relu_at_zero_is_a_kink_and_its_gradient_is_the_one_named() -> None:
    g = ComputationalGraph.from_expression("relu(x)")
    g.forward(x=0.0)
    assert g.backward()["x"] == 0.0
    assert g.kinks() == [
        ("relu(x)", "x == 0 (the kink): the gradient is 0 (the subgradient chosen)")
    ]
    g.forward(x=np.array([-1.0, 0.0, 2.0]))
    assert g.kinks() == [
        (
            "relu(x)",
            "x == 0 (the kink) in 1 of 3 elements; there the gradient is 0 (the subgradient "
            "chosen)",
        )
    ]
    g.forward(x=1e-300)
    assert g.kinks() == []


def test_a_hinge_margin_of_exactly_one_is_a_kink() -> None:
    gate = HingeGate()
    gate.forward(np.array([1.0, 0.5, -2.0]), np.array([1.0, 1.0, -1.0]))
    assert gate.kink() == (
        "a margin of exactly 1 (labels * scores == 1) in 1 of 3 elements; there no gradient flows"
    )
    gate.forward(np.array([1.5]), np.array([1.0]))
    assert gate.kink() is None


def test_zero_to_the_power_zero_is_a_jump() -> None:
    gate = PowerGate()
    gate.forward(0.0, 0.0)
    assert gate.kink() == "0 ** 0, where z jumps (1 at y = 0, 0 for y > 0): both gradients are 0"
    assert gate.backward(1.0) == [0.0, 0.0]
    gate.forward(0.0, 2.0)
    assert gate.kink() is None


def test_a_negative_base_to_a_whole_power_has_no_derivative_in_the_exponent() -> None:
    gate = PowerGate()
    gate.forward(-2.0, 3.0)
    assert (
        gate.kink() == "x < 0 with a whole y, where x ** y has no real derivative in y: dy is nan"
    )
    assert np.isnan(gate.backward(1.0)[1])
    gate.forward(np.array([-2.0, 0.0, 2.0]), np.array([2.0, 0.0, 0.5]))
    assert gate.kink() == (
        "0 ** 0, where z jumps (1 at y = 0, 0 for y > 0) in 1 of 3 elements; there both "
        "gradients are 0; x < 0 with a whole y, where x ** y has no real derivative in y in 1 "
        "of 3 elements; there dy is nan"
    )
    gate.forward(-2 + 0j, 3.0)  # complex: the analytic power, smooth there
    assert gate.kink() is None


@pytest.mark.parametrize(
    ("gate", "inputs"),
    [
        (AddGate(), (1.0, 1.0)),
        (MulGate(), (0.0, 0.0)),
        (ExpGate(), (0.0,)),
        (SigmoidGate(), (0.0,)),
    ],
)
def test_smooth_gates_have_no_kink(gate: Gate, inputs: tuple[float, ...]) -> None:
    gate.forward(*inputs)
    assert gate.kink() is None


def test_a_users_gate_says_where_its_kink_is() -> None:
    class AbsGate(Gate):
        def forward(self, x: Any) -> Any:
            self.x = x
            return abs(x)

        def backward(self, dz: Any) -> list[Any]:
            return [dz * np.sign(self.x)]

        def kink(self) -> str | None:
            return "x == 0: the gradient is 0 (sign(0))" if self.x == 0 else None

    g = ComputationalGraph()
    g.add_input("x")
    g.add_gate("a", AbsGate(), ["x"])
    g.add_gate("f", ReLUGate(), ["a"])
    g.forward(x=0.0)
    assert g.kinks() == [
        ("a", "x == 0: the gradient is 0 (sign(0))"),
        ("f", "x == 0 (the kink): the gradient is 0 (the subgradient chosen)"),
    ]


def test_kinks_before_a_pass_is_refused() -> None:
    g = ComputationalGraph.from_expression("max(x, y)")
    with pytest.raises(NoForwardPassError):
        g.kinks()


def test_a_kink_note_that_raises_or_is_not_a_string_names_the_node() -> None:
    class Raising(MaxGate):
        def kink(self) -> str | None:
            raise ValueError("oops")

    class Numbered(MaxGate):
        def kink(self) -> Any:
            return 1

    for gate, message in [
        (Raising(), r"node 'm' \(Raising\)\.kink raised ValueError: oops"),
        (Numbered(), r"node 'm' \(Numbered\)\.kink returned int, not a note"),
    ]:
        g = ComputationalGraph()
        g.add_input("x")
        g.add_gate("m", gate, ["x", "x"])
        g.forward(x=1.0)
        with pytest.raises(GateExecutionError, match=message) as caught:
            g.kinks()
        assert isinstance(caught.value, GraphError) and caught.value.node == "m"
        assert g.value("m") == 1.0  # the graph still works
