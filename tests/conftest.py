"""The engine's test modules run twice: on the compiled kernel (where it is
built) and on the Python engine alone, which must read the same."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from compgraph import kernel

ENGINE_MODULES = {
    "test_graph",
    "test_graph_bulk",
    "test_graph_properties",
    "test_graph_trust",
    "test_lectures",
    "test_schedule",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if module in ENGINE_MODULES and "engine" in metafunc.fixturenames:
        metafunc.parametrize("engine", ["kernel", "python"], indirect=True)


@pytest.fixture(autouse=True)
def engine(request: pytest.FixtureRequest) -> Iterator[str]:
    """Which engine runs the passes of this test: ``"kernel"`` (the default,
    where it is built) or ``"python"``."""
    which = getattr(request, "param", "kernel")
    previous = kernel.use_kernel(which == "kernel")
    yield which
    kernel.use_kernel(previous)
