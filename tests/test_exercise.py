"""Exercises: the answers are the pass's numbers, grading to 2 decimals, the
hints are explain's steps, the worksheets leave the asked numbers blank, and
the HTML page checks answers in a real (headless) browser."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compgraph import ComputationalGraph, Exercise, GraphTypeError, NodeNotFoundError
from compgraph.errors import NonFiniteError
from compgraph.exercise import TOLERANCE, AnswerError, grade_key, is_right
from compgraph.explain import explain
from compgraph.lectures import neuron, three_times_a_plus_bc, x_plus_y_times_z

LECTURE_F = {"x": -2, "y": 5, "z": -4}
HARD = "(x + sigmoid(y)) / (sigmoid(x) + (x + y) ** 2)"


def f_exercise(blank: object = "gradients") -> Exercise:
    g, feeds = x_plus_y_times_z()
    return Exercise(g, feeds, blank)  # type: ignore[arg-type]


def test_answers_are_the_lectures_numbers() -> None:
    assert f_exercise().answers() == {"x": -4, "y": -4, "z": 3, "q": -4}
    assert f_exercise("values").answers() == {"q": 3, "f": -12}
    g, feeds = three_times_a_plus_bc()
    assert Exercise(g, feeds).answers() == {"a": 3, "b": 6, "c": 12, "u": 3, "v": 3}
    g, feeds = neuron()
    answers = Exercise(g, feeds, ["w0", "x0", "w1", "x1", "w2"]).answers()
    assert [round(answers[n], 2) for n in answers] == [-0.2, -0.39, 0.2, 0.39, -0.59]
    assert list(answers) == ["w0", "w1", "w2", "x0", "x1"]  # the graph's order


def test_the_graph_given_is_left_as_it_was() -> None:
    g, feeds = x_plus_y_times_z()
    g.forward(x=1, y=2, z=3)
    g.backward()
    exercise = Exercise(g, feeds)
    assert (g.value("f"), g.grad("x")) == (9, 3)
    assert exercise.graph is not g and exercise.graph.value("f") == -12
    fresh, _ = x_plus_y_times_z()
    Exercise(fresh, feeds)
    with pytest.raises(Exception, match="forward"):
        fresh.value("f")  # no pass ran on it


def test_a_parameter_keeps_its_value_in_the_users_graph() -> None:
    g, feeds = neuron()
    exercise = Exercise(g, feeds)
    exercise.graph.set_value("w0", 100.0)
    assert g.parameters()["w0"] == 2.0


@pytest.mark.parametrize(
    ("answer", "right"),
    [
        (0.39, True),  # the truth rounded to 2 decimals
        (0.3932, True),
        (0.40, False),  # 0.0068 away
        (0.3883, True),  # 0.0049 away
        (0.388, False),  # 0.0052 away
        (0.3982, True),
        (0.3983, False),
    ],
)
def test_right_to_two_decimals(answer: float, right: bool) -> None:
    truth = 0.3932238664829637  # d f / d x0 of the lectures' neuron
    assert is_right(answer, truth) is right


def test_the_boundary_is_half_a_unit_in_the_second_decimal() -> None:
    assert TOLERANCE == 0.005
    assert is_right(1.005, 1.0) and is_right(0.995, 1.0)  # floats a hair either side
    assert not is_right(1.0051, 1.0) and not is_right(0.9949, 1.0)
    assert is_right(-0.125, -0.12) and is_right(-0.115, -0.12)


@settings(max_examples=60, deadline=None)
@given(st.floats(-1e6, 1e6, allow_nan=False))
def test_the_truth_rounded_to_two_decimals_is_always_right(truth: float) -> None:
    assert is_right(round(truth, 2), truth)
    assert not is_right(round(truth, 2) + 0.011, truth)


def test_grade_scores_and_lists_the_wrong_in_order() -> None:
    report = f_exercise().grade({"q": -4.001, "z": 2.996, "x": 4})
    assert report.score == 0.5
    assert report.wrong == ["x", "y"]  # x wrong, y not answered
    assert f_exercise().grade({"x": -4, "y": -4.0, "z": 3, "q": -3.996}).score == 1.0
    assert f_exercise().grade({}).score == 0.0


def test_the_hint_is_the_step_of_explain_that_computes_it() -> None:
    exercise = f_exercise()
    text = str(exercise.grade({"x": -4, "y": -4, "z": 3, "q": 4}))
    story = explain(exercise.graph).splitlines()
    header, to_q = story[2], story[3]
    assert "to 'q'" in to_q
    assert text.splitlines()[0] == "3 of 4 right (score 0.75)."
    assert text.splitlines()[2:] == [
        "the gradient at 'q': you wrote 4; it is -4 to 2 decimals. The step that computes it:",
        header,
        to_q,
    ]


def test_at_a_fork_the_hint_adds_the_shares_up() -> None:
    g = ComputationalGraph.from_expression("x * x + x")
    report = Exercise(g, {"x": 3}, ["x"]).grade({"x": 6})
    assert "x: 1 + 3 + 3 = 7 (gradients add up at a fork)" in str(report)
    assert str(report).count("to 'x'") == 3
    assert explain(Exercise(g, {"x": 3}).graph).endswith(str(report).splitlines()[-1])


def test_a_value_hint_says_how_the_forward_pass_computed_it() -> None:
    report = f_exercise("values").grade({"f": -12})
    assert report.wrong == ["q"]
    assert "+ 'q' = 3, computed by AddGate from 'x' = -2 and 'y' = 5" in str(report)


def test_all_right_says_so() -> None:
    assert str(f_exercise().grade({"x": -4, "y": -4, "z": 3, "q": -4})) == (
        "4 of 4 right (score 1)."
    )


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"w": 1}, "an answer for 'w', which the exercise does not ask about"),
        ({"f": -12}, "an answer for 'f'"),  # a node, but not asked (the output's is given)
        ({"x": "-4"}, "the answer for 'x' is '-4', not a number"),
        ({"x": True}, "not a number"),
        ({"x": None}, "not a number"),
        ({"x": math.nan}, "give a finite number"),
        ({"x": math.inf}, "give a finite number"),
        ([("x", -4)], "must be a dict node -> number, not list"),
    ],
)
def test_bad_answers_are_refused(answers: object, message: str) -> None:
    with pytest.raises(AnswerError, match=re.escape(message)):
        f_exercise().grade(answers)  # type: ignore[arg-type]


def test_numpy_numbers_are_answers() -> None:
    assert f_exercise().grade({"x": np.float64(-4.0), "y": np.int64(-4)}).wrong == ["z", "q"]


@pytest.mark.parametrize(
    ("blank", "error", "message"),
    [
        ("x", ValueError, "for one node give ['x']"),
        ("everything", ValueError, "blank must be 'gradients', 'values' or a list"),
        ([], ValueError, "empty list"),
        (["x", "x"], ValueError, "names x more than once"),
        (["w"], NodeNotFoundError, "blank names 'w', not a node"),
        ([3], NodeNotFoundError, "blank names 3"),
        (5, ValueError, "not 5"),
    ],
)
def test_bad_blanks_are_refused(blank: object, error: type, message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        f_exercise(blank)


def test_arrays_and_non_finite_numbers_are_refused() -> None:
    g = ComputationalGraph.from_expression("x * y")
    with pytest.raises(GraphTypeError, match=r"'x' is an array of shape \(2,\)"):
        Exercise(g, {"x": np.array([1.0, 2.0]), "y": 3.0})
    g = ComputationalGraph.from_expression("exp(x)")
    with pytest.raises(NonFiniteError, match="the value of 'exp\\(x\\)' is inf"):
        Exercise(g, {"x": 1000.0}, "values")
    with pytest.raises(GraphTypeError, match="must be a ComputationalGraph"):
        Exercise("x * y", {})  # type: ignore[arg-type]


def test_the_key_grades_as_the_exercise_does() -> None:
    exercise = f_exercise()
    key = json.loads(json.dumps(exercise.key()))
    answers = {"x": -4, "y": 4.0, "z": 3.004}
    assert grade_key(key, answers) == exercise.grade(answers)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda key: key.pop("format"), "not an answer key"),
        (lambda key: key.update(version=2), "version 2"),
        (lambda key: key.update(questions=[]), 'no list of "questions"'),
        (lambda key: key["questions"][0].pop("hint"), "question 0: give node"),
        (lambda key: key["questions"][1].update(answer="3"), "question 1 ('y')"),
        (lambda key: key["questions"][1].update(node="x"), "asks about a node twice"),
    ],
)
def test_a_bad_key_is_refused(change: object, message: str) -> None:
    key = f_exercise().key()
    change(key)  # type: ignore[operator]
    with pytest.raises(ValueError, match=re.escape(message)):
        grade_key(key, {})


def test_the_svg_leaves_the_asked_numbers_blank(tmp_path: Path) -> None:
    svg = f_exercise().worksheet(tmp_path / "f.svg").read_text()
    texts = re.findall(r">([^<>]+)</text>", svg)
    assert "-12" in texts and "3" in texts  # values are shown
    assert "1" in texts  # the output's gradient, given
    assert "-4" in texts  # z's value; but no gradient -4 nor 3 in red
    red = re.findall(r"fill: #cf222e\"[^>]*>([^<]+)</text>", svg)
    assert red == ["1"]
    assert "boxes: fill in the gradient" in svg
    assert "gradient (red) below where given" in svg
    assert "gradient (red) below each wire" not in svg


def test_a_worksheet_asking_for_a_forks_gradient_shows_no_sum(tmp_path: Path) -> None:
    g = ComputationalGraph.from_expression("x * y + x")
    full = g.draw(tmp_path / "full.svg").read_text()
    assert "Σ" not in full  # before a pass
    g.forward(x=3, y=-4)
    g.backward()
    assert "Σ -3" in g.draw(tmp_path / "full.svg").read_text()
    for blank in ("gradients", ["x"]):
        for suffix in (".svg", ".html"):
            sheet = Exercise(g, {"x": 3, "y": -4}, blank).worksheet(tmp_path / f"f{suffix}")
            assert "Σ" not in sheet.read_text()
    kept = Exercise(g, {"x": 3, "y": -4}, ["y"]).worksheet(tmp_path / "y.svg").read_text()
    assert "Σ -3" in kept  # x is not asked: its sum stays


def test_a_values_worksheet_shows_no_gradient(tmp_path: Path) -> None:
    svg = f_exercise("values").worksheet(tmp_path / "f.svg").read_text()
    assert not re.findall(r"fill: #cf222e\"[^>]*>([^<]+)</text>", svg)
    assert "gradient" not in " ".join(re.findall(r">([^<>]+)</text>", svg)).replace(
        "fill in the value", ""
    )
    assert "boxes: fill in the value" in svg


def test_the_png_and_the_pdf_are_written(tmp_path: Path) -> None:
    path = f_exercise().worksheet(tmp_path / "f.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f_exercise().worksheet(tmp_path / "f.pdf").read_bytes()[:5] == b"%PDF-"


def test_an_unknown_worksheet_type_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.pdf, \.html"):
        f_exercise().worksheet(tmp_path / "f.eps")


def test_the_html_page_is_self_contained(tmp_path: Path) -> None:
    page = f_exercise().worksheet(tmp_path / "f.html").read_text()
    assert "<svg" in page and "<script>" in page and "<style>" in page
    assert not re.search(r"""(src|href)\s*=|@import|url\((?!#)|fetch\(|XMLHttpRequest""", page)
    assert '<label for="q1">1. the gradient at &#x27;x&#x27;</label><input id="q1"' in page
    assert '<label for="q4">4. the gradient at &#x27;q&#x27;</label>' in page


def test_a_node_name_cannot_break_out_of_the_page(tmp_path: Path) -> None:
    g = ComputationalGraph()
    g.add_input("</script><b>x")
    g.add_gate("f", __import__("gates").MulConstantGate(2), ["</script><b>x"])
    page = Exercise(g, {"</script><b>x": 1.0}).worksheet(tmp_path / "f.html").read_text()
    assert page.count("</script>") == 2  # the two scripts' own ends
    assert "<b>" not in page


# ---------------------------------------------------------------- in a browser


def test_the_page_checks_answers_offline(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    g, feeds = neuron()
    exercise = Exercise(g, feeds, ["w0", "x0", "w1", "x1", "w2"])
    page = exercise.worksheet(tmp_path / "neuron.html")
    browser.get(page.as_uri())
    tags = {question.node: question.tag for question in exercise.questions}

    def field(node: str):  # type: ignore[no-untyped-def]
        return browser.find_element(By.ID, f"q{tags[node]}")

    # a label names each field, for a screen reader
    label = browser.find_element(By.CSS_SELECTOR, f"label[for=q{tags['x0']}]")
    assert label.text == f"{tags['x0']}. the gradient at 'x0'"
    field("w0").send_keys("-0.2")
    field("x0").send_keys("0.39")
    field("w1").send_keys("-0.4")  # wrong: -0.39
    field("x1").send_keys("\u22120,59")  # a typographic minus and a decimal comma
    field("w2").send_keys("0.20" + Keys.ENTER)  # Enter checks, from the keyboard
    verdict = {node: browser.find_element(By.ID, f"v{tags[node]}").text for node in tags}
    assert verdict == {
        "w0": "right",
        "w1": "not right to 2 decimals",
        "w2": "right",
        "x0": "right",
        "x1": "right",
    }
    hint = browser.find_element(By.ID, f"h{tags['w1']}")
    assert hint.is_displayed()
    assert hint.text.startswith("It is -0.39. The step that computes it:")
    assert "to 'w1': local gradient x1 = -2, times 0.197, sends -0.39" in hint.text
    assert not browser.find_element(By.ID, f"h{tags['x0']}").is_displayed()
    assert browser.find_element(By.ID, "score").text == "4 of 5 right (score 0.80)"
    assert field("w1").get_attribute("aria-invalid") == "true"
    browser.save_screenshot(str(tmp_path / "worksheet.png"))
    Path("/tmp/compgraph-worksheet-screenshot.png").write_bytes(
        (tmp_path / "worksheet.png").read_bytes()
    )

    field("w1").clear()
    field("w1").send_keys("abc")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    assert browser.find_element(By.ID, f"v{tags['w1']}").text.startswith("not a number")
    field("x0").clear()
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    assert browser.find_element(By.ID, f"v{tags['x0']}").text == "not answered"

    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    requests = [
        json.loads(entry["message"])["message"]["params"]["request"]["url"]
        for entry in browser.get_log("performance")
        if '"Network.requestWillBeSent"' in entry["message"]
    ]
    assert page.as_uri() in requests
    assert not [url for url in requests if url.split(":")[0] in ("http", "https", "ws", "wss")]


def test_the_page_is_usable_by_keyboard_alone(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    g = ComputationalGraph.from_expression(HARD)
    browser.get(Exercise(g, {"x": 3, "y": -4}).worksheet(tmp_path / "hard.html").as_uri())
    keys = ActionChains(browser)
    keys.send_keys(Keys.TAB, "2.06", Keys.TAB, "1", Keys.TAB * 7, Keys.ENTER).perform()
    assert browser.switch_to.active_element.tag_name == "button"
    assert browser.find_element(By.ID, "v1").text == "right"  # d f / d x = 2.0596
    assert browser.find_element(By.ID, "v2").text == "not right to 2 decimals"
    assert browser.find_element(By.ID, "score").text == "1 of 8 right (score 0.13)"


expressions = st.recursive(
    st.sampled_from(["x", "y", "z"]),
    lambda inner: (
        st.builds("({} {} {})".format, inner, st.sampled_from(["+", "*", "-"]), inner)
        | st.builds("sigmoid({})".format, inner)
    ),
    max_leaves=6,
)


@settings(max_examples=40, deadline=None)
@given(expressions, st.lists(st.integers(-5, 5), min_size=3, max_size=3))
def test_any_graph_exercise_answers_its_own_pass(text: str, numbers: list[int]) -> None:
    g = ComputationalGraph.from_expression(f"({text}) * 1.5")
    feeds = {name: float(n) for name, n in zip("xyz", numbers) if name in g}
    exercise = Exercise(g, feeds)
    g.forward(feeds)
    g.backward()
    assert exercise.answers() == {name: g.grad(name) for name in g if name != g.output}
    truth = exercise.answers()
    assert exercise.grade(truth).score == 1.0
    assert exercise.grade({n: round(v, 2) for n, v in truth.items()}).score == 1.0
    assert exercise.grade({n: v + 0.0051 for n, v in truth.items()}).wrong == list(truth)
    values = Exercise(g, feeds, "values")
    assert values.answers() == {name: g.value(name) for name in g if g.kind(name) == "gate"}
