"""Gates: the base class :class:`Gate` and the built-in gates.

Every built-in gate works on Python numbers and on numpy arrays, broadcasting
as numpy does.

Examples
--------
>>> from gates import MulGate
>>> gate = MulGate()
>>> gate.forward(3, -4), gate.backward(1)
(-12, [-4, 3])
"""

from gates.arithmetic import (
    AddConstantGate,
    AddGate,
    ConstantGate,
    DivGate,
    MulConstantGate,
    MulGate,
    PowGate,
    ReciprocalGate,
    SubGate,
)
from gates.base import Gate, arity
from gates.check import check_gate, gate_report
from gates.elementwise import ExpGate, LogGate, MaxGate, ReLUGate, SigmoidGate, TanhGate
from gates.linalg import MatMulGate, MeanGate, StackGate, SumGate
from gates.losses import HingeGate, MSEGate, SoftmaxCrossEntropyGate

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
