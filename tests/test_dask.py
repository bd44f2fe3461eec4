"""dask arrays through the engine and the built-in gates: lazy, never converted,
the same numbers as numpy's, and computed on a local cluster of two processes."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")

from compgraph import ComputationalGraph, GradientError, GraphTypeError, nn  # noqa: E402
from compgraph.optim import SGD, Adam  # noqa: E402
from gates import (  # noqa: E402
    AddConstantGate,
    AddGate,
    DivGate,
    ExpGate,
    Gate,
    HingeGate,
    LogGate,
    MatMulGate,
    MaxGate,
    MeanGate,
    MSEGate,
    MulConstantGate,
    MulGate,
    PowerGate,
    PowGate,
    ReciprocalGate,
    ReLUGate,
    SigmoidGate,
    SoftmaxCrossEntropyGate,
    StackGate,
    SubGate,
    SumGate,
    TanhGate,
)
from gates._numeric import is_lazy  # noqa: E402

CHUNK = 50  # rows per chunk: every batch below is several chunks


class CountComputes(dask.callbacks.Callback):  # type: ignore[misc]
    """Counts the graphs dask's local schedulers start computing."""

    def __init__(self) -> None:
        super().__init__()
        self.started = 0

    def _start(self, dsk: Any) -> None:
        self.started += 1


def lazy(x: np.ndarray) -> Any:
    """``x`` as a dask array chunked along its first axis."""
    return da.from_array(x, chunks=(CHUNK, *x.shape[1:]))


def computed(value: Any) -> Any:
    return value.compute() if is_lazy(value) else value


RNG = np.random.default_rng(0)
ROWS = RNG.uniform(0.5, 2.0, (200, 3))
OTHER = RNG.uniform(0.5, 2.0, (200, 3))
COLUMN = RNG.uniform(0.5, 2.0, (200, 1))

#: name: (make the gate, its inputs as numpy arrays)
GATES: dict[str, tuple[Callable[[], Gate], tuple[np.ndarray, ...]]] = {
    "add": (AddGate, (ROWS, OTHER)),
    "add broadcast": (AddGate, (ROWS, COLUMN)),
    "add three": (AddGate, (ROWS, OTHER, COLUMN)),
    "sub": (SubGate, (ROWS, COLUMN)),
    "mul": (MulGate, (ROWS, OTHER)),
    "div": (DivGate, (ROWS, COLUMN)),
    "max": (MaxGate, (ROWS, OTHER)),
    "x**y": (PowerGate, (ROWS, OTHER)),
    "**2": (lambda: PowGate(2), (ROWS,)),
    "**0.5": (lambda: PowGate(0.5), (ROWS,)),
    "1/x": (ReciprocalGate, (ROWS,)),
    "+1": (lambda: AddConstantGate(1.0), (ROWS,)),
    "*2.5": (lambda: MulConstantGate(2.5), (ROWS,)),
    "exp": (ExpGate, (ROWS,)),
    "log": (LogGate, (ROWS,)),
    "sigmoid": (SigmoidGate, (ROWS - 1.2,)),
    "tanh": (TanhGate, (ROWS - 1.2,)),
    "relu": (ReLUGate, (ROWS - 1.2,)),
    "sum": (SumGate, (ROWS,)),
    "sum rows": (lambda: SumGate(axis=1, keepdims=True), (ROWS,)),
    "mean": (MeanGate, (ROWS,)),
    "mean batch": (lambda: MeanGate(axis=0), (ROWS,)),
    "matmul": (MatMulGate, (ROWS, OTHER[:3].T)),
    "stack": (StackGate, (ROWS[:, 0], ROWS[:, 1])),
    "mse": (MSEGate, (ROWS, OTHER)),
    "hinge": (HingeGate, (ROWS - 1.2, np.sign(OTHER - 1.2))),
}


@pytest.mark.parametrize("name", list(GATES))
def test_every_built_in_gate_keeps_dask_lazy_and_agrees_with_numpy(name: str) -> None:
    make, inputs = GATES[name]
    gate = make()
    z = gate.forward(*inputs)
    dz = np.ones_like(z) if np.ndim(z) else 1.0
    expected = [z, *gate.backward(dz)]

    gate = make()
    with CountComputes() as counter:
        lazy_z = gate.forward(*(lazy(x) for x in inputs))
        lazy_dz = da.ones_like(lazy_z)  # as the engine starts a lazy output
        got = [lazy_z, *gate.backward(lazy_dz)]
    assert counter.started == 0
    assert all(is_lazy(value) for value in got)
    for value, want in zip(dask.compute(*got), expected):
        np.testing.assert_allclose(value, want, rtol=1e-12)


def test_softmax_cross_entropy_with_lazy_labels() -> None:
    logits, labels = ROWS, RNG.integers(0, 3, ROWS.shape[0])
    gate = SoftmaxCrossEntropyGate()
    expected = [gate.forward(logits, labels), *gate.backward(1.0)]
    with CountComputes() as counter:
        got = [gate.forward(lazy(logits), lazy(labels)), *gate.backward(1.0)]
    assert counter.started == 0
    for value, want in zip(dask.compute(*got), expected):
        np.testing.assert_allclose(value, want, rtol=1e-12)
    # no element is read before compute: a label out of range makes the loss nan, not a number
    wrong = gate.forward(lazy(logits), lazy(np.where(labels == 2, 3, labels)))
    assert np.isnan(wrong.compute())


def mlp_graph(loss: str) -> tuple[ComputationalGraph, nn.MLP]:
    g = ComputationalGraph()
    net = nn.mlp(g, [4, 16, 8, 3 if loss == "xent" else 1], activation="tanh", rng=1)
    g.add_input("y")
    gate = SoftmaxCrossEntropyGate() if loss == "xent" else MSEGate()
    g.add_gate("loss", gate, [net.output, "y"])
    return g, net


X = RNG.normal(size=(400, 4))
TARGETS = {"mse": np.sin(X[:, :1]), "xent": (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0)}


@pytest.mark.parametrize("loss", ["mse", "xent"])
def test_an_mlp_pass_on_dask_gives_numpy_s_gradients_and_computes_nothing(loss: str) -> None:
    g, _ = mlp_graph(loss)
    y = TARGETS[loss]
    expected_loss = g.forward(x=X, y=y)
    expected = dict(g.backward())
    with CountComputes() as counter:
        out = g.forward(x=lazy(X), y=lazy(y))
        grads = dict(g.backward())
    assert counter.started == 0
    assert is_lazy(out) and all(is_lazy(grad) for grad in grads.values())
    assert lazy(X).numblocks[0] == 8  # the batch is eight chunks
    loss_value, *values = dask.compute(out, *grads.values())
    assert counter.started == 0  # outside the counter, as a user's compute()
    assert loss_value == pytest.approx(expected_loss, rel=1e-12)
    assert set(grads) == set(expected)
    for name, value in zip(grads, values):
        np.testing.assert_allclose(value, expected[name], rtol=1e-10, atol=1e-14, err_msg=name)
        assert np.shape(value) == np.shape(g.value(name))


def test_nothing_is_loaded_before_compute() -> None:
    loads: list[int] = []
    lock = threading.Lock()

    def load(block: int) -> np.ndarray:
        with lock:
            loads.append(block)
        return X[block * 100 : (block + 1) * 100]

    parts = [da.from_delayed(dask.delayed(load)(i), (100, 4), X.dtype) for i in range(4)]
    data = da.concatenate(parts)
    g, _ = mlp_graph("mse")
    out = g.forward(x=data, y=TARGETS["mse"])
    grads = g.backward()
    assert loads == []
    loss, dw = dask.compute(out, grads["layer1.W"])
    assert sorted(loads) == [0, 1, 2, 3]  # each block loaded once, for both
    g.forward(x=X, y=TARGETS["mse"])
    assert loss == pytest.approx(g.value("loss"))
    np.testing.assert_allclose(dw, g.backward()["layer1.W"], rtol=1e-10)


def test_the_engine_keeps_dask_values_as_they_are() -> None:
    w = da.from_array(np.array([[2.0], [-3.0]]), chunks=1)
    g = ComputationalGraph()
    g.add_input("x")
    g.add_parameter("w", w)
    g.add_gate("f", MatMulGate(), ["x", "w"])
    x = lazy(np.ones((200, 2)))
    assert float(g.forward(x=x)[0, 0].compute()) == 2.0 - 3.0
    assert g.value("x") is x and g.value("w") is w
    assert g.gate("f").a is x and is_lazy(g.gate("f").b)
    g.set_value("w", w * 2)
    assert is_lazy(g.value("w"))
    assert float(g.forward(x=x)[0, 0].compute()) == 4.0 - 6.0


def test_mixing_dask_and_numpy_works_as_dask_s_operators_do() -> None:
    g = ComputationalGraph.from_expression("sigmoid(w * x + b) * c")
    feeds = {"x": lazy(ROWS), "w": OTHER, "b": 0.5, "c": COLUMN}
    numpy_feeds = {**feeds, "x": ROWS}
    out = g.forward(feeds)
    grads = dict(g.backward())
    assert is_lazy(out) and all(is_lazy(grad) for grad in grads.values())  # as w * x is lazy
    reference = ComputationalGraph.from_expression("sigmoid(w * x + b) * c")
    np.testing.assert_allclose(out.compute(), reference.forward(numpy_feeds), rtol=1e-12)
    for name, value in reference.backward().items():
        np.testing.assert_allclose(computed(grads[name]), value, rtol=1e-12, err_msg=name)
    assert np.shape(grads["b"]) == () and np.shape(grads["c"]) == (200, 1)  # summed back lazily


def test_dout_and_the_default_gradient_of_a_lazy_output() -> None:
    g = ComputationalGraph.from_expression("x * y")
    g.forward(x=lazy(ROWS), y=2.0)
    grads = g.backward()
    assert is_lazy(grads["x"]) and grads["x"].chunks == lazy(ROWS).chunks
    np.testing.assert_allclose(grads["x"].compute(), np.full(ROWS.shape, 2.0))
    dout = lazy(OTHER)
    np.testing.assert_allclose(g.backward(dout)["y"].compute(), (ROWS * OTHER).sum())
    with pytest.raises(GradientError, match=r"dout has shape \(10, 3\)"):
        g.backward(lazy(OTHER[:10]))
    h = ComputationalGraph()  # a number at the output
    h.add_input("x")
    h.add_gate("s", SumGate(), ["x"])
    h.add_gate("f", MulConstantGate(2.0), ["s"])
    h.forward(x=lazy(ROWS))
    for dout in (None, 1.0, np.float32(1.0), np.array(1.0)):
        gradient = h.backward(dout)["x"]
        assert is_lazy(gradient) and gradient.chunks == lazy(ROWS).chunks
        np.testing.assert_allclose(gradient.compute(), np.full(ROWS.shape, 2.0))


def test_a_lazy_array_of_text_is_refused() -> None:
    g = ComputationalGraph.from_expression("x * 2")
    with pytest.raises(GraphTypeError, match="feed 'x': expected a number or a numeric array"):
        g.forward(x=da.from_array(np.array(["a", "b"])))


def test_check_finite_refuses_lazy_values_by_name() -> None:
    g = ComputationalGraph(check_finite=True)
    g.add_input("x")
    g.add_gate("e", ExpGate(), ["x"])
    with pytest.raises(GraphTypeError, match="check_finite reads every value, but 'x' is a lazy"):
        g.forward(x=lazy(ROWS))
    assert g.forward(x=ROWS).shape == ROWS.shape  # the graph works on


@pytest.mark.parametrize("optimizer", [SGD, Adam])
def test_an_optimizer_step_stays_lazy(optimizer: Any) -> None:
    g, _ = mlp_graph("mse")
    before = {name: np.array(value) for name, value in g.parameters().items()}
    with CountComputes() as counter:
        g.forward(x=lazy(X), y=lazy(TARGETS["mse"]))
        g.backward()
        optimizer(g, lr=0.01).step()
    assert counter.started == 0
    after = dask.compute(g.parameters())[0]
    assert all(not np.allclose(after[name], before[name]) for name in before)


def test_compgraph_imports_no_dask() -> None:
    code = (
        "import sys, numpy as np; import compgraph, gates; "
        "g = compgraph.ComputationalGraph.from_expression('exp(x) * y'); "
        "g.forward(x=np.ones(3), y=2.0); g.backward(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (run.returncode, run.stdout) == (0, "[]\n"), run.stderr


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A local cluster of two worker processes, one thread each, for this module."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
            timeout="60s",
        ) as cluster,
        distributed.Client(cluster, timeout="60s", set_as_default=False) as client,
    ):
        client.wait_for_workers(2, timeout=60)
        yield client


# distributed's notes on a slow machine (scratch space, ports) are not failures of compgraph
@pytest.mark.filterwarnings("ignore::UserWarning:distributed.*")
def test_an_mlp_pass_computes_on_a_local_cluster(client: Any) -> None:
    g, _ = mlp_graph("xent")
    y = TARGETS["xent"]
    g.forward(x=X, y=y)
    expected = dict(g.backward())
    out = g.forward(x=lazy(X), y=lazy(y))
    grads = dict(g.backward())
    futures = client.compute([out, *grads.values()])
    loss, *values = client.gather(futures, errors="raise")
    assert len(client.scheduler_info()["workers"]) == 2
    g.forward(x=X, y=y)
    assert loss == pytest.approx(g.value("loss"), rel=1e-12)
    for name, value in zip(grads, values):
        np.testing.assert_allclose(value, expected[name], rtol=1e-10, atol=1e-14, err_msg=name)
    workers = client.run(lambda: "ran")  # both processes took part in the cluster
    assert list(workers.values()) == ["ran", "ran"]


def test_train_draws_mini_batches_from_dask_arrays_batch_by_batch() -> None:
    from compgraph import train

    histories = []
    for data in ({"x": X, "y": TARGETS["mse"]}, {"x": lazy(X), "y": lazy(TARGETS["mse"])}):
        g, _ = mlp_graph("mse")
        with CountComputes() as counter:
            history = train(g, data, Adam(g, lr=0.01), epochs=2, batch_size=64, progress=False)
        histories.append((list(history), counter.started, g.parameters()))
    (numpy_losses, _, numpy_weights), (dask_losses, computes, dask_weights) = histories
    assert dask_losses == numpy_losses  # the same rows in the same order: the same numbers
    assert computes == len(dask_losses) == 2 * 7  # one compute a step, of its batch alone
    for name, value in numpy_weights.items():
        assert type(dask_weights[name]) is np.ndarray
        np.testing.assert_array_equal(dask_weights[name], value)


def test_a_composite_gate_keeps_dask_lazy() -> None:
    g = ComputationalGraph.from_expression("q = x * y; f = sigmoid(q + z)")
    reference = ComputationalGraph.from_expression("q = x * y; f = sigmoid(q + z)")
    g.group("inner", ["q", "q + z"])
    with CountComputes() as counter:
        out = g.forward(x=lazy(ROWS), y=OTHER, z=0.5)
        grads = dict(g.backward())
    assert counter.started == 0 and is_lazy(out)
    np.testing.assert_allclose(out.compute(), reference.forward(x=ROWS, y=OTHER, z=0.5))
    for name, value in reference.backward().items():
        if name in grads:
            np.testing.assert_allclose(computed(grads[name]), value, rtol=1e-12, err_msg=name)
