import numpy as np
import pytest

from compgraph import ComputationalGraph, NoBackwardPassError, NodeKindError
from compgraph.optim import SGD, Adam
from gates import MatMulGate, MSEGate, MulGate


def quadratic_graph():
    """loss = mean((x @ w - y) ** 2) with a vector parameter w and a number parameter s."""
    g = ComputationalGraph()
    g.add_input("x")
    g.add_input("y")
    g.add_parameter("w", np.array([0.5, -1.0]))
    g.add_parameter("s", 2.0)
    g.add_gate("xw", MatMulGate(), ["x", "w"])
    g.add_gate("pred", MulGate(), ["xw", "s"])
    g.add_gate("loss", MSEGate(), ["pred", "y"])
    return g


FEEDS = {"x": np.array([[1.0, 2.0], [3.0, -1.0]]), "y": np.array([1.0, 0.0])}


def run(g, opt, steps):
    grads = []
    for _ in range(steps):
        g.forward(FEEDS)
        g.backward()
        grads.append({name: np.copy(g.grad(name)) for name in ("w", "s")})
        opt.step()
    return grads


def test_parameters_are_names_and_values_in_evaluation_order():
    g = quadratic_graph()
    params = g.parameters()
    assert list(params) == ["w", "s"]
    np.testing.assert_array_equal(params["w"], [0.5, -1.0])
    g.set_value("s", 3.0)
    assert g.parameters()["s"] == 3.0


def test_sgd_takes_the_hand_computed_step():
    g = quadratic_graph()
    (grads,) = run(g, SGD(g, lr=0.1), 1)
    np.testing.assert_allclose(g.value("w"), np.array([0.5, -1.0]) - 0.1 * grads["w"])
    assert g.value("s") == pytest.approx(2.0 - 0.1 * grads["s"])
    assert type(g.value("s")) is float


def test_sgd_with_momentum_keeps_a_velocity():
    g = quadratic_graph()
    grads = run(g, SGD(g, lr=0.1, momentum=0.9), 3)
    w, v = np.array([0.5, -1.0]), 0.0
    for step in grads:
        v = step["w"] if np.ndim(v) == 0 else 0.9 * v + step["w"]
        w = w - 0.1 * v
    np.testing.assert_allclose(g.value("w"), w)


def test_adam_takes_the_hand_computed_steps():
    g = quadratic_graph()
    grads = run(g, Adam(g, lr=0.01, betas=(0.8, 0.9), eps=1e-6), 3)
    s, m, v = 2.0, 0.0, 0.0
    for t, step in enumerate(grads, start=1):
        m = 0.8 * m + 0.2 * step["s"]
        v = 0.9 * v + 0.1 * step["s"] ** 2
        s -= 0.01 * (m / (1 - 0.8**t)) / (np.sqrt(v / (1 - 0.9**t)) + 1e-6)
    assert g.value("s") == pytest.approx(s, rel=1e-12)


def test_adams_first_step_is_the_learning_rate_against_each_gradients_sign():
    g = quadratic_graph()
    (grads,) = run(g, Adam(g, lr=0.05), 1)
    np.testing.assert_allclose(
        g.value("w"), np.array([0.5, -1.0]) - 0.05 * np.sign(grads["w"]), rtol=1e-6
    )


@pytest.mark.parametrize("make", [lambda g: SGD(g, lr=0.1, momentum=0.5), lambda g: Adam(g)])
def test_optimizers_keep_float32(make):
    g = ComputationalGraph()
    g.add_input("x")
    g.add_input("y")
    g.add_parameter("w", np.ones((2, 1), np.float32))
    g.add_gate("xw", MatMulGate(), ["x", "w"])
    g.add_gate("loss", MSEGate(), ["xw", "y"])
    opt = make(g)
    for _ in range(2):
        g.forward(x=np.ones((3, 2), np.float32), y=np.zeros((3, 1), np.float32))
        g.backward()
        opt.step()
    assert g.value("w").dtype == np.float32


def test_only_the_named_parameters_move():
    g = quadratic_graph()
    run(g, SGD(g, lr=0.1, params=["s"]), 1)
    np.testing.assert_array_equal(g.value("w"), [0.5, -1.0])
    assert g.value("s") != 2.0


def test_a_step_without_backward_is_refused():
    g = quadratic_graph()
    opt = SGD(g)
    g.forward(FEEDS)
    with pytest.raises(NoBackwardPassError):
        opt.step()
    assert opt.steps == 0


def test_bad_optimizer_settings_are_refused():
    g = quadratic_graph()
    with pytest.raises(NodeKindError, match="SGD: 'x' is an input, not a parameter"):
        SGD(g, params=["x"])
    with pytest.raises(ValueError, match="learning rate must be positive"):
        SGD(g, lr=0)
    for lr in (float("inf"), float("nan"), -0.1):
        with pytest.raises(ValueError, match=f"must be positive and finite, got {lr}"):
            Adam(g, lr=lr)
    for lr in ("0.1", None, True):
        with pytest.raises(
            TypeError, match=f"SGD: the learning rate must be a number, got .*{lr!r}"
        ):
            SGD(g, lr=lr)
    opt = SGD(g, lr=0.1)
    with pytest.raises(ValueError, match="positive and finite"):
        opt.lr = float("inf")  # a schedule's bad value too
    assert opt.lr == 0.1
    with pytest.raises(ValueError, match="momentum must be in"):
        SGD(g, momentum=1.0)
    with pytest.raises(ValueError, match="no parameters"):
        Adam(ComputationalGraph())


def test_an_interrupted_write_puts_every_value_back():
    g = quadratic_graph()
    opt = SGD(g, lr=0.1, momentum=0.9)
    g.forward(FEEDS)
    g.backward()
    real_set_value, calls = g.set_value, []

    def interrupted_second_write(name, value):
        calls.append(name)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real_set_value(name, value)

    g.set_value = interrupted_second_write
    with pytest.raises(KeyboardInterrupt):
        opt.step()
    del g.set_value
    np.testing.assert_array_equal(g.value("w"), [0.5, -1.0])
    assert g.value("s") == 2.0
    assert opt.steps == 0
    with pytest.raises(NoBackwardPassError, match="set_value changed the parameter"):
        opt.step()  # the pass was of the old values: no step from its gradients
    g.forward(FEEDS)
    grad_s = g.backward()["s"]
    opt.step()  # the velocity was not half-updated either: this is a first step
    assert g.value("s") == pytest.approx(2.0 - 0.1 * grad_s)
