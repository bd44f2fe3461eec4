"""Check one gate alone: its ``backward`` against finite differences of its ``forward``.

``gates.check_gate`` and ``gates.gate_report`` are these two functions, imported
from here when first used.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from compgraph.checking import (
    CheckOptions,
    CheckRow,
    DzMaker,
    GradcheckReport,
    as_float64,
    check_at,
    check_options,
    copy_or_refuse,
    format_value,
    is_finite,
    is_held,
    ones_like,
    random_like,
    slot_names,
)
from compgraph.errors import ArityError, GraphTypeError
from gates.base import Gate, arity_error, full_copy

__all__ = ["check_gate", "gate_report"]


def check_gate(
    gate: Gate,
    *inputs: Any,
    options: CheckOptions | None = None,
    **settings: float,
) -> bool:
    """Check that ``gate``'s ``backward`` agrees with its ``forward``.

    At the example ``inputs`` and at ``trials`` seeded random points of the same
    shapes (each element keeping its sign and scale, so a domain such as
    ``x > 0`` is kept, and where forward gives finite values), in float64,
    integer arrays held as they are, it checks that ``forward`` does not modify
    its inputs, that ``backward`` does not modify ``dz`` and returns one
    gradient per input, each of its input's shape (or of a broadcast shape the
    engine sums back to it), and that each matches central finite differences.
    At the example, ``dz`` is ones and then random; elsewhere random. The gate
    itself is left as it was: every check runs on a copy.

    Parameters
    ----------
    gate : Gate
        The gate instance to check.
    *inputs : number or array_like
        Example inputs, one per input of ``forward``, away from kinks (such as
        ``max`` at a tie).
    options : CheckOptions, optional
        The step, the tolerances, how many random points (``trials``) and
        their seed; the defaults of :class:`CheckOptions` if not given.
    **settings
        Fields of :class:`CheckOptions` by name (``rtol=1e-2``, ``trials=0``),
        replacing those of ``options``.

    Returns
    -------
    bool
        ``True``.

    Raises
    ------
    GradcheckError
        If a check fails. The message names the gate's class, what failed and
        for which input, with the analytic and numeric values, the error, and
        the point; ``err.report`` holds every check made. Where nothing is
        found wrong but finite differences cannot tell (an input or output
        that is inf or nan, a kink, ...), it starts with ``cannot check``
        and says why.
    ArityError
        If ``forward`` does not take that many inputs.
    GraphTypeError
        If ``gate`` is not a gate instance or cannot be copied, or an input
        is not a real number or array.
    TypeError
        If a keyword is not a field of :class:`CheckOptions`.
    ValueError
        If an option is out of range.

    See Also
    --------
    gate_report : the same checks, returned as a table instead of raised.
    gradcheck : every gate of a graph's pass.
    compgraph.testing.assert_gate_correct : the same, as a test assertion.

    Examples
    --------
    >>> from compgraph import check_gate
    >>> from gates import Gate, MulGate
    >>> check_gate(MulGate(), 3.0, -4.0)
    True
    >>> class SwappedMulGate(Gate):
    ...     def forward(self, x, y):
    ...         self.x, self.y = x, y
    ...         return x * y
    ...
    ...     def backward(self, dz):
    ...         return [self.x * dz, self.y * dz]  # each input given its own value
    >>> check_gate(SwappedMulGate(), 3.0, -4.0)
    Traceback (most recent call last):
    ...
    compgraph.errors.GradcheckError: SwappedMulGate: the gradient for input 0 (x) disagrees with finite differences: analytic 3, numeric -4 (abs error 7, rel error 1.75) at x=3, y=-4, dz=1
    and 7 more failing checks (err.report lists them)
    """  # noqa: E501
    report = gate_report(gate, *inputs, options=check_options("check_gate", options, settings))
    if not report.ok:
        raise report.error()
    return True


def gate_report(
    gate: Gate,
    *inputs: Any,
    options: CheckOptions | None = None,
    **settings: float,
) -> GradcheckReport:
    """The checks of :func:`check_gate`, as a report instead of an error.

    One row per input per point checked (``"example"``, ``"random 1"``...),
    or one row for a point where the gate failed as a whole (an exception, a
    wrong number of gradients, ``dz`` modified). It takes the arguments of
    :func:`check_gate`.

    Examples
    --------
    >>> from compgraph import gate_report
    >>> from gates import DivGate
    >>> report = gate_report(DivGate(), 3.0, 2.0, trials=1)
    >>> report.ok
    True
    >>> print(report)  # doctest: +ELLIPSIS
    inputs    gate     input  abs error  rel error  result
    --------  -------  -----  ---------  ---------  ------
    example   DivGate  0 (x)  ...        ...        ok
    example   DivGate  1 (y)  ...        ...        ok
    random 1  DivGate  0 (x)  ...        ...        ok
    random 1  DivGate  1 (y)  ...        ...        ok
    """
    checks = check_options("gate_report", options, settings)
    cls = type(gate).__name__
    if not isinstance(gate, Gate):
        raise GraphTypeError(f"check_gate: {gate!r} is not a Gate instance (subclass gates.Gate)")
    try:
        problem = arity_error(gate, len(inputs))
    except TypeError as exc:
        raise GraphTypeError(f"check_gate: {exc}") from exc
    if problem is not None:
        raise ArityError(f"check_gate: {problem} (example inputs)")
    copy_or_refuse(gate, f"check_gate: {cls}")
    names = slot_names(gate, len(inputs))
    labels = [f"{slot} ({name})" for slot, name in enumerate(names)]
    example = [
        np.array(x) if is_held(x) else as_float64(x, f"check_gate: input {label}")
        for x, label in zip(inputs, labels)
    ]
    for x, label in zip(example, labels):
        if not is_finite(x):
            message = (
                f"{cls}: cannot check at input {label} = {format_value(x)}: finite differences "
                "need finite values"
            )
            problem = "cannot check (not finite)"
            row = CheckRow("example", cls, label, math.nan, math.nan, problem, message)
            return GradcheckReport([row], label="inputs")
    rng = np.random.default_rng(checks.seed)

    def random_dz(output: Any) -> Any:
        return random_like(np.zeros(np.shape(output)) if np.ndim(output) else 0.0, rng)

    points: list[tuple[str, list[Any] | None, list[DzMaker]]] = [
        ("example", example, [ones_like, random_dz])
    ]
    for trial in range(1, checks.trials + 1):
        points.append((f"random {trial}", _random_point(gate, example, rng), [random_dz]))

    rows = []
    for where, point, dz_makers in points:
        if point is None:
            rows.append(CheckRow(where, cls, "", math.nan, math.nan, note=_SKIPPED))
            continue
        for outcome in check_at(gate, point, names, dz_makers, checks):
            slot = "" if outcome.slot is None else labels[outcome.slot]
            message = f"{cls}: {outcome.detail}" if outcome.problem else ""
            rows.append(
                CheckRow(
                    where,
                    cls,
                    slot,
                    outcome.abs_error,
                    outcome.rel_error,
                    outcome.problem,
                    message,
                    outcome.note,
                )
            )
    return GradcheckReport(rows, label="inputs")


#: The note of a random point skipped: forward failed near the example.
_SKIPPED = "skipped (forward fails there)"


def _random_point(gate: Gate, example: list[Any], rng: np.random.Generator) -> list[Any] | None:
    """A seeded random point like ``example`` (integer arrays held) where the
    gate's forward runs and gives finite values: first one whose elements keep
    their sign and scale, else the same with every element taken no further
    from zero than the example's (the side of an overflow), else ``None``."""
    drawn = [x if is_held(x) else random_like(x, rng) for x in example]
    nearer = [x if is_held(x) else _toward_zero(d, x) for d, x in zip(drawn, example)]
    for point in (drawn, nearer):
        try:
            output = full_copy(gate).forward(*[_fresh(x) for x in point])
        except Exception:
            continue
        if is_finite(output):
            return point
    return None


def _toward_zero(drawn: Any, example: Any) -> Any:
    """``drawn`` with every element larger than the example's in size mirrored
    (``x * x / drawn``, keeping its sign)."""
    x = np.asarray(example)
    with np.errstate(all="ignore"):
        mirrored = np.where((x != 0) & (np.abs(drawn) > np.abs(x)), x * (x / drawn), drawn)
    return mirrored if isinstance(drawn, np.ndarray) else float(mirrored)


def _fresh(value: Any) -> Any:
    return value.copy() if isinstance(value, np.ndarray) else value
