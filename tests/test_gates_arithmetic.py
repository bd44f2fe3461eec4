"""The arithmetic gates: forward values, and backward checked against finite
differences with check_gate on numbers and on broadcast array shapes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays, mutually_broadcastable_shapes

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
    check_gate,
)

# Shapes crossed as numpy broadcasts them: scalar, vector, matrix, a row.
SHAPE_PAIRS = [
    ((), ()),
    ((4,), (4,)),
    ((3, 4), (3, 4)),
    ((), (3, 4)),
    ((3, 4), ()),
    ((4,), (3, 4)),
    ((3, 4), (1, 4)),
    ((1, 4), (3, 1)),
    ((3, 1), (4,)),
]


def away_from_zero(shape: tuple[int, ...], seed: int) -> Any:
    """Seeded values between 0.5 and 2 in size, of either sign; a float for ``()``."""
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    return float(values) if shape == () else values


BINARY = [AddGate, SubGate, MulGate, DivGate]


@pytest.mark.parametrize("gate_class", BINARY, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("shapes", SHAPE_PAIRS, ids=str)
def test_binary_gates_match_finite_differences(
    gate_class: type[Gate], shapes: tuple[tuple[int, ...], tuple[int, ...]]
) -> None:
    x, y = (away_from_zero(shape, seed) for seed, shape in enumerate(shapes))
    assert check_gate(gate_class(), x, y)


@pytest.mark.parametrize(
    "shapes", [((), (), ()), ((3, 4), (4,), ()), ((1, 4), (3, 1), (3, 4), (4,))], ids=str
)
def test_add_of_many_inputs(shapes: tuple[tuple[int, ...], ...]) -> None:
    inputs = [away_from_zero(shape, seed) for seed, shape in enumerate(shapes)]
    assert check_gate(AddGate(), *inputs)


UNARY = [
    MulConstantGate(-1),
    MulConstantGate(2.5),
    AddConstantGate(1),
    ReciprocalGate(),
    PowGate(2),
    PowGate(3),
    PowGate(-1.5),
    PowGate(0.5),
]


@pytest.mark.parametrize("gate", UNARY, ids=repr)
@pytest.mark.parametrize("shape", [(), (4,), (3, 4), (1, 4)], ids=str)
def test_unary_gates_match_finite_differences(gate: Gate, shape: tuple[int, ...]) -> None:
    x = away_from_zero(shape, 7)
    if isinstance(gate, PowGate) and gate.c != int(gate.c):
        x = np.abs(x) if shape else abs(x)  # a fractional power needs x > 0
    assert check_gate(gate, x)


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
