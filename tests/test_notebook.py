"""compgraph.notebook: what a notebook shows, read from a real Jupyter kernel.

docs/notebook.ipynb is executed with nbclient in a kernel run by this very
Python (a kernel spec written to a temporary JUPYTER_PATH), and the MIME types
of its output cells are read: a graph as SVG, text as text (no quotes), the
training bar as a widget.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from compgraph import ComputationalGraph, gradcheck_report, pass_table
from compgraph import notebook as nbshow
from compgraph.notebook import Drawing, Text

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "notebook.ipynb"
SVG = "image/svg+xml"
WIDGET = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The notebook's code cells after a run: each one's source and outputs."""
    home = tmp_path_factory.mktemp("jupyter")
    spec = home / "kernels" / "compgraph-test"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "compgraph test", "language": "python"})
    )
    work = tmp_path_factory.mktemp("work")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", str(home))
        patch.setenv("JUPYTER_PLATFORM_DIRS", "1")
        patch.setenv("JUPYTER_RUNTIME_DIR", str(home / "runtime"))  # connection files
        patch.setenv("IPYTHONDIR", str(home / "ipython"))  # no user's profile
        patch.setenv("MPLBACKEND", "Agg")
        notebook = nbformat.read(NOTEBOOK, as_version=4)
        client = NotebookClient(
            notebook,
            kernel_name="compgraph-test",
            timeout=60,
            resources={"metadata": {"path": str(work)}},
        )
        client.execute()
    assert (work / "f.svg").is_file()
    return [
        {"source": cell.source, "outputs": cell.outputs}
        for cell in notebook.cells
        if cell.cell_type == "code"
    ]


def shown(cells: list[dict[str, Any]], start: str) -> dict[str, Any]:
    """The data of the one result of the cell whose source starts with ``start``."""
    cell = next(cell for cell in cells if cell["source"].startswith(start))
    results = [out for out in cell["outputs"] if out["output_type"] == "execute_result"]
    assert len(results) == 1, cell["outputs"]
    data: dict[str, Any] = results[0]["data"]
    return data


def test_no_cell_writes_an_error_or_a_warning(executed: list[dict[str, Any]]) -> None:
    for cell in executed:
        for out in cell["outputs"]:
            assert out["output_type"] != "error", out
            if out["output_type"] == "stream":
                assert "Warning" not in out["text"], (cell["source"], out["text"])


def test_a_graph_shows_as_its_circuit_with_the_pass(executed: list[dict[str, Any]]) -> None:
    data = shown(executed, "from compgraph import")
    assert SVG in data
    svg = data[SVG]
    for number in ("-12", "3", "-4"):  # f, q, and the gradients on x, y and q
        assert f">{number}<" in svg or f"{number}" in svg
    assert "q" in svg and "f" in svg
    assert data["text/plain"].startswith("<ComputationalGraph: 3 inputs, 0 parameters, 2 gates>")
    assert SVG in shown(executed, "j = ComputationalGraph")


def test_explain_and_tables_show_as_text_not_as_a_quoted_string(
    executed: list[dict[str, Any]],
) -> None:
    text = shown(executed, "g.explain()")["text/plain"]
    assert text.startswith("Backward pass from the output 'f' = -12, starting with gradient 1.")
    assert "\n" in text and "\\n" not in text
    table = shown(executed, "pass_table(g)")["text/plain"]
    assert table.splitlines()[0].split() == ["node", "gate", "inputs", "value", "grad"]
    assert table.splitlines()[-1].split() == ["f", "*", "MulGate", "q,", "z", "-12", "1"]


def test_a_drawing_shows_as_its_image(executed: list[dict[str, Any]]) -> None:
    data = shown(executed, 'g.draw("f.svg")')
    assert SVG in data and "-12" in data[SVG]
    assert data["text/plain"].endswith("('f.svg')")


def test_kinks_and_a_check_report_show_as_text(executed: list[dict[str, Any]]) -> None:
    kinks = shown(executed, "m = ComputationalGraph")["text/plain"]
    assert kinks == "[('m', 'a tie, x == y: the whole gradient goes to x, the first input')]"
    report = shown(executed, "gradcheck_report(m)")["text/plain"]
    assert report.splitlines()[0].split() == [
        "node",
        "gate",
        "input",
        "abs",
        "error",
        "rel",
        "error",
        "result",
    ]
    assert "the gate ran at a kink (a tie, x == y" in report
    assert "GradcheckReport(" not in report


def test_training_shows_a_widget(executed: list[dict[str, Any]]) -> None:
    cell = next(cell for cell in executed if "train(" in cell["source"])
    widgets = [
        out
        for out in cell["outputs"]
        if out["output_type"] == "display_data" and WIDGET in out["data"]
    ]
    assert widgets, cell["outputs"]
    assert "training" in widgets[0]["data"]["text/plain"]
    assert shown(executed, "from compgraph import datasets")["text/plain"] == "True"


# ----------------------------------------------------------- without a kernel


def lecture_graph() -> ComputationalGraph:
    g = ComputationalGraph.from_expression("q = x + y; f = q * z")
    g.forward(x=-2, y=5, z=-4)
    g.backward()
    return g


def test_text_is_a_str_that_ipython_prints_as_its_lines() -> None:
    from IPython.lib.pretty import pretty

    g = lecture_graph()
    for text in (g.explain(), pass_table(g)):
        assert isinstance(text, str) and isinstance(text, Text)
        assert pretty(text) == str(text)
    assert pretty(gradcheck_report(g)) == str(gradcheck_report(g))
    assert pretty(g).splitlines()[0] == repr(g)


def test_a_graph_too_large_or_not_drawable_shows_as_text(monkeypatch: pytest.MonkeyPatch) -> None:
    big = ComputationalGraph.from_expression(" + ".join(f"x{i}" for i in range(nbshow.MAX_DRAWN)))
    assert len(big) > nbshow.MAX_DRAWN
    assert big._repr_svg_() is None
    from IPython.lib.pretty import pretty

    assert pretty(big) == repr(big)  # no table of hundreds of rows either
    assert ComputationalGraph()._repr_svg_() is None
    two_outputs = ComputationalGraph()
    two_outputs.add_input("x")
    two_outputs.add_input("y")
    assert two_outputs._repr_svg_() is None
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed
    assert lecture_graph()._repr_svg_() is None


def test_a_graph_before_any_pass_is_drawn_bare() -> None:
    svg = ComputationalGraph.from_expression("q = x + y; f = q * z")._repr_svg_()
    assert svg is not None and svg.startswith("<?xml")


def test_a_drawing_is_a_path_showing_its_image(tmp_path: Path) -> None:
    g = lecture_graph()
    svg = g.draw(tmp_path / "f.svg")
    png = g.draw(tmp_path / "f.png")
    assert isinstance(svg, Path) and isinstance(svg, Drawing) and svg == tmp_path / "f.svg"
    assert svg._repr_svg_() == (tmp_path / "f.svg").read_text() and svg._repr_png_() is None
    assert png._repr_png_() == (tmp_path / "f.png").read_bytes() and png._repr_svg_() is None
    assert svg.parent._repr_svg_() is None
