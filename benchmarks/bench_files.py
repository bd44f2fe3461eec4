"""Time saving and loading graph files; print times, file sizes and ratios.

1. Random scalar circuits (``circuits.random_circuit``: add, mul, max, exp,
   sigmoid) of 1,000 and 100,000 gates: ``save``, ``load``, the file's size
   and bytes per gate, and loading against building the same graph with
   ``add_gate`` calls (what the checks of a file cost on top).
2. One 784x256 float32 parameter (a first layer for 28x28 images) and a
   float64 one: ``save``, ``load`` and the file's size against the array's
   bytes in memory.
3. Refusing a file: a 1 GB file (sparse) by its size, and a file nested
   100,000 deep by its depth.

Each figure is the best of several runs, with the range over them; for
stable figures pin the BLAS threads (``OMP_NUM_THREADS=1
OPENBLAS_NUM_THREADS=1``) and run on a quiet machine. Every loaded graph is
checked to give the saved graph's output before anything is timed. Run from
the repository:

    .venv/bin/python benchmarks/bench_files.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from circuits import Circuit, random_circuit

from compgraph import ComputationalGraph, GraphFileError, files
from gates import AddGate, ExpGate, MaxGate, MulGate, SigmoidGate

GATES = {"add": AddGate, "mul": MulGate, "max": MaxGate, "exp": ExpGate, "sigmoid": SigmoidGate}


def timed(run: Callable[[], Any], repeats: int) -> tuple[float, float]:
    """The best and the worst of ``repeats`` runs of ``run``, in seconds."""
    run()  # warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times), max(times)


def shown(seconds: tuple[float, float]) -> str:
    best, worst = seconds
    return f"{best * 1e3:9.1f} ms (range {best * 1e3:.1f}-{worst * 1e3:.1f})"


def circuit_graph(circuit: Circuit) -> tuple[ComputationalGraph, dict[str, float]]:
    g = ComputationalGraph()
    names = [g.add_input(f"x{i}") for i in range(len(circuit.inputs))]
    for k, (op, args) in enumerate(circuit.gates):
        names.append(g.add_gate(f"g{k}", GATES[op](), [names[a] for a in args]))
    return g, {f"x{i}": value for i, value in enumerate(circuit.inputs)}


def circuits(folder: Path) -> None:
    print("random scalar circuits: save, load, file size")
    for n_gates, repeats in ((1_000, 20), (100_000, 3)):
        circuit = random_circuit(n_gates, seed=0)
        g, feeds = circuit_graph(circuit)
        path = folder / f"circuit{n_gates}.json"
        g.save(path)
        assert ComputationalGraph.load(path).forward(feeds) == g.forward(feeds)
        size = path.stat().st_size
        save = timed(lambda g=g, path=path: g.save(path), repeats)
        load = timed(lambda path=path: ComputationalGraph.load(path), repeats)
        build = timed(lambda circuit=circuit: circuit_graph(circuit), repeats)
        print(
            f"  {n_gates:>7,} gates: file {size / 1e6:6.2f} MB ({size / n_gates:.0f} bytes a gate)"
        )
        print(f"    save  {shown(save)}   {n_gates / save[0] / 1e3:6.0f} k gates/s")
        print(f"    load  {shown(load)}   {n_gates / load[0] / 1e3:6.0f} k gates/s")
        print(
            f"    build {shown(build)}   (add_gate calls; load / build = {load[0] / build[0]:.1f}x)"
        )


def parameters(folder: Path) -> None:
    print("one 784x256 parameter: save, load, file size")
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        g = ComputationalGraph()
        g.add_parameter("W", rng.standard_normal((784, 256)).astype(dtype))
        path = folder / f"W_{np.dtype(dtype).name}.json"
        g.save(path)
        loaded = ComputationalGraph.load(path).value("W")
        assert loaded.dtype == dtype and np.array_equal(loaded, g.value("W"))
        size = path.stat().st_size
        save = timed(lambda g=g, path=path: g.save(path), 5)
        load = timed(lambda path=path: ComputationalGraph.load(path), 5)
        print(
            f"  {np.dtype(dtype).name}: file {size / 1e6:5.2f} MB "
            f"({size / g.value('W').nbytes:.1f}x the array's {g.value('W').nbytes / 1e6:.2f} MB)"
        )
        print(f"    save {shown(save)}")
        print(f"    load {shown(load)}")


def refusals(folder: Path) -> None:
    print("refusing a file")
    huge = folder / "huge.json"
    with open(huge, "wb") as file:
        file.truncate(2**30)  # sparse: nothing written to disk
    deep = folder / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    for label, path in (("1 GB file, by its size", huge), ("nested 100,000 deep", deep)):

        def refuse(path: Path = path) -> None:
            try:
                files.load(path)
            except GraphFileError:
                return
            raise AssertionError(f"{path} was not refused")

        print(f"  {label:<24} {shown(timed(refuse, 5))}")
    os.remove(huge)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        circuits(Path(folder))
        parameters(Path(folder))
        refusals(Path(folder))


if __name__ == "__main__":
    main()
