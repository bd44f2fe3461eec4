"""gates is the ground floor: it imports alone, and lends check_gate from compgraph."""

from __future__ import annotations

import subprocess
import sys

import pytest

from compgraph import GradcheckError
from tests.gallery import SwappedMulGate


def compgraph_modules_after(statement: str) -> list[str]:
    """The compgraph modules a fresh interpreter has loaded after ``statement``."""
    code = (
        f"import sys; {statement}; "
        "print(*sorted(m for m in sys.modules if m == 'compgraph' or m.startswith('compgraph.')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return result.stdout.split()


@pytest.mark.parametrize(
    "statement", ["import gates", "from gates import MulGate, Gate, arity", "import gates.base"]
)
def test_gates_alone_loads_nothing_of_compgraph(statement: str) -> None:
    assert compgraph_modules_after(statement) == []


def test_check_gate_from_gates_imports_compgraph_when_asked_for() -> None:
    loaded = compgraph_modules_after("from gates import check_gate")
    assert "compgraph.gatecheck" in loaded


def test_check_gate_from_gates_is_compgraphs() -> None:
    import compgraph
    import gates
    from gates import check_gate, gate_report

    assert check_gate is compgraph.check_gate and gate_report is compgraph.gate_report
    assert {"check_gate", "gate_report"} <= set(dir(gates))
    with pytest.raises(AttributeError, match="module 'gates' has no attribute 'chek_gate'"):
        _ = gates.chek_gate  # type: ignore[attr-defined]


def test_check_gate_from_gates_names_a_wrong_gate() -> None:
    from gates import check_gate

    with pytest.raises(GradcheckError, match=r"^SwappedMulGate: the gradient for input 0 \(x\)"):
        check_gate(SwappedMulGate(), 3.0, -4.0)


@pytest.mark.parametrize(
    "statement",
    ["import compgraph", "import compgraph.nn", "import compgraph.cli", "import compgraph.testing"],
)
def test_compgraph_imports_in_a_fresh_interpreter(statement: str) -> None:
    assert "compgraph" in compgraph_modules_after(statement)


def test_importing_compgraph_loads_no_plotting_library() -> None:
    code = "import sys, compgraph, gates; print('matplotlib' in sys.modules, 'tqdm' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]
