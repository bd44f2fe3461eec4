"""``compgraph exercise`` and ``compgraph grade``: a teacher's worksheet, key and grading."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compgraph.cli import main

NEURON = ["sigmoid(w0*x0 + w1*x1 + w2)", "w0=2", "x0=-1", "w1=-3", "x1=-2", "w2=-3"]
F = ["(x + y) * z", "x=-2", "y=5", "z=-4"]


def make(tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "sheet"
    assert main(["exercise", *args, "--out", str(out)]) == 0
    return out


def grade(tmp_path: Path, key: Path, answers: object) -> int:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers))
    return main(["grade", str(key), str(path)])


def test_exercise_writes_the_worksheets_and_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = make(tmp_path, *NEURON, "--blank", "w0,x0,w1,x1,w2")
    printed = capsys.readouterr().out.split()
    names = ["worksheet.svg", "worksheet.png", "worksheet.html", "key.json"]
    assert printed == [str(out / name) for name in names]
    key = json.loads((out / "key.json").read_text())
    answers = {q["node"]: round(q["answer"], 2) for q in key["questions"]}
    assert answers == {"w0": -0.2, "x0": 0.39, "w1": -0.39, "x1": -0.59, "w2": 0.2}
    assert "boxes: fill in the gradient" in (out / "worksheet.svg").read_text()
    assert (out / "worksheet.png").read_bytes()[:4] == b"\x89PNG"
    assert 'id="q1"' in (out / "worksheet.html").read_text()


def test_grade_all_right_is_status_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = make(tmp_path, *F) / "key.json"
    capsys.readouterr()
    assert grade(tmp_path, key, {"x": -4, "y": -4, "z": 3, "x + y": -4.0}) == 0
    assert capsys.readouterr().out == "4 of 4 right (score 1).\n"


def test_grade_some_wrong_is_status_1_with_the_hints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = make(tmp_path, *F) / "key.json"
    capsys.readouterr()
    assert grade(tmp_path, key, {"x": -4, "y": 4, "z": 3}) == 1
    out = capsys.readouterr().out
    assert out.startswith("2 of 4 right (score 0.5).\n")
    assert "the gradient at 'y': you wrote 4; it is -4 to 2 decimals." in out
    assert "    to 'y': local gradient 1, times -4, sends -4" in out
    assert "the gradient at 'x + y': not answered." in out


def test_values_and_named_blanks(tmp_path: Path) -> None:
    key = json.loads((make(tmp_path, *F, "--blank", "values") / "key.json").read_text())
    assert [(q["node"], q["kind"], q["answer"]) for q in key["questions"]] == [
        ("x + y", "value", 3),
        ("(x + y) * z", "value", -12),
    ]
    key = json.loads(
        (
            make(tmp_path, "max(x, y) * z", "x=1", "y=2", "z=3", "--blank", "max(x, y),z")
            / "key.json"
        ).read_text()
    )
    assert [q["node"] for q in key["questions"]] == ["z", "max(x, y)"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([*F, "--blank", "w"], "blank names 'w', not a node of the graph"),
        ([*F, "--blank", "gradients,x"], "--blank: give gradients, values, or node names"),
        ([*F, "--blank", "x,"], "not a mix or an empty name"),
        (["x * y", "x=3"], "no value for y"),
        (["x * y", "x=[1, 2]", "y=3"], "an array of shape (2,)"),
        (["exp(x)", "x=1000.0", "--blank", "values"], "is inf"),
    ],
)
def test_bad_exercise_input_is_one_line_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["exercise", *args, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("compgraph exercise: ") and message in err
    assert err.count("\n") == 1
    assert not (tmp_path / "out").exists()  # nothing written


def test_out_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["exercise", *F])
    assert exit_.value.code == 2
    assert "--out" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"x": "-4"}, "answers.json: the answer for 'x' is '-4', not a number"),
        ({"w": 1}, "answers.json: an answer for 'w', which the exercise does not ask about"),
        ([-4, -4], "answers.json: the answers must be a dict node -> number, not list"),
    ],
)
def test_bad_answers_are_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], answers: object, message: str
) -> None:
    key = make(tmp_path, *F) / "key.json"
    capsys.readouterr()
    assert grade(tmp_path, key, answers) == 2
    err = capsys.readouterr().err
    assert err.startswith("compgraph grade: ") and message in err and err.count("\n") == 1


def test_bad_files_are_status_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = make(tmp_path, *F) / "key.json"
    answers = tmp_path / "answers.json"
    answers.write_text("{not json")
    assert main(["grade", str(key), str(answers)]) == 2
    assert "answers.json: not JSON" in capsys.readouterr().err
    assert main(["grade", str(tmp_path / "missing.json"), str(answers)]) == 2
    assert "missing.json" in capsys.readouterr().err
    answers.write_text("{}")
    assert main(["grade", str(answers), str(answers)]) == 2  # answers are not a key
    assert "not an answer key" in capsys.readouterr().err
    answers.write_bytes(b"\xff\xfe\x00")
    assert main(["grade", str(key), str(answers)]) == 2
    assert "not a text file" in capsys.readouterr().err


def test_exercise_on_a_saved_graph(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from compgraph import ComputationalGraph

    ComputationalGraph.from_expression(F[0]).save(tmp_path / "f.json")
    out = make(tmp_path, str(tmp_path / "f.json"), *F[1:])
    key = json.loads((out / "key.json").read_text())
    answers = {q["node"]: q["answer"] for q in key["questions"]}
    assert answers == {"x": -4, "y": -4, "z": 3, "x + y": -4}
