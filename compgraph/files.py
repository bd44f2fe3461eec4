"""Graphs as JSON files: :func:`save` and :func:`load`, and the gate types a file may name.

A file holds a graph's structure, each gate as its type name and its settings
(the constructor's arguments, :attr:`gates.Gate.settings`), and the parameters'
values; docs/file-format.md describes it field by field. Loading never runs
code from the file: the JSON is read as data (no pickle, no ``eval``), and a
gate type is only ever looked up among the built-in gates and those given to
:func:`register_gate`, never imported by a name the file gives. Every fault
of a file is a :class:`~compgraph.errors.GraphFileError` saying what is wrong
and where, as a JSON path (``nodes[3].settings.c``); a file larger than
:data:`MAX_FILE_BYTES` is refused by its size before it is read, and one nested
deeper than :data:`MAX_DEPTH` before it is parsed.

Examples
--------
>>> from compgraph import ComputationalGraph
>>> from gates import MulGate, PowGate
>>> g = ComputationalGraph()
>>> _ = g.add_input("x"), g.add_parameter("w", 3.0)
>>> _ = g.add_gate("wx", MulGate(), ["w", "x"]), g.add_gate("f", PowGate(2), ["wx"])
>>> print(dumps(g))
{
  "format": "compgraph",
  "version": 1,
  "check_finite": false,
  "output": "f",
  "nodes": [
    {"name": "x", "kind": "input"},
    {"name": "w", "kind": "parameter", "value": 3.0},
    {"name": "wx", "kind": "gate", "gate": "MulGate"},
    {"name": "f", "kind": "gate", "gate": "PowGate", "settings": {"c": 2}}
  ],
  "edges": [
    {"source": "w", "target": "wx", "slots": [0]},
    {"source": "x", "target": "wx", "slots": [1]},
    {"source": "wx", "target": "f", "slots": [0]}
  ]
}
>>> h = loads(dumps(g))
>>> h.forward(x=2.0), h.backward()["w"]
(36.0, 24.0)
"""

from __future__ import annotations

import heapq
import inspect
import json
import math
import numbers
import os
import re
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar, Union

import numpy as np

import gates
from compgraph.composite import CompositeGate
from compgraph.errors import (
    GraphError,
    GraphFileError,
    OutputError,
    SettingError,
    UnknownGateError,
)
from compgraph.graph import GATE, INPUT, PARAMETER, ComputationalGraph
from gates.base import Gate, arity_error

__all__ = [
    "DTYPES",
    "FORMAT",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_INT_DIGITS",
    "MAX_NDIM",
    "VERSION",
    "dumps",
    "gate_types",
    "load",
    "loads",
    "register_gate",
    "save",
]

#: The ``"format"`` field of every graph file.
FORMAT = "compgraph"
#: The version of the format this module writes and reads.
VERSION = 1
#: The largest file :func:`load` reads (16 MiB); a larger one is refused by its size.
MAX_FILE_BYTES = 16 * 2**20
#: How deep a file's JSON may nest (objects and lists), checked before it is parsed.
MAX_DEPTH = 200
#: The most dimensions an array in a file may have.
MAX_NDIM = 32
#: The most digits of an integer in a file.
MAX_INT_DIGITS = 4000
#: The dtypes an array in a file may have: numbers only.
DTYPES = (
    "bool",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float16",
    "float32",
    "float64",
)
#: How a file writes the non-finite floats, which JSON has no numbers for.
NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}

_KINDS = (INPUT, PARAMETER, GATE)
_GRAPH_FIELDS = ("check_finite", "output", "nodes", "edges")
# Each graph nested in a setting costs this many levels of JSON nesting.
_LEVELS_PER_GRAPH = 5

C = TypeVar("C", bound=type[Gate])

# ------------------------------------------------------------------ gate types

_GATE_TYPES: dict[str, type[Gate]] = {}  # the names a file may give -> their class
_TYPE_NAMES: dict[type[Gate], str] = {}
_SETTING_TYPES: dict[type[Gate], dict[str, Any]] = {}  # each setting's annotation
_REQUIRED: dict[type[Gate], tuple[str, ...]] = {}  # the settings without a default


def register_gate(cls: C, name: str | None = None) -> C:
    """Make a gate class saveable: files may name it, and :func:`load` makes it.

    :func:`load` makes the gate as ``cls(**settings)``, ``settings`` read from
    the file for the names in ``cls.settings`` (see :attr:`gates.Gate.settings`)
    and checked against the annotations of ``cls.__init__`` (``float``,
    ``int``, ``bool``, ``str``, ``None``, ``tuple[...]``, unions, arrays,
    graphs; a setting without an annotation takes any value a file holds).
    :func:`save` writes ``getattr(gate, setting)`` for each. Whatever else a
    gate keeps on itself is not saved. Usable as a decorator.

    Parameters
    ----------
    cls : type
        A subclass of :class:`gates.Gate` whose constructor takes its
        ``settings`` by keyword and needs no other argument.
    name : str, optional
        The name files give it; the class's ``__name__`` by default. It is
        only a key: nothing is ever imported by it.

    Returns
    -------
    type
        ``cls``.

    Raises
    ------
    TypeError
        If ``cls`` is not a gate class, or its constructor does not match its settings.
    ValueError
        If ``name`` is empty or names another class already, or ``cls`` is
        registered under another name.

    Examples
    --------
    >>> from gates import Gate
    >>> @register_gate
    ... class TimesKGate(Gate):
    ...     settings = ("k",)
    ...
    ...     def __init__(self, k: float) -> None:
    ...         self.k = k
    ...
    ...     def forward(self, x):
    ...         return self.k * x
    ...
    ...     def backward(self, dz):
    ...         return [self.k * dz]
    >>> g = ComputationalGraph()
    >>> _ = g.add_input("x"), g.add_gate("y", TimesKGate(2.5), ["x"])
    >>> loads(dumps(g)).gate("y").k
    2.5
    """
    if not (isinstance(cls, type) and issubclass(cls, Gate)) or cls is Gate:
        raise TypeError(f"register_gate: {cls!r} is not a gate class (a subclass of gates.Gate)")
    name = cls.__name__ if name is None else name
    if not isinstance(name, str) or not name:
        raise ValueError(f"register_gate {cls.__name__}: the name must be a non-empty string")
    known = _GATE_TYPES.get(name)
    if known is not None and known is not cls:
        raise ValueError(
            f"register_gate {cls.__name__}: the name {name!r} is taken by "
            f"{known.__module__}.{known.__qualname__}; give another: register_gate(cls, name=...)"
        )
    if _TYPE_NAMES.get(cls, name) != name:
        raise ValueError(
            f"register_gate {cls.__name__}: registered already, as {_TYPE_NAMES[cls]!r}"
        )
    settings = cls.settings
    if not (isinstance(settings, tuple) and all(isinstance(s, str) for s in settings)):
        raise TypeError(f"register_gate {cls.__name__}: settings must be a tuple of names")
    parameters = inspect.signature(cls).parameters
    takes_any = any(p.kind is p.VAR_KEYWORD for p in parameters.values())
    for setting in settings:
        given = parameters.get(setting)
        by_keyword = given is not None and given.kind in (
            given.POSITIONAL_OR_KEYWORD,
            given.KEYWORD_ONLY,
        )
        if not (by_keyword or takes_any):
            raise TypeError(
                f"register_gate {cls.__name__}: its setting {setting!r} is not an argument "
                "of its constructor"
            )
    for parameter in parameters.values():
        required = parameter.default is parameter.empty and parameter.kind not in (
            parameter.VAR_POSITIONAL,
            parameter.VAR_KEYWORD,
        )
        if required and parameter.name not in settings:
            raise TypeError(
                f"register_gate {cls.__name__}: its constructor needs {parameter.name!r}, "
                f"which is not among its settings {settings}"
            )
    try:
        hints = typing.get_type_hints(cls.__init__)
    except Exception:  # annotations that do not resolve: the settings go unchecked
        hints = {}
    _SETTING_TYPES[cls] = {setting: hints.get(setting, Any) for setting in settings}
    _REQUIRED[cls] = tuple(
        s
        for s in settings
        if s not in parameters or parameters[s].default is inspect.Parameter.empty
    )
    _GATE_TYPES[name] = cls
    _TYPE_NAMES[cls] = name
    return cls


def gate_types() -> dict[str, type[Gate]]:
    """The gate types a file may name: the built-in gates and the registered ones.

    Examples
    --------
    >>> types = gate_types()
    >>> types["MulGate"].__name__, "os.system" in types
    ('MulGate', False)
    """
    return dict(_GATE_TYPES)


for _name in gates.__all__:
    _built_in = getattr(gates, _name)
    if isinstance(_built_in, type) and issubclass(_built_in, Gate) and _built_in is not Gate:
        register_gate(_built_in)
register_gate(CompositeGate)  # its settings: the inner graph, whole, and its symbol

# -------------------------------------------------------------------- writing


def save(g: ComputationalGraph, path: str | os.PathLike[str]) -> Path:
    """Write ``g`` (structure, gates, parameter values) to ``path`` as JSON.

    The latest pass is not saved. The file is UTF-8, the fields in a fixed
    order, one node and one edge a line, so that files diff well and saving a
    loaded graph writes the same file again.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    UnknownGateError
        If a gate's type is neither built in nor registered (naming the node).
    SettingError
        If a gate's setting cannot be written or is not of its constructor's type.
    GraphFileError
        If a parameter's value cannot be written (complex numbers, other
        dtypes), or the file would be larger than :data:`MAX_FILE_BYTES` or
        nested deeper than :data:`MAX_DEPTH`.
    OSError
        If the file cannot be written.
    """
    text = dumps(g)
    path = Path(path)
    path.write_text(text, encoding="utf-8")
    return path


def dumps(g: ComputationalGraph) -> str:
    """The text :func:`save` writes for ``g``; see there."""
    document = _Graph(format=FORMAT, version=VERSION, **_graph_document(g, "", 1))
    out: list[str] = []
    _write(document, "", out)
    text = "".join(out) + "\n"
    size = len(text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        raise GraphFileError(
            f"save: the file would be {size} bytes; the most a file may be is "
            f"{MAX_FILE_BYTES} ({MAX_FILE_BYTES // 2**20} MiB)"
        )
    return text


class _Graph(dict):  # type: ignore[type-arg]
    """A graph's document: written one node and one edge a line."""


class _Expanded(dict):  # type: ignore[type-arg]
    """An object holding a graph (a composite gate's node, its settings): written
    a field a line, so that the graph within is written a node a line."""


_COMPACT = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(", ", ": ")).encode


def _graph_document(g: ComputationalGraph, where: str, depth: int) -> _Graph:
    if depth * _LEVELS_PER_GRAPH > MAX_DEPTH:
        raise GraphFileError(
            f"save: {where}: graphs nest in gates' settings deeper than a file may hold",
            where=where,
        )
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    consumed: set[str] = set()
    for index, name in enumerate(g):
        at = f"{where}nodes[{index}]"
        kind = g.kind(name)
        node: dict[str, Any] = {"name": name, "kind": kind}
        nodes.append(node)
        if kind == PARAMETER:
            node["value"] = _encoded(g.value(name), f"{at}.value", f"parameter {name!r}", depth)
            continue
        if kind == INPUT:
            continue
        gate = g.gate(name)
        cls = type(gate)
        type_name = _TYPE_NAMES.get(cls)
        if type_name is None:
            raise UnknownGateError(
                f"save: {at}: node {name!r}: the gate type {cls.__qualname__} is not "
                f"registered; register it to save it: compgraph.register_gate({cls.__name__})",
                name,
                where=at,
            )
        node["gate"] = type_name
        if cls.settings:
            node["settings"] = settings = _settings_document(gate, type_name, name, at, depth)
            if isinstance(settings, _Expanded):
                node = nodes[-1] = _Expanded(node)
        slots: dict[str, list[int]] = {}
        for slot, item in enumerate(g.inputs(name)):
            slots.setdefault(item, []).append(slot)
        for item, at_slots in slots.items():
            edges.append({"source": item, "target": name, "slots": at_slots})
            consumed.add(item)
    try:
        output: str | None = g.output
    except OutputError:  # an empty graph, or several nodes nothing consumes
        output = None
    return _Graph(check_finite=g.check_finite, output=output, nodes=nodes, edges=edges)


def _settings_document(
    gate: Gate, type_name: str, name: str, at: str, depth: int
) -> dict[str, Any]:
    cls = type(gate)
    document: dict[str, Any] = {}
    for setting in cls.settings:
        where = f"{at}.settings.{setting}"
        about = f"node {name!r} ({type_name}), setting {setting!r}"
        if not hasattr(gate, setting):
            raise SettingError(
                f"save: {where}: {about}: the gate has no attribute {setting!r}", name, where=where
            )
        value = getattr(gate, setting)
        wanted = _SETTING_TYPES[cls][setting]
        if not _fits(value, wanted):
            raise SettingError(
                f"save: {where}: {about} must be {_wanted(wanted)}, the gate holds {value!r}",
                name,
                where=where,
            )
        try:
            document[setting] = _encoded(value, where, about, depth, setting=True)
        except GraphFileError as err:
            if type(err) is not GraphFileError:
                raise
            raise SettingError(str(err), name, where=err.where) from None
    if any(isinstance(value, (_Expanded, _Lines)) for value in document.values()):
        return _Expanded(document)
    return document


def _encoded(value: Any, where: str, about: str, depth: int, setting: bool = False) -> Any:
    """``value`` as a file holds it: JSON numbers, explicit non-finite floats,
    arrays with their dtype and shape; for a setting also strings, null, lists
    and graphs."""
    if isinstance(value, bool) or (value is None and setting):
        return value
    if isinstance(value, int):
        return _checked_int(int(value), where, about)
    if type(value) is float:
        return float(value) if math.isfinite(value) else {"float": _non_finite_name(value)}
    if isinstance(value, (np.ndarray, np.generic)):
        return _array_document(value, where, about)
    if setting and isinstance(value, str):
        return value
    if setting and isinstance(value, (tuple, list)):
        items = [
            _encoded(item, f"{where}[{i}]", about, depth, setting=True)
            for i, item in enumerate(value)
        ]
        return _Lines(items) if any(isinstance(i, (_Expanded, _Lines)) for i in items) else items
    if setting and isinstance(value, ComputationalGraph):
        return _Expanded(graph=_graph_document(value, f"{where}.graph.", depth + 1))
    holds = (
        "numbers, strings, null, lists, numpy arrays and graphs"
        if setting
        else ("ints, floats, bools and numeric numpy arrays and scalars")
    )
    raise GraphFileError(
        f"save: {where}: {about}: a file cannot hold {type(value).__name__} {value!r} "
        f"(it holds {holds})",
        where=where,
    )


def _checked_int(value: int, where: str, about: str) -> int:
    if value.bit_length() > MAX_INT_DIGITS * 3.33 or len(str(abs(value))) > MAX_INT_DIGITS:
        raise GraphFileError(
            f"save: {where}: {about}: an integer of more than {MAX_INT_DIGITS} digits",
            where=where,
        )
    return value


def _non_finite_name(value: float) -> str:
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def _array_document(value: np.ndarray | np.generic, where: str, about: str) -> dict[str, Any]:
    dtype = value.dtype
    if dtype.name not in DTYPES:
        raise GraphFileError(
            f"save: {where}: {about}: a file cannot hold an array of dtype {dtype} "
            f"(its dtypes: {', '.join(DTYPES)})",
            where=where,
        )
    array = np.asarray(value)
    if array.ndim > MAX_NDIM:
        raise GraphFileError(
            f"save: {where}: {about}: an array of {array.ndim} dimensions; the most is {MAX_NDIM}",
            where=where,
        )
    if dtype.kind == "f" and not np.isfinite(array).all():
        marked = array.astype(object)
        for text, test in (("nan", np.isnan), ("inf", np.isposinf), ("-inf", np.isneginf)):
            marked[test(array)] = text
        data = marked.tolist()
    else:
        data = array.tolist()
    if isinstance(value, np.generic):
        return {"dtype": dtype.name, "data": data}
    return {"dtype": dtype.name, "shape": list(array.shape), "data": data}


def _write(value: Any, indent: str, out: list[str]) -> None:
    """Append ``value`` as JSON: graphs one node and one edge a line, and the
    objects holding a graph a field a line; the rest compact."""
    if not isinstance(value, (_Graph, _Expanded, _Lines)):
        out.append(_COMPACT(value))
        return
    inner = indent + "  "
    items: list[Any] = list(value) if isinstance(value, list) else list(value.items())
    opening, closing = ("[", "]") if isinstance(value, list) else ("{", "}")
    out.append(opening + "\n")
    for i, item in enumerate(items):
        out.append(inner)
        if isinstance(value, dict):
            key, item = item
            out.append(json.dumps(key, ensure_ascii=False) + ": ")
            if isinstance(value, _Graph) and key in ("nodes", "edges") and item:
                item = _Lines(item)
        _write(item, inner, out)
        out.append(",\n" if i < len(items) - 1 else "\n")
    out.append(indent + closing)


class _Lines(list):  # type: ignore[type-arg]
    """A list written one item a line."""


# -------------------------------------------------------------------- reading


def load(
    path: str | os.PathLike[str], *, graph_type: type[ComputationalGraph] = ComputationalGraph
) -> ComputationalGraph:
    """The graph saved in ``path`` by :func:`save`, with its parameters' values.

    A file larger than :data:`MAX_FILE_BYTES` is refused by its size, before a
    byte of it is read. Nothing in the file is run: see the module's notes.

    Parameters
    ----------
    path : str or path-like
        The file.
    graph_type : type, optional
        The class of the graph made (a subclass of ComputationalGraph).

    Raises
    ------
    GraphFileError
        If the file is not a graph file this version reads: its message names
        the file and the place in it (as a JSON path) and says what is wrong.
    UnknownGateError
        If a gate type is neither built in nor registered (naming the node and the type).
    SettingError
        If a gate's settings do not fit its constructor (naming the node, the
        gate and the setting).
    OSError
        If the file cannot be read.
    """
    source = os.fspath(path)
    size = os.stat(source).st_size
    if size > MAX_FILE_BYTES:
        raise GraphFileError(_too_large(source, size))
    with open(source, "rb") as file:
        data = file.read(MAX_FILE_BYTES + 1)  # a file that grew, or a device with no size
    if len(data) > MAX_FILE_BYTES:
        raise GraphFileError(_too_large(source, None))
    return loads(data, source=source, graph_type=graph_type)


def _too_large(source: str, size: int | None) -> str:
    is_size = f"is {size} bytes" if size is not None else "holds more"
    return (
        f"{source}: the file {is_size}; the most a graph file may be is {MAX_FILE_BYTES} bytes "
        f"({MAX_FILE_BYTES // 2**20} MiB)"
    )


def loads(
    text: str | bytes,
    *,
    source: str = "",
    graph_type: type[ComputationalGraph] = ComputationalGraph,
) -> ComputationalGraph:
    """The graph a file's text holds; :func:`load` without the file.

    Parameters
    ----------
    text : str or bytes
        The JSON text (bytes: UTF-8).
    source : str, optional
        Where the text came from, to begin error messages with.
    graph_type : type, optional
        The class of the graph made.

    Raises
    ------
    GraphFileError, UnknownGateError, SettingError
        As :func:`load`.
    """
    reader = _Reader(source)
    document = reader.parse(text)
    return reader.graph(document, "", graph_type, top=True)


class _Unreadable:
    """What stands in the parsed JSON for a token that holds no value a file
    may have (``NaN``, ``1e999``, an integer of too many digits), so that the
    reader reports it where it is."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


class _Fields(dict):  # type: ignore[type-arg]
    """A JSON object that gave one field twice (``twice``: the first such)."""

    twice: str = ""


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    fields = dict(pairs)
    if len(fields) == len(pairs):
        return fields
    marked = _Fields(fields)
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            marked.twice = key
            break
        seen.add(key)
    return marked


def _int(text: str) -> int | _Unreadable:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        return _Unreadable(f"an integer of {digits} digits; the most is {MAX_INT_DIGITS}")
    return int(text)


def _float(text: str) -> float | _Unreadable:
    value = float(text)
    if not math.isfinite(value):
        return _Unreadable(
            f"the number {text[:20]} is beyond a float's range (write an infinity as "
            '{"float": "inf"})'
        )
    return value


def _constant(text: str) -> _Unreadable:
    name = {"NaN": "nan", "Infinity": "inf", "-Infinity": "-inf"}[text]
    return _Unreadable(f'{text} is not JSON; a file writes it as {{"float": "{name}"}}')


_ESCAPED = re.compile(rb"\\.", re.DOTALL)  # a backslash and the character it escapes
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'"[]{}')


def _depth(data: bytes) -> int:
    """How deep the JSON in ``data`` nests, its strings left out: no recursion,
    and every step at C speed.

    Escaped characters go first (an escaped quote ends no string), then all
    but quotes and brackets; a bracket counts where an even number of quotes
    comes before it. Where the text is not JSON, the count is right up to the
    first fault, and the parser stops there.
    """
    if b"\\" in data:
        data = _ESCAPED.sub(b"", data)
    kept = np.frombuffer(data.translate(None, _NOT_STRUCTURE), dtype=np.uint8)
    quotes = kept == ord('"')
    outside = (np.cumsum(quotes) % 2 == 0) & ~quotes
    steps = (
        np.isin(kept, (ord("["), ord("{"))).astype(np.int8) - np.isin(kept, (ord("]"), ord("}")))
    )[outside]
    return int(np.cumsum(steps, dtype=np.int64).max()) if steps.size else 0


def _shown(value: Any) -> str:
    """A JSON value as a message names it."""
    if isinstance(value, _Unreadable):
        return value.reason
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {shown!r}"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'' if len(value) == 1 else 's'}"
    if isinstance(value, dict):
        keys = ", ".join(repr(key) for key in list(value)[:4])
        return f"an object with the fields {keys}" if value else "an empty object"
    return type(value).__name__  # pragma: no cover: JSON holds nothing else


class _Reader:
    """Reads a parsed file into a graph, checking every field where it stands."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(
        self, where: str, reason: str, *nodes: str, error: type[GraphFileError] = GraphFileError
    ) -> GraphFileError:
        place = ": ".join(part for part in (self.source, where) if part)
        return error(f"{place}: {reason}" if place else reason, *nodes, where=where)

    def parse(self, text: str | bytes) -> Any:
        data = text.encode("utf-8") if isinstance(text, str) else text
        if len(data) > MAX_FILE_BYTES:
            raise self.fail("", _too_large("the text", len(data)).partition(": ")[2])
        try:
            decoded = data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise self.fail("", f"not UTF-8 text (byte {err.start})") from None
        depth = _depth(data)
        if depth > MAX_DEPTH:
            raise self.fail("", f"the JSON nests {depth} levels deep; the most is {MAX_DEPTH}")
        try:
            return json.loads(
                decoded,
                object_pairs_hook=_object,
                parse_int=_int,
                parse_float=_float,
                parse_constant=_constant,
            )
        except json.JSONDecodeError as err:
            raise self.fail(
                "", f"not JSON: {err.msg} at line {err.lineno}, column {err.colno}"
            ) from None
        except RecursionError:  # pragma: no cover: the depth is checked before
            raise self.fail("", "the JSON nests too deeply") from None

    # -- the shapes of fields

    def fields(
        self, value: Any, where: str, required: Sequence[str], optional: Sequence[str] = ()
    ) -> dict[str, Any]:
        what = where or "the file"
        if not isinstance(value, dict):
            raise self.fail(where, f"expected an object, got {_shown(value)}")
        if isinstance(value, _Fields):
            raise self.fail(where, f"the field {value.twice!r} is given twice")
        for key in required:
            if key not in value:
                raise self.fail(where, f"{what} has no field {key!r}")
        for key in value:
            if key not in required and key not in optional:
                known = ", ".join(repr(k) for k in [*required, *optional])
                raise self.fail(where, f"unknown field {key!r} (the fields here: {known})")
        return value

    def items(self, value: Any, where: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(where, f"expected a list, got {_shown(value)}")
        return value

    def name(self, value: Any, where: str) -> str:
        if not isinstance(value, str):
            raise self.fail(where, f"a node's name is a string, got {_shown(value)}")
        return value

    # -- a graph

    def graph(
        self, document: Any, where: str, graph_type: type[ComputationalGraph], top: bool
    ) -> ComputationalGraph:
        prefix = f"{where}." if where else ""
        if top:
            if not isinstance(document, dict):
                raise self.fail("", f"not a graph file: expected an object, got {_shown(document)}")
            if document.get("format") != FORMAT:
                found = _shown(document["format"]) if "format" in document else "no format field"
                raise self.fail(
                    "format", f'not a compgraph graph file (expected "{FORMAT}", got {found})'
                )
            version = document.get("version")
            if version != VERSION or type(version) is not int:
                found = _shown(version) if "version" in document else "no version field"
                raise self.fail(
                    "version", f"this compgraph reads version {VERSION} of the format, got {found}"
                )
            self.fields(document, where, ("format", "version", *_GRAPH_FIELDS))
        else:
            self.fields(document, where, _GRAPH_FIELDS)
        check_finite = document["check_finite"]
        if not isinstance(check_finite, bool):
            raise self.fail(
                f"{prefix}check_finite", f"expected true or false, got {_shown(check_finite)}"
            )
        nodes = self.nodes(document["nodes"], f"{prefix}nodes")
        inputs_of = self.edges(document["edges"], f"{prefix}edges", nodes)
        for index, node in enumerate(nodes):
            if node.gate is not None:
                node.check_arity(self, f"{prefix}nodes[{index}]", len(inputs_of[node.name]))
        order = self.order(nodes, inputs_of, f"{prefix}edges")
        self.check_output(document["output"], f"{prefix}output", nodes, inputs_of)
        g = graph_type(check_finite=check_finite)
        for index in order:
            node = nodes[index]
            try:
                if node.kind == INPUT:
                    g.add_input(node.name)
                elif node.kind == PARAMETER:
                    g.add_parameter(node.name, node.value)
                else:
                    slots = inputs_of[node.name]
                    assert node.gate is not None
                    g.add_gate(node.name, node.gate, [slots[k] for k in range(len(slots))])
            except GraphError as err:
                raise self.fail(f"{prefix}nodes[{index}]", str(err), node.name) from err
        return g

    def nodes(self, value: Any, where: str) -> list[_Node]:
        nodes: list[_Node] = []
        first: dict[str, int] = {}
        for index, item in enumerate(self.items(value, where)):
            at = f"{where}[{index}]"
            if not isinstance(item, dict):
                raise self.fail(at, f"a node is an object, got {_shown(item)}")
            kind = item.get("kind")
            if kind not in _KINDS:
                self.fields(item, at, ("name", "kind"), ("value", "gate", "settings"))
                raise self.fail(
                    f"{at}.kind",
                    f"a node's kind is 'input', 'parameter' or 'gate', got {_shown(kind)}",
                )
            extra = {INPUT: (), PARAMETER: ("value",), GATE: ("gate",)}[kind]
            self.fields(item, at, ("name", "kind", *extra), ("settings",) if kind == GATE else ())
            name = self.name(item["name"], f"{at}.name")
            if name in first:
                raise self.fail(
                    f"{at}.name",
                    f"a second node {name!r} (the first is {where}[{first[name]}])",
                    name,
                )
            first[name] = index
            node = _Node(name, kind)
            if kind == PARAMETER:
                node.value = self.parameter(item["value"], f"{at}.value", name)
            elif kind == GATE:
                node.gate, node.type_name = self.gate(item, at, name)
            nodes.append(node)
        return nodes

    def parameter(self, value: Any, where: str, name: str) -> Any:
        about = f"parameter {name!r}"
        found = self.value(value, where, about, setting=False)
        if not isinstance(found, (numbers.Number, np.ndarray, np.generic)):
            raise self.fail(
                where, f"{about}: a value is a number or an array, got {_shown(value)}", name
            )
        return found

    def gate(self, item: dict[str, Any], at: str, name: str) -> tuple[Gate, str]:
        type_name = item["gate"]
        cls = _GATE_TYPES.get(type_name) if isinstance(type_name, str) else None
        if cls is None:
            shown = repr(type_name) if isinstance(type_name, str) else _shown(type_name)
            raise self.fail(
                f"{at}.gate",
                f"node {name!r}: unknown gate type {shown}; a file may name the built-in "
                "gates and those registered with compgraph.register_gate",
                name,
                error=UnknownGateError,
            )
        if not cls.settings and "settings" not in item:  # the common case, at once
            return _made(cls), type_name
        where = f"{at}.settings"
        given = item.get("settings", {})
        if not isinstance(given, dict) or isinstance(given, _Fields):
            self.fields(given, where, ())
        declared = cls.settings
        about = f"node {name!r} ({type_name})"
        for setting in given:
            if setting not in declared:
                raise self.fail(
                    f"{where}.{setting}",
                    f"{about}: unknown setting {setting!r} (its settings: "
                    f"{', '.join(declared) or 'none'})",
                    name,
                    error=SettingError,
                )
        for setting in _REQUIRED[cls]:
            if setting not in given:
                raise self.fail(
                    where, f"{about}: the setting {setting!r} is missing", name, error=SettingError
                )
        settings: dict[str, Any] = {}
        for setting, raw in given.items():
            at_setting = f"{where}.{setting}"
            wanted = _SETTING_TYPES[cls][setting]
            value = self.value(raw, at_setting, f"{about}, setting {setting!r}", setting=True)
            if not _fits(value, wanted):
                raise self.fail(
                    at_setting,
                    f"{about}: the setting {setting!r} must be {_wanted(wanted)}, "
                    f"got {_shown(raw)}",
                    name,
                    error=SettingError,
                )
            settings[setting] = value
        try:
            return _made(cls, settings), type_name
        except Exception as exc:
            raise self.fail(
                where,
                f"{about}: its constructor refused the settings: {type(exc).__name__}: {exc}",
                name,
                error=SettingError,
            ) from exc

    def value(self, raw: Any, where: str, about: str, setting: bool) -> Any:
        """A value of the file, decoded: numbers, non-finite floats, arrays; in
        a setting also strings, null, lists (as tuples) and graphs."""
        error = SettingError if setting else GraphFileError
        if isinstance(raw, _Unreadable):
            raise self.fail(where, f"{about}: {raw.reason}", error=error)
        if isinstance(raw, (bool, int, float)) or (
            setting and (raw is None or isinstance(raw, str))
        ):
            return raw
        if setting and isinstance(raw, list):
            return tuple(
                self.value(item, f"{where}[{i}]", about, setting=True) for i, item in enumerate(raw)
            )
        if isinstance(raw, dict) and not isinstance(raw, _Fields):
            keys = set(raw)
            if keys == {"float"}:
                return self.non_finite(raw["float"], f"{where}.float", about, error)
            if keys in ({"dtype", "data"}, {"dtype", "shape", "data"}):
                return self.array(raw, where, about, error)
            if setting and keys == {"graph"}:
                return self.graph(raw["graph"], f"{where}.graph", ComputationalGraph, top=False)
        if isinstance(raw, _Fields):
            raise self.fail(where, f"{about}: the field {raw.twice!r} is given twice", error=error)
        holds = (
            'a number, {"float": "nan"}, an array {"dtype", "shape", "data"}, a string, null, '
            'a list, or {"graph": ...}'
            if setting
            else 'a number, {"float": "nan"} or an array {"dtype", "shape", "data"}'
        )
        raise self.fail(
            where, f"{about}: {_shown(raw)} is not a value a file holds ({holds})", error=error
        )

    def non_finite(self, raw: Any, where: str, about: str, error: type[GraphFileError]) -> float:
        if not isinstance(raw, str) or raw not in NON_FINITE:
            raise self.fail(
                where, f'{about}: expected "nan", "inf" or "-inf", got {_shown(raw)}', error=error
            )
        return NON_FINITE[raw]

    def array(
        self, raw: dict[str, Any], where: str, about: str, error: type[GraphFileError]
    ) -> np.ndarray | np.generic:
        dtype_name = raw["dtype"]
        if not isinstance(dtype_name, str) or dtype_name not in DTYPES:
            raise self.fail(
                f"{where}.dtype",
                f"{about}: the dtype {_shown(dtype_name)} is not one a file holds "
                f"({', '.join(DTYPES)})",
                error=error,
            )
        dtype = np.dtype(dtype_name)  # a name from the list above, never the file's own
        scalar = "shape" not in raw
        shape = [] if scalar else self.shape(raw["shape"], f"{where}.shape", about, error)
        leaves = self.leaves(raw["data"], f"{where}.data", shape, about, error)
        array = self.numbers(leaves, dtype, f"{where}.data", shape, about, error)
        return array.reshape(shape)[()] if scalar else array.reshape(shape)

    def shape(self, raw: Any, where: str, about: str, error: type[GraphFileError]) -> list[int]:
        if not isinstance(raw, list) or not all(type(n) is int and n >= 0 for n in raw):
            raise self.fail(
                where,
                f"{about}: a shape is a list of sizes (integers 0 or more), got {_shown(raw)}",
                error=error,
            )
        if len(raw) > MAX_NDIM:
            raise self.fail(
                where, f"{about}: {len(raw)} dimensions; the most is {MAX_NDIM}", error=error
            )
        if any(n > MAX_FILE_BYTES for n in raw) or math.prod(n for n in raw if n) > MAX_FILE_BYTES:
            raise self.fail(
                where,
                f"{about}: the shape {raw} is larger than a file holds (at most {MAX_FILE_BYTES} "
                "along any axis and in all)",
                error=error,
            )
        return raw

    def leaves(
        self, data: Any, where: str, shape: list[int], about: str, error: type[GraphFileError]
    ) -> list[Any]:
        """The numbers of nested lists ``data`` of ``shape``, level by level (no recursion)."""
        level = [data]
        for depth, size in enumerate(shape):
            deeper: list[Any] = []
            for i, item in enumerate(level):
                if type(item) is not list or len(item) != size:
                    index = (
                        "".join(f"[{k}]" for k in np.unravel_index(i, shape[:depth]))
                        if depth
                        else ""
                    )
                    raise self.fail(
                        f"{where}{index}",
                        f"{about}: the shape {shape} wants a list of {size} here, "
                        f"got {_shown(item)}",
                        error=error,
                    )
                deeper.extend(item)
            level = deeper
        return level

    def numbers(
        self,
        leaves: list[Any],
        dtype: np.dtype[Any],
        where: str,
        shape: list[int],
        about: str,
        error: type[GraphFileError],
    ) -> np.ndarray:
        kind = dtype.kind
        if kind == "b":
            fits = [type(leaf) is bool for leaf in leaves]
            wanted = "true or false"
        elif kind in "iu":
            fits = [type(leaf) is int for leaf in leaves]
            wanted = "an integer"
        else:
            leaves = [NON_FINITE.get(leaf, leaf) if type(leaf) is str else leaf for leaf in leaves]
            fits = [type(leaf) is float or type(leaf) is int for leaf in leaves]
            wanted = 'a number, "nan", "inf" or "-inf"'
        if not all(fits):
            bad = fits.index(False)
            raise self.fail(
                where + _index(bad, shape),
                f"{about}: an element of a {dtype.name} array is {wanted}, "
                f"got {_shown(leaves[bad])}",
                error=error,
            )
        try:
            as_floats = np.array(leaves, dtype=np.float64) if kind == "f" else None
        except OverflowError:  # an integer beyond any float
            bad = next(i for i, leaf in enumerate(leaves) if abs(leaf) > 1e308)
            raise self.fail(
                where + _index(bad, shape),
                f"{about}: {leaves[bad]} is beyond a float's range",
                error=error,
            ) from None
        if kind in "iu":
            info = np.iinfo(dtype)
            outside = [not info.min <= leaf <= info.max for leaf in leaves]
            if any(outside):
                bad = outside.index(True)
                raise self.fail(
                    where + _index(bad, shape),
                    f"{about}: {leaves[bad]} does not fit {dtype.name}",
                    error=error,
                )
            return np.array(leaves, dtype=dtype)
        with np.errstate(over="ignore"):
            array = np.array(leaves, dtype=dtype)
        if as_floats is not None:
            overflowed = np.isinf(array) & ~np.isinf(as_floats)
            if overflowed.any():
                bad = int(np.flatnonzero(overflowed)[0])
                raise self.fail(
                    where + _index(bad, shape),
                    f"{about}: {leaves[bad]} is beyond {dtype.name}'s range",
                    error=error,
                )
        return array

    # -- edges, order, output

    def edges(self, value: Any, where: str, nodes: list[_Node]) -> dict[str, dict[int, str]]:
        """Each gate's inputs by slot, from the edges."""
        index = {node.name: i for i, node in enumerate(nodes)}
        inputs_of: dict[str, dict[int, str]] = {n.name: {} for n in nodes if n.kind == GATE}
        fed_by: dict[tuple[str, int], int] = {}  # (gate, slot) -> the edge feeding it
        pairs: dict[tuple[str, str], int] = {}
        for number, edge in enumerate(self.items(value, where)):
            at = f"{where}[{number}]"
            if type(edge) is not dict or len(edge) != 3:  # a _Fields is not a dict exactly
                self.fields(edge, at, ("source", "target", "slots"))
            source, target = edge.get("source"), edge.get("target")
            if not (type(source) is str and type(target) is str) or not (
                source in index and target in index
            ):
                self.fields(edge, at, ("source", "target", "slots"))
                for end, name in (("source", source), ("target", target)):
                    name = self.name(name, f"{at}.{end}")
                    if name not in index:
                        raise self.fail(f"{at}.{end}", f"{name!r} is not a node", name)
            if nodes[index[target]].kind != GATE:
                raise self.fail(
                    f"{at}.target",
                    f"{target!r} is a{'n' if nodes[index[target]].kind == INPUT else ''} "
                    f"{nodes[index[target]].kind}; only gates consume nodes",
                    target,
                )
            if (source, target) in pairs:
                raise self.fail(
                    at,
                    f"a second edge from {source!r} to {target!r} (the first is "
                    f"{where}[{pairs[source, target]}]); give all its slots in one edge",
                    target,
                    source,
                )
            pairs[source, target] = number
            slots = edge.get("slots")
            if (
                not isinstance(slots, list)
                or not slots
                or not all(type(slot) is int and slot >= 0 for slot in slots)
            ):
                raise self.fail(
                    f"{at}.slots",
                    f"slots are a list of one or more input positions (integers 0 or more), "
                    f"got {_shown(slots)}",
                    target,
                )
            for slot in slots:
                if (target, slot) in fed_by:
                    raise self.fail(
                        f"{at}.slots",
                        f"slot {slot} of {target!r} is fed already "
                        f"({where}[{fed_by[target, slot]}])",
                        target,
                        source,
                    )
                fed_by[target, slot] = number
                inputs_of[target][slot] = source
        for target, slots in inputs_of.items():
            if slots and max(slots) >= len(slots):
                missing = next(k for k in range(len(slots) + 1) if k not in slots)
                raise self.fail(
                    where,
                    f"no edge feeds slot {missing} of {target!r}, but one feeds slot {max(slots)}",
                    target,
                )
        return inputs_of

    def order(
        self, nodes: list[_Node], inputs_of: dict[str, dict[int, str]], where: str
    ) -> list[int]:
        """An order of evaluation: the file's order where it is one (Kahn's, the
        earliest node first); a cycle refused, naming it."""
        index = {node.name: i for i, node in enumerate(nodes)}
        consumers: list[list[int]] = [[] for _ in nodes]
        waiting = [0] * len(nodes)
        for target, slots in inputs_of.items():
            for source in set(slots.values()):
                consumers[index[source]].append(index[target])
                waiting[index[target]] += 1
        ready = [i for i, count in enumerate(waiting) if count == 0]
        heapq.heapify(ready)
        order: list[int] = []
        while ready:
            i = heapq.heappop(ready)
            order.append(i)
            for j in consumers[i]:
                waiting[j] -= 1
                if waiting[j] == 0:
                    heapq.heappush(ready, j)
        if len(order) == len(nodes):
            return order
        # Every node left waits for another node left: walking back from one
        # of them along its inputs comes round to a node twice.
        left = {nodes[i].name for i, count in enumerate(waiting) if count}
        walk = [min(left, key=index.__getitem__)]
        seen = {walk[0]: 0}
        while True:
            before = next(s for s in inputs_of[walk[-1]].values() if s in left)
            if before in seen:
                cycle = list(reversed(walk[seen[before] :]))
                first = cycle.index(min(cycle, key=index.__getitem__))
                cycle = [*cycle[first:], *cycle[:first], cycle[first]]  # from the earliest
                break
            seen[before] = len(walk)
            walk.append(before)
        raise self.fail(where, f"the edges close the cycle {' -> '.join(cycle)}", *cycle[:-1])

    def check_output(
        self, output: Any, where: str, nodes: list[_Node], inputs_of: dict[str, dict[int, str]]
    ) -> None:
        consumed = {source for slots in inputs_of.values() for source in slots.values()}
        sinks = [node.name for node in nodes if node.name not in consumed]
        if output is None:
            if len(sinks) == 1:
                raise self.fail(where, f"null, but the graph has one output, {sinks[0]!r}")
            return
        if not isinstance(output, str):
            raise self.fail(where, f"the output is a node's name or null, got {_shown(output)}")
        if sinks != [output]:
            if output not in {node.name for node in nodes}:
                raise self.fail(where, f"{output!r} is not a node", output)
            if output in consumed:
                raise self.fail(
                    where, f"{output!r} is consumed by a gate; the output is not", output
                )
            others = ", ".join(repr(s) for s in sinks if s != output)
            raise self.fail(
                where,
                f"{output!r}, but {others} also feed nothing (write null for several)",
                output,
            )


class _Node:
    """A node as read from a file, before it is added to the graph."""

    __slots__ = ("gate", "kind", "name", "type_name", "value")

    def __init__(self, name: str, kind: str) -> None:
        self.name = name
        self.kind = kind
        self.value: Any = None
        self.gate: Gate | None = None
        self.type_name = ""

    def check_arity(self, reader: _Reader, where: str, count: int) -> None:
        assert self.gate is not None
        try:
            problem = arity_error(self.gate, count)
        except TypeError as exc:
            raise reader.fail(where, f"node {self.name!r}: {exc}", self.name) from exc
        if problem is not None:
            raise reader.fail(where, f"node {self.name!r}: {problem} (from the edges)", self.name)


def _made(cls: type[Gate], settings: dict[str, Any] | None = None) -> Gate:
    """A new gate of the registered class ``cls``: the one call a file leads to."""
    return cls(**settings) if settings else cls()


def _index(flat: int, shape: list[int]) -> str:
    return "".join(f"[{k}]" for k in np.unravel_index(flat, shape)) if shape else ""


# ------------------------------------------------------------ settings' types


def _fits(value: Any, hint: Any) -> bool:
    """Whether ``value`` is of the type ``hint`` (an annotation), as far as a
    file's values go; an annotation this does not know lets anything through."""
    if hint is Any:
        return True
    if hint is None or hint is type(None):
        return value is None
    origin = typing.get_origin(hint)
    if origin is Union or origin is types.UnionType:
        return any(_fits(value, arg) for arg in typing.get_args(hint))
    if origin is Literal:
        return value in typing.get_args(hint)
    if hint is bool:
        return isinstance(value, (bool, np.bool_))
    if hint is int:
        return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))
    if hint is float:
        return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
    if origin in (tuple, list, Sequence) or hint in (tuple, list):
        if not isinstance(value, (tuple, list)):
            return False
        args = typing.get_args(hint)
        if not args:
            return True
        if (len(args) == 2 and args[1] is Ellipsis) or origin is not tuple:
            return all(_fits(item, args[0]) for item in value)
        return len(args) == len(value) and all(map(_fits, value, args))
    if isinstance(hint, type):
        return isinstance(value, hint)
    return True


def _wanted(hint: Any) -> str:
    """An annotation as a message says it: ``a number``, ``a list of integers``."""
    if hint is None or hint is type(None):
        return "null"
    origin = typing.get_origin(hint)
    if origin is Union or origin is types.UnionType:
        return " or ".join(_wanted(arg) for arg in typing.get_args(hint))
    if origin is Literal:
        return " or ".join(repr(arg) for arg in typing.get_args(hint))
    names = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}
    if hint in names:
        return names[hint]
    if origin in (tuple, list, Sequence):
        args = typing.get_args(hint)
        if (len(args) == 2 and args[1] is Ellipsis) or (origin is not tuple and args):
            return f"a list of {_wanted(args[0]).removeprefix('a ').removeprefix('an ')}s"
        return f"a list of {len(args)}"
    if hint is np.ndarray:
        return "an array"
    if isinstance(hint, type) and issubclass(hint, ComputationalGraph):
        return "a graph"
    return getattr(hint, "__name__", str(hint))
