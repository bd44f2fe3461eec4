"""The engine never hands back a number from a pass that did not finish, nor one
mixed from two passes (API.md, "Trust")."""

from __future__ import annotations

import gc
import re
import sys
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compgraph import (
    ComputationalGraph,
    GateExecutionError,
    GateReuseError,
    GradientError,
    GraphBusyError,
    GraphTypeError,
    NoBackwardPassError,
    NoForwardPassError,
    NonFiniteError,
    ShapeError,
)
from gates import AddGate, ExpGate, Gate, MulConstantGate, MulGate


class Tripwire(Gate):
    """Identity that raises ``error`` in forward (or backward) when ``x`` is ``at``."""

    def __init__(self, error, at, method="forward"):
        self.error, self.at, self.method = error, at, method

    def forward(self, x):
        self.x = x
        if self.method == "forward" and x == self.at:
            raise self.error
        return x

    def backward(self, dz):
        if self.method == "backward" and self.x == self.at:
            raise self.error
        return [dz]


def wx_graph(tripwire):
    g = ComputationalGraph()  # f = w * trip(x), w cached by the mul gate
    g.add_input("x")
    g.add_input("w")
    g.add_gate("t", tripwire, ["x"])
    g.add_gate("f", MulGate(), ["w", "t"])
    return g


@pytest.mark.parametrize(
    ("error", "seen"),
    [
        (KeyboardInterrupt, KeyboardInterrupt),
        (SystemExit, SystemExit),
        (SystemExit(0), SystemExit),
        (ValueError, GateExecutionError),
    ],
)
def test_a_forward_stopped_by_anything_leaves_no_pass(error, seen):
    g = wx_graph(Tripwire(error, at=5.0))
    g.forward(x=1.0, w=10.0)
    assert g.backward()["w"] == 1.0
    with pytest.raises(seen):
        g.forward(x=5.0, w=2.0)
    with pytest.raises(NoForwardPassError, match=r"backward: the (latest )?forward pass"):
        g.backward()
    with pytest.raises(NoForwardPassError):
        g.value("f")
    with pytest.raises(NoBackwardPassError):
        g.grad("w")
    assert g.forward(x=3.0, w=2.0) == 6.0  # the graph works for the next pass
    assert g.backward() == {"x": 2.0, "w": 3.0, "t": 2.0, "f": 1}


@pytest.mark.parametrize("error", [KeyboardInterrupt, SystemExit])
def test_a_backward_stopped_by_anything_leaves_no_pass(error):
    g = wx_graph(Tripwire(error, at=5.0, method="backward"))
    g.forward(x=1.0, w=10.0)
    g.backward()
    g.forward(x=5.0, w=2.0)
    with pytest.raises(error):
        g.backward()
    with pytest.raises(NoForwardPassError, match="the latest backward pass did not finish"):
        g.backward()
    with pytest.raises(NoBackwardPassError):
        g.grad("w")
    g.forward(x=3.0, w=2.0)
    assert g.backward()["w"] == 3.0


class Armed(ExpGate):
    """exp that raises ``error`` in ``method`` while armed."""

    def __init__(self, error, method):
        self.error, self.method, self.armed = error, method, False

    def forward(self, x):
        if self.armed and self.method == "forward":
            raise self.error
        return super().forward(x)

    def backward(self, dz):
        if self.armed and self.method == "backward":
            raise self.error
        return super().backward(dz)


@settings(max_examples=40, deadline=None)
@given(
    length=st.integers(1, 12),
    data=st.data(),
    method=st.sampled_from(["forward", "backward"]),
    error=st.sampled_from([KeyboardInterrupt, SystemExit, RuntimeError]),
)
def test_stopping_any_gate_of_a_chain_leaves_the_graph_as_good_as_new(length, data, method, error):
    where = data.draw(st.integers(0, length - 1))
    g = ComputationalGraph()
    g.add_input("x")
    previous = "x"
    for k in range(length):
        gate = Armed(error, method) if k == where else MulGate()
        previous = g.add_gate(f"g{k}", gate, [previous] if k == where else [previous, "x"])
    g.forward(x=0.1)
    before = g.backward()
    g.gate(f"g{where}").armed = True
    with pytest.raises((error, Exception)):
        g.forward(x=0.5)
        g.backward()
    for ask in (g.backward, lambda: g.grad("x"), lambda: g.value(previous)):
        with pytest.raises((NoForwardPassError, NoBackwardPassError)):
            ask()
    g.gate(f"g{where}").armed = False
    g.forward(x=0.1)
    assert g.backward() == before


def test_a_gate_instance_sits_in_one_graph_only():
    gate = MulGate()
    g1 = ComputationalGraph()
    g1.add_input("x")
    g1.add_gate("sq", gate, ["x", "x"])
    g2 = ComputationalGraph()
    g2.add_input("y")
    with pytest.raises(GateReuseError, match="already sits at node 'sq' of another graph"):
        g2.add_gate("sq2", gate, ["y", "y"])
    assert list(g2) == ["y"]
    del g1
    gc.collect()
    g2.add_gate("sq2", gate, ["y", "y"])  # free again once its graph is gone
    assert g2.forward(y=3) == 9


class Reentrant(Gate):
    """A gate that runs its own graph's forward from inside a pass."""

    graph: ComputationalGraph

    def forward(self, x):
        return self.graph.forward(x=x)

    def backward(self, dz):
        return [dz]


def test_a_gate_running_its_own_graph_is_refused_not_deadlocked():
    g = ComputationalGraph()
    g.add_input("x")
    gate = Reentrant()
    gate.graph = g
    g.add_gate("r", gate, ["x"])
    with pytest.raises(Exception, match="called while this graph runs a pass") as err:
        g.forward(x=1.0)
    assert isinstance(err.value.__cause__, GraphBusyError)
    g.add_gate("e", ExpGate(), ["x"])  # the graph is free again afterwards
    assert "e" in g


def test_two_threads_on_one_graph_never_mix_their_passes():
    g = ComputationalGraph()  # f = w * x + w: df/dw = x + 1
    g.add_input("x")
    g.add_input("w")
    g.add_gate("wx", MulGate(), ["w", "x"])
    g.add_gate("f", AddGate(), ["wx", "w"])
    wrong, refused, right = [], [], []

    def hammer(x):
        for _ in range(300):
            try:
                g.forward(x=x, w=np.float64(2.0))
                grad = g.backward()["w"]
            except GraphBusyError:
                refused.append(x)
                continue
            (right if grad == x + 1 else wrong).append((x, grad))

    threads = [threading.Thread(target=hammer, args=(float(x),)) for x in (1, 5)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, inside passes
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert wrong == []
    assert len(right) + len(refused) == 600 and right


# ------------------------------------------------------------------ aliasing


def w_times_x():
    g = ComputationalGraph()
    g.add_input("x")
    g.add_parameter("w", np.array([1.0, 1.0]))
    g.add_gate("wx", MulGate(), ["w", "x"])
    return g


def test_mutating_a_fed_array_after_forward_changes_nothing():
    g = w_times_x()
    x = np.array([3.0, 4.0])
    g.forward(x=x)
    x[:] = 100
    np.testing.assert_array_equal(g.backward(np.ones(2))["w"], [3.0, 4.0])
    np.testing.assert_array_equal(g.value("x"), [3.0, 4.0])


def test_mutating_a_parameter_array_after_handing_it_over_changes_nothing():
    g = w_times_x()
    w = np.array([2.0, 2.0])
    g.set_value("w", w)
    w[:] = -1
    np.testing.assert_array_equal(g.forward(x=np.ones(2)), [2.0, 2.0])


def test_what_a_pass_hands_out_is_read_only():
    g = w_times_x()
    out = g.forward(x=np.array([3.0, 4.0]))
    grads = g.backward(np.ones(2))
    for array in (out, g.value("x"), g.value("w"), g.parameters()["w"], grads["w"], g.grad("x")):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 7.0
    np.testing.assert_array_equal(g.gate("wx").y, [3.0, 4.0])


def test_no_two_gradients_are_one_array_and_dout_stays_the_callers():
    g = ComputationalGraph()
    g.add_input("a")
    g.add_input("b")
    g.add_gate("s", AddGate(), ["a", "b"])
    g.forward(a=np.zeros(3), b=np.zeros(3))
    dout = np.array([1.0, 2.0, 3.0])
    grads = g.backward(dout)
    assert grads["a"] is not grads["b"] and grads["a"] is not dout and grads["s"] is not dout
    clipped = np.clip(grads["a"], 0, 1)  # a copy: the gradients are read-only
    dout[:] = 0
    np.testing.assert_array_equal(grads["b"], [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(g.grad("s"), [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(clipped, [1.0, 1.0, 1.0])


def test_a_read_only_array_that_owns_its_memory_is_kept_uncopied():
    g = w_times_x()
    x = np.array([3.0, 4.0])
    x.flags.writeable = False
    g.forward(x=x)
    assert g.value("x") is x
    view = np.broadcast_to(np.array([1.0, 2.0]), (2,))  # read-only, but a view
    g.forward(x=view)
    assert g.value("x") is not view


# ----------------------------------------------------------------- set_value


def test_set_value_keeps_a_parameters_shape():
    g = w_times_x()
    with pytest.raises(ShapeError, match=r"set_value 'w': the new value has shape \(3,\)"):
        g.set_value("w", np.ones(3))
    np.testing.assert_array_equal(g.value("w"), [1.0, 1.0])


def test_set_value_between_forward_and_backward_ends_the_pass():
    g = w_times_x()
    g.forward(x=np.array([3.0, 4.0]))
    g.set_value("w", np.array([5.0, 5.0]))
    with pytest.raises(NoForwardPassError, match="set_value changed the parameter 'w'"):
        g.backward(np.ones(2))
    with pytest.raises(NoForwardPassError):
        g.value("wx")  # would show the old pass beside the new weight
    np.testing.assert_array_equal(g.value("w"), [5.0, 5.0])
    np.testing.assert_array_equal(g.forward(x=np.array([3.0, 4.0])), [15.0, 20.0])


def test_a_numpy_numbers_gradient_is_a_numpy_number_not_an_array():
    g = ComputationalGraph()
    g.add_input("x")
    g.add_gate("e", ExpGate(), ["x"])
    g.forward(x=np.float32(0.0))
    grad = g.backward(np.ones((), dtype=np.float32))["x"]
    assert not isinstance(grad, np.ndarray) and grad == 1.0


# ------------------------------------------------------- what forward returns


class Returning(Gate):
    """A one-input gate whose forward returns ``value`` (whatever it is)."""

    def __init__(self, value):
        self.value = value

    def forward(self, x):
        return self.value

    def backward(self, dz):
        return [dz]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("abc", "str 'abc'"),
        ([1.0, 2.0], "list [1.0, 2.0]"),
        (None, "NoneType None"),
        (np.array(["a"]), "ndarray array(['a']"),
        ({1.0}, "set {1.0}"),
    ],
)
@pytest.mark.parametrize("then", [None, ExpGate, MulGate])
def test_a_forward_returning_no_number_is_refused_naming_its_node(value, shown, then):
    g = ComputationalGraph()
    g.add_input("x")
    g.add_gate("odd", Returning(value), ["x"])
    if then is ExpGate:
        g.add_gate("next", ExpGate(), ["odd"])  # fails on it: the odd gate is to blame
    elif then is MulGate:
        g.add_gate("next", MulGate(), ["odd", "x"])  # 'abc' * 2 would even work
    with pytest.raises(
        GraphTypeError, match=re.escape(f"node 'odd' (Returning).forward returned {shown}")
    ):
        g.forward(x=2)
    with pytest.raises(NoForwardPassError, match="failed at node 'odd'"):
        g.backward()


# --------------------------------------------------------------- check_finite


class Reciprocal(Gate):
    def forward(self, x):
        self.x = x
        return 1.0 / x if x else float("inf")

    def backward(self, dz):
        return [-dz / self.x**2 if self.x else float("-inf")]


def test_check_finite_names_the_first_gate_making_inf_from_finite_inputs():
    g = ComputationalGraph(check_finite=True)
    g.add_input("x")
    g.add_gate("r", Reciprocal(), ["x"])
    g.add_gate("e", ExpGate(), ["r"])  # exp(inf) is inf too, but r made it
    with pytest.raises(
        NonFiniteError,
        match=r"forward: node 'r' \(Reciprocal\) made inf from finite inputs \(x=0\)",
    ):
        g.forward(x=0)
    g.check_finite = False
    assert g.forward(x=0) == float("inf")  # off: IEEE numbers flow on


def test_check_finite_names_the_gate_sending_a_non_finite_gradient():
    class Steep(Gate):
        def forward(self, x):
            return x

        def backward(self, dz):
            return [np.where(np.asarray(dz) > 1, np.inf, dz)]

    g = ComputationalGraph(check_finite=True)
    g.add_input("x")
    g.add_gate("s", Steep(), ["x"])
    g.add_gate("d", MulConstantGate(3.0), ["s"])
    g.forward(x=np.array([1.0, 2.0]))
    with pytest.raises(
        NonFiniteError,
        match=r"backward: node 's' \(Steep\) sent an array of shape \(2,\) holding inf to 'x'",
    ):
        g.backward(np.ones(2))
    g.forward(x=np.array([1.0, 2.0]))
    np.testing.assert_allclose(g.backward(np.full(2, 0.1))["x"], [0.3, 0.3])


def test_mutating_the_array_given_to_add_parameter_changes_nothing():
    w = np.array([1.0, 2.0])
    g = ComputationalGraph()
    g.add_input("x")
    g.add_parameter("w", w)
    g.add_gate("wx", MulGate(), ["w", "x"])
    w[:] = 0
    np.testing.assert_array_equal(g.forward(x=np.ones(2)), [1.0, 2.0])


def test_a_complex_dout_for_a_real_output_is_refused():
    g = w_times_x()
    g.forward(x=np.ones(2))
    with pytest.raises(
        GradientError, match="backward: dout is complex, but the output 'wx' is real"
    ):
        g.backward(np.ones(2, dtype=complex))
    g.forward(x=np.ones(2))
    np.testing.assert_array_equal(g.backward(np.ones(2))["x"], [1.0, 1.0])
