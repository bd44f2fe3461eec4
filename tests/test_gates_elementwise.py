"""The elementwise gates: forward values, the max tie rule, and backward checked
with check_gate on random inputs away from max's kink (the shapes of every gate
are in tests/test_gate_table.py)."""

from __future__ import annotations

import math
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


# --- The numeric policy (docs/gates.md), with exact numbers ---

FORMS = [float, np.float64, np.array, lambda v: np.array([v])]


@pytest.mark.parametrize("form", FORMS)
def test_exp_past_float_range_is_inf_with_no_warning(form: Any) -> None:
    gate = ExpGate()
    assert np.asarray(gate.forward(form(1000.0))).reshape(-1)[0] == math.inf
    assert np.asarray(gate.backward(form(1.0))[0]).reshape(-1)[0] == math.inf
    assert np.asarray(gate.forward(form(-1000.0))).reshape(-1)[0] == 0.0


@pytest.mark.parametrize("form", FORMS)
def test_max_gives_nan_whichever_input_is_nan(form: Any) -> None:
    for x, y, nan_slot in [(math.nan, 1.0, 0), (1.0, math.nan, 1)]:
        gate = MaxGate()
        assert math.isnan(np.asarray(gate.forward(form(x), form(y))).reshape(-1)[0])
        grads = [np.asarray(g).reshape(-1)[0] for g in gate.backward(form(2.0))]
        assert grads[nan_slot] == 2.0 and grads[1 - nan_slot] == 0.0


def test_max_sends_the_loser_exactly_0_even_for_an_infinite_dz() -> None:
    gate = MaxGate()
    gate.forward(3.0, 1.0)
    assert gate.backward(math.inf) == [math.inf, 0.0]
    gate.forward(np.array([3.0, 1.0]), np.array([1.0, 3.0]))
    dx, dy = gate.backward(np.array([math.inf, math.inf]))
    np.testing.assert_array_equal(dx, [math.inf, 0.0])
    np.testing.assert_array_equal(dy, [0.0, math.inf])


@pytest.mark.parametrize("x", [2 + 4j, np.complex128(2 + 4j), np.array([2 + 4j])])
def test_sigmoid_of_a_complex_number_is_the_complex_sigmoid(x: Any) -> None:
    expected = 1 / (1 + np.exp(-(2 + 4j)))
    got = np.asarray(SigmoidGate().forward(x)).reshape(-1)[0]
    assert got == pytest.approx(expected, rel=1e-14) and got.imag != 0


@pytest.mark.parametrize("x", [1j, np.array([1 + 1j])])
def test_max_refuses_complex_numbers(x: Any) -> None:
    with pytest.raises(ValueError, match=r"MaxGate: got the complex number .*; max compares"):
        MaxGate().forward(x, 0.0)


def test_float_functions_of_integers_and_bools_are_float64() -> None:
    for x in (np.array([1], np.int8), np.array([True])):
        assert ExpGate().forward(x).dtype == np.float64
        assert SigmoidGate().forward(x).dtype == np.float64
    assert ExpGate().forward(np.array([1], np.int8))[0] == math.e
