import re
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compgraph import (
    ComputationalGraph,
    History,
    NoBackwardPassError,
    NoForwardPassError,
    NonFiniteError,
    datasets,
    nn,
    train,
)
from compgraph.optim import SGD, Adam
from gates import Gate, MSEGate, MulGate, SoftmaxCrossEntropyGate


def moons_classifier(seed=0):
    g = ComputationalGraph()
    net = nn.mlp(g, [2, 16, 16, 2], rng=seed)
    g.add_input("y")
    g.add_gate("loss", SoftmaxCrossEntropyGate(), [net.output, "y"])
    return g, net


def accuracy(g, net, x, y):
    g.forward(net.feeds(x), y=y)
    return np.mean(g.value(net.output).argmax(axis=1) == y)


def test_training_on_moons_reaches_97_percent():
    x, y = datasets.make_moons(200, noise=0.1, rng=0)
    g, net = moons_classifier()
    assert accuracy(g, net, x, y) < 0.9
    history = train(g, {"x": x, "y": y}, Adam(g, lr=0.03), epochs=30, progress=False)
    assert accuracy(g, net, x, y) >= 0.97
    assert isinstance(history, History) and not history.interrupted
    assert len(history) == 30 * 7  # 200 rows in batches of 32: 6 full and one of 8
    assert np.mean(history[-7:]) < np.mean(history[:7]) / 10


def test_moons_are_two_interleaved_half_circles():
    x, y = datasets.make_moons(100, noise=0.0, rng=1)
    upper, lower = x[y == 0], x[y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    noisy, _ = datasets.make_moons(100, noise=0.1, rng=1)
    again, _ = datasets.make_moons(100, noise=0.1, rng=1)
    np.testing.assert_array_equal(noisy, again)
    assert not np.allclose(noisy, x)


def line_fit():
    """loss = mean((x * w - y) ** 2) on y = 3x: one weight to learn."""
    g = ComputationalGraph()
    g.add_input("x")
    g.add_input("y")
    g.add_parameter("w", 0.0)
    g.add_gate("pred", MulGate(), ["x", "w"])
    g.add_gate("loss", MSEGate(), ["pred", "y"])
    x = np.linspace(-1, 1, 10)
    return g, {"x": x, "y": 3 * x}


def test_one_seed_gives_one_history_and_no_shuffle_keeps_the_order():
    runs = []
    for shuffle in (True, True, False):
        g, data = line_fit()
        runs.append(
            train(g, data, SGD(g, lr=0.2), epochs=3, batch_size=4, shuffle=shuffle, progress=False)
        )
    assert runs[0] == runs[1] != runs[2]
    g, data = line_fit()
    first = g.forward(x=data["x"][:4], y=data["y"][:4])
    assert runs[2][0] == pytest.approx(first)


def test_ctrl_c_in_a_callback_keeps_the_parameters_of_the_last_finished_step():
    g, data = line_fit()
    seen = {}

    def callback(step, loss):
        seen[step] = g.value("w")
        if step == 3:
            raise KeyboardInterrupt

    history = train(g, data, SGD(g, lr=0.2), epochs=5, batch_size=4, callback=callback)
    assert history.interrupted and len(history) == 3
    assert g.value("w") == seen[3] != seen[2]


class InterruptedBackward(Gate):
    """Passes its input through; Ctrl-C arrives during the backward pass number ``at``."""

    def __init__(self, at):
        self.at, self.calls = at, 0

    def forward(self, x):
        return x

    def backward(self, dz):
        self.calls += 1
        if self.calls == self.at:
            raise KeyboardInterrupt
        return [dz]


def test_ctrl_c_during_a_backward_pass_leaves_the_parameters_of_the_step_before():
    g, data = line_fit()
    g.add_gate("watched", InterruptedBackward(at=4), ["loss"])
    seen = {}
    history = train(
        g,
        data,
        SGD(g, lr=0.2, momentum=0.5),
        epochs=5,
        batch_size=4,
        callback=lambda step, loss: seen.setdefault(step, g.value("w")),
        progress=False,
    )
    assert history.interrupted and len(history) == 3
    assert g.value("w") == seen[3]


def test_the_progress_bar_shows_the_loss(capsys):
    g, data = line_fit()
    train(g, data, SGD(g, lr=0.2), epochs=2, batch_size=5)
    err = capsys.readouterr().err
    assert "training" in err and "4/4" in err and "loss=" in err


def test_quiet_training_prints_nothing(capsys):
    g, data = line_fit()
    train(g, data, SGD(g, lr=0.2), epochs=2, progress=False)
    assert capsys.readouterr() == ("", "")


def test_without_tqdm_training_goes_on_after_a_warning(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm now raises ImportError
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    g, data = line_fit()
    with pytest.warns(UserWarning, match="no progress bar, tqdm is not installed"):
        history = train(g, data, SGD(g, lr=0.2), epochs=2, batch_size=5)
    assert len(history) == 4 and capsys.readouterr().err == ""


def test_the_bar_is_tqdm_auto_a_widget_in_a_notebook(monkeypatch):
    import tqdm.auto

    made = []

    class Bar:
        def __init__(self, **settings):
            made.append(settings)

        def __getattr__(self, name):
            return lambda *args, **kwargs: None

    monkeypatch.setattr(tqdm.auto, "tqdm", Bar)
    g, data = line_fit()
    train(g, data, SGD(g, lr=0.2), epochs=2, batch_size=5)
    assert made == [{"total": 4, "unit": "step", "desc": "training"}]


def test_bad_training_settings_are_refused_before_any_step():
    g, data = line_fit()
    opt = SGD(g, lr=0.1)
    with pytest.raises(ValueError, match="same number of rows"):
        train(g, {"x": data["x"], "y": data["y"][:5]}, opt, progress=False)
    with pytest.raises(ValueError, match="batch_size must be 1 or more"):
        train(g, data, opt, batch_size=0, progress=False)
    assert opt.steps == 0 and g.value("w") == 0.0


def test_an_output_that_is_not_a_number_is_refused():
    g = ComputationalGraph()
    g.add_input("x")
    g.add_parameter("w", 1.0)
    g.add_gate("y", MulGate(), ["x", "w"])
    with pytest.raises(ValueError, match=r"the output 'y' must be the loss, a single number"):
        train(g, {"x": np.ones(4)}, SGD(g), progress=False)
    assert g.value("w") == 1.0


def test_after_ctrl_c_the_graph_holds_no_half_pass():
    g, data = line_fit()
    g.add_gate("watched", InterruptedBackward(at=4), ["loss"])
    history = train(g, data, SGD(g, lr=0.2), epochs=5, batch_size=4, progress=False)
    assert history.interrupted
    with pytest.raises(NoForwardPassError, match="did not finish"):
        g.backward()
    with pytest.raises(NoBackwardPassError):
        g.grad("w")


def test_a_loss_that_stops_being_finite_stops_training_with_the_last_finite_parameters():
    g, data = line_fit()
    seen = []
    with (
        pytest.raises(
            NonFiniteError,
            match=r"train: the loss 'loss' became (inf|nan) at step (\d+) \(epoch \d+\)",
        ) as err,
        np.errstate(all="ignore"),  # numpy's overflow warnings: the loss tells
    ):
        train(
            g,
            data,
            SGD(g, lr=1e3),  # diverges
            epochs=100,
            batch_size=5,
            shuffle=False,
            callback=lambda step, loss: seen.append(g.value("w")),
            progress=False,
        )
    step = int(re.search(r"at step (\d+)", str(err.value)).group(1))
    assert step == len(seen) + 1
    assert np.isfinite(g.value("w")) and g.value("w") == seen[-1]


def test_an_optimizer_of_another_graph_is_refused():
    g, data = line_fit()
    other, _ = line_fit()
    with pytest.raises(ValueError, match="the SGD was made for another graph"):
        train(g, data, SGD(other, lr=0.1), progress=False)


class Interrupting(Gate):
    """Passes its input through; ``error`` arrives in ``method`` at its call number ``at``."""

    def __init__(self, error, method, at):
        self.error, self.method, self.at, self.calls = error, method, at, 0

    def forward(self, x):
        if self.method == "forward":
            self.calls += 1
            if self.calls == self.at:
                raise self.error
        return x

    def backward(self, dz):
        if self.method == "backward":
            self.calls += 1
            if self.calls == self.at:
                raise self.error
        return [dz]


@settings(max_examples=30, deadline=None)
@given(
    error=st.sampled_from([KeyboardInterrupt, SystemExit]),
    method=st.sampled_from(["forward", "backward"]),
    at=st.integers(1, 9),
)
def test_stopped_anywhere_in_training_the_parameters_are_those_of_a_finished_step(
    error, method, at
):
    g, data = line_fit()
    g.add_gate("watched", Interrupting(error, method, at), ["loss"])
    finished = [g.value("w")]
    try:
        history = train(
            g,
            data,
            SGD(g, lr=0.2, momentum=0.5),
            epochs=3,
            batch_size=4,
            callback=lambda step, loss: finished.append(g.value("w")),
            progress=False,
        )
    except SystemExit:
        assert error is SystemExit
    else:
        assert error is KeyboardInterrupt and history.interrupted
    assert len(finished) == at  # steps 1 .. at - 1 finished, and the start
    assert g.value("w") == finished[-1]
    with pytest.raises((NoForwardPassError, NoBackwardPassError)):
        g.grad("w")
