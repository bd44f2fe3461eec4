"""The compiled kernel (compgraph.kernel): the same values, gradients, caches and
errors as the Python engine, and the fallbacks to it."""

from __future__ import annotations

import copy
import gc
import math
import os
import pickle
import subprocess
import sys
import textwrap
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compgraph import (
    ComputationalGraph,
    GateExecutionError,
    NoBackwardPassError,
    NoForwardPassError,
    kernel,
)
from gates import (
    AddConstantGate,
    AddGate,
    ConstantGate,
    DivGate,
    ExpGate,
    Gate,
    MaxGate,
    MulConstantGate,
    MulGate,
    ReciprocalGate,
    ReLUGate,
    SigmoidGate,
    SubGate,
    TanhGate,
)

needs_kernel = pytest.mark.skipif(not kernel.AVAILABLE, reason="the kernel is not built")


class Square(Gate):
    """A user's gate: the kernel calls it in place."""

    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, dz):
        return [2 * self.x * dz]


class Scale(MulGate):
    """A subclass of a built-in gate: called in place too."""

    def forward(self, x, y):
        return super().forward(x, 2.0 * y)

    def backward(self, dz):
        dx, dy = super().backward(dz)
        return [dx, 2.0 * dy]


class Sum3(Gate):
    def forward(self, *xs):
        return float(sum(xs))

    def backward(self, dz):
        return (dz, dz, dz)


# gate factory, number of inputs
GATES: list[tuple[Any, int]] = [
    (AddGate, 2),
    (AddGate, 3),
    (SubGate, 2),
    (MulGate, 2),
    (DivGate, 2),
    (MaxGate, 2),
    (ExpGate, 1),
    (SigmoidGate, 1),
    (TanhGate, 1),
    (ReLUGate, 1),
    (ReciprocalGate, 1),
    (lambda: MulConstantGate(-1), 1),
    (lambda: MulConstantGate(0.5), 1),
    (lambda: AddConstantGate(1), 1),
    (Square, 1),
    (Scale, 2),
    (Sum3, 3),
]


@st.composite
def scalar_graphs(draw):
    g = ComputationalGraph()
    names = []
    for i in range(draw(st.integers(1, 4))):
        names.append(g.add_input(f"x{i}"))
    if draw(st.booleans()):
        names.append(g.add_parameter("w", draw(st.floats(-2, 2))))
    for i in range(draw(st.integers(1, 14))):
        factory, count = draw(st.sampled_from(GATES))
        inputs = [draw(st.sampled_from(names)) for _ in range(count)]
        names.append(g.add_gate(f"g{i}", factory(), inputs))
    consumed = {item for name in g for item in g.inputs(name)}
    loose = [name for name in g if name not in consumed]
    while len(loose) > 1:  # one output: the loose ends summed
        last, before = loose.pop(), loose.pop()
        loose.append(g.add_gate(f"sum{len(g)}", AddGate(), [before, last]))
    feeds = {name: draw(st.floats(-2, 2)) for name in g.input_names()}
    return g, feeds


def run(g: ComputationalGraph, feeds: dict[str, Any], compiled: bool) -> tuple[Any, ...]:
    """Everything a user reads of a pass, on one engine (or the error it raised)."""
    previous = kernel.use_kernel(compiled)
    try:
        try:
            out = g.forward(feeds)
            grads = dict(g.backward())
        except Exception as exc:  # the same error, message and all, on both
            return ("error", type(exc), str(exc))
        values = {name: g.value(name) for name in g}
        caches = {}
        for name in g:
            if g.kind(name) == "gate":
                gate = g.gate(name)
                for attribute in kernel.CACHED.get(type(gate), ()):
                    caches[name, attribute] = getattr(gate, attribute)
        return out, values, grads, caches
    finally:
        kernel.use_kernel(previous)


def same(a: Any, b: Any) -> bool:
    """Equal, of the same type, or both nan; to 1e-12 for floats."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return a == b


@needs_kernel
@settings(max_examples=150, deadline=None)
@given(scalar_graphs())
def test_random_scalar_graphs_read_the_same_on_both_engines(graph_and_feeds):
    g, feeds = graph_and_feeds
    python = run(g, feeds, compiled=False)
    compiled = run(g, feeds, compiled=True)
    assert same(compiled, python), (compiled, python)
    assert same(run(g, feeds, compiled=False), python)  # and back


def lectures_graph() -> ComputationalGraph:
    g = ComputationalGraph()
    for name in "xyz":
        g.add_input(name)
    g.add_gate("q", AddGate(), ["x", "y"])
    g.add_gate("f", MulGate(), ["q", "z"])
    return g


@needs_kernel
def test_a_pass_of_floats_runs_in_the_kernel():
    g = lectures_graph()
    assert g.forward(x=-2.0, y=5.0, z=-4.0) == -12.0
    grads = g.backward()
    assert isinstance(grads, kernel.Gradients)
    assert grads == {"x": -4.0, "y": -4.0, "z": 3.0, "q": -4.0, "f": 1}
    assert type(grads["f"]) is int and type(grads["x"]) is float  # as the Python engine's
    assert (g.gate("f").x, g.gate("f").y, g.gate("q").n_inputs) == (3.0, -4.0, 2)
    assert repr(grads) == "{'x': -4.0, 'y': -4.0, 'z': 3.0, 'q': -4.0, 'f': 1}"


def test_int_feeds_keep_giving_ints():
    g = lectures_graph()
    assert g.forward(x=-2, y=5, z=-4) == -12
    grads = g.backward()
    assert type(grads) is dict and grads == {"x": -4, "y": -4, "z": 3, "q": -4, "f": 1}
    assert all(type(v) is int for v in grads.values())


@needs_kernel
def test_the_gradients_mapping_is_read_only_and_keeps_its_pass():
    g = lectures_graph()
    g.forward(x=-2.0, y=5.0, z=-4.0)
    grads = g.backward()
    with pytest.raises(TypeError):
        grads["x"] = 0.0  # type: ignore[index]
    g.add_gate("h", ExpGate(), ["f"])
    g.forward(x=1.0, y=1.0, z=1.0)
    g.backward()
    assert "h" not in grads and len(grads) == 5 and grads["z"] == 3.0
    assert list(grads) == ["x", "y", "z", "q", "f"]
    with pytest.raises(KeyError):
        _ = grads["h"]
    g.group("qf", ["q", "f"])  # a change of structure: new lists, the old mapping intact
    assert dict(grads) == {"x": -4.0, "y": -4.0, "z": 3.0, "q": -4.0, "f": 1}


def test_caches_read_the_same_after_a_python_pass_and_a_compiled_one():
    g = lectures_graph()
    g.add_gate("m", MaxGate(), ["f", "x"])
    g.add_gate("s", SigmoidGate(), ["m"])
    previous = kernel.use_kernel(False)
    g.forward(x=1.0, y=2.0, z=3.0)
    kernel.use_kernel(previous)
    g.forward(x=-2.0, y=5.0, z=-4.0)  # compiled where built: the Python caches must go
    gate = g.gate("m")
    assert (gate.x, gate.y, gate.x_wins) == (-12.0, -2.0, False)
    assert g.gate("s").z == 1 / (1 + math.exp(2.0))
    assert g.gate("f").x == 3.0


def test_copies_and_pickles_of_a_gate_hold_its_cache():
    g = lectures_graph()
    g.forward(x=-2.0, y=5.0, z=-4.0)
    g.backward()
    gate = g.gate("f")
    assert copy.deepcopy(gate).x == 3.0
    assert copy.copy(gate).y == -4.0
    assert pickle.loads(pickle.dumps(gate)).backward(1.0) == [-4.0, 3.0]


def test_a_gate_that_never_ran_has_no_cache():
    g = lectures_graph()
    with pytest.raises(AttributeError, match=r"^'MulGate' object has no attribute 'x'$"):
        _ = g.gate("f").x
    g.forward(x=-2.0, y=5.0, z=-4.0)
    g.add_gate("e", ExpGate(), ["f"])
    with pytest.raises(AttributeError, match="'ExpGate' object has no attribute 'z'"):
        _ = g.gate("e").z
    with pytest.raises(AttributeError, match="'MulGate' object has no attribute 'w'"):
        _ = g.gate("f").w
    assert g.gate("f").x == 3.0  # the latest pass that ran it


class Returns(Gate):
    """forward returns what it is given to return; backward one gradient."""

    def __init__(self, value: Any, gradient: Any = 1.0) -> None:
        self.value, self.gradient = value, gradient

    def forward(self, x):
        return self.value

    def backward(self, dz):
        return [self.gradient]


class Raises(Gate):
    def __init__(self, error: BaseException, where: str = "forward") -> None:
        self.error, self.where = error, where

    def forward(self, x):
        if self.where == "forward":
            raise self.error
        return x

    def backward(self, dz):
        raise self.error


unusual = [
    ("an int from forward", Returns(2)),
    ("a numpy float from forward", Returns(np.float64(2.0))),
    ("an array from forward", Returns(np.ones(2))),
    ("a string from forward", Returns("two")),
    ("inf from forward", Returns(math.inf)),
    ("an int gradient", Returns(2.0, gradient=3)),
    ("a numpy gradient", Returns(2.0, gradient=np.float64(3.0))),
    ("an array gradient", Returns(2.0, gradient=np.ones(1))),
    ("None as a gradient", Returns(2.0, gradient=None)),
    ("a nan gradient", Returns(2.0, gradient=math.nan)),
    ("a huge int gradient", Returns(2.0, gradient=2**60 + 1)),
    ("an error in forward", Raises(ValueError("no"))),
    ("an error in backward", Raises(ZeroDivisionError("zero"), "backward")),
]


@pytest.mark.parametrize(("case", "gate"), unusual)
def test_anything_unusual_reads_as_on_the_python_engine(case, gate):
    def graph() -> ComputationalGraph:
        g = ComputationalGraph()
        g.add_input("x")
        g.add_gate("u", copy.deepcopy(gate), ["x"])
        g.add_gate("e", ExpGate(), ["u"])
        return g

    python = run(graph(), {"x": 0.5}, compiled=False)
    compiled = run(graph(), {"x": 0.5}, compiled=True)
    assert repr(compiled) == repr(python)


@pytest.mark.parametrize(
    "feeds", [{"x": 1000.0}, {"x": float("nan")}, {"x": 1}, {"x": True}, {"x": np.float64(1.0)}]
)
def test_non_finite_and_non_float_feeds_read_as_on_the_python_engine(feeds):
    g = ComputationalGraph.from_expression("sigmoid(exp(x) * x) + 1 / x + max(x, 2)")
    assert repr(run(g, feeds, compiled=True)) == repr(run(g, feeds, compiled=False))


@pytest.mark.parametrize(
    "feeds",
    [
        {"x": 1.0, "nope": 2.0},  # placed in C up to the name that is not a node
        {"x": 1.0, "w": 2.0},  # a parameter
        {"x": 1.0, "x * w": 2.0},  # a gate
        {"x": 1.0, "y": "two"},
        {"x": 1.0, "y": [1.0, 2.0]},
        {"x": 1.0, "y": True},
        {"x": 1.0},  # y missing
        {"y": 2.0, "x": np.float32(1.0)},
    ],
)
def test_a_refused_feed_reads_as_on_the_python_engine_and_keeps_the_graph(feeds):
    def graph() -> ComputationalGraph:
        g = ComputationalGraph()
        g.add_input("x"), g.add_input("y"), g.add_parameter("w", 3.0)
        g.add_gate("x * w", MulGate(), ["x", "w"])
        g.add_gate("f", AddGate(), ["x * w", "y"])
        return g

    compiled, python = graph(), graph()
    assert repr(run(compiled, feeds, compiled=True)) == repr(run(python, feeds, compiled=False))
    assert compiled.forward(x=5.0, y=2.0) == 17.0 and compiled.value("w") == 3.0


@needs_kernel
@pytest.mark.parametrize(
    ("feeds", "placed"),
    [
        ({"x": 1.5, "y": 2}, True),
        ({"x": 1.5, "w": 2.0}, False),
        ({"x": 1.5, "nope": 2.0}, False),
        ({"x": True}, False),
        ({"x": np.float64(1.5)}, False),
        ({1: 1.5}, False),
    ],
)
def test_the_kernel_places_feeds_of_floats_and_ints_only(feeds, placed):
    g = ComputationalGraph()
    g.add_input("x"), g.add_input("y"), g.add_parameter("w", 3.0)
    g.add_gate("f", AddGate(), ["x", "y"])
    values = [None, None, 3.0, None]
    assert kernel.feed(g, values, feeds, "input") is placed
    if placed:
        assert values == [1.5, 2, 3.0, None] and type(values[1]) is int


@needs_kernel
def test_a_batchs_input_positions_are_left_out_of_the_collectors_walks():
    g = ComputationalGraph()
    g.add_input("x"), g.add_input("y")
    g.add_gates(["s", "p"], [AddGate(), MulGate()], [["x", "y"], ("s", "x")])
    assert g._inputs_of[2:] == [(0, 1), (2, 0)]
    assert not any(map(gc.is_tracked, g._inputs_of[2:]))  # tuples of ints hold no cycle
    assert g.forward(x=2.0, y=3.0) == 10.0 and g.backward()["x"] == 7.0


def test_division_by_zero_reads_as_on_the_python_engine():
    g = ComputationalGraph.from_expression("1 / x + y / x")
    feeds = {"x": 0.0, "y": 1.0}
    assert repr(run(g, feeds, compiled=True)) == repr(run(g, feeds, compiled=False))


def test_a_gates_constant_is_read_at_every_pass():
    g = ComputationalGraph()
    g.add_input("x")
    g.add_gate("y", MulConstantGate(2.0), ["x"])
    g.add_gate("c", ConstantGate(1.5), [])
    g.add_gate("z", AddGate(), ["y", "c"])
    assert g.forward(x=1.0) == 3.5
    g.gate("y").c = 3.0
    g.gate("c").c = 0.5
    assert g.forward(x=1.0) == 3.5 and g.backward()["x"] == 3.0
    g.gate("c").c = 1  # an int constant: the Python engine's int
    assert repr(run(g, {"x": 1.0}, True)) == repr(run(g, {"x": 1.0}, False))


def test_an_error_in_a_users_gate_is_the_python_engines_error():
    g = ComputationalGraph()
    g.add_input("x")
    g.add_gate("r", Raises(ValueError("no good")), ["x"])
    with pytest.raises(GateExecutionError, match=r"node 'r' \(Raises\).forward raised ValueError"):
        g.forward(x=1.0)
    with pytest.raises(NoForwardPassError):
        g.backward()


def test_keyboard_interrupt_passes_through_and_leaves_no_pass():
    g = ComputationalGraph()
    g.add_input("x")
    g.add_gate("r", Raises(KeyboardInterrupt(), "backward"), ["x"])
    g.add_gate("s", SigmoidGate(), ["r"])
    g.forward(x=1.0)
    with pytest.raises(KeyboardInterrupt):
        g.backward()
    with pytest.raises(NoForwardPassError):
        g.backward()
    with pytest.raises(NoBackwardPassError):
        g.grad("x")
    assert g.forward(x=1.0) == 1 / (1 + math.exp(-1.0))  # the graph works for the next pass


def test_a_restricted_backward_after_a_compiled_forward():
    g = lectures_graph()
    g.forward(x=-2.0, y=5.0, z=-4.0)
    assert g.backward(wrt=["z"]) == {"z": 3.0}
    assert g.grad("z") == 3.0


@needs_kernel
@settings(max_examples=60, deadline=None)
@given(scalar_graphs(), st.data())
def test_a_restricted_backward_reads_the_same_on_both_engines(graph_and_feeds, data):
    g, feeds = graph_and_feeds
    wrt = data.draw(st.lists(st.sampled_from(list(g)), min_size=1, max_size=3, unique=True))

    def restricted(compiled: bool) -> tuple[Any, ...]:
        previous = kernel.use_kernel(compiled)
        try:
            try:
                g.forward(feeds)
                grads = g.backward(wrt=wrt)
            except Exception as exc:
                return ("error", type(exc), str(exc))
            shown = {}
            for name in g:
                try:
                    shown[name] = g.grad(name)
                except NoBackwardPassError as exc:
                    shown[name] = ("not computed", str(exc))
            return grads, shown
        finally:
            kernel.use_kernel(previous)

    assert same(restricted(True), restricted(False))


class StaticTripleGate(Gate):
    """A user's gate whose forward is a staticmethod: ``3 x``, which needs no cache."""

    @staticmethod
    def forward(x: float) -> float:
        return 3.0 * x

    def backward(self, dz: float) -> list[float]:
        return [3.0 * dz]


class CountingSigmoidGate(SigmoidGate):
    """A user's gate (a subclass: called in place) that counts its backward calls."""

    calls = 0

    def backward(self, dz: Any) -> list[Any]:
        CountingSigmoidGate.calls += 1
        return super().backward(dz)


@needs_kernel
def test_an_add_of_many_inputs_is_an_opcode_with_the_python_engines_bits():
    g = ComputationalGraph()
    terms = [g.add_input(f"x{i}") for i in range(5)]
    g.add_gate("sum", AddGate(), [*terms, "x0"])  # x0 twice: its gradient is 2
    g.add_gate("f", MulGate(), ["sum", "x1"])
    feeds = {f"x{i}": 0.1 * (i + 1) for i in range(5)}
    compiled, python = run(g, feeds, compiled=True), run(g, feeds, compiled=False)
    assert compiled == python  # exactly: the terms added in the same order
    assert not g._kernel.customs  # computed in C, not called in place
    assert compiled[3]["sum", "n_inputs"] == 6
    assert compiled[2]["x0"] == 2 * 0.2 and compiled[2]["x1"] == 0.2 + compiled[1]["sum"]


@needs_kernel
def test_a_restricted_backward_of_built_in_gates_runs_in_the_kernel():
    g = lectures_graph()
    g.add_gate("sum3", AddGate(), ["f", "x", "y"])  # built-in, though called in place
    g.forward(x=-2.0, y=5.0, z=-4.0)
    assert g.backward(wrt=["x"]) == {"x": -3.0}
    assert type(g._grads) is not list  # the kernel's array: every gradient computed in C
    assert g.grad("q") == -4.0  # on the way to x
    with pytest.raises(NoBackwardPassError, match="restricted"):
        g.grad("z")  # not needed for x's, so not shown, as on the Python engine


@needs_kernel
def test_a_restricted_backward_with_a_users_gate_runs_in_python():
    g = lectures_graph()
    g.add_gate("s", CountingSigmoidGate(), ["z"])
    g.add_gate("out", AddGate(), ["f", "s"])
    g.forward(x=-2.0, y=5.0, z=-4.0)
    CountingSigmoidGate.calls = 0
    assert g.backward(wrt=["x"]) == {"x": -4.0}
    assert CountingSigmoidGate.calls == 0  # on no path to x: skipped, as the Python engine does
    assert type(g._grads) is list
    g.add_gate("e", StaticTripleGate(), ["out"])
    g.forward(x=-2.0, y=5.0, z=-4.0)
    assert g.backward(wrt=["x"]) == {"x": -12.0}


def test_a_parameter_set_after_a_compiled_pass():
    g = ComputationalGraph()
    g.add_parameter("w", 2.0)
    g.add_input("x")
    g.add_gate("y", MulGate(), ["w", "x"])
    g.forward(x=3.0)
    g.set_value("w", 0.5)
    assert g.value("w") == 0.5 and g.parameters() == {"w": 0.5}
    assert g.forward(x=3.0) == 1.5


def test_a_long_chain_runs():
    g = ComputationalGraph()
    g.add_input("x")
    previous = "x"
    for k in range(100_000):
        previous = g.add_gate(f"s{k}", SigmoidGate() if k % 2 else ExpGate(), [previous])
    value = g.forward(x=0.5)
    assert 0.5 < value < math.e and math.isfinite(g.backward()["x"])


def test_the_package_works_without_the_extension():
    script = textwrap.dedent(
        """
        import sys
        sys.modules["compgraph._kernel"] = None  # as if it had not been built
        from compgraph import ComputationalGraph, kernel
        assert not kernel.AVAILABLE and not kernel.in_use()
        g = ComputationalGraph.from_expression("(x + y) * z")
        assert g.forward(x=-2.0, y=5.0, z=-4.0) == -12.0
        assert type(g.backward()) is dict and g.grad("z") == 3.0
        assert g.gate("(x + y) * z").x == 3.0
        print("ok")
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )
    assert result.stdout.strip() == "ok", result.stderr


def test_the_environment_variable_turns_the_kernel_off():
    script = "from compgraph import kernel; print(kernel.AVAILABLE, kernel.in_use())"
    env = {**os.environ, "COMPGRAPH_NO_KERNEL": "1", "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.split() == ["False", "False"]
