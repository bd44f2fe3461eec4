"""ReLUGate, TanhGate and LogGate (in gates/elementwise.py): values, the kink and
the domain (their gradients are checked in tests/test_gate_table.py)."""

import math

import numpy as np
import pytest

from gates import LogGate, ReLUGate, TanhGate

RNG = np.random.default_rng(3)


@pytest.mark.parametrize(
    ("gate_class", "reference"),
    [(ReLUGate, lambda x: np.maximum(x, 0)), (TanhGate, np.tanh), (LogGate, np.log)],
    ids=["relu", "tanh", "log"],
)
@pytest.mark.parametrize("shape", [(), (4,), (3, 4)])
def test_values_match_numpy(gate_class, reference, shape):
    x = (
        np.abs(RNG.standard_normal(shape)) + 0.5
        if gate_class is LogGate
        else RNG.standard_normal(shape)
    )
    np.testing.assert_allclose(gate_class().forward(x), reference(x))


def test_relu_at_the_kink_passes_no_gradient():
    gate = ReLUGate()
    assert gate.forward(0.0) == 0.0
    assert gate.backward(3.0) == [0.0]
    gate.forward(np.array([0.0, 1e-12, -1e-12]))
    np.testing.assert_array_equal(gate.backward(np.ones(3))[0], [0.0, 1.0, 0.0])


def test_relu_keeps_the_type_of_numbers_and_arrays():
    assert ReLUGate().forward(-3) == 0 and type(ReLUGate().forward(-3)) is int
    assert ReLUGate().forward(np.ones(2, np.float32)).dtype == np.float32


def test_tanh_saturates_without_warning():
    gate = TanhGate()
    np.testing.assert_array_equal(gate.forward(np.array([-1e4, 1e4])), [-1.0, 1.0])
    np.testing.assert_array_equal(gate.backward(np.ones(2))[0], [0.0, 0.0])


def test_log_of_a_number_is_a_number():
    assert LogGate().forward(math.e) == pytest.approx(1.0)
    assert type(LogGate().forward(2.0)) is float


@pytest.mark.parametrize(
    ("x", "message"),
    [
        (-1.0, r"LogGate: log of -1.0 has no real value \(the logarithm needs x >= 0\)"),
        (-math.inf, r"LogGate: log of -inf has no real value"),
        (np.float64(-2.5), r"LogGate: log of np.float64\(-2.5\) \(an element of the input\)"),
        (
            np.array([[2.0], [-3.0]]),
            r"LogGate: log of np.float64\(-3.0\) \(an element of the input\)",
        ),
        (2 + 1j, r"LogGate: got the complex number \(2\+1j\); the logarithm takes real numbers"),
        (np.array([1j]), r"LogGate: got the complex number np.complex128\(1j\)"),
    ],
)
def test_log_of_a_negative_or_complex_value_is_refused_naming_it(x, message):
    with pytest.raises(ValueError, match=message):
        LogGate().forward(x)


@pytest.mark.parametrize("x", [0.0, -0.0, 0, np.float64(0.0), np.array([0.0, 1.0])])
def test_log_of_zero_is_minus_inf_and_its_gradient_inf(x):
    gate = LogGate()
    assert np.asarray(gate.forward(x)).reshape(-1)[0] == -math.inf
    assert np.asarray(gate.backward(1.0)[0]).reshape(-1)[0] == math.copysign(
        math.inf, x if np.ndim(x) == 0 else 1.0
    )


def test_log_of_nan_is_nan_on_numbers_and_arrays():
    assert math.isnan(LogGate().forward(math.nan))
    assert np.isnan(LogGate().forward(np.array([math.nan, 1.0]))[0])


def test_relu_of_nan_is_nan_and_lets_the_gradient_through():
    gate = ReLUGate()
    assert math.isnan(gate.forward(math.nan)) and gate.backward(2.0) == [2.0]
    out = gate.forward(np.array([math.nan, -1.0, 1.0]))
    np.testing.assert_array_equal(out, [math.nan, 0.0, 1.0])
    np.testing.assert_array_equal(gate.backward(np.full(3, 2.0))[0], [2.0, 0.0, 2.0])


@pytest.mark.parametrize("x", [2 + 4j, np.complex128(1j), np.array([1 + 1j])])
def test_relu_refuses_complex_numbers(x):
    with pytest.raises(ValueError, match=r"ReLUGate: got the complex number .*; relu compares"):
        ReLUGate().forward(x)


def test_tanh_of_a_complex_number_is_the_complex_tanh_on_both_paths():
    assert TanhGate().forward(2 + 4j) == pytest.approx(np.tanh(2 + 4j), rel=1e-15)
    assert TanhGate().forward(np.array([2 + 4j]))[0] == pytest.approx(np.tanh(2 + 4j), rel=1e-15)
