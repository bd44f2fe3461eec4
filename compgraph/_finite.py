"""Central finite differences, and the judgement of whether they can tell a gradient.

Each element is moved by a step relative to its size, ``step * max(1, |x|)``
(made exact in float64), so a value of 1e300 is moved as far as its rounding
allows and a value of 1 by ``step``. Where the slope found disagrees with a
gradient, :func:`judge` looks closer before a gate is blamed: smaller steps,
down to ``step * |x|`` for an element smaller than 1 (a point near the edge of
forward's domain or a pole, or curving fast), the slopes on either side (a
kink), the rounding of forward's output (a change it hides), and whether the
estimates settle as the step shrinks.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: How far forward's own rounding may move its output, relative to its size.
_ROUNDING = 16 * float(np.finfo(np.float64).eps)

#: How many smaller steps :func:`judge` tries, each a tenth of the one before.
SHRINKS = 3


@dataclass(frozen=True)
class Slopes:
    """Finite differences of one element at one step.

    ``central`` is the slope between the two moved points, ``above`` and
    ``below`` the slopes on either side of the point itself, and ``rounding``
    how far forward's rounding may have moved ``central``.
    """

    size: float
    central: float
    above: float
    below: float
    rounding: float


@dataclass(frozen=True)
class Failure:
    """Where forward failed when one element was moved by ``size``: the value
    it was moved to and what happened (``"forward raised ValueError: ..."``)."""

    size: float
    moved_to: float
    what: str


@dataclass(frozen=True)
class Verdict:
    """What :func:`judge` found for one element.

    ``kind`` is ``"ok"`` (some step agrees with the gradient), ``"wrong"`` (the
    estimates settle and disagree with it), or why finite differences cannot
    tell: ``"domain"``, ``"kink"``, ``"rounding"`` or ``"unsettled"``.
    ``numeric`` is the estimate to report; ``tries`` the slopes of every step
    that worked, ``failures`` the steps where forward failed.
    """

    kind: str
    numeric: float
    tries: list[Slopes]
    failures: list[Failure]


class Differences:
    """Finite differences of ``sum(dout * function(*inputs))`` with respect to
    ``inputs[slot]``, element by element, in float64.

    The other inputs are held as given (integer arrays stay integers); numbers
    are passed to ``function`` as Python floats.

    Examples
    --------
    >>> import numpy as np
    >>> d = Differences(lambda x, y: x * y, [3.0, -4.0], 0, 1.0)
    >>> round(d.gradient(1e-6)[0], 6)  # d(xy)/dx = y
    -4.0
    >>> Differences(lambda x: x * x, [np.array([1.0, 2.0])], 0, np.ones(2)).gradient(1e-6)[0]
    array([2., 4.])
    """

    def __init__(
        self, function: Callable[..., Any], inputs: Sequence[Any], slot: int, dout: Any
    ) -> None:
        self.function = function
        self.inputs = inputs
        self.slot = slot
        self.point = [np.array(value) for value in inputs]
        self.point[slot] = np.array(inputs[slot], dtype=np.float64)
        self.weights = np.asarray(dout, dtype=np.float64)
        self.base = self._evaluate()
        #: The size of the output, which its rounding is relative to.
        self.scale = float(np.max(np.abs(self.base), initial=0.0))

    def gradient(self, step: float) -> tuple[Any, np.ndarray, dict[tuple[int, ...], Failure]]:
        """The central differences at ``step`` (``nan`` where forward failed),
        with the input's shape (a float for a number), how far rounding may
        have moved each, and the failures by element."""
        moved = self.point[self.slot]
        gradient = np.full(moved.shape, np.nan)
        rounding = np.zeros(moved.shape)
        failures = {}
        for index in np.ndindex(moved.shape):
            found = self.slopes(index, step * max(1.0, abs(moved[index].item())))
            if isinstance(found, Failure):
                failures[index] = found
            else:
                gradient[index], rounding[index] = found.central, found.rounding
        scalar = np.ndim(self.inputs[self.slot]) == 0
        return (gradient.item() if scalar else gradient), rounding, failures

    def value(self, index: tuple[int, ...]) -> float:
        """The value of element ``index`` of the input moved."""
        return float(self.point[self.slot][index].item())

    def slopes(self, index: tuple[int, ...], size: float) -> Slopes | Failure:
        """The finite differences of element ``index`` moved by ``+-size``, or
        where forward failed."""
        moved = self.point[self.slot]
        start = moved[index].item()
        ends = []
        for end in (start + size, start - size):
            moved[index] = end
            try:
                ends.append(self._evaluate())
            except Exception as exc:
                return Failure(size, end, f"forward raised {type(exc).__name__}: {exc}")
            finally:
                moved[index] = start
            if not np.all(np.isfinite(ends[-1])):
                return Failure(size, end, f"forward gives {_worst_non_finite(ends[-1])}")
        up, down = ends
        h_up, h_down = (start + size) - start, start - (start - size)
        if h_up == 0 or h_down == 0:
            return Failure(size, start, "cannot be moved: the step is below float64's resolution")
        with np.errstate(all="ignore"):
            rise = float(np.sum(self.weights * (up - self.base)))
            fall = float(np.sum(self.weights * (self.base - down)))
            spread = float(np.sum(np.abs(self.weights) * (np.abs(up) + np.abs(down))))
            slopes = Slopes(
                size,
                (rise + fall) / (h_up + h_down),
                rise / h_up,
                fall / h_down,
                _ROUNDING
                * (spread + 2 * float(np.sum(np.abs(self.weights * self.base))))
                / (h_up + h_down),
            )
        if not all(np.isfinite([slopes.central, slopes.above, slopes.below])):
            return Failure(size, start + size, "finite differences overflow float64")
        return slopes

    def _evaluate(self) -> np.ndarray:
        given = [
            value if isinstance(original, np.ndarray) else value.item()
            for value, original in zip(self.point, self.inputs)
        ]
        with np.errstate(all="ignore"):
            return np.asarray(self.function(*given), dtype=np.float64)


def central_difference(
    function: Callable[..., Any],
    inputs: Sequence[Any],
    slot: int,
    dout: Any,
    step: float = 1e-6,
) -> Any:
    """The gradient of ``sum(dout * function(*inputs))`` with respect to
    ``inputs[slot]``: central differences with the relative step of
    :class:`Differences` (``nan`` where forward failed at a moved point).

    Examples
    --------
    >>> round(central_difference(lambda x, y: x * y, [3.0, -4.0], 0, 1.0), 6)  # d(xy)/dx = y
    -4.0
    """
    return Differences(function, inputs, slot, dout).gradient(step)[0]


def judge(
    differences: Differences,
    index: tuple[int, ...],
    analytic: float,
    step: float,
    allowed: Callable[[float], float],
) -> Verdict:
    """Whether element ``index``'s gradient ``analytic`` is wrong, right, or
    beyond what finite differences can tell, trying ``step`` and smaller ones
    (see :func:`sizes`).

    ``allowed(numeric)`` is the error tolerated against the estimate ``numeric``.

    Examples
    --------
    >>> d = Differences(max, [1.0, 1.0], 0, 1.0)  # a tie
    >>> verdict = judge(d, (), 1.0, 1e-6, lambda numeric: 1e-5)
    >>> verdict.kind, verdict.tries[-1].above, verdict.tries[-1].below
    ('kink', 1.0, 0.0)
    >>> judge(d, (), 0.5, 1e-6, lambda numeric: 1e-5).kind
    'ok'
    """
    tries: list[Slopes] = []
    failures: list[Failure] = []
    for size in sizes(differences.value(index), step):
        found = differences.slopes(index, size)
        if isinstance(found, Failure):
            failures.append(found)
            continue
        if abs(analytic - found.central) <= allowed(found.central):
            return Verdict("ok", found.central, [*tries, found], failures)
        tries.append(found)
    numeric = tries[0].central if tries else np.nan
    value = abs(differences.value(index))
    if len(tries) < 2 or (0 < value < 1 and all(t.size >= value for t in tries)):
        # too few estimates to settle, or only steps that cross zero, which
        # cannot confirm a slope at a point so near it
        return Verdict("domain", numeric, tries, failures)
    wider, narrower = tries[-2], tries[-1]
    if _is_kink(wider, narrower, allowed) or _sides_stay_apart(wider, narrower, allowed):
        return Verdict("kink", numeric, tries, failures)
    if any(abs(analytic - t.central) <= allowed(t.central) + t.rounding for t in tries):
        return Verdict("rounding", numeric, tries, failures)
    if any(
        abs(a.central - b.central) > allowed(b.central) + a.rounding + b.rounding
        for a, b in itertools.pairwise(tries)
    ):
        return Verdict("unsettled", numeric, tries, failures)
    return Verdict("wrong", numeric, tries, failures)


def sizes(value: float, step: float) -> list[float]:
    """How far :func:`judge` moves an element of value ``value``: ``step *
    max(1, |value|)`` and its tenth, hundredth and thousandth, then, for a
    value smaller than 1, ``step * |value|`` and its tenth (a step that never
    reaches zero).

    Examples
    --------
    >>> sizes(-2.0, 1e-6)
    [2e-06, 2e-07, 2e-08, 2e-09]
    >>> sizes(1e-12, 1e-6)[4:]
    [1e-18, 1e-19]
    """
    scale = max(1.0, abs(value))
    found = [step * scale / 10**shrink for shrink in range(SHRINKS + 1)]
    if 0 < abs(value) < 1:
        found += [step * abs(value), step * abs(value) / 10]
    return found[:1] + [size for size in found[1:] if value + size != value]


def _is_kink(wider: Slopes, narrower: Slopes, allowed: Callable[[float], float]) -> bool:
    """Whether the slopes on the two sides differ and stay put as the step
    shrinks (a smooth function's differ by an amount that shrinks with it)."""

    def gap(s: Slopes) -> float:
        return abs(s.above - s.below)

    def steady(a: float, b: float, rounding: float) -> bool:
        return abs(a - b) <= allowed(b) + rounding

    rounding = wider.rounding + narrower.rounding
    return (
        gap(narrower) > allowed(max(abs(narrower.above), abs(narrower.below))) + 2 * rounding
        and gap(narrower) > gap(wider) / 2
        and steady(wider.above, narrower.above, rounding)
        and steady(wider.below, narrower.below, rounding)
    )


def _sides_stay_apart(wider: Slopes, narrower: Slopes, allowed: Callable[[float], float]) -> bool:
    """Whether the slopes on the two sides differ and do not come together as
    the step shrinks: a kink nearer to the point than the smallest step (a
    near tie), where one side's slope still moves. A smooth function's gap
    shrinks with the step.

    Examples
    --------
    >>> d = Differences(max, [0.0, -5.5e-14], 0, 1.0)  # ties within every step
    >>> judge(d, (), 1.0, 1e-6, lambda numeric: 1e-5).kind
    'kink'
    """
    gap = abs(narrower.above - narrower.below)
    rounding = wider.rounding + narrower.rounding
    return (
        gap > allowed(max(abs(narrower.above), abs(narrower.below))) + 2 * rounding
        and gap > abs(wider.above - wider.below) / 2
    )


def _worst_non_finite(values: np.ndarray) -> str:
    return "nan" if np.isnan(values).any() else "inf"
