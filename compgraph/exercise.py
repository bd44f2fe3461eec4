"""Exercises: a circuit with numbers left blank, the answers, and grading.

An :class:`Exercise` runs the pass on its own copy of a graph (the graph given
is left as it was), asks for the gradients, the gates' values, or the
gradients of chosen nodes, and writes a worksheet: the circuit with empty
boxes where the asked numbers go (``.svg``, ``.png``, ``.pdf``), or a page where a
student types them and the page checks them, offline (``.html``). Grading
gives the score and, for each wrong answer, the step of
:func:`compgraph.explain.explain` that computes it.

An answer is right to the lectures' 2 decimals: when it is within 0.005
(:data:`TOLERANCE`, half a unit in the second decimal) of the exact number, so
the exact number rounded to 2 decimals is right, and so is any closer one.

Examples
--------
>>> from compgraph import ComputationalGraph
>>> g = ComputationalGraph.from_expression("(x + y) * z")
>>> exercise = Exercise(g, {"x": -2, "y": 5, "z": -4})
>>> exercise.answers()
{'x': -4, 'y': -4, 'z': 3, 'x + y': -4}
>>> report = exercise.grade({"x": -4, "y": -4, "z": 3, "x + y": 4})
>>> report.score, report.wrong
(0.75, ['x + y'])
>>> print(report)
3 of 4 right (score 0.75).
<BLANKLINE>
the gradient at 'x + y': you wrote 4; it is -4 to 2 decimals. The step that computes it:
* '(x + y) * z' = -12 receives 1 (the output); a multiply gate switches its inputs
    to 'x + y': local gradient z = -4, times 1, sends -4
"""

from __future__ import annotations

import copy
import html
import math
import numbers
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from compgraph.draw import draw
from compgraph.errors import GraphTypeError, NodeNotFoundError, NonFiniteError
from compgraph.explain import forward_step, gradient_steps
from compgraph.graph import GATE, INPUT, ComputationalGraph
from compgraph.table import format_number
from compgraph.webpage import document
from gates.base import full_copy

__all__ = [
    "KEY_FORMAT",
    "TOLERANCE",
    "WORKSHEETS",
    "AnswerError",
    "Exercise",
    "ExerciseReport",
    "Question",
    "grade_key",
    "is_right",
]

#: How far an answer may be from the exact number: right to 2 decimals.
TOLERANCE = 0.005
#: Room for the rounding of floats themselves (relative to the number's size).
_TINY = 1e-9
#: The worksheets :meth:`Exercise.worksheet` writes, by the file's suffix.
WORKSHEETS = (".svg", ".png", ".pdf", ".html")
#: The ``format`` of an answer key (:meth:`Exercise.key`).
KEY_FORMAT = "compgraph exercise key"
_KINDS = {"value": "the value of", "grad": "the gradient at"}


class AnswerError(ValueError):
    """An answer that cannot be graded: not a number, not finite, or for a node
    the exercise does not ask about."""


def is_right(answer: float, truth: float) -> bool:
    """Whether ``answer`` is ``truth`` to 2 decimals: within :data:`TOLERANCE`.

    Examples
    --------
    >>> is_right(0.39, 0.3932), is_right(0.40, 0.3932), is_right(1.005, 1.0)
    (True, False, True)
    """
    return abs(answer - truth) <= TOLERANCE + _TINY * max(1.0, abs(truth))


@dataclass(frozen=True)
class Question:
    """One blank: ``node``'s value (``kind`` "value") or gradient ("grad"), its
    exact ``answer``, the ``hint`` (how the pass computes it) and its number on
    the worksheet, ``tag``."""

    node: str
    kind: str
    answer: float
    hint: str
    tag: int

    @property
    def label(self) -> str:
        """What the question asks, as the worksheet and the report say it."""
        return f"{_KINDS[self.kind]} {self.node!r}"


@dataclass(frozen=True)
class ExerciseReport:
    """The grade of a set of answers.

    Attributes
    ----------
    score : float
        Right answers over questions asked, from 0 to 1.
    wrong : list of str
        The nodes answered wrongly or not at all, in the graph's order.
    questions : list of Question
        Every question asked.
    given : dict
        The answers graded, node -> number.
    """

    score: float
    wrong: list[str]
    questions: list[Question]
    given: dict[str, float]

    def __str__(self) -> str:
        right = len(self.questions) - len(self.wrong)
        lines = [f"{right} of {len(self.questions)} right (score {self.score:.3g})."]
        for question in self.questions:
            if question.node not in self.wrong:
                continue
            given = self.given.get(question.node)
            verdict = (
                "not answered"
                if given is None
                else f"you wrote {given}; it is {format_number(question.answer, 2)} to 2 decimals"
            )
            lines += ["", f"{question.label}: {verdict}. The step that computes it:"]
            lines.append(question.hint)
        return "\n".join(lines)


class Exercise:
    """The circuit of ``graph`` at ``feeds`` with numbers left blank for a student.

    Parameters
    ----------
    graph : ComputationalGraph
        The circuit; a copy of it runs the pass, so ``graph`` and its latest
        pass are left as they were.
    feeds : mapping
        A number for each input.
    blank : "gradients", "values" or list of str, optional
        What to ask: every node's gradient but the output's (given, 1: where
        the backward pass starts) with the values shown; every gate's value
        with the inputs' values shown and no gradients; or the gradients of
        the nodes named, every other number shown.

    Raises
    ------
    GraphTypeError
        If ``graph`` is not a ComputationalGraph, or a number asked is an
        array (an exercise asks for single numbers).
    NodeNotFoundError
        If ``blank`` names a node the graph does not have.
    NonFiniteError
        If a number asked is inf or nan (it could not be graded).
    ValueError
        If ``blank`` is none of the above, empty, or names a node twice.
    GraphError
        If the pass fails (a feed missing, a gate raising, ...).

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph.from_expression("(x + y) * z")
    >>> Exercise(g, {"x": -2, "y": 5, "z": -4}, blank="values").answers()
    {'x + y': 3, '(x + y) * z': -12}
    >>> Exercise(g, {"x": -2, "y": 5, "z": -4}, blank=["z"]).answers()
    {'z': 3}
    """

    def __init__(
        self,
        graph: ComputationalGraph,
        feeds: Mapping[str, Any],
        blank: str | Sequence[str] = "gradients",
    ) -> None:
        if not isinstance(graph, ComputationalGraph):
            raise GraphTypeError(
                f"Exercise: graph must be a ComputationalGraph, not {type(graph).__name__}"
            )
        self.blank = _checked_blank(graph, blank)
        self._feeds = dict(feeds)
        self._graph = _copy(graph)
        self._graph.forward(self._feeds)
        self._graph.backward()
        self._questions = _questions(self._graph, self.blank)

    @property
    def graph(self) -> ComputationalGraph:
        """The exercise's own copy of the graph, holding the pass (the answers)."""
        return self._graph

    @property
    def questions(self) -> list[Question]:
        """The questions, in the graph's order."""
        return list(self._questions)

    def answers(self) -> dict[str, Any]:
        """Each asked node's exact number, in the graph's order."""
        return {question.node: question.answer for question in self._questions}

    def grade(self, answers: Mapping[str, float]) -> ExerciseReport:
        """Grade ``answers``, a dict node -> number (see :func:`grade_key`)."""
        return _grade(self._questions, answers)

    def key(self) -> dict[str, Any]:
        """The answer key as JSON holds it, for :func:`grade_key` (``compgraph grade``)."""
        return {
            "format": KEY_FORMAT,
            "version": 1,
            "output": self._graph.output,
            "blank": self.blank,
            "tolerance": TOLERANCE,
            "questions": [
                {
                    "tag": question.tag,
                    "node": question.node,
                    "kind": question.kind,
                    "answer": question.answer,
                    "hint": question.hint,
                }
                for question in self._questions
            ],
        }

    def worksheet(self, path: str | os.PathLike[str]) -> Path:
        """Write the worksheet: ``.svg``, ``.png`` or ``.pdf`` (to print), or ``.html``.

        The circuit is drawn as :func:`compgraph.draw.draw` draws it, with an
        empty box where each asked number goes (at a fork, one under each
        wire out of the node: the shares, whose sum is the answer), each box
        tagged with its question's number. The HTML page holds the circuit and
        a labelled field for each question; its button (or Enter) checks the
        answers in the page, with no network, and shows the hint for a wrong
        one. The answers are in the page, in plain text: a practice sheet, for
        the same rule as :meth:`grade` (a hash could not check an answer to 2
        decimals, and the hints show the numbers anyway); grade with the key
        (:meth:`key`) for marks.

        Raises
        ------
        ValueError
            If the suffix is none of :data:`WORKSHEETS`.
        ImportError
            If matplotlib is not installed (the ``viz`` extra).
        OSError
            If the file cannot be written.
        """
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in WORKSHEETS:
            raise ValueError(
                f"worksheet: cannot tell the type of {str(path)!r}; "
                f"name a file ending in {', '.join(WORKSHEETS)}"
            )
        if suffix != ".html":
            return self._draw(path)
        with tempfile.TemporaryDirectory() as folder:
            svg = self._draw(Path(folder) / "circuit.svg").read_text(encoding="utf-8")
        path.write_text(_page(self, svg[svg.index("<svg") :]), encoding="utf-8")
        return path

    def _draw(self, path: Path) -> Path:
        shown = self._graph
        if self.blank == "values":  # a forward pass: no gradients on the sheet
            shown = _copy(self._graph)
            shown.forward(self._feeds)
        boxes = {(question.node, question.kind): str(question.tag) for question in self._questions}
        return draw(shown, path, blank=boxes)

    def __repr__(self) -> str:
        return f"<Exercise: {len(self._questions)} blanks ({_blank_text(self.blank)})>"


def grade_key(key: Mapping[str, Any], answers: Mapping[str, float]) -> ExerciseReport:
    """Grade ``answers`` (a dict node -> number) with an answer key from :meth:`Exercise.key`.

    A node left out is answered not at all (wrong); an answer is right within
    :data:`TOLERANCE` of the key's number.

    Raises
    ------
    ValueError
        If ``key`` is not such an answer key.
    AnswerError
        If ``answers`` is not a dict, an answer is not a finite number
        (``True`` and ``"0.5"`` are not numbers), or names a node the key does
        not ask about.

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph.from_expression("(x + y) * z")
    >>> key = Exercise(g, {"x": -2, "y": 5, "z": -4}).key()
    >>> grade_key(key, {"x": -4.0, "y": -4.004, "z": 3.005}).wrong
    ['x + y']
    >>> grade_key(key, {"w": 1})
    Traceback (most recent call last):
    ...
    compgraph.exercise.AnswerError: an answer for 'w', which the exercise does not ask \
about (it asks about x, y, z, x + y)
    """
    return _grade(_key_questions(key), answers)


def _grade(questions: list[Question], answers: Any) -> ExerciseReport:
    if not isinstance(answers, Mapping):
        raise AnswerError(
            f"the answers must be a dict node -> number, not {type(answers).__name__}"
        )
    asked = {question.node: question for question in questions}
    given: dict[str, Any] = {}
    for node, answer in answers.items():
        if node not in asked:
            raise AnswerError(
                f"an answer for {node!r}, which the exercise does not ask about "
                f"(it asks about {', '.join(asked)})"
            )
        if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
            raise AnswerError(f"the answer for {node!r} is {answer!r}, not a number")
        if not math.isfinite(answer):
            raise AnswerError(f"the answer for {node!r} is {answer!r}; give a finite number")
        given[node] = answer
    wrong = [
        question.node
        for question in questions
        if question.node not in given or not is_right(given[question.node], question.answer)
    ]
    score = (len(questions) - len(wrong)) / len(questions)
    return ExerciseReport(score, wrong, list(questions), given)


def _checked_blank(graph: ComputationalGraph, blank: Any) -> str | list[str]:
    if blank in ("gradients", "values"):
        return str(blank)
    if isinstance(blank, str) or not isinstance(blank, Sequence):
        example = f"; for one node give [{blank!r}]" if isinstance(blank, str) else ""
        raise ValueError(
            f"Exercise: blank must be 'gradients', 'values' or a list of node names, "
            f"not {blank!r}{example}"
        )
    if not blank:
        raise ValueError("Exercise: blank is an empty list; name the nodes to ask about")
    for name in blank:
        if not isinstance(name, str) or name not in graph:
            raise NodeNotFoundError(f"Exercise: blank names {name!r}, not a node of the graph")
    twice = sorted({name for name in blank if list(blank).count(name) > 1})
    if twice:
        raise ValueError(f"Exercise: blank names {', '.join(twice)} more than once")
    return list(blank)


def _copy(graph: ComputationalGraph) -> ComputationalGraph:
    """A copy of ``graph``'s nodes, gates and parameter values, with no pass."""
    copied = ComputationalGraph(check_finite=graph.check_finite)
    parameters = graph.parameters()
    for name in graph:
        if graph.kind(name) == INPUT:
            copied.add_input(name)
        elif graph.kind(name) == GATE:
            copied.add_gate(name, full_copy(graph.gate(name)), graph.inputs(name))
        else:
            copied.add_parameter(name, copy.deepcopy(parameters[name]))
    return copied


def _questions(graph: ComputationalGraph, blank: str | list[str]) -> list[Question]:
    """The questions ``blank`` asks of ``graph`` after its pass, in the graph's order."""
    if blank == "values":
        asked = [(name, "value") for name in graph if graph.kind(name) == GATE]
    elif blank == "gradients":
        asked = [(name, "grad") for name in graph if name != graph.output]
    else:
        asked = [(name, "grad") for name in graph if name in blank]
    steps = gradient_steps(graph) if any(kind == "grad" for _, kind in asked) else {}
    questions = []
    for tag, (name, kind) in enumerate(asked, start=1):
        number = graph.value(name) if kind == "value" else graph.grad(name)
        hint = forward_step(graph, name) if kind == "value" else steps[name]
        questions.append(Question(name, kind, _number(name, kind, number), hint, tag))
    return questions


def _number(name: str, kind: str, number: Any) -> Any:
    """``number`` as a plain int or float, refused if it is an array or not finite."""
    what = "value" if kind == "value" else "gradient"
    if isinstance(number, np.ndarray) and number.ndim > 0:
        raise GraphTypeError(
            f"Exercise: the {what} of {name!r} is an array of shape {number.shape}; "
            "an exercise asks for single numbers (feed numbers, not arrays)",
            name,
        )
    if isinstance(number, (np.generic, np.ndarray)):
        number = number.item()
    if isinstance(number, bool) or not isinstance(number, numbers.Real):
        raise GraphTypeError(
            f"Exercise: the {what} of {name!r} is {type(number).__name__}, not a number", name
        )
    if not math.isfinite(number):
        raise NonFiniteError(
            f"Exercise: the {what} of {name!r} is {number}; an exercise needs finite numbers",
            name,
        )
    return number


def _key_questions(key: Mapping[str, Any]) -> list[Question]:
    """The questions of an answer key, refused with what is wrong where."""
    if not isinstance(key, Mapping) or key.get("format") != KEY_FORMAT:
        raise ValueError(f'not an answer key: it has no "format": "{KEY_FORMAT}"')
    if key.get("version") != 1:
        raise ValueError(f"answer key version {key.get('version')!r}; this compgraph reads 1")
    found = key.get("questions")
    if not isinstance(found, list) or not found:
        raise ValueError('the answer key has no list of "questions"')
    questions = []
    for i, item in enumerate(found):
        try:
            node, kind, answer, hint, tag = (
                item[field] for field in ("node", "kind", "answer", "hint", "tag")
            )
        except (KeyError, TypeError):
            raise ValueError(
                f"answer key question {i}: give node, kind, answer, hint and tag"
            ) from None
        good = (
            isinstance(node, str)
            and kind in _KINDS
            and isinstance(answer, (int, float))
            and not isinstance(answer, bool)
            and math.isfinite(answer)
            and isinstance(hint, str)
            and isinstance(tag, int)
        )
        if not good:
            raise ValueError(f"answer key question {i} ({node!r}): a field of the wrong type")
        questions.append(Question(node, kind, answer, hint, tag))
    if len({question.node for question in questions}) < len(questions):
        raise ValueError("the answer key asks about a node twice")
    return questions


def _blank_text(blank: str | list[str]) -> str:
    return blank if isinstance(blank, str) else "gradients at " + ", ".join(blank)


def _page(exercise: Exercise, svg: str) -> str:
    """The HTML worksheet: the circuit, a labelled field per question, and the checking."""
    questions = exercise.questions
    asked = "values" if exercise.blank == "values" else "gradients"
    rows = "\n".join(
        f'<li><label for="q{q.tag}">{q.tag}. {html.escape(q.label)}</label>'
        f'<input id="q{q.tag}" type="text" inputmode="decimal" autocomplete="off" '
        f'spellcheck="false" aria-describedby="v{q.tag}">'
        f'<output id="v{q.tag}" for="q{q.tag}"></output>'
        f'<pre class="hint" id="h{q.tag}" hidden></pre></li>'
        for q in questions
    )
    data = [
        {"tag": q.tag, "answer": q.answer, "hint": q.hint, "shown": format_number(q.answer, 2)}
        for q in questions
    ]
    title = f"Worksheet: the {asked} of {exercise.graph.output}"
    body = _BODY.format(title=html.escape(title), svg=svg, rows=rows, asked=asked)
    return document(
        title,
        body,
        style=_STYLE,
        data={"tolerance": TOLERANCE, "tiny": _TINY, "questions": data},
        script=_SCRIPT,
    )


_BODY = """<main>
<h1>{title}</h1>
<p>Fill in the {asked}: the boxes on the circuit are numbered as the questions.
Where a node feeds several gates (a fork), its gradient is the sum of the
boxes under its wires. Keep three or more decimals while you work; an answer
is right when it is right to 2 decimals (within 0.005).</p>
<div class="sheet">
<figure class="circuit">{svg}<figcaption>The circuit, numbers to find left as
boxes.</figcaption></figure>
<form id="answers" aria-label="your answers" novalidate>
<ol>
{rows}
</ol>
<button type="submit">Check my answers</button>
<p id="score" role="status" aria-live="polite"></p>
</form>
</div>
</main>"""

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
main { max-width: 80rem; }
.sheet { display: flex; flex-wrap: wrap; gap: 2rem; align-items: flex-start; }
.circuit { flex: 2 1 36rem; margin: 0; position: sticky; top: 0; }
.circuit svg { width: 100%; height: auto; }
figcaption { color: #666; font-size: 0.85rem; }
form { flex: 1 1 20rem; }
ol { list-style: none; padding: 0; }
li { margin: 0 0 0.8rem; }
label { display: block; margin-bottom: 0.2rem; overflow-wrap: anywhere; }
input { width: 6rem; font: inherit; padding: 0.15rem 0.3rem; }
input:focus, button:focus { outline: 3px solid #0969da; outline-offset: 1px; }
output { margin-left: 0.5rem; font-weight: 600; }
output.right { color: #1a7f37; }
output.wrong { color: #cf222e; }
.hint { background: #f6f8fa; padding: 0.5rem; font-size: 0.8rem; white-space: pre-wrap; }
button { font: inherit; padding: 0.3rem 0.9rem; }
"""

# The rule of is_right, in the page.
_SCRIPT = """
"use strict";
const exercise = JSON.parse(document.getElementById("compgraph-data").textContent);
function isRight(answer, truth) {
  return Math.abs(answer - truth) <=
    exercise.tolerance + exercise.tiny * Math.max(1, Math.abs(truth));
}
function read(text) {
  const cleaned = text.trim().replace(/\\u2212/g, "-").replace(/^([-+]?\\d*),(\\d+)$/, "$1.$2");
  if (cleaned === "") return null;
  const number = Number(cleaned);
  return Number.isFinite(number) ? number : NaN;
}
function check(event) {
  event.preventDefault();
  let right = 0;
  for (const question of exercise.questions) {
    const input = document.getElementById("q" + question.tag);
    const verdict = document.getElementById("v" + question.tag);
    const hint = document.getElementById("h" + question.tag);
    const answer = read(input.value);
    let ok = false;
    if (answer === null) {
      verdict.textContent = "not answered";
    } else if (Number.isNaN(answer)) {
      verdict.textContent = "not a number: write it as -0.39";
    } else if (isRight(answer, question.answer)) {
      verdict.textContent = "right";
      ok = true;
    } else {
      verdict.textContent = "not right to 2 decimals";
    }
    verdict.className = ok ? "right" : "wrong";
    input.setAttribute("aria-invalid", ok ? "false" : "true");
    hint.hidden = ok || answer === null || Number.isNaN(answer);
    hint.textContent = hint.hidden ? "" :
      "It is " + question.shown + ". The step that computes it:\\n" + question.hint;
    if (ok) right += 1;
  }
  const total = exercise.questions.length;
  document.getElementById("score").textContent =
    right + " of " + total + " right (score " + (right / total).toFixed(2) + ")";
}
document.getElementById("answers").addEventListener("submit", check);
"""
