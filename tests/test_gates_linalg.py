"""MatMulGate, SumGate, MeanGate and StackGate (in gates/linalg.py): values, the
lectures' rules and dtypes (their gradients are checked in tests/test_gate_table.py)."""

import math

import numpy as np
import pytest

from compgraph import ComputationalGraph, GateExecutionError, NoBackwardPassError, nn
from gates import MatMulGate, MeanGate, SoftmaxCrossEntropyGate, StackGate, SumGate

RNG = np.random.default_rng(7)


def test_matmul_is_the_lectures_rule_dw_equals_dz_x_transposed():
    gate = MatMulGate()
    w, x = RNG.standard_normal((3, 2)), RNG.standard_normal(2)
    np.testing.assert_allclose(gate.forward(w, x), w @ x)
    dz = np.array([1.0, -2.0, 0.5])
    dw, dx = gate.backward(dz)
    np.testing.assert_allclose(dw, np.outer(dz, x))
    np.testing.assert_allclose(dx, w.T @ dz)


def test_matmul_of_a_batch_gives_dw_equals_x_transposed_dz():
    gate = MatMulGate()
    x, w = RNG.standard_normal((5, 3)), RNG.standard_normal((3, 2))
    dz = RNG.standard_normal((5, 2))
    gate.forward(x, w)
    dx, dw = gate.backward(dz)
    np.testing.assert_allclose(dw, x.T @ dz)
    np.testing.assert_allclose(dx, dz @ w.T)


def test_matmul_keeps_float32():
    gate = MatMulGate()
    x, w = np.ones((2, 3), np.float32), np.ones((3, 4), np.float32)
    assert gate.forward(x, w).dtype == np.float32
    assert all(grad.dtype == np.float32 for grad in gate.backward(np.ones((2, 4), np.float32)))


def test_matmul_of_mismatched_shapes_names_the_node():
    g = ComputationalGraph()
    g.add_parameter("w", np.ones((2, 3)))
    g.add_input("x")
    g.add_gate("z", MatMulGate(), ["w", "x"])
    with pytest.raises(GateExecutionError, match=r"node 'z' \(MatMulGate\)\.forward raised"):
        g.forward(x=np.ones(2))


REDUCTIONS = [
    ((), None, False),
    ((4,), None, False),
    ((4,), 0, True),
    ((3, 4), None, True),
    ((3, 4), 0, False),
    ((3, 4), 1, True),
    ((3, 4), -1, False),
    ((3, 4), (0, 1), False),
    ((2, 3, 4), (0, 2), False),
    ((2, 3, 4), (2, 0), True),
]


@pytest.mark.parametrize("gate_class", [SumGate, MeanGate])
@pytest.mark.parametrize(("shape", "axis", "keepdims"), REDUCTIONS)
def test_reductions_match_numpy(gate_class, shape, axis, keepdims):
    x = RNG.standard_normal(shape) if shape else 1.5
    gate = gate_class(axis=axis, keepdims=keepdims)
    reduce = np.sum if gate_class is SumGate else np.mean
    np.testing.assert_allclose(gate.forward(x), reduce(x, axis=axis, keepdims=keepdims))


def test_mean_spreads_dz_evenly_and_sum_copies_it():
    x = np.arange(6.0).reshape(2, 3)
    mean, total = MeanGate(axis=1), SumGate(axis=1)
    mean.forward(x)
    total.forward(x)
    np.testing.assert_allclose(mean.backward(np.array([3.0, 6.0]))[0], [[1, 1, 1], [2, 2, 2]])
    np.testing.assert_allclose(total.backward(np.array([3.0, 6.0]))[0], [[3, 3, 3], [6, 6, 6]])


def test_a_full_reduction_is_a_python_number_and_gradients_keep_float32():
    gate = SumGate()
    assert gate.forward(np.ones((2, 2), np.float32)) == 4.0
    assert type(gate.forward(np.ones((2, 2), np.float32))) is float
    (grad,) = gate.backward(1.0)
    assert grad.dtype == np.float32
    assert grad.flags.writeable  # a real array, not a read-only broadcast view


def test_reduction_over_a_missing_axis_is_refused():
    with pytest.raises(ValueError, match="axis 2 is out of range for an input of 2 dimensions"):
        SumGate(axis=2).forward(np.ones((2, 3)))


def test_reductions_in_a_graph_sum_to_the_right_shapes():
    g = ComputationalGraph()
    g.add_input("x")
    g.add_gate("rows", SumGate(axis=1, keepdims=True), ["x"])
    g.add_gate("m", MeanGate(), ["rows"])
    x = np.arange(6.0).reshape(2, 3)
    assert g.forward(x=x) == pytest.approx(7.5)
    np.testing.assert_allclose(g.backward()["x"], np.full((2, 3), 0.5))


@pytest.mark.parametrize("shape", [(), (4,), (2, 3)])
def test_stack_matches_numpy(shape):
    xs = [RNG.standard_normal(shape) if shape else float(RNG.standard_normal()) for _ in range(3)]
    np.testing.assert_allclose(StackGate().forward(*xs), np.stack(xs, axis=-1))


def test_stack_of_numbers_gives_numbers_back():
    gate = StackGate()
    gate.forward(1.0, 2.0)
    assert gate.backward(np.array([3.0, 4.0])) == [3.0, 4.0]


def test_matmul_skips_the_gradient_its_input_does_not_need():
    gate = MatMulGate()
    a, b = np.ones((4, 3)), np.full((3, 2), 2.0)
    gate.forward(a, b)
    full = gate.backward(np.ones((4, 2)))
    gate.needs_input_grad = (False, True)
    da, db = gate.backward(np.ones((4, 2)))
    assert da is None
    np.testing.assert_array_equal(db, full[1])


def test_a_training_graph_computes_no_gradient_for_its_data():
    g = ComputationalGraph()
    net = nn.mlp(g, [3, 4, 2], rng=0)
    g.add_input("y")
    g.add_gate("loss", SoftmaxCrossEntropyGate(), [net.output, "y"])
    x, y = np.ones((5, 3)), np.array([0, 1, 0, 1, 1])
    g.forward(x=x, y=y)
    full = g.backward()
    g.forward(x=x, y=y)
    params = list(g.parameters())
    only = g.backward(wrt=params)
    for name in params:
        np.testing.assert_allclose(only[name], full[name], rtol=1e-12)
    with pytest.raises(NoBackwardPassError):
        g.grad("x")


# --- Edge cases: empty axes and dimensions, integers, axes given as numpy integers ---


@pytest.mark.parametrize(("axis", "value_shape"), [(1, (3,)), (None, ()), ((0, 1), ())])
def test_mean_over_a_zero_length_axis_is_nan_with_an_empty_gradient(axis, value_shape):
    gate = MeanGate(axis=axis)
    z = gate.forward(np.zeros((3, 0)))
    assert np.shape(z) == value_shape and np.all(np.isnan(z))
    (grad,) = gate.backward(np.ones(value_shape) if value_shape else 1.0)
    assert grad.shape == (3, 0)


def test_mean_over_a_non_empty_axis_of_an_empty_array_is_empty():
    gate = MeanGate(axis=0)
    assert gate.forward(np.zeros((3, 0))).shape == (0,)
    assert gate.backward(np.zeros(0))[0].shape == (3, 0)


def test_sum_of_an_empty_array_is_0_and_its_gradient_empty():
    gate = SumGate()
    assert gate.forward(np.zeros((0, 4))) == 0.0
    assert gate.backward(1.0)[0].shape == (0, 4)


def test_reductions_take_a_numpy_integer_as_the_axis():
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(SumGate(axis=np.int64(1)).forward(x), [3.0, 12.0])
    np.testing.assert_array_equal(MeanGate(axis=(np.int64(0),)).forward(x), [1.5, 2.5, 3.5])


def test_sum_of_integers_refuses_an_overflow_and_counts_bools():
    with pytest.raises(ValueError, match="SumGate: the result 9223372036854775808 does not fit"):
        SumGate().forward(np.array([2**62, 2**62]))
    assert SumGate().forward(np.array([True, True, False])) == 2


def test_mean_of_integers_is_float64_without_overflow():
    assert MeanGate().forward(np.array([2**62, 2**62])) == 2.0**62


def test_matmul_with_empty_dimensions():
    gate = MatMulGate()
    np.testing.assert_array_equal(gate.forward(np.ones((3, 0)), np.ones((0, 4))), np.zeros((3, 4)))
    da, db = gate.backward(np.ones((3, 4)))
    assert da.shape == (3, 0) and db.shape == (0, 4)
    assert gate.forward(np.ones(0), np.ones(0)) == 0.0
    assert [g.shape for g in gate.backward(1.0)] == [(0,), (0,)]


def test_matmul_of_bools_is_of_integers_and_refuses_an_integer_overflow():
    assert MatMulGate().forward(np.array([True, True]), np.array([True, True])) == 2
    with pytest.raises(ValueError, match="MatMulGate: the result 20000 does not fit int8"):
        MatMulGate().forward(np.full((1, 2), 100, np.int8), np.full((2, 1), 100, np.int8))


def test_matmul_refuses_a_number_naming_the_shapes():
    with pytest.raises(ValueError, match=r"MatMulGate: .* got shapes \(\) and \(2,\)"):
        MatMulGate().forward(2.0, np.ones(2))


def test_matmul_overflow_is_inf_with_no_warning():
    gate = MatMulGate()
    np.testing.assert_array_equal(gate.forward(np.array([1e308, 1e308]), np.ones(2)), math.inf)
