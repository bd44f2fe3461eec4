"""Gates: the base class :class:`Gate` and the built-in gates.

Every built-in gate works on Python numbers and on numpy arrays, broadcasting
as numpy does. This package imports numpy and nothing of ``compgraph``.

``gates.check_gate`` and ``gates.gate_report`` are aliases of
:func:`compgraph.check_gate` and :func:`compgraph.gate_report`: the first use of
either imports ``compgraph``.

Examples
--------
>>> from gates import MulGate
>>> gate = MulGate()
>>> gate.forward(3, -4), gate.backward(1)
(-12, [-4, 3])
>>> from gates import check_gate
>>> check_gate(MulGate(), 3.0, -4.0)
True
"""

from typing import TYPE_CHECKING, Any

from gates.arithmetic import (
    AddConstantGate,
    AddGate,
    ConstantGate,
    DivGate,
    MulConstantGate,
    MulGate,
    PowerGate,
    PowGate,
    ReciprocalGate,
    SubGate,
)
from gates.base import Gate, arity
from gates.elementwise import ExpGate, LogGate, MaxGate, ReLUGate, SigmoidGate, TanhGate
from gates.linalg import MatMulGate, MeanGate, StackGate, SumGate
from gates.losses import HingeGate, MSEGate, SoftmaxCrossEntropyGate

if TYPE_CHECKING:
    from compgraph.gatecheck import check_gate, gate_report

__all__ = [
    "AddConstantGate",
    "AddGate",
    "ConstantGate",
    "DivGate",
    "ExpGate",
    "Gate",
    "HingeGate",
    "LogGate",
    "MSEGate",
    "MatMulGate",
    "MaxGate",
    "MeanGate",
    "MulConstantGate",
    "MulGate",
    "PowGate",
    "PowerGate",
    "ReLUGate",
    "ReciprocalGate",
    "SigmoidGate",
    "SoftmaxCrossEntropyGate",
    "StackGate",
    "SubGate",
    "SumGate",
    "TanhGate",
    "arity",
    "check_gate",
    "gate_report",
]

#: The names this package lends from ``compgraph``, imported when first used.
_FROM_COMPGRAPH = ("check_gate", "gate_report")


def __getattr__(name: str) -> Any:
    if name in _FROM_COMPGRAPH:
        from compgraph import gatecheck  # here: gates itself needs nothing of compgraph

        return getattr(gatecheck, name)
    raise AttributeError(f"module 'gates' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_FROM_COMPGRAPH})
