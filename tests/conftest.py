"""What the tests share: the engine each test runs on (the engine's test
modules run twice, on the compiled kernel where it is built and on the Python
engine alone, which must read the same), and a headless Debian chromium driven
by selenium."""

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


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A headless chromium (/usr/bin/chromium with chromium-driver) keeping the
    browser's console log and its network events (the performance log)."""
    webdriver = pytest.importorskip("selenium.webdriver")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
        "--window-size=1400,900",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    service = webdriver.ChromeService(executable_path="/usr/bin/chromedriver")
    driver = webdriver.Chrome(service=service, options=options)
    yield driver
    driver.quit()
