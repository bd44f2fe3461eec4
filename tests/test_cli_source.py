"""Where a command's graph comes from: an expression, or a graph file ending in .json."""

from __future__ import annotations

from pathlib import Path

import pytest

from compgraph import GraphFileError
from compgraph.cli import main
from compgraph.cli.source import is_file, read_graph
from compgraph.cli.usage import UsageError
from compgraph.lectures import neuron


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("graph.json", True),
        ("runs/net.JSON", True),
        ("./a b.json", True),
        ("(x + y) * z", False),
        ("json", False),
        ("x.json_", False),
        ("graph.json.bak", False),
    ],
)
def test_the_rule_a_file_ends_in_json(source: str, expected: bool) -> None:
    assert is_file(source) is expected


def test_an_expression_is_read_as_one() -> None:
    g = read_graph("q = x + y; f = q * z")
    assert g.forward(x=-2, y=5, z=-4) == -12


def test_a_file_is_loaded(tmp_path: Path) -> None:
    g, feeds = neuron()
    path = g.save(tmp_path / "neuron.json")
    loaded = read_graph(str(path))
    assert list(loaded) == list(g) and loaded.parameters() == g.parameters()
    assert loaded.forward(feeds) == g.forward(feeds)


def test_an_expression_that_looks_like_a_file_name_is_a_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"cannot read the graph file 'x\.json': No such file"):
        read_graph("x.json")


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "graphs.json"
    folder.mkdir()
    with pytest.raises(UsageError, match="cannot read the graph file"):
        read_graph(str(folder))


def test_a_bad_file_says_what_is_wrong_where(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"format": "compgraph", "version": 7}')
    with pytest.raises(GraphFileError, match=r"bad.json: version: this compgraph reads version 1"):
        read_graph(str(path))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "bad.json: not JSON: Expecting value at line 1, column 1"),
        ("[" * 100_000, "bad.json: the JSON nests 100000 levels deep; the most is 200"),
        (
            '{"format": "compgraph", "version": 2}',
            "bad.json: version: this compgraph reads version 1 of the format, got the number 2",
        ),
    ],
)
def test_the_command_line_reports_a_bad_file_in_one_line_with_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    for command in (["eval", str(path)], ["exercise", str(path), "--out", str(tmp_path / "x")]):
        assert main(command) == 2
        out, err = capsys.readouterr()
        assert out == ""
        assert err == f"compgraph {command[0]}: {tmp_path}/{message}\n"


def test_a_missing_file_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "nowhere.json", "x=1"]) == 2
    assert capsys.readouterr().err == (
        "compgraph eval: cannot read the graph file 'nowhere.json': No such file or directory\n"
    )


def test_lint_reads_a_saved_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from compgraph import ComputationalGraph
    from gates import ExpGate

    g = ComputationalGraph()
    g.add_input("x")
    g.add_input("y")
    g.add_gate("e", ExpGate(), ["x"])
    path = g.save(tmp_path / "two_outputs.json")
    assert main(["lint", str(path)]) == 1
    assert "nothing consumes the input 'y'" in capsys.readouterr().out
    neuron()[0].save(tmp_path / "neuron.json")
    assert main(["lint", str(tmp_path / "neuron.json")]) == 0
