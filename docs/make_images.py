"""Rebuild the images of docs/: ``python docs/make_images.py``.

Draws each of the lectures' worked examples after its pass (what
``compgraph demo --draw docs/images`` writes), and the neuron of
``compgraph eval "sigmoid(w0*x0 + w1*x1 + w2)" ...`` as neuron.svg and neuron.png.
"""

from __future__ import annotations

from pathlib import Path

from compgraph import ComputationalGraph
from compgraph.lectures import draw_examples

IMAGES = Path(__file__).parent / "images"
LECTURE = {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}


def main() -> None:
    for path in draw_examples(str(IMAGES), digits=2):
        print(path)
    g = ComputationalGraph.from_expression("sigmoid(w0*x0 + w1*x1 + w2)")
    g.forward(LECTURE)
    g.backward()
    for suffix in (".svg", ".png"):
        print(g.draw(IMAGES / f"neuron{suffix}"))


if __name__ == "__main__":
    main()
