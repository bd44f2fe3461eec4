import numpy as np
import pytest

from compgraph import ComputationalGraph, DuplicateNodeError, NodeNotFoundError, nn
from compgraph._finite import central_difference
from gates import SoftmaxCrossEntropyGate

RNG = np.random.default_rng(5)
SIZES = [2, 5, 4, 3]


def classifier(flavour, seed=0, activation="tanh"):
    g = ComputationalGraph()
    net = nn.mlp(g, SIZES, flavour=flavour, rng=seed, activation=activation)
    g.add_input("labels")
    g.add_gate("loss", SoftmaxCrossEntropyGate(), [net.output, "labels"])
    return g, net


def scalar_name(vector_name, index):
    return f"{vector_name}[{','.join(map(str, index))}]"


def copy_weights(vector, scalar):
    """Set every scalar parameter to its element of the vector flavour's arrays."""
    for name, value in vector.parameters().items():
        for index in np.ndindex(value.shape):
            scalar.set_value(scalar_name(name, index), float(value[index]))


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_the_two_flavours_give_the_same_loss_and_gradients_on_the_same_weights(activation):
    vector, vnet = classifier("vector", seed=1, activation=activation)
    scalar, snet = classifier("scalar", seed=2, activation=activation)
    copy_weights(vector, scalar)
    x, labels = RNG.standard_normal((8, 2)), RNG.integers(0, 3, 8)
    loss_v = vector.forward(vnet.feeds(x), labels=labels)
    loss_s = scalar.forward(snet.feeds(x), labels=labels)
    assert loss_s == pytest.approx(loss_v, rel=1e-12)
    np.testing.assert_allclose(scalar.value(snet.output), vector.value(vnet.output), rtol=1e-12)
    grads_v, grads_s = vector.backward(), scalar.backward()
    for name in vector.parameters():
        for index in np.ndindex(grads_v[name].shape):
            assert grads_s[scalar_name(name, index)] == pytest.approx(
                grads_v[name][index], rel=1e-9, abs=1e-12
            )
    for i, name in enumerate(snet.inputs):
        np.testing.assert_allclose(grads_s[name], grads_v["x"][:, i], rtol=1e-9, atol=1e-12)


def test_one_seed_gives_the_same_weights_in_both_flavours():
    vector, _ = classifier("vector", seed=3)
    scalar, _ = classifier("scalar", seed=3)
    for name, value in vector.parameters().items():
        for index in np.ndindex(value.shape):
            assert scalar.value(scalar_name(name, index)) == value[index]
    other, _ = classifier("vector", seed=4)
    assert not np.array_equal(other.value("layer1.W"), vector.value("layer1.W"))


def test_vector_mlp_gradients_match_finite_differences():
    g, net = classifier("vector")
    x, labels = RNG.standard_normal((6, 2)), RNG.integers(0, 3, 6)
    g.forward(net.feeds(x), labels=labels)
    grads = g.backward()
    for name, value in g.parameters().items():

        def loss_at(v, name=name):
            g.set_value(name, v)
            return g.forward(net.feeds(x), labels=labels)

        numeric = central_difference(loss_at, [value.copy()], 0, 1.0)
        g.set_value(name, value)
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-5, atol=1e-8)


def test_dense_builds_the_layer_and_knows_the_widths():
    g = ComputationalGraph()
    x = nn.batch_input(g, "x", 3)
    h = nn.dense(g, "h1", x, 4, activation="relu", dtype=np.float32)
    out = nn.dense(g, "out", h, 2)
    assert list(g) == [
        "x", "h1.W", "h1.b", "h1.xW", "h1.z", "h1", "out.W", "out.b", "out.xW", "out",
    ]  # fmt: skip
    assert g.value("h1.W").shape == (3, 4) and g.value("h1.W").dtype == np.float32
    assert g.value("out.W").shape == (4, 2)
    np.testing.assert_array_equal(g.value("h1.b"), np.zeros(4))
    assert g.forward(x=np.ones((5, 3), np.float32)).shape == (5, 2)
    assert out == "out"


def test_weights_are_scaled_for_the_activation():
    relu, _ = nn.init_weights(0, 400, 300, "relu")
    tanh, _ = nn.init_weights(0, 400, 300, "tanh")
    assert relu.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert tanh.std() == pytest.approx(np.sqrt(1 / 400), rel=0.02)


def test_dense_refusals_leave_the_graph_as_it_was():
    g = ComputationalGraph()
    g.add_input("x")
    with pytest.raises(ValueError, match="how many features 'x' has is unknown; pass in_units="):
        nn.dense(g, "h", "x", 4)
    with pytest.raises(NodeNotFoundError, match="dense 'h': input 'z' is not a node"):
        nn.dense(g, "h", "z", 4, in_units=2)
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        nn.dense(g, "h", "x", 4, in_units=2, activation="gelu")
    g.add_input("h.xW")
    with pytest.raises(DuplicateNodeError, match=r"already has a node 'h\.xW'"):
        nn.dense(g, "h", "x", 4, in_units=2)
    g.add_input("h.xW[0,0]")
    with pytest.raises(DuplicateNodeError, match=r"already has a node 'h\.xW\[0,0\]'"):
        nn.dense_scalar(g, "h", ["x"], 1)
    assert list(g) == ["x", "h.xW", "h.xW[0,0]"]
    assert nn.dense(g, "h2", "x", 4, in_units=2) == "h2"


def test_scalar_layer_is_the_lectures_neuron_repeated():
    g = ComputationalGraph()
    xs = nn.scalar_inputs(g, "x", 2)
    outputs = nn.dense_scalar(g, "h", xs, 3, activation="sigmoid")
    assert outputs == ["h[0]", "h[1]", "h[2]"]
    assert g.inputs("h.xW[1,2]") == ["x[1]", "h.W[1,2]"]
    assert g.inputs("h[2]") == ["h.z[2]"]
    kinds = [g.kind(name) for name in g]
    assert kinds.count("parameter") == 3 * 3  # 2 weights and a bias per neuron
    assert kinds.count("gate") == 3 * 4  # 2 multiplies, 1 add, 1 sigmoid per neuron


def test_mlp_refuses_bad_settings():
    with pytest.raises(ValueError, match="sizes needs the input width and at least one layer"):
        nn.mlp(ComputationalGraph(), [2])
    with pytest.raises(ValueError, match="flavour must be 'vector' or 'scalar'"):
        nn.mlp(ComputationalGraph(), [2, 1], flavour="matrix")
