"""Building benchmark: a large random scalar circuit built gate by gate with
``add_gate`` and at once with ``add_gates``, and the memory a graph holds per
gate after a pass (measured with tracemalloc). A plain Python loop that only
keeps what a graph must keep per gate shows what CPython alone costs.

Timings on a shared machine vary from run to run: each figure is the best of
``--runs`` runs, printed with the range. Memory does not vary.

Run:  .venv/bin/python benchmarks/bench_build.py [--gates 1000000] [--runs 3]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

sys.path.insert(0, os.path.dirname(__file__))

from circuits import Circuit, random_circuit

from compgraph import ComputationalGraph
from gates import AddGate, ExpGate, MaxGate, MulGate, SigmoidGate

GATE_OF = {"add": AddGate, "mul": MulGate, "max": MaxGate, "exp": ExpGate, "sigmoid": SigmoidGate}


def parts(circuit: Circuit) -> tuple[list[str], list[str], list[Any], list[list[str]]]:
    """The input names, and the gates' names, instances and inputs (by name)."""
    leaves = [f"x{i}" for i in range(len(circuit.inputs))]
    names = leaves + [f"g{k}" for k in range(len(circuit.gates))]
    gates = [GATE_OF[op]() for op, _ in circuit.gates]
    inputs = [[names[a] for a in args] for _, args in circuit.gates]
    return leaves, names[len(leaves) :], gates, inputs


def one_by_one(leaves: list[str], names: list[str], gates: list[Any], inputs: list[Any]) -> Any:
    g = ComputationalGraph()
    for leaf in leaves:
        g.add_input(leaf)
    for name, gate, names_in in zip(names, gates, inputs):
        g.add_gate(name, gate, names_in)
    return g


def at_once(leaves: list[str], names: list[str], gates: list[Any], inputs: list[Any]) -> Any:
    g = ComputationalGraph()
    for leaf in leaves:
        g.add_input(leaf)
    g.add_gates(names, gates, inputs)
    return g


def floor(leaves: list[str], names: list[str], gates: list[Any], inputs: list[Any]) -> Any:
    """What CPython alone takes to keep, per gate, what a graph must keep: the
    name in an index, the inputs looked up in it, a node's lists, the nodes no
    gate consumes, and the gate among the placed ones. No check, no lock."""
    index = {leaf: position for position, leaf in enumerate(leaves)}
    kept: list[list[Any]] = [list(leaves), [], [], [], []]
    all_names, kinds, all_gates, inputs_of, values = kept
    sinks = dict.fromkeys(range(len(leaves)))
    placed: dict[int, Any] = {}
    get = index.__getitem__
    for name, gate, names_in in zip(names, gates, inputs):
        position = len(all_names)
        positions = tuple(map(get, names_in))
        index[name] = position
        all_names.append(name)
        kinds.append("gate")
        all_gates.append(gate)
        inputs_of.append(positions)
        values.append(None)
        for consumed in positions:
            sinks.pop(consumed, None)
        sinks[position] = None
        placed[id(gate)] = index
    return index, kept, sinks, placed


def timed(build: Callable[..., Any], circuit: Circuit, runs: int) -> list[float]:
    """Seconds of each of ``runs`` builds, each from new gates made beforehand."""
    times = []
    for _ in range(runs):
        made = parts(circuit)
        gc.collect()
        start = time.perf_counter()
        graph = build(*made)
        times.append(time.perf_counter() - start)
        del graph, made
    return times


def timed_with_parts(circuit: Circuit, runs: int) -> list[float]:
    """Seconds of each of ``runs`` builds with add_gates, making the gates and names too."""
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        graph = at_once(*parts(circuit))
        times.append(time.perf_counter() - start)
        del graph
    return times


def figure(times: list[float], n: int) -> str:
    low, high = min(times), max(times)
    return f"{low:.2f} s (runs {low:.2f} to {high:.2f}), {low / n * 1e9:,.0f} ns per gate"


def held_per_gate(circuit: Circuit) -> float:
    """Bytes that tracemalloc sees held after building and one pass, per gate."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    leaves, names, gates, inputs = parts(circuit)
    g = at_once(leaves, names, gates, inputs)
    del leaves, names, gates, inputs
    g.forward(dict(zip(g.input_names(), circuit.inputs)))
    g.backward()
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del g
    return held / len(circuit.gates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gates", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    circuit = random_circuit(args.gates, seed=1)
    n = len(circuit.gates)
    print(f"Python {sys.version.split()[0]}; a random scalar circuit of {n:,} gates\n")
    rows = [
        ("add_gate, one call per gate", timed(one_by_one, circuit, args.runs)),
        ("add_gates, one call", timed(at_once, circuit, args.runs)),
        ("add_gates, making the names and gates too", timed_with_parts(circuit, args.runs)),
        ("a plain Python loop keeping the same", timed(floor, circuit, args.runs)),
    ]
    for label, times in rows:
        print(f"  {label:<42} {figure(times, n)}")
    print(f"  {'memory held after a pass':<42} {held_per_gate(circuit):,.0f} bytes per gate")


if __name__ == "__main__":
    main()
