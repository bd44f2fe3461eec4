"""The compiled kernel under the Python engine: passes over Python floats in C.

The Python loops of :mod:`compgraph.schedule` are the reference, and the one a
reader learns from. Where the C extension ``compgraph._kernel`` is built, a
pass whose feeds and parameters are all Python floats runs there instead: the
graph is described to it as arrays over node positions (an opcode per node,
its inputs' positions), values and gradients are float64 arrays, and

- a built-in gate of exactly a built-in type (add, of any number of inputs,
  subtract, multiply, divide,
  max, exp, sigmoid, tanh, ReLU, 1/x, the gates of a constant) is an opcode,
  computed with the same operations as its ``forward`` and ``backward`` on
  floats, so with the same bits;
- any other gate (a user's, a subclass, a built-in one whose methods were
  replaced) is called in place, through its ``forward`` and ``backward``, with
  Python floats.

Anything unusual falls back to the Python engine, which then runs the whole
pass and gives its results, errors and messages: a feed, parameter or
``dout`` that is not a float (an ``int`` keeps giving ``int`` results), an
array, a non-finite value or gradient, a gate's forward that returns
something else than a float or a backward that returns something else than a
list or tuple of floats (or ints a double holds), or any exception in a gate
(the gate is then run again by the Python engine, which reports it).
Graphs with ``check_finite`` run in Python too, and so does
``backward(wrt=...)`` on a graph holding a user's gate. On a graph of built-in
gates alone it computes every gradient in C, then shows only those the Python
engine's restricted pass computes (the others read as not computed).

After a compiled pass everything reads as after a Python one: ``value`` and
``grad`` read the arrays, ``backward`` returns a read-only mapping over them
(equal to the dict the Python engine returns), and the built-in gates' cached
attributes (``g.gate("f").x``, ``.z``, ``.x_wins``, ...) are read from the
arrays when first asked for (:func:`gates.base.keep_caches_elsewhere`).

Two chores of every pass and of building are done in C too, where it is
built: feeding floats and ints (:func:`feed`), and looking up the inputs of a
batch of gates (:func:`input_positions`, for ``add_gates``); anything else
there goes to the Python code, which words any fault.

Set the environment variable ``COMPGRAPH_NO_KERNEL`` (to anything but empty)
before importing compgraph, or call ``use_kernel(False)``, to run every pass
in Python.

Examples
--------
>>> from compgraph import ComputationalGraph
>>> from compgraph.kernel import use_kernel
>>> g = ComputationalGraph.from_expression("(x + y) * z")
>>> g.forward(x=-2.0, y=5.0, z=-4.0), g.gate("(x + y) * z").x
(-12.0, 3.0)
>>> sorted(g.backward().items())
[('(x + y) * z', 1), ('x', -4.0), ('x + y', -4.0), ('y', -4.0), ('z', 3.0)]
>>> previous = use_kernel(False)         # the same numbers from the Python engine
>>> g.forward(x=-2.0, y=5.0, z=-4.0), sorted(g.backward().items())[1]
(-12.0, ('x', -4.0))
>>> _ = use_kernel(previous)
"""

from __future__ import annotations

import importlib
import os
import weakref
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any

from gates import (
    AddConstantGate,
    AddGate,
    ConstantGate,
    DivGate,
    ExpGate,
    MaxGate,
    MulConstantGate,
    MulGate,
    ReciprocalGate,
    ReLUGate,
    SigmoidGate,
    SubGate,
    TanhGate,
)
from gates.base import Gate, keep_caches_elsewhere

if TYPE_CHECKING:
    from compgraph.graph import ComputationalGraph

__all__ = ["AVAILABLE", "Gradients", "Program", "in_use", "keep_caches", "settle", "use_kernel"]

_kernel: Any
try:
    if os.environ.get("COMPGRAPH_NO_KERNEL"):
        raise ImportError("COMPGRAPH_NO_KERNEL is set")
    _kernel = importlib.import_module("compgraph._kernel")
except ImportError:
    _kernel = None

#: Whether the compiled kernel is built and imported.
AVAILABLE = _kernel is not None
_enabled = AVAILABLE

# The opcodes of compgraph/_kernel.c, in its order.
(
    LEAF,
    CUSTOM,
    ADD,
    SUB,
    MUL,
    DIV,
    MAX,
    EXP,
    SIGMOID,
    TANH,
    RELU,
    ADDC,
    MULC,
    RECIP,
    CONST,
    ADDN,
) = range(16)

#: The built-in gates the kernel computes itself, by their exact type.
OPCODES: dict[type, int] = {
    AddGate: ADD,
    SubGate: SUB,
    MulGate: MUL,
    DivGate: DIV,
    MaxGate: MAX,
    ExpGate: EXP,
    SigmoidGate: SIGMOID,
    TanhGate: TANH,
    ReLUGate: RELU,
    AddConstantGate: ADDC,
    MulConstantGate: MULC,
    ReciprocalGate: RECIP,
    ConstantGate: CONST,
}
_WITH_CONSTANT = frozenset({ADDC, MULC, CONST})

#: What each built-in gate caches in ``forward``, as the kernel gives it back.
CACHED: dict[type, tuple[str, ...]] = {
    AddGate: ("n_inputs",),
    MulGate: ("x", "y"),
    DivGate: ("x", "y", "z"),
    MaxGate: ("x", "y", "x_wins"),
    ExpGate: ("z",),
    SigmoidGate: ("z",),
    TanhGate: ("z",),
    ReLUGate: ("x", "passed"),
    ReciprocalGate: ("x",),
}


def use_kernel(enabled: bool) -> bool:
    """Run passes in the compiled kernel where it is built (``True``) or
    always in Python (``False``); returns the setting it replaces.

    Examples
    --------
    >>> previous = use_kernel(False)
    >>> in_use()
    False
    >>> _ = use_kernel(previous)
    """
    global _enabled
    previous = _enabled
    _enabled = bool(enabled) and AVAILABLE
    return previous


def in_use() -> bool:
    """Whether passes run in the compiled kernel (it is built and not turned off)."""
    return _enabled


class Program:
    """A graph's schedule as the kernel reads it, grown as the graph grows.

    Attributes
    ----------
    ops : bytearray
        The opcode of each node position (``LEAF`` for inputs and parameters).
    a, b : array of int32
        The positions of each node's inputs; for ``CUSTOM`` nodes ``a`` indexes
        ``customs``; for the gates of a constant ``b`` indexes ``consts``; for
        an add of more than two inputs (``ADDN``) ``a`` is where its inputs
        start in ``more`` and ``b`` how many there are.
    more : array of int32
        The inputs' positions of the adds of more than two inputs.
    customs : list of (forward, backward, tuple of int)
        The gates called in place, with their inputs' positions.
    user_gates : bool
        Whether one of them is a user's gate (not of the ``gates`` package, or
        with its methods replaced on the instance).
    consts : list of Gate
        The gates whose constant ``c`` an opcode reads (at every pass, as
        their ``forward`` does).
    latest : compgraph._kernel.Values or None
        The values of the latest compiled forward pass: the built-in gates'
        caches, read when asked for.
    """

    def __init__(self, steps: list[Any]) -> None:
        self.steps = steps  # the graph's schedule this program follows
        self.ops = bytearray()
        self.a = array("i")
        self.b = array("i")
        self.more = array("i")  # the inputs of each add of more than two (ADDN)
        self.customs: list[tuple[Any, Any, tuple[int, ...]]] = []
        self.user_gates = False  # whether a gate called in place is a user's (not of gates)
        self.consts: list[Gate] = []
        self.gates: list[Gate | None] = []
        self.inputs_of: list[tuple[int, ...]] = []
        self.latest: Any = None
        self._positions: dict[int, int] | None = None  # id(gate) -> position, when asked
        self._python_cached = True  # whether a Python pass may have left caches in the gates
        self._materialized: list[int] = []  # gates given their cache since the latest pass

    def extend(self, gates: list[Gate | None], inputs_of: list[tuple[int, ...]]) -> None:
        """Describe the nodes past the ones already described."""
        ops, a_of, b_of, opcode_of = self.ops, self.a, self.b, OPCODES.get
        for position in range(len(ops), len(gates)):
            gate, inputs = gates[position], inputs_of[position]
            if gate is None:
                ops.append(LEAF)
                a_of.append(0)
                b_of.append(0)
                continue
            op = opcode_of(type(gate), CUSTOM)
            if op == ADD and len(inputs) != 2:
                op = ADDN
            held = vars(gate)
            replaced = "forward" in held or "backward" in held
            if replaced:
                op = CUSTOM  # methods replaced on the instance: call what is there
            a = inputs[0] if inputs else 0
            b = inputs[1] if len(inputs) > 1 else 0
            if op == ADDN:  # where its inputs start in `more`, and how many
                a, b = len(self.more), len(inputs)
                self.more.extend(inputs)
            elif op == CUSTOM:
                a = len(self.customs)
                self.customs.append((gate.forward, gate.backward, inputs))
                self.user_gates |= replaced or type(gate).__module__.partition(".")[0] != "gates"
            elif op in _WITH_CONSTANT:
                b = len(self.consts)
                self.consts.append(gate)
            ops.append(op)
            a_of.append(a)
            b_of.append(b)
        self.gates = gates
        self.inputs_of = inputs_of
        self._positions = None

    def forward(self, values: list[Any]) -> Any:
        """The values of a pass from ``values`` (the leaves' fed), or None."""
        computed = _kernel.forward(
            self.ops, self.a, self.b, self.customs, self.consts, values, self.more
        )
        if computed is not None:
            self._adopt(computed)
        return computed

    def backward(self, values: Any, output: int, dout: Any) -> Any:
        """The gradients of the pass whose values the kernel's forward gave
        (``values``), from ``dout`` at ``output``; or None."""
        return _kernel.backward(
            self.ops, self.a, self.b, self.customs, self.consts, values, output, dout, self.more
        )

    def python_ran(self) -> None:
        """A Python pass is about to leave its caches in the gates."""
        self._python_cached = True

    def _adopt(self, computed: Any) -> None:
        """Make ``computed`` the caches of the built-in gates: what a Python pass
        or a reading left in the gates goes, so that they read it from there."""
        if self._python_cached:
            stale: Any = range(len(self.ops))
        else:
            stale = self._materialized
        ops, gates = self.ops, self.gates
        for position in stale:
            gate = gates[position]
            if ops[position] > CUSTOM and type(gate) in CACHED:
                held = vars(gate)
                for name in CACHED[type(gate)]:
                    held.pop(name, None)
        self._python_cached = False
        self._materialized = []
        self.latest = computed

    def give_cache(self, gate: Gate) -> None:
        """Put into ``gate`` what its latest compiled forward cached (nothing if
        that pass did not run it)."""
        latest = self.latest
        if latest is None:
            return
        if self._positions is None:
            self._positions = {id(g): p for p, g in enumerate(self.gates) if g is not None}
        position = self._positions.get(id(gate))
        if position is None or position >= len(latest) or self.ops[position] <= CUSTOM:
            return
        held = vars(gate)
        inputs = self.inputs_of[position]
        cached = CACHED[type(gate)]
        if "x" in cached:
            held["x"] = latest[inputs[0]]
        if "y" in cached:
            held["y"] = latest[inputs[1]]
        if "z" in cached:
            held["z"] = latest[position]
        if "x_wins" in cached:
            x, y = held["x"], held["y"]
            held["x_wins"] = x >= y or x != x
        if "passed" in cached:
            x = held["x"]
            held["passed"] = x > 0 or x != x
        if "n_inputs" in cached:
            held["n_inputs"] = len(inputs)
        self._materialized.append(position)


def forward(graph: ComputationalGraph, values: list[Any]) -> Any:
    """The values of ``graph``'s pass from ``values`` computed by the kernel, or
    None: then the Python engine runs it."""
    if not _enabled or graph.check_finite:
        _python_runs(graph)
        return None
    program = describe(graph)
    computed = program.forward(values)
    if computed is None:
        program.python_ran()
    return computed


def feed(graph: ComputationalGraph, values: list[Any], feeds: dict[str, Any], kind: str) -> bool:
    """Put each of ``feeds`` into ``values`` at its input's position, in C, and
    give True; False (nothing or some of them put) where the kernel is not in
    use or a feed is anything but a float or an int fed to a node of ``kind``:
    then the Python engine feeds them, and words what is wrong."""
    return _enabled and _kernel.feed(values, feeds, graph._index, graph._kinds, kind)


def input_positions(
    index: dict[str, int], inputs: list[Sequence[str]], start: int, consumed: bytearray
) -> list[tuple[int, ...]] | None:
    """For a batch of gates whose first goes to position ``start``, each one's
    input positions, looked up in C and marked 1 in ``consumed``; None where
    the kernel is not in use, or an entry of ``inputs`` is not a list or tuple
    of names of nodes before its gate: the Python checks then find the fault
    and word it."""
    if not _enabled:
        return None
    return _kernel.positions(index, inputs, start, consumed)  # type: ignore[no-any-return]


def describe(graph: ComputationalGraph) -> Program:
    """``graph``'s program, grown to its latest gates (a new one after a change
    of structure, which gives the graph a new schedule)."""
    program = graph._kernel
    if program is None or program.steps is not graph._steps:
        program = graph._kernel = Program(graph._steps)
    if len(program.ops) < len(graph._gates):
        program.extend(graph._gates, graph._inputs_of)
    return program


def _python_runs(graph: ComputationalGraph) -> None:
    if graph._kernel is not None:
        graph._kernel.python_ran()


def only_built_in_gates(graph: ComputationalGraph) -> bool:
    """Whether every gate of ``graph``'s compiled program is a built-in one (an
    opcode, or a gate of the ``gates`` package called in place, such as an add
    of many inputs), none a user's: then a backward pass restricted to some
    gradients (``wrt``) may compute them all in the kernel, cheaper than the
    Python engine's restricted pass, and no user's gate runs that the Python
    engine would have skipped."""
    program = graph._kernel
    return program is not None and not program.user_gates


def backward(graph: ComputationalGraph, values: Any, output: int, dout: Any) -> Any:
    """The gradients of a pass whose forward the kernel computed (``values``),
    or None: then the Python engine runs it."""
    program = graph._kernel
    if not _enabled or program is None or type(values) is not _kernel.Values:
        return None
    return program.backward(values, output, dout)


class Gradients(Mapping[str, Any]):
    """Node name -> gradient of a compiled backward pass: a read-only mapping
    over its array, equal to the dict the Python engine returns.

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> g = ComputationalGraph.from_expression("x * y")
    >>> _ = g.forward(x=3.0, y=-2.0)
    >>> grads = g.backward()
    >>> grads == {"x": -2.0, "y": 3.0, "x * y": 1}, grads["x"]
    (True, -2.0)
    """

    __slots__ = ("_grads", "_index", "_names", "_size")

    def __init__(self, names: list[str], index: dict[str, int], grads: Any) -> None:
        # The graph's own list and index, not copies: a graph only appends to
        # them (a change of structure replaces them), so the pass's nodes stay
        # the first len(grads) names.
        self._names = names
        self._index = index
        self._grads = grads
        self._size = len(grads)

    def __getitem__(self, name: str) -> Any:
        position = self._index.get(name) if type(name) is str else None
        if position is None or position >= self._size or self._names[position] != name:
            raise KeyError(name)
        return self._grads[position]

    def __iter__(self) -> Iterator[str]:
        return islice(self._names, self._size)

    def __len__(self) -> int:
        return self._size

    def __repr__(self) -> str:
        return repr(dict(self.items()))


_placed: Mapping[int, weakref.ref[ComputationalGraph]] = {}


def keep_caches(placed: Mapping[int, weakref.ref[ComputationalGraph]]) -> None:
    """Let the built-in gates of the graphs in ``placed`` (a gate's id -> its
    graph) read their caches from the graph's latest compiled pass (see
    :func:`gates.base.keep_caches_elsewhere`)."""
    global _placed
    _placed = placed
    keep_caches_elsewhere(tuple(CACHED), _give_cache)


def settle(gates: Iterable[Gate | None]) -> None:
    """Put into each of ``gates`` the cache its graph's kernel keeps for it:
    before a gate leaves its graph (grouped into a composite gate, say), whose
    arrays it would no longer find."""
    for gate in gates:
        if type(gate) in CACHED:
            _give_cache(gate)  # type: ignore[arg-type]


def _give_cache(gate: Gate) -> None:
    ref = _placed.get(id(gate))
    graph = ref() if ref is not None else None
    if graph is not None and graph._kernel is not None:
        graph._kernel.give_cache(gate)
