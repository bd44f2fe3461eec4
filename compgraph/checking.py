"""What every gradient check shares: its options, its report, and the check of
one gate's ``backward`` against central differences of its own ``forward``.

:func:`compgraph.check_gate` checks one gate alone at example inputs,
:func:`compgraph.gradcheck` every gate of a pass; both take a
:class:`CheckOptions` and return (or raise with) a :class:`GradcheckReport`.
Every check runs on copies of the gate (see :func:`gates.base.full_copy`), in
float64, so the gate checked is left as it was.

A gate is blamed only where finite differences can tell: at a kink, near the
edge of forward's domain, where rounding hides the change a step makes or the
estimates do not settle, a check says that it cannot check, and why (see
:func:`compgraph._finite.judge`). Integer arrays (class labels) are held as
they are, not differentiated.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from compgraph._finite import Differences, Verdict, judge
from compgraph._shapes import fit_gradient
from compgraph.composite import CompositeGate
from compgraph.errors import GateExecutionError, GradcheckError, GraphTypeError
from compgraph.kinks import kink_of
from compgraph.table import format_number, format_table
from gates.base import Gate, full_copy

__all__ = ["CheckOptions", "CheckRow", "GradcheckReport"]

#: Makes the gradient arriving at a gate's output, given that output.
DzMaker = Callable[[Any], Any]

#: How many failures a printed report tells in full under its table.
_MESSAGES_SHOWN = 5


@dataclass(frozen=True)
class CheckOptions:
    """How every gradient check compares a gradient with finite differences.

    Each checking function (:func:`~compgraph.check_gate`,
    :func:`~compgraph.gate_report`, :func:`~compgraph.gradcheck`,
    :func:`~compgraph.gradcheck_report` and the assertions of
    :mod:`compgraph.testing`) takes one as ``options=``, and its fields as
    keywords too (``rtol=1e-2``), which replace those of ``options``.

    Parameters
    ----------
    step : float, optional
        The finite-difference step, relative to each element's size: an
        element ``x`` is moved by ``+-step * max(1, |x|)``. Where the slope
        found disagrees, smaller steps (down to ``step / 1000``) are tried
        before anything is blamed.
    rtol, atol : float, optional
        An element passes when ``|analytic - numeric| <= atol + rtol * |numeric|``.
    trials : int, optional
        How many seeded random points a gate checked alone is checked at,
        besides its example inputs. The gates of a graph are checked at the
        values of the pass instead.
    seed : int, optional
        The seed of those random points and of the random ``dz``.

    Raises
    ------
    ValueError
        If ``step`` is not positive, a tolerance is negative, ``trials`` is not
        an integer 0 or more or ``seed`` not an integer.

    Examples
    --------
    >>> from compgraph import CheckOptions, check_gate
    >>> from gates import ExpGate
    >>> loose = CheckOptions(rtol=1e-2, trials=1)
    >>> check_gate(ExpGate(), 0.5, options=loose)
    True
    >>> check_gate(ExpGate(), 0.5, options=loose, seed=7)  # a keyword replaces a field
    True
    >>> CheckOptions(step=0)
    Traceback (most recent call last):
    ...
    ValueError: step must be positive, got 0
    """

    step: float = 1e-6
    rtol: float = 1e-3
    atol: float = 1e-5
    trials: int = 3
    seed: int = 0

    def __post_init__(self) -> None:
        if not self.step > 0:
            raise ValueError(f"step must be positive, got {self.step!r}")
        for name in ("rtol", "atol"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be 0 or more, got {getattr(self, name)!r}")
        if not (_is_integer(self.trials) and self.trials >= 0):
            raise ValueError(f"trials must be an integer 0 or more, got {self.trials!r}")
        if not _is_integer(self.seed):
            raise ValueError(f"seed must be an integer, got {self.seed!r}")


def check_options(
    function: str, options: CheckOptions | None, settings: Mapping[str, Any]
) -> CheckOptions:
    """``options`` (by default :class:`CheckOptions`'s defaults) with the fields
    named in ``settings`` replaced, for the checking function named ``function``.

    Raises
    ------
    TypeError
        If a name in ``settings`` is not a field of :class:`CheckOptions`, or
        ``options`` is not a :class:`CheckOptions`.
    ValueError
        If a value is out of range.

    Examples
    --------
    >>> check_options("gradcheck", CheckOptions(atol=0.1), {"rtol": 0.01})
    CheckOptions(step=1e-06, rtol=0.01, atol=0.1, trials=3, seed=0)
    >>> check_options("gradcheck", None, {"tol": 0.01})
    Traceback (most recent call last):
    ...
    TypeError: gradcheck() got an unexpected keyword argument 'tol' (the check options are step, rtol, atol, trials and seed)
    """  # noqa: E501
    fields = [field.name for field in dataclasses.fields(CheckOptions)]
    for name in settings:
        if name not in fields:
            raise TypeError(
                f"{function}() got an unexpected keyword argument {name!r} (the check options "
                f"are {', '.join(fields[:-1])} and {fields[-1]})"
            )
    if options is None:
        options = CheckOptions()
    elif not isinstance(options, CheckOptions):
        raise TypeError(f"{function}: options must be a CheckOptions, got {options!r}")
    return dataclasses.replace(options, **settings)


@dataclass(frozen=True)
class CheckRow:
    """One line of a report: one input slot of one gate (or one leaf of a graph).

    Attributes
    ----------
    node : str
        The gate's node in a graph, or which inputs a gate alone was checked at
        (``"example"``, ``"random 1"``...).
    gate : str
        The gate's class name, or ``"input"`` / ``"parameter"`` for a leaf
        checked through the whole graph.
    slot : str
        The input slot (``"0 (x)"``), ``"whole graph"`` for a leaf, or ``""``
        for a fault of the gate as a whole.
    abs_error, rel_error : float
        The worst absolute and relative error between the analytic gradient and
        finite differences; ``nan`` when no gradient could be compared.
    problem : str
        ``""`` when the check passed; else what failed, in a few words. It
        starts with ``"cannot check"`` where finite differences could not tell
        (``"cannot check (kink)"``): nothing is blamed then.
    message : str
        The whole story of a failure: the node, the input, the analytic and
        numeric values, the error and where; ``""`` when the check passed.
    note : str
        What a passed row did not check: ``"held (integers)"`` for an integer
        array, held as it is; ``""`` otherwise.
    """

    node: str
    gate: str
    slot: str
    abs_error: float
    rel_error: float
    problem: str = ""
    message: str = ""
    note: str = ""

    @property
    def ok(self) -> bool:
        """Whether the check passed."""
        return not self.problem

    @property
    def inconclusive(self) -> bool:
        """Whether the check failed only because finite differences could not
        tell, blaming nothing."""
        return self.problem.startswith("cannot check")


@dataclass
class GradcheckReport:
    """Every check of a gradient check, printable as a table.

    Attributes
    ----------
    rows : list of CheckRow
        One per input slot of every gate checked, and one per leaf checked
        through the whole graph, in evaluation order.
    label : str
        The heading of the first column: ``"node"``, or ``"inputs"`` for a gate
        checked alone.

    Examples
    --------
    >>> report = GradcheckReport([CheckRow("f", "MulGate", "0 ('q')", 0.0, 0.0)])
    >>> report.ok
    True
    >>> print(report)
    node  gate     input    abs error  rel error  result
    ----  -------  -------  ---------  ---------  ------
    f     MulGate  0 ('q')  0          0          ok
    """

    rows: list[CheckRow]
    label: str = "node"

    @property
    def ok(self) -> bool:
        """Whether every check passed."""
        return all(row.ok for row in self.rows)

    @property
    def failures(self) -> list[CheckRow]:
        """The rows that failed: gates before leaves, and within each, the rows
        that blame before those that could not check."""
        failed = [row for row in self.rows if not row.ok]
        return sorted(failed, key=lambda row: (row.slot == "whole graph", row.inconclusive))

    def __str__(self) -> str:
        cells = [
            [
                row.node,
                row.gate,
                row.slot,
                _format_error(row.abs_error),
                _format_error(row.rel_error),
                row.problem or row.note or "ok",
            ]
            for row in self.rows
        ]
        table = format_table(
            [self.label, "gate", "input", "abs error", "rel error", "result"], cells
        )
        messages = [row.message for row in self.failures]
        if len(messages) > _MESSAGES_SHOWN:
            hidden = len(messages) - _MESSAGES_SHOWN
            messages = [*messages[:_MESSAGES_SHOWN], f"... and {_plural(hidden, 'more failure')}"]
        return "\n\n".join([table, "\n".join(messages)]) if messages else table

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """How IPython shows the report: its table, as ``print`` does."""
        printer.text(str(self))

    def error(self) -> GradcheckError:
        """The error a failed check raises: the first failure told in full (a
        gate's before a leaf's), then where the others are. The report is kept
        on it as ``err.report``."""
        failures = self.failures
        first, others = failures[0], failures[1:]
        lines = [first.message]
        gates_pass = all(row.ok for row in self.rows if row.slot != "whole graph")
        if first.slot == "whole graph" and not first.inconclusive and gates_pass:
            lines.append(
                "Every gate checked passes its own check: look for state shared between "
                "gates, or a forward that depends on more than its inputs."
            )
        more = _plural(len(others), "more failing check")
        if others and self.label == "node":
            lines.append(f"{more}: " + ", ".join(map(_where, others)))
        elif others:
            lines.append(f"and {more} (err.report lists them)")
        nodes = dict.fromkeys(row.node for row in failures if self.label == "node")
        err = GradcheckError("\n".join(lines), *nodes)
        err.report = self
        return err


@dataclass(frozen=True)
class Outcome:
    """What one check of one gate found, for one input slot or (``slot`` None) the whole gate."""

    slot: int | None
    abs_error: float = math.nan
    rel_error: float = math.nan
    problem: str = ""
    detail: str = ""
    element: str = ""
    note: str = ""


def check_at(
    gate: Gate,
    values: Sequence[Any],
    labels: Sequence[str],
    dz_makers: Sequence[DzMaker],
    options: CheckOptions,
) -> list[Outcome]:
    """Check ``gate`` at the float64 point ``values``, once per way of making ``dz``.

    ``labels`` names each input (``"x"``, or a node's name quoted). Returns one
    :class:`Outcome` per input slot, each the first failure over the ``dz``
    tried or else the largest error; or a single outcome for a fault found
    before gradients could be compared (an exception, an input or ``dz``
    modified, a wrong number of gradients or a wrong shape).
    """
    merged: list[Outcome] = []
    for make_dz in dz_makers:
        outcomes = _check_once(gate, values, labels, make_dz, options)
        if len(outcomes) != len(values) or (outcomes and outcomes[0].problem in _FAULTS):
            return outcomes
        if not merged:
            merged = outcomes
            continue
        merged = [_keep(old, new) for old, new in zip(merged, outcomes)]
    return merged


#: The problems of a gate as a whole, found before any gradient is compared.
_FAULTS = {"forward raised", "modifies input", "backward raised", "modifies dz", "not a list"}
_FAULTS |= {"wrong count", "wrong shape", "cannot check (not finite)", "kink raised"}


def _keep(old: Outcome, new: Outcome) -> Outcome:
    """Which of two outcomes of one slot to keep: a blame, else a check that
    could not be made (the first such), else the larger error."""

    def rank(outcome: Outcome) -> int:
        if not outcome.problem:
            return 0
        return 1 if outcome.problem.startswith("cannot check") else 2

    if rank(old) != rank(new):
        return old if rank(old) > rank(new) else new
    return old if old.problem or old.abs_error >= new.abs_error else new


def _check_once(
    gate: Gate,
    values: Sequence[Any],
    labels: Sequence[str],
    make_dz: DzMaker,
    options: CheckOptions,
) -> list[Outcome]:
    args = [copy.deepcopy(value) for value in values]
    checked = full_copy(gate)
    try:
        output = checked.forward(*args)
    except Exception as exc:
        return [_fault(None, "forward raised", f"forward raised {_exception(exc)}", labels, values)]
    for slot, (arg, value) in enumerate(zip(args, values)):
        if not _same(arg, value):
            detail = f"forward modified input {slot} ({labels[slot]}) in place"
            return [_fault(slot, "modifies input", detail, labels, values)]
    if not is_finite(output):
        detail = (
            f"cannot check at {_point(labels, values, None)}: forward gives "
            f"{format_value(output)}, and finite differences need finite values"
        )
        return [Outcome(None, problem="cannot check (not finite)", detail=detail)]
    dz = make_dz(output)
    dz_given = copy.deepcopy(dz)
    try:
        grads = checked.backward(dz_given)
    except Exception as exc:
        return [
            _fault(
                None, "backward raised", f"backward raised {_exception(exc)}", labels, values, dz
            )
        ]
    if not _same(dz_given, dz):
        return [_fault(None, "modifies dz", "backward modified dz in place", labels, values, dz)]
    count = len(values)
    if not isinstance(grads, (list, tuple)):
        detail = (
            f"backward returned {type(grads).__name__}, not a list of {_plural(count, 'gradient')}"
        )
        return [_fault(None, "not a list", detail, labels, values, dz)]
    if len(grads) != count:
        detail = (
            f"backward returned {_plural(len(grads), 'gradient')} for {_plural(count, 'input')}"
        )
        return [_fault(None, "wrong count", detail, labels, values, dz)]
    fitted: list[Any] = []
    for slot, (grad, value) in enumerate(zip(grads, values)):
        if is_held(value):
            fitted.append(None)
            continue
        try:
            fitted.append(fit_gradient(grad, value, output, values))
        except ValueError as exc:
            detail = f"the gradient for input {slot} ({labels[slot]}) {exc}"
            return [_fault(slot, "wrong shape", detail, labels, values, dz)]
    try:
        note = kink_of(checked)
    except GateExecutionError as exc:
        return [_fault(None, "kink raised", str(exc), labels, values)]
    kink = f"the gate ran at a kink ({note})" if note else None
    numeric_gate = full_copy(gate)
    outcomes = []
    for slot, analytic in enumerate(fitted):
        if analytic is None:
            outcomes.append(Outcome(slot, note=HELD))
            continue
        outcome = check_slot(
            numeric_gate.forward, values, slot, dz, analytic, options, labels[slot], kink
        )
        point = _point(labels, values, dz)
        if outcome.problem.startswith("cannot check"):
            detail = (
                f"cannot check input {slot} ({labels[slot]}){outcome.element} at {point}: "
                f"{outcome.detail}"
            )
        elif outcome.problem:
            detail = f"the gradient for input {slot} ({labels[slot]}) {outcome.detail} at {point}"
        else:
            detail = ""
        outcomes.append(dataclasses.replace(outcome, detail=detail))
    return outcomes


#: The note of an integer array held as it is.
HELD = "held (integers)"


def check_slot(
    function: Callable[..., Any],
    inputs: Sequence[Any],
    slot: int,
    dz: Any,
    analytic: Any,
    options: CheckOptions,
    label: str,
    kink: str | None = None,
) -> Outcome:
    """Compare the gradient ``analytic`` of input ``slot`` (named ``label``) with
    central differences of ``sum(dz * function(*inputs))``.

    Each element out of tolerance is judged (see :func:`compgraph._finite.judge`)
    before it is blamed. The outcome's ``detail`` tells the worst element
    confirmed wrong (as :func:`compare` does) or, if none is, why some element
    cannot be checked, ``element`` saying which (``", element (0,),"``).
    ``kink`` says where the pass ran at a kink, from the gates' own notes (see
    :meth:`gates.Gate.kink`): a detail of a kink then tells it.
    """
    differences = Differences(function, inputs, slot, dz)
    numeric = np.array(differences.gradient(options.step)[0], dtype=np.float64)
    a = np.asarray(analytic, dtype=np.float64)
    outcome = compare(a, numeric, options, slot)
    if not outcome.problem:
        return outcome

    def allowed(value: float) -> float:
        return options.atol + options.rtol * abs(value)

    with np.errstate(all="ignore"):
        diff = np.abs(a - numeric)
        excess = np.where(diff <= options.atol + options.rtol * np.abs(numeric), -1.0, diff)
    excess = np.where(np.isnan(excess), np.inf, excess)
    blocked: tuple[tuple[int, ...], Verdict] | None = None
    for flat in np.argsort(-excess, axis=None, kind="stable"):
        index = tuple(int(i) for i in np.unravel_index(int(flat), a.shape))
        if excess[index] < 0:
            break
        verdict = judge(differences, index, float(a[index]), options.step, allowed)
        numeric[index] = verdict.numeric
        if verdict.kind == "wrong":
            return dataclasses.replace(
                compare(a, numeric, options, slot), detail=_disagreement(a, numeric, index)
            )
        if verdict.kind != "ok" and blocked is None:
            blocked = index, verdict
    with np.errstate(all="ignore"):
        diff = np.abs(a - numeric)
        rel = np.where(diff == 0, 0.0, diff / np.abs(numeric))
    if blocked is None:
        return Outcome(slot, _worst(diff), _worst(rel))
    index, verdict = blocked
    name = label.strip(chr(39)) + (f"[{', '.join(map(str, index))}]" if index else "")
    return Outcome(
        slot,
        _worst(diff),
        _worst(rel),
        f"cannot check ({verdict.kind})",
        _why(verdict, name, options.step, differences.scale, kink),
        f", element {index}," if index else "",
    )


def _why(verdict: Verdict, name: str, step: float, scale: float, kink: str | None) -> str:
    """Why finite differences cannot tell the gradient, for a verdict that is
    neither ``"ok"`` nor ``"wrong"`` (``kink``: where the pass ran at a kink)."""
    if verdict.kind == "domain":
        tried = sorted({t.size for t in verdict.tries} | {f.size for f in verdict.failures})
        span = f"from {format_value(tried[-1])} down to {format_value(tried[0])}"
        if not verdict.failures:
            return (
                f"every step {span} crosses zero, and so near zero they cannot confirm a "
                "gradient; give a smaller step"
            )
        failure = verdict.failures[0]
        where = f"at {name}={format_value(failure.moved_to)} {failure.what}"
        if not verdict.tries:
            return f"every step {span} leaves forward's domain ({where}); give a smaller step"
        return (
            f"{len(verdict.failures)} of the steps {span} fail ({where}), and the others "
            "cannot confirm a gradient"
        )
    if verdict.kind == "kink":
        last = verdict.tries[-1]
        where = kink or "at a kink (a tie, or ReLU at 0)"
        return (
            f"{where}, where finite differences do not apply: the slope is "
            f"{format_value(last.above)} on one side and {format_value(last.below)} on the other"
        )
    if verdict.kind == "rounding":
        return (
            f"float64 rounding of the output (about {format_value(scale)}) hides the change a "
            f"step of {format_value(step)} makes, so finite differences cannot tell the gradient"
        )
    estimates = ", ".join(
        f"{format_value(t.central)} at step {format_value(t.size)}" for t in verdict.tries
    )
    return (
        f"finite differences do not settle as the step shrinks ({estimates}): forward changes "
        "too fast here (a pole, or a steep edge within the step)"
    )


def compare(analytic: Any, numeric: Any, options: CheckOptions, slot: int | None = None) -> Outcome:
    """The worst errors between two gradients of one shape, and if some element is
    out of tolerance, a detail naming the worst one with both values.

    Examples
    --------
    >>> compare(3.0, -4.0, CheckOptions()).detail
    'disagrees with finite differences: analytic 3, numeric -4 (abs error 7, rel error 1.75)'
    >>> compare(2.0, 2.0000001, CheckOptions()).problem
    ''
    """
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    with np.errstate(all="ignore"):
        diff = np.abs(a - n)
        rel = np.where(diff == 0, 0.0, diff / np.abs(n))
        allowed = options.atol + options.rtol * np.abs(n)
        excess = np.where(np.isnan(diff), np.inf, diff / np.where(allowed > 0, allowed, 1e-300))
    abs_error, rel_error = _worst(diff), _worst(rel)
    bad = ~(diff <= allowed)
    if not bad.any():
        return Outcome(slot, abs_error, rel_error)
    index = np.unravel_index(int(np.argmax(np.where(bad, excess, -1.0))), a.shape)
    detail = _disagreement(a, n, tuple(int(i) for i in index))
    return Outcome(slot, abs_error, rel_error, "wrong gradient", detail)


def _disagreement(a: np.ndarray, n: np.ndarray, index: tuple[int, ...]) -> str:
    """The detail of element ``index`` disagreeing: both values and the errors."""
    with np.errstate(all="ignore"):
        diff = float(abs(a[index] - n[index]))
        rel = 0.0 if diff == 0 else float(diff / np.abs(n[index]))
    where = f" at element {index}" if a.ndim else ""
    return (
        f"disagrees with finite differences{where}: analytic {format_value(a[index])}, "
        f"numeric {format_value(n[index])} (abs error {_format_error(diff)}, "
        f"rel error {_format_error(rel)})"
    )


def as_float64(value: Any, where: str) -> Any:
    """``value`` as a Python float or a new float64 array, or a GraphTypeError."""
    if isinstance(value, numbers.Real):
        return float(value)
    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise GraphTypeError(
            f"{where} is {type(value).__name__} {value!r}, not a real number or array"
        ) from None
    return float(array) if array.ndim == 0 and not isinstance(value, np.ndarray) else array


def ones_like(output: Any) -> Any:
    """``1.0``, or ones of the output's shape: the gradient of the output itself."""
    return np.ones(np.shape(output)) if np.ndim(output) else 1.0


def random_like(value: Any, rng: np.random.Generator) -> Any:
    """Seeded random float64 values of ``value``'s shape, away from zero: each
    element keeps its sign and scale (times a factor between 0.6 and 1.65), a
    zero becomes a random value between 0.5 and 2 in size, of random sign. An
    element the factor would take past float64's range (to inf, or to 0) keeps
    its value.

    Examples
    --------
    >>> import numpy as np
    >>> point = random_like(np.array([2.0, -1e308, 0.0]), np.random.default_rng(0))
    >>> bool(point[0] > 0), bool(np.isfinite(point[1]) and point[1] < 0), bool(point[2] != 0)
    (True, True, True)
    """
    array = np.asarray(value, dtype=np.float64)
    shape = array.shape
    factor = np.exp(rng.uniform(-0.5, 0.5, shape))
    fresh = rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    with np.errstate(over="ignore", under="ignore"):
        result = np.where(array != 0, array * factor, fresh)
    kept = np.isfinite(result) & ((result != 0) | (array == 0))
    result = np.where(kept, result, array)
    return result if isinstance(value, np.ndarray) else float(result)


def is_held(value: Any) -> bool:
    """Whether a check holds ``value`` as it is: an array of integers (or
    truth values), such as class labels, which has no gradient to check."""
    return isinstance(value, np.ndarray) and value.dtype.kind in "biu"


def is_finite(value: Any) -> bool:
    """Whether every element of ``value`` is finite (``True`` for what is not
    numeric: the checks that follow tell what is wrong with it)."""
    try:
        return bool(np.all(np.isfinite(np.asarray(value, dtype=np.float64))))
    except (TypeError, ValueError):
        return True


def copy_or_refuse(gate: Gate, where: str, *nodes: str) -> None:
    """Refuse, with a GraphTypeError starting with ``where``, a gate that
    cannot be copied (every check runs on copies)."""
    try:
        full_copy(gate)
    except TypeError as exc:
        raise GraphTypeError(f"{where}: {exc}", *nodes) from exc


def format_value(value: Any) -> str:
    """A number or a small array for a message: six decimals, or six significant
    digits where that would hide the number (``1e+300``, ``1e-12``).

    Examples
    --------
    >>> import numpy as np
    >>> format_value(-0.25), format_value(1e300), format_value(np.array([1e-12, 2.5]))
    ('-0.25', '1e+300', '[1e-12, 2.5]')
    """
    if isinstance(value, np.ndarray) and value.ndim > 0:
        if value.size > 8:
            return f"<array of shape {value.shape}>"
        return np.array2string(
            value, separator=", ", formatter={"all": format_value}, max_line_width=1_000_000
        )
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return str(int(value))
    number = float(value)
    if math.isfinite(number) and number != 0 and not 1e-4 <= abs(number) < 1e9:
        return f"{number:.6g}"
    return format_number(number, 6)


def slot_names(gate: Gate, count: int) -> list[str]:
    """The names ``forward`` gives its first ``count`` inputs (``"more[0]"`` for
    the first one taken by ``*more``); a composite gate's, its inner graph's
    input nodes.

    Examples
    --------
    >>> from gates import AddGate
    >>> slot_names(AddGate(), 3)
    ['x', 'y', 'more[0]']
    """
    if isinstance(gate, CompositeGate):
        return gate.input_names[:count]
    params = list(inspect.signature(type(gate).forward).parameters.values())[1:]
    named = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    rest = next((p.name for p in params if p.kind is p.VAR_POSITIONAL), "args")
    return [named[i] if i < len(named) else f"{rest}[{i - len(named)}]" for i in range(count)]


def _fault(
    slot: int | None,
    problem: str,
    detail: str,
    labels: Sequence[str],
    values: Sequence[Any],
    dz: Any = None,
) -> Outcome:
    return Outcome(slot, problem=problem, detail=f"{detail} at {_point(labels, values, dz)}")


def _point(labels: Sequence[str], values: Sequence[Any], dz: Any) -> str:
    parts = [f"{label.strip(chr(39))}={format_value(v)}" for label, v in zip(labels, values)]
    if dz is not None:
        parts.append(f"dz={format_value(dz)}")
    return ", ".join(parts)


def _where(row: CheckRow) -> str:
    if row.slot == "whole graph" or not row.slot:
        return f"{row.node!r} {row.slot}".rstrip()
    return f"{row.node!r} input {row.slot}"


def _format_error(error: float) -> str:
    if math.isnan(error):
        return ""
    if error == 0 or not math.isfinite(error) or 1e-3 <= error < 1e6:
        return format_number(error, 4)
    return f"{error:.1e}"


def _worst(errors: np.ndarray) -> float:
    if errors.size == 0:
        return 0.0
    return math.nan if np.isnan(errors).any() else float(np.max(errors))


def _same(after: Any, before: Any) -> bool:
    if isinstance(before, np.ndarray):
        return isinstance(after, np.ndarray) and np.array_equal(after, before, equal_nan=True)
    return True  # numbers cannot be modified in place


def _is_integer(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _exception(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
