"""Checking a gate's backward against central differences of its forward, for the tests."""

from __future__ import annotations

from typing import Any

import numpy as np

from compgraph._finite import central_difference
from compgraph._shapes import fit_gradient
from gates import Gate


def assert_gate_gradients(
    gate: Gate, *inputs: Any, slots: tuple[int, ...] | None = None, seed: int = 0
) -> list[Any]:
    """Run ``gate`` forward and backward on ``inputs`` with a random ``dz``; assert
    that each gradient, fitted to its input as the engine fits it, has the
    input's shape and matches central differences (for the inputs in ``slots``,
    all by default), and that nothing was modified in place. Return the gradients."""
    rng = np.random.default_rng(seed)
    kept = [np.copy(x) for x in inputs]
    out = gate.forward(*inputs)
    dz = rng.standard_normal(np.shape(out)) if np.ndim(out) else float(rng.standard_normal())
    dz_kept = np.copy(dz)
    grads = [fit_gradient(g, x, out, inputs) for g, x in zip(gate.backward(dz), inputs)]
    for x, before in zip(inputs, kept):
        np.testing.assert_array_equal(x, before)  # forward and backward left the inputs alone
    np.testing.assert_array_equal(dz, dz_kept)
    for slot in range(len(inputs)) if slots is None else slots:
        assert np.shape(grads[slot]) == np.shape(inputs[slot])

        def moved(value: Any, slot: int = slot) -> Any:
            return gate.forward(*inputs[:slot], value, *inputs[slot + 1 :])

        numeric = central_difference(moved, [inputs[slot]], 0, dz)
        np.testing.assert_allclose(grads[slot], numeric, rtol=1e-5, atol=1e-7)
    return grads


def away_from_zero(rng: np.random.Generator, shape: tuple[int, ...], gap: float = 0.1) -> Any:
    """Random values at least ``gap`` away from 0 (a kink), as an array or a float for ``()``."""
    x = rng.standard_normal(shape)
    x = np.where(x >= 0, x + gap, x - gap)
    return float(x) if shape == () else x
