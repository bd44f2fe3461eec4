"""A page to step through a pass, one gate at a time (``g.to_html(path)``).

One self-contained HTML file (see :mod:`compgraph.webpage`: nothing fetched)
with the circuit drawn as the lectures draw it, values green above the wires
and gradients red below, and controls (buttons, a slider, the arrow keys) to
step forward through the gates and then backward. Each step highlights its
gate, puts the numbers it computed on the wires and tells the step as
:func:`compgraph.explain.explain` does. A node's panel, on click or keyboard
focus, gives its value, its gradient, at a fork each consumer's share
(:func:`compgraph.bookkeeping.contributions`) and its paths to the output
with the product along each (:func:`compgraph.bookkeeping.paths`).

The circuit is drawn here as SVG from :mod:`compgraph.layout` (no matplotlib),
so the page needs nothing beyond compgraph itself.

Examples
--------
>>> from compgraph import ComputationalGraph
>>> g = ComputationalGraph.from_expression("q = x + y; f = q * z")
>>> _ = g.forward(x=-2, y=5, z=-4), g.backward()
>>> for step in steps(g):
...     print(step.phase, step.node, "|", step.text.splitlines()[0])
forward None | Forward pass from the inputs x = -2, y = 5, z = -4.
forward q | + 'q' = 3, computed by AddGate from 'x' = -2 and 'y' = 5
forward f | * 'f' = -12, computed by MulGate from 'q' = 3 and 'z' = -4
backward f | Backward pass from the output 'f' = -12, starting with gradient 1.
backward f | * 'f' = -12 receives 1 (the output); a multiply gate switches its inputs
backward q | + 'q' = 3 receives -4; an add gate distributes it
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compgraph.bookkeeping import every_path, fork_gradients
from compgraph.errors import GraphError, NoBackwardPassError, NoForwardPassError
from compgraph.explain import backward_steps, forward_steps
from compgraph.layout import (
    GRADIENT_COLOR,
    NAME_LIMIT,
    NUMBER_LIMIT,
    VALUE_COLOR,
    arrange,
    check_drawable,
    leaf_characters,
    node_label,
    number_text,
    readable,
    wires,
)
from compgraph.placing import RADIUS, X_STEP, Box, Room, Stretch, place, point, route
from compgraph.webpage import document

if TYPE_CHECKING:
    from compgraph.graph import ComputationalGraph

__all__ = ["PATH_LIMIT", "Step", "page", "steps", "to_html"]

#: The most paths a node's panel lists; a node with more gives their number.
PATH_LIMIT = 20
#: The decimals a node's panel adds to the drawing's, to show what was rounded.
_MORE_DIGITS = 4

_SCALE = 58  # pixels per unit of the drawing (see compgraph.placing)
#: The widest a character of the page's font is, in the drawing's units, by
#: its size in pixels.
_CHARACTER = {12: 7.4 / _SCALE, 14: 8.6 / _SCALE}
_SYMBOL_LIMIT = 10


@dataclass(frozen=True)
class Step:
    """One step of the page: in the ``"forward"`` or ``"backward"`` pass, at
    gate ``node`` (``None`` for the forward pass's opening, the numbers given),
    told by ``text`` as :func:`compgraph.explain.explain` tells it."""

    phase: str
    node: str | None
    text: str


def steps(graph: ComputationalGraph, digits: int = 2) -> list[Step]:
    """The steps the page goes through: the forward pass, its numbers given
    first and then each gate in evaluation order, then the backward pass, from
    its opening at the output back through each gate (none when no backward
    pass followed the latest forward pass, or when it was restricted with
    ``wrt`` and so left gradients out).

    Raises
    ------
    NoForwardPassError
        If no forward pass has run since the graph was built or changed.
    """
    _check_forward(graph)
    forward = [Step("forward", node, text) for node, text in forward_steps(graph, digits)]
    try:
        backward = backward_steps(graph, digits)
    except NoBackwardPassError:
        backward = []
    return forward + [Step("backward", node, text) for node, text in backward]


def to_html(
    graph: ComputationalGraph,
    path: str | os.PathLike[str],
    digits: int = 2,
    title: str | None = None,
) -> Path:
    """Write :func:`page` of ``graph`` to ``path`` (UTF-8); return ``path``.

    Raises
    ------
    ValueError
        If ``path`` is empty or does not end in ``.html`` or ``.htm``, or
        ``digits`` is not a whole number from 0 to 20.
    NoForwardPassError
        If no forward pass has run since the graph was built or changed.
    OutputError
        If the graph is empty or has several outputs.
    OSError
        If the file cannot be written (its folder missing, say).
    """
    if not os.fspath(path):
        raise ValueError("to_html: the path is empty; name a file ending in .html")
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"to_html: {str(path)!r} does not end in .html; name an .html file")
    if path.is_dir():
        raise IsADirectoryError(f"to_html: {str(path)!r} is a folder; name an .html file in it")
    text = page(graph, digits, title)
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"to_html: cannot write {str(path)!r}: there is no folder {str(path.parent)!r}"
        )
    path.write_text(text, encoding="utf-8")
    return path


def page(graph: ComputationalGraph, digits: int = 2, title: str | None = None) -> str:
    """The page as HTML text: the circuit, the steps of :func:`steps`, the
    controls and every node's panel, headed by ``title`` ("Stepping through"
    and the output's name by default).

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph.from_expression("x * y")
    >>> _ = g.forward(x=3, y=-4), g.backward()
    >>> text = page(g)
    >>> text.startswith("<!DOCTYPE html>"), "://" in text
    (True, False)
    """
    check_drawable(graph, "to_html")
    told = steps(graph, digits)  # checks digits and the forward pass
    names = list(graph)
    ids = {name: f"n{i}" for i, name in enumerate(names)}
    forward = sum(step.phase == "forward" for step in told)
    backward_start = forward if len(told) > forward else None
    value_step = {name: 0 for name in names}
    gate_step: dict[str, int] = {}  # each gate's own step in the backward pass
    for index, step in enumerate(told):
        if step.node is None:
            continue
        if index < forward:
            value_step[step.node] = index
        elif index > forward:  # after the backward pass's opening
            gate_step[step.node] = index
    circuit, grad_step, shares = _circuit(graph, digits, ids, value_step, gate_step, backward_start)
    try:
        listed: dict[str, Any] | str = every_path(graph, PATH_LIMIT) if grad_step else {}
    except GraphError as exc:  # an array, or a restricted backward pass
        listed = str(exc)
    nodes = [
        _node_data(graph, name, digits, value_step[name], grad_step.get(name), shares, listed)
        for name in names
    ]
    data = {
        "steps": [
            {"phase": s.phase, "node": None if s.node is None else ids[s.node], "text": s.text}
            for s in told
        ],
        "nodes": nodes,
        "output": ids[graph.output],
    }
    heading = title if title is not None else f"Stepping through {graph.output}"
    body = _BODY.format(
        title=escape(readable(heading)),
        digits=digits,
        circuit=circuit,
        last=len(told) - 1,
        backward=(
            ""
            if backward_start is not None
            else "<p class=note>No whole backward pass followed the forward pass (none "
            "ran, or it was restricted with <code>wrt</code>): run "
            "<code>g.backward()</code> before writing the page to step backward too.</p>"
        ),
    )
    return document(readable(heading), body, style=_STYLE, data=data, script=_SCRIPT)


def _check_forward(graph: ComputationalGraph) -> None:
    output = graph.output
    try:
        graph.value(output)
    except NoForwardPassError:
        raise NoForwardPassError(
            "to_html: no forward pass since the graph was built or changed; "
            "run forward (and backward) first, then write the page",
            output,
        ) from None


def _node_data(
    graph: ComputationalGraph,
    name: str,
    digits: int,
    value_step: int,
    grad_step: int | None,
    shares: dict[str, list[dict[str, Any]]],
    listed: dict[str, Any] | str,
) -> dict[str, Any]:
    """What a node's panel shows, and from which step on: its value, its
    gradient, the shares at a fork and its paths (``listed``: every node's,
    or why there are none)."""
    kind = graph.kind(name)
    gate = graph.gate(name) if kind == "gate" else None
    value = graph.value(name)
    item: dict[str, Any] = {
        "name": readable(name),
        "kind": kind if gate is None else f"gate {type(gate).__name__}",
        "value": number_text(value, digits),
        "valueMore": number_text(value, digits + _MORE_DIGITS),
        "valueStep": value_step,
        "grad": None,
        "shares": [],
        "paths": [],
        "pathNote": None,
    }
    if grad_step is None:
        return item
    grad = graph.grad(name)
    item.update(
        grad=number_text(grad, digits),
        gradMore=number_text(grad, digits + _MORE_DIGITS),
        gradStep=grad_step,
        shares=shares.get(name, []),
    )
    found = listed if isinstance(listed, str) else listed[name]
    if isinstance(found, str):
        item["pathNote"] = found
    elif isinstance(found, int):
        item["pathNote"] = (
            f"{found} paths lead to the output, too many to list here (g.paths lists them)"
        )
    else:
        item["paths"] = [
            {
                "path": " → ".join(readable(node, NAME_LIMIT) for node in path),
                "product": number_text(product, digits),
            }
            for path, product in found
        ]
    return item


def _circuit(
    graph: ComputationalGraph,
    digits: int,
    ids: dict[str, str],
    value_step: dict[str, int],
    gate_step: dict[str, int],
    backward_start: int | None,
) -> tuple[str, dict[str, int], dict[str, list[dict[str, Any]]]]:
    """The circuit as SVG, every number in it tagged with the step that shows it;
    with the step from which each node's gradient is whole (the output's at
    ``backward_start``, any other's when its last share arrived) and each
    node's shares, what each consumer sent it back and at which step (as
    :func:`compgraph.bookkeeping.contributions`); no gradients without a
    backward pass (``backward_start`` None).

    Placed as :func:`compgraph.draw.draw` places it (:mod:`compgraph.placing`):
    no number touches another label or a circle."""
    places, bends = arrange(graph)
    points = {name: point(place) for name, place in places.items()}
    labels = {name: node_label(graph, name) for name in places}
    gates = {name for name, (_, is_gate) in labels.items() if is_gate}
    sums = {
        name: f"Σ {readable(number_text(grad, digits), NUMBER_LIMIT)}"
        for name, grad in (fork_gradients(graph) if backward_start is not None else {}).items()
    }
    leaf_room = leaf_characters(labels, sums)
    heights = [y for _, y in points.values()]
    heights += [point(place)[1] for route in bends.values() for place in route]
    limits = (
        -0.3 - leaf_room * _CHARACTER[14],
        min(heights) - 0.8,
        max(x for x, _ in points.values()) + X_STEP * 0.85,
        max(heights) + 0.7,
    )
    room = Room(limits)
    canvas = _Canvas(limits)

    node_parts = []
    for name, (x, y) in points.items():
        label, is_gate = labels[name]
        shown = readable(label, _SYMBOL_LIMIT if is_gate else NAME_LIMIT)
        named = name.isidentifier() and name != label and is_gate  # a name given to it: q, f
        if is_gate:
            room.take_circle((x, y))
        else:
            room.take(_text_box((x - 0.08, y), shown, 14, "end"))
        if named:
            room.take(_text_box((x, y + RADIUS + 0.15), name, 12, "middle"))
        fork = None
        if name in sums:
            text = sums[name]
            at = (x, y - RADIUS - 0.18) if is_gate else (x - 0.08, y - 0.3)
            room.take(_text_box(at, text, 12, "middle" if is_gate else "end"))
            fork = (at, text)
        node_parts.append((name, shown, named, fork))

    lines = wires(graph, digits)
    stretches = []
    for number, wire in enumerate(lines):
        via = [] if wire.target is None else [point(p) for p in bends[wire.source, wire.target]]
        target = None if wire.target is None else points[wire.target]
        bend = wire.repeat - (wire.copies - 1) / 2
        stretches.append(route(points[wire.source], wire.source in gates, via, target, bend))
        room.take_wire(number, stretches[-1])

    wire_parts: list[str] = []
    grad_step: dict[str, int] = {}
    shares: dict[str, list[dict[str, Any]]] = {}
    for number, wire in enumerate(lines):
        if wire.target is None:
            sent_step = -1 if backward_start is None else backward_start
        else:
            sent_step = gate_step.get(wire.target, -1) if wire.gradient is not None else -1
            if sent_step >= 0:
                shares.setdefault(wire.source, []).append(
                    {
                        "to": readable(wire.target, NAME_LIMIT),
                        "slot": wire.slot,
                        "grad": wire.gradient,
                        "step": sent_step,
                    }
                )
                grad_step[wire.source] = max(grad_step.get(wire.source, 0), sent_step)
        numbers = [
            (kind, readable(text, NUMBER_LIMIT), shown, side)
            for text, kind, shown, side in (
                (wire.value, "value", value_step[wire.source], 1),
                (wire.gradient, "grad", sent_step, -1),
            )
            if text is not None and shown >= 0
        ]
        spots = place(
            room,
            number,
            stretches[number],
            [(side, _text_box((0.0, 0.0), text, 12, "middle")) for _, text, _, side in numbers],
        )
        texts = [
            f'<text class="num {kind}" data-show="{shown}" {canvas.at(anchor)}>'
            f"{escape(text)}</text>"
            for (kind, text, shown, _), (anchor, _) in zip(numbers, spots)
        ]
        into = "" if wire.target is None else ids[wire.target]
        wire_parts.append(
            f'<g class="wire" data-into="{into}"><path d="{canvas.path(stretches[number])}" '
            f'marker-end="url(#arrow)"/>' + "".join(texts) + "</g>"
        )
    nodes = [
        _node_svg(
            graph,
            name,
            ids[name],
            canvas,
            points[name],
            (shown, labels[name][1], named),
            None if fork is None else (*fork, grad_step[name]),
        )
        for name, shown, named, fork in node_parts
    ]
    width, height = canvas.size
    svg = (
        f'<svg width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="group" aria-label="the circuit">'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" '
        'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#333"/></marker></defs>' + "".join(wire_parts) + "".join(nodes) + "</svg>"
    )
    if backward_start is not None:
        grad_step[graph.output] = backward_start
    return svg, grad_step, shares


class _Canvas:
    """The drawing's units (y up) as the SVG's pixels (y down)."""

    def __init__(self, limits: Box) -> None:
        self._left, _, _, self._top = limits
        self.size = ((limits[2] - limits[0]) * _SCALE, (limits[3] - limits[1]) * _SCALE)

    def xy(self, at: tuple[float, float]) -> tuple[float, float]:
        return (at[0] - self._left) * _SCALE, (self._top - at[1]) * _SCALE

    def at(self, at: tuple[float, float]) -> str:
        """``at`` as an element's ``x`` and ``y`` attributes."""
        x, y = self.xy(at)
        return f'x="{x:.1f}" y="{y:.1f}"'

    def path(self, stretches: list[Stretch]) -> str:
        """A wire's stretches (the one into its gate first) as a path's ``d``:
        straight through the layers it skips, then an arc as matplotlib's
        ``arc3`` draws it (a quadratic curve)."""
        (start, end, bend), *before = stretches
        points = [stretch[0] for stretch in reversed(before)] + [start]
        (sx, sy), (ex, ey) = start, end
        control = ((sx + ex) / 2 + bend * (ey - sy), (sy + ey) / 2 - bend * (ex - sx))
        line = " L".join("{:.1f},{:.1f}".format(*self.xy(p)) for p in points)
        return "M{} Q{:.1f},{:.1f} {:.1f},{:.1f}".format(line, *self.xy(control), *self.xy(end))


def _text_box(at: tuple[float, float], text: str, size: int, anchor: str) -> Box:
    """The box, in the drawing's units, that ``text`` in a ``size``-pixel font
    takes when written at ``at`` with its ``anchor`` (``"middle"`` or
    ``"end"``) there and centred in height: an upper bound for the fonts a
    browser picks (digits and most letters are narrower than
    ``_CHARACTER``)."""
    width, height = len(text) * _CHARACTER[size], size * 1.25 / _SCALE
    x0 = at[0] - (width / 2 if anchor == "middle" else width)
    return x0, at[1] - height / 2, x0 + width, at[1] + height / 2


def _node_svg(
    graph: ComputationalGraph,
    name: str,
    node_id: str,
    canvas: _Canvas,
    at: tuple[float, float],
    label: tuple[str, bool, bool],
    fork_sum: tuple[tuple[float, float], str, int] | None,
) -> str:
    """A node: a gate's circle with its symbol (and, ``label[2]``, its name
    above), or a leaf's name; focusable, its whole name as its tooltip; at a
    fork the sum of its wires' gradients under it, shown from its step on."""
    text, is_gate, named = label
    whole = readable(name)
    kind = graph.kind(name)
    spoken = f"{kind} {whole}" if kind != "gate" else f"gate {whole} ({text})"
    x, y = canvas.xy(at)
    parts = [
        f'<g class="node{" gate" if is_gate else " leaf"}" id="{node_id}" tabindex="0" '
        f'role="button" aria-label="{escape(spoken)}"><title>{escape(whole)}</title>'
    ]
    if is_gate:
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{RADIUS * _SCALE:.1f}"/>')
        parts.append(f'<text class="symbol" x="{x:.1f}" y="{y:.1f}">{escape(text)}</text>')
        if named:
            parts.append(
                f'<text class="named" {canvas.at((at[0], at[1] + RADIUS + 0.15))}>'
                f"{escape(readable(name, NAME_LIMIT))}</text>"
            )
    else:
        hit = _text_box((at[0] - 0.08, at[1]), text, 14, "end")  # to click on
        (x0, y0), (x1, y1) = canvas.xy(hit[:2]), canvas.xy(hit[2:])
        parts.append(
            f'<rect class="hit" x="{x0:.1f}" y="{y1:.1f}" width="{x1 - x0:.1f}" '
            f'height="{y0 - y1:.1f}"/>'
        )
        parts.append(
            f'<text class="leafname" {canvas.at((at[0] - 0.08, at[1]))}>{escape(text)}</text>'
        )
    if fork_sum is not None:
        where, written, step = fork_sum
        parts.append(
            f'<text class="num grad sum{"" if is_gate else " right"}" data-show="{step}" '
            f"{canvas.at(where)}>{escape(written)}</text>"
        )
    parts.append("</g>")
    return "".join(parts)


_BODY = """<main>
<h1>{title}</h1>
<p class="legend">Values <span class="value">green</span> above each wire, gradients
<span class="grad">red</span> below, rounded to {digits} decimals; at a fork,
<span class="grad">Σ</span> under the node is its gradient, the sum of its wires'.
Step with the buttons, the slider or the arrow keys; choose a node (click it, or
Tab to it) to see its numbers.</p>
{backward}
<div class="stage">
<div class="circuit" id="circuit">{circuit}</div>
<aside>
<div class="controls" role="group" aria-label="step through the pass">
<button type="button" id="first" aria-keyshortcuts="Home">« First</button>
<button type="button" id="previous" aria-keyshortcuts="ArrowLeft">◀ Back</button>
<button type="button" id="next" aria-keyshortcuts="ArrowRight">Next ▶</button>
<button type="button" id="last" aria-keyshortcuts="End">Last »</button>
</div>
<label class="slider">Step <input type="range" id="step" min="0" max="{last}" value="0"></label>
<p id="where" aria-live="polite"></p>
<pre id="narration" aria-live="polite"></pre>
<section id="panel" aria-live="polite" aria-label="the chosen node">
<p class="note">No node chosen yet.</p>
</section>
</aside>
</div>
</main>"""

_STYLE = f"""
body {{ font-family: system-ui, sans-serif; margin: 1.2rem; color: #222; }}
h1 {{ font-size: 1.4rem; margin: 0 0 0.4rem; overflow-wrap: anywhere; }}
.legend, .note {{ color: #555; font-size: 0.9rem; max-width: 60rem; }}
.value {{ color: {VALUE_COLOR}; }}
.grad {{ color: {GRADIENT_COLOR}; }}
.stage {{ display: flex; flex-wrap: wrap; gap: 1.2rem; align-items: flex-start; }}
.circuit {{ flex: 3 1 34rem; overflow: auto; max-height: 82vh; border: 1px solid #ddd; }}
aside {{ flex: 1 1 22rem; position: sticky; top: 0; }}
.controls {{ display: flex; gap: 0.4rem; flex-wrap: wrap; }}
button {{ font: inherit; padding: 0.3rem 0.7rem; }}
button:focus, input:focus, .node:focus {{ outline: 3px solid #0969da; outline-offset: 2px; }}
.slider {{ display: flex; gap: 0.5rem; align-items: center; margin: 0.6rem 0; }}
.slider input {{ flex: 1; }}
#where {{ font-weight: 600; margin: 0.4rem 0; }}
#narration {{ background: #f6f8fa; padding: 0.6rem; white-space: pre-wrap;
  font-size: 0.85rem; min-height: 3rem; overflow-wrap: anywhere; }}
#panel {{ border-top: 1px solid #ddd; padding-top: 0.4rem; overflow-wrap: anywhere; }}
#panel h2 {{ font-size: 1.05rem; margin: 0.3rem 0; }}
#panel dl {{ display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 0.8rem; }}
#panel dt {{ color: #555; }}
#panel dd {{ margin: 0; }}
#panel li {{ font-size: 0.85rem; }}
svg {{ display: block; font-size: 13px; }}
svg path {{ fill: none; stroke: #333; stroke-width: 1.2; }}
svg marker path {{ fill: #333; stroke: none; }}
svg .num {{ font-size: 12px; text-anchor: middle; }}
svg .num {{ dominant-baseline: central; }}
svg .num.value {{ fill: {VALUE_COLOR}; }}
svg .num.grad {{ fill: {GRADIENT_COLOR}; }}
svg .num.sum {{ font-weight: bold; }}
svg .num.sum.right {{ text-anchor: end; }}
svg .num.hidden {{ display: none; }}
svg .node {{ cursor: pointer; }}
svg .node circle {{ fill: white; stroke: #333; stroke-width: 1.4; }}
svg .node .hit {{ fill: transparent; }}
svg .symbol {{ text-anchor: middle; dominant-baseline: central; font-size: 14px; }}
svg .named {{ text-anchor: middle; dominant-baseline: central; font-size: 12px; fill: #444; }}
svg .leafname {{ text-anchor: end; dominant-baseline: central; font-size: 14px; }}
svg .node.waiting {{ opacity: 0.35; }}
svg .node.current circle {{ fill: #fff8c5; stroke: #0969da; stroke-width: 3.5; }}
svg .node.current .leafname {{ fill: #0969da; font-weight: bold; }}
svg .node.chosen circle {{ stroke: #8250df; stroke-width: 3; }}
svg .node.chosen .leafname {{ fill: #8250df; font-weight: bold; }}
svg .wire.active path {{ stroke: #0969da; stroke-width: 2.6; }}
svg .num.fresh {{ font-weight: bold; font-size: 13px; }}
"""

# Every number is drawn in the page from the start and shown from its step on;
# a step only changes classes, so a page of a few hundred gates steps at once.
_SCRIPT = """
"use strict";
const data = JSON.parse(document.getElementById("compgraph-data").textContent);
const numbers = Array.from(document.querySelectorAll("svg .num"));
const nodes = Array.from(document.querySelectorAll("svg .node"));
const wiresInto = {};
for (const wire of document.querySelectorAll("svg .wire")) {
  (wiresInto[wire.dataset.into] = wiresInto[wire.dataset.into] || []).push(wire);
}
const slider = document.getElementById("step");
const panel = document.getElementById("panel");
let current = 0;
let chosen = null;

function show(index) {
  current = Math.max(0, Math.min(data.steps.length - 1, index));
  const step = data.steps[current];
  for (const number of numbers) {
    const from = Number(number.dataset.show);
    number.classList.toggle("hidden", from > current);
    number.classList.toggle("fresh", from === current);
  }
  for (const node of nodes) {
    const info = data.nodes[Number(node.id.slice(1))];
    node.classList.toggle("waiting", info.valueStep > current);
    node.classList.toggle("current", node.id === step.node);
  }
  for (const wire of document.querySelectorAll("svg .wire.active")) {
    wire.classList.remove("active");
  }
  if (step.node !== null && step.phase === "backward" && current > 0 &&
      data.steps[current - 1].phase === "backward") {
    for (const wire of wiresInto[step.node] || []) wire.classList.add("active");
  } else if (step.node !== null && step.phase === "forward") {
    for (const wire of wiresInto[step.node] || []) wire.classList.add("active");
  }
  const total = data.steps.length;
  document.getElementById("where").textContent =
    "Step " + (current + 1) + " of " + total + ": the " + step.phase + " pass";
  document.getElementById("narration").textContent = step.text;
  slider.value = String(current);
  document.getElementById("first").disabled = current === 0;
  document.getElementById("previous").disabled = current === 0;
  document.getElementById("next").disabled = current === total - 1;
  document.getElementById("last").disabled = current === total - 1;
  if (step.node !== null) {
    const gate = document.getElementById(step.node);
    if (gate.scrollIntoView) gate.scrollIntoView({block: "nearest", inline: "nearest"});
  }
  if (chosen !== null) describe(chosen);
}

function item(parent, tag, text) {
  const element = document.createElement(tag);
  element.textContent = text;
  parent.appendChild(element);
  return element;
}

function describe(id) {
  chosen = id;
  for (const node of nodes) node.classList.toggle("chosen", node.id === id);
  const info = data.nodes[Number(id.slice(1))];
  panel.replaceChildren();
  item(panel, "h2", info.name);
  const facts = item(panel, "dl", "");
  item(facts, "dt", "kind");
  item(facts, "dd", info.kind);
  item(facts, "dt", "value");
  item(facts, "dd", info.valueStep <= current ?
    info.value + (info.valueMore !== info.value ? " (" + info.valueMore + ")" : "") :
    "not computed yet at this step");
  item(facts, "dt", "gradient");
  if (info.grad === null) {
    item(facts, "dd", "no backward pass ran");
  } else if (info.gradStep > current) {
    item(facts, "dd", "not yet: the backward pass has not brought all of it back");
  } else {
    item(facts, "dd", info.grad + (info.gradMore !== info.grad ? " (" + info.gradMore + ")" : ""));
  }
  if (info.shares.length > 1) {
    item(panel, "p", "A fork: each gate it feeds sends back a share, and the shares add up.");
    const list = item(panel, "ul", "");
    for (const share of info.shares) {
      item(list, "li", "from " + share.to + " (its input " + share.slot + "): " +
        (share.step <= current ? share.grad : "not sent yet"));
    }
  }
  if (info.grad !== null && info.gradStep <= current) {
    if (info.pathNote !== null) {
      item(panel, "p", "Paths to the output: " + info.pathNote + ".");
    } else if (info.paths.length > 0 && id !== data.output) {
      item(panel, "p", "Its paths to the output, each with the product of the local " +
        "gradients along it (the products add up to its gradient):");
      const list = item(panel, "ul", "");
      for (const path of info.paths) item(list, "li", path.path + ": " + path.product);
    }
  }
}

for (const node of nodes) {
  node.addEventListener("click", () => describe(node.id));
  node.addEventListener("focus", () => describe(node.id));
}
document.getElementById("first").addEventListener("click", () => show(0));
document.getElementById("previous").addEventListener("click", () => show(current - 1));
document.getElementById("next").addEventListener("click", () => show(current + 1));
document.getElementById("last").addEventListener("click", () => show(data.steps.length - 1));
slider.addEventListener("input", () => show(Number(slider.value)));
document.addEventListener("keydown", (event) => {
  if (event.target === slider || event.altKey || event.ctrlKey || event.metaKey) return;
  const moves = {ArrowRight: current + 1, ArrowLeft: current - 1,
                 Home: 0, End: data.steps.length - 1};
  if (event.key in moves) {
    event.preventDefault();
    show(moves[event.key]);
  }
});
show(0);
"""
