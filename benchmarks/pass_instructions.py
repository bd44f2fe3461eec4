"""Instructions per gate of one forward + backward pass, counted by valgrind.

Timings on a shared machine vary by half from run to run; instruction counts
much less. This runs the pass of a random scalar circuit (add, mul, max, exp,
sigmoid) under ``valgrind --tool=callgrind`` twice, with no pass and with
``--passes`` passes after building, and prints the difference per gate and
pass. The passes run with the garbage collector off, the hash seed fixed and
(where ``setarch`` is) no address randomisation. Starting Python and building
still vary by about ten million instructions between identical runs, so the
default of 2,000 passes keeps the figure within a few instructions per gate.

Run:  .venv/bin/python benchmarks/pass_instructions.py [--gates 1000] [--passes 2000]
(needs valgrind: ``apt-get install -y valgrind``). To compare two versions of
compgraph, run this script with ``PYTHONPATH`` set to each checkout (its kernel
built there: ``python setup.py build_ext --inplace``).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import re
import shutil
import subprocess
import sys


def run_passes(n_gates: int, passes: int) -> None:
    """Build the circuit, run one pass to compile it, then ``passes`` more, with
    the garbage collector off (whether and when it runs would differ between
    the two counts)."""
    sys.path.insert(0, os.path.dirname(__file__))
    from bench_engine import build
    from circuits import random_circuit

    g, feeds = build(random_circuit(n_gates, seed=n_gates))
    g.forward(feeds)
    g.backward()
    gc.collect()
    gc.disable()
    for _ in range(passes):
        g.forward(feeds)
        g.backward()


def instructions(n_gates: int, passes: int) -> int:
    command = [
        *(["setarch", platform.machine(), "-R"] if shutil.which("setarch") else []),  # no ASLR
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--inner",
        str(n_gates),
        str(passes),
    ]
    environment = {**os.environ, "PYTHONHASHSEED": "0"}  # the same dicts in both counts
    result = subprocess.run(command, capture_output=True, text=True, check=True, env=environment)
    found = re.search(r"Collected : (\d+)", result.stderr)
    if found is None:
        raise SystemExit(f"valgrind printed no count:\n{result.stderr}")
    return int(found.group(1))


def main() -> None:
    if sys.argv[1:2] == ["--inner"]:
        run_passes(int(sys.argv[2]), int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gates", type=int, default=1000)
    parser.add_argument("--passes", type=int, default=2000)
    args = parser.parse_args()
    base = instructions(args.gates, 0)
    total = instructions(args.gates, args.passes)
    per_gate = (total - base) / (args.passes * args.gates)
    print(
        f"random scalar circuit of {args.gates:,} gates: "
        f"{per_gate:,.0f} instructions per gate per forward + backward pass"
    )


if __name__ == "__main__":
    main()
