"""Engine benchmark: build time, forward + backward time per gate, and memory, on
random scalar circuits and on a chain; compared with define-by-run engines when
they are installed (the ``bench`` extra).

Run:  .venv/bin/python benchmarks/bench_engine.py [--quick]
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

sys.path.insert(0, os.path.dirname(__file__))

from circuits import Circuit, chain, random_circuit

from compgraph import ComputationalGraph
from gates import AddGate, ExpGate, Gate, MaxGate, MulGate, SigmoidGate

GATE_OF = {"add": AddGate, "mul": MulGate, "max": MaxGate, "exp": ExpGate, "sigmoid": SigmoidGate}


# A user's gates, written as docs/writing-gates.md shows: the kernel calls them in place.
class UserAdd(Gate):
    def forward(self, x: float, y: float) -> float:
        return x + y

    def backward(self, dz: float) -> list[float]:
        return [dz, dz]


class UserMul(Gate):
    def forward(self, x: float, y: float) -> float:
        self.x, self.y = x, y
        return x * y

    def backward(self, dz: float) -> list[float]:
        return [self.y * dz, self.x * dz]


class UserMax(Gate):
    def forward(self, x: float, y: float) -> float:
        self.x_wins = x >= y
        return x if self.x_wins else y

    def backward(self, dz: float) -> list[float]:
        return [dz, 0.0] if self.x_wins else [0.0, dz]


class UserExp(Gate):
    def forward(self, x: float) -> float:
        self.z = math.exp(x)
        return self.z

    def backward(self, dz: float) -> list[float]:
        return [self.z * dz]


class UserSigmoid(Gate):
    def forward(self, x: float) -> float:
        self.z = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        return self.z

    def backward(self, dz: float) -> list[float]:
        return [(1.0 - self.z) * self.z * dz]


USER_GATE_OF = {
    "add": UserAdd,
    "mul": UserMul,
    "max": UserMax,
    "exp": UserExp,
    "sigmoid": UserSigmoid,
}


# ------------------------------------------------------------------ compgraph


def build(circuit: Circuit, user_every: int = 0) -> tuple[ComputationalGraph, dict[str, float]]:
    """The circuit as a graph of built-in gates; with ``user_every``, every
    ``user_every``-th gate a user's Python gate doing the same."""
    g = ComputationalGraph()
    names = [f"x{i}" for i in range(len(circuit.inputs))]
    for name in names:
        g.add_input(name)
    for k, (op, args) in enumerate(circuit.gates):
        name = f"g{k}"
        kind = USER_GATE_OF[op] if user_every and k % user_every == 0 else GATE_OF[op]
        g.add_gate(name, kind(), [names[a] for a in args])
        names.append(name)
    return g, dict(zip(names, circuit.inputs))


def compgraph_pass(g: ComputationalGraph, feeds: dict[str, float]) -> Callable[[], Any]:
    def run() -> Any:
        g.forward(feeds)
        return g.backward()

    return run


# ---------------------------------------------------- define-by-run engines


def micrograd_engine() -> Any:
    try:
        from micrograd.engine import Value
    except ImportError:
        return None

    # micrograd has add and mul; max, exp and sigmoid written in its own manner.
    def v_max(a: Any, b: Any) -> Any:
        out = Value(a.data if a.data >= b.data else b.data, (a, b), "max")

        def _backward() -> None:
            if a.data >= b.data:
                a.grad += out.grad
            else:
                b.grad += out.grad

        out._backward = _backward
        return out

    def v_exp(a: Any) -> Any:
        out = Value(math.exp(a.data), (a,), "exp")

        def _backward() -> None:
            a.grad += out.data * out.grad

        out._backward = _backward
        return out

    def v_sigmoid(a: Any) -> Any:
        x = a.data
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        out = Value(s, (a,), "sigmoid")

        def _backward() -> None:
            a.grad += (1.0 - out.data) * out.data * out.grad

        out._backward = _backward
        return out

    ops = {
        "add": lambda a, b: a + b,
        "mul": lambda a, b: a * b,
        "max": v_max,
        "exp": v_exp,
        "sigmoid": v_sigmoid,
    }

    def make_pass(circuit: Circuit) -> Callable[[], list[float]]:
        def run() -> list[float]:
            nodes = [Value(x) for x in circuit.inputs]
            for op, args in circuit.gates:
                nodes.append(ops[op](*(nodes[a] for a in args)))
            nodes[-1].backward()
            return [v.grad for v in nodes[: len(circuit.inputs)]]

        return run

    return make_pass


def torch_engine() -> Any:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    ops = {
        "add": torch.add,
        "mul": torch.mul,
        "max": torch.maximum,
        "exp": torch.exp,
        "sigmoid": torch.sigmoid,
    }

    def make_pass(circuit: Circuit) -> Callable[[], list[float]]:
        def run() -> list[float]:
            leaves = [
                torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in circuit.inputs
            ]
            nodes = list(leaves)
            for op, args in circuit.gates:
                nodes.append(ops[op](*(nodes[a] for a in args)))
            nodes[-1].backward()
            return [leaf.grad.item() for leaf in leaves]

        return run

    return make_pass


# ---------------------------------------------------------------- measuring


def per_gate_ns(run: Callable[[], Any], n_gates: int, repeats: int) -> float:
    """Median over ``repeats`` of the time of one call, in ns per gate."""
    run()  # warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) / n_gates * 1e9


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def agree(ours: dict[str, Any], theirs: list[float], n_inputs: int, engine: str) -> None:
    for i in range(n_inputs):
        a, b = ours[f"x{i}"], theirs[i]
        if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
            raise SystemExit(f"{engine} disagrees on the gradient of x{i}: {b} vs compgraph {a}")


def row(label: str, figure: str, note: str = "") -> None:
    print(f"  {label:<46} {figure:>14}  {note}")


def circuits(sizes: list[int], others: dict[str, Any]) -> None:
    print("Random scalar circuit (add, mul, max, exp, sigmoid), forward + backward per gate")
    for n in sizes:
        circuit = random_circuit(n, seed=n)
        start = time.perf_counter()
        g, feeds = build(circuit)
        built = time.perf_counter() - start
        run = compgraph_pass(g, feeds)
        grads = run()
        if not math.isclose(g.value(g.output), circuit.output_value, rel_tol=1e-12):
            raise SystemExit("compgraph's output differs from the plain-Python evaluation")
        repeats = 51 if n <= 10_000 else 11
        ours = per_gate_ns(run, n, repeats)
        row(f"{n:,} gates: build, per node", f"{built / len(g) * 1e9:,.0f} ns")
        row(f"{n:,} gates: forward + backward, per gate", f"{ours:,.0f} ns")
        for engine, make_pass in others.items():
            if make_pass is None:
                continue
            their_run = make_pass(circuit)
            agree(grads, their_run(), len(circuit.inputs), engine)
            theirs = per_gate_ns(their_run, n, max(3, repeats // 4))
            row(
                f"  {engine} (gradients agree)",
                f"{theirs:,.0f} ns",
                f"compgraph {theirs / ours:.1f}x faster",
            )


def user_gates(n: int) -> None:
    print(f"\nThe {n:,}-gate circuit with every 10th gate a user's Python gate")
    circuit = random_circuit(n, seed=n)
    builtin = compgraph_pass(*build(circuit))
    g, feeds = build(circuit, user_every=10)
    mixed = compgraph_pass(g, feeds)
    expected, grads = builtin(), mixed()
    if any(
        not math.isclose(grads[k], v, rel_tol=1e-12, abs_tol=1e-15) for k, v in expected.items()
    ):
        raise SystemExit("the user's gates give other gradients than the built-in ones")
    ours, alone = per_gate_ns(mixed, n, 21), per_gate_ns(builtin, n, 21)
    row(
        "forward + backward, per gate", f"{ours:,.0f} ns", f"(built-in gates only: {alone:,.0f} ns)"
    )


def big_graph(n: int) -> None:
    print(f"\nA {n:,}-gate random circuit")
    circuit = random_circuit(n, seed=1)
    gc.collect()
    before = rss_bytes()
    start = time.perf_counter()
    g, feeds = build(circuit)
    built = time.perf_counter() - start
    run = compgraph_pass(g, feeds)
    start = time.perf_counter()
    run()
    passed = time.perf_counter() - start
    gc.collect()
    held = rss_bytes() - before
    row("build", f"{built:.2f} s", f"({built / n * 1e9:,.0f} ns per gate)")
    row("first forward + backward, per gate", f"{passed / n * 1e9:,.0f} ns")
    row("memory held after a pass (RSS growth)", f"{held / n:,.0f} B/gate")
    del g, run, circuit
    gc.collect()


def long_chain(n: int) -> None:
    print(f"\nA chain of {n:,} gates (sigmoid, exp, sigmoid, ...)")
    circuit = chain(n)
    g, feeds = build(circuit)
    run = compgraph_pass(g, feeds)
    ours = per_gate_ns(run, n, 3)
    if not math.isclose(g.value(g.output), circuit.output_value, rel_tol=1e-12):
        raise SystemExit("the chain's output differs from the plain-Python evaluation")
    row("forward + backward, per gate", f"{ours:,.0f} ns")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    args = parser.parse_args()
    others = {"micrograd": micrograd_engine(), "PyTorch (0-dim tensors)": torch_engine()}
    for engine, make_pass in others.items():
        if make_pass is None:
            print(f"note: {engine} is not installed; `pip install '.[bench]'` adds it")
    print(f"Python {sys.version.split()[0]}\n")
    circuits([1_000, 10_000] if args.quick else [1_000, 100_000], others)
    user_gates(1_000)
    big_graph(100_000 if args.quick else 1_000_000)
    long_chain(100_000 if args.quick else 1_000_000)


if __name__ == "__main__":
    main()
