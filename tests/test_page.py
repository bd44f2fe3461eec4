"""compgraph.page: the page that steps through a pass, read as its data and its
SVG, and driven in a real (headless) browser as a student uses it."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compgraph import ComputationalGraph
from compgraph.errors import NoForwardPassError, OutputError
from compgraph.layout import wires
from compgraph.lectures import grouped_neuron, neuron
from compgraph.nn import mlp
from compgraph.page import PATH_LIMIT, page, steps
from compgraph.webpage import DATA_ID
from gates import AddGate, MaxGate, MulGate, SigmoidGate, SubGate

SHOTS = Path("/tmp/page-shots")

# The lecture's sigmoid neuron, one gate per step: the numbers each step puts on the wires.
NEURON_FORWARD = [["-1", "-2", "-3", "-3", "2"], ["-2"], ["6"], ["4"], ["1"], ["0.73"]]
NEURON_BACKWARD = [
    ["1"],
    ["0.2"],
    ["0.2", "0.2"],
    ["0.2", "0.2"],
    ["-0.39", "-0.59"],
    ["-0.2", "0.39"],
]


def _run(g: ComputationalGraph, feeds: dict[str, Any]) -> ComputationalGraph:
    g.forward(feeds)
    g.backward()
    return g


def _svg(text: str) -> ET.Element:
    return ET.fromstring(text[text.index("<svg") : text.index("</svg>") + len("</svg>")])


def _data(text: str) -> dict[str, Any]:
    start = text.index(f'<script id="{DATA_ID}" type="application/json">')
    body = text[start:].split(">", 1)[1]
    return json.loads(body[: body.index("</script>")])


def _shown_by_step(text: str) -> dict[int, list[str]]:
    """The numbers on the circuit, by the step that shows them."""
    found: dict[int, list[str]] = {}
    for element in _svg(text).iter("text"):
        if "num" in element.get("class", "").split():
            found.setdefault(int(element.get("data-show", "-1")), []).append(element.text or "")
    return {step: sorted(numbers) for step, numbers in sorted(found.items())}


# ---------------------------------------------------------------- the data


def test_the_neuron_steps_forward_then_backward_gate_by_gate() -> None:
    g, feeds = neuron()
    told = steps(_run(g, feeds))
    assert [(s.phase, s.node) for s in told] == [
        ("forward", None),
        ("forward", "w0*x0"),
        ("forward", "w1*x1"),
        ("forward", "sum"),
        ("forward", "dot"),
        ("forward", "f"),
        ("backward", "f"),  # the opening: gradient 1 at the output
        ("backward", "f"),
        ("backward", "dot"),
        ("backward", "sum"),
        ("backward", "w1*x1"),
        ("backward", "w0*x0"),
    ]
    assert told[1].text.startswith("* 'w0*x0' = -2, computed by MulGate")
    assert "sends 0.39" in told[-1].text  # as explain tells it


def test_each_number_on_the_circuit_shows_from_the_step_that_computes_it() -> None:
    g, feeds = neuron()
    shown = _shown_by_step(page(_run(g, feeds)))
    assert list(shown.values()) == [sorted(n) for n in NEURON_FORWARD + NEURON_BACKWARD]


def test_a_fork_gets_its_sum_once_its_last_share_is_back() -> None:
    g = _run(ComputationalGraph.from_expression("q = x*x; f = q*q + q"), {"x": 2})
    text = page(g)
    told = steps(g)
    sums = {
        element.text: int(element.get("data-show", "-1"))
        for element in _svg(text).iter("text")
        if "sum" in element.get("class", "").split()
    }
    last = {node: i for i, s in enumerate(told) if s.phase == "backward" for node in [s.node]}
    assert sums == {"Σ 9": last["q * q"], "Σ 36": last["q"]}
    nodes = {node["name"]: node for node in _data(text)["nodes"]}
    assert [(s["to"], s["slot"], s["grad"]) for s in nodes["q"]["shares"]] == [
        ("q * q", 0, "4"),
        ("q * q", 1, "4"),
        ("f", 1, "1"),
    ]
    assert [s["step"] for s in nodes["q"]["shares"]] == [last["q * q"]] * 2 + [last["f"]]
    assert nodes["q"]["gradStep"] == last["q * q"]
    # x = 2 feeds q = x * x twice, q = 4 feeds q * q twice and f once: 6 paths
    assert [(p["path"], p["product"]) for p in nodes["x"]["paths"]] == [
        ("x → q → q * q → f", "8"),
        ("x → q → q * q → f", "8"),
        ("x → q → f", "2"),
    ] * 2


def test_the_panel_holds_the_value_gradient_and_paths_with_more_digits() -> None:
    g, feeds = neuron()
    nodes = {node["name"]: node for node in _data(page(_run(g, feeds)))["nodes"]}
    x0 = nodes["x0"]
    assert (x0["value"], x0["grad"], x0["gradMore"]) == ("-1", "0.39", "0.393224")
    assert x0["paths"] == [{"path": "x0 → w0*x0 → sum → dot → f", "product": "0.39"}]
    assert nodes["f"]["kind"] == "gate SigmoidGate" and nodes["w0"]["kind"] == "parameter"
    assert nodes["dot"]["valueMore"] == "1"  # an exact number gets no more digits


def test_a_node_with_too_many_paths_gives_their_number() -> None:
    g = ComputationalGraph()
    g.add_input("x")
    last = "x"
    for stage in range(6):  # x squared 6 times: 64 paths
        last = g.add_gate(f"s{stage}", MulGate(), [last, last])
    nodes = {node["name"]: node for node in _data(page(_run(g, {"x": 1.01})))["nodes"]}
    assert nodes["x"]["paths"] == [] and nodes["x"]["pathNote"].startswith("64 paths lead")
    assert len(nodes["s2"]["paths"]) == 8 <= PATH_LIMIT


def test_arrays_are_stepped_through_without_paths() -> None:
    g = ComputationalGraph.from_expression("w * x + w")
    text = page(_run(g, {"w": np.array([1.0, 2.0]), "x": np.array([3.0, -4.0])}))
    nodes = {node["name"]: node for node in _data(text)["nodes"]}
    assert nodes["w"]["grad"] == "[4, -3]"
    assert "holds an array of shape (2,)" in nodes["w"]["pathNote"]


def test_without_a_backward_pass_the_page_steps_forward_and_says_so() -> None:
    g, feeds = neuron()
    g.forward(feeds)
    text = page(g)
    assert {s.phase for s in steps(g)} == {"forward"}
    assert "No whole backward pass followed" in text
    assert all(node["grad"] is None for node in _data(text)["nodes"])
    assert max(_shown_by_step(text)) == len(NEURON_FORWARD) - 1


def test_a_restricted_backward_pass_is_stepped_forward_only_and_says_so() -> None:
    g, feeds = neuron()
    g.forward(feeds)
    g.backward(wrt=["w0"])  # leaves out the gradients w0's does not need
    text = page(g)
    assert "restricted with <code>wrt</code>" in text
    assert {s.phase for s in steps(g)} == {"forward"}


def test_refusals_name_what_is_wrong(tmp_path: Path) -> None:
    g = ComputationalGraph.from_expression("x * y")
    with pytest.raises(NoForwardPassError, match="to_html: no forward pass"):
        g.to_html(tmp_path / "f.html")
    g.forward(x=1, y=2)
    with pytest.raises(ValueError, match=r"does not end in \.html"):
        g.to_html(tmp_path / "f.svg")
    with pytest.raises(ValueError, match="the path is empty"):
        g.to_html("")
    with pytest.raises(FileNotFoundError, match="there is no folder"):
        g.to_html(tmp_path / "missing" / "f.html")
    with pytest.raises(ValueError, match="digits"):
        g.to_html(tmp_path / "f.html", digits=-1)
    with pytest.raises(OutputError):
        ComputationalGraph().to_html(tmp_path / "f.html")
    assert not list(tmp_path.iterdir())  # nothing written by a refusal
    assert g.to_html(tmp_path / "f.html").is_file()  # and the graph still works


def test_names_that_look_like_markup_stay_text() -> None:
    g = ComputationalGraph()
    g.add_input("</script><b>x")
    g.add_gate("f & <g>", SigmoidGate(), ["</script><b>x"])
    text = page(_run(g, {"</script><b>x": 0.5}))
    assert text.count("</script>") == 2 and "<b>" not in text
    assert [node["name"] for node in _data(text)["nodes"]] == ["</script><b>x", "f & <g>"]
    assert "<title>f &amp; &lt;g&gt;</title>" in text  # the node's tooltip


def test_composites_are_one_step_or_opened(tmp_path: Path) -> None:
    g, feeds = grouped_neuron()
    _run(g, feeds)
    assert [s.node for s in steps(g) if s.phase == "forward"][-1] == "f"
    text = g.to_html(tmp_path / "opened.html", opened=["f"]).read_text(encoding="utf-8")
    names = [node["name"] for node in _data(text)["nodes"]]
    assert "exp" in names and len(names) > len(list(g))


GATE_KINDS = [AddGate, SubGate, MulGate, SigmoidGate, MaxGate]


@st.composite
def random_graphs(draw: st.DrawFn) -> ComputationalGraph:
    """A DAG grown gate by gate, with forks and ``x * x``, one output."""
    g = ComputationalGraph()
    nodes = [g.add_input(f"x{i}") for i in range(draw(st.integers(1, 3)))]
    consumed: set[str] = set()
    for k in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(GATE_KINDS))
        inputs = [draw(st.sampled_from(nodes)) for _ in range(1 if kind is SigmoidGate else 2)]
        nodes.append(g.add_gate(f"g{k}", kind(), inputs))
        consumed.update(inputs)
    loose = [name for name in nodes if name not in consumed]
    if len(loose) > 1:
        g.add_gate("out", AddGate(), loose)
    feeds = {name: draw(st.floats(-2, 2)) for name in g if g.kind(name) == "input"}
    return _run(g, feeds)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_graphs())
def test_stepped_to_the_end_the_circuit_shows_every_wire_s_numbers(g: ComputationalGraph) -> None:
    text = page(g)
    told = steps(g)
    shown = _shown_by_step(text)
    assert all(0 <= step < len(told) for step in shown)
    on_wires = sorted(
        [w.value for w in wires(g) if w.value is not None]
        + [w.gradient for w in wires(g) if w.gradient is not None]
    )
    sums = [number for numbers in shown.values() for number in numbers if number.startswith("Σ")]
    assert sorted(n for ns in shown.values() for n in ns if not n.startswith("Σ")) == on_wires
    assert len(sums) == sum(len(g.contributions(name)) > 1 for name in g)
    # A gate's step comes after its inputs' and, backward, after its consumers'.
    index = {(s.phase, s.node): i for i, s in enumerate(told)}
    for name in g:
        for source in g.inputs(name):
            if g.inputs(source):
                assert index["forward", source] < index["forward", name]
                assert index["backward", name] < index["backward", source]


# ---------------------------------------------------------------- in a browser


def _fresh(browser: Any) -> list[str]:
    """The numbers the current step put on the circuit, as the page shows them."""
    from selenium.webdriver.common.by import By

    return sorted(
        element.text
        for element in browser.find_elements(By.CSS_SELECTOR, "svg .num.fresh")
        if element.is_displayed()
    )


def _open(browser: Any, path: Path) -> None:
    """Load the page, with the browser's logs of what came before it emptied."""
    browser.get_log("browser"), browser.get_log("performance")
    browser.get(path.as_uri())


def _network_and_errors(browser: Any, page: Path) -> tuple[list[str], list[Any]]:
    """The requests the page made (itself included) and the errors the browser logged."""
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    sent = [
        json.loads(entry["message"])["message"]["params"]
        for entry in browser.get_log("performance")
        if '"Network.requestWillBeSent"' in entry["message"]
    ]
    return [p["request"]["url"] for p in sent if p.get("documentURL") == page.as_uri()], errors


def test_stepping_the_neuron_shows_the_lectures_numbers_in_order(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    g, feeds = neuron()
    path = _run(g, feeds).to_html(tmp_path / "neuron.html")
    _open(browser, path)
    next_button = browser.find_element(By.ID, "next")
    seen = [_fresh(browser)]
    narration = [browser.find_element(By.ID, "narration").text]
    for _ in range(len(NEURON_FORWARD + NEURON_BACKWARD) - 1):
        next_button.click()
        seen.append(_fresh(browser))
        narration.append(browser.find_element(By.ID, "narration").text)
    assert seen == [sorted(n) for n in NEURON_FORWARD + NEURON_BACKWARD]
    assert narration[5].startswith("σ 'f' = 0.73, computed by SigmoidGate")
    assert browser.find_element(By.ID, "where").text == "Step 12 of 12: the backward pass"
    assert not next_button.is_enabled()
    assert "current" in browser.find_element(By.ID, "n5").get_attribute("class")  # w0*x0

    # Every gradient on the wires is the lecture's once the pass is through.
    grads = sorted(e.text for e in browser.find_elements(By.CSS_SELECTOR, "svg .num.grad"))
    assert grads == sorted(
        ["1", "0.2", "0.2", "0.2", "0.2", "0.2", "-0.39", "-0.59", "-0.2", "0.39"]
    )
    SHOTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(SHOTS / "neuron-step.png"))

    # The keyboard: arrows step, Home and End jump; the numbers go as they came.
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.ARROW_LEFT)
    assert _fresh(browser) == ["-0.39", "-0.59"]
    body.send_keys(Keys.HOME)
    assert _fresh(browser) == sorted(NEURON_FORWARD[0])
    assert not browser.find_elements(By.CSS_SELECTOR, "svg .num.grad:not(.hidden)")
    body.send_keys(Keys.END)
    assert _fresh(browser) == ["-0.2", "0.39"]

    # A node's panel, reached by Tab from the controls as a keyboard user does.
    from selenium.webdriver.common.action_chains import ActionChains

    browser.find_element(By.TAG_NAME, "h1").click()  # Tab goes on from the top of the page
    ActionChains(browser).send_keys(Keys.TAB * 4).perform()  # w0, w1, w2, then x0
    x0 = browser.switch_to.active_element
    assert x0.get_attribute("aria-label") == "input x0"
    panel = browser.find_element(By.ID, "panel").text
    assert "value\n-1" in panel and "gradient\n0.39 (0.393224)" in panel
    assert "x0 → w0*x0 → sum → dot → f: 0.39" in panel
    body.send_keys(Keys.HOME)  # the panel follows the step
    assert "not yet" in browser.find_element(By.ID, "panel").text

    labels = [b.text for b in browser.find_elements(By.CSS_SELECTOR, ".controls button")]
    assert labels == ["« First", "◀ Back", "Next ▶", "Last »"]
    assert browser.find_element(By.ID, "step").get_attribute("max") == "11"
    requests, errors = _network_and_errors(browser, path)
    assert errors == []
    assert requests == [path.as_uri()]  # the page itself, and nothing else


def test_a_fork_panel_gives_each_share_in_the_browser(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    g = _run(ComputationalGraph.from_expression("q = x*x; f = q*q + q"), {"x": 2})
    path = g.to_html(tmp_path / "fork.html")
    _open(browser, path)
    browser.find_element(By.ID, "n1").click()  # q
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.END)
    panel = browser.find_element(By.ID, "panel").text
    assert (
        "from q * q (its input 0): 4\nfrom q * q (its input 1): 4\nfrom f (its input 1): 1" in panel
    )
    assert "gradient\n9" in panel
    sums = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "svg .sum") if e.is_displayed()]
    assert sorted(sums) == ["Σ 36", "Σ 9"]
    browser.save_screenshot(str(SHOTS / "fork.png"))
    assert _network_and_errors(browser, path)[1] == []


def test_a_page_of_a_few_hundred_gates_stays_usable(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    g = ComputationalGraph()
    mlp(g, [3, 16, 16, 1], flavour="scalar", activation="tanh")
    gates = sum(bool(g.inputs(name)) for name in g)
    assert gates > 300
    _run(g, {name: 0.5 for name in g if g.kind(name) == "input"})
    path = g.to_html(tmp_path / "mlp.html")
    _open(browser, path)
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.END)
    assert browser.find_element(By.ID, "where").text.startswith(f"Step {len(steps(g))} of")
    hidden = browser.find_elements(By.CSS_SELECTOR, "svg .num.hidden")
    assert hidden == []  # every number shown at the end
    current = browser.find_element(By.CSS_SELECTOR, "svg .node.current")
    browser.execute_script("arguments[0].focus()", current)
    assert "gradient" in browser.find_element(By.ID, "panel").text
    browser.save_screenshot(str(SHOTS / f"mlp-{gates}-gates.png"))
    assert _network_and_errors(browser, path)[1] == []


def test_the_pages_in_the_docs_are_those_the_lectures_make_now(tmp_path: Path) -> None:
    from compgraph.lectures import write_pages

    docs = Path(__file__).parent.parent / "docs" / "pages"
    for made in write_pages(tmp_path):
        kept = docs / made.name
        assert kept.is_file(), f"docs/pages/{made.name} is missing: run docs/make_worksheets.py"
        assert kept.read_text(encoding="utf-8") == made.read_text(encoding="utf-8"), (
            f"docs/pages/{made.name} is out of date: run docs/make_worksheets.py"
        )


_BOXES = """
const shapes = [];
for (const element of document.querySelectorAll("svg text, svg circle")) {
  const box = element.getBoundingClientRect();
  if (box.width === 0) continue;  // not shown at this step
  const node = element.closest(".node");
  shapes.push({text: element.textContent, node: node === null ? null : node.id,
               symbol: element.classList.contains("symbol") || element.tagName === "circle",
               box: [box.left, box.top, box.right, box.bottom]});
}
return shapes;
"""


@pytest.mark.parametrize("example", ["the-exercise", "sigmoid-neuron-decomposed", "f-x-y-z"])
def test_no_two_labels_on_a_page_touch(browser, tmp_path: Path, example: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from compgraph.lectures import write_pages

    [path] = [page for page in write_pages(tmp_path) if page.stem == example]
    _open(browser, path)
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.END)  # every number shown
    shapes = browser.execute_script(_BOXES)
    assert len(shapes) > 10
    for i, one in enumerate(shapes):
        for other in shapes[i + 1 :]:
            if one["symbol"] and other["symbol"] and one["node"] == other["node"]:
                continue  # a gate's symbol in its own circle
            a, b = one["box"], other["box"]
            apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
            assert apart, f"{one['text']!r} touches {other['text']!r} on {example}"
