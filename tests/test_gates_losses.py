"""SoftmaxCrossEntropyGate, MSEGate and HingeGate (in gates/losses.py): values,
extremes, kinks and refusals (their gradients are checked in tests/test_gate_table.py)."""

import math
import warnings

import numpy as np
import pytest

from compgraph import ComputationalGraph, GateExecutionError
from gates import HingeGate, MSEGate, SoftmaxCrossEntropyGate

RNG = np.random.default_rng(11)


def softmax_cross_entropy_by_hand(logits, labels):
    logits = np.asarray(logits, dtype=np.float64).reshape(-1, np.shape(logits)[-1])
    labels = np.asarray(labels).reshape(-1)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return -np.mean(np.log(probs[np.arange(len(labels)), labels]))


@pytest.mark.parametrize(
    ("logits_shape", "labels"),
    [((5, 3), [0, 2, 1, 1, 0]), ((3,), 2), ((2, 4, 3), [[0, 1, 2, 0], [2, 2, 1, 0]])],
)
def test_softmax_cross_entropy_value_and_no_gradient_for_the_labels(logits_shape, labels):
    logits, labels = RNG.standard_normal(logits_shape), np.asarray(labels)
    gate = SoftmaxCrossEntropyGate()
    assert gate.forward(logits, labels) == pytest.approx(
        softmax_cross_entropy_by_hand(logits, labels)
    )
    dlogits, dlabels = gate.backward(1.0)
    assert dlogits.shape == logits.shape
    np.testing.assert_array_equal(dlabels, np.zeros(labels.shape))


def test_softmax_cross_entropy_of_equal_logits_is_log_of_the_classes():
    gate = SoftmaxCrossEntropyGate()
    assert gate.forward(np.zeros((4, 10)), np.arange(4)) == pytest.approx(math.log(10))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_softmax_cross_entropy_at_extreme_logits_is_finite_without_warning(dtype):
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [3e38, -3e38, 0.0]], dtype=dtype)
    gate = SoftmaxCrossEntropyGate()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = gate.forward(logits, np.array([1, 2, 0]))
        dlogits, _ = gate.backward(1.0)
    # Row 1 misses by 2e4, row 2 is a three-way tie, row 3 is right by a wide margin.
    assert loss == pytest.approx((2e4 + math.log(3)) / 3)
    assert np.all(np.isfinite(dlogits))
    assert dlogits.dtype == dtype
    np.testing.assert_allclose(
        dlogits, np.array([[1, -1, 0], [1 / 3, 1 / 3, -2 / 3], [0, 0, 0]]) / 3, atol=1e-7
    )


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (np.array([0.0, 1.0]), "the labels must be integers of shape"),
        (np.array([0, 1, 1]), r"the labels must be integers of shape \(2,\)"),
        (np.array([0, 3]), r"labels must lie in 0 \.\. 2, got 0 \.\. 3"),
        (np.array([-1, 0]), "labels must lie in 0 .. 2"),
    ],
)
def test_softmax_cross_entropy_refuses_bad_labels(labels, message):
    with pytest.raises(ValueError, match=message):
        SoftmaxCrossEntropyGate().forward(np.zeros((2, 3)), labels)


def test_softmax_cross_entropy_in_a_graph_with_labels_fed_per_batch():
    g = ComputationalGraph()
    g.add_input("logits")
    g.add_input("labels")
    g.add_gate("loss", SoftmaxCrossEntropyGate(), ["logits", "labels"])
    logits = RNG.standard_normal((4, 3))
    for labels in (np.array([0, 1, 2, 0]), np.array([2, 2, 2, 2])):
        assert g.forward(logits=logits, labels=labels) == pytest.approx(
            softmax_cross_entropy_by_hand(logits, labels)
        )
        assert g.backward()["logits"].shape == (4, 3)
    with pytest.raises(GateExecutionError, match="node 'loss'"):
        g.forward(logits=logits, labels=np.array([0, 1]))


@pytest.mark.parametrize(
    ("prediction_shape", "target_shape"), [((), ()), ((4,), (4,)), ((3, 2), (2,)), ((3, 2), ())]
)
def test_mse_value(prediction_shape, target_shape):
    def draw(shape):
        return RNG.standard_normal(shape) if shape else float(RNG.standard_normal())

    prediction, target = draw(prediction_shape), draw(target_shape)
    gate = MSEGate()
    assert gate.forward(prediction, target) == pytest.approx(
        np.mean((np.asarray(prediction) - target) ** 2)
    )


def test_mse_refuses_a_target_that_would_broadcast_the_prediction():
    with pytest.raises(ValueError, match=r"target of shape \(4,\) does not fit predictions"):
        MSEGate().forward(np.zeros((4, 1)), np.zeros(4))


@pytest.mark.parametrize("shape", [(6,), (6, 1)])
def test_hinge_value(shape):
    labels = np.where(RNG.standard_normal(shape) > 0, 1.0, -1.0)
    scores = RNG.standard_normal(shape)
    assert HingeGate().forward(scores, labels) == pytest.approx(
        np.mean(np.maximum(0, 1 - labels * scores))
    )


def test_hinge_costs_nothing_past_the_margin_and_nothing_flows_at_the_kink():
    gate = HingeGate()
    assert gate.forward(np.array([2.0, -3.0, 1.0]), np.array([1.0, -1.0, 1.0])) == 0.0
    dscores, dlabels = gate.backward(1.0)
    np.testing.assert_array_equal(dscores, [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(dlabels, [0.0, 0.0, 0.0])


def test_hinge_refuses_labels_that_would_broadcast_the_scores():
    with pytest.raises(ValueError, match=r"labels of shape \(3,\) does not fit"):
        HingeGate().forward(np.zeros((3, 1)), np.ones(3))


# --- Edge cases: empty batches, extreme and non-finite values, complex numbers ---


@pytest.mark.parametrize(
    ("gate", "inputs", "grad_shapes"),
    [
        (MSEGate(), (np.zeros(0), np.zeros(0)), [(0,), (0,)]),
        (HingeGate(), (np.zeros(0), np.zeros(0)), [(0,), (0,)]),
        (SoftmaxCrossEntropyGate(), (np.zeros((0, 3)), np.zeros(0, int)), [(0, 3), (0,)]),
    ],
    ids=["mse", "hinge", "softmax-xent"],
)
def test_an_empty_batch_has_a_nan_loss_and_empty_gradients(gate, inputs, grad_shapes):
    assert math.isnan(gate.forward(*inputs))
    assert [g.shape for g in gate.backward(1.0)] == grad_shapes


def test_softmax_cross_entropy_of_no_classes_is_refused():
    with pytest.raises(ValueError, match=r"the logits of shape \(2, 0\) have no classes"):
        SoftmaxCrossEntropyGate().forward(np.zeros((2, 0)), np.zeros(2, int))


@pytest.mark.parametrize("logits", [[math.inf, 0.0], [math.nan, 0.0], [-math.inf, -math.inf]])
def test_softmax_cross_entropy_of_non_finite_logits_is_nan_with_no_warning(logits):
    gate = SoftmaxCrossEntropyGate()
    assert math.isnan(gate.forward(np.array(logits), 0))
    assert np.isnan(gate.backward(1.0)[0]).any()


def test_softmax_cross_entropy_at_float_limits():
    gate = SoftmaxCrossEntropyGate()
    assert gate.forward(np.array([1e308, -1e308]), 1) == math.inf
    assert gate.forward(np.array([1e308, -1e308]), 0) == 0.0


def test_softmax_cross_entropy_of_integer_logits_is_float64():
    gate = SoftmaxCrossEntropyGate()
    assert gate.forward(np.array([2, 0], np.int8), 0) == pytest.approx(math.log(1 + math.exp(-2)))
    assert gate.backward(1.0)[0].dtype == np.float64


@pytest.mark.parametrize("gate", [MSEGate(), HingeGate()], ids=["mse", "hinge"])
def test_losses_refuse_complex_numbers(gate):
    with pytest.raises(ValueError, match=f"{type(gate).__name__}: got the complex number 1j"):
        gate.forward(1j, 1.0)


def test_mse_of_int8_does_not_wrap_around():
    assert MSEGate().forward(np.array([100], np.int8), np.array([-100], np.int8)) == 40000.0


def test_hinge_with_a_nan_score_is_nan_and_lets_the_gradient_through():
    gate = HingeGate()
    assert math.isnan(gate.forward(np.array([math.nan, 2.0]), np.array([1.0, 1.0])))
    np.testing.assert_array_equal(gate.backward(1.0)[0], [-0.5, 0.0])
