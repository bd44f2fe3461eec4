"""Modularity benchmark: what a composite gate costs per pass against the same
gates inline, and what grouping and expanding a part costs.

A composite gate runs its inner graph's forward and backward: one more pass's
bookkeeping (feeds checked, the lock taken, a dict of gradients returned) per
call. The cases:

- the lectures' neuron, its sigmoid decomposed (``*-1``, exp, ``+1``, ``1/x``)
  inline, and the same four gates grouped into one composite gate;
- a chain of ``BLOCKS`` such sigmoids, inline and each grouped, on floats and on
  arrays of ``ARRAY_SIZE`` elements (where the gates' own work dominates);
- ``g.group`` and ``g.expand`` of one sigmoid at the end of a long chain
  (both rebuild the graph's lists: linear in its size).

Every figure is the median of several runs, with the range (min to max) in
brackets. For stable numbers pin the BLAS threads and keep the machine quiet:

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \\
        .venv/bin/python benchmarks/bench_modularity.py [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from compgraph import ComputationalGraph
from compgraph.lectures import neuron
from gates import AddConstantGate, ExpGate, MulConstantGate, ReciprocalGate

SIGMOID = ["neg", "exp", "plus1", "f"]
ARRAY_SIZE = 10_000


def timed(run: Callable[[], Any], repeats: int) -> tuple[float, float, float]:
    """Median, min and max seconds of one call of ``run`` over ``repeats`` calls."""
    run()  # warm up (compiles the schedule)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times)


def passes(g: ComputationalGraph, feeds: dict[str, Any]) -> Callable[[], Any]:
    def run() -> Any:
        g.forward(feeds)
        return g.backward()

    return run


def sigmoid_chain(blocks: int, grouped: bool) -> ComputationalGraph:
    """``x`` through ``blocks`` decomposed sigmoids, each grouped into one gate if asked."""
    g = ComputationalGraph()
    previous = g.add_input("x")
    for b in range(blocks):
        names = [f"{step}{b}" for step in SIGMOID]
        g.add_gate(names[0], MulConstantGate(-1), [previous])
        g.add_gate(names[1], ExpGate(), [names[0]])
        g.add_gate(names[2], AddConstantGate(1), [names[1]])
        previous = g.add_gate(names[3], ReciprocalGate(), [names[2]])
        if grouped:
            previous = g.group(f"σ{b}", names)
    return g


def microseconds(figures: tuple[float, float, float]) -> str:
    median, low, high = (1e6 * t for t in figures)
    return f"{median:9.1f} us [{low:.1f} to {high:.1f}]"


def compare(
    label: str, inline: Callable[[], Any], grouped: Callable[[], Any], repeats: int
) -> None:
    ours_inline, ours_grouped = timed(inline, repeats), timed(grouped, repeats)
    ratio = ours_grouped[0] / ours_inline[0]
    print(f"{label}")
    print(f"    inline   {microseconds(ours_inline)}")
    print(f"    grouped  {microseconds(ours_grouped)}   grouped / inline: {ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, smaller graphs")
    quick = parser.parse_args().quick
    repeats = 21 if quick else 201
    blocks = 20 if quick else 100
    long_chain = 2_000 if quick else 20_000
    print("one forward and backward pass, median of", repeats, "runs [min to max]\n")

    g, feeds = neuron(decomposed=True)
    h, _ = neuron(decomposed=True)
    h.group("f", SIGMOID)
    compare(
        "the neuron (9 gates; 4 of them grouped into 1)",
        passes(g, feeds),
        passes(h, feeds),
        repeats,
    )

    for label, x in (("floats", 0.5), (f"arrays of {ARRAY_SIZE}", np.linspace(-2, 2, ARRAY_SIZE))):
        compare(
            f"a chain of {blocks} sigmoids ({4 * blocks} gates; {blocks} composites), {label}",
            passes(sigmoid_chain(blocks, grouped=False), {"x": x}),
            passes(sigmoid_chain(blocks, grouped=True), {"x": x}),
            max(5, repeats // 10),
        )

    g = sigmoid_chain(long_chain // 4, grouped=False)
    g.forward(x=0.5)
    g.backward()
    last = [f"{step}{long_chain // 4 - 1}" for step in SIGMOID]

    def group_and_expand() -> None:
        g.group("σ", last)
        g.expand("σ")

    figures = timed(group_and_expand, max(5, repeats // 20))
    print(
        f"\ng.group then g.expand of one sigmoid at the end of a {long_chain}-gate chain, "
        f"the latest pass kept:\n    {1e3 * figures[0]:.1f} ms [{1e3 * figures[1]:.1f} to "
        f"{1e3 * figures[2]:.1f}]  ({1e9 * figures[0] / long_chain:.0f} ns per node)"
    )


if __name__ == "__main__":
    main()
