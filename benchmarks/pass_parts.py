"""Where the time of a compiled pass goes: the kernel's own two loops, and the
Python around them (checking and feeding the inputs, the lock, the values kept
for the next pass, the mapping of gradients), on random scalar circuits.

Each figure is the median of many passes, in ns per gate; they move from run
to run on a shared machine, the split within one run much less.

Run:  .venv/bin/python benchmarks/pass_parts.py [--gates 1000 100000]
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from bench_engine import build, per_gate_ns
from circuits import random_circuit

from compgraph import kernel


def parts(n_gates: int) -> None:
    g, feeds = build(random_circuit(n_gates, seed=n_gates))
    g.forward(feeds)
    g.backward()
    program = g._kernel
    leaves = g._values.copy()  # what a pass starts from
    values = program.forward(leaves)
    output = g._output("backward")
    repeats = 201 if n_gates <= 10_000 else 21
    whole = per_gate_ns(lambda: (g.forward(feeds), g.backward()), n_gates, repeats)
    own_forward = per_gate_ns(lambda: program.forward(leaves), n_gates, repeats)
    own_backward = per_gate_ns(lambda: program.backward(values, output, 1), n_gates, repeats)
    around = whole - own_forward - own_backward
    print(f"{n_gates:,} gates ({len(feeds)} inputs), ns per gate:")
    print(f"  forward + backward, as a user runs them  {whole:7.1f}")
    print(f"  the kernel's forward loop                {own_forward:7.1f}")
    print(f"  the kernel's backward loop               {own_backward:7.1f}")
    print(f"  the Python around them                   {around:7.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gates", type=int, nargs="+", default=[1_000, 100_000])
    args = parser.parse_args()
    if not kernel.in_use():
        raise SystemExit("the compiled kernel is not built or is turned off")
    for n_gates in args.gates:
        parts(n_gates)


if __name__ == "__main__":
    main()
