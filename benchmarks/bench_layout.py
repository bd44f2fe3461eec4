"""Wire crossings of the drawn circuit of scalar MLPs: ``python benchmarks/bench_layout.py``.

Counts, for the 2-4-1 and 2-8-8-1 networks built one gate per multiply and add
(:func:`compgraph.nn.mlp` with ``flavour="scalar"``), the pairs of wire
stretches between two neighbouring layers of :func:`compgraph.layout.layout`
that cross, and the time the layout takes (the best of five runs). The counts
are deterministic; before parameters sat beside their gates the layout gave
40 and 2325 crossings.
"""

from __future__ import annotations

import time

from compgraph import ComputationalGraph
from compgraph.layout import crossings, layout
from compgraph.nn import mlp


def main() -> None:
    for sizes in ([2, 4, 1], [2, 8, 8, 1]):
        g = ComputationalGraph()
        mlp(g, sizes, flavour="scalar", activation="tanh")
        times = []
        for _ in range(5):
            start = time.perf_counter()
            layout(g)
            times.append(time.perf_counter() - start)
        name = "-".join(map(str, sizes))
        print(f"{name}: {len(g)} nodes, {crossings(g)} crossings, layout {min(times) * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
