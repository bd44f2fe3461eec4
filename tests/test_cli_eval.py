"""``compgraph eval``: every node's value and gradient, through a subprocess."""

from __future__ import annotations

import json
import resource
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


def test_html_writes_the_page_to_step_through_the_pass(tmp_path: Path) -> None:
    result = run("eval", *NEURON, "--html", "neuron.html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].split() == ["node", "gate", "inputs", "value", "grad"]
    text = (tmp_path / "neuron.html").read_text(encoding="utf-8")
    assert "<h1>Stepping through sigmoid(w0 * x0 + w1 * x1 + w2)</h1>" in text
    assert "to 'x0': local gradient w0 = 2" in text and "sends 0.39" in text


def test_statements_name_the_rows_q_and_f() -> None:
    result = run("eval", "q = x + y; f = q * z", "x=-2", "y=5", "z=-4")
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split()[-2:] for line in result.stdout.splitlines()[2:]}
    assert rows == {
        "x": ["-2", "-4"],
        "y": ["5", "-4"],
        "z": ["-4", "3"],
        "q": ["3", "-4"],
        "f": ["-12", "1"],
    }
    assert "q     + AddGate  x, y" in result.stdout
    assert "f     * MulGate  q, z" in result.stdout


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
    assert report["kinks"] == []


def test_json_names_the_gates_at_a_kink() -> None:
    result = run("eval", "max(x, y) + relu(z)", "x=2", "y=2", "z=1", "--json")
    assert result.returncode == 0, result.stderr
    kinks = json.loads(result.stdout)["kinks"]
    assert [kink["node"] for kink in kinks] == ["max(x, y)"]
    assert "tie" in kinks[0]["note"]


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
        (
            ["q = x + y; q = q * z", "x=1", "y=2", "z=3"],
            "compgraph eval: column 12: 'q' is assigned twice (first at column 1)",
        ),
        (["x", "x=1", "--draw", "out.jpg"], "compgraph eval: draw: cannot tell the image type"),
        (["x", "x=1", "--draw", "missing/dir/out.svg"], "compgraph eval: "),
        (
            ["x", "x=1", "--html", "out.svg"],
            "compgraph eval: --html: 'out.svg' does not end in .html; name an .html file",
        ),
        (["x", "x=1", "--html", "missing/out.html"], "compgraph eval: to_html: cannot write"),
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


def run_bounded(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``compgraph`` in a process of at most 1 GiB that must end within 20 s."""

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run(
        [sys.executable, "-m", "compgraph.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=20,
        preexec_fn=limit_memory,
        check=False,
    )


SUM_400 = " + ".join(f"x{i}" for i in range(400))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["x**999999999", "x=3"],
            "compgraph eval: node 'x ** 999999999': its value, an integer, could have up to "
            "477121255 digits at these values; the most is 1000 (give the numbers as floats: 3.0)",
        ),
        (["(2 ** 999) ** 999"], "compgraph eval: node '(2 ** 999) ** 999': its value, an integer"),
        (["x * x", "x=" + "9" * 501], "compgraph eval: node 'x * x': its value, an integer"),
        (
            ["x", "x=" + "9" * 1001],
            "compgraph eval: x=9999999999999999999999999999999999999...: an integer of 1001 digits",
        ),
        (["x", "x=" + "[" * 5000 + "1" + "]" * 5000], "compgraph eval: x=[[[[[[[[[[[[[[[[[[["),
        (["x", "x=[" + "9" * 400 + "]"], "compgraph eval: x=[999"),
        (["x", "x=[true]"], "compgraph eval: x=[true]: not a number or a list of numbers"),
        (["x + y", "x=1", "\uff58=2"], "compgraph eval: x is given twice"),
        (["x", "x=1", "--draw", ""], "compgraph eval: --draw: the path is empty"),
        (["x", "x=1", "--html", ""], "compgraph eval: --html: the path is empty"),
    ],
)
def test_hostile_input_ends_quickly_in_one_line(args: list[str], message: str) -> None:
    result = run_bounded("eval", *args)
    assert (result.returncode, result.stdout) == (2, ""), result.stderr[-300:]
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1 and len(result.stderr) < 300


def test_large_integers_are_exact() -> None:
    big = int("9" * 200)
    result = run_bounded("eval", "x * x", f"x={big}", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["value"] == big * big
    assert report["nodes"][0]["grad"] == 2 * big


def test_a_flat_sum_of_400_terms() -> None:
    result = run_bounded("eval", SUM_400, *(f"x{i}={i}" for i in range(400)), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["value"] == 79800


def test_names_match_as_python_reads_them() -> None:
    result = run_bounded("eval", "\uff58 * y", "x=3", "y=-4", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["value"] == -12
    result = run_bounded("eval", "x * y", "\uff58=3", "y=-4", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["value"] == -12


def test_lists_are_float_arrays() -> None:
    result = run_bounded("eval", "x ** 64", "x=[3, 1]", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["value"] == [3.0**64, 1.0]  # no int64 wrap-around


def test_a_saved_graph_runs_as_its_expression_does(tmp_path: Path) -> None:
    from compgraph import ComputationalGraph

    ComputationalGraph.from_expression(NEURON[0]).save(tmp_path / "neuron.json")
    saved = run("eval", "neuron.json", *NEURON[1:], "--explain", "--draw", "n.svg", cwd=tmp_path)
    typed = run("eval", *NEURON, "--explain", cwd=tmp_path)
    assert saved.returncode == 0, saved.stderr
    assert saved.stdout == typed.stdout
    assert "0.39" in (tmp_path / "n.svg").read_text()
    as_json = json.loads(run("eval", "neuron.json", *NEURON[1:], "--json", cwd=tmp_path).stdout)
    assert as_json["expression"] == "neuron.json" and round(as_json["value"], 2) == 0.73


def test_a_saved_graph_with_parameters_takes_only_its_inputs(tmp_path: Path) -> None:
    from compgraph.lectures import neuron

    neuron()[0].save(tmp_path / "neuron.json")
    result = run("eval", "neuron.json", "x0=-1", "x1=-2", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split()[-2:] for line in result.stdout.splitlines()[2:]}
    assert rows["w0"] == ["2", "-0.2"] and rows["f"] == ["0.73", "1"]
    refused = run("eval", "neuron.json", "x0=-1", "x1=-2", "w0=1", cwd=tmp_path)
    assert refused.returncode == 2
    assert (
        refused.stderr == "compgraph eval: w0: a parameter of the graph, which holds its value;"
        " give its inputs only (x0, x1)\n"
    )
