"""Random graphs, grown node by node (acyclic by construction, with forks and
repeated inputs), against central finite differences of the whole graph."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays, mutually_broadcastable_shapes

from compgraph import ComputationalGraph, GateExecutionError
from compgraph._finite import central_difference
from gates import (
    AddConstantGate,
    AddGate,
    ExpGate,
    MaxGate,
    MulConstantGate,
    MulGate,
    SigmoidGate,
    SubGate,
)

# gate factory, number of inputs (None: 2 or 3)
GATES = [
    (AddGate, None),
    (SubGate, 2),
    (MulGate, 2),
    (MaxGate, 2),
    (ExpGate, 1),
    (SigmoidGate, 1),
    (lambda: MulConstantGate(-1.5), 1),
    (lambda: AddConstantGate(0.5), 1),
]


@st.composite
def random_graphs(draw, array_inputs: bool):
    n_inputs = draw(st.integers(1, 4))
    if array_inputs:
        shapes = draw(mutually_broadcastable_shapes(num_shapes=n_inputs, max_dims=2, max_side=3))
        input_shapes = shapes.input_shapes
    else:
        input_shapes = [()] * n_inputs
    g = ComputationalGraph()
    feeds = {}
    names = []
    for i, shape in enumerate(input_shapes):
        name = f"x{i}"
        g.add_input(name)
        values = arrays(np.float64, shape, elements=st.floats(-2, 2))
        feeds[name] = draw(values) if shape else draw(st.floats(-2, 2))
        names.append(name)
    for i in range(draw(st.integers(1, 10))):
        factory, arity = draw(st.sampled_from(GATES))
        count = arity if arity is not None else draw(st.integers(2, 3))
        inputs = [draw(st.sampled_from(names)) for _ in range(count)]  # repeats allowed
        g.add_gate(f"g{i}", factory(), inputs)
        names.append(f"g{i}")
    consumed = {item for name in g for item in g.inputs(name)}
    sinks = [name for name in g if name not in consumed]
    if len(sinks) > 1:
        g.add_gate("out", AddGate(), sinks)
    return g, feeds


def away_from_kinks_and_overflow(g: ComputationalGraph) -> bool:
    for name in g:
        if not np.all(np.isfinite(g.value(name))) or np.max(np.abs(g.value(name))) > 1e4:
            return False
        if g.kind(name) == "gate" and isinstance(g.gate(name), MaxGate):
            x, y = (g.value(item) for item in g.inputs(name))
            if np.min(np.abs(np.asarray(x) - np.asarray(y))) < 1e-3:
                return False
    return True


def check_against_finite_differences(g: ComputationalGraph, feeds: dict) -> None:
    try:
        output = g.forward(feeds)
    except GateExecutionError as err:  # exp of exp overflowed: no point to compare at
        assume(not isinstance(err.__cause__, (OverflowError, RuntimeWarning)))
        raise
    assume(away_from_kinks_and_overflow(g))
    grads = g.backward()
    again = g.backward()  # each backward starts from zero
    assert all(np.array_equal(grads[name], grad) for name, grad in again.items())
    for name in g:
        assert np.shape(grads[name]) == np.shape(g.value(name)), name
    names = list(feeds)
    inputs = [feeds[name] for name in names]
    dout = np.ones(np.shape(output))
    for slot, name in enumerate(names):
        numeric = central_difference(
            lambda *values: g.forward(dict(zip(names, values))), inputs, slot, dout
        )
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-4, atol=1e-5, err_msg=name)


@settings(max_examples=80, deadline=None)
@given(random_graphs(array_inputs=False))
def test_scalar_graphs_match_finite_differences(graph_and_feeds):
    check_against_finite_differences(*graph_and_feeds)


@settings(max_examples=40, deadline=None)
@given(random_graphs(array_inputs=True))
def test_broadcasting_graphs_match_finite_differences(graph_and_feeds):
    check_against_finite_differences(*graph_and_feeds)
