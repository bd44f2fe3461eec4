"""``compgraph lint``: findings on stdout, exit status 1 on findings, 0 clean, 2 bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from compgraph import ComputationalGraph
from compgraph.cli import main
from compgraph.lectures import grouped_neuron
from gates import ExpGate, MulGate


def test_a_clean_expression(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "(x + y) * z"]) == 0
    assert (
        capsys.readouterr().out == "clean: one output, '(x + y) * z', and every node leads to it\n"
    )


def test_findings_in_a_saved_file_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    g = ComputationalGraph()
    g.add_input("x")
    g.add_input("unused")
    g.add_gate("e", ExpGate(), ["x"])
    g.add_gate("f", MulGate(), ["x", "x"])
    path = g.save(tmp_path / "forgotten.json")
    assert main(["lint", str(path)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "3 outputs (nodes nothing consumes): 'unused', 'e', 'f'; a graph runs with one, and "
        "the checks below take the last added, 'f'",
        "nothing consumes the input 'unused'",
        "the gate 'e' is a second output: nothing consumes it, and it does not lead to the "
        "output 'f'",
        "3 findings",
    ]


def test_a_clean_saved_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    grouped_neuron()[0].save(tmp_path / "neuron.json")
    assert main(["lint", str(tmp_path / "neuron.json")]) == 0
    assert capsys.readouterr().out == "clean: one output, 'f', and every node leads to it\n"


def test_bad_input_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "x *"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("compgraph lint: column 4")
    assert captured.err.count("\n") == 1
    assert main(["lint", "nowhere.json"]) == 2
    assert "cannot read the graph file 'nowhere.json'" in capsys.readouterr().err
