"""compgraph: backpropagation on explicit computational graphs of gates.

Examples
--------
>>> from compgraph import ComputationalGraph
>>> from gates import AddGate, MulGate
>>> g = ComputationalGraph()
>>> _ = g.add_input("x"), g.add_input("y"), g.add_input("z")
>>> _ = g.add_gate("q", AddGate(), ["x", "y"])
>>> _ = g.add_gate("f", MulGate(), ["q", "z"])
>>> g.forward(x=-2, y=5, z=-4)
-12
>>> g.backward()["x"]
-4
>>> import compgraph
>>> compgraph.__version__
'0.1.0'
"""

from compgraph import datasets, nn, optim
from compgraph._version import __version__
from compgraph.checking import CheckOptions, GradcheckReport
from compgraph.composite import CompositeGate
from compgraph.errors import (
    ArityError,
    CycleError,
    DuplicateNodeError,
    ExpressionError,
    GateExecutionError,
    GateReuseError,
    GradcheckError,
    GradientError,
    GraphBusyError,
    GraphError,
    GraphFileError,
    GraphTypeError,
    GroupError,
    MissingFeedError,
    NoBackwardPassError,
    NodeKindError,
    NodeNotFoundError,
    NoForwardPassError,
    NonFiniteError,
    OutputError,
    PathArrayError,
    SettingError,
    ShapeError,
    SlotError,
    TooManyPathsError,
    UnknownGateError,
)
from compgraph.exercise import Exercise
from compgraph.files import load, register_gate, save
from compgraph.gatecheck import check_gate, gate_report
from compgraph.gradcheck import gradcheck, gradcheck_report
from compgraph.graph import GATE, INPUT, PARAMETER, ComputationalGraph
from compgraph.table import pass_table
from compgraph.training import History, train

__all__ = [
    "GATE",
    "INPUT",
    "PARAMETER",
    "ArityError",
    "CheckOptions",
    "CompositeGate",
    "ComputationalGraph",
    "CycleError",
    "DuplicateNodeError",
    "Exercise",
    "ExpressionError",
    "GateExecutionError",
    "GateReuseError",
    "GradcheckError",
    "GradcheckReport",
    "GradientError",
    "GraphBusyError",
    "GraphError",
    "GraphFileError",
    "GraphTypeError",
    "GroupError",
    "History",
    "MissingFeedError",
    "NoBackwardPassError",
    "NoForwardPassError",
    "NodeKindError",
    "NodeNotFoundError",
    "NonFiniteError",
    "OutputError",
    "PathArrayError",
    "SettingError",
    "ShapeError",
    "SlotError",
    "TooManyPathsError",
    "UnknownGateError",
    "__version__",
    "check_gate",
    "datasets",
    "gate_report",
    "gradcheck",
    "gradcheck_report",
    "load",
    "nn",
    "optim",
    "pass_table",
    "register_gate",
    "save",
    "train",
]
