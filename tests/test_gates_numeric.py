"""The number-or-array helpers of the gates; numbers against arrays for every built-in gate."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gates import (
    AddConstantGate,
    AddGate,
    DivGate,
    ExpGate,
    Gate,
    HingeGate,
    LogGate,
    MaxGate,
    MeanGate,
    MSEGate,
    MulConstantGate,
    MulGate,
    PowerGate,
    PowGate,
    ReciprocalGate,
    ReLUGate,
    SigmoidGate,
    SubGate,
    SumGate,
    TanhGate,
)
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


# --- Numbers and arrays agree (API.md, "Trust"), for every built-in elementwise gate ---

#: One value in each form a user may feed: a Python float, a numpy scalar, a
#: 0-d array, a 1-d array of one element.
FORMS: dict[str, Callable[[Any], Any]] = {
    "number": lambda v: v,
    "numpy scalar": lambda v: np.asarray(v)[()],
    "0-d array": np.asarray,
    "1-d array": lambda v: np.asarray([v]),
}

UNARY: dict[str, Callable[[], Gate]] = {
    "exp": ExpGate,
    "sigmoid": SigmoidGate,
    "tanh": TanhGate,
    "relu": ReLUGate,
    "log": LogGate,
    "1/x": ReciprocalGate,
    "*2.5": lambda: MulConstantGate(2.5),
    "+1": lambda: AddConstantGate(1),
    "sum": SumGate,
    "mean": MeanGate,
    **{f"**{c}": (lambda c=c: PowGate(c)) for c in [0, 1, 2, 3, -1, -2, 0.5, -0.5, 1.5, 1000]},
}

BINARY_GATES: dict[str, Callable[[], Gate]] = {
    "+": AddGate,
    "-": SubGate,
    "*": MulGate,
    "/": DivGate,
    "max": MaxGate,
    "x**y": PowerGate,
    "mse": MSEGate,
    "hinge": HingeGate,
}

EXTREMES = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, math.inf, -math.inf, math.nan]
EXTREMES += [1e308, -1e308, 1e-308, 5e-324, 1e-200, -1e-200, 709.0, 710.0, 1000.0, -1000.0]
PAIRS = [0.0, -0.0, 1.0, -2.5, 0.5, 3.0, math.inf, -math.inf, math.nan, 1e308, 1e-200, -1e-308]


def outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    """What a call gave: ``("value", its one element as a complex)`` or ``("error",
    the exception's type)``; a warning counts as an error (the suite makes it one)."""
    try:
        value = call()
    except Exception as exc:
        return ("error", type(exc).__name__)
    return ("value", complex(np.asarray(value).reshape(-1)[0]))


def same(a: tuple[str, Any], b: tuple[str, Any]) -> bool:
    if a[0] != b[0] or a[0] != "value":
        return a == b
    x, y = a[1], b[1]
    return all(
        (math.isnan(p) and math.isnan(q)) or p == q or math.isclose(p, q, rel_tol=1e-14)
        for p, q in ((x.real, y.real), (x.imag, y.imag))
    )


def passes(make: Callable[[], Gate], values: tuple[Any, ...]) -> dict[str, tuple[Any, ...]]:
    """Forward, then backward with ``dz = 1``, in each form: their outcomes."""
    results = {}
    for form, convert in FORMS.items():
        gate = make()
        forward = outcome(lambda: gate.forward(*(convert(v) for v in values)))  # noqa: B023
        backward = [("skipped", None)] * len(values)
        if forward[0] == "value":
            dz = convert(1.0) if not isinstance(gate, (SumGate, MeanGate)) else 1.0
            grads = outcome(lambda: gate.backward(dz))  # noqa: B023
            if grads[0] == "error":
                backward = [grads] * len(values)
            else:
                backward = [outcome(lambda g=g: g) for g in gate.backward(dz)]  # type: ignore[misc]
        results[form] = (forward, *backward)
    return results


def disagreements(make: Callable[[], Gate], values: tuple[Any, ...]) -> list[str]:
    results = passes(make, values)
    reference = results["number"]
    return [
        f"{values!r} as {form}: {got} != number's {reference}"
        for form, got in results.items()
        if not all(same(a, b) for a, b in zip(got, reference))
    ]


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_gates_give_numbers_and_arrays_the_same_at_extreme_inputs(name):
    assert [d for v in EXTREMES for d in disagreements(UNARY[name], (v,))] == []


@pytest.mark.parametrize("name", list(BINARY_GATES))
def test_binary_gates_give_numbers_and_arrays_the_same_at_extreme_inputs(name):
    pairs = [(x, y) for x in PAIRS for y in PAIRS]
    assert [d for pair in pairs for d in disagreements(BINARY_GATES[name], pair)] == []


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(UNARY)), st.floats())
def test_unary_gates_agree_on_any_float(name, x):
    assert disagreements(UNARY[name], (x,)) == []


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(BINARY_GATES)), st.floats(), st.floats())
def test_binary_gates_agree_on_any_floats(name, x, y):
    assert disagreements(BINARY_GATES[name], (x, y)) == []


@pytest.mark.parametrize("name", list(UNARY))
@pytest.mark.parametrize("value", [True, False, 0, 3, -2, 2 + 4j, -1j, 0j])
def test_unary_gates_agree_on_bools_ints_and_complex_numbers(name, value):
    if name == "**1000" and value in (3, -2):
        return  # a Python int is exact; a numpy int64 refuses (test_integer_overflow_...)
    assert disagreements(UNARY[name], (value,)) == []


@pytest.mark.parametrize("name", list(BINARY_GATES))
@pytest.mark.parametrize(
    "pair", [(True, True), (True, False), (3, 0), (0, -1), (-2, 3), (7, 2), (2 + 4j, 1j), (0j, 0j)]
)
def test_binary_gates_agree_on_bools_ints_and_complex_numbers(name, pair):
    assert disagreements(BINARY_GATES[name], pair) == []
