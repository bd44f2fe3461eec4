"""The number-or-array helpers behind the elementwise gates, at their edges."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gates import MaxGate, SigmoidGate
from gates._numeric import exp, select, sigmoid


@pytest.mark.parametrize("x", [1000.0, -1000.0, 1e308, -1e308, 800.0, -800.0])
def test_sigmoid_has_exact_limits_and_no_overflow(x):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sigmoid(x) == (1.0 if x > 0 else 0.0)
        np.testing.assert_array_equal(sigmoid(np.array([x, -x])), [sigmoid(x), sigmoid(-x)])


def test_sigmoid_gate_at_the_extremes_has_zero_gradient():
    gate = SigmoidGate()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = gate.forward(np.array([-1000.0, 0.0, 1000.0]))
        np.testing.assert_array_equal(out, [0.0, 0.5, 1.0])
        np.testing.assert_array_equal(gate.backward(np.ones(3))[0], [0.0, 0.25, 0.0])


@given(st.floats(-700, 700))
def test_numbers_and_arrays_agree(x):
    assert sigmoid(x) == pytest.approx(1 / (1 + math.exp(-x)), rel=1e-12, abs=1e-300)
    assert sigmoid(np.array([x]))[0] == pytest.approx(sigmoid(x), rel=1e-15, abs=1e-300)
    assert exp(np.array([x]))[0] == pytest.approx(exp(x), rel=1e-15)
    assert select(x >= 0, x, -x) == abs(x)


def test_float32_stays_float32():
    x = np.array([-3.0, 3.0], dtype=np.float32)
    assert sigmoid(x).dtype == np.float32 and exp(x).dtype == np.float32


@given(st.floats(-5, 5), st.floats(-5, 5), st.floats(-5, 5))
def test_max_routes_exactly_dz(x, y, dz):
    gate = MaxGate()
    assert gate.forward(x, y) == max(x, y)
    dx, dy = gate.backward(dz)
    assert dx + dy == dz and 0.0 in (dx, dy)
