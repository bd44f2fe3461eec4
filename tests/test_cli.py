"""The compgraph command: demo, and bad usage."""

from __future__ import annotations

import subprocess
import sys

import pytest

from compgraph.cli import main


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "compgraph.cli", *args], capture_output=True, text=True, check=False
    )


def rows(text: str) -> dict[str, list[str]]:
    """Table rows of the demo keyed by node name (the last table wins)."""
    return {line.split()[0]: line.split() for line in text.splitlines() if line.strip()}


def test_demo_prints_the_lectures_numbers():
    result = run("demo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    parts = out.split("\n\n")
    assert "J = 3(a + bc)" in out and "f = (x + y)z" in out
    j_table = rows(parts[1])
    assert j_table["J"][-2:] == ["39", "1"]
    assert j_table["b"][-2:] == ["4", "6"] and j_table["c"][-2:] == ["2", "12"]
    f_table = rows(parts[3])
    assert f_table["f"][-2:] == ["-12", "1"]
    assert [f_table[n][-1] for n in "xyz"] == ["-4", "-4", "3"]
    neuron_chain = rows(parts[7])
    assert neuron_chain["plus1"][-2:] == ["1.37", "-0.53"]
    assert neuron_chain["exp"][-2:] == ["0.37", "-0.53"]
    assert neuron_chain["neg"][-1] == "-0.2"
    assert [neuron_chain[n][-1] for n in ["w0", "x0", "w1", "x1", "w2"]] == [
        "-0.2",
        "0.39",
        "-0.39",
        "-0.59",
        "0.2",
    ]
    agreement = rows(parts[9])
    assert agreement["f"][-2:] == ["0.73", "0.73"]
    assert "largest difference in value or gradient" in out


def test_demo_digits():
    out = run("demo", "--digits", "4").stdout
    assert "0.7311" in out and "-0.5344" in out


@pytest.mark.parametrize(
    "args", [[], ["nonsense"], ["demo", "--digits", "x"], ["demo", "--digits", "-1"]]
)
def test_bad_usage_exits_2_without_traceback(args):
    result = run(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.strip()


def test_main_returns_the_status(capsys):
    assert main(["demo"]) == 0
    assert "0.73" in capsys.readouterr().out
