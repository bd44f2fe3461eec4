"""The compgraph command: dispatch to each command's module, and bad usage."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from compgraph.cli import check, demo, evaluate, exercise, grade, main, parser, train


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "compgraph.cli", *args], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    ("argv", "module"),
    [
        (["demo"], demo),
        (["check", "gates:MulGate"], check),
        (["eval", "x", "x=1"], evaluate),
        (["train", "moons"], train),
        (["exercise", "x", "x=1", "--out", "sheet"], exercise),
        (["grade", "key.json", "answers.json"], grade),
    ],
)
def test_each_command_runs_the_function_of_its_module(argv, module):
    args = parser().parse_args(argv)
    assert args.command == argv[0]
    assert args.func is module.run


def test_help_lists_every_command():
    result = run("--help")
    assert result.returncode == 0, result.stderr
    listed = re.findall(r"^    (\w+) ", result.stdout, flags=re.MULTILINE)
    assert listed == ["demo", "check", "eval", "train", "exercise", "grade", "lint"]


@pytest.mark.parametrize("module", ["compgraph", "compgraph.cli"])
def test_python_m_runs_the_command(module):
    result = subprocess.run(
        [sys.executable, "-m", module, "eval", "x * y", "x=3", "y=-4"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == [
        "x",
        "*",
        "y",
        "*",
        "MulGate",
        "x,",
        "y",
        "-12",
        "1",
    ]


def test_version_is_the_package_version():
    import compgraph
    from compgraph._version import __version__

    assert compgraph.__version__ == __version__
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)
    result = run("--version")
    assert (result.returncode, result.stdout) == (0, f"compgraph {__version__}\n")


def test_the_installed_distribution_has_that_version():
    from importlib.metadata import version

    import compgraph

    assert version("compgraph") == compgraph.__version__


def test_a_bare_compgraph_prints_the_help_and_exits_0():
    result = run()
    assert result.returncode == 0, result.stderr
    assert result.stdout == run("--help").stdout
    assert result.stdout.startswith("usage: compgraph [-h] [--version] COMMAND ...")
    assert result.stderr == ""


@pytest.mark.parametrize(
    "args", [["nonsense"], ["demo", "--digits", "x"], ["demo", "--digits", "-1"]]
)
def test_bad_usage_exits_2_without_traceback(args):
    result = run(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.strip()


@pytest.mark.parametrize(
    ("argv", "err"),
    [
        (["demo", "--digits", "-1"], "compgraph demo: --digits must be 0 or more\n"),
        (["eval", "x * y", "x=1"], "compgraph eval: no value for y (give y=VALUE)\n"),
        (["eval", "x ** 0.5", "x=-1"], "compgraph eval: node 'x ** 0.5' (PowGate).forward raised"),
    ],
)
def test_an_error_in_a_command_is_one_line_and_status_2(argv, err, capsys):
    assert main(argv) == 2
    out, printed = capsys.readouterr()
    assert out == ""
    assert printed.startswith(err) and printed.count("\n") == 1


def test_main_returns_the_status(capsys):
    assert main(["demo"]) == 0
    assert "0.73" in capsys.readouterr().out
