"""Time one training step of compgraph against the same maths elsewhere; print figures and ratios.

1. MLP 784-256-10 (ReLU), batch 256, float32, softmax cross-entropy, SGD:
   compgraph vs hand-written numpy (the floor for any numpy engine) and, when
   installed, PyTorch on the CPU.
2. micrograd's demo: MLP 2-16-16-1, 100 moons points, hinge loss plus L2,
   SGD: compgraph (both flavours) vs micrograd, when installed.
3. What protecting a pass from aliasing costs (docs/trust.md): the 784-256-10
   step fed the same writable batch every step (the engine copies it) against
   the same batch made read-only (kept uncopied, as ``compgraph.train`` feeds).

For stable figures pin the BLAS threads (``OMP_NUM_THREADS=1
OPENBLAS_NUM_THREADS=1``) and run on a quiet machine; each figure is the best
of several runs, and part 3 prints the range over its rounds.

All engines start from the same weights; their losses and gradients are
checked to agree before anything is timed. Run from the repository:

    .venv/bin/pip install -q ".[bench]"    # optional: micrograd, torch 2.13.0 (CPU)
    .venv/bin/python benchmarks/bench_training.py
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from compgraph import ComputationalGraph, datasets, nn
from compgraph.optim import SGD
from gates import (
    AddConstantGate,
    AddGate,
    HingeGate,
    MulConstantGate,
    MulGate,
    ReLUGate,
    SoftmaxCrossEntropyGate,
    SumGate,
)

LR = 0.01


def per_step(step: Callable[[], Any], steps: int, repeats: int = 5) -> float:
    """The best over ``repeats`` of the mean time of ``steps`` steps, in seconds."""
    step()
    step()  # warm up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        best = min(best, (time.perf_counter() - start) / steps)
    return best


def show(rows: list[tuple[str, float]], reference: str) -> None:
    """One line per engine: time per step, and its ratio to ``reference`` (or speed-up)."""
    base = dict(rows)[reference]
    print(f"  ratios to: {reference}")
    width = max(len(name) for name, _ in rows)
    for name, seconds in rows:
        ratio = seconds / base
        versus = f"{ratio:5.2f}x the time" if ratio > 0.5 else f"{1 / ratio:5.0f}x faster"
        print(f"  {name:<{width}} {seconds * 1e3:9.3f} ms/step   {versus}")


# --------------------------------------------------------------- 784-256-10


def mnist_sized() -> None:
    print("MLP 784-256-10, ReLU, batch 256, float32, softmax cross-entropy, SGD")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 784)).astype(np.float32)
    y = rng.integers(0, 10, 256)

    g = ComputationalGraph()
    net = nn.mlp(g, [784, 256, 10], rng=0, dtype=np.float32)
    g.add_input("y")
    g.add_gate("loss", SoftmaxCrossEntropyGate(), [net.output, "y"])
    opt = SGD(g, lr=LR)
    start = {name: value.copy() for name, value in g.parameters().items()}
    w1, b1, w2, b2 = (start[n].copy() for n in ("layer1.W", "layer1.b", "layer2.W", "layer2.b"))

    seen: dict[str, Any] = {}  # the gradients of the latest step, read before it ends the pass

    def compgraph_step() -> float:
        loss = g.forward(x=x, y=y)
        seen.update(g.backward(wrt=opt.names))  # as compgraph.train does: none for the data
        opt.step()
        return float(loss)

    def numpy_step(input_gradient: bool = False) -> tuple[float, dict[str, np.ndarray]]:
        nonlocal w1, b1, w2, b2
        h = x @ w1 + b1
        a = np.maximum(h, 0)
        s = a @ w2 + b2
        shifted = s - s.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        total = e.sum(axis=1, keepdims=True)
        loss = float(np.mean(np.log(total[:, 0]) - shifted[np.arange(256), y]))
        ds = e / total
        ds[np.arange(256), y] -= 1
        ds /= 256
        dw2, db2 = a.T @ ds, ds.sum(axis=0)
        dh = (ds @ w2.T) * (h > 0)
        dw1, db1 = x.T @ dh, dh.sum(axis=0)
        if input_gradient:
            dh @ w1.T  # the gradient for the input x, which compgraph's backward also returns
        w1 -= LR * dw1
        b1 -= LR * db1
        w2 -= LR * dw2
        b2 -= LR * db2
        return loss, {"layer1.W": dw1, "layer2.W": dw2}

    # Agreement on one step from the same weights.
    loss_numpy, grads_numpy = numpy_step()
    loss_compgraph = compgraph_step()
    assert abs(loss_numpy - loss_compgraph) < 1e-5, (loss_numpy, loss_compgraph)
    for name, grad in grads_numpy.items():
        np.testing.assert_allclose(seen[name], grad, rtol=1e-4, atol=1e-6)
    after = {"layer1.W": w1, "layer1.b": b1, "layer2.W": w2, "layer2.b": b2}
    for name, value in g.parameters().items():  # and the same weights after it
        np.testing.assert_allclose(value, after[name], rtol=1e-5, atol=1e-7)
    agreed = ["numpy"]

    rows = [
        ("compgraph (vector flavour)", per_step(compgraph_step, 20)),
        ("numpy by hand (no input gradient: the floor)", per_step(numpy_step, 20)),
        ("numpy by hand, with the input gradient", per_step(lambda: numpy_step(True), 20)),
    ]
    try:
        import torch
    except ImportError:
        print("  (PyTorch is not installed: pip install torch==2.13.0 to compare with it)")
    else:
        params = {n: torch.tensor(v, requires_grad=True) for n, v in start.items()}
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)
        torch_opt = torch.optim.SGD(list(params.values()), lr=LR)

        def torch_step() -> float:
            torch_opt.zero_grad()
            h = torch.relu(tx @ params["layer1.W"] + params["layer1.b"])
            loss = torch.nn.functional.cross_entropy(
                h @ params["layer2.W"] + params["layer2.b"], ty
            )
            loss.backward()
            torch_opt.step()
            return loss.item()

        with torch.no_grad():
            for name, value in start.items():
                params[name].copy_(torch.from_numpy(value))
        assert abs(torch_step() - loss_numpy) < 1e-5
        for name, grad in grads_numpy.items():
            np.testing.assert_allclose(params[name].grad.numpy(), grad, rtol=1e-4, atol=1e-6)
        agreed.append("PyTorch")
        rows.append(
            (
                f"PyTorch {torch.__version__} CPU ({torch.get_num_threads()} threads)",
                per_step(torch_step, 20),
            )
        )
    print(f"  losses and gradients agree with: {', '.join(agreed)}")
    show(rows, "numpy by hand (no input gradient: the floor)")


# ------------------------------------------------------------ the scalar demo


def add_l2(g: ComputationalGraph, alpha: float) -> str:
    """``alpha * sum of every parameter squared``, as gates; return its node."""
    squares = []
    for name in list(g.parameters()):
        square = g.add_gate(f"sq({name})", MulGate(), [name, name])
        if np.ndim(g.value(name)):
            square = g.add_gate(f"sum({name})", SumGate(), [square])
        squares.append(square)
    g.add_gate("l2.sum", AddGate(), squares)
    return g.add_gate("l2", MulConstantGate(alpha), ["l2.sum"])


def demo_graph(flavour: str, layers: list[Any]) -> tuple[ComputationalGraph, nn.MLP]:
    """The demo's network and loss in compgraph, with the scalar engine's weights."""
    g = ComputationalGraph()
    net = nn.mlp(g, [2, 16, 16, 1], flavour=flavour)  # type: ignore[arg-type]
    for k, layer in enumerate(layers, start=1):
        w = np.array([[n.w[i].data for n in layer.neurons] for i in range(len(layer.neurons[0].w))])
        b = np.array([n.b.data for n in layer.neurons])
        if flavour == "vector":
            g.set_value(f"layer{k}.W", w)
            g.set_value(f"layer{k}.b", b)
        else:
            for (i, j), value in np.ndenumerate(w):
                g.set_value(f"layer{k}.W[{i},{j}]", float(value))
            for j, value in enumerate(b):
                g.set_value(f"layer{k}.b[{j}]", float(value))
    reg = add_l2(g, 1e-4)
    g.add_input("y")
    g.add_gate("hinge", HingeGate(), [net.output, "y"])
    g.add_gate("total", AddGate(), ["hinge", reg])
    return g, net


def per_point_graph(layers: list[Any], x: np.ndarray, y: np.ndarray) -> ComputationalGraph:
    """The demo as a scalar engine runs it: one copy of the network per point,
    every copy reading the same weight parameters, every value a Python float.
    A point's hinge is ``relu(1 - y * score)``; the loss is their mean plus L2."""
    g = ComputationalGraph()
    weights = []  # in the scalar engine's order of parameters
    for k, layer in enumerate(layers, start=1):
        for j, neuron in enumerate(layer.neurons):
            for i, w in enumerate(neuron.w):
                weights.append(g.add_parameter(f"w{k}[{i},{j}]", w.data))
            weights.append(g.add_parameter(f"b{k}[{j}]", neuron.b.data))
    hinges = []
    for p, (point, label) in enumerate(zip(x.tolist(), y.tolist())):
        activations = [g.add_input(f"x{p}[{i}]") for i in range(len(point))]
        for k, layer in enumerate(layers, start=1):
            last = k == len(layers)
            outputs = []
            for j in range(len(layer.neurons)):
                terms = [
                    g.add_gate(f"p{p}.{k}.{j}*{i}", MulGate(), [f"w{k}[{i},{j}]", a])
                    for i, a in enumerate(activations)
                ]
                total = g.add_gate(f"p{p}.{k}.{j}", AddGate(), [*terms, f"b{k}[{j}]"])
                outputs.append(total if last else g.add_gate(f"p{p}.{k}.{j}r", ReLUGate(), [total]))
            activations = outputs
        margin = g.add_gate(f"p{p}.-ys", MulConstantGate(-label), activations)
        margin = g.add_gate(f"p{p}.1-ys", AddConstantGate(1.0), [margin])
        hinges.append(g.add_gate(f"p{p}.hinge", ReLUGate(), [margin]))
    g.add_gate("hinge.sum", AddGate(), hinges)
    g.add_gate("hinge", MulConstantGate(1.0 / len(hinges)), ["hinge.sum"])
    squares = [g.add_gate(f"sq({w})", MulGate(), [w, w]) for w in weights]
    g.add_gate("l2.sum", AddGate(), squares)
    g.add_gate("l2", MulConstantGate(1e-4), ["l2.sum"])
    g.add_gate("total", AddGate(), ["hinge", "l2"])
    return g


def scalar_demo() -> None:
    print("\nMLP 2-16-16-1, 100 moons points, hinge loss + 1e-4 L2, SGD (a scalar-engine demo)")
    x, labels = datasets.make_moons(100, noise=0.1, rng=0)
    y = (2 * labels - 1).astype(np.float64)
    try:
        from micrograd.engine import Value
        from micrograd.nn import MLP
    except ImportError:
        print("  (micrograd is not installed: pip install micrograd to compare with it)")
        random.seed(1337)
        layers = None
    else:
        random.seed(1337)
        model = MLP(2, [16, 16, 1])
        layers = model.layers

    if layers is None:
        return
    graphs = {flavour: demo_graph(flavour, layers) for flavour in ("vector", "scalar")}

    rows_x, rows_y = x.tolist(), y.tolist()

    def micrograd_step(lr: float = 0.05) -> float:
        inputs = [list(map(Value, row)) for row in rows_x]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * si).relu() for yi, si in zip(rows_y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        total = data_loss + 1e-4 * sum(p * p for p in model.parameters())
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= lr * p.grad
        return float(total.data)

    steppers = {}
    seen: dict[str, dict[str, Any]] = {}  # each graph's gradients of its latest step
    for flavour, (g, net) in graphs.items():
        opt = SGD(g, lr=0.05)
        feeds = {**net.feeds(x), "y": y[:, None]}

        def step(
            g: ComputationalGraph = g,
            opt: SGD = opt,
            feeds: dict[str, Any] = feeds,
            flavour: str = flavour,
        ) -> float:
            loss = g.forward(feeds)
            seen[flavour] = g.backward(wrt=opt.names)
            opt.step()
            return float(loss)

        steppers[flavour] = step

    per_point = per_point_graph(layers, x, y)
    per_point_opt = SGD(per_point, lr=0.05)
    per_point_feeds = {f"x{p}[{i}]": float(v) for (p, i), v in np.ndenumerate(x)}

    def per_point_step() -> float:
        loss = per_point.forward(per_point_feeds)
        seen["per point"] = per_point.backward(wrt=per_point_opt.names)
        per_point_opt.step()
        return float(loss)

    steppers["per point"] = per_point_step

    first_weight = model.layers[0].neurons[3].w[1].data
    loss_micrograd = micrograd_step()
    grad_micrograd = model.layers[0].neurons[3].w[1].grad
    for flavour in graphs:
        loss = steppers[flavour]()
        grads = seen[flavour]
        grad = grads["layer1.W"][1, 3] if flavour == "vector" else grads["layer1.W[1,3]"]
        assert abs(loss - loss_micrograd) < 1e-9, (flavour, loss, loss_micrograd)
        assert abs(grad - grad_micrograd) < 1e-9, (flavour, grad, grad_micrograd)
    loss = per_point_step()
    grad = seen["per point"]["w1[1,3]"]
    assert abs(loss - loss_micrograd) < 1e-9, ("per point", loss, loss_micrograd)
    assert abs(grad - grad_micrograd) < 1e-9, ("per point", grad, grad_micrograd)
    n_gates = sum(per_point.kind(name) == "gate" for name in per_point)
    assert first_weight != model.layers[0].neurons[3].w[1].data
    print("  losses and gradients agree with: micrograd")
    rows = [
        ("micrograd", per_step(micrograd_step, 3, repeats=2)),
        (
            f"compgraph, a copy per point, all Python floats ({n_gates:,} gates)",
            per_step(steppers["per point"], 3, repeats=3),
        ),
        ("compgraph, scalar flavour, points as arrays", per_step(steppers["scalar"], 20)),
        ("compgraph, vector flavour (MatMulGate)", per_step(steppers["vector"], 200)),
    ]
    show(rows, "micrograd")


# ------------------------------------------------------------ aliasing cost


def aliasing_cost(rounds: int = 7) -> None:
    print("\nWhat aliasing protection costs: 784-256-10 step, batch fed writable vs read-only")
    rng = np.random.default_rng(0)
    writable = rng.standard_normal((256, 784)).astype(np.float32)
    labels = rng.integers(0, 10, 256)
    frozen, frozen_labels = writable.copy(), labels.copy()
    frozen.flags.writeable = frozen_labels.flags.writeable = False

    g = ComputationalGraph()
    net = nn.mlp(g, [784, 256, 10], rng=0, dtype=np.float32)
    g.add_input("y")
    g.add_gate("loss", SoftmaxCrossEntropyGate(), [net.output, "y"])
    opt = SGD(g, lr=LR)

    def step(x: np.ndarray, y: np.ndarray) -> None:
        g.forward(x=x, y=y)
        g.backward(wrt=opt.names)
        opt.step()

    copied, uncopied, costs = [], [], []
    for _ in range(rounds):  # interleaved, so that both see the same machine
        copied.append(per_step(lambda: step(writable, labels), 20, repeats=3))
        uncopied.append(per_step(lambda: step(frozen, frozen_labels), 20, repeats=3))
        costs.append((copied[-1] - uncopied[-1]) / uncopied[-1])
    copy_alone = per_step(lambda: (writable.copy(), labels.copy()), 200)
    print(f"  step fed read-only arrays (no copy): {min(uncopied) * 1e3:.3f} ms at best")
    print(f"  step fed writable arrays (copied):   {min(copied) * 1e3:.3f} ms at best")
    print(
        f"  the two copies alone: {copy_alone * 1e6:.1f} us, "
        f"{copy_alone / min(uncopied):.1%} of a step"
    )
    print(
        f"  extra time of the copied step over {rounds} rounds: "
        f"{min(costs):+.1%} to {max(costs):+.1%} (median {sorted(costs)[rounds // 2]:+.1%})"
    )


if __name__ == "__main__":
    mnist_sized()
    scalar_demo()
    aliasing_cost()
