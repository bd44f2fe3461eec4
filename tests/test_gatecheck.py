"""compgraph.gatecheck: check_gate and gate_report, every wrong gate of the gallery
caught and named."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from compgraph import ArityError, GradcheckError, GraphTypeError, check_gate, gate_report
from gates import (
    AddGate,
    DivGate,
    ExpGate,
    Gate,
    LogGate,
    MaxGate,
    MulGate,
    PowGate,
    ReciprocalGate,
    ReLUGate,
    SoftmaxCrossEntropyGate,
)
from tests.gallery import GALLERY, LockingDoubleGate, SwappedMulGate, UncopyableGate, Wrong


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

    with pytest.raises(GradcheckError) as caught:
        check_gate(PickyGate(), 2.0, trials=0)
    assert str(caught.value) == (
        "PickyGate: cannot check input 0 (x) at x=2, dz=1: every step from 2e-06 down to "
        "2e-09 leaves forward's domain (at x=2.000002 forward raised ValueError: only 2); "
        "give a smaller step"
    )


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
    with pytest.raises(GradcheckError, match=r"the gate ran at a kink \(a tie, x == y"):
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


# Never blame the innocent: points where finite differences cannot tell.


def test_a_nan_input_is_refused_up_front() -> None:
    with pytest.raises(GradcheckError) as caught:
        check_gate(MulGate(), float("nan"), 2.0)
    assert str(caught.value) == (
        "MulGate: cannot check at input 0 (x) = nan: finite differences need finite values"
    )


def test_an_output_of_inf_is_refused_up_front() -> None:
    with pytest.raises(GradcheckError) as caught, np.errstate(over="ignore"):
        check_gate(ExpGate(), np.array([1000.0]))
    assert str(caught.value) == (
        "ExpGate: cannot check at x=[1000]: forward gives [inf], and finite differences "
        "need finite values"
    )


def test_huge_values_take_a_step_of_their_size() -> None:
    assert check_gate(AddGate(), 1e300, -2e300)
    assert check_gate(MulGate(), np.array([1e150, 3.0]), np.array([2.0, -1e-150]))


def test_elements_of_mixed_sizes_do_not_hide_each_others_change() -> None:
    assert check_gate(AddGate(), np.array([1e300, 1.0]), np.array([-2e299, 2.0]))


def test_a_change_lost_in_rounding_is_not_blamed() -> None:
    report = gate_report(AddGate(), 1e300, 1.0, trials=0)
    assert [(row.slot, row.problem) for row in report.failures] == [
        ("1 (y)", "cannot check (rounding)")
    ]
    assert report.failures[0].message == (
        "AddGate: cannot check input 1 (y) at x=1e+300, y=1, dz=1: float64 rounding of the "
        "output (about 1e+300) hides the change a step of 1e-06 makes, so finite "
        "differences cannot tell the gradient"
    )


def test_log_near_the_edge_of_its_domain_is_checked_with_a_smaller_step() -> None:
    assert check_gate(LogGate(), 1e-7)
    assert check_gate(LogGate(), np.array([1e-7, 2e-12, 5.0, 1e-300]))


def test_a_pole_within_the_step_is_checked_with_a_smaller_step() -> None:
    assert check_gate(ReciprocalGate(), 1e-100)
    assert check_gate(DivGate(), 3.0, np.array([1e-140, -2e-9]))


def test_random_points_stay_where_forward_is_finite() -> None:
    # the example's random neighbours above 709.78 would overflow exp
    assert check_gate(ExpGate(), np.array([709.0, 700.0]), trials=5)
    assert check_gate(ExpGate(), 709.0, trials=5)
    assert check_gate(AddGate(), 1.7e308, -1.7e308, trials=5)


def test_a_tie_of_max_is_a_kink_not_a_culprit() -> None:
    with pytest.raises(GradcheckError) as caught:
        check_gate(MaxGate(), 1.0, 1.0, trials=0)
    assert str(caught.value) == (
        "MaxGate: cannot check input 0 (x) at x=1, y=1, dz=1: the gate ran at a kink (a tie, "
        "x == y: the whole gradient goes to x, the first input), where finite differences do "
        "not apply: the slope is 1 on one side and 0 on the other\n"
        "and 1 more failing check (err.report lists them)"
    )
    assert [row.problem for row in caught.value.report.failures] == ["cannot check (kink)"] * 2


def test_a_gate_without_its_own_kink_note_is_still_not_blamed_at_a_kink() -> None:
    class TiedMaxGate(Gate):  # a max that does not say where its kinks are
        def forward(self, x: Any, y: Any) -> Any:
            self.x_wins = x >= y
            return max(x, y)

        def backward(self, dz: Any) -> list[Any]:
            return [dz, 0.0] if self.x_wins else [0.0, dz]

    report = gate_report(TiedMaxGate(), 1.0, 1.0, trials=0)
    assert [row.problem for row in report.failures] == ["cannot check (kink)"] * 2
    assert "at a kink (a tie, or ReLU at 0), where finite differences do not apply" in (
        report.failures[0].message
    )


def test_a_kink_note_that_raises_is_a_fault_of_the_gate() -> None:
    class BadNoteGate(MaxGate):
        def kink(self) -> str | None:
            raise RuntimeError("no note")

    report = gate_report(BadNoteGate(), 1.0, 2.0, trials=0)
    assert [row.problem for row in report.failures] == ["kink raised"]
    assert "BadNoteGate.kink raised RuntimeError: no note at x=1, y=2" in (
        report.failures[0].message
    )


def test_relu_at_zero_is_a_kink_and_near_it_is_checked() -> None:
    report = gate_report(ReLUGate(), np.array([0.0, 1e-8, -1e-8, 2.0]), trials=0)
    assert [row.problem for row in report.failures] == ["cannot check (kink)"]
    assert "cannot check input 0 (x), element (0,), at x=[0, 1e-08, -1e-08, 2]" in (
        report.failures[0].message
    )


def test_a_wrong_gate_at_a_kink_is_still_blamed_elsewhere() -> None:
    class DoubledReLUGate(Gate):
        def forward(self, x: Any) -> Any:
            self.x = x
            return np.maximum(x, 0)

        def backward(self, dz: Any) -> list[Any]:
            return [2 * dz * (self.x > 0)]

    report = gate_report(DoubledReLUGate(), np.array([0.0, 1.0]), trials=0)
    assert [row.problem for row in report.failures] == ["wrong gradient"]
    assert "at element (1,): analytic 2, numeric 1" in report.failures[0].message


def test_integer_labels_are_held_and_said_so() -> None:
    logits = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    assert check_gate(SoftmaxCrossEntropyGate(), logits, np.array([1, 2]))
    report = gate_report(SoftmaxCrossEntropyGate(), logits, np.array([1, 2]), trials=1)
    assert [(row.node, row.slot, row.note) for row in report.rows] == [
        ("example", "0 (logits)", ""),
        ("example", "1 (labels)", "held (integers)"),
        ("random 1", "0 (logits)", ""),
        ("random 1", "1 (labels)", "held (integers)"),
    ]
    assert "held (integers)" in str(report)


def test_a_gate_holding_a_lock_is_checked_and_left_alone() -> None:
    gate = LockingDoubleGate()
    assert check_gate(gate, np.array([1.0, -2.0]))
    assert not hasattr(gate, "x")
    with pytest.raises(GradcheckError, match=r"^LockingDoubleGate: the gradient for input 0"):
        check_gate(LockingDoubleGate(wrong=True), 1.0)


def test_a_gate_that_cannot_be_copied_is_refused_naming_its_class() -> None:
    with pytest.raises(GraphTypeError) as caught:
        check_gate(UncopyableGate(), 1.0)
    assert str(caught.value) == (
        "check_gate: UncopyableGate: cannot copy the gate to run it aside (TypeError: no "
        "copies of me); give UncopyableGate a __copy__ or __deepcopy__ that works"
    )
