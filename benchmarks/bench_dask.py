"""Time one training pass (forward, and backward to every parameter's gradient) of an
MLP on the same data held three ways; print figures, ranges and ratios.

The data: 200,000 rows of 64 features and a target, through a 64-64-1 MLP (tanh,
mean squared error), float64 (about 100 MB of inputs).

1. numpy: the arrays in memory, one ``forward`` and one ``backward``.
2. dask, threads: the same arrays as dask arrays of 8 chunks along the batch;
   the pass is built lazily and one ``dask.compute`` of the loss and the
   gradients runs it on dask's local threads (one per core).
3. dask, LocalCluster: the same chunks made by the workers of a
   ``distributed.LocalCluster`` (2 worker processes, 1 thread each) and kept
   there (persisted once, as a cluster keeps its data set); each pass ships
   only its task graph and gathers the loss and the gradients (small).

BLAS threads are pinned to 1 (``OMP_NUM_THREADS`` and friends, set here before
numpy loads, inherited by the workers), so that the schedulers, not BLAS, decide
the parallelism. Each figure is the median of several runs, with the range
(fastest to slowest); the machine's other load shows in the range. The dask
gradients are checked against numpy's before anything is timed. Run from the
repository:

    .venv/bin/pip install -q -e ".[dask]"
    .venv/bin/python benchmarks/bench_dask.py [--rows 200000] [--runs 5]
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"  # before numpy loads its BLAS

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import dask  # noqa: E402
import dask.array as da  # noqa: E402
import numpy as np  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402

from compgraph import ComputationalGraph, nn  # noqa: E402
from gates import MSEGate  # noqa: E402

FEATURES, CHUNKS = 64, 8


def network() -> ComputationalGraph:
    """The 64-64-1 MLP with its loss; the same weights every time."""
    g = ComputationalGraph()
    net = nn.mlp(g, [FEATURES, 64, 1], activation="tanh", rng=0)
    g.add_input("y")
    g.add_gate("loss", MSEGate(), [net.output, "y"])
    return g


def timed(run: Callable[[], Any], runs: int) -> list[float]:
    """The seconds of each of ``runs`` runs, after one to warm up."""
    run()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    chunk = -(-args.rows // CHUNKS)
    made_x = da.random.default_rng(0).standard_normal((args.rows, FEATURES), chunks=(chunk, -1))
    made_y = np.sin(made_x[:, :1]) + 0.1 * made_x[:, 1:2]
    x, y = dask.compute(made_x, made_y)  # the same numbers, in memory
    print(
        f"one pass of a {FEATURES}-64-1 MLP (tanh, MSE) on {args.rows:,} x {FEATURES} float64, "
        f"forward and backward to every parameter's gradient; {args.runs} runs each, "
        f"BLAS threads pinned to {os.environ['OPENBLAS_NUM_THREADS']}, {os.cpu_count()} cores"
    )

    g = network()
    parameters = list(g.parameters())
    g.forward(x=x, y=y)
    expected = dict(g.backward(wrt=parameters))

    def numpy_pass() -> None:
        g.forward(x=x, y=y)
        g.backward(wrt=parameters)

    lazy_x = da.from_array(x, chunks=(chunk, FEATURES))
    lazy_y = da.from_array(y, chunks=(chunk, 1))

    def dask_pass(data_x: Any, data_y: Any, compute: Callable[..., Any]) -> list[Any]:
        loss = g.forward(x=data_x, y=data_y)
        grads = g.backward(wrt=parameters)
        return list(compute(loss, *(grads[name] for name in parameters)))

    def threads(*values: Any) -> Any:
        return dask.compute(*values, scheduler="threads")

    def check(results: list[Any], where: str) -> None:
        for name, got in zip(parameters, results[1:]):
            want = expected[name]
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12, err_msg=f"{where}: {name}")

    check(dask_pass(lazy_x, lazy_y, threads), "dask threads")
    tasks: dict[Any, Any] = {}
    for value in dask_pass(lazy_x, lazy_y, lambda *values: values):
        tasks.update(value.__dask_graph__())
    print(f"  one lazy pass: {len(tasks)} tasks over {CHUNKS} chunks")
    rows = [
        ("numpy", timed(numpy_pass, args.runs)),
        (
            f"dask threads ({CHUNKS} chunks)",
            timed(lambda: dask_pass(lazy_x, lazy_y, threads), args.runs),
        ),
    ]
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
        ) as cluster,
        Client(cluster) as client,
    ):
        held_x, held_y = client.persist([made_x, made_y])  # the data set, made on the workers

        def on_cluster(*values: Any) -> Any:
            return client.gather(client.compute(list(values)))

        check(dask_pass(held_x, held_y, on_cluster), "LocalCluster")
        rows.append(
            (
                "dask LocalCluster (2 processes x 1 thread, data on the workers)",
                timed(lambda: dask_pass(held_x, held_y, on_cluster), args.runs),
            )
        )
    print("  gradients of every dask pass agree with numpy's (rtol 1e-9)")
    base = statistics.median(rows[0][1])
    width = max(len(name) for name, _ in rows)
    for name, times in rows:
        median = statistics.median(times)
        print(
            f"  {name:<{width}}  {median * 1e3:8.1f} ms  "
            f"(range {min(times) * 1e3:.1f} .. {max(times) * 1e3:.1f})  "
            f"{median / base:5.2f}x numpy's time"
        )


if __name__ == "__main__":
    main()
