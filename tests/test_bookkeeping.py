"""contributions and paths: the shares at a fork and the products along paths
add up to each gradient, with the lectures' numbers, and refusals that say why."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compgraph import (
    ComputationalGraph,
    NoBackwardPassError,
    NodeNotFoundError,
    PathArrayError,
    TooManyPathsError,
)
from compgraph.bookkeeping import MAX_PATHS, contributions, count_paths, paths
from compgraph.lectures import neuron, x_plus_y_times_z
from gates import MulGate


def passed(text: str, **feeds: float) -> ComputationalGraph:
    g = ComputationalGraph.from_expression(text)
    g.forward(feeds)
    g.backward()
    return g


def test_f_x_y_z_the_lectures_numbers() -> None:
    g, feeds = x_plus_y_times_z()
    g.forward(feeds)
    g.backward()
    assert g.contributions("x") == [("q", 0, -4)]
    assert g.contributions("q") == [("f", 0, -4)]
    assert g.contributions("z") == [("f", 1, 3)]
    assert g.contributions("f") == []  # the output: its gradient is where backward starts
    assert g.paths("x") == [(["x", "q", "f"], -4)]
    assert g.paths("z") == [(["z", "f"], 3)]
    assert g.paths("f") == [(["f"], 1)]


@pytest.mark.parametrize("decomposed", [False, True])
def test_the_sigmoid_neuron_the_lectures_numbers(decomposed: bool) -> None:
    g, feeds = neuron(decomposed)
    g.forward(feeds)
    g.backward()
    lectures = {"w0": -0.2, "x0": 0.39, "w1": -0.39, "x1": -0.59, "w2": 0.2}
    for name, number in lectures.items():
        [(path, product)] = g.paths(name)
        assert path[0] == name and path[-1] == "f"
        assert round(product, 2) == number
        assert product == pytest.approx(g.grad(name), rel=1e-12)
    chain = ["dot", "neg", "exp", "plus1", "f"] if decomposed else ["dot", "f"]
    assert g.paths("w2")[0][0] == ["w2", *chain]
    # the decomposed sigmoid's local gradients, as the lectures give them
    if decomposed:
        [(_, product)] = g.paths("neg")
        assert round(product, 2) == -0.2  # exp(-1) * 1 * (-1 / 1.37^2)


def test_a_fork_x_times_x_gives_two_shares_and_two_paths() -> None:
    g = passed("x * x", x=3)
    assert g.contributions("x") == [("x * x", 0, 3), ("x * x", 1, 3)]
    assert g.paths("x") == [(["x", "x * x"], 3), (["x", "x * x"], 3)]
    assert g.grad("x") == 6


def test_a_fork_x_plus_x_times_y() -> None:
    g = passed("x + x * y", x=3, y=-4)
    assert g.contributions("x") == [("x * y", 0, -4), ("x + x * y", 0, 1)]
    assert g.paths("x") == [(["x", "x * y", "x + x * y"], -4), (["x", "x + x * y"], 1)]
    assert g.grad("x") == -3


def test_a_local_gradient_is_right_where_the_gradient_received_is_zero() -> None:
    # z = 0: the gate x * y receives 0, so share / received would be 0 / 0;
    # each path's product is still the product of the local gradients.
    g = passed("q = x * y; r = q * z; s = z * x; f = r + s", x=2.0, y=5.0, z=0.0)
    assert g.grad("q") == 0
    assert g.paths("y") == [(["y", "q", "r", "f"], 0.0)]
    assert g.paths("x") == [(["x", "q", "r", "f"], 0.0), (["x", "s", "f"], 0.0)]
    assert g.paths("z") == [(["z", "r", "f"], 10.0), (["z", "s", "f"], 2.0)]
    assert g.grad("z") == 12.0


def test_the_products_carry_the_gradient_backward_started_with() -> None:
    g = ComputationalGraph.from_expression("(x + y) * z")
    g.forward(x=-2, y=5, z=-4)
    g.backward(2)
    assert g.paths("x") == [(["x", "x + y", "(x + y) * z"], -8)]
    assert sum(share for *_, share in g.contributions("x")) == g.grad("x") == -8


def test_nothing_is_disturbed() -> None:
    g, feeds = neuron(decomposed=True)
    g.forward(feeds)
    before = g.backward()
    cached = dict(vars(copy.copy(g.gate("exp"))))  # a copy holds a cache the kernel kept
    for name in g:
        g.paths(name)
        g.contributions(name)
    assert vars(g.gate("exp")) == cached
    assert {name: g.grad(name) for name in g} == before
    assert g.backward() == before


def test_arrays_share_at_forks_but_have_no_paths() -> None:
    g = ComputationalGraph.from_expression("w * x + w")
    g.forward(w=np.array([1.0, 2.0]), x=np.array([3.0, -1.0]))
    g.backward()
    shares = g.contributions("w")
    assert [(consumer, slot) for consumer, slot, _ in shares] == [("w * x", 0), ("w * x + w", 1)]
    np.testing.assert_allclose(sum(share for *_, share in shares), g.grad("w"))
    with pytest.raises(PathArrayError, match=r"paths 'w': node 'w' holds an array of shape \(2,\)"):
        g.paths("w")


def test_refusals_before_a_backward_pass_and_for_unknown_names() -> None:
    g = ComputationalGraph.from_expression("x * y")
    with pytest.raises(NoBackwardPassError, match="contributions 'x': no forward pass has run"):
        g.contributions("x")
    g.forward(x=1, y=2)
    with pytest.raises(NoBackwardPassError, match="paths 'x': no backward pass since"):
        g.paths("x")
    g.backward()
    with pytest.raises(NodeNotFoundError, match="paths: 'w' is not a node"):
        g.paths("w")
    with pytest.raises(NodeNotFoundError, match="contributions: 'w' is not a node"):
        g.contributions("w")


def test_a_restricted_backward_gives_no_shares_for_nodes_it_skipped() -> None:
    g = ComputationalGraph.from_expression("x * y + z")
    g.forward(x=1, y=2, z=3)
    g.backward(wrt=["z"])
    assert g.contributions("z") == [("x * y + z", 1, 1)]
    with pytest.raises(NoBackwardPassError, match="contributions 'x': the latest backward"):
        g.contributions("x")


def squarings(stages: int) -> ComputationalGraph:
    """x squared ``stages`` times, each by x * x: 2 ** stages paths from x."""
    g = ComputationalGraph()
    g.add_input("x")
    previous = "x"
    for i in range(stages):
        g.add_gate(f"s{i}", MulGate(), [previous, previous])
        previous = f"s{i}"
    return g


def test_too_many_paths_are_refused_after_counting_them() -> None:
    g = squarings(14)
    g.forward(x=1.0)
    g.backward()
    assert count_paths(g, "x") == 2**14 > MAX_PATHS
    with pytest.raises(TooManyPathsError, match="16384 paths lead from 'x'") as caught:
        g.paths("x")
    assert caught.value.count == 16384 and caught.value.node == "x"
    assert len(g.paths("s1")) == 2**12  # within the limit: listed
    assert sum(share for *_, share in g.contributions("x")) == g.grad("x")


def test_counting_paths_is_fast_for_deep_forking_graphs() -> None:
    g = squarings(200)  # 2 ** 200 paths: counted, never listed
    assert count_paths(g, "x") == 2**200


# ------------------------------------------------------------ any graph of numbers

expressions = st.recursive(
    st.sampled_from(["x", "y", "z"]),
    lambda inner: (
        st.builds("({} {} {})".format, inner, st.sampled_from(["+", "*", "-"]), inner)
        | st.builds("sigmoid({})".format, inner)
        | st.builds("tanh({})".format, inner)
    ),
    max_leaves=8,
)


def finite_difference(text: str, feeds: dict[str, float], name: str) -> float:
    step = 1e-6
    g = ComputationalGraph.from_expression(text)
    up = g.forward({**feeds, name: feeds[name] + step})
    down = g.forward({**feeds, name: feeds[name] - step})
    return float((up - down) / (2 * step))


@settings(max_examples=60, deadline=None)
@given(expressions, st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_shares_and_path_products_add_up_to_each_gradient(text: str, numbers: list[float]) -> None:
    g = ComputationalGraph.from_expression(text)
    feeds = {name: numbers["xyz".index(name)] for name in g.input_names()}
    g.forward(feeds)
    g.backward()
    for name in g:
        grad = g.grad(name)
        products = [product for _, product in paths(g, name)]
        assert math.isclose(sum(products), grad, rel_tol=1e-9, abs_tol=1e-12)
        assert len(products) == count_paths(g, name)
        if name != g.output:
            shares = [share for *_, share in contributions(g, name)]
            assert math.isclose(sum(shares), grad, rel_tol=1e-9, abs_tol=1e-12)
    for name in g.input_names():
        total = sum(product for _, product in g.paths(name))
        assert math.isclose(total, finite_difference(text, feeds, name), rel_tol=1e-5, abs_tol=1e-6)
