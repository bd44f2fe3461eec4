"""``compgraph demo``: the lectures' worked examples, printed and drawn."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


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
    grouped = rows(parts[9])
    assert grouped["f"][1:3] == ["σ", "CompositeGate"]
    assert grouped["f"][-2:] == ["0.73", "1"] and grouped["dot"][-1] == "0.2"
    assert "neg" not in grouped
    exercise = [line.split() for line in parts[11].splitlines() if " input " in line]
    assert exercise == [["x", "input", "3", "2.06"], ["y", "input", "-4", "1.59"]]
    agreement = rows(parts[13])
    assert agreement["f"][-3:] == ["0.73", "0.73", "0.73"]
    assert agreement["d"][-3:] == ["0.2", "0.2", "0.2"]  # the last row: d f / d dot
    assert "largest difference in value or gradient" in out


def test_demo_digits():
    out = run("demo", "--digits", "4").stdout
    assert "0.7311" in out and "-0.5344" in out


def test_demo_draws_each_example(tmp_path: Path) -> None:
    result = run("demo", "--draw", str(tmp_path / "images"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("J = 3(a + bc)   at a=5, b=4, c=2")
    names = sorted(path.name for path in (tmp_path / "images").iterdir())
    assert names == [
        "f-x-y-z.svg",
        "j-3-a-bc.svg",
        "sigmoid-neuron-decomposed.svg",
        "sigmoid-neuron-one-sigmoid-gate.svg",
        "sigmoid-neuron-the-four-gates-grouped-into-one.svg",
        "the-exercise.svg",
    ]
    assert "1/x" in (tmp_path / "images" / "sigmoid-neuron-decomposed.svg").read_text()


def test_demo_unwritable_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    result = run("demo", "--draw", str(tmp_path / "file" / "images"))
    assert result.returncode == 2
    assert result.stderr.startswith("compgraph demo: ")
    assert result.stderr.count("\n") == 1


def test_demo_refuses_an_empty_folder_name() -> None:
    result = run("demo", "--draw", "")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "compgraph demo: --draw: the path is empty\n"


def test_demo_writes_a_page_to_step_through_each_example(tmp_path: Path) -> None:
    result = run("demo", "--html", str(tmp_path / "pages"))
    assert result.returncode == 0, result.stderr
    pages = sorted((tmp_path / "pages").iterdir())
    assert [path.name for path in pages] == [
        "f-x-y-z.html",
        "j-3-a-bc.html",
        "sigmoid-neuron-decomposed.html",
        "sigmoid-neuron-one-sigmoid-gate.html",
        "sigmoid-neuron-the-four-gates-grouped-into-one.html",
        "the-exercise.html",
    ]
    assert result.stdout.count("wrote ") == 6 and "J = 3(a + bc)   at a=5" in result.stdout
    text = (tmp_path / "pages" / "f-x-y-z.html").read_text(encoding="utf-8")
    assert "<h1>f = (x + y)z, at x=-2, y=5, z=-4</h1>" in text
    assert "Step with the buttons" in text


def test_demo_refuses_an_empty_pages_folder_name() -> None:
    result = run("demo", "--html", "")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "compgraph demo: --html: the path is empty\n"
