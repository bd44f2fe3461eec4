"""The compiled schedule: steps by arity, the passes, and the fast path's refusals."""

from __future__ import annotations

import numpy as np
import pytest

from compgraph import schedule
from gates import AddGate, ExpGate, MulGate
from tests._returning import Returns


def steps_of(*gates_and_inputs):
    gates = [None, None]  # two leaves at positions 0 and 1
    inputs_of = [(), ()]
    for gate, inputs in gates_and_inputs:
        gates.append(gate)
        inputs_of.append(inputs)
    return schedule.compile_steps(gates, inputs_of, 0)


def test_steps_spell_out_one_and_two_inputs():
    exp, mul, add3 = ExpGate(), MulGate(), AddGate()
    steps = steps_of((exp, (0,)), (mul, (0, 1)), (add3, (0, 1, 2)))
    assert [(s[0], s[3], s[4]) for s in steps] == [
        (2, 0, schedule.UNARY),
        (3, 0, 1),
        (4, (0, 1, 2), schedule.MANY),
    ]
    assert steps[1][1] == mul.forward and steps[1][2] == mul.backward


def test_compiling_from_a_start_position_adds_only_the_new_gates():
    gates = [None, ExpGate(), ExpGate()]
    assert [s[0] for s in schedule.compile_steps(gates, [(), (0,), (1,)], 2)] == [2]


def test_forward_and_backward_of_numbers():
    steps = steps_of((MulGate(), (0, 1)), (ExpGate(), (2,)), (AddGate(), (2, 3, 0)))
    values = [0.5, -2.0, None, None, None]
    schedule.forward(steps, values)
    assert values[2:] == [-1.0, np.exp(-1.0), -1.0 + np.exp(-1.0) + 0.5]
    grads = [0, 0, 0, 0, 1.0, 0]
    schedule.backward(steps, values, grads, numbers=True)
    e = np.exp(-1.0)
    assert grads[:5] == [1.0 + (1 + e) * -2.0, (1 + e) * 0.5, 1 + e, 1.0, 1.0]


class Counting(MulGate):
    calls = 0

    def backward(self, dz):
        Counting.calls += 1
        return super().backward(dz)


@pytest.mark.parametrize("x", [3.0, np.array([1.0, 2.0])])
def test_backward_calls_each_gate_once_whatever_the_gradients_are(x):
    # The second gate sends a 0-d array: fitted as it arrives, nothing runs twice.
    steps = steps_of((Counting(), (0, 1)), (Returns([np.ones(np.shape(x)), 1.0]), (2, 1)))
    values = [x, 2.0, None, 1.0]
    schedule.forward(steps[:1], values)
    Counting.calls = 0
    grads = [0, 0, 0, 1.0, 0]
    schedule.backward(steps, values, grads, numbers=np.ndim(x) == 0)
    assert Counting.calls == 1
    np.testing.assert_array_equal(grads[0], 2.0 * np.ones(np.shape(x)))
    assert type(grads[2]) is (float if np.ndim(x) == 0 else np.ndarray)


def test_forward_reports_the_failing_position():
    steps = steps_of((MulGate(), (0, 1)), (ExpGate(), (2,)))
    with pytest.raises(schedule.StepError) as err:
        schedule.forward(steps, [1.0, "a", None, None])
    assert (err.value.position, err.value.method) == (2, "forward")
    assert isinstance(err.value.error, TypeError)


@pytest.mark.parametrize(
    ("gradients", "consumed", "reason"),
    [
        ([1.0], None, "returned 1 gradient for 2 inputs"),
        ([1.0, 2.0, 3.0], None, "returned 3 gradients for 2 inputs"),
        ("ab", None, "returned str, not a list of 2 gradients"),
        (1.0, None, "returned float, not a list of 2 gradients"),
        ([None, 1.0], 0, "is a NoneType, not a number or array"),
        ({1.0, 2.0}, None, "returned set, not a list of 2 gradients"),
        ((g for g in [1.0, 2.0]), None, "returned generator, not a list of 2 gradients"),
        (np.ones(2), None, "returned ndarray, not a list of 2 gradients"),
        ([1j, 1.0], 0, "is complex, but the input's value is real"),
        (["1.0", 1.0], 0, "is a str, not a number or array"),
    ],
)
@pytest.mark.parametrize("x", [3.0, np.zeros(3)])
def test_backward_names_the_misfit_on_numbers_and_arrays(gradients, consumed, reason, x):
    steps = steps_of((Returns(gradients), (0, 1)))
    with pytest.raises(schedule.MisfitError) as err:
        schedule.backward(
            steps, [x, 1.0, x * 1.0], [0, 0, np.ones(np.shape(x)), 0], np.ndim(x) == 0
        )
    assert (err.value.position, err.value.consumed, err.value.reason) == (2, consumed, reason)


def test_backward_names_a_gradient_of_the_wrong_shape():
    steps = steps_of((Returns([np.ones(2), 1.0]), (0, 1)))
    x = np.zeros(3)
    reason = "has shape (2,), not the input's shape (3,)"
    with pytest.raises(schedule.MisfitError) as err:
        schedule.backward(
            steps, [x, 1.0, x * 1.0], [0, 0, np.ones(np.shape(x)), 0], np.ndim(x) == 0
        )
    assert (err.value.position, err.value.consumed, err.value.reason) == (2, 0, reason)


def test_the_scratch_takes_anything_and_is_never_read():
    gates = [None, None, Returns([None, 2.0])]
    p = schedule.plan(gates, [(), (), (0, 1)], [1])
    assert [(s[3], s[4]) for s in p.steps] == [(3, 1)]
    grads = [0, 0, 1.0, 0]
    schedule.backward(p.steps, [1.0, 1.0, 1.0], grads, numbers=True)
    assert grads[:3] == [0, 2.0, 1.0]
