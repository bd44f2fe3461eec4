"""Rebuild the worksheets of docs/worksheets/: ``python docs/make_worksheets.py``.

For each of the lectures' worked examples (:data:`compgraph.lectures.EXAMPLES`)
and the lectures' exercise ``(x + σ(y)) / (σ(x) + (x + y)^2)`` (at ``x = 3,
y = -4``), a worksheet asking for every gradient, as ``<name>.svg`` and
``<name>.png`` (to print) and ``<name>.html`` (the page that checks the
answers), with its answer key ``<name>.json`` for ``compgraph grade``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from compgraph import ComputationalGraph, Exercise
from compgraph.lectures import EXAMPLES

WORKSHEETS = Path(__file__).parent / "worksheets"
EXERCISE = "(x + sigmoid(y)) / (sigmoid(x) + (x + y) ** 2)"


def main() -> None:
    WORKSHEETS.mkdir(exist_ok=True)
    examples = [(title, build()) for title, _, build in EXAMPLES]
    hard = ComputationalGraph.from_expression(EXERCISE)
    examples.append(("the exercise", (hard, {"x": 3, "y": -4})))
    for title, (graph, feeds) in examples:
        exercise = Exercise(graph, feeds)
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        for suffix in (".svg", ".png", ".html"):
            print(exercise.worksheet(WORKSHEETS / f"{slug}{suffix}"))
        key = WORKSHEETS / f"{slug}.json"
        key.write_text(json.dumps(exercise.key(), indent=2, ensure_ascii=False) + "\n")
        print(key)


if __name__ == "__main__":
    main()
