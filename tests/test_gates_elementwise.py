"""The elementwise gates: forward values, the max tie rule, and backward checked
with check_gate on random inputs away from max's kink (the shapes of every gate
are in tests/test_gate_table.py)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from compgraph import check_gate
from gates import ExpGate, MaxGate, SigmoidGate


def test_max_routes_the_whole_gradient_to_x_at_a_tie() -> None:
    gate = MaxGate()
    out = gate.forward(np.array([1.0, 2.0, 3.0]), np.array([3.0, 2.0, 1.0]))
    assert out.tolist() == [3.0, 2.0, 3.0]
    dx, dy = gate.backward(np.array([10.0, 20.0, 30.0]))
    assert dx.tolist() == [0.0, 20.0, 30.0]
    assert dy.tolist() == [10.0, 0.0, 0.0]
    assert gate.forward(2.5, 2.5) == 2.5 and gate.backward(4.0) == [4.0, 0.0]


def test_lecture_values() -> None:
    sigmoid, exp = SigmoidGate(), ExpGate()
    assert round(sigmoid.forward(1.0), 2) == 0.73
    assert round(sigmoid.backward(1.0)[0], 2) == 0.2
    assert round(exp.forward(-1.0), 2) == 0.37
    assert exp.backward(-0.53)[0] == pytest.approx(-0.53 * np.exp(-1.0))  # -0.2 on the slide


def test_sigmoid_saturates_without_overflow() -> None:
    gate = SigmoidGate()
    assert gate.forward(np.array([1000.0, -1000.0])).tolist() == [1.0, 0.0]
    assert check_gate(gate, np.array([30.0, -30.0]))


moderate = st.floats(-3.0, 3.0)


@settings(max_examples=30, deadline=None)
@given(st.sampled_from([ExpGate, SigmoidGate]), arrays(np.float64, (3,), elements=moderate))
def test_unary_gates_on_random_inputs(gate_class: Any, x: Any) -> None:
    assert check_gate(gate_class(), x, trials=1)


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, (3,), elements=moderate), arrays(np.float64, (3,), elements=moderate))
def test_max_on_random_inputs_away_from_ties(x: Any, y: Any) -> None:
    assume(np.min(np.abs(x - y)) > 1e-3)
    assert check_gate(MaxGate(), x, y, trials=0)
