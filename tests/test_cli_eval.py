"""``compgraph eval``: every node's value and gradient, through a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

NEURON = ["sigmoid(w0*x0 + w1*x1 + w2)", "w0=2", "x0=-1", "w1=-3", "x1=-2", "w2=-3"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "compgraph.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


def test_the_lecture_neuron(tmp_path: Path) -> None:
    result = run("eval", *NEURON, "--draw", "neuron.svg", "--explain", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    rows = {line.split("  ")[0]: line.split()[-2:] for line in result.stdout.splitlines()[2:12]}
    assert rows["w0"] == ["2", "-0.2"]
    assert rows["x0"] == ["-1", "0.39"]
    assert rows["w1"] == ["-3", "-0.39"]
    assert rows["x1"] == ["-2", "-0.59"]
    assert rows["w2"] == ["-3", "0.2"]
    assert rows["sigmoid(w0 * x0 + w1 * x1 + w2)"] == ["0.73", "1"]
    assert "(1 - 0.73) * 0.73 = 0.2" in result.stdout
    assert "Gradients on the inputs:" in result.stdout
    svg = (tmp_path / "neuron.svg").read_text()
    assert "σ" in svg and "0.39" in svg and "-0.59" in svg


def test_json() -> None:
    result = run("eval", "(x + y) * z", "x=-2", "y=5", "z=-4", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["value"] == -12
    assert report["output"] == "(x + y) * z"
    grads = {node["name"]: node["grad"] for node in report["nodes"]}
    assert grads == {"x": -4, "y": -4, "z": 3, "x + y": -4, "(x + y) * z": 1}
    assert report["nodes"][3] == {
        "name": "x + y",
        "kind": "gate",
        "gate": "AddGate",
        "symbol": "+",
        "inputs": ["x", "y"],
        "value": 3,
        "grad": -4,
    }
    assert "explanation" not in report


def test_json_with_arrays_and_explanation() -> None:
    result = run(
        "eval", "max(x, 0) * w", "x=[1, -2.5]", "w=[[1, 2], [3, 4]]", "--json", "--explain"
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["value"] == [[1.0, 0.0], [3.0, 0.0]]
    grads = {node["name"]: node["grad"] for node in report["nodes"]}
    assert grads["x"] == [4.0, 0.0]
    assert grads["w"] == [[1.0, 0.0], [1.0, 0.0]]
    assert report["explanation"].startswith("Backward pass from the output")


def test_floats_and_digits() -> None:
    result = run("eval", "x * y", "x=0.5", "y=1e-1", "--digits", "3")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split()[-2:] == ["0.05", "1"]


def test_an_expression_starting_with_a_minus() -> None:
    result = run("eval", "--", "-x * 3", "x=2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split()[-2:] == ["-6", "1"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x +", "x=1"], "compgraph eval: column 4: invalid syntax"),
        (["foo(x)", "x=1"], "compgraph eval: column 1: unknown function 'foo'"),
        (["__import__('os').getcwd()"], "compgraph eval: column 1: attribute access"),
        (["(lambda: 1)()"], "compgraph eval: column 2: a lambda is not allowed"),
        (["x * y", "x=1"], "compgraph eval: no value for y (give y=VALUE)"),
        (["x * y", "x=1", "y=2", "z=3"], "compgraph eval: z: not a name in the expression"),
        (["x * y", "x=1", "y=two"], "compgraph eval: y=two: not a number or a list of numbers"),
        (["x", "x=[1, 2"], "compgraph eval: x=[1, 2: not a number or a list of numbers"),
        (
            ["x", "x=[[1], [2, 3]]"],
            "compgraph eval: x=[[1], [2, 3]]: not a number or a list of numbers",
        ),
        (["x", "x=['a']"], "compgraph eval: x=['a']: not a number or a list of numbers"),
        (["x", "x"], "compgraph eval: 'x': give each value as NAME=VALUE"),
        (["x", "x=1", "x=2"], "compgraph eval: x is given twice"),
        (["x ** 0.5", "x=-1"], "compgraph eval: node 'x ** 0.5' (PowGate).forward raised"),
        (["x", "x=1", "--draw", "out.jpg"], "compgraph eval: draw: cannot tell the image type"),
        (["x", "x=1", "--draw", "missing/dir/out.svg"], "compgraph eval: "),
        (["x", "x=1", "--digits", "-1"], "compgraph eval: --digits must be 0 or more"),
        (["x", "x=1", "--digits", "two"], "compgraph eval: argument --digits: invalid int"),
        ([], "compgraph eval: the following arguments are required: EXPR"),
    ],
)
def test_bad_input_is_one_line_and_status_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = run("eval", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []
