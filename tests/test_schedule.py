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


def test_forward_and_both_backwards_agree():
    steps = steps_of((MulGate(), (0, 1)), (ExpGate(), (2,)), (AddGate(), (2, 3, 0)))
    values = [0.5, -2.0, None, None, None]
    schedule.forward(steps, values)
    assert values[2:] == [-1.0, np.exp(-1.0), -1.0 + np.exp(-1.0) + 0.5]
    fast = [0, 0, 0, 0, 1.0]
    assert schedule.backward_scalar(steps, fast)
    checked = [None, None, None, None, 1.0]
    schedule.backward_checked(steps, values, checked)
    assert fast == checked


def test_forward_reports_the_failing_position():
    steps = steps_of((MulGate(), (0, 1)), (ExpGate(), (2,)))
    with pytest.raises(schedule.StepError) as err:
        schedule.forward(steps, [1.0, "a", None, None])
    assert (err.value.position, err.value.method) == (2, "forward")
    assert isinstance(err.value.error, TypeError)


@pytest.mark.parametrize(
    "gradients", [[1.0], [1.0, 2.0, 3.0], 1.0, [np.ones(2), 1.0], [None, 1.0], "ab"]
)
def test_the_fast_backward_refuses_what_it_cannot_vouch_for(gradients):
    steps = steps_of((Returns(gradients), (0, 1)))
    assert not schedule.backward_scalar(steps, [0, 0, 1.0])


@pytest.mark.parametrize(
    ("gradients", "consumed", "reason"),
    [
        ([1.0], None, "returned 1 gradient for 2 inputs"),
        ("ab", None, "returned str, not a list of 2 gradients"),
        ([np.ones(2), 1.0], 0, "has shape (2,), not the input's shape (3,)"),
    ],
)
def test_the_checked_backward_names_the_misfit(gradients, consumed, reason):
    steps = steps_of((Returns(gradients), (0, 1)))
    with pytest.raises(schedule.MisfitError) as err:
        schedule.backward_checked(steps, [np.zeros(3), 1.0, np.zeros(3)], [None, None, 1.0])
    assert (err.value.position, err.value.consumed, err.value.reason) == (2, consumed, reason)
