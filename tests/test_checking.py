"""compgraph.checking: one CheckOptions for every checking function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from compgraph import (
    CheckOptions,
    ComputationalGraph,
    GradcheckError,
    check_gate,
    gate_report,
    gradcheck,
    gradcheck_report,
)
from compgraph.testing import assert_gate_correct, assert_gradients_correct
from gates import Gate, MulGate


class SlightlyOffGate(Gate):
    """Doubles; its backward is off by 5e-4 relative."""

    def forward(self, x: Any) -> Any:
        return 2 * x

    def backward(self, dz: Any) -> list[Any]:
        return [2.001 * dz]


def graph_of(gate: Gate) -> ComputationalGraph:
    g = ComputationalGraph()
    g.add_input("x")
    g.add_gate("f", gate, ["x"])
    return g


#: Each checking function, called on SlightlyOffGate at x = 1 with the options given.
CHECKS: dict[str, Callable[..., Any]] = {
    "check_gate": lambda **kw: check_gate(SlightlyOffGate(), 1.0, **kw),
    "gate_report": lambda **kw: gate_report(SlightlyOffGate(), 1.0, **kw),
    "assert_gate_correct": lambda **kw: assert_gate_correct(SlightlyOffGate(), 1.0, **kw),
    "gradcheck": lambda **kw: gradcheck(graph_of(SlightlyOffGate()), {"x": 1.0}, **kw),
    "gradcheck_report": lambda **kw: gradcheck_report(
        graph_of(SlightlyOffGate()), {"x": 1.0}, **kw
    ),
    "assert_gradients_correct": lambda **kw: assert_gradients_correct(
        graph_of(SlightlyOffGate()), {"x": 1.0}, **kw
    ),
}


def passes(function: str, **kw: Any) -> bool:
    try:
        result = CHECKS[function](**kw)
    except (GradcheckError, AssertionError):
        return False
    return bool(getattr(result, "ok", True))


def test_the_defaults() -> None:
    assert CheckOptions() == CheckOptions(step=1e-6, rtol=1e-3, atol=1e-5, trials=3, seed=0)


@pytest.mark.parametrize("function", CHECKS)
def test_every_checking_function_takes_the_options_and_their_keywords(function: str) -> None:
    strict = CheckOptions(rtol=1e-4, atol=0.0, trials=1)
    assert passes(function)  # 5e-4 relative is within the default rtol of 1e-3
    assert not passes(function, options=strict)
    assert not passes(function, rtol=1e-4, atol=0.0)
    assert passes(function, options=strict, rtol=1e-3)  # a keyword replaces a field


@pytest.mark.parametrize("function", CHECKS)
def test_an_unknown_keyword_names_the_function_and_the_keyword(function: str) -> None:
    with pytest.raises(
        TypeError,
        match=(
            rf"^{function}\(\) got an unexpected keyword argument 'tol' "
            r"\(the check options are step, rtol, atol, trials and seed\)$"
        ),
    ):
        CHECKS[function](tol=1e-2)


@pytest.mark.parametrize("function", CHECKS)
def test_options_must_be_check_options(function: str) -> None:
    with pytest.raises(TypeError, match=rf"^{function}: options must be a CheckOptions, got"):
        CHECKS[function](options={"rtol": 1e-2})


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        ({"step": 0}, "step must be positive, got 0"),
        ({"step": float("nan")}, "step must be positive, got nan"),
        ({"rtol": -1e-3}, "rtol must be 0 or more, got -0.001"),
        ({"atol": -1}, "atol must be 0 or more, got -1"),
        ({"trials": -1}, "trials must be an integer 0 or more, got -1"),
        ({"trials": 1.5}, "trials must be an integer 0 or more, got 1.5"),
        ({"trials": True}, "trials must be an integer 0 or more, got True"),
        ({"seed": "0"}, "seed must be an integer, got '0'"),
    ],
)
def test_options_out_of_range_are_refused(settings: dict[str, Any], says: str) -> None:
    with pytest.raises(ValueError, match=f"^{says}$"):
        CheckOptions(**settings)
    with pytest.raises(ValueError, match=f"^{says}$"):
        check_gate(MulGate(), 1.0, 2.0, **settings)


def test_the_seed_and_trials_decide_the_random_points() -> None:
    rows = gate_report(MulGate(), 3.0, -4.0, options=CheckOptions(trials=2, seed=5)).rows
    assert [row.node for row in rows] == ["example"] * 2 + ["random 1"] * 2 + ["random 2"] * 2
    same = gate_report(MulGate(), 3.0, -4.0, trials=2, seed=5).rows
    other = gate_report(MulGate(), 3.0, -4.0, trials=2, seed=6).rows
    assert same == rows and other != rows


def test_random_points_keep_each_elements_sign_and_stay_finite() -> None:
    import numpy as np

    from compgraph.checking import random_like

    rng = np.random.default_rng(0)
    edges = np.array([1.7e308, -1.7e308, 5e-324, -5e-324, 1e-300, 0.0])
    for _ in range(20):
        point = random_like(edges, rng)
        assert np.all(np.isfinite(point))
        assert np.all(np.sign(point[:5]) == np.sign(edges[:5]))
        assert point[5] != 0
