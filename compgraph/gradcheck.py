"""Gradient checking of a whole pass, naming the gate whose ``backward`` is wrong.

Two checks, both with central finite differences in float64:

- **local**, for every gate node: a copy of its gate is run forward on the
  values its inputs had in the pass, then backward, once with the node's real
  gradient and once with a seeded random one, and compared with finite
  differences of that same ``forward``. A wrong ``backward`` fails here and
  nowhere else, so the culprit is named, not its neighbours.
- **whole graph**, for every input and parameter: the gradient of the pass
  against finite differences of the whole graph's output.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from compgraph.checking import (
    HELD,
    CheckOptions,
    CheckRow,
    GradcheckReport,
    as_float64,
    check_at,
    check_options,
    check_slot,
    copy_or_refuse,
    format_value,
    is_finite,
    is_held,
    random_like,
)
from compgraph.errors import (
    GateExecutionError,
    GradientError,
    GraphTypeError,
    MissingFeedError,
    NodeNotFoundError,
    NoForwardPassError,
)
from compgraph.kinks import kinks

if TYPE_CHECKING:
    from compgraph.graph import ComputationalGraph

__all__ = ["GradcheckReport", "gradcheck", "gradcheck_report"]


def gradcheck(
    g: ComputationalGraph,
    feeds: Mapping[str, Any] | None = None,
    *,
    options: CheckOptions | None = None,
    nodes: Iterable[str] | None = None,
    dout: Any = None,
    **settings: float,
) -> bool:
    """Run a pass of ``g`` and check every gradient with central finite differences.

    Each gate's ``backward`` is checked against its own ``forward`` at the
    values of the pass, and each input's and parameter's gradient against
    finite differences of the whole graph (see the module's description).

    Parameters
    ----------
    g : ComputationalGraph
        The graph. Afterwards its latest pass is the one checked, and its
        parameters have their values.
    feeds : mapping of str to value, optional
        A value for every input; by default those of the latest forward pass.
    options : CheckOptions, optional
        The step, the tolerances and the seed of the random ``dz`` of the
        local checks; the defaults of :class:`CheckOptions` if not given.
    nodes : iterable of str, optional
        The nodes to check: gates locally, inputs and parameters through the
        whole graph. All of them by default.
    dout : number or array_like, optional
        The gradient arriving at the output, as in ``backward``.
    **settings
        Fields of :class:`CheckOptions` by name (``atol=1e-4``), replacing
        those of ``options``.

    Returns
    -------
    bool
        ``True``.

    Raises
    ------
    GradcheckError
        If a check fails. The message names the culprit gate node first (its
        class, the input slot, the analytic and numeric values, the error),
        then the other failing checks; ``err.node`` is the culprit and
        ``err.report`` the whole :class:`GradcheckReport`. Where no gate is
        found wrong but some gradient cannot be checked (a value that is inf
        or nan, refused before any check; a kink; a point where every step
        leaves forward's domain; a change lost in rounding), the message
        starts with ``cannot check``, names the node and says why, blaming
        nothing.
    GraphTypeError
        If a gate checked cannot be copied (the checks run on copies).
    MissingFeedError
        If ``feeds`` is not given and no forward pass has run.
    NodeNotFoundError
        If a name in ``nodes`` is not a node.
    GraphError
        Whatever the pass itself raises (a missing feed, a gate whose
        ``forward`` raised...).
    TypeError
        If a keyword is not a field of :class:`CheckOptions`.
    ValueError
        If an option is out of range.

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> from gates import AddGate, Gate, MulGate
    >>> g = ComputationalGraph()
    >>> _ = g.add_input("x"), g.add_input("y"), g.add_input("z")
    >>> _ = g.add_gate("q", AddGate(), ["x", "y"])
    >>> _ = g.add_gate("f", MulGate(), ["q", "z"])
    >>> gradcheck(g, {"x": -2.0, "y": 5.0, "z": -4.0})
    True

    A multiply gate whose backward gives each input its own value:

    >>> class SwappedMulGate(Gate):
    ...     def forward(self, x, y):
    ...         self.x, self.y = x, y
    ...         return x * y
    ...
    ...     def backward(self, dz):
    ...         return [self.x * dz, self.y * dz]
    >>> h = ComputationalGraph()
    >>> _ = h.add_input("x"), h.add_input("y"), h.add_input("z")
    >>> _ = h.add_gate("q", AddGate(), ["x", "y"])
    >>> _ = h.add_gate("f", SwappedMulGate(), ["q", "z"])
    >>> gradcheck(h, {"x": -2.0, "y": 5.0, "z": -4.0})
    Traceback (most recent call last):
    ...
    compgraph.errors.GradcheckError: node 'f' (SwappedMulGate): the gradient for input 0 ('q') disagrees with finite differences: analytic 3, numeric -4 (abs error 7, rel error 1.75) at q=3, z=-4, dz=1
    4 more failing checks: 'f' input 1 ('z'), 'x' whole graph, 'y' whole graph, 'z' whole graph
    """  # noqa: E501
    checks = check_options("gradcheck", options, settings)
    report = gradcheck_report(g, feeds, options=checks, nodes=nodes, dout=dout)
    if not report.ok:
        raise report.error()
    return True


def gradcheck_report(
    g: ComputationalGraph,
    feeds: Mapping[str, Any] | None = None,
    *,
    options: CheckOptions | None = None,
    nodes: Iterable[str] | None = None,
    dout: Any = None,
    **settings: float,
) -> GradcheckReport:
    """The checks of :func:`gradcheck`, as a report instead of an error.

    One row per input slot of every gate checked (or one for a gate that
    failed as a whole), then one per input and parameter checked through the
    whole graph, each with its worst error. It takes the arguments of
    :func:`gradcheck`.

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> from gates import MulGate, SigmoidGate
    >>> g = ComputationalGraph()
    >>> _ = g.add_input("x"), g.add_parameter("w", 2.0)
    >>> _ = g.add_gate("wx", MulGate(), ["w", "x"])
    >>> _ = g.add_gate("p", SigmoidGate(), ["wx"])
    >>> report = gradcheck_report(g, {"x": 0.5})
    >>> report.ok, [(row.node, row.slot) for row in report.rows]
    (True, [('wx', "0 ('w')"), ('wx', "1 ('x')"), ('p', "0 ('wx')"), ('x', 'whole graph'), ('w', 'whole graph')])
    """  # noqa: E501
    checks = check_options("gradcheck_report", options, settings)
    feeds = _feeds(g, feeds)
    checked = _checked_nodes(g, nodes)
    parameters = {name: g.value(name) for name in g if g.kind(name) == "parameter"}

    g.forward(feeds)
    values = {name: g.value(name) for name in g}
    try:
        ran_at = "; ".join(f"{node!r}: {note}" for node, note in kinks(g))
    except GateExecutionError:  # that gate's own check reports it
        ran_at = ""
    kink = f"the pass ran at a kink ({ran_at})" if ran_at else None
    not_finite = _first_not_finite(g, values)
    if not_finite is not None:
        return GradcheckReport([not_finite])
    for name in checked:
        if g.kind(name) == "gate":
            gate = g.gate(name)
            copy_or_refuse(gate, f"gradcheck: node {name!r} ({type(gate).__name__})", name)
    try:
        g.backward(dout)
        grads: dict[str, Any] = {name: g.grad(name) for name in g}
        failed: Exception | None = None
    except (GradientError, GateExecutionError) as exc:
        grads, failed = {}, exc
    rng = np.random.default_rng(checks.seed)
    rows = [
        row
        for name in checked
        if g.kind(name) == "gate"
        for row in _gate_rows(g, name, values, grads.get(name), checks, rng)
    ]
    if failed is not None:
        if all(row.ok for row in rows):
            raise failed
        g.forward(feeds)  # the values of the pass stay to look at
        return GradcheckReport(rows)

    leaves = [name for name in checked if g.kind(name) != "gate"]
    output = values[g.output]
    weights = np.ones(np.shape(output)) if dout is None else np.asarray(dout, dtype=np.float64)
    try:
        for name in leaves:
            kind = g.kind(name)
            if is_held(values[name]):
                rows.append(CheckRow(name, kind, "whole graph", np.nan, np.nan, note=HELD))
                continue
            run = _runner(g, name, feeds)
            outcome = check_slot(run, [values[name]], 0, weights, grads[name], checks, name, kink)
            if outcome.problem.startswith("cannot check"):
                message = (
                    f"cannot check {kind} {name!r}{outcome.element} through the whole graph: "
                    f"{outcome.detail}"
                )
            elif outcome.problem:
                message = (
                    f"the gradient of {kind} {name!r} through the whole graph {outcome.detail}"
                )
            else:
                message = ""
            rows.append(
                CheckRow(
                    name,
                    kind,
                    "whole graph",
                    outcome.abs_error,
                    outcome.rel_error,
                    outcome.problem,
                    message,
                )
            )
    finally:
        for name, value in parameters.items():
            g.set_value(name, value)
        g.forward(feeds)
        g.backward(dout)
    return GradcheckReport(rows)


def _feeds(g: ComputationalGraph, feeds: Mapping[str, Any] | None) -> dict[str, Any]:
    inputs = [name for name in g if g.kind(name) == "input"]
    if feeds is not None:
        if not isinstance(feeds, Mapping):
            raise GraphTypeError(
                f"gradcheck: feeds must be a mapping of input names to values, got {feeds!r}"
            )
        return dict(feeds)
    try:
        return {name: g.value(name) for name in inputs}
    except NoForwardPassError:
        raise MissingFeedError(
            "gradcheck: no feeds given and no forward pass to take them from; feed "
            + ", ".join(map(repr, inputs)),
            *inputs,
        ) from None


def _checked_nodes(g: ComputationalGraph, nodes: Iterable[str] | None) -> list[str]:
    if nodes is None:
        return list(g)
    if isinstance(nodes, str):
        nodes = [nodes]
    wanted = set()
    for name in nodes:
        if name not in g:
            raise NodeNotFoundError(f"gradcheck: {name!r} is not a node", str(name))
        wanted.add(name)
    return [name for name in g if name in wanted]


def _gate_rows(
    g: ComputationalGraph,
    name: str,
    values: dict[str, Any],
    grad: Any,
    options: CheckOptions,
    rng: np.random.Generator,
) -> list[CheckRow]:
    """The local check of gate node ``name`` at the values of the pass, with its
    real gradient ``grad`` (``None`` if the backward pass failed) and a random one."""
    gate = g.gate(name)
    cls = type(gate).__name__
    inputs = g.inputs(name)
    point = [
        np.array(values[item])
        if is_held(values[item])
        else as_float64(values[item], f"gradcheck: the value of {item!r}")
        for item in inputs
    ]

    def random_dz(output: Any) -> Any:
        return random_like(np.zeros(np.shape(output)) if np.ndim(output) else 0.0, rng)

    dz_makers = [random_dz]
    if grad is not None:
        real = as_float64(grad, f"gradcheck: the gradient of {name!r}")
        if np.all(np.isfinite(real)) and np.any(real != 0):
            dz_makers.insert(0, lambda output: real)
    labels = [repr(item) for item in inputs]
    rows = []
    for outcome in check_at(gate, point, labels, dz_makers, options):
        slot = "" if outcome.slot is None else f"{outcome.slot} ({labels[outcome.slot]})"
        message = f"node {name!r} ({cls}): {outcome.detail}" if outcome.problem else ""
        rows.append(
            CheckRow(
                name,
                cls,
                slot,
                outcome.abs_error,
                outcome.rel_error,
                outcome.problem,
                message,
                outcome.note,
            )
        )
    return rows


def _first_not_finite(g: ComputationalGraph, values: dict[str, Any]) -> CheckRow | None:
    """A row refusing the check at the first node, in evaluation order, whose
    value is not finite; ``None`` if every value is."""
    for name in g:
        if is_finite(values[name]):
            continue
        value = format_value(np.asarray(values[name]) if np.ndim(values[name]) else values[name])
        if g.kind(name) == "gate":
            gate = type(g.gate(name)).__name__
            what = f"node {name!r} ({gate}): its value is {value}, made from finite inputs"
        else:
            gate = g.kind(name)
            what = f"{gate} {name!r}: its value is {value}"
        message = f"cannot check {what}, and finite differences need finite values"
        return CheckRow(name, gate, "", np.nan, np.nan, "cannot check (not finite)", message)
    return None


def _runner(g: ComputationalGraph, leaf: str, feeds: dict[str, Any]) -> Callable[[Any], Any]:
    """The output of ``g`` as a function of the input or parameter ``leaf``."""
    if g.kind(leaf) == "parameter":

        def run(moved: Any) -> Any:
            g.set_value(leaf, moved)
            return g.forward(feeds)

    else:

        def run(moved: Any) -> Any:
            return g.forward({**feeds, leaf: moved})

    return run
