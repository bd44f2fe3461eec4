"""unbroadcast and fit_gradient: summing broadcast axes back, and refusing misfits."""

from __future__ import annotations

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
        fit_gradient(np.ones(grad_shape), np.zeros(shape))


@given(st.floats(-10, 10))
def test_python_numbers_get_python_number_gradients(x):
    assert type(fit_gradient(np.full((2, 2), x), 1.0)) is float
    assert fit_gradient(x, 1.0) == x
