"""unbroadcast and fit_gradient: summing broadcast axes back, and refusing misfits."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

from compgraph._shapes import fit_gradient, unbroadcast


@given(mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
def test_unbroadcast_gives_each_operand_its_shape(shapes):
    (a, b), out = shapes
    grad = np.ones(out)
    for shape in (a, b):
        reduced = unbroadcast(grad, shape)
        assert np.shape(reduced) == shape
        # each element of the operand was used prod(out) / prod(shape) times
        assert np.all(reduced == np.prod(out, dtype=int) / np.prod(shape, dtype=int))


@pytest.mark.parametrize(
    ("grad_shape", "shape"), [((2,), (3,)), ((3,), (2, 3)), ((2, 3), (3, 2)), ((4,), (1, 2))]
)
def test_fit_gradient_refuses_what_cannot_be_reduced(grad_shape, shape):
    with pytest.raises(ValueError, match="not the input's shape"):
        fit_gradient(np.ones(grad_shape), np.zeros(shape), np.zeros(grad_shape), [np.zeros(shape)])


@pytest.mark.parametrize(
    ("grad_shape", "shape", "output_shape"),
    [
        ((5,), (), ()),  # five gradients for one number
        ((7, 3), (3,), (3,)),  # an axis the output never had
        ((7, 3), (3,), (2, 3)),  # nor one of another length
        ((1, 3), (3,), (3,)),  # nor a length-1 axis
        ((2, 3), (2, 3), (3,)),  # the input's own shape is always right
    ],
)
def test_only_axes_that_broadcasting_added_are_summed(grad_shape, shape, output_shape):
    grad, value, output = np.ones(grad_shape), np.zeros(shape), np.zeros(output_shape)
    if grad_shape == shape:
        assert fit_gradient(grad, value, output, [value]) is grad
        return
    with pytest.raises(ValueError, match=rf"has shape \({grad_shape[0]},"):
        fit_gradient(grad, value, output, [value, output])


def test_a_loss_sums_back_what_broadcasting_its_inputs_together_added():
    prediction, target = np.zeros((3, 2)), np.zeros(2)
    grad = fit_gradient(np.ones((3, 2)), target, 0.0, [prediction, target])
    np.testing.assert_array_equal(grad, [3.0, 3.0])


def test_a_batched_matrix_product_sums_back_its_batch_axes():
    x, w = np.zeros((2, 3, 4)), np.zeros((4, 5))
    grad = fit_gradient(np.ones((2, 4, 5)), w, np.zeros((2, 3, 5)), [x, w])
    np.testing.assert_array_equal(grad, np.full((4, 5), 2.0))


@pytest.mark.parametrize(
    ("grad", "reason"),
    [
        (None, "is a NoneType, not a number or array"),
        ("0.5", "is a str, not a number or array"),
        ({1.0}, "is a set, not a number or array"),
        ((x for x in [1.0]), "is a generator, not a number or array"),
        (np.array(["a"]), "is an array of <U1, not of numbers"),
        (1j, "is complex, but the input's value is real"),
        (np.ones(1, dtype=complex), "is complex, but the input's value is real"),
    ],
)
def test_fit_gradient_refuses_what_is_not_a_real_gradient(grad, reason):
    with pytest.raises(ValueError, match=re.escape(reason)):
        fit_gradient(grad, np.zeros(1), np.zeros(1), [np.zeros(1)])


def test_a_complex_value_takes_a_complex_gradient():
    assert fit_gradient(1j, 2j, 4j, [2j, 2j]) == 1j


@given(st.floats(-10, 10))
def test_python_numbers_get_python_number_gradients(x):
    out = np.zeros((2, 2))
    assert type(fit_gradient(np.full((2, 2), x), 1.0, out, [1.0, out])) is float
    assert fit_gradient(x, 1.0, 1.0, [1.0]) == x
