"""compgraph.explain: the backward pass told step by step, with the lectures' numbers."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import gates
from compgraph import ComputationalGraph, GraphError, NoBackwardPassError
from compgraph.explain import (
    _received,
    backward_steps,
    explain,
    forward_step,
    forward_steps,
    gradient_steps,
    local_gradients,
    sent_gradients,
)
from compgraph.lectures import neuron
from compgraph.table import format_number
from gates import AddGate, Gate, MulGate

LECTURE = {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}


def passed(text: str, **feeds: Any) -> ComputationalGraph:
    g = ComputationalGraph.from_expression(text)
    g.forward(feeds)
    g.backward()
    return g


def test_the_decomposed_neuron_with_the_lectures_numbers() -> None:
    text = passed("1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))", **LECTURE).explain()
    lines = text.splitlines()
    assert lines[0] == (
        "Backward pass from the output '1 / (1 + exp(-(w0 * x0 + w1 * x1 + w2)))' = 0.73, "
        "starting with gradient 1."
    )
    steps = [line.strip() for line in lines if line.startswith("    to ")]
    assert steps == [
        "to '1 + exp(-(w0 * x0 + w1 * x1 + w2))': local gradient -1/x^2 = -1/1.37^2 = -0.53,"
        " times 1, sends -0.53",
        "to 'exp(-(w0 * x0 + w1 * x1 + w2))': local gradient 1, times -0.53, sends -0.53",
        "to '-(w0 * x0 + w1 * x1 + w2)': local gradient exp(x) = exp(-1) = 0.37,"
        " times -0.53, sends -0.2",
        "to 'w0 * x0 + w1 * x1 + w2': local gradient -1, times -0.2, sends 0.2",
        "to 'w0 * x0 + w1 * x1': local gradient 1, times 0.2, sends 0.2",
        "to 'w2': local gradient 1, times 0.2, sends 0.2",
        "to 'w0 * x0': local gradient 1, times 0.2, sends 0.2",
        "to 'w1 * x1': local gradient 1, times 0.2, sends 0.2",
        "to 'w1': local gradient x1 = -2, times 0.197, sends -0.39",
        "to 'x1': local gradient w1 = -3, times 0.197, sends -0.59",
        "to 'w0': local gradient x0 = -1, times 0.2, sends -0.2",
        "to 'x0': local gradient w0 = 2, times 0.197, sends 0.39",
    ]
    assert "+ 'w0 * x0 + w1 * x1 + w2' = 1 receives 0.2; an add gate distributes it" in lines
    assert lines[-6:] == [
        "Gradients on the inputs:",
        "    w0: -0.2",
        "    x0: 0.39",
        "    w1: -0.39",
        "    x1: -0.59",
        "    w2: 0.2",
    ]


def test_the_sigmoid_gate_with_its_local_gradient() -> None:
    lines = passed("sigmoid(w0*x0 + w1*x1 + w2)", **LECTURE).explain().splitlines()
    assert lines[2] == "σ 'sigmoid(w0 * x0 + w1 * x1 + w2)' = 0.73 receives 1 (the output)"
    assert lines[3] == (
        "    to 'w0 * x0 + w1 * x1 + w2': local gradient (1 - σ(x)) * σ(x)"
        " = (1 - 0.73) * 0.73 = 0.2, times 1, sends 0.2"
    )


def test_digits() -> None:
    text = passed("sigmoid(w0*x0 + w1*x1 + w2)", **LECTURE).explain(digits=4)
    assert "(1 - 0.7311) * 0.7311 = 0.1966" in text
    assert "x0: 0.3932" in text


@pytest.mark.parametrize(
    ("text", "feeds", "expected"),
    [
        ("x / y", {"x": 3, "y": -2}, "local gradient -x/y^2 = -3/(-2)^2 = -0.75"),
        ("x / y", {"x": 3, "y": -2}, "local gradient 1/y = 1/(-2) = -0.5"),
        ("x - y", {"x": 3, "y": -2}, "to 'y': local gradient -1, times 1, sends -1"),
        ("x ** 3", {"x": -2}, "local gradient c*x^(c-1) = 3*(-2)^2 = 12"),
        ("max(x, y)", {"x": 3, "y": 5}, "to 'x': local gradient [x >= y] = [3 >= 5] = 0"),
        ("max(x, y)", {"x": 3, "y": 5}, "to 'y': local gradient [x < y] = [3 < 5] = 1"),
        ("max(x, y)", {"x": 3, "y": 5}, "a max gate routes it to the larger input"),
        ("x * y", {"x": 3, "y": 5}, "a multiply gate switches its inputs"),
        ("2.5 * x", {"x": 3}, "local gradient 2.5, times 1, sends 2.5"),
    ],
)
def test_formulas(text: str, feeds: dict[str, Any], expected: str) -> None:
    assert expected in passed(text, **feeds).explain()


def test_gradients_add_up_at_forks() -> None:
    g = ComputationalGraph()
    g.add_input("a")
    g.add_gate("b", AddGate(), ["a", "a"])
    g.add_gate("c", MulGate(), ["b", "b"])
    g.add_gate("d", AddGate(), ["c", "b"])
    g.forward(a=3)  # b = 6, c = 36, d = 42
    g.backward()
    lines = g.explain().splitlines()
    assert (
        "+ 'b' = 6 receives 1 + 6 + 6 = 13 (gradients add up at a fork); an add gate distributes it"
    ) in lines
    assert lines[-1] == "    a: 13 + 13 = 26 (gradients add up at a fork)"
    assert g.grad("a") == 26


def test_negative_parts_of_a_sum_read_as_subtraction() -> None:
    text = passed("x * y - x", x=3, y=-2).explain()
    assert "    x: -1 - 2 = -3 (gradients add up at a fork)" in text


class Cube(Gate):
    """A user's gate the explanation knows no formula for; counts its backward calls."""

    calls = 0

    def forward(self, x: Any) -> Any:
        self.x = x
        return x**3

    def backward(self, dz: Any) -> list[Any]:
        self.calls += 1
        return [3 * self.x**2 * dz]


def test_an_unknown_gate_gets_its_local_gradient_from_its_backward() -> None:
    g = ComputationalGraph.from_expression("cube(2 * x)", functions={"cube": Cube})
    g.forward(x=1)
    g.backward()
    gate = g.gate(g.output)
    assert gate.calls == 1
    text = g.explain()
    assert "Cube 'cube(2 * x)' = 8 receives 1 (the output)" in text
    assert "to '2 * x': local gradient 12 (its backward at dz = 1), times 1, sends 12" in text
    assert gate.calls == 1  # explaining ran copies; the graph's gate is untouched
    assert g.backward()["x"] == 24


def test_sent_gradients_add_up_to_each_nodes_gradient() -> None:
    g = ComputationalGraph.from_expression("max(x * b, x) + exp(b) * x - b / x")
    g.forward(x=np.array([[1.0, -2.0, 0.5], [2.0, 1.5, -1.0]]), b=np.array([0.5, -1.0, 2.0]))
    grads = g.backward()
    totals: dict[str, Any] = {}
    for name in (name for name in g if g.kind(name) == "gate"):
        for source, sent in zip(g.inputs(name), sent_gradients(g, name)):
            assert np.shape(sent) == np.shape(g.value(source))
            totals[source] = totals.get(source, 0) + sent
    for name, total in totals.items():
        np.testing.assert_allclose(total, grads[name], rtol=1e-12)


def test_local_gradients() -> None:
    g = passed("x * y", x=3, y=-4)
    assert local_gradients(g, "x * y") == [-4, 3]
    arrays = ComputationalGraph.from_expression("exp(x)")
    arrays.forward(x=np.array([0.0, 1.0]))
    np.testing.assert_allclose(local_gradients(arrays, "exp(x)")[0], [1.0, np.e])


def test_arrays_are_explained() -> None:
    g = ComputationalGraph.from_expression("max(x, 0)")
    g.forward(x=np.array([-1.0, 2.0]))
    g.backward()
    assert "to 'x': local gradient [x >= y] = [[-1, 2] >= 0] = [0, 1]" in g.explain()


def test_needs_a_backward_pass() -> None:
    g = ComputationalGraph.from_expression("x * y")
    g.forward(x=1, y=2)
    with pytest.raises(NoBackwardPassError, match="explain: no backward pass"):
        explain(g)
    g.backward()
    assert explain(g).startswith("Backward pass")


class CubeWithFormula(Cube):
    """The same cube, with its local gradient's formula and a pattern of its own."""

    gradient_pattern = "a cube gate triples the square"

    def local_gradient_formula(self, slot: int) -> str:
        return "3*{x}^2"


def test_a_users_gate_with_a_formula_is_explained_with_its_numbers() -> None:
    g = ComputationalGraph.from_expression("cube(x - 3)", functions={"cube": CubeWithFormula})
    g.forward(x=1)
    g.backward()
    text = g.explain()
    assert "CubeWithFormula 'cube(x - 3)' = -8 receives 1 (the output); " in text
    assert text.splitlines()[2].endswith("; a cube gate triples the square")
    assert "to 'x - 3': local gradient 3*x^2 = 3*(-2)^2 = 12, times 1, sends 12" in text


class Scaled(Gate):
    """``z = k * x * y`` with a constant ``k``: its formulas use every kind of placeholder."""

    symbol = "scaled"

    def __init__(self, k: float) -> None:
        self.k = k

    def forward(self, x: Any, y: Any) -> Any:
        self.x, self.y = x, y
        return self.k * x * y

    def backward(self, dz: Any) -> list[Any]:
        return [self.k * self.y * dz, self.k * self.x * dz]

    def local_gradient_formula(self, slot: int) -> str:
        return "{k}*{y.node}" if slot == 0 else "{z:f}/{y}"


def test_placeholders_name_inputs_nodes_the_output_and_attributes() -> None:
    g = ComputationalGraph()
    g.add_input("a")
    g.add_input("b")
    g.add_gate("f", Scaled(-0.5), ["a", "b"])
    g.forward(a=-2, b=6)  # f = 6
    g.backward()
    steps = [line.strip() for line in g.explain().splitlines() if line.startswith("    to ")]
    assert steps == [
        "to 'a': local gradient k*b = -0.5*6 = -3, times 1, sends -3",
        "to 'b': local gradient f/y = 6/6 = 1, times 1, sends 1",
    ]


def test_the_output_is_written_as_the_gate_applied_to_its_inputs() -> None:
    class Twice(Gate):
        def forward(self, x: Any) -> Any:
            return 2 * x

        def backward(self, dz: Any) -> list[Any]:
            return [2 * dz]

        def local_gradient_formula(self, slot: int) -> str:
            return "{z}/{x}"

    g = ComputationalGraph.from_expression("twice(x)", functions={"twice": Twice})
    g.forward(x=-3)
    g.backward()
    assert "local gradient Twice(x)/x = -6/(-3) = 2" in g.explain()


def test_a_formula_naming_something_unknown_is_refused() -> None:
    class Typo(Cube):
        def local_gradient_formula(self, slot: int) -> str:
            return "3*{w}^2"

    g = ComputationalGraph.from_expression("typo(x)", functions={"typo": Typo})
    g.forward(x=1)
    g.backward()
    with pytest.raises(ValueError, match=r"node 'typo\(x\)' \(Typo\): .* names \{w\}"):
        g.explain()


def gate_with_inputs(gate: Gate, **feeds: Any) -> ComputationalGraph:
    """One gate fed by inputs named as its feeds, after a forward and a backward pass."""
    g = ComputationalGraph()
    for name in feeds:
        g.add_input(name)
    g.add_gate("f", gate, list(feeds))
    g.forward(feeds)
    g.backward()
    return g


BUILT_IN_FORMULAS = [
    (gates.AddGate(), {"a": -2, "b": 5, "c": 1}, ["1", "1", "1"]),
    (gates.SubGate(), {"a": 5, "b": 3}, ["1", "-1"]),
    (gates.MulGate(), {"a": -2, "b": 3}, ["b = 3", "a = -2"]),
    (gates.DivGate(), {"a": 3, "b": -2}, ["1/y = 1/(-2) = -0.5", "-x/y^2 = -3/(-2)^2 = -0.75"]),
    (gates.MulConstantGate(-1), {"a": 2}, ["-1"]),
    (gates.AddConstantGate(1), {"a": 2}, ["1"]),
    (gates.ReciprocalGate(), {"a": -2}, ["-1/x^2 = -1/(-2)^2 = -0.25"]),
    (gates.PowGate(3), {"a": -2}, ["c*x^(c-1) = 3*(-2)^2 = 12"]),
    (
        gates.PowerGate(),
        {"a": 2.0, "b": 3.0},
        ["y*x^(y-1) = 3*2^(3-1) = 12", "log(x)*x^y = log(2)*2^3 = 5.55"],
    ),
    (gates.ExpGate(), {"a": 0}, ["exp(x) = exp(0) = 1"]),
    (gates.SigmoidGate(), {"a": 0}, ["(1 - σ(x)) * σ(x) = (1 - 0.5) * 0.5 = 0.25"]),
    (gates.MaxGate(), {"a": -1, "b": -3}, ["[x >= y] = [-1 >= -3] = 1", "[x < y] = [-1 < -3] = 0"]),
    (gates.ReLUGate(), {"a": -1.5}, ["[x > 0] = [-1.5 > 0] = 0"]),
    (gates.TanhGate(), {"a": -0.5}, ["1 - tanh(x)^2 = 1 - (-0.46)^2 = 0.79"]),
    (gates.LogGate(), {"a": 2}, ["1/x = 1/2 = 0.5"]),
    (gates.SumGate(), {"a": np.array([1.0, 2.0])}, ["1 = [1, 1]"]),
    (gates.MeanGate(), {"a": np.array([1.0, 2.0, 6.0])}, ["1/n = 1/3 = [0.33, 0.33, 0.33]"]),
    (gates.StackGate(), {"a": 1.0, "b": 2.0}, ["1", "1"]),
    (
        gates.MSEGate(),
        {"p": np.array([1.0, 2.0]), "t": np.array([0.0, 4.0])},
        [
            "2*(prediction - target)/n = 2*([1, 2] - [0, 4])/2 = [1, -2]",
            "-2*(prediction - target)/n = -2*([1, 2] - [0, 4])/2 = [-1, 2]",
        ],
    ),
]


@pytest.mark.parametrize(
    ("gate", "feeds", "expected"),
    BUILT_IN_FORMULAS,
    ids=[type(gate).__name__ for gate, _, _ in BUILT_IN_FORMULAS],
)
def test_each_built_in_formula_with_its_numbers(
    gate: Gate, feeds: dict[str, Any], expected: list[str]
) -> None:
    text = gate_with_inputs(gate, **feeds).explain()
    assert re.findall(r"local gradient (.*), times", text) == expected


def test_every_built_in_gate_with_a_formula_is_in_the_table() -> None:
    with_formula = {
        name
        for name in gates.__all__
        if isinstance(getattr(gates, name), type)
        and issubclass(getattr(gates, name), Gate)
        and getattr(gates, name).local_gradient_formula is not Gate.local_gradient_formula
    }
    assert with_formula == {type(gate).__name__ for gate, _, _ in BUILT_IN_FORMULAS}


@pytest.mark.parametrize(
    ("gate", "pattern"),
    [
        (gates.AddGate(), "an add gate distributes it"),
        (gates.MulGate(), "a multiply gate switches its inputs"),
        (gates.MaxGate(), "a max gate routes it to the larger input"),
        (gates.ExpGate(), ""),
    ],
    ids=repr,
)
def test_gradient_patterns(gate: Gate, pattern: str) -> None:
    assert gate.gradient_pattern == pattern


def test_a_gate_holding_a_lock_is_explained() -> None:
    from tests.gallery import LockingDoubleGate

    g = ComputationalGraph()
    g.add_input("x")
    gate = g.add_gate("f", LockingDoubleGate(), ["x"])
    g.forward(x=3.0)
    g.backward(2.0)
    assert sent_gradients(g, "f") == [4.0]
    assert local_gradients(g, "f") == [2.0]
    assert explain(g).splitlines()[2] == "LockingDoubleGate 'f' = 6 receives 2 (the output)"
    assert gate == "f" and g.gate("f").x == 3.0


def test_a_copy_shares_only_what_cannot_be_copied() -> None:
    from gates.base import full_copy
    from tests.gallery import LockingDoubleGate

    gate = LockingDoubleGate()
    gate.forward(np.array([1.0, 2.0]))
    gate.history = [1.0]
    copied = full_copy(gate)
    assert copied.lock is gate.lock  # a lock cannot be copied: shared
    assert copied.history == [1.0] and copied.history is not gate.history
    assert copied.x is not gate.x


def test_a_gate_that_cannot_be_copied_is_refused_naming_the_node() -> None:
    from compgraph import GraphTypeError
    from tests.gallery import UncopyableGate

    g = ComputationalGraph()
    g.add_input("x")
    g.add_gate("f", UncopyableGate(), ["x"])
    g.forward(x=3.0)
    g.backward()
    message = (
        "explain: node 'f' (UncopyableGate): cannot copy the gate to run it aside (TypeError: "
        "no copies of me); give UncopyableGate a __copy__ or __deepcopy__ that works"
    )
    with pytest.raises(GraphTypeError, match=re.escape(message)):
        explain(g)
    with pytest.raises(GraphTypeError, match=re.escape(message)):
        sent_gradients(g, "f")


# ------------------------------------------------- one node's step, for hints

NEURON_DECOMPOSED = "1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))"


@pytest.mark.parametrize(
    ("text", "feeds"),
    [
        ("(x + y) * z", {"x": -2, "y": 5, "z": -4}),
        (NEURON_DECOMPOSED, LECTURE),
        ("(x + sigmoid(y)) / (sigmoid(x) + (x + y) ** 2)", {"x": 3, "y": -4}),
        ("x * x + x", {"x": 3}),
    ],
)
def test_each_nodes_steps_are_explains_own_lines(text: str, feeds: dict[str, Any]) -> None:
    g = passed(text, **feeds)
    story = g.explain().splitlines()
    steps = gradient_steps(g)
    assert set(steps) == set(g)
    for name, step in steps.items():
        lines = step.splitlines()
        assert lines and all(line in story for line in lines), name
        if name != g.output:
            sends = [line for line in lines if line.startswith(f"    to {name!r}:")]
            # one line per slot the node feeds, as many as the gradients it receives
            assert len(sends) == sum(g.inputs(gate).count(name) for gate in g)
            total = format_number(g.grad(name), 2)
            assert lines[-1].endswith((f"sends {total}", f"= {total} (gradients add up at a fork)"))


def test_the_outputs_step_is_the_opening_line() -> None:
    g = passed("(x + y) * z", x=-2, y=5, z=-4)
    assert gradient_steps(g)["(x + y) * z"] == g.explain().splitlines()[0]


def test_a_gate_at_a_fork_adds_its_shares_up() -> None:
    g = ComputationalGraph()
    g.add_input("a")
    g.add_gate("b", AddGate(), ["a", "a"])
    g.add_gate("c", MulGate(), ["b", "b"])
    g.add_gate("d", AddGate(), ["c", "b"])
    g.forward(a=3)
    g.backward()
    assert gradient_steps(g)["b"].splitlines()[-1] == (
        "    b: 1 + 6 + 6 = 13 (gradients add up at a fork)"
    )


def test_steps_need_a_backward_pass() -> None:
    g = ComputationalGraph.from_expression("x * y")
    g.forward(x=1, y=2)
    with pytest.raises(NoBackwardPassError, match="run forward, then backward"):
        gradient_steps(g)


def test_forward_step() -> None:
    g = passed(NEURON_DECOMPOSED, **LECTURE)
    assert forward_step(g, "exp(-(w0 * x0 + w1 * x1 + w2))") == (
        "exp 'exp(-(w0 * x0 + w1 * x1 + w2))' = 0.37, computed by ExpGate "
        "from '-(w0 * x0 + w1 * x1 + w2)' = -1"
    )
    assert forward_step(g, "w0 * x0", digits=0) == (
        "* 'w0 * x0' = -2, computed by MulGate from 'w0' = 2 and 'x0' = -1"
    )


def test_a_gate_at_a_kink_is_told_with_its_convention() -> None:
    g = ComputationalGraph.from_expression("m = max(x, y); f = m * z")
    g.forward(x=3.0, y=3.0, z=2.0)
    g.backward()
    lines = g.explain().splitlines()
    at = lines.index("max 'm' = 3 receives 2; a max gate routes it to the larger input")
    assert lines[at + 1] == (
        "    at a kink: a tie, x == y: the whole gradient goes to x, the first input"
    )
    assert lines[at + 2].startswith("    to 'x': local gradient [x >= y] = [3 >= 3] = 1")
    g.forward(x=3.0, y=2.0, z=2.0)
    g.backward()
    assert "kink" not in g.explain()


# ---------------------------------------------------------------- one step at a time


def test_the_backward_steps_are_explains_paragraphs_in_order() -> None:
    g, feeds = neuron(decomposed=True)
    g.forward(feeds)
    g.backward()
    steps = backward_steps(g)
    nodes = ["f", "f", "plus1", "exp", "neg", "dot", "sum", "w1*x1", "w0*x0"]
    assert [node for node, _ in steps] == nodes
    told = explain(g).split("\n\n")
    assert steps[0][1] == told[0]
    assert "\n".join(text for _, text in steps[1:]) == told[1]
    assert steps[-1][1].splitlines()[1:] == [
        "    to 'w0': local gradient x0 = -1, times 0.2, sends -0.2",
        "    to 'x0': local gradient w0 = 2, times 0.197, sends 0.39",
    ]


def test_the_forward_steps_give_the_lectures_numbers_in_order() -> None:
    g, feeds = neuron()
    g.forward(feeds)
    steps = forward_steps(g)
    assert steps[0] == (
        None,
        "Forward pass from the inputs x0 = -1, x1 = -2 "
        "and the parameters w0 = 2, w1 = -3, w2 = -3.",
    )
    assert [node for node, _ in steps[1:]] == ["w0*x0", "w1*x1", "sum", "dot", "f"]
    assert [text.split(", computed")[0].split(" = ")[-1] for _, text in steps[1:]] == [
        "-2",
        "6",
        "4",
        "1",
        "0.73",
    ]
    with pytest.raises(NoBackwardPassError):
        backward_steps(g)


# ------------------------------------------------- numbers that add up as shown

PRODUCT = re.compile(r"local gradient (.*), times (\S+), sends (\S+)( \(rounded\))?$")
FORK_SUM = re.compile(r"(?:receives |: )(\S.*) = (\S+) \((rounded; )?gradients add up at a fork\)")


def arithmetic(text: str) -> list[tuple[str, Fraction, Fraction, bool]]:
    """Every product and fork sum of ``text``: the line, what its shown operands
    give, its shown result, and whether it says it is rounded."""
    found = []
    for line in text.splitlines():
        if product := PRODUCT.search(line):
            local = product[1].removesuffix(" (its backward at dz = 1)").split(" = ")[-1]
            computed = Fraction(local) * Fraction(product[2])
            found.append((line, computed, Fraction(product[3]), bool(product[4])))
        if fork := FORK_SUM.search(line):
            terms = fork[1].replace(" - ", " + -").split(" + ")
            computed = sum((Fraction(term) for term in terms), Fraction(0))
            found.append((line, computed, Fraction(fork[2]), bool(fork[3])))
    return found


def assert_adds_up(text: str, digits: int = 2) -> None:
    """Each product and sum, computed with the numbers shown, rounds to the result
    shown at ``digits`` decimals, or says it is rounded where it cannot."""
    half = Fraction(1, 2 * 10**digits)
    for line, computed, shown, rounded in arithmetic(text):
        assert (abs(computed - shown) > half) == rounded, line


@pytest.mark.parametrize("decomposed", [False, True])
def test_the_neurons_products_add_up_as_shown(decomposed: bool) -> None:
    g, feeds = neuron(decomposed=decomposed)
    g.forward(feeds)
    g.backward()
    text = explain(g)
    assert "    to 'x0': local gradient w0 = 2, times 0.197, sends 0.39" in text
    assert "    to 'w0': local gradient x0 = -1, times 0.2, sends -0.2" in text  # 2 are enough
    assert len(arithmetic(text)) == text.count(", sends ")
    assert_adds_up(text)


def test_a_local_gradients_formula_has_the_decimals_of_the_local_gradient() -> None:
    text = passed("(a * b) * c", a=1, b=2.004, c=1.004).explain()  # 2 * 1 is not 2.01
    assert "    to 'a': local gradient b = 2.004, times 1.004, sends 2.01" in text
    assert_adds_up(text)


def test_a_fork_sum_whose_rounded_terms_do_not_add_up_gets_more_digits() -> None:
    text = passed("(x + sigmoid(y)) / (sigmoid(x) + (x + y) ** 2)", x=3, y=-4).explain()
    assert "    x: 1.583 - 0.036 + 0.512 = 2.06 (gradients add up at a fork)" in text  # not 2.05
    assert "    y: 1.58 + 0.01 = 1.59 (gradients add up at a fork)" in text
    text = passed("0.004 * x + 0.004 * x", x=1).explain()
    assert "    x: 0.004 + 0.004 = 0.01 (gradients add up at a fork)" in text  # not 0 + 0
    assert_adds_up(text)


def test_what_four_more_digits_cannot_make_add_up_is_said_to_be_rounded() -> None:
    text = passed("(a * b) * c", a=1, b=1e6, c=0.123456789).explain()
    assert "    to 'a': local gradient b = 1000000, times 0.12, sends 123456.79 (rounded)" in text
    assert_adds_up(text)
    # a fork sum needs some 10,000 terms to be off by half a hundredth at 6 decimals
    assert _received([4.5e-6] * 20_000, 0.09, 2).endswith(
        " = 0.09 (rounded; gradients add up at a fork)"
    )


def test_whole_numbers_of_any_size_are_checked_exactly() -> None:
    text = passed("x * y * y", x=10**30 + 1, y=3).explain()
    assert "    to 'x': local gradient y = 3, times 3, sends 9" in text
    assert f"    to 'y': local gradient x = {10**30 + 1}, times 3, sends {3 * 10**30 + 3}" in text
    assert_adds_up(text)


def test_arrays_are_written_with_the_digits_asked_for() -> None:
    ones = np.ones(2)
    g = passed("(a * b) * c", a=ones, b=np.array([2.004, 1.0]), c=np.array([1.004, 1.0]))
    assert "    to 'a': local gradient b = [2, 1], times [1, 1], sends [2.01, 1]" in g.explain()


expressions = st.recursive(
    st.sampled_from(["x", "y", "z", "0.37", "2.5"]),
    lambda inner: (
        st.builds("({} {} {})".format, inner, st.sampled_from(["+", "*", "-", "/"]), inner)
        | st.builds("sigmoid({})".format, inner)
        | st.builds("tanh({})".format, inner)
        | st.builds("exp({})".format, inner)
    ),
    max_leaves=8,
)


@settings(max_examples=60, deadline=None)
@given(
    expressions.filter(lambda text: any(name in text for name in "xyz")),
    st.lists(st.floats(-3, 3), min_size=3, max_size=3),
    st.integers(0, 4),
)
def test_random_graphs_arithmetic_adds_up_as_shown(
    text: str, numbers: list[float], digits: int
) -> None:
    g = ComputationalGraph.from_expression(text)
    feeds = dict(zip("xyz", numbers))
    try:
        g.forward({name: feeds[name] for name in g if g.kind(name) == "input"})
        g.backward()
    except GraphError:  # a division by zero
        assume(False)
    assume(all(np.isfinite(g.value(name)) and np.isfinite(g.grad(name)) for name in g))
    gates = [name for name in g if g.kind(name) == "gate" and g.inputs(name)]
    assume(all(np.isfinite(local_gradients(g, name)).all() for name in gates))
    told = explain(g, digits)
    assert len(arithmetic(told)) == told.count(", sends ") + told.count("add up at a fork")
    assert_adds_up(told, digits)
