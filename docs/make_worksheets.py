"""Rebuild the worksheets of docs/worksheets/ and the pages of docs/pages/:
``python docs/make_worksheets.py``.

For each of the lectures' worked examples (:data:`compgraph.lectures.EXAMPLES`,
the exercise ``(x + σ(y)) / (σ(x) + (x + y)^2)`` at ``x = 3, y = -4`` among
them), a worksheet asking for every gradient, as ``<name>.svg`` and
``<name>.png`` (to print) and ``<name>.html`` (the page that checks the
answers), with its answer key ``<name>.json`` for ``compgraph grade``; and the
page to step through its pass, ``pages/<name>.html``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from compgraph import Exercise
from compgraph.lectures import EXAMPLES, write_pages

DOCS = Path(__file__).parent
WORKSHEETS = DOCS / "worksheets"


def main() -> None:
    WORKSHEETS.mkdir(exist_ok=True)
    for title, _, build in EXAMPLES:
        exercise = Exercise(*build())
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        for suffix in (".svg", ".png", ".html"):
            print(exercise.worksheet(WORKSHEETS / f"{slug}{suffix}"))
        key = WORKSHEETS / f"{slug}.json"
        key.write_text(json.dumps(exercise.key(), indent=2, ensure_ascii=False) + "\n")
        print(key)
    for page in write_pages(DOCS / "pages"):
        print(page)


if __name__ == "__main__":
    main()
