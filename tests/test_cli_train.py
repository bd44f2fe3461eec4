import re
import subprocess
import sys

import pytest

from compgraph.cli import main


def test_train_moons_end_to_end_writes_the_plots(tmp_path):
    out = tmp_path / "plots"
    result = subprocess.run(
        [sys.executable, "-m", "compgraph.cli", "train", "moons", "--epochs", "30",
         "--lr", "0.03", "--out", str(out)],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    )  # fmt: skip
    accuracy = float(re.search(r"training accuracy: ([\d.]+)%", result.stdout).group(1))
    assert accuracy >= 97.0
    assert "2-16-16-2 MLP on 200 moons points: 210 steps" in result.stdout
    assert "loss=" in result.stderr  # the progress bar
    for name in ("moons_loss.png", "moons_boundary.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_train_moons_quiet_into_the_current_directory(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "moons", "--quiet", "--epochs", "2", "--hidden", "4", "--seed", "3"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "2-4-2 MLP" in out and "14 steps" in out and "training accuracy:" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["moons_boundary.png", "moons_loss.png"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--epochs", "0"], "--epochs must be 1 or more"),
        (["--lr", "-1"], "--lr must be a positive finite number"),
        (["--hidden", "16", "0"], "--hidden sizes must be 1 or more"),
        (["--batch-size", "0"], "--batch-size must be 1 or more"),
    ],
)
def test_train_refuses_bad_options_in_one_line(args, message, capsys, tmp_path):
    assert main(["train", "moons", "--out", str(tmp_path), *args]) == 2
    out, err = capsys.readouterr()
    assert err == f"compgraph train: {message}\n" and out == ""
    assert list(tmp_path.iterdir()) == []


def test_train_refuses_an_output_folder_it_cannot_make(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["train", "moons", "--quiet", "--out", str(blocker / "sub")]) == 2
    assert capsys.readouterr().err.startswith("compgraph train: cannot write to")


def test_train_without_matplotlib_says_what_to_install(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert main(["train", "moons", "--quiet", "--out", str(tmp_path)]) == 2
    assert "needs matplotlib: pip install 'compgraph[train]'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lr", "inf"], "--lr must be a positive finite number"),
        (["--lr", "nan"], "--lr must be a positive finite number"),
        (["--noise", "nan"], "--noise must be a finite number 0 or more"),
        (["--noise", "inf"], "--noise must be a finite number 0 or more"),
        (["--noise", "-0.1"], "--noise must be a finite number 0 or more"),
        (["--epochs", "1000000000"], "--epochs must be at most 10000"),
        (["--samples", "1000000000"], "--samples must be at most 100000"),
        (
            ["--hidden", "100000", "100000"],
            "--hidden 100000 100000 makes 10000600002 parameters; the most is 1000000",
        ),
        (
            ["--samples", "100000", "--hidden", "500", "500"],
            "--samples 100000 with --hidden 500 500 holds 100000000 values in a pass; "
            "the most is 10000000",
        ),
    ],
)
def test_train_refuses_what_would_not_end_or_fit(args, message, capsys, tmp_path):
    assert main(["train", "moons", "--quiet", "--out", str(tmp_path), *args]) == 2
    out, err = capsys.readouterr()
    assert err == f"compgraph train: {message}\n" and out == ""
    assert list(tmp_path.iterdir()) == []


def test_train_saves_the_network_that_eval_runs(tmp_path, monkeypatch, capsys):
    import numpy as np

    from compgraph import ComputationalGraph
    from compgraph.moons import train_moons

    monkeypatch.chdir(tmp_path)
    args = ["--quiet", "--epochs", "30", "--lr", "0.03"]
    assert main(["train", "moons", *args, "--save", "net.json"]) == 0
    out = capsys.readouterr().out
    assert "saved the network to net.json: compgraph eval net.json x0=VALUE x1=VALUE" in out
    net = ComputationalGraph.load("net.json")
    assert net.input_names() == ["x0", "x1"] and net.output == "layer3"
    run = train_moons(epochs=30, lr=0.03, progress=False)  # the same seed: the same network
    points = run.x[:20]
    scores = [net.forward(x0=float(x0), x1=float(x1)) for x0, x1 in points]
    run.graph.forward(x=points, y=run.y[:20])
    np.testing.assert_allclose(scores, run.graph.value(run.scores), rtol=1e-12)
    assert main(["eval", "net.json", "x0=1.0", "x1=-0.3"]) == 0
    table = capsys.readouterr().out
    assert "layer3     + AddGate        layer3.xW, layer3.b" in table


@pytest.mark.parametrize(
    ("save", "message"),
    [
        ("net", "--save: the file name must end in .json (so that compgraph eval reads it as a "
         "graph file), got 'net'"),
        ("missing/net.json", "--save: the folder 'missing' does not exist"),
        ("", "--save: the path is empty"),
    ],
)  # fmt: skip
def test_train_refuses_a_save_path_before_training(save, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "moons", "--quiet", "--save", save]) == 2
    out, err = capsys.readouterr()
    assert err == f"compgraph train: {message}\n" and out == ""
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".png"] == []
