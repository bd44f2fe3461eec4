"""``compgraph check MODULE:GateClass``: exit status 0, 1 with the report, 2 for bad usage."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from compgraph.cli import main

USER_GATES = textwrap.dedent(
    """
    import numpy as np
    from gates import Gate

    class MyMulGate(Gate):
        def forward(self, x, y):
            self.x, self.y = x, y
            return x * y

        def backward(self, dz):
            return [self.y * dz, self.x * dz]

    class SwappedMulGate(MyMulGate):
        def backward(self, dz):
            return [self.x * dz, self.y * dz]

    class ScaleGate(Gate):
        def __init__(self, c):
            self.c = c

        def forward(self, x):
            return self.c * x

        def backward(self, dz):
            return [self.c * dz]

    triple = ScaleGate(3.0)

    class SqrtGate(Gate):
        def forward(self, x):
            self.z = np.sqrt(x)
            return self.z

        def backward(self, dz):
            return [dz / (2 * self.z)]

    not_a_gate = 42

    class ExitingGate(MyMulGate):
        def forward(self, x, y):
            raise SystemExit(0)

    class InterruptedGate(MyMulGate):
        def backward(self, dz):
            raise KeyboardInterrupt

    class RowNormGate(Gate):  # each row divided by its sum: numbers have no rows

        def forward(self, x):
            self.x = x
            self.total = x.sum(axis=-1, keepdims=True)
            return x / self.total

        def backward(self, dz):
            return [dz / self.total - (dz * self.x).sum(axis=-1, keepdims=True) / self.total**2]
    """
)


@pytest.fixture
def user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "user_gates.py").write_text(USER_GATES)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delitem(sys.modules, "user_gates", raising=False)
    return tmp_path


def test_a_correct_gate_exits_0_with_its_report(
    user_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "user_gates:MyMulGate", "--inputs", "3", "-4"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:3] == ["inputs", "gate", "input"]
    assert out.count(" ok\n") == 8
    assert out.rstrip().endswith("MyMulGate: every gradient matches finite differences (8 checks)")


def test_a_wrong_gate_exits_1_with_the_report(
    user_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "user_gates:SwappedMulGate", "--inputs", "3", "-4", "--trials", "1"]) == 1
    out = capsys.readouterr().out
    assert out.count("wrong gradient") == 4
    assert (
        "SwappedMulGate: the gradient for input 0 (x) disagrees with finite differences: "
        "analytic 3, numeric -4 (abs error 7, rel error 1.75) at x=3, y=-4, dz=1"
    ) in out
    assert out.rstrip().endswith("SwappedMulGate: 4 of 4 checks failed")


def test_arrays_instances_and_default_inputs(
    user_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "user_gates:MyMulGate", "--inputs", "[[1, 2, 3]]", "[[2], [-1]]"]) == 0
    assert main(["check", "user_gates:triple"]) == 0
    assert main(["check", "user_gates:SqrtGate"]) == 0  # default inputs are positive
    assert "random 3" in capsys.readouterr().out


def test_shape_gives_random_arrays_of_that_shape(
    user_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "user_gates:RowNormGate"]) == 1  # numbers have no rows
    capsys.readouterr()
    assert main(["check", "user_gates:RowNormGate", "--shape", "4,3"]) == 0
    out = capsys.readouterr().out
    assert "RowNormGate: every gradient matches finite differences (4 checks)" in out
    assert main(["check", "user_gates:MyMulGate", "--shape", "2,3", "--shape", "3"]) == 0
    assert main(["check", "user_gates:MyMulGate", "--shape", "()", "--shape", "(1, 2)"]) == 0
    assert main(["check", "user_gates:SwappedMulGate", "--shape", "2"]) == 1
    capsys.readouterr()
    assert main(["check", "user_gates:MyMulGate", "--shape", "2", "--shape", "3"]) == 1
    assert "shapes (2,) (3,)" in capsys.readouterr().out  # shapes that do not broadcast


def test_the_shapes_reach_the_gate(user_dir: Path) -> None:
    from compgraph.cli.check import example_inputs, load_gate

    gate = load_gate("user_gates:MyMulGate")
    first, second = example_inputs(gate, None, seed=0, shapes=[(4, 3), (3,)])
    assert (first.shape, second.shape) == ((4, 3), (3,))
    assert first.min() >= 0.5 and first.max() <= 2.0
    again, _ = example_inputs(gate, None, seed=0, shapes=[(4, 3), (3,)])
    assert (again == first).all()
    other, _ = example_inputs(gate, None, seed=1, shapes=[(4, 3), (3,)])
    assert not (other == first).all()


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["check", "user_gates:MyMulGate", "--shape", "4,x"], "'4,x' is not a shape: give whole"),
        (["check", "user_gates:MyMulGate", "--shape", "4,0"], "every size must be 1 or more"),
        (["check", "user_gates:MyMulGate", "--shape", "-1"], "every size must be 1 or more"),
        (["check", "user_gates:MyMulGate", "--shape", "1000,1000"], "1,000,000 elements"),
        (
            ["check", "user_gates:MyMulGate", "--shape", "2", "--shape", "2", "--shape", "2"],
            "--shape given 3 times: MyMulGate.forward takes 2 inputs, got 3",
        ),
        (
            ["check", "user_gates:MyMulGate", "--shape", "2", "--inputs", "1", "2"],
            "give --inputs or --shape, not both",
        ),
        (["check", "user_gates"], "expected MODULE:GateClass, got 'user_gates'"),
        (["check", "no_such_module:G"], "cannot load 'no_such_module:G': ModuleNotFoundError"),
        (["check", "user_gates:Nope"], "cannot load 'user_gates:Nope': AttributeError"),
        (["check", "user_gates:not_a_gate"], "is not a gate class or instance"),
        (["check", "user_gates:ScaleGate"], "cannot create ScaleGate(): TypeError"),
        (["check", "user_gates:MyMulGate", "--inputs", "1"], "forward takes 2 inputs, got 1"),
        (["check", "user_gates:MyMulGate", "--inputs", "1", "x"], "--inputs: 'x' is not a number"),
        (["check", "user_gates:MyMulGate", "--inputs", "1", "[1, [2]]"], "is not a number"),
        (["check", "user_gates:MyMulGate", "--inputs", "1", "'a'"], "input 1 (y) is str 'a'"),
        (["check", "user_gates:MyMulGate", "--step", "0"], "step must be positive"),
    ],
)
def test_bad_usage_exits_2_with_one_line(
    user_dir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("compgraph check: ")
    assert says in captured.err
    assert captured.err.count("\n") == 1


def test_from_the_shell(user_dir: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    run = subprocess.run(
        [sys.executable, "-m", "compgraph.cli", "check", "user_gates:SwappedMulGate"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert run.returncode == 1
    assert "SwappedMulGate: the gradient for input 0 (x)" in run.stdout
    usage = subprocess.run(
        [sys.executable, "-m", "compgraph.cli", "check"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert usage.returncode == 2
    assert "MODULE:GateClass" in usage.stderr


@pytest.mark.parametrize(
    ("gate", "raised"),
    [("ExitingGate", "SystemExit: 0"), ("InterruptedGate", "KeyboardInterrupt")],
)
def test_a_gate_that_exits_fails_the_check(
    user_dir: Path, capsys: pytest.CaptureFixture[str], gate: str, raised: str
) -> None:
    assert main(["check", f"user_gates:{gate}"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"compgraph check: {gate}: the check stopped: the gate raised {raised}\n"


@pytest.mark.parametrize(
    ("body", "raised"),
    [
        ("import sys\nsys.exit(0)\n", "SystemExit: 0"),
        ("raise KeyboardInterrupt\n", "KeyboardInterrupt"),
    ],
)
def test_a_module_that_exits_on_import_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, raised: str
) -> None:
    (tmp_path / "exiting_gates.py").write_text(body)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delitem(sys.modules, "exiting_gates", raising=False)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run(
        [sys.executable, "-m", "compgraph.cli", "check", "exiting_gates:G"],
        capture_output=True,
        text=True,
        env=env,
        timeout=20,
        check=False,
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"compgraph check: cannot load 'exiting_gates:G': {raised}\n"
