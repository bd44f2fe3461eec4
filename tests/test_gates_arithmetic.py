"""The arithmetic gates: forward values, and backward checked with check_gate on
random broadcast shapes (the shapes of every gate are in tests/test_gate_table.py)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays, mutually_broadcastable_shapes

from compgraph import check_gate
from gates import (
    AddConstantGate,
    AddGate,
    DivGate,
    Gate,
    MulConstantGate,
    MulGate,
    PowerGate,
    PowGate,
    ReciprocalGate,
    SubGate,
)


@pytest.mark.parametrize(
    ("gate", "inputs", "value"),
    [
        (AddGate(), (-2, 5), 3),
        (AddGate(), (1, 2, 3), 6),
        (SubGate(), (5, 3), 2),
        (MulGate(), (3, -4), -12),
        (DivGate(), (3.0, 2.0), 1.5),
        (MulConstantGate(3), (13,), 39),
        (AddConstantGate(1), (0.37,), 1.37),
        (ReciprocalGate(), (4.0,), 0.25),
        (PowGate(3), (2.0,), 8.0),
    ],
    ids=lambda item: repr(item) if isinstance(item, Gate) else None,
)
def test_forward_values(gate: Gate, inputs: tuple[Any, ...], value: Any) -> None:
    assert gate.forward(*inputs) == pytest.approx(value)


BINARY = [AddGate, SubGate, MulGate, DivGate]
nonzero = st.floats(0.2, 5.0) | st.floats(-5.0, -0.2)


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from(BINARY),
    mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=3),
    st.data(),
)
def test_binary_gates_on_random_broadcast_inputs(
    gate_class: type[Gate], shapes: Any, data: st.DataObject
) -> None:
    x, y = (data.draw(arrays(np.float64, shape, elements=nonzero)) for shape in shapes.input_shapes)
    assert check_gate(gate_class(), x, y, trials=1)


# --- The numeric policy (docs/gates.md), with exact numbers ---


@pytest.mark.parametrize("form", [float, np.float64, lambda v: np.array([v])])
def test_division_by_zero_is_ieee_on_numbers_and_arrays(form: Any) -> None:
    gate = DivGate()
    assert np.asarray(gate.forward(form(1.0), form(0.0))).item() == math.inf
    dx, dy = gate.backward(form(1.0))
    assert (np.asarray(dx).item(), np.asarray(dy).item()) == (math.inf, -math.inf)
    assert math.isnan(np.asarray(gate.forward(form(0.0), form(0.0))).item())
    assert np.asarray(ReciprocalGate().forward(form(-0.0))).item() == -math.inf
    assert np.asarray(PowGate(-1).forward(form(0.0))).item() == math.inf


def test_integer_zero_to_a_negative_power_is_inf_as_a_float() -> None:
    assert PowGate(-1).forward(0) == math.inf
    assert PowGate(-1).forward(2) == 0.5
    np.testing.assert_array_equal(PowGate(-1).forward(np.array([0, 2])), [math.inf, 0.5])


def test_division_gradient_survives_where_y_squared_underflows() -> None:
    gate = DivGate()
    assert gate.forward(1e-200, 1e-200) == 1.0
    assert gate.backward(1.0) == [1e200, -1e200]


def test_reciprocal_gradient_at_1e_200_is_minus_inf_and_finite_for_a_small_dz() -> None:
    gate = ReciprocalGate()
    assert gate.forward(1e-200) == pytest.approx(1e200)
    assert gate.backward(1.0) == [-math.inf]
    assert gate.backward(1e-300)[0] == pytest.approx(-1e100)
    gate.forward(np.array([1e-200]))
    np.testing.assert_array_equal(gate.backward(np.array([1.0]))[0], [-math.inf])


@pytest.mark.parametrize("x", [0.0, -0.0, 0, np.float64(0.0), np.array([0.0, 2.0])])
def test_pow_0_has_gradient_0_everywhere_at_0_too(x: Any) -> None:
    gate = PowGate(0)
    np.testing.assert_array_equal(gate.forward(x), np.ones_like(x, dtype=float))
    np.testing.assert_array_equal(gate.backward(np.ones_like(x, dtype=float))[0], 0.0)


@pytest.mark.parametrize(
    ("c", "x", "gradient"),
    [
        (0.5, 0.0, math.inf),
        (-1, 0.0, -math.inf),
        (-1, -0.0, -math.inf),
        (1, 0.0, 1.0),
        (2, 0.0, 0.0),
    ],
)
def test_pow_gradients_at_0_follow_ieee(c: float, x: float, gradient: float) -> None:
    for form in (float, np.float64, lambda v: np.array([v])):
        gate = PowGate(c)
        gate.forward(form(x))
        assert np.asarray(gate.backward(form(1.0))[0]).item() == gradient


@pytest.mark.parametrize("x", [-8.0, np.float64(-8.0), np.array([4.0, -8.0]), -math.inf])
def test_a_fractional_power_of_a_negative_number_is_refused_on_both_paths(x: Any) -> None:
    with pytest.raises(ValueError, match=r"PowGate: -(8\.0|inf) \*\* 0\.5 has no real value"):
        PowGate(0.5).forward(x)


def test_a_power_past_float_range_is_inf() -> None:
    assert PowGate(2).forward(1e200) == math.inf
    assert PowGate(3).forward(-1e200) == -math.inf
    np.testing.assert_array_equal(PowGate(2).forward(np.array([1e200])), [math.inf])


@pytest.mark.parametrize(
    ("gate", "inputs", "value"),
    [
        (MulGate(), (np.int8(100), np.int8(100)), "10000 does not fit int8"),
        (MulGate(), (np.array([100], np.int8), 100), "10000 does not fit int8"),
        (AddGate(), (np.array([2**62]), np.array([2**62])), "9223372036854775808 does not fit"),
        (SubGate(), (np.array([-128], np.int8), np.int8(1)), "-129 does not fit int8"),
        (MulConstantGate(3), (np.array([100], np.uint8),), "300 does not fit uint8"),
        (PowGate(40), (np.int64(3),), "12157665459056928801 does not fit int64"),
        (PowGate(41), (np.array([-3]),), "about -3.647e\\+19 does not fit int64"),
        (PowGate(1000), (np.int64(3),), "\\(beyond float's range\\) does not fit int64"),
    ],
)
def test_integer_overflow_is_refused_naming_the_gate_and_value(gate, inputs, value) -> None:
    with pytest.raises(ValueError, match=f"{type(gate).__name__}: the result {value}"):
        gate.forward(*inputs)


def test_python_ints_are_exact_and_bools_add_as_0_and_1() -> None:
    assert MulGate().forward(10**20, 10**20) == 10**40
    assert AddGate().forward(True, True) == 2
    assert AddGate().forward(np.array([True]), np.array([True]))[0] == 2
    assert MulGate().forward(np.int8(10), np.int8(12)) == 120


def test_power_gate_values_and_gradients() -> None:
    gate = PowerGate()
    assert gate.forward(2.0, 3.0) == 8.0
    dx, dy = gate.backward(1.0)
    assert dx == 12.0 and dy == pytest.approx(8 * math.log(2), rel=1e-15)
    assert check_gate(PowerGate(), 1.7, -0.6)
    assert check_gate(PowerGate(), np.array([0.5, 2.0, 3.0]), np.array([[1.5], [-2.0]]))


@pytest.mark.parametrize(
    ("x", "y", "z", "dx", "dy"),
    [
        (0.0, 2.0, 0.0, 0.0, 0.0),
        (0.0, 0.0, 1.0, 0.0, 0.0),
        (5.0, 0.0, 1.0, 0.0, math.log(5.0)),
        (0.0, 0.5, 0.0, math.inf, 0.0),
        (0.0, -1.0, math.inf, -math.inf, -math.inf),
        (-2.0, 3.0, -8.0, 12.0, math.nan),
        (-2.0, 0.0, 1.0, 0.0, math.nan),
    ],
)
def test_power_gate_where_x_is_not_positive(x, y, z, dx, dy) -> None:
    for form in (float, np.float64, lambda v: np.array([v])):
        gate = PowerGate()
        assert np.asarray(gate.forward(form(x), form(y))).item() == z
        got = [np.asarray(g).item() for g in gate.backward(form(1.0))]
        np.testing.assert_array_equal(got, [dx, dy])


@pytest.mark.parametrize("x", [-8.0, np.array([-8.0])])
def test_power_gate_refuses_a_negative_base_to_a_fractional_power(x) -> None:
    with pytest.raises(ValueError, match=r"PowerGate: -8\.0 \*\* 0\.5 has no real value"):
        PowerGate().forward(x, 0.5)


def test_power_gate_has_a_formula_for_each_input() -> None:
    assert PowerGate().local_gradient_formula(0) == "{y}*{x}^({y}-1)"
    assert PowerGate().local_gradient_formula(1) == "log({x})*{x}^{y}"


def test_a_huge_exact_integer_power_is_a_float_not_a_hang():
    gate = PowGate(999_999_999)
    assert gate.forward(3) == float("inf")
    assert PowGate(10).forward(3) == 59049  # small ones stay exact ints
