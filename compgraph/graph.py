"""ComputationalGraph: gates wired into a DAG, run forward in topological order
and backward in reverse, with gradients summed where paths fork."""

from __future__ import annotations

import copy
import gc
import reprlib
import threading
import weakref
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from itertools import chain, compress, repeat
from operator import lt
from typing import TYPE_CHECKING, Any

import numpy as np

from compgraph import kernel, schedule
from compgraph._shapes import SCALAR_TYPES
from compgraph._values import (
    checked_value,
    describe,
    initial_gradient,
    is_finite,
    is_value,
    merge_feeds,
    read_only,
)
from compgraph.errors import (
    ArityError,
    CycleError,
    DuplicateNodeError,
    GateExecutionError,
    GateReuseError,
    GradientError,
    GraphBusyError,
    GraphError,
    GraphTypeError,
    MissingFeedError,
    NoBackwardPassError,
    NodeKindError,
    NodeNotFoundError,
    NoForwardPassError,
    NonFiniteError,
    OutputError,
    ShapeError,
)
from gates._numeric import is_lazy
from gates.base import Gate, arity_error, full_copy

if TYPE_CHECKING:
    import os
    from pathlib import Path

    import networkx as nx

    from compgraph.lint import Finding

__all__ = ["GATE", "INPUT", "PARAMETER", "ComputationalGraph"]

#: The kinds of node, as :meth:`ComputationalGraph.kind` and the ``graph`` view's
#: ``"kind"`` data name them.
INPUT, PARAMETER, GATE = "input", "parameter", "gate"

# What the latest pass left: nothing usable, values, or values and gradients.
_NO_PASS, _FORWARD_DONE, _BACKWARD_DONE = 0, 1, 2

# The graph of every gate placed in a graph still alive, by the gate's id: a gate
# caches for one node of one graph. A graph's gates leave it when it is collected.
_PLACED: dict[int, weakref.ref[ComputationalGraph]] = {}


kernel.keep_caches(_PLACED)  # a built-in gate run by the kernel reads its cache from there


def _release(gates: list[list[Gate | None]], graph: weakref.ref[ComputationalGraph]) -> None:
    """Take the gates of the collected ``graph`` (``gates[0]``) out of _PLACED."""
    for gate in gates[0]:
        if gate is not None and _PLACED.get(id(gate)) is graph:
            del _PLACED[id(gate)]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The garbage collector off while a graph makes many objects at once (it
    would walk every object of a large graph many times over), then as it was."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _consumed_by(inputs_of: list[tuple[int, ...]], size: int) -> bytearray:
    """A byte per node of ``size``: 1 where a gate of ``inputs_of`` consumes it."""
    consumed = bytearray(size)
    for position in set(chain.from_iterable(inputs_of)):
        consumed[position] = 1
    return consumed


_NOT = bytes.maketrans(b"\x00\x01", b"\x01\x00")  # (0 and 1 swapped, for bytes.translate)


class ComputationalGraph:
    """A directed acyclic graph of gates, with a forward and a backward pass.

    Nodes are inputs (fed at every pass), parameters (keep their value between
    passes) and gates (computed from other nodes). A node can only consume nodes
    added before it, so the order of insertion is an order of evaluation; the
    first pass after a change compiles the new gates into the schedule
    (:mod:`compgraph.schedule`), and no pass sorts anything. Nothing recurses,
    so chains of any length run.

    Examples
    --------
    The lectures' ``f = (x + y) * z`` at ``x = -2, y = 5, z = -4``:

    >>> from gates import AddGate, MulGate
    >>> g = ComputationalGraph()
    >>> for name in "xyz":
    ...     _ = g.add_input(name)
    >>> g.add_gate("q", AddGate(), ["x", "y"])
    'q'
    >>> g.add_gate("f", MulGate(), ["q", "z"])
    'f'
    >>> g.forward(x=-2, y=5, z=-4)
    -12
    >>> sorted(g.backward().items())
    [('f', 1), ('q', -4), ('x', -4), ('y', -4), ('z', 3)]
    >>> g.value("q"), g.grad("z"), g.gate("f").x
    (3, 3, 3)
    """

    def __init__(self, *, check_finite: bool = False) -> None:
        #: Refuse, naming the gate, a non-finite value or gradient made from
        #: finite ones (a slower pass; see :class:`~compgraph.NonFiniteError`).
        self.check_finite = check_finite
        self._index: dict[str, int] = {}  # name -> position; positions are in topological order
        self._names: list[str] = []
        self._kinds: list[str] = []
        self._gates: list[Gate | None] = []
        self._inputs_of: list[tuple[int, ...]] = []
        self._input_positions: list[int] = []
        self._sinks: dict[int, None] = {}  # nodes no gate consumes, in insertion order
        self._self_ref = weakref.ref(self)
        self._gates_held = [self._gates]  # (the list of gates, even once another replaces it)
        weakref.finalize(self, _release, self._gates_held, self._self_ref)
        self._lock = threading.Lock()  # held while a pass runs or the graph changes
        self._lock_holder = 0  # the thread holding it
        self._pass_thread = 0  # the thread that ran the latest forward pass
        self._steps: list[schedule.Step] = []  # one per gate of positions < self._compiled
        self._compiled = 0
        self._latest_plan: tuple[frozenset[int], schedule.Plan] | None = None  # for ``wrt``
        self._computed: bytearray | None = None  # where a restricted backward computed gradients
        self._values: list[Any] = []
        self._numbers = True  # whether every value of the latest forward is a plain number
        self._grads: list[Any] = []
        self._pass = _NO_PASS
        self._why_no_pass = "no forward pass has run"
        self._nx_graph: nx.DiGraph | None = None
        self._kernel: kernel.Program | None = None  # the schedule as the compiled kernel reads it

    # ------------------------------------------------------------------ building

    def add_input(self, name: str) -> str:
        """Add a leaf whose value is fed at every forward pass.

        Parameters
        ----------
        name : str
            The node's name.

        Returns
        -------
        str
            ``name``.

        Raises
        ------
        GraphTypeError
            If ``name`` is not a string.
        DuplicateNodeError
            If the graph already has a node ``name``.

        Examples
        --------
        >>> g = ComputationalGraph()
        >>> g.add_input("x")
        'x'
        """
        self._check_new_name("add_input", name)
        self._append(name, INPUT, None, ())
        self._input_positions.append(self._index[name])
        return name

    def add_parameter(self, name: str, value: Any) -> str:
        """Add a leaf that keeps its value between passes (a weight).

        Parameters
        ----------
        name : str
            The node's name.
        value : number or array_like
            Its value until :meth:`set_value` replaces it.

        Returns
        -------
        str
            ``name``.

        Raises
        ------
        GraphTypeError
            If ``name`` is not a string or ``value`` is not a number or array.
        DuplicateNodeError
            If the graph already has a node ``name``.

        Examples
        --------
        >>> g = ComputationalGraph()
        >>> g.add_parameter("w", 2.0)
        'w'
        >>> g.value("w")
        2.0
        """
        self._check_new_name("add_parameter", name)
        value = checked_value(value, f"add_parameter {name!r}", name)
        self._append(name, PARAMETER, None, ())
        self._values[-1] = value
        return name

    def add_gate(self, name: str, gate: Gate, inputs: Sequence[str]) -> str:
        """Add a node whose value is ``gate.forward(*values of inputs)``.

        Parameters
        ----------
        name : str
            The node's name.
        gate : Gate
            A gate instance not used at any other node.
        inputs : sequence of str
            The nodes whose values ``forward`` takes, in order (``x / y`` is not
            ``y / x``); a node may stand more than once (``x * x``).

        Returns
        -------
        str
            ``name``.

        Raises
        ------
        GraphTypeError
            If ``name`` is not a string, ``gate`` not a gate instance, or
            ``inputs`` not a sequence of names.
        DuplicateNodeError
            If the graph already has a node ``name``.
        GateReuseError
            If ``gate`` already sits at another node.
        CycleError
            If ``name`` is among its own inputs.
        NodeNotFoundError
            If an input is not a node.
        ArityError
            If ``forward`` does not take that many inputs.

        Notes
        -----
        Everything is checked before anything changes: a refused call leaves the
        graph as it was.

        Examples
        --------
        >>> from gates import MulGate
        >>> g = ComputationalGraph()
        >>> _ = g.add_input("x")
        >>> g.add_gate("square", MulGate(), ["x", "x"])
        'square'
        >>> g.forward(x=3), g.backward()["x"]
        (9, 6)
        """
        positions = self._checked_gate(name, gate, inputs)
        if not self._lock.acquire(blocking=False):
            self._wait_for_lock("add a node")
        try:
            self._append_unguarded(name, GATE, gate, positions)
        finally:
            self._lock.release()
        _PLACED[id(gate)] = self._self_ref
        return name

    def add_gates(
        self, names: Sequence[str], gates: Sequence[Gate], inputs: Sequence[Sequence[str]]
    ) -> list[str]:
        """Add many gate nodes at once: ``add_gate(names[k], gates[k], inputs[k])``
        for every ``k`` in order, in a fraction of the time.

        Each gate may consume the nodes added before it in the same call. The
        garbage collector is paused while the nodes go in (it would walk every
        object of a large graph many times over).

        Parameters
        ----------
        names : sequence of str
            The new nodes' names.
        gates : sequence of Gate
            Their gates, one new instance each.
        inputs : sequence of sequences of str
            For each gate, the nodes its ``forward`` takes, in order.

        Returns
        -------
        list of str
            ``names``.

        Raises
        ------
        GraphTypeError
            If the three sequences differ in length, or for the first gate that
            :meth:`add_gate` would refuse with it; and every other error of
            :meth:`add_gate`, with its message. Nothing is added then: the
            graph stays as it was.

        Examples
        --------
        >>> from gates import AddGate, MulGate
        >>> g = ComputationalGraph()
        >>> _ = [g.add_input(name) for name in "xyz"]
        >>> g.add_gates(["q", "f"], [AddGate(), MulGate()], [["x", "y"], ["q", "z"]])
        ['q', 'f']
        >>> g.forward(x=-2, y=5, z=-4), g.backward()["z"]
        (-12, 3)
        >>> g.add_gates(["h", "q"], [AddGate(), AddGate()], [["f", "x"], ["h", "y"]])
        Traceback (most recent call last):
        ...
        compgraph.errors.DuplicateNodeError: add_gate: the graph already has a node 'q' (gate)
        >>> "h" in g
        False
        """
        names, gates, inputs = list(names), list(gates), list(inputs)
        if not len(names) == len(gates) == len(inputs):
            raise GraphTypeError(
                f"add_gates: got {len(names)} names, {len(gates)} gates and "
                f"{len(inputs)} lists of inputs; give one of each per gate"
            )
        if not self._lock.acquire(blocking=False):
            self._wait_for_lock("add nodes")
        try:
            with _collector_paused():
                self._add_batch(names, gates, inputs)
        finally:
            self._lock.release()
        return names

    def _add_batch(self, names: list[str], gates: list[Gate], inputs: list[Sequence[str]]) -> None:
        """:meth:`add_gates` once it holds the graph: check, then add."""
        start = len(self._names)
        positions, placed, consumed = self._checked_batch(names, gates, inputs)
        self._names += names
        self._kinds += [GATE] * len(names)
        self._gates += gates
        self._inputs_of += positions
        if type(self._values) is not list:  # the kernel's values of a pass
            self._values = self._values.copy()
        self._values += [None] * len(names)
        unconsumed = consumed.translate(_NOT)
        sinks = [position for position in self._sinks if unconsumed[position]]
        sinks += compress(range(start, len(self._names)), unconsumed[start:])
        self._sinks = dict.fromkeys(sinks)
        self._changed()
        _PLACED.update(placed)

    def _checked_batch(
        self, names: list[str], gates: list[Gate], inputs: list[Sequence[str]]
    ) -> tuple[list[tuple[int, ...]], dict[int, weakref.ref[ComputationalGraph]], bytearray]:
        """The input positions of each gate of :meth:`add_gates`, its names put
        in the index, the entries of its gates in _PLACED, and a byte per node
        (1 where a gate of the batch consumes it); or the error :meth:`add_gate`
        gives for the first gate it would refuse, the index as it was.

        Each check runs over the whole batch at once; only where one fails are
        the gates checked one by one, to find the first fault and its message.
        """
        index, start = self._index, len(self._names)
        end = start + len(names)
        if not (set(map(type, names)) <= {str} and index.keys().isdisjoint(names)):
            return self._checked_one_by_one(names, gates, inputs)
        index.update(zip(names, range(start, end)))
        if len(index) != end:  # a name twice in the batch
            for name in names:
                index.pop(name, None)
            return self._checked_one_by_one(names, gates, inputs)
        try:
            placed = dict.fromkeys(map(id, gates), self._self_ref)
            fine = (
                all(issubclass(cls, Gate) for cls in set(map(type, gates)))
                and len(placed) == len(gates)
                and _PLACED.keys().isdisjoint(placed)
                and set(map(type, inputs)) <= {list, tuple}
            )
            if fine:
                consumed = bytearray(end)
                found = kernel.input_positions(index, inputs, start, consumed)
                if found is None:
                    found = list(map(tuple, map(map, repeat(index.__getitem__), inputs)))
                    last_consumed = map(partial(max, default=-1), found)
                    fine = all(map(lt, last_consumed, range(start, end)))
                    consumed = _consumed_by(found, end)
                positions = found
                kinds = {
                    (type(gate), getattr(gate, "input_count", None), len(gate_inputs)): gate
                    for gate, gate_inputs in zip(gates, positions)
                }
                fine = fine and all(
                    arity_error(gate, count) is None for (*_, count), gate in kinds.items()
                )
        except (KeyError, TypeError):
            fine = False
        if fine:
            return positions, placed, consumed
        for name in names:
            del index[name]
        return self._checked_one_by_one(names, gates, inputs)

    def _checked_one_by_one(
        self, names: list[str], gates: list[Gate], inputs: list[Sequence[str]]
    ) -> tuple[list[tuple[int, ...]], dict[int, weakref.ref[ComputationalGraph]], bytearray]:
        """:meth:`_checked_batch` one gate at a time, as if the ones before it
        had been added."""
        index = self._index
        batch: dict[int, str] = {}  # id of each gate checked so far -> its node
        positions = []
        try:
            for position, (name, gate, names_in) in enumerate(
                zip(names, gates, inputs), len(self._names)
            ):
                if id(gate) in batch:
                    raise GateReuseError(
                        f"add_gate {name!r}: this {type(gate).__name__} instance already sits "
                        f"at node {batch[id(gate)]!r}; a gate caches for one node of one "
                        "graph, so create a new one",
                        name,
                        batch[id(gate)],
                    )
                positions.append(self._checked_gate(name, gate, names_in))
                index[name] = position
                batch[id(gate)] = name
        except BaseException:
            for name in names[: len(batch)]:
                del index[name]
            raise
        end = len(self._names) + len(positions)
        return positions, dict.fromkeys(batch, self._self_ref), _consumed_by(positions, end)

    def _checked_gate(self, name: str, gate: Gate, inputs: Sequence[str]) -> tuple[int, ...]:
        """The positions of ``inputs``, once every check of :meth:`add_gate` passed."""
        # The checks take the fast road for well-formed calls; the messages are
        # worked out only when one fails.
        if type(name) is not str or name in self._index:
            self._check_new_name("add_gate", name)
        if not isinstance(gate, Gate):
            raise self._not_a_gate(name, gate)
        if id(gate) in _PLACED:
            raise self._reused(name, gate)
        if (type(inputs) is not list and type(inputs) is not tuple) and (
            isinstance(inputs, str) or not isinstance(inputs, Sequence)
        ):
            raise GraphTypeError(
                f"add_gate {name!r}: inputs must be a list of node names, got {inputs!r}",
                name,
            )
        try:
            positions = tuple(map(self._index.__getitem__, inputs))
        except (KeyError, TypeError):
            raise self._unknown_input(name, inputs) from None
        try:
            problem = arity_error(gate, len(positions))
        except TypeError as exc:
            raise GraphTypeError(f"add_gate {name!r}: {exc}", name) from exc
        if problem is not None:
            raise ArityError(f"add_gate {name!r}: {problem}: {list(inputs)}", name)
        return positions

    def _reused(self, name: str, gate: Gate) -> GateReuseError:
        owner = _PLACED[id(gate)]()
        nodes: tuple[str, ...]
        if owner is self:
            other = next(n for n, at in zip(self._names, self._gates) if at is gate)
            where, nodes = f"node {other!r}", (name, other)
        else:
            where, nodes = "a node of another graph", (name,)
            if owner is not None:
                other = next(n for n, at in zip(owner._names, owner._gates) if at is gate)
                where = f"node {other!r} of another graph"
        return GateReuseError(
            f"add_gate {name!r}: this {type(gate).__name__} instance already sits at "
            f"{where}; a gate caches for one node of one graph, so create a new one",
            *nodes,
        )

    def _not_a_gate(self, name: str, gate: Any) -> GraphTypeError:
        if isinstance(gate, type) and issubclass(gate, Gate):
            return GraphTypeError(
                f"add_gate {name!r}: got the class {gate.__name__}, not an instance; "
                f"write {gate.__name__}()",
                name,
            )
        return GraphTypeError(
            f"add_gate {name!r}: {gate!r} is not a Gate instance (subclass gates.Gate)", name
        )

    def _unknown_input(self, name: str, inputs: Sequence[Any]) -> GraphError:
        if name in inputs:
            return CycleError(
                f"adding {name!r} -> {name!r} closes the cycle {name} -> {name}: "
                "a gate cannot consume itself",
                name,
            )
        for item in inputs:
            if not isinstance(item, str):
                return GraphTypeError(
                    f"add_gate {name!r}: inputs are node names (strings), got {item!r}", name
                )
            if item not in self._index:
                return NodeNotFoundError(
                    f"add_gate {name!r}: input {item!r} is not a node", name, item
                )
        raise AssertionError("unreachable: every input was found")  # pragma: no cover

    def _check_new_name(self, method: str, name: Any) -> None:
        if not isinstance(name, str):
            raise GraphTypeError(f"{method}: node names are strings, got {name!r}")
        if name in self._index:
            raise DuplicateNodeError(
                f"{method}: the graph already has a node {name!r} "
                f"({self._kind_at(self._index[name])})",
                name,
            )

    def _kind_at(self, position: int) -> str:
        """The kind of the node at ``position``, or of a gate that add_gates is adding."""
        return self._kinds[position] if position < len(self._kinds) else GATE

    def _append(self, name: str, kind: str, gate: Gate | None, inputs: tuple[int, ...]) -> None:
        if not self._lock.acquire(blocking=False):
            self._wait_for_lock("add a node")
        try:
            self._append_unguarded(name, kind, gate, inputs)
        finally:
            self._lock.release()

    def _append_unguarded(
        self, name: str, kind: str, gate: Gate | None, inputs: tuple[int, ...]
    ) -> None:
        position = len(self._names)
        self._index[name] = position
        self._names.append(name)
        self._kinds.append(kind)
        self._gates.append(gate)
        self._inputs_of.append(inputs)
        if type(self._values) is not list:  # the kernel's values of a pass
            self._values = self._values.copy()
        self._values.append(None)
        for consumed in inputs:
            self._sinks.pop(consumed, None)
        self._sinks[position] = None
        if self._pass != _NO_PASS or self._nx_graph is not None or self._latest_plan is not None:
            self._changed()

    def _changed(self) -> None:
        """What a change of structure makes stale: the latest pass, the view, the plan."""
        if self._pass != _NO_PASS:
            self._invalidate("the graph changed since the latest forward pass")
        self._nx_graph = None
        self._latest_plan = None

    def group(self, name: str, nodes: Iterable[str], symbol: str | None = None) -> str:
        """Replace the gate nodes ``nodes`` by one node ``name`` holding a
        :class:`~compgraph.CompositeGate` of them; see :func:`compgraph.composite.group`.

        Examples
        --------
        >>> g = ComputationalGraph.from_expression("q = x + y; f = q * z")
        >>> g.group("f(x, y, z)", ["q", "f"])
        'f(x, y, z)'
        >>> g.inputs("f(x, y, z)"), g.forward(x=-2, y=5, z=-4)
        (['x', 'y', 'z'], -12)
        """
        from compgraph.composite import group

        return group(self, name, nodes, symbol)

    def expand(self, name: str) -> list[str]:
        """Put the nodes of composite gate ``name`` back in its place; return
        their names. See :func:`compgraph.composite.expand`.

        Examples
        --------
        >>> g = ComputationalGraph.from_expression("q = x + y; f = q * z")
        >>> _ = g.group("f(x, y, z)", ["q", "f"])
        >>> g.expand("f(x, y, z)"), list(g)
        (['q', 'f'], ['x', 'y', 'z', 'q', 'f'])
        """
        from compgraph.composite import expand

        return expand(self, name)

    def _latest_pass(self) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """The parameters' values and, when a forward pass is held, every
        node's; the gradients the held backward pass computed (None: none)."""
        if self._pass == _NO_PASS:
            values = dict(self.parameters())
        else:
            values = dict(zip(self._names, self._values))
        if self._pass != _BACKWARD_DONE:
            return values, None
        computed = self._computed
        return values, {
            name: grad
            for position, (name, grad) in enumerate(zip(self._names, self._grads))
            if computed is None or computed[position]
        }

    def _restructure(
        self,
        nodes: Sequence[tuple[str, str, Gate | None, Sequence[str]]],
        values: Mapping[str, Any],
        grads: Mapping[str, Any] | None,
    ) -> None:
        """Rebuild the graph as ``nodes`` (name, kind, gate, input names; each
        after its inputs), keeping the latest pass where it is given whole.

        ``values`` holds the parameters' values and, to keep a forward pass,
        every other node's; ``grads`` the gradients a kept backward pass
        computed (None: no backward pass is kept). The checks are the caller's.
        """
        if not self._lock.acquire(blocking=False):
            self._wait_for_lock("change the graph")
        try:
            kernel.settle(gate for _, _, gate, _ in nodes)  # before they leave their graphs
            _release(self._gates_held, self._self_ref)
            kept = all(name in values for name, *_ in nodes)
            if not kept and self._pass != _NO_PASS:
                self._invalidate("the graph changed since the latest forward pass")
            self._pass = _NO_PASS
            self._index, self._names, self._kinds, self._gates = {}, [], [], []
            self._inputs_of, self._input_positions, self._sinks = [], [], {}
            self._values = []
            for name, kind, gate, inputs in nodes:
                self._append_unguarded(
                    name, kind, gate, tuple(map(self._index.__getitem__, inputs))
                )
                if kind == INPUT:
                    self._input_positions.append(self._index[name])
                if gate is not None:
                    _PLACED[id(gate)] = self._self_ref
            self._gates_held[0] = self._gates
            self._values = [values.get(name) for name in self._names]
            self._steps = schedule.compile_steps(self._gates, self._inputs_of, 0)
            self._compiled = len(self._names)
            if kept:
                self._numbers = SCALAR_TYPES.issuperset(map(type, self._values))
                self._pass_thread = self._pass_thread or threading.get_ident()
                self._pass, self._grads, self._computed = _FORWARD_DONE, [], None
                if grads is not None:
                    self._grads = [grads.get(name, 0) for name in self._names]
                    every = len(grads) == len(self._names)
                    self._computed = None if every else bytearray(n in grads for n in self._names)
                    self._pass = _BACKWARD_DONE
        finally:
            self._lock.release()

    # ------------------------------------------------------------------- running

    def forward(self, feeds: Mapping[str, Any] | None = None, /, **more_feeds: Any) -> Any:
        """Compute every node in topological order; return the output's value.

        Parameters
        ----------
        feeds : mapping of str to value, optional
            A value for every input node; keyword arguments work too.

        Returns
        -------
        number or numpy.ndarray
            The value of the output: the graph's only node that no gate consumes.

        Raises
        ------
        MissingFeedError
            If an input has no value.
        NodeNotFoundError
            If a fed name is not a node.
        NodeKindError
            If a fed name is a gate or a parameter.
        GraphTypeError
            If a fed value is not a number or array.
        OutputError
            If the graph has no single output.
        GateExecutionError
            If a gate's forward raised. The graph then refuses :meth:`backward`
            until the next forward pass succeeds.

        Examples
        --------
        >>> from gates import AddGate
        >>> g = ComputationalGraph()
        >>> _ = g.add_input("a"), g.add_input("b"), g.add_gate("s", AddGate(), ["a", "b"])
        >>> g.forward(a=1, b=2), g.forward({"a": 10, "b": 20})
        (3, 30)
        """
        self._enter("forward")
        try:
            output = self._output("forward")
            values = self._values.copy()
            self._feed(values, merge_feeds(feeds, more_feeds))
            if self._compiled < len(self._names):
                with _collector_paused():  # (a step per new gate; the kernel's program grows)
                    self._steps += schedule.compile_steps(
                        self._gates, self._inputs_of, self._compiled
                    )
                    self._compiled = len(self._names)
                    if kernel.in_use() and not self.check_finite:
                        kernel.describe(self)
            # Gates cache as they go: until every one has run, no pass is usable.
            self._invalidate("the latest forward pass did not finish")
            computed = kernel.forward(self, values)  # None: the pass is the Python engine's
            if computed is not None:
                values, numbers = computed, True
            else:
                try:
                    schedule.forward(self._steps, values)
                except schedule.StepError as failed:
                    self._check_outputs(values, failed.position)  # one before may be to blame
                    raise self._gate_failed(failed) from failed.error
                numbers = SCALAR_TYPES.issuperset(map(type, values))
                if not numbers:
                    self._check_outputs(values, len(values))
                    read_only(values)  # the gates' outputs, which some of them cache
                if self.check_finite:
                    self._check_finite_values(values)
            self._values = values
            self._numbers = numbers
            self._pass = _FORWARD_DONE
            self._pass_thread = threading.get_ident()
            return values[output]
        finally:
            self._leave()

    def backward(self, dout: Any = None, *, wrt: Sequence[str] | None = None) -> Mapping[str, Any]:
        """Propagate the output's gradient back to every node, in reverse topological order.

        Parameters
        ----------
        dout : number or array_like, optional
            The gradient arriving at the output; 1 (ones of the output's shape)
            by default.
        wrt : sequence of str, optional
            Only the gradients of these nodes are wanted (say, the parameters
            in training): gates that lead to none of them are skipped, and a
            gate whose input needs no gradient is told so through its
            ``needs_input_grad`` (see :class:`gates.Gate`), so that it may skip
            computing it.

        Returns
        -------
        dict or mapping
            Node name -> gradient of the output with respect to that node, for
            every input, parameter and gate (only the ``wrt`` nodes if given).
            Gradients reaching a node along several edges are summed; each has
            the shape of its node's value. After a pass in the compiled kernel
            (:mod:`compgraph.kernel`), a read-only mapping equal to that dict.

        Raises
        ------
        NoForwardPassError
            If no forward pass succeeded since the graph was built or changed,
            or since a pass failed.
        NodeNotFoundError
            If a ``wrt`` name is not a node.
        GradientError
            If ``dout`` does not have the output's shape, or a gate's backward
            returned the wrong number of gradients or one of the wrong shape.
        GateExecutionError
            If a gate's backward raised.

        Examples
        --------
        Gradients add up where a node feeds two gates:

        >>> from gates import AddGate, MulGate
        >>> g = ComputationalGraph()
        >>> _ = g.add_input("a")
        >>> _ = g.add_gate("b", AddGate(), ["a", "a"])    # b = 2a
        >>> _ = g.add_gate("c", MulGate(), ["b", "a"])    # c = 2a * a
        >>> g.forward(a=3)
        18
        >>> g.backward()["a"]                             # dc/da = 4a
        12
        >>> g.backward(wrt=["a"])
        {'a': 12}
        """
        self._enter("backward")
        try:
            return self._backward(dout, wrt)
        finally:
            self._leave()

    def _backward(self, dout: Any, wrt: Sequence[str] | None) -> Mapping[str, Any]:
        if self._pass == _NO_PASS:
            raise NoForwardPassError(f"backward: {self._why_no_pass}")
        if self._pass_thread != threading.get_ident():
            raise GraphBusyError(
                "backward: the latest forward pass ran in another thread, whose passes "
                "would mix with this one's; run forward in this thread first"
            )
        values = self._values
        output = self._output("backward")
        dout = initial_gradient(dout, values[output], self._names[output])
        wanted = None if wrt is None else self._wanted_positions(wrt)
        self._invalidate("the latest backward pass did not finish")
        if wanted is None or kernel.only_built_in_gates(self):
            computed = kernel.backward(self, values, output, dout)  # None: the Python engine's
            if computed is not None and wanted is None:
                self._grads, self._computed, self._pass = computed, None, _BACKWARD_DONE
                return kernel.Gradients(self._names, self._index, computed)
            if computed is not None and wanted is not None:  # every gradient; the plan's shown
                self._grads, self._computed = computed, self._plan(wanted).needed
                self._pass = _BACKWARD_DONE
                return {self._names[i]: computed[i] for i in wanted}
        plan = self._plan(wanted)
        grads: list[Any] = [0] * (len(values) + 1)  # and the scratch of a plan's steps
        grads[output] = dout
        steps = schedule.finite_checked(plan.steps, values) if self.check_finite else plan.steps
        for gate, mask in plan.partial:
            gate.needs_input_grad = mask  # for this pass only
        try:
            schedule.backward(steps, values, grads, self._numbers)
        except schedule.NonFiniteGradientError as step:
            raise self._non_finite_gradient(step) from None
        except schedule.MisfitError as misfit:
            raise self._misfit(misfit) from None
        except schedule.StepError as failed:
            raise self._gate_failed(failed) from failed.error
        finally:
            for gate, _ in plan.partial:
                gate.needs_input_grad = None
        del grads[-1]
        if not self._numbers:
            read_only(grads)  # (in a pass of numbers, every gradient is a number)
        self._grads = grads
        self._computed = plan.needed
        self._pass = _BACKWARD_DONE
        if wanted is None:
            return dict(zip(self._names, grads))
        return {self._names[i]: grads[i] for i in wanted}

    def _enter(self, method: str) -> None:
        """Take the graph to run a pass (``method``) in this thread."""
        if not self._lock.acquire(blocking=False):
            self._wait_for_lock(method)
        self._lock_holder = threading.get_ident()

    def _wait_for_lock(self, method: str) -> None:
        """Wait while another thread holds the graph; refuse a call from inside
        a pass of this graph (one of its gates)."""
        if self._lock_holder == threading.get_ident():
            raise GraphBusyError(
                f"{method}: called while this graph runs a pass in the same thread "
                "(from one of its own gates?)"
            )
        self._lock.acquire()

    def _leave(self) -> None:
        self._lock_holder = 0
        self._lock.release()

    def _wanted_positions(self, wrt: Sequence[str]) -> list[int]:
        if isinstance(wrt, str) or not isinstance(wrt, Iterable):
            raise GraphTypeError(f"backward: wrt must be a list of node names, got {wrt!r}")
        return [self._position("backward: wrt", name) for name in wrt]

    def _plan(self, wanted: list[int] | None) -> schedule.Plan:
        """The plan of a backward pass: every step, or (kept while the graph and
        ``wanted`` stay the same) those the gradients at ``wanted`` need."""
        if wanted is None:
            return schedule.Plan(self._steps, None, [])
        key = frozenset(wanted)
        if self._latest_plan is None or self._latest_plan[0] != key:
            self._latest_plan = (key, schedule.plan(self._gates, self._inputs_of, wanted))
        return self._latest_plan[1]

    def _feed(self, values: list[Any], feeds: dict[str, Any]) -> None:
        if not kernel.feed(self, values, feeds, INPUT):
            self._feed_one_by_one(values, feeds)
        if len(feeds) != len(self._input_positions):
            missing = [self._names[i] for i in self._input_positions if self._names[i] not in feeds]
            raise MissingFeedError(
                f"forward: no value fed for input{'s' if len(missing) > 1 else ''} "
                + ", ".join(map(repr, missing)),
                *missing,
            )

    def _feed_one_by_one(self, values: list[Any], feeds: dict[str, Any]) -> None:
        for name, value in feeds.items():
            position = self._index.get(name)
            if position is None:
                raise NodeNotFoundError(f"forward: fed {name!r}, which is not a node", name)
            if self._kinds[position] != INPUT:
                raise NodeKindError(
                    f"forward: fed {name!r}, which is a {self._kinds[position]}; "
                    "only inputs are fed",
                    name,
                )
            if type(value) is not float and type(value) is not int:  # those are kept as they are
                value = checked_value(value, f"forward: feed {name!r}", name)
            values[position] = value

    def _output(self, method: str) -> int:
        if len(self._sinks) == 1:
            return next(iter(self._sinks))
        if not self._sinks:
            raise OutputError(f"{method}: the graph is empty")
        names = [self._names[i] for i in self._sinks]
        raise OutputError(
            f"{method}: the graph has {len(names)} outputs (nodes no gate consumes): "
            + ", ".join(map(repr, names))
            + "; it needs exactly one",
            *names,
        )

    def _invalidate(self, why: str) -> None:
        self._pass = _NO_PASS
        self._why_no_pass = why
        self._grads = []

    def _gate_failed(self, failed: schedule.StepError) -> GateExecutionError:
        name, error = self._names[failed.position], failed.error
        self._invalidate(f"the {failed.method} pass failed at node {name!r}")
        return GateExecutionError(
            f"node {name!r} ({type(self._gates[failed.position]).__name__}).{failed.method} "
            f"raised {type(error).__name__}: {error}",
            name,
        )

    def _check_outputs(self, values: list[Any], end: int) -> None:
        """Refuse, naming the node, the first gate before position ``end`` whose
        forward returned something that is not a number or a numeric array."""
        for position in range(end):
            gate = self._gates[position]
            if gate is not None and not is_value(values[position]):
                name = self._names[position]
                self._invalidate(f"the forward pass failed at node {name!r}")
                raise GraphTypeError(
                    f"node {name!r} ({type(gate).__name__}).forward returned "
                    f"{type(values[position]).__name__} {reprlib.repr(values[position])}, "
                    "not a number or a numeric array",
                    name,
                )

    def _check_finite_values(self, values: list[Any]) -> None:
        """Refuse, naming it, the first gate that made a non-finite value from finite inputs
        (and a pass of lazy values, which cannot be checked without computing them)."""
        for position, value in enumerate(values[: len(self._gates)]):
            if is_lazy(value):
                name = self._names[position]
                self._invalidate(f"the forward pass failed at node {name!r}")
                raise GraphTypeError(
                    f"forward: check_finite reads every value, but {name!r} is a lazy array "
                    "(dask); compute it first, or use a graph without check_finite",
                    name,
                )
        for position, gate in enumerate(self._gates):
            inputs = self._inputs_of[position]
            if gate is None or is_finite(values[position]):
                continue
            if all(is_finite(values[i]) for i in inputs):
                name = self._names[position]
                self._invalidate(f"the forward pass failed at node {name!r}")
                given = ", ".join(f"{self._names[i]}={describe(values[i])}" for i in inputs)
                raise NonFiniteError(
                    f"forward: node {name!r} ({type(gate).__name__}) made "
                    f"{describe(values[position])} from finite inputs ({given})",
                    name,
                )

    def _non_finite_gradient(self, step: schedule.NonFiniteGradientError) -> NonFiniteError:
        name, consumed = self._names[step.position], self._names[step.consumed]  # type: ignore[index]
        self._invalidate(f"the backward pass failed at node {name!r}")
        return NonFiniteError(
            f"backward: node {name!r} ({type(self._gates[step.position]).__name__}) sent "
            f"{step.reason} to {consumed!r} from a finite gradient and finite inputs",
            name,
            consumed,
        )

    def _misfit(self, misfit: schedule.MisfitError) -> GradientError:
        name = self._names[misfit.position]
        self._invalidate(f"the backward pass failed at node {name!r}")
        where = f"node {name!r} ({type(self._gates[misfit.position]).__name__}): "
        if misfit.consumed is None:
            return GradientError(where + f"backward {misfit.reason}", name)
        consumed = self._names[misfit.consumed]
        return GradientError(
            where + f"backward's gradient for input {consumed!r} {misfit.reason}", name, consumed
        )

    # ---------------------------------------------------------------- inspecting

    def value(self, name: str) -> Any:
        """The value of node ``name``: a parameter's current value, or what the
        latest forward pass computed or was fed.

        Raises
        ------
        NodeNotFoundError
            If ``name`` is not a node.
        NoForwardPassError
            If ``name`` is an input or gate and no forward pass has succeeded
            since the graph was built or changed, or since a pass failed.
        """
        position = self._position("value", name)
        if self._kinds[position] != PARAMETER and self._pass == _NO_PASS:
            raise NoForwardPassError(f"value {name!r}: {self._why_no_pass}", name)
        return self._values[position]

    def set_value(self, name: str, value: Any) -> None:
        """Replace the value of parameter ``name`` (an optimizer's step).

        The latest pass was computed with the old value, so it is over: its
        values and gradients are no longer given, until the next forward pass.

        Raises
        ------
        NodeNotFoundError
            If ``name`` is not a node.
        NodeKindError
            If ``name`` is not a parameter.
        GraphTypeError
            If ``value`` is not a number or array.
        ShapeError
            If ``value`` does not have the parameter's shape.

        Examples
        --------
        >>> g = ComputationalGraph()
        >>> _ = g.add_parameter("w", 1.0)
        >>> g.set_value("w", 0.5)
        >>> g.value("w")
        0.5
        """
        position = self._position("set_value", name)
        if self._kinds[position] != PARAMETER:
            raise NodeKindError(
                f"set_value: {name!r} is a{'n' if self._kinds[position] == INPUT else ''} "
                f"{self._kinds[position]}, not a parameter",
                name,
            )
        value = checked_value(value, f"set_value {name!r}", name)
        if np.shape(value) != np.shape(self._values[position]):
            raise ShapeError(
                f"set_value {name!r}: the new value has shape {np.shape(value)}, "
                f"the parameter has shape {np.shape(self._values[position])}",
                name,
            )
        if not self._lock.acquire(blocking=False):
            self._wait_for_lock("set_value")
        self._values[position] = value
        self._nx_graph = None  # its data holds the parameters' values
        if self._pass != _NO_PASS:
            self._invalidate(f"set_value changed the parameter {name!r} since the latest pass")
        self._lock.release()

    def grad(self, name: str) -> Any:
        """The gradient of the output with respect to node ``name``, from the latest backward.

        Raises
        ------
        NodeNotFoundError
            If ``name`` is not a node.
        NoBackwardPassError
            If no backward pass followed the latest forward pass.
        """
        position = self._position("grad", name)
        if self._pass != _BACKWARD_DONE:
            why = "no backward pass since the latest forward pass"
            raise NoBackwardPassError(
                f"grad {name!r}: {self._why_no_pass if self._pass == _NO_PASS else why}", name
            )
        if self._computed is not None and not self._computed[position]:
            raise NoBackwardPassError(
                f"grad {name!r}: the latest backward pass was restricted (wrt) to nodes "
                "whose gradients do not need this one",
                name,
            )
        return self._grads[position]

    def gate(self, name: str) -> Gate:
        """The gate instance at node ``name``, holding what its latest forward cached.

        Raises
        ------
        NodeNotFoundError
            If ``name`` is not a node.
        NodeKindError
            If ``name`` is an input or a parameter.
        """
        position = self._position("gate", name)
        gate = self._gates[position]
        if gate is None:
            kind = self._kinds[position]
            raise NodeKindError(
                f"gate: {name!r} is a{'n' if kind == INPUT else ''} {kind}, not a gate", name
            )
        return gate

    def inputs(self, name: str) -> list[str]:
        """The nodes gate ``name`` consumes, in order; ``[]`` for an input or parameter.

        Raises
        ------
        NodeNotFoundError
            If ``name`` is not a node.

        Examples
        --------
        >>> from gates import DivGate
        >>> g = ComputationalGraph()
        >>> _ = g.add_input("x"), g.add_input("y"), g.add_gate("r", DivGate(), ["y", "x"])
        >>> g.inputs("r"), g.inputs("x")
        (['y', 'x'], [])
        """
        return [self._names[i] for i in self._inputs_of[self._position("inputs", name)]]

    @property
    def output(self) -> str:
        """The name of the output node: the only node no gate consumes.

        Raises
        ------
        OutputError
            If the graph is empty or has several such nodes.
        """
        return self._names[self._output("output")]

    @property
    def graph(self) -> nx.DiGraph:
        """The structure as a read-only ``networkx.DiGraph``, in evaluation order.

        One node per input, parameter and gate, with its ``"kind"`` in the node
        data and, for gates, the gate instance under ``"gate"``, for parameters
        the current value under ``"value"`` (what :meth:`from_networkx` reads). An edge runs from
        each node to every gate consuming it; its ``"slots"`` tell at which input
        positions of the gate (``(0, 1)`` for ``x * x``).

        Examples
        --------
        >>> import networkx as nx
        >>> from gates import MulGate
        >>> g = ComputationalGraph()
        >>> _ = g.add_input("x"), g.add_gate("sq", MulGate(), ["x", "x"])
        >>> list(g.graph.edges(data="slots"))
        [('x', 'sq', (0, 1))]
        >>> nx.is_frozen(g.graph)
        True
        """
        if self._nx_graph is None:
            self._nx_graph = self._build_nx_graph()
        return self._nx_graph

    def _build_nx_graph(self) -> nx.DiGraph:
        import networkx as nx

        graph = nx.DiGraph()
        for name, kind, gate, value in zip(self._names, self._kinds, self._gates, self._values):
            if gate is not None:
                graph.add_node(name, kind=kind, gate=gate)
            elif kind == PARAMETER:
                graph.add_node(name, kind=kind, value=value)
            else:
                graph.add_node(name, kind=kind)
        for position, inputs in enumerate(self._inputs_of):
            slots: dict[int, list[int]] = {}
            for slot, consumed in enumerate(inputs):
                slots.setdefault(consumed, []).append(slot)
            for consumed, at in slots.items():
                graph.add_edge(self._names[consumed], self._names[position], slots=tuple(at))
        return nx.freeze(graph)

    # ------------------------------------------------------------ seeing a pass

    @classmethod
    def from_expression(
        cls, text: str, functions: Mapping[str, Callable[[], Gate]] | None = None
    ) -> ComputationalGraph:
        """Build the graph of a Python arithmetic expression, one gate per operation.

        The text is read with :mod:`ast`, never evaluated. Its free names become
        inputs; see :func:`compgraph.expression.from_expression` for what it may
        hold and how nodes are named.

        Parameters
        ----------
        text : str
            Numbers, names, ``+ - * / **``, unary minus, parentheses, and calls
            of ``exp``, ``sigmoid``, ``max``, ``tanh``, ``relu``, ``log`` and
            registered functions; or several statements naming the
            intermediates, ``"q = x + y; f = q * z"`` (the last is the output).
        functions : mapping of str to callable, optional
            More functions for this call: name -> a factory of new gates.

        Raises
        ------
        ExpressionError
            If the text is not such an expression; the message gives the column.

        Examples
        --------
        >>> g = ComputationalGraph.from_expression("(x + y) * z")
        >>> g.forward(x=-2, y=5, z=-4), g.backward()["z"]
        (-12, 3)
        >>> g.inputs(g.output)
        ['x + y', 'z']
        """
        from compgraph.expression import from_expression

        return from_expression(text, functions, graph_type=cls)

    @classmethod
    def from_networkx(cls, digraph: nx.DiGraph) -> ComputationalGraph:
        """Build a graph from a ``networkx.DiGraph`` made by hand: nodes with a
        ``"gate"`` are gates, with ``kind="parameter"`` and ``value`` parameters,
        the others inputs; a gate's inputs are its in-edges, by their
        ``"slots"``/``"slot"`` data, else in the order they were added. See
        :func:`compgraph.nxgraph.from_networkx` for the errors.

        Examples
        --------
        >>> import networkx as nx
        >>> from gates import MulGate
        >>> digraph = nx.DiGraph()
        >>> digraph.add_node("square", gate=MulGate())
        >>> digraph.add_edge("x", "square", slots=(0, 1))
        >>> g = ComputationalGraph.from_networkx(digraph)
        >>> g.forward(x=3), g.backward()["x"]
        (9, 6)
        """
        from compgraph.nxgraph import from_networkx

        return from_networkx(digraph, graph_type=cls)

    def draw(
        self,
        path: str | os.PathLike[str],
        digits: int = 2,
        *,
        opened: Iterable[str] = (),
        numbers: bool = True,
        nodes: Collection[str] | None = None,
    ) -> Path:
        """Write the circuit as an image: ``.svg``, ``.png`` or ``.pdf`` by the file's suffix.

        Inputs on the left, each gate a node labelled with its symbol, and on
        every wire its value (green, above) and, after a backward pass, the
        gradient flowing back along it (red, below). Needs matplotlib (the
        ``viz`` extra). See :func:`compgraph.draw.draw`.

        Parameters
        ----------
        path : str or path-like
            The file to write.
        digits : int, optional
            Decimals to round to (2, as the lectures).
        opened : list of str, optional
            Composite gates to draw opened, as their inner gates (a composite
            is otherwise drawn as one gate, labelled with its symbol).
        numbers : bool, optional
            ``False``: the circuit alone, without values, gradients or legend.
        nodes : collection of str, optional
            Draw only the part these nodes make (with the nodes feeding it as
            leaves, and the gradient that came back from outside on the wires
            out of it).

        Returns
        -------
        pathlib.Path
            ``path`` (a :class:`compgraph.notebook.Drawing`, which a notebook
            shows as the image).

        Raises
        ------
        ValueError
            If the suffix is none of ``.svg``, ``.png``, ``.pdf``.
        OSError
            If the file cannot be written.
        """
        from compgraph.draw import draw
        from compgraph.notebook import Drawing

        return Drawing(draw(self._opened(opened), path, digits, numbers=numbers, nodes=nodes))

    def to_html(
        self,
        path: str | os.PathLike[str],
        digits: int = 2,
        *,
        opened: Iterable[str] = (),
        title: str | None = None,
    ) -> Path:
        """Write a page to step through the latest pass, one gate at a time:
        one self-contained HTML file that fetches nothing. See
        :mod:`compgraph.page`.

        The circuit as the lectures draw it; buttons, a slider and the arrow
        keys step forward through the gates and then backward, each step
        highlighting its gate and told with its numbers as :meth:`explain`
        tells it; a node's panel (click it, or Tab to it) gives its value, its
        gradient, at a fork each consumer's share, and its paths to the output.

        Parameters
        ----------
        path : str or path-like
            The ``.html`` file to write.
        digits : int, optional
            Decimals to round to (2, as the lectures).
        opened : list of str, optional
            Composite gates to step through gate by gate inside (each other
            composite gate is one step).
        title : str, optional
            The page's heading ("Stepping through" and the output's name by default).

        Returns
        -------
        pathlib.Path
            ``path``.

        Raises
        ------
        NoForwardPassError
            If no forward pass has run since the graph was built or changed.
        ValueError
            If ``path`` does not end in ``.html``.
        OSError
            If the file cannot be written.

        Examples
        --------
        >>> import pathlib, tempfile
        >>> g = ComputationalGraph.from_expression("(x + y) * z")
        >>> _ = g.forward(x=-2, y=5, z=-4), g.backward()
        >>> page = g.to_html(pathlib.Path(tempfile.mkdtemp()) / "f.html")
        >>> "Step with the buttons" in page.read_text(encoding="utf-8")
        True
        """
        from compgraph.page import to_html

        return to_html(self._opened(opened), path, digits, title)

    def to_dot(self, digits: int = 2, *, opened: Iterable[str] = ()) -> str:
        """The circuit as Graphviz DOT text, values and gradients on the wires;
        the composite gates named in ``opened`` drawn as their inner gates, in
        a dashed frame labelled with the composite's name.

        Examples
        --------
        >>> g = ComputationalGraph.from_expression("exp(x)")
        >>> print(g.to_dot().splitlines()[5])
          n1 [label="exp", tooltip="exp(x)", shape=circle];
        """
        from compgraph.dot import to_dot

        if not opened:
            return to_dot(self, digits)
        from compgraph.composite import opened as opened_copy

        copied, frames = opened_copy(self, opened)
        return to_dot(copied, digits, frames=frames)

    def explain(self, digits: int = 2, *, opened: Iterable[str] = ()) -> str:
        """The latest backward pass told step by step, as the lectures tell it
        (a ``str`` that a notebook shows as its lines).

        For each gate from the output back: the gradient it receives (a sum
        where gradients add up at a fork), then for each input the local
        gradient with its formula and numbers, times the gradient received,
        and the gradient sent. See :func:`compgraph.explain.explain`.

        Parameters
        ----------
        digits : int, optional
            Decimals to round to (2, as the lectures; a step whose rounded
            numbers would not add up gets more).
        opened : list of str, optional
            Composite gates to tell step by step, gate by gate inside; each
            other composite gate is one step.

        Raises
        ------
        NoBackwardPassError
            If no backward pass followed the latest forward pass.

        Examples
        --------
        >>> g = ComputationalGraph.from_expression("sigmoid(w*x)")
        >>> _ = g.forward(w=2, x=0.5), g.backward()
        >>> lines = g.explain().splitlines()
        >>> print(lines[2])
        σ 'sigmoid(w * x)' = 0.73 receives 1 (the output)
        >>> print(lines[3].strip())
        to 'w * x': local gradient (1 - σ(x)) * σ(x) = (1 - 0.73) * 0.73 = 0.2,
        times 1, sends 0.2
        """
        from compgraph.explain import explain

        return explain(self._opened(opened), digits)

    def _opened(self, names: Iterable[str]) -> ComputationalGraph:
        """This graph, or a copy with the composite gates ``names`` expanded."""
        if not names:
            return self
        from compgraph.composite import opened

        return opened(self, names)[0]

    def kinks(self) -> list[tuple[str, str]]:
        """``(node, note)`` for the gates whose latest forward ran where they are
        not differentiable (a max tie, a ReLU at 0), the note naming the
        convention used. See :func:`compgraph.kinks.kinks`.

        Raises
        ------
        NoForwardPassError
            If no forward pass has run since the graph was built or changed.

        Examples
        --------
        >>> g = ComputationalGraph.from_expression("relu(x) + max(x, y)")
        >>> _ = g.forward(x=0.0, y=-1.0)
        >>> g.kinks()
        [('relu(x)', 'x == 0 (the kink): the gradient is 0 (the subgradient chosen)')]
        """
        from compgraph.kinks import kinks

        return kinks(self)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the graph (structure, gates by type and settings, parameter
        values) to ``path`` as JSON; :meth:`load` reads it back. The latest
        pass is not saved. See :func:`compgraph.files.save` and docs/file-format.md.

        Raises
        ------
        UnknownGateError
            If a gate's type is neither built in nor registered with
            :func:`compgraph.register_gate`, naming the node.
        SettingError, GraphFileError
            If a gate's setting or a parameter's value cannot be written.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> g = ComputationalGraph.from_expression("(x + y) * z")
        >>> path = g.save(pathlib.Path(tempfile.mkdtemp()) / "f.json")
        >>> ComputationalGraph.load(path).forward(x=-2, y=5, z=-4)
        -12
        """
        from compgraph.files import save

        return save(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> ComputationalGraph:
        """The graph that :meth:`save` wrote to ``path``, with its parameters' values.

        Loading never runs code from the file: gate types are looked up among
        the built-in and registered gates only. See :func:`compgraph.files.load`.

        Raises
        ------
        GraphFileError
            If the file is malformed, saying what is wrong where (a JSON path).
        UnknownGateError
            If a gate type is neither built in nor registered, naming the node and the type.
        SettingError
            If a gate's settings do not fit its constructor.
        OSError
            If the file cannot be read.
        """
        from compgraph.files import load

        return load(path, graph_type=cls)

    def contributions(self, name: str) -> list[tuple[str, int, Any]]:
        """What each gate fed by ``name`` sent back to it in the latest backward
        pass: ``(consumer, slot, gradient)``, one per input slot (``x * x``
        gives two), adding up to ``grad(name)``. See
        :func:`compgraph.bookkeeping.contributions`.

        Raises
        ------
        NodeNotFoundError
            If ``name`` is not a node.
        NoBackwardPassError
            If no backward pass followed the latest forward pass.

        Examples
        --------
        >>> g = ComputationalGraph.from_expression("x * x")
        >>> _ = g.forward(x=3), g.backward()
        >>> g.contributions("x")
        [('x * x', 0, 3), ('x * x', 1, 3)]
        """
        from compgraph.bookkeeping import contributions

        return contributions(self, name)

    def paths(self, name: str) -> list[tuple[list[str], Any]]:
        """Every path from ``name`` to the output, with the product of the local
        gradients along it; the products add up to ``grad(name)``. For graphs
        of numbers. See :func:`compgraph.bookkeeping.paths`.

        Raises
        ------
        NodeNotFoundError
            If ``name`` is not a node.
        NoBackwardPassError
            If no backward pass followed the latest forward pass.
        PathArrayError
            If a node on the paths holds an array.
        TooManyPathsError
            If there are more than 10 000 paths (counted before listing any).

        Examples
        --------
        >>> g = ComputationalGraph.from_expression("x * y + x")
        >>> _ = g.forward(x=3, y=-4), g.backward()
        >>> g.paths("x")
        [(['x', 'x * y', 'x * y + x'], -4), (['x', 'x * y + x'], 1)]
        """
        from compgraph.bookkeeping import paths

        return paths(self, name)

    def lint(self) -> list[Finding]:
        """What is wrong with how the graph is wired: several outputs (naming
        every node nothing consumes), inputs and parameters nothing consumes,
        gates that lead only to a second output; ``[]`` when clean. Each
        finding has ``.nodes`` and ``.message``. See :func:`compgraph.lint.lint`.

        Examples
        --------
        >>> from gates import ExpGate
        >>> g = ComputationalGraph()
        >>> _ = g.add_input("x"), g.add_input("y")
        >>> _ = g.add_gate("ex", ExpGate(), ["x"])
        >>> [(finding.nodes, finding.message) for finding in g.lint()][1]
        (('y',), "nothing consumes the input 'y'")
        """
        from compgraph.lint import lint

        return lint(self)

    def _repr_svg_(self) -> str | None:
        """A notebook shows the circuit with the latest pass (None: as text)."""
        from compgraph.notebook import graph_svg

        return graph_svg(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's text: the ``repr``, then the table of the latest pass."""
        from compgraph.notebook import graph_text

        printer.text(graph_text(self))

    def parameters(self) -> dict[str, Any]:
        """The parameters' names and current values, in evaluation order.

        Examples
        --------
        >>> g = ComputationalGraph()
        >>> _ = g.add_parameter("w", 2.0), g.add_input("x"), g.add_parameter("b", -1.0)
        >>> g.parameters()
        {'w': 2.0, 'b': -1.0}
        """
        return {
            name: value
            for name, kind, value in zip(self._names, self._kinds, self._values)
            if kind == PARAMETER
        }

    def input_names(self) -> list[str]:
        """The names of the input nodes (those fed at every pass), in the order added.

        Examples
        --------
        >>> g = ComputationalGraph.from_expression("w * x + b")
        >>> g.input_names(), list(g.parameters())
        (['w', 'x', 'b'], [])
        """
        return [self._names[i] for i in self._input_positions]

    def kind(self, name: str) -> str:
        """:data:`INPUT`, :data:`PARAMETER` or :data:`GATE` (``"input"``,
        ``"parameter"`` or ``"gate"``).

        Raises
        ------
        NodeNotFoundError
            If ``name`` is not a node.
        """
        return self._kinds[self._position("kind", name)]

    def _position(self, method: str, name: str) -> int:
        position = self._index.get(name) if isinstance(name, str) else None
        if position is None:
            raise NodeNotFoundError(f"{method}: {name!r} is not a node", str(name))
        return position

    def __deepcopy__(self, memo: dict[int, Any]) -> ComputationalGraph:
        """A graph of the same nodes with copies of the gates, the parameters
        and the latest pass: running the copy leaves this graph as it was."""
        copied = type(self)(check_finite=self.check_finite)
        memo[id(self)] = copied
        with self._lock:
            for name, kind, gate, inputs in zip(
                self._names, self._kinds, self._gates, self._inputs_of
            ):
                gate_copy = None if gate is None else full_copy(gate)
                copied._append_unguarded(name, kind, gate_copy, inputs)
                if gate_copy is not None:
                    _PLACED[id(gate_copy)] = copied._self_ref
            copied._input_positions = list(self._input_positions)
            copied._steps = schedule.compile_steps(copied._gates, copied._inputs_of, 0)
            copied._compiled = len(copied._names)
            copied._values = copy.deepcopy(self._values, memo)
            copied._grads = copy.deepcopy(self._grads, memo)
            copied._computed = copy.copy(self._computed)
            copied._numbers, copied._pass = self._numbers, self._pass
            copied._why_no_pass, copied._pass_thread = self._why_no_pass, self._pass_thread
        if not self._numbers:
            read_only(copied._values)
            read_only(copied._grads)
        return copied

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def __iter__(self) -> Iterator[str]:
        """The node names in evaluation order."""
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        counts = {kind: self._kinds.count(kind) for kind in (INPUT, PARAMETER, GATE)}
        return (
            f"<ComputationalGraph: {counts[INPUT]} inputs, {counts[PARAMETER]} parameters, "
            f"{counts[GATE]} gates>"
        )
