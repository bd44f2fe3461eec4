"""The gate table: every built-in gate, checked by check_gate over the shapes it takes.

A new gate in ``gates.__all__`` needs one row here and one in docs/gates.md; the
tests below fail until it has both. Tests of a gate's own numbers, kinks, ties
and domain errors live in tests/test_gates_<module>.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import gates
from compgraph import check_gate
from gates import (
    AddConstantGate,
    AddGate,
    ConstantGate,
    DivGate,
    ExpGate,
    Gate,
    HingeGate,
    LogGate,
    MatMulGate,
    MaxGate,
    MeanGate,
    MSEGate,
    MulConstantGate,
    MulGate,
    PowerGate,
    PowGate,
    ReciprocalGate,
    ReLUGate,
    SigmoidGate,
    SoftmaxCrossEntropyGate,
    StackGate,
    SubGate,
    SumGate,
    TanhGate,
)

Shape = tuple[int, ...]

#: The shapes of an elementwise gate's input: scalar, vector, matrix, a row.
SHAPES: list[Shape] = [(), (4,), (3, 4), (1, 4)]

#: Two inputs of different shapes, crossed as numpy broadcasts them.
CROSSED: list[tuple[Shape, Shape]] = [
    ((), (3, 4)),
    ((3, 4), ()),
    ((4,), (3, 4)),
    ((3, 4), (1, 4)),
    ((1, 4), (3, 1)),
    ((3, 1), (4,)),
]


def draw(shape: Shape, seed: int, positive: bool = False) -> Any:
    """Seeded values between 0.5 and 2 in size (away from every gate's kink at 0),
    of either sign unless ``positive``; a float for ``()``."""
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.5, 2.0, shape) * (1.0 if positive else rng.choice([-1.0, 1.0], shape))
    return float(values) if shape == () else values


def unary(positive: bool = False, shapes: list[Shape] = SHAPES) -> list[tuple[Any, ...]]:
    return [(draw(shape, 1, positive),) for shape in shapes]


def binary(
    crossed: list[tuple[Shape, Shape]] = CROSSED, positive: bool = False
) -> list[tuple[Any, ...]]:
    """Pairs of inputs of the same and of crossed shapes; the first positive if asked."""
    pairs = [(shape, shape) for shape in SHAPES] + crossed
    return [(draw(x, 2, positive), draw(y, 3)) for x, y in pairs]


def matmul() -> list[tuple[Any, ...]]:
    pairs = [
        ((3, 4), (4, 2)),
        ((3, 4), (4,)),
        ((4,), (4, 2)),
        ((4,), (4,)),
        ((2, 3, 4), (4, 5)),  # a stack of matrices times one matrix: its gradient sums the stack
        ((2, 3, 4), (2, 4, 5)),
        ((4,), (2, 4, 3)),
        ((2, 3, 4), (4,)),
        ((2, 1, 3, 4), (5, 4, 2)),
    ]
    return [(draw(a, 4), draw(b, 5)) for a, b in pairs]


def hinge() -> list[tuple[Any, ...]]:
    """Scores whose margins ``1 - label * score`` stay away from the kink at 0
    at every random point too (check_gate scales each element by 0.6 to 1.65)."""
    examples = []
    for scores_shape, labels_shape in [((), ()), ((4,), (4,)), ((3, 4), (3, 4)), ((3, 4), (4,))]:
        rng = np.random.default_rng(6)
        labels = rng.choice([-1.0, 1.0], labels_shape)
        margin = rng.choice([-1.0, 3.0], scores_shape) * rng.uniform(1.0, 2.0, scores_shape)
        scores = labels * margin  # label * score is below -1 or above 3
        examples.append((scores, labels) if scores_shape else (float(scores), float(labels)))
    return examples


class HeldLabelsGate(SoftmaxCrossEntropyGate):
    """SoftmaxCrossEntropyGate with its integer labels held: check_gate moves every
    input it is given in float64, and the labels have no gradient to check."""

    def __init__(self, labels: Any) -> None:
        super().__init__()
        self.held = np.asarray(labels)

    def forward(self, logits: Any) -> Any:  # type: ignore[override]
        return super().forward(logits, self.held)

    def backward(self, dz: Any) -> list[Any]:
        dlogits, _ = super().backward(dz)
        return [dlogits]


@dataclass(frozen=True)
class Row:
    """A gate of the table: its label, how to make it, and the example inputs to
    check it at, one tuple per combination of shapes."""

    label: str
    make: Callable[[], Gate]
    examples: list[tuple[Any, ...]]


def reduction(cls: type[Gate], axis: Any = None, keepdims: bool = False) -> Row:
    shapes: list[Shape] = {
        None: [*SHAPES, (2, 3, 4)],
        0: [(4,), (3, 4), (1, 4)],
        -1: [(3, 4), (2, 3, 4)],
        (0, 2): [(2, 3, 4)],
    }[axis]
    return Row(
        f"{cls.__name__}(axis={axis}, keepdims={keepdims})",
        lambda: cls(axis=axis, keepdims=keepdims),  # type: ignore[call-arg]
        unary(shapes=shapes),
    )


TABLE: list[Row] = [
    Row("AddGate", AddGate, binary()),
    Row(
        "AddGate of many",
        AddGate,
        [
            (draw((), 1), draw((), 2), draw((), 3)),
            (draw((3, 4), 1), draw((4,), 2), draw((), 3)),
            (draw((1, 4), 1), draw((3, 1), 2), draw((3, 4), 3), draw((4,), 4)),
        ],
    ),
    Row("SubGate", SubGate, binary()),
    Row("MulGate", MulGate, binary()),
    Row("DivGate", DivGate, binary()),
    Row("MulConstantGate(-1)", lambda: MulConstantGate(-1), unary()),
    Row("MulConstantGate(2.5)", lambda: MulConstantGate(2.5), unary()),
    Row("AddConstantGate(1)", lambda: AddConstantGate(1), unary()),
    Row("ReciprocalGate", ReciprocalGate, unary()),
    Row("PowGate(2)", lambda: PowGate(2), unary()),
    Row("PowGate(3)", lambda: PowGate(3), unary()),
    Row("PowGate(-1.5)", lambda: PowGate(-1.5), unary(positive=True)),  # x > 0
    Row("PowGate(0.5)", lambda: PowGate(0.5), unary(positive=True)),
    Row("PowGate(0)", lambda: PowGate(0), unary()),
    Row("PowerGate", PowerGate, binary(positive=True)),  # x > 0: log(x) in dy
    Row("ConstantGate(-4.0)", lambda: ConstantGate(-4.0), [()]),
    Row("ConstantGate(array)", lambda: ConstantGate(np.arange(6.0).reshape(2, 3)), [()]),
    Row("ExpGate", ExpGate, unary()),
    Row("SigmoidGate", SigmoidGate, unary()),
    Row("MaxGate", MaxGate, binary()),  # seeds 2 and 3 draw no tie, nor near one
    Row("ReLUGate", ReLUGate, unary()),  # away from the kink at 0
    Row("TanhGate", TanhGate, unary()),
    Row("LogGate", LogGate, unary(positive=True)),
    Row("MatMulGate", MatMulGate, matmul()),
    reduction(SumGate),
    reduction(SumGate, axis=0, keepdims=True),
    reduction(SumGate, axis=-1),
    reduction(SumGate, axis=(0, 2), keepdims=True),
    reduction(MeanGate),
    reduction(MeanGate, axis=0),
    reduction(MeanGate, axis=-1, keepdims=True),
    reduction(MeanGate, axis=(0, 2)),
    Row("StackGate", StackGate, [*unary(), *[tuple(draw(s, i) for i in range(3)) for s in SHAPES]]),
    Row("SoftmaxCrossEntropyGate", lambda: HeldLabelsGate([0, 2, 1, 1, 0]), [(draw((5, 3), 8),)]),
    Row("SoftmaxCrossEntropyGate of one row", lambda: HeldLabelsGate(2), [(draw((3,), 8),)]),
    Row(
        "SoftmaxCrossEntropyGate of a stack",
        lambda: HeldLabelsGate([[0, 1, 2, 0], [2, 2, 1, 0]]),
        [(draw((2, 4, 3), 8),)],
    ),
    Row("MSEGate", MSEGate, binary([((3, 4), (4,)), ((3, 4), ()), ((3, 4), (1, 4))])),
    Row("HingeGate", HingeGate, hinge()),
]


def gate_names() -> set[str]:
    """The names of ``gates.__all__`` that are gate classes."""
    return {
        name
        for name in gates.__all__
        if isinstance(getattr(gates, name), type)
        and issubclass(getattr(gates, name), Gate)
        and name != "Gate"
    }


def built_in_name(gate: Gate) -> str:
    """The name of the gate class of ``gates.__all__`` that ``gate`` is an instance of."""
    return next(cls.__name__ for cls in type(gate).__mro__ if cls.__name__ in gate_names())


def shapes_id(example: tuple[Any, ...]) -> str:
    return " x ".join(str(np.shape(x)) for x in example) or "no inputs"


CASES = [
    pytest.param(row, example, id=f"{row.label}: {shapes_id(example)}")
    for row in TABLE
    for example in row.examples
]


@pytest.mark.parametrize(("row", "example"), CASES)
def test_every_gate_of_the_table_passes_check_gate(row: Row, example: tuple[Any, ...]) -> None:
    assert check_gate(row.make(), *example)


def test_every_gate_of_gates_has_a_row_in_the_table() -> None:
    covered = {built_in_name(row.make()) for row in TABLE}
    assert sorted(gate_names() - covered) == []


def test_every_gate_of_gates_is_in_docs_gates_md() -> None:
    text = (Path(__file__).resolve().parent.parent / "docs" / "gates.md").read_text()
    assert sorted(name for name in gate_names() if f"| `{name}(" not in text) == []


def test_the_table_checks_more_than_scalars() -> None:
    for name in gate_names() - {"ConstantGate"}:
        rows = [row for row in TABLE if built_in_name(row.make()) == name]
        shapes = {np.shape(x) for row in rows for example in row.examples for x in example}
        assert len(shapes) >= 2, name
