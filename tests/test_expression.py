"""compgraph.expression: expressions to graphs, and what they refuse."""

from __future__ import annotations

import ast
import math
import resource
import subprocess
import sys
import tracemalloc
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compgraph import ComputationalGraph, ExpressionError, GraphError
from compgraph import expression as expr
from compgraph._finite import central_difference
from gates import (
    AddConstantGate,
    AddGate,
    ConstantGate,
    DivGate,
    ExpGate,
    Gate,
    MaxGate,
    MulConstantGate,
    MulGate,
    PowGate,
    ReciprocalGate,
    SigmoidGate,
    SubGate,
)


def structure(g: ComputationalGraph) -> list[tuple[str, Any, list[str]]]:
    """Every node: name, gate class (or kind), inputs."""
    return [
        (name, type(g.gate(name)) if g.kind(name) == "gate" else g.kind(name), g.inputs(name))
        for name in g
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "(x + y) * z",
            [
                ("x", "input", []),
                ("y", "input", []),
                ("z", "input", []),
                ("x + y", AddGate, ["x", "y"]),
                ("(x + y) * z", MulGate, ["x + y", "z"]),
            ],
        ),
        (  # * binds tighter than +
            "x + y * z",
            [
                ("x", "input", []),
                ("y", "input", []),
                ("z", "input", []),
                ("y * z", MulGate, ["y", "z"]),
                ("x + y * z", AddGate, ["x", "y * z"]),
            ],
        ),
        (  # ** binds tighter than unary minus: -(x ** 2)
            "-x ** 2",
            [
                ("x", "input", []),
                ("x ** 2", PowGate, ["x"]),
                ("-x ** 2", MulConstantGate, ["x ** 2"]),
            ],
        ),
        (  # left to right: (x - y) - z
            "x - y - z",
            [
                ("x", "input", []),
                ("y", "input", []),
                ("z", "input", []),
                ("x - y", SubGate, ["x", "y"]),
                ("x - y - z", SubGate, ["x - y", "z"]),
            ],
        ),
        (  # a repeated name is one node: a fork
            "x * x + x",
            [
                ("x", "input", []),
                ("x * x", MulGate, ["x", "x"]),
                ("x * x + x", AddGate, ["x * x", "x"]),
            ],
        ),
        ("1 / x", [("x", "input", []), ("1 / x", ReciprocalGate, ["x"])]),
        ("x + 1", [("x", "input", []), ("x + 1", AddConstantGate, ["x"])]),
        ("1 + x", [("x", "input", []), ("1 + x", AddConstantGate, ["x"])]),
        ("x - 1", [("x", "input", []), ("x - 1", AddConstantGate, ["x"])]),
        ("3 * x", [("x", "input", []), ("3 * x", MulConstantGate, ["x"])]),
        ("x * 3", [("x", "input", []), ("x * 3", MulConstantGate, ["x"])]),
        ("-x", [("x", "input", []), ("-x", MulConstantGate, ["x"])]),
        ("+x", [("x", "input", [])]),
        (
            "2 / x",
            [("x", "input", []), ("2", ConstantGate, []), ("2 / x", DivGate, ["2", "x"])],
        ),
        (
            "max(x, 0) + max(y, 0)",  # one node for the number 0, used twice
            [
                ("x", "input", []),
                ("y", "input", []),
                ("0", ConstantGate, []),
                ("max(x, 0)", MaxGate, ["x", "0"]),
                ("max(y, 0)", MaxGate, ["y", "0"]),
                ("max(x, 0) + max(y, 0)", AddGate, ["max(x, 0)", "max(y, 0)"]),
            ],
        ),
        ("2 + 3", [("2", ConstantGate, []), ("2 + 3", AddConstantGate, ["2"])]),
        ("4", [("4", ConstantGate, [])]),
        ("exp(t)", [("t", "input", []), ("exp(t)", ExpGate, ["t"])]),
    ],
)
def test_structure(text: str, expected: list[tuple[str, Any, list[str]]]) -> None:
    assert structure(ComputationalGraph.from_expression(text)) == expected


@pytest.mark.parametrize(
    ("text", "gate", "attribute", "value"),
    [
        ("x - 1", AddConstantGate, "c", -1),
        ("x - -2.5", AddConstantGate, "c", 2.5),
        ("-2 * x", MulConstantGate, "c", -2),
        ("-x", MulConstantGate, "c", -1),
        ("x ** 3", PowGate, "c", 3),
        ("x ** -0.5", PowGate, "c", -0.5),
        ("1.0 / x", ReciprocalGate, "symbol", "1/x"),
    ],
)
def test_numbers_fold_into_the_gate(text: str, gate: type, attribute: str, value: Any) -> None:
    g = ComputationalGraph.from_expression(text)
    assert isinstance(g.gate(g.output), gate)
    assert getattr(g.gate(g.output), attribute) == value


NAMESPACE = {"exp": math.exp, "max": max, "sigmoid": lambda t: 1 / (1 + math.exp(-t))}


@pytest.mark.parametrize(
    "text",
    [
        "(x + y) * z",
        "x + y * z - x / y",
        "-x ** 2 + y ** -2",
        "x - y - z",
        "x / y / z",
        "1 / (1 + exp(-(x*y + z)))",
        "sigmoid(x * y + z) * x",
        "max(x, y) * max(z, 0.5) - 3",
        "x * x * x - 2 * x + 1 / z",
        "-(-x)",
        "2 * 3 + x",
        "(x + 1) ** 3 / (y + 4)",
    ],
)
def test_values_and_gradients(text: str) -> None:
    """Forward agrees with Python's own arithmetic; backward with finite differences."""
    g = ComputationalGraph.from_expression(text)
    feeds = {"x": 1.3, "y": -0.7, "z": 2.1}
    feeds = {name: value for name, value in feeds.items() if name in g}
    expected = eval(text, dict(NAMESPACE), dict(feeds))  # the test's reference, not the code's
    assert g.forward(feeds) == pytest.approx(expected, rel=1e-12)
    grads = g.backward()
    names = list(feeds)
    for slot, name in enumerate(names):

        def f(*values: float) -> Any:
            return g.forward(dict(zip(names, values)))

        numeric = central_difference(f, [feeds[n] for n in names], slot, 1.0)
        assert grads[name] == pytest.approx(numeric, rel=1e-5, abs=1e-7)


def test_arrays_flow_through_an_expression() -> None:
    g = ComputationalGraph.from_expression("max(x, 0) * 2 + 1")
    value = g.forward(x=np.array([-1.0, 0.5, 2.0]))
    np.testing.assert_allclose(value, [1.0, 2.0, 5.0])
    np.testing.assert_allclose(g.backward()["x"], [0.0, 2.0, 2.0])


def test_the_lecture_neuron() -> None:
    g = ComputationalGraph.from_expression("1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))")
    assert [g.gate(n).symbol for n in g if g.kind(n) == "gate"] == [
        "*",
        "*",
        "+",
        "+",
        "*-1",
        "exp",
        "+1",
        "1/x",
    ]
    assert round(g.forward(w0=2, x0=-1, w1=-3, x1=-2, w2=-3), 2) == 0.73
    grads = g.backward()
    assert [round(grads[n], 2) for n in ["w0", "x0", "w1", "x1", "w2"]] == [
        -0.2,
        0.39,
        -0.39,
        -0.59,
        0.2,
    ]
    assert round(grads["1 + exp(-(w0 * x0 + w1 * x1 + w2))"], 2) == -0.53


def test_long_subexpressions_get_short_names() -> None:
    text = "exp(a + b + c + d + e + f + g + h + i + j + k + l + m + n + o)"
    g = ComputationalGraph.from_expression(text)
    assert all(len(name) <= expr.MAX_NAME for name in g)
    assert g.output == "exp1"
    assert g.inputs("exp1") == ["add3"]  # sums of 13 to 15 terms are too long
    assert "a + b + c" in g


def test_repeated_subexpressions_are_separate_gates() -> None:
    g = ComputationalGraph.from_expression("x * y + x * y")
    assert g.inputs(g.output) == ["x * y", "mul1"]
    assert type(g.gate("mul1")) is MulGate
    g.forward(x=2, y=3)
    assert g.backward()["x"] == 6


def test_generated_names_avoid_the_expressions_own_names() -> None:
    g = ComputationalGraph.from_expression("mul1 * y + mul1 * y")
    assert g.kind("mul1") == "input"
    assert g.inputs(g.output) == ["mul1 * y", "mul2"]


class Square(Gate):
    symbol = "²"

    def forward(self, x: Any) -> Any:
        self.x = x
        return x * x

    def backward(self, dz: Any) -> list[Any]:
        return [2 * self.x * dz]


def test_functions_for_one_call() -> None:
    g = ComputationalGraph.from_expression("square(x) + exp(x)", functions={"square": Square})
    assert type(g.gate("square(x)")) is Square
    g.forward(x=1.5)
    assert g.backward()["x"] == pytest.approx(3 + math.exp(1.5))
    with pytest.raises(ExpressionError, match="unknown function 'square'"):
        ComputationalGraph.from_expression("square(x)")


def test_register(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(expr, "FUNCTIONS", dict(expr.FUNCTIONS))
    expr.register("sq", Square)
    g = ComputationalGraph.from_expression("sq(sq(x))")
    assert g.forward(x=2) == 16
    assert g.backward()["x"] == 32  # 4 x ** 3


@pytest.mark.parametrize(
    ("name", "factory", "error", "match"),
    [
        ("exp", Square, ValueError, "'exp' is a built-in"),
        ("not a name", Square, ValueError, "not a Python identifier"),
        ("sq", 3, GraphError, "3 is not callable"),
    ],
)
def test_register_refuses(name: str, factory: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        expr.register(name, factory)
    assert name not in expr.FUNCTIONS or name == "exp"


@pytest.mark.parametrize(
    ("text", "column", "reason"),
    [
        ("x +", 4, "invalid syntax"),
        ("x + * y", 5, "invalid syntax"),
        ("(x + y", 1, "was never closed"),
        ("", 1, "empty"),
        ("foo(x)", 1, "unknown function 'foo' \\(known: exp, log, max, relu, sigmoid, tanh\\)"),
        ("x + exp(y, z)", 5, "exp\\(\\): ExpGate.forward takes 1 input, got 2"),
        ("max(x)", 1, "max\\(\\): MaxGate.forward takes 2 inputs, got 1"),
        ("exp(x=1)", 5, "no keyword arguments"),
        ("x // 2", 3, "operator is not allowed"),
        ("(x + y) % 2", 9, "operator is not allowed"),
        ("x < y", 1, "comparison"),
        ("'x' * 3", 1, "'x' is not allowed"),
        ("True + x", 1, "True is not allowed"),
        ("2j * x", 1, "complex number"),
        ("not x", 1, "operator not"),
        ("x if y else z", 1, "conditional expression"),
        ("[x, y]", 1, "a list"),
        ("x[0]", 1, "indexing"),
    ],
)
def test_errors_point_at_the_column(text: str, column: int, reason: str) -> None:
    with pytest.raises(ExpressionError, match=f"^column {column}: .*{reason}") as info:
        ComputationalGraph.from_expression(text)
    assert info.value.column == column
    caret_line = str(info.value).splitlines()[2]
    assert caret_line.index("^") - 4 == column - 1


@pytest.mark.parametrize(
    ("text", "column", "reason"),
    [
        ("__import__('os').system('true')", 1, "attribute access"),
        ("__import__('os')", 1, "unknown function '__import__'"),
        ("x.__class__", 1, "attribute access"),
        ("exp.__globals__", 1, "attribute access"),
        ("(lambda: 0)()", 2, "a lambda"),
        ("[x for x in y]", 1, "a comprehension"),
        ("sum(x for x in y)", 1, "unknown function 'sum'"),
        ("exp(*x)", 5, "unpacking"),
        ("open('f')", 1, "unknown function 'open'"),
        ("eval('1')", 1, "unknown function 'eval'"),
        ("(x := 1)", 2, "an assignment"),
        ("f'{x}'", 1, "a string"),
        ("getattr(x, 'y')", 1, "unknown function 'getattr'"),
    ],
)
def test_injection_is_refused(text: str, column: int, reason: str) -> None:
    with pytest.raises(ExpressionError, match=f"^column {column}: .*{reason}"):
        ComputationalGraph.from_expression(text)


def test_error_columns_count_characters() -> None:
    with pytest.raises(ExpressionError, match=r"^column 5: attribute access") as info:
        ComputationalGraph.from_expression("é + é.real")
    assert str(info.value).splitlines()[1:] == ["    é + é.real", "        ^"]


def test_error_on_a_later_line() -> None:
    with pytest.raises(ExpressionError, match=r"^line 2, column 3: attribute access"):
        ComputationalGraph.from_expression("(x +\n  y.z)")


def test_not_a_string() -> None:
    with pytest.raises(GraphError, match="expected a string, got int"):
        ComputationalGraph.from_expression(3)  # type: ignore[arg-type]


def test_deep_nesting_is_an_expression_error() -> None:
    with pytest.raises(ExpressionError, match="nested too deeply"):
        ComputationalGraph.from_expression("-" * 5000 + "x")


def test_subclass() -> None:
    class MyGraph(ComputationalGraph):
        pass

    assert type(MyGraph.from_expression("x + y")) is MyGraph


def test_sigmoid_is_one_gate() -> None:
    g = ComputationalGraph.from_expression("sigmoid(w0*x0 + w1*x1 + w2)")
    assert type(g.gate(g.output)) is SigmoidGate
    assert round(g.forward(w0=2, x0=-1, w1=-3, x1=-2, w2=-3), 2) == 0.73


# ------------------------------------------------------- hostile and huge texts


def test_a_flat_chain_is_not_nesting() -> None:
    terms = [f"x{i}" for i in range(5000)]
    g = ComputationalGraph.from_expression(" + ".join(terms))
    assert g.forward({name: 1 for name in terms}) == 5000
    assert g.backward()["x4999"] == 1
    product = ComputationalGraph.from_expression(" * ".join(["x"] * 3000) + " - 1 / x")
    assert product.forward(x=1.0) == 0.0
    assert product.backward()["x"] == 3001.0


def test_names_of_a_long_chain() -> None:
    g = ComputationalGraph.from_expression(" + ".join(f"x{i}" for i in range(400)))
    assert g.inputs(g.output) == ["add389", "x399"]
    assert "x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9" in g


@pytest.mark.parametrize(
    "text",
    [
        "(" * 101 + "x" + ")" * 101,
        "-" * 101 + "x",
        "exp(" * 101 + "x" + ")" * 101,
        "-" * 5000 + "x",
    ],
)
def test_nesting_is_limited_by_depth(text: str) -> None:
    with pytest.raises(ExpressionError, match=r"nested too deeply: more than 100 levels"):
        ComputationalGraph.from_expression(text)


def test_nesting_within_the_limit() -> None:
    g = ComputationalGraph.from_expression("(" * 99 + "x + 1" + ")" * 99)
    assert g.forward(x=1) == 2


def test_a_text_too_long_is_refused_before_it_is_read() -> None:
    text = "x + " * 2_500_000 + "x"  # 10 MB
    tracemalloc.start()
    try:
        with pytest.raises(
            ExpressionError, match=r"^column 1: the expression is 10000001 characters long"
        ):
            ComputationalGraph.from_expression(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100_000
    with pytest.raises(ExpressionError, match=r"the most is 100000"):
        ComputationalGraph.from_expression("x" * (expr.MAX_LENGTH + 1))


def test_the_longest_text_builds_in_bounded_time_and_memory() -> None:
    script = (
        "from compgraph import ComputationalGraph\n"
        "from compgraph.expression import MAX_LENGTH\n"
        "text = '(' + ' + '.join(['exp(x*y - 2)'] * (MAX_LENGTH // 16)) + ') * z'\n"
        "assert len(text) <= MAX_LENGTH, len(text)\n"
        "g = ComputationalGraph.from_expression(text)\n"
        "print(len(g), g.output)\n"
    )

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=30,
        preexec_fn=limit_memory,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["25003", "mul6250"]


def test_names_are_read_as_python_reads_them() -> None:
    g = ComputationalGraph.from_expression("\uff58 * \u210c + x")  # full-width x, and a letter H
    assert [name for name in g if g.kind(name) == "input"] == ["x", "H"]
    assert g.output == "x * H + x"


@pytest.mark.parametrize(
    "text",
    [
        "(x + y) * z",
        "z * (x + y)",
        "-(x)",
        "-x ** -2 ** y",
        "f((x), g(y, 2,))",
        "(f)(x) * 1.5e3 - 0x1f / 1_000",
        "(x +\n  y) \\\n * z  # a comment",
        "\uff58 + é * 2j",
        "((x)) // 3 % 2 @ y",
    ],
)
def test_the_parser_reads_as_python_does(text: str) -> None:
    ours = expr._parse(text)
    python = ast.parse(text, mode="eval").body
    assert ast.dump(ours, include_attributes=True) == ast.dump(python, include_attributes=True)


_ATOMS = st.sampled_from(["x", "y2", "é", "\uff58", "0", "2", "1.5", "1e3", "0x1f", "2j"])
_OPERATORS = st.sampled_from(["+", "-", "*", "/", "**", "%", " + ", "*-"])


def _grow(inner: Any) -> Any:
    return st.one_of(
        st.tuples(inner, _OPERATORS, inner).map("".join),
        st.tuples(st.sampled_from(["-", "+", "~", "- "]), inner).map("".join),
        inner.map(lambda text: f"({text})"),
        st.lists(inner, min_size=1, max_size=3).map(lambda args: f"f({', '.join(args)})"),
    )


@settings(max_examples=300, deadline=None)
@given(st.recursive(_ATOMS, _grow, max_leaves=12))
def test_the_parser_reads_any_expression_as_python_does(text: str) -> None:
    python = ast.parse(text, mode="eval").body
    ours = expr._parse(text)
    assert ast.dump(ours, include_attributes=True) == ast.dump(python, include_attributes=True)


def test_what_a_long_chain_holds_besides_is_refused_where_it_is() -> None:
    text = "x + " * 4000 + "y.z"
    with pytest.raises(ExpressionError, match=r"^column 16002: cannot read this: an expression"):
        ComputationalGraph.from_expression(text)
    with pytest.raises(ExpressionError, match=r"^column 16003: this operator is not allowed"):
        ComputationalGraph.from_expression(text.replace(".", " // "))


def test_a_power_of_two_nodes_is_a_power_gate():
    g = ComputationalGraph.from_expression("x ** y")
    assert type(g.gate(g.output)).__name__ == "PowerGate"
    assert g.forward(x=2.0, y=3.0) == 8.0
    grads = g.backward()
    assert grads["x"] == 12.0 and grads["y"] == pytest.approx(8.0 * math.log(2.0))
    two = ComputationalGraph.from_expression("2 ** x")  # a number base is a constant node
    assert two.forward(x=3.0) == 8.0 and two.backward()["x"] == pytest.approx(8.0 * math.log(2.0))


# ------------------------------------------------------- statements naming nodes


def test_statements_name_the_intermediates_as_the_lectures_do() -> None:
    g = ComputationalGraph.from_expression("q = x + y; f = q * z")
    assert structure(g) == [
        ("x", "input", []),
        ("y", "input", []),
        ("z", "input", []),
        ("q", AddGate, ["x", "y"]),
        ("f", MulGate, ["q", "z"]),
    ]
    assert g.output == "f"
    assert g.forward(x=-2, y=5, z=-4) == -12
    assert g.backward() == {"x": -4, "y": -4, "z": 3, "q": -4, "f": 1}


def test_the_lectures_j_written_in_statements_gives_their_numbers() -> None:
    g = ComputationalGraph.from_expression("u = b * c; v = a + u; J = 3 * v")
    assert structure(g) == [
        ("b", "input", []),
        ("c", "input", []),
        ("a", "input", []),
        ("u", MulGate, ["b", "c"]),
        ("v", AddGate, ["a", "u"]),
        ("J", MulConstantGate, ["v"]),
    ]
    assert g.forward(a=5, b=4, c=2) == 39
    assert (g.value("u"), g.value("v")) == (8, 13)
    grads = g.backward()
    assert (grads["a"], grads["b"], grads["c"], grads["u"], grads["v"]) == (3, 6, 12, 3, 3)


@pytest.mark.parametrize(
    "text",
    [
        "q = x + y\nf = q * z",
        "q = x + y\n\nf = q * z\n",
        "q = x + y;\nf = q * z;",
        "q = x + y  # the sum\nf = q * z",
        "q = (x +\n     y); f = q * z",
    ],
)
def test_statements_one_a_line_or_separated(text: str) -> None:
    g = ComputationalGraph.from_expression(text)
    assert list(g) == ["x", "y", "z", "q", "f"]
    assert g.forward(x=-2, y=5, z=-4) == -12


def test_the_last_statement_may_be_a_bare_expression_and_inner_nodes_keep_their_text() -> None:
    g = ComputationalGraph.from_expression("s = w0*x0 + w1*x1 + w2; 1 / (1 + exp(-s))")
    assert list(g)[5:] == [
        "w0 * x0",
        "w1 * x1",
        "w0 * x0 + w1 * x1",
        "s",
        "-s",
        "exp(-s)",
        "1 + exp(-s)",
        "1 / (1 + exp(-s))",
    ]
    assert round(g.forward(w0=2, x0=-1, w1=-3, x1=-2, w2=-3), 2) == 0.73
    grads = g.backward()
    assert [round(grads[n], 2) for n in ["w0", "x0", "w1", "x1", "w2"]] == [
        -0.2,
        0.39,
        -0.39,
        -0.59,
        0.2,
    ]


def test_a_statement_of_a_number_is_a_constant_node_of_that_name() -> None:
    g = ComputationalGraph.from_expression("c = -3; f = c * x")
    assert structure(g) == [("x", "input", []), ("c", ConstantGate, []), ("f", MulGate, ["c", "x"])]
    assert g.forward(x=5) == -15
    assert g.backward()["c"] == 5


def test_the_new_functions_tanh_relu_and_log() -> None:
    g = ComputationalGraph.from_expression("h = tanh(x); r = relu(h - 0.5); f = log(r + 1)")
    assert [type(g.gate(n)).__name__ for n in ("h", "r", "f")] == [
        "TanhGate",
        "ReLUGate",
        "LogGate",
    ]
    x = 1.2
    assert g.forward(x=x) == pytest.approx(math.log(max(math.tanh(x) - 0.5, 0) + 1))
    numeric = central_difference(lambda v: g.forward(x=v), [x], 0, 1.0)
    g.forward(x=x)
    assert g.backward()["x"] == pytest.approx(numeric, rel=1e-6)


@pytest.mark.parametrize(
    ("text", "column", "reason"),
    [
        ("q = x + y; q = q * z", 12, "'q' is assigned twice \\(first at column 1\\)"),
        (
            "f = q * z; q = x + y",
            12,
            "'q' is used before this assignment \\(at column 5\\), so it is an input there",
        ),
        ("x = x + 1; f = x * 2", 1, "'x' is used before this assignment \\(at column 5\\)"),
        ("x + y; f = 2 * x", 1, "only the last statement may be a bare expression"),
        ("q = x + y; f = x * z", 1, "'q' is assigned but never used"),
        ("u = x; f = u * 2", 1, "'u = x' only gives 'x' another name"),
        ("exp = x + 1; f = exp * 2", 1, "'exp' names a function"),
        (";;", 1, "there is no statement"),
        ("import os", 1, "a statement such as import is not allowed"),
        ("q = x.y; f = q * 2", 5, "attribute access is not allowed"),
        ("x += 1", 1, "an augmented assignment is not allowed"),
        ("a = b = c", 1, "one name per assignment"),
        ("q[0] = x", 1, "only a name can be assigned"),
        ("q = x +; f = q", 8, "invalid syntax"),
    ],
)
def test_statements_are_refused_clearly_where_they_go_wrong(
    text: str, column: int, reason: str
) -> None:
    with pytest.raises(ExpressionError, match=f"^column {column}: {reason}"):
        ComputationalGraph.from_expression(text)


def test_a_refusal_on_a_later_line_names_the_line() -> None:
    with pytest.raises(
        ExpressionError,
        match=r"^line 2, column 1: 'q' is assigned twice \(first at line 1, column 1\)",
    ):
        ComputationalGraph.from_expression("q = x + y\nq = q * z")


def test_the_limits_hold_for_each_statement_and_the_whole_text() -> None:
    deep = "(" * (expr.MAX_DEPTH + 1) + "x" + ")" * (expr.MAX_DEPTH + 1)
    with pytest.raises(ExpressionError, match="nested too deeply"):
        ComputationalGraph.from_expression(f"q = y * 2; f = q * {deep}")
    with pytest.raises(ExpressionError, match="characters long"):
        ComputationalGraph.from_expression("q = x + 1; " * (expr.MAX_LENGTH // 11 + 1) + "q")
    g = ComputationalGraph.from_expression("\uff51 = x + 1; f = q * 2")  # a full-width q is q
    assert list(g) == ["x", "q", "f"]


def test_a_long_program_of_statements_reads_in_a_loop() -> None:
    lines = ["v0 = x + 1", *[f"v{i} = v{i - 1} * 1" for i in range(1, 3000)]]
    g = ComputationalGraph.from_expression("\n".join(lines))
    assert g.output == "v2999" and len(g) == 3001
    assert g.forward(x=1.0) == 2.0


_LEAVES = st.sampled_from(["a", "b", "c", "2", "0.5"])


@st.composite
def _trees(draw: Any, depth: int = 0) -> Any:
    """An expression tree: a leaf, or (operator or function, operands)."""
    if depth > 0 and (depth >= 4 or draw(st.booleans())):
        return draw(_LEAVES)
    kind = draw(st.sampled_from(["+", "-", "*", "tanh", "sigmoid"]))
    if kind in ("tanh", "sigmoid"):
        return (kind, [draw(_trees(depth + 1))])
    return (kind, [draw(_trees(depth + 1)), draw(_trees(depth + 1))])


def _as_expression(tree: Any) -> str:
    if isinstance(tree, str):
        return tree
    kind, operands = tree
    parts = [_as_expression(operand) for operand in operands]
    return f"{kind}({parts[0]})" if len(parts) == 1 else f"({parts[0]} {kind} {parts[1]})"


def _as_statements(tree: Any) -> str:
    """The same tree, one statement per operation, each naming its node."""
    lines: list[str] = []

    def name(node: Any) -> str:
        if isinstance(node, str):
            return node
        kind, operands = node
        parts = [name(operand) for operand in operands]
        target = f"t{len(lines)}"
        text = f"{kind}({parts[0]})" if len(parts) == 1 else f"{parts[0]} {kind} {parts[1]}"
        lines.append(f"{target} = {text}")
        return target

    name(tree)
    return "; ".join(lines)


@settings(max_examples=150, deadline=None)
@given(_trees(), st.tuples(*[st.floats(-2, 2)] * 3))
def test_statements_compute_what_the_one_expression_does(tree: Any, point: Any) -> None:
    feeds = dict(zip("abc", point))
    whole = ComputationalGraph.from_expression(_as_expression(tree))
    named = ComputationalGraph.from_expression(_as_statements(tree))
    assert sorted(named.input_names()) == sorted(whole.input_names())
    program = _as_statements(tree)
    assert named.output == program.split("; ")[-1].split(" = ")[0]
    used = {name: feeds[name] for name in whole.input_names()}
    assert named.forward(used) == pytest.approx(whole.forward(used))
    grads_named, grads_whole = named.backward(), whole.backward()
    for leaf in used:
        assert grads_named[leaf] == pytest.approx(grads_whole[leaf])
