"""Both packages import on their own, in either order, with no cycle."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "statement",
    [
        "import gates",
        "import compgraph",
        "from gates import MulGate, check_gate; import compgraph",
        "import gates.check",
        "import compgraph.nn",
        "import compgraph.cli",
        "from compgraph.expression import from_expression",
    ],
)
def test_a_fresh_interpreter_imports(statement):
    result = subprocess.run(
        [sys.executable, "-c", statement], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_importing_compgraph_loads_no_plotting_library():
    code = "import sys, compgraph, gates; print('matplotlib' in sys.modules, 'tqdm' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]
