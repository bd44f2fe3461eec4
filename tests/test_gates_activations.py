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


@pytest.mark.parametrize("x", [0.0, -1.0, np.array([1.0, 0.0]), np.array([[2.0], [-3.0]])])
def test_log_of_a_value_not_positive_is_refused(x):
    with pytest.raises(ValueError, match="the logarithm needs positive"):
        LogGate().forward(x)
