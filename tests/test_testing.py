"""compgraph.testing: the assertions users put in their own test suites."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from compgraph import ArityError, ComputationalGraph
from compgraph.testing import assert_gate_correct, assert_gradients_correct
from gates import AddGate, MulGate, SigmoidGate
from tests.gallery import SwappedMulGate


def test_a_correct_gate_passes() -> None:
    assert assert_gate_correct(SigmoidGate(), 0.3) is None


def test_a_wrong_gate_fails_with_the_message_then_the_table() -> None:
    with pytest.raises(AssertionError) as caught:
        assert_gate_correct(SwappedMulGate(), 3.0, -4.0, trials=1)
    text = str(caught.value)
    assert text.startswith("SwappedMulGate: the gradient for input 0 (x) disagrees")
    assert "\n\ninputs    gate            input  abs error  rel error  result\n" in text
    assert text.count("wrong gradient") == 4


def test_usage_errors_are_not_assertion_failures() -> None:
    with pytest.raises(ArityError):
        assert_gate_correct(MulGate(), 1.0)


def test_graphs() -> None:
    g = ComputationalGraph()
    for name in "xyz":
        g.add_input(name)
    g.add_gate("q", AddGate(), ["x", "y"])
    g.add_gate("f", SwappedMulGate(), ["q", "z"])
    with pytest.raises(AssertionError, match=r"^node 'f' \(SwappedMulGate\)") as caught:
        assert_gradients_correct(g, {"x": -2, "y": 5, "z": -4})
    assert "\n\nnode  gate" in str(caught.value)
    assert assert_gradients_correct(g, {"x": -2, "y": 5, "z": -4}, nodes=["q"]) is None


def test_in_a_users_own_pytest_suite(tmp_path: Path) -> None:
    (tmp_path / "test_mine.py").write_text(
        textwrap.dedent(
            """
            from compgraph.testing import assert_gate_correct
            from gates import Gate

            class CubeGate(Gate):
                def forward(self, x):
                    self.x = x
                    return x ** 3

                def backward(self, dz):
                    return [3 * self.x * dz]  # should be 3 * x ** 2

            def test_cube():
                assert_gate_correct(CubeGate(), 2.0)

            def test_cube_instance_untouched():
                gate = CubeGate()
                assert gate.forward(1.0) == 1.0
            """
        )
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 failed, 1 passed" in run.stdout
    assert (
        "AssertionError: CubeGate: the gradient for input 0 (x) disagrees with finite "
        "differences: analytic 6, numeric 12" in run.stdout
    )


def test_a_gate_at_a_kink_fails_as_cannot_check_not_as_wrong() -> None:
    from gates import MaxGate

    with pytest.raises(AssertionError) as caught:
        assert_gate_correct(MaxGate(), 2.0, 2.0, trials=0)
    first = str(caught.value).splitlines()[0]
    assert first.startswith(
        "MaxGate: cannot check input 0 (x) at x=2, y=2, dz=1: the gate ran at a kink (a tie"
    )
    assert "cannot check (kink)" in str(caught.value)
