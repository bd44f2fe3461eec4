"""The arithmetic gates: forward values, and backward checked with check_gate on
random broadcast shapes (the shapes of every gate are in tests/test_gate_table.py)."""

from __future__ import annotations

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
