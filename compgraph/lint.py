"""What is wrong with how a graph is wired, before it runs (:func:`lint`).

A graph runs with one output: the one node nothing consumes. A graph built in
code, from networkx or from a file may have several such nodes (a forgotten
intermediate, an input nothing uses); its forward pass then refuses to run, and
:func:`lint` says why, node by node. It reads the structure only: no pass is
needed.

Examples
--------
>>> from compgraph import ComputationalGraph
>>> from gates import AddGate, MulGate
>>> g = ComputationalGraph()
>>> _ = g.add_input("x"), g.add_input("y"), g.add_input("unused")
>>> _ = g.add_gate("forgotten", AddGate(), ["x", "y"])
>>> _ = g.add_gate("f", MulGate(), ["x", "y"])
>>> for finding in lint(g):
...     print(finding)
3 outputs (nodes nothing consumes): 'unused', 'forgotten', 'f'; a graph runs with one, and the checks below take the last added, 'f'
nothing consumes the input 'unused'
the gate 'forgotten' is a second output: nothing consumes it, and it does not lead to the output 'f'
>>> lint(ComputationalGraph.from_expression("(x + y) * z"))
[]
"""  # noqa: E501

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from compgraph.graph import GATE

if TYPE_CHECKING:
    from compgraph.graph import ComputationalGraph

__all__ = ["Finding", "lint"]


@dataclass(frozen=True)
class Finding:
    """One thing :func:`lint` found: the nodes involved and what is wrong.

    Its ``str`` is the message.
    """

    nodes: tuple[str, ...]
    message: str

    def __str__(self) -> str:
        return self.message


def lint(graph: ComputationalGraph) -> list[Finding]:
    """The findings about how ``graph`` is wired; an empty list when clean.

    - More than one output: one finding naming every node nothing consumes.
      The checks that follow take the last of them added as the output.
    - For each of those that is an input or a parameter: nothing consumes it.
    - For each other one that is a gate (a second output): the gates that
      lead to it and not to the output.
    - An input or parameter that something consumes but that leads only to
      second outputs: it has no path to the output.
    - An empty graph.

    Examples
    --------
    A parameter whose only consumer is a dead gate has no path to the output:

    >>> from compgraph import ComputationalGraph
    >>> from gates import ExpGate, MulGate
    >>> g = ComputationalGraph()
    >>> _ = g.add_input("x"), g.add_parameter("w", 2.0)
    >>> _ = g.add_gate("wx", MulGate(), ["w", "x"])
    >>> _ = g.add_gate("f", ExpGate(), ["x"])
    >>> [finding.nodes for finding in lint(g)]
    [('wx', 'f'), ('wx',), ('w',)]
    >>> print(lint(g)[2])
    the parameter 'w' has no path to the output 'f' (it leads only to 'wx')
    """
    names = list(graph)
    if not names:
        return [Finding((), "the graph is empty: add an input and a gate")]
    consumers: dict[str, list[str]] = {name: [] for name in names}
    for name in names:
        for consumed in graph.inputs(name):
            consumers[consumed].append(name)
    sinks = [name for name in names if not consumers[name]]
    output = sinks[-1]
    leads_to = _leading_to(graph, names, sinks)
    findings = []
    if len(sinks) > 1:
        findings.append(
            Finding(
                tuple(sinks),
                f"{len(sinks)} outputs (nodes nothing consumes): {_listed(sinks)}; a graph "
                f"runs with one, and the checks below take the last added, {output!r}",
            )
        )
    for sink in sinks[:-1]:
        if graph.kind(sink) != GATE:
            findings.append(Finding((sink,), f"nothing consumes the {graph.kind(sink)} {sink!r}"))
        else:
            dead = tuple(
                n
                for n in names
                if graph.kind(n) == GATE and sink in leads_to[n] and output not in leads_to[n]
            )
            feeding = [n for n in dead if n != sink]
            lead = (
                f"{_listed(feeding)} lead{'s' if len(feeding) == 1 else ''} only to it, "
                if feeding
                else ""
            )
            findings.append(
                Finding(
                    dead,
                    f"the gate {sink!r} is a second output: nothing consumes it, {lead}"
                    f"and it does not lead to the output {output!r}",
                )
            )
    for name in names:
        if graph.kind(name) != GATE and consumers[name] and output not in leads_to[name]:
            findings.append(
                Finding(
                    (name,),
                    f"the {graph.kind(name)} {name!r} has no path to the output {output!r} "
                    f"(it leads only to {_listed([s for s in sinks if s in leads_to[name]])})",
                )
            )
    return findings


def _leading_to(
    graph: ComputationalGraph, names: list[str], sinks: list[str]
) -> dict[str, set[str]]:
    """For each node, the sinks it leads to (itself, for a sink): one sweep
    from the last node back, as nodes only consume nodes added before them."""
    reach: dict[str, set[str]] = {name: set() for name in names}
    for sink in sinks:
        reach[sink].add(sink)
    for name in reversed(names):
        for consumed in graph.inputs(name):
            reach[consumed] |= reach[name]
    return reach


def _listed(nodes: list[str] | tuple[str, ...]) -> str:
    return ", ".join(map(repr, nodes))
