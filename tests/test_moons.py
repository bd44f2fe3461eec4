"""compgraph.moons: the two-moons network trained, measured and plotted."""

from __future__ import annotations

import numpy as np
import pytest

from compgraph.moons import train_moons


@pytest.fixture(scope="module")
def small():
    return train_moons(hidden=[4], epochs=2, seed=3, progress=False)


def test_a_small_run_has_its_numbers(small):
    assert small.sizes == [2, 4, 2]
    assert small.x.shape == (200, 2) and sorted(set(small.y.tolist())) == [0, 1]
    assert len(small.history) == 14  # 2 epochs of 7 batches of at most 32
    assert not small.history.interrupted
    assert small.loss == pytest.approx(0.5852932149856692, rel=1e-9)
    assert small.accuracy == 0.725
    assert str(small).splitlines()[1] == "training accuracy: 72.5%"
    assert str(small).startswith("trained a 2-4-2 MLP on 200 moons points: 14 steps in ")


def test_predict_gives_the_classes_accuracy_counts(small):
    classes = small.predict(small.x)
    assert classes.shape == (200,)
    assert float(np.mean(classes == small.y)) == small.accuracy


def test_the_default_network_learns_the_moons():
    run = train_moons(epochs=30, lr=0.03, progress=False)
    assert run.sizes == [2, 16, 16, 2]
    assert len(run.history) == 210
    assert run.accuracy == 1.0
    assert run.history[-1] < run.history[0] / 10


def test_write_plots(small, tmp_path):
    paths = small.write_plots(tmp_path)
    assert paths == (tmp_path / "moons_loss.png", tmp_path / "moons_boundary.png")
    for path in paths:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("options", "message"),
    [({"samples": 1}, "needs at least 2 samples"), ({"batch_size": 0}, "batch_size must be 1")],
)
def test_bad_options_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        train_moons(progress=False, **options)
