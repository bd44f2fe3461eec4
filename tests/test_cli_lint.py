"""``compgraph lint``: findings on stdout, exit status 1 on findings, 0 clean, 2 bad input."""

from __future__ import annotations

import pytest

from compgraph import ComputationalGraph
from compgraph.cli import lint as lint_command
from compgraph.cli import main
from gates import ExpGate, MulGate


def test_a_clean_expression(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "(x + y) * z"]) == 0
    assert (
        capsys.readouterr().out == "clean: one output, '(x + y) * z', and every node leads to it\n"
    )


def test_findings_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def forgotten(source: str) -> ComputationalGraph:
        g = ComputationalGraph()
        g.add_input("x")
        g.add_input("unused")
        g.add_gate("e", ExpGate(), ["x"])
        g.add_gate("f", MulGate(), ["x", "x"])
        return g

    monkeypatch.setattr(lint_command, "read_graph", forgotten)
    assert main(["lint", "graph"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "3 outputs (nodes nothing consumes): 'unused', 'e', 'f'; a graph runs with one, and "
        "the checks below take the last added, 'f'",
        "nothing consumes the input 'unused'",
        "the gate 'e' is a second output: nothing consumes it, and it does not lead to the "
        "output 'f'",
        "3 findings",
    ]


def test_bad_input_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "x *"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("compgraph lint: column 4")
    assert captured.err.count("\n") == 1
