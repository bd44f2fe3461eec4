"""The project's modules stack in layers, with no import circle.

Lowest first: ``gates`` (numpy only), the engine, the tools around a graph,
training, the command line, and on top the ``compgraph`` package's public face.
A module imports at module level only from its own layer or below. An import
inside a function may go up only where :data:`DELEGATIONS` says so (the
convenience methods of ``ComputationalGraph``, the lazy ``gates.check_gate``).

Run as a script to print the module graph::

    python tests/test_module_graph.py
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("gates", "compgraph")

#: Each module's layer, by the longest matching name prefix.
LAYERS = {
    "gates": 0,
    "compgraph._version": 1,  # imports nothing
    "compgraph.errors": 1,
    "compgraph._shapes": 1,
    "compgraph._values": 1,
    "compgraph.schedule": 1,
    "compgraph.kernel": 1,
    "compgraph.graph": 1,
    "compgraph.composite": 1,
    "compgraph.nxgraph": 1,
    "compgraph._finite": 2,
    "compgraph.checking": 2,
    "compgraph.gatecheck": 2,
    "compgraph.gradcheck": 2,
    "compgraph.testing": 2,
    "compgraph.table": 2,
    "compgraph.explain": 2,
    "compgraph.bookkeeping": 2,
    "compgraph.kinks": 2,
    "compgraph.notebook": 2,
    "compgraph.layout": 2,
    "compgraph.placing": 2,  # imports nothing of the project
    "compgraph.draw": 2,
    "compgraph.dot": 2,
    "compgraph.expression": 2,
    "compgraph.lectures": 2,
    "compgraph.webpage": 2,  # imports nothing of the project
    "compgraph.page": 2,
    "compgraph.exercise": 2,
    "compgraph.files": 2,
    "compgraph.lint": 2,
    "compgraph.datasets": 3,
    "compgraph.nn": 3,
    "compgraph.optim": 3,
    "compgraph.training": 3,
    "compgraph.plotting": 3,
    "compgraph.moons": 3,
    "compgraph.cli": 4,
    "compgraph": 5,  # the package's __init__: the public names of every layer
}
LAYER_NAMES = ["gates", "engine", "tools", "training", "command line", "public face"]

#: (importing module, imported module prefix): imports inside a function that may go up.
DELEGATIONS = {
    ("compgraph.graph", "compgraph.bookkeeping"),
    ("compgraph.graph", "compgraph.composite"),
    ("compgraph.graph", "compgraph.draw"),
    ("compgraph.graph", "compgraph.dot"),
    ("compgraph.graph", "compgraph.explain"),
    ("compgraph.graph", "compgraph.expression"),
    ("compgraph.graph", "compgraph.files"),
    ("compgraph.graph", "compgraph.kinks"),
    ("compgraph.graph", "compgraph.lint"),
    ("compgraph.graph", "compgraph.notebook"),
    ("compgraph.graph", "compgraph.page"),
    ("gates", "compgraph.gatecheck"),
    ("gates", "compgraph"),  # that import runs the compgraph package's __init__
}


class Import(NamedTuple):
    source: str
    target: str
    line: int
    deferred: bool  # inside a function: runs when called, not at import


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(name: str, path: Path, known: set[str]) -> list[Import]:
    """The project modules ``name`` imports, left out those for type checking only."""
    found: list[Import] = []

    def resolve(module: str, names: list[str]) -> list[str]:
        # ``from compgraph import nn`` imports the module compgraph.nn (and compgraph).
        targets = [f"{module}.{n}" for n in names if f"{module}.{n}" in known]
        return targets or [module]

    def visit(node: ast.AST, deferred: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other, deferred)
                continue
            inner = deferred or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if isinstance(child, ast.Import):
                targets = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                targets = resolve(child.module, [alias.name for alias in child.names])
            else:
                visit(child, inner)
                continue
            for target in targets:
                package = target.split(".")[0]
                if package not in PACKAGES:
                    continue
                found.append(Import(name, target, child.lineno, deferred))
                if package != name.split(".")[0] and target != package:
                    # Importing compgraph.x from gates first runs compgraph/__init__.
                    found.append(Import(name, package, child.lineno, deferred))

    visit(ast.parse(path.read_text(), str(path)), False)
    return found


def layer_of(module: str) -> int | None:
    matches = [prefix for prefix in LAYERS if module == prefix or module.startswith(prefix + ".")]
    return LAYERS[max(matches, key=len)] if matches else None


def all_imports() -> list[Import]:
    found = modules()
    return [imp for name, path in found.items() for imp in imports_of(name, path, set(found))]


def import_graph(deferred: bool = False) -> nx.DiGraph:
    """Modules and their module-level imports (and those inside functions if ``deferred``)."""
    graph = nx.DiGraph()
    graph.add_nodes_from(modules())
    for imp in all_imports():
        if deferred or not imp.deferred:
            graph.add_edge(imp.source, imp.target)
    return graph


# ---------------------------------------------------------------------- tests


def test_every_module_has_a_layer():
    assert [name for name in modules() if layer_of(name) is None] == []


def test_no_import_circle_at_import_time():
    graph = import_graph()
    assert graph.has_node("compgraph.graph") and graph.number_of_edges() > 20
    cycles = list(nx.simple_cycles(graph))
    assert cycles == []


def test_no_module_of_compgraph_imports_its_package_face():
    # ``from compgraph import X`` inside compgraph would need every layer loaded first.
    faces = [
        f"{imp.source}:{imp.line}"
        for imp in all_imports()
        if imp.target == "compgraph" and imp.source.startswith("compgraph.")
    ]
    assert faces == []


def test_imports_go_down_the_layers():
    upward = []
    for imp in all_imports():
        source, target = layer_of(imp.source), layer_of(imp.target)
        assert source is not None and target is not None
        delegation = any(
            imp.source == s and (imp.target == t or imp.target.startswith(t + "."))
            for s, t in DELEGATIONS
        )
        if target > source and not (imp.deferred and delegation):
            upward.append(f"{imp.source}:{imp.line} imports {imp.target}")
    assert upward == []


def test_the_checker_sees_upward_imports():
    # The rules above would pass vacuously if the scan missed imports.
    graph = import_graph(deferred=True)
    assert graph.has_edge("compgraph.graph", "compgraph.explain")
    assert graph.has_edge("compgraph.graph", "gates.base")
    assert not import_graph().has_edge("compgraph.graph", "compgraph.explain")


def compgraph_modules_loaded_by(statement: str) -> list[str]:
    code = (
        f"import sys; {statement}; "
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] == 'compgraph')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return result.stdout.split()


@pytest.mark.parametrize("module", ["gates", "gates.base", "gates.arithmetic", "gates.linalg"])
def test_gates_alone_loads_nothing_of_compgraph(module):
    assert compgraph_modules_loaded_by(f"import {module}") == []


def test_the_engine_stands_on_gates_alone():
    below = nx.descendants(import_graph(), "compgraph.graph")
    assert "gates.base" in below and "compgraph.schedule" in below
    assert {layer_of(m) for m in below} == {0, 1}


# ------------------------------------------------------------------- printing


def main() -> None:
    """Print every module with its layer and the project modules it imports."""
    imports: dict[str, list[Import]] = {}
    for imp in all_imports():
        imports.setdefault(imp.source, []).append(imp)
    for name in sorted(modules(), key=lambda m: (layer_of(m) or 0, m)):
        layer = layer_of(name)
        where = "?" if layer is None else LAYER_NAMES[layer]
        targets = sorted(
            {
                imp.target + (" (in a function)" if imp.deferred else "")
                for imp in imports.get(name, [])
            }
        )
        print(f"{name}  [{where}]")
        for target in targets:
            print(f"    -> {target}")
    cycles = list(nx.simple_cycles(import_graph()))
    print(f"\nimport circles at import time: {len(cycles)}")
    for cycle in cycles[:10]:
        print("    " + " -> ".join([*cycle, cycle[0]]))
    print(
        f"'import gates' loads {len(compgraph_modules_loaded_by('import gates'))} compgraph modules"
    )


if __name__ == "__main__":
    main()
