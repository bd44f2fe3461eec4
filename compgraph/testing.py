"""Assertions for users' own test suites: a failed check is a test failure
whose message tells what is wrong, followed by the whole report.

Use them as plain ``assert`` helpers in pytest (or any runner)::

    from compgraph.testing import assert_gate_correct

    def test_my_gate():
        assert_gate_correct(MyGate(), 2.0, np.array([1.0, -3.0]))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from compgraph.checking import CheckOptions, check_options
from compgraph.errors import GradcheckError
from compgraph.gatecheck import check_gate
from compgraph.gradcheck import gradcheck

if TYPE_CHECKING:
    from compgraph.graph import ComputationalGraph
    from gates.base import Gate

__all__ = ["assert_gate_correct", "assert_gradients_correct"]


def assert_gate_correct(
    gate: Gate,
    *inputs: Any,
    options: CheckOptions | None = None,
    **settings: float,
) -> None:
    """Assert that ``gate`` passes :func:`compgraph.check_gate` at ``inputs``,
    with the :class:`~compgraph.CheckOptions` given as there.

    Raises
    ------
    AssertionError
        If a check fails: the check's message, then the table of every check.
    ArityError, GraphTypeError
        For a wrong number of inputs, a gate or input of the wrong type.
    TypeError, ValueError
        For a keyword that is not an option, or an option out of range.

    Examples
    --------
    >>> from gates import Gate, MulGate
    >>> assert_gate_correct(MulGate(), 3.0, -4.0)
    >>> class HalfSquareGate(Gate):
    ...     def forward(self, x):
    ...         self.x = x
    ...         return x * x / 2
    ...
    ...     def backward(self, dz):
    ...         return [2 * self.x * dz]  # the derivative of x * x, not of x * x / 2
    >>> assert_gate_correct(HalfSquareGate(), 3.0, trials=1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    AssertionError: HalfSquareGate: the gradient for input 0 (x) disagrees with finite differences: analytic 6, numeric 3 (abs error 3, rel error 1) at x=3, dz=1
    and 1 more failing check (err.report lists them)
    <BLANKLINE>
    inputs    gate            input  abs error  rel error  result
    --------  --------------  -----  ---------  ---------  --------------
    example   HalfSquareGate  0 (x)  3          1          wrong gradient
    random 1  HalfSquareGate  0 (x)  ...
    ...
    """  # noqa: E501
    __tracebackhide__ = True  # pytest shows the caller's line, not this one
    checks = check_options("assert_gate_correct", options, settings)
    try:
        check_gate(gate, *inputs, options=checks)
    except GradcheckError as err:
        raise AssertionError(f"{err}\n\n{err.report}") from None


def assert_gradients_correct(
    g: ComputationalGraph,
    feeds: Mapping[str, Any] | None = None,
    *,
    options: CheckOptions | None = None,
    nodes: Iterable[str] | None = None,
    dout: Any = None,
    **settings: float,
) -> None:
    """Assert that a pass of graph ``g`` passes :func:`compgraph.gradcheck`,
    with the :class:`~compgraph.CheckOptions`, ``nodes`` and ``dout`` given as there.

    Raises
    ------
    AssertionError
        If a check fails: the message naming the culprit gate node, then the
        table of every node checked.
    TypeError, ValueError
        For a keyword that is not an option, or an option out of range.

    Examples
    --------
    >>> from compgraph import ComputationalGraph
    >>> from gates import AddGate, MulGate
    >>> g = ComputationalGraph()
    >>> _ = g.add_input("x"), g.add_input("y"), g.add_input("z")
    >>> _ = g.add_gate("q", AddGate(), ["x", "y"]), g.add_gate("f", MulGate(), ["q", "z"])
    >>> assert_gradients_correct(g, {"x": -2, "y": 5, "z": -4})
    """
    __tracebackhide__ = True
    checks = check_options("assert_gradients_correct", options, settings)
    try:
        gradcheck(g, feeds, options=checks, nodes=nodes, dout=dout)
    except GradcheckError as err:
        raise AssertionError(f"{err}\n\n{err.report}") from None
