"""compgraph.gatecheck: check_gate and gate_report, every wrong gate of the gallery
caught and named."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from compgraph import ArityError, GradcheckError, GraphTypeError, check_gate, gate_report
from gates import AddGate, Gate, MaxGate, MulGate, PowGate
from tests.gallery import GALLERY, SwappedMulGate, Wrong


@pytest.mark.parametrize("wrong", GALLERY, ids=lambda wrong: wrong.gate.__name__)
def test_every_wrong_gate_is_caught_and_named(wrong: Wrong) -> None:
    with pytest.raises(GradcheckError) as caught:
        check_gate(wrong.gate(), *wrong.inputs)
    message = str(caught.value)
    assert message.startswith(f"{wrong.gate.__name__}: ")
    assert wrong.says in message.splitlines()[0]
    first = caught.value.report.failures[0]
    assert (first.node, first.slot, first.problem) == ("example", wrong.slot, wrong.problem)


@pytest.mark.parametrize("wrong", GALLERY, ids=lambda wrong: wrong.gate.__name__)
def test_wrong_gates_fail_at_random_points_too(wrong: Wrong) -> None:
    report = gate_report(wrong.gate(), *wrong.inputs, trials=2)
    failing_points = {row.node for row in report.failures}
    assert failing_points == {"example", "random 1", "random 2"}
    assert wrong.slot in {row.slot for row in report.failures}


def test_the_whole_message_of_a_swapped_multiply() -> None:
    with pytest.raises(GradcheckError) as caught:
        check_gate(SwappedMulGate(), 3.0, -4.0, trials=0)
    assert str(caught.value) == (
        "SwappedMulGate: the gradient for input 0 (x) disagrees with finite differences: "
        "analytic 3, numeric -4 (abs error 7, rel error 1.75) at x=3, y=-4, dz=1\n"
        "and 1 more failing check (err.report lists them)"
    )


def test_only_the_wrong_slot_is_blamed() -> None:
    from tests.gallery import WrongDivisorGate

    report = gate_report(WrongDivisorGate(), 3.0, 2.0)
    assert {row.slot for row in report.rows if row.ok} == {"0 (x)"}
    assert {row.slot for row in report.failures} == {"1 (y)"}


def test_a_missing_dz_factor_is_caught_by_the_random_dz() -> None:
    class IgnoresDzGate(Gate):
        def forward(self, x: Any) -> Any:
            self.x = x
            return x * x

        def backward(self, dz: Any) -> list[Any]:
            return [2 * self.x]  # right at dz = 1 only

    with pytest.raises(GradcheckError, match=r"input 0 \(x\).* dz=-?\d\.\d+$"):
        check_gate(IgnoresDzGate(), 1.5, trials=0)


def test_an_unreduced_numpy_broadcast_gradient_is_correct() -> None:
    # AddGate returns dz of the broadcast shape; the engine sums it back, so it passes.
    assert check_gate(AddGate(), np.ones((3, 4)), np.arange(4.0), 2.0)
    assert check_gate(MulGate(), np.ones((2, 1, 3)), np.arange(1.0, 5.0).reshape(4, 1))


def test_a_wrong_reduction_of_a_broadcast_input_is_caught() -> None:
    class FirstRowBiasGate(Gate):
        def forward(self, x: Any, b: Any) -> Any:
            return x + b

        def backward(self, dz: Any) -> list[Any]:
            return [dz, dz[0]]  # one row, not the sum of the rows

    with pytest.raises(GradcheckError, match=r"input 1 \(b\).* at element \(\d,\)"):
        check_gate(FirstRowBiasGate(), np.ones((3, 4)), np.arange(4.0))


@pytest.mark.parametrize(
    ("backward", "problem", "says"),
    [
        (lambda self, dz: dz, "not a list", "backward returned float, not a list of 1 gradient"),
        (lambda self, dz: [dz, dz], "wrong count", "backward returned 2 gradients for 1 input"),
        (lambda self, dz: [1 / 0], "backward raised", "backward raised ZeroDivisionError"),
        (lambda self, dz: ["1"], "wrong shape", "is a str, not a number or array"),
    ],
)
def test_backward_faults(backward: Any, problem: str, says: str) -> None:
    gate_class = type("FaultyGate", (Gate,), {"forward": lambda self, x: x, "backward": backward})
    with pytest.raises(GradcheckError, match=f"^FaultyGate: .*{re.escape(says)}") as caught:
        check_gate(gate_class(), 2.0)
    assert caught.value.report.failures[0].problem == problem


def test_a_forward_raising_is_reported() -> None:
    with pytest.raises(GradcheckError, match=r"forward raised ValueError: .* at x=-2"):
        check_gate(PowGate(0.5), -2.0)


def test_a_forward_that_breaks_near_the_point_is_reported() -> None:
    class PickyGate(Gate):
        def forward(self, x: Any) -> Any:
            if x != 2.0:
                raise ValueError("only 2")
            return x

        def backward(self, dz: Any) -> list[Any]:
            return [dz]

    with pytest.raises(GradcheckError, match="when input 0 \\(x\\) was moved by 1e-06"):
        check_gate(PickyGate(), 2.0, trials=0)


def test_the_gate_checked_is_left_as_it_was() -> None:
    gate = MulGate()
    gate.forward(-2, 3)
    check_gate(gate, np.ones(3), np.arange(3.0))
    assert (gate.x, gate.y, gate.backward(1)) == (-2, 3, [3, -2])


def test_inputs_are_not_modified() -> None:
    x = np.array([1.0, 2.0])
    check_gate(MulGate(), x, 3.0)
    assert x.tolist() == [1.0, 2.0]


def test_slot_names_of_a_gate_with_star_inputs() -> None:
    class BadSumGate(Gate):
        def forward(self, *terms: Any) -> Any:
            return sum(terms)

        def backward(self, dz: Any) -> list[Any]:
            return [dz, dz, 2 * dz]

    with pytest.raises(GradcheckError, match=r"input 2 \(terms\[2\]\)"):
        check_gate(BadSumGate(), 1.0, 2.0, 3.0)


def test_a_max_tie_is_a_kink_and_away_from_it_max_passes() -> None:
    assert check_gate(MaxGate(), 3.0, 2.0)
    with pytest.raises(GradcheckError, match=r"numeric 0\.5"):
        check_gate(MaxGate(), 3.0, 3.0, trials=0)


def test_tolerances_decide() -> None:
    class SlightlyOffGate(Gate):
        def forward(self, x: Any) -> Any:
            return 2 * x

        def backward(self, dz: Any) -> list[Any]:
            return [2.001 * dz]

    with pytest.raises(GradcheckError, match=r"rel error 5.0e-04"):
        check_gate(SlightlyOffGate(), 1.0, rtol=1e-4, trials=0)
    assert check_gate(SlightlyOffGate(), 1.0, rtol=1e-3)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: check_gate(MulGate(), 1.0), ArityError, "MulGate.forward takes 2 inputs, got 1"),
        (lambda: check_gate(AddGate(), 1.0), ArityError, "takes 2 or more inputs"),
        (lambda: check_gate(MulGate, 1.0, 2.0), GraphTypeError, "is not a Gate instance"),
        (lambda: check_gate(MulGate(), "a", 2.0), GraphTypeError, r"input 0 \(x\) is str 'a'"),
        (lambda: check_gate(MulGate(), 1.0, 2.0, step=0), ValueError, "step must be positive"),
        (lambda: check_gate(MulGate(), 1.0, 2.0, rtol=-1), ValueError, "rtol must be 0 or more"),
        (lambda: check_gate(MulGate(), 1.0, 2.0, trials=-1), ValueError, "trials must be"),
    ],
)
def test_bad_usage(call: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        call()


def test_report_table() -> None:
    report = gate_report(MulGate(), 3.0, -4.0, trials=1)
    lines = str(report).splitlines()
    assert lines[0].split() == ["inputs", "gate", "input", "abs", "error", "rel", "error", "result"]
    assert [line.split()[:4] for line in lines[2:]] == [
        ["example", "MulGate", "0", "(x)"],
        ["example", "MulGate", "1", "(y)"],
        ["random", "1", "MulGate", "0"],
        ["random", "1", "MulGate", "1"],
    ]
    assert all(line.endswith("ok") for line in lines[2:])
    assert all(row.abs_error < 1e-7 for row in report.rows)


def test_a_failing_report_lists_its_failures_under_the_table() -> None:
    text = str(gate_report(SwappedMulGate(), 3.0, -4.0, trials=3))
    table, messages = text.split("\n\n")
    assert table.count("wrong gradient") == 8
    assert messages.splitlines()[0].startswith("SwappedMulGate: the gradient for input 0 (x)")
    assert messages.splitlines()[-1] == "... and 3 more failures"
