"""The scalar stack: a neuron by hand, activations, seeding, errors, and learning moons to 100%."""

from __future__ import annotations

import math

import numpy as np
import pytest

import nn
from autograd import Tensor, Value, topological_order


def test_neuron_computes_activation_of_weighted_sum_and_its_gradients():
    neuron = nn.Neuron(2, activation="tanh", seed=0)
    w0, w1 = (w.data for w in neuron.weights)
    x = [Value(0.5, label="x0"), Value(-1.5, label="x1")]
    out = neuron(x)
    assert out.data == pytest.approx(math.tanh(w0 * 0.5 + w1 * -1.5))
    out.backward()
    local = 1 - out.data**2
    assert neuron.weights[0].grad == pytest.approx(local * 0.5)
    assert neuron.weights[1].grad == pytest.approx(local * -1.5)
    assert neuron.bias.grad == pytest.approx(local)
    assert x[1].grad == pytest.approx(local * w1)


@pytest.mark.parametrize(
    ("activation", "expected"),
    [
        ("relu", lambda s: max(s, 0.0)),
        ("sigmoid", lambda s: 1 / (1 + math.exp(-s))),
        ("step", lambda s: float(s > 0)),
        ("linear", lambda s: s),
    ],
)
def test_each_activation(activation, expected):
    neuron = nn.Neuron(3, activation=activation, seed=1)
    x = [0.3, -0.7, 1.1]
    total = sum(w.data * xi for w, xi in zip(neuron.weights, x)) + neuron.bias.data
    assert neuron(x).data == pytest.approx(expected(total))


def test_step_passes_no_gradient():
    neuron = nn.Neuron(2, activation="step", seed=0)
    neuron([1.0, 1.0]).backward()
    assert all(w.grad == 0.0 for w in neuron.weights)


def test_mlp_shapes_labels_and_seeding():
    model = nn.ScalarMLP([2, 4, 4, 1], seed=0)
    assert len(model.parameters()) == (2 * 4 + 4) + (4 * 4 + 4) + (4 + 1)
    assert isinstance(model([1.0, 2.0]), Value)
    assert len(nn.ScalarMLP([2, 3, 2], seed=0)([1.0, 2.0])) == 2
    assert [p.data for p in nn.ScalarMLP([2, 4, 1], seed=3).parameters()] == [
        p.data for p in nn.ScalarMLP([2, 4, 1], seed=3).parameters()
    ]
    assert model.layers[0].neurons[0].weights[1].label == "w1"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: nn.Neuron(0), "Neuron: n_inputs must be an int >= 1, got 0"),
        (lambda: nn.Layer(2, -1), "Layer: n_outputs must be an int >= 1, got -1"),
        (lambda: nn.Layer(0, 2), "Layer: n_inputs must be an int >= 1, got 0"),
        (lambda: nn.ScalarMLP(2, []), r"ScalarMLP needs at least an input and an output size, got \[2\]"),
        (lambda: nn.ScalarMLP([2]), r"ScalarMLP needs at least an input and an output size, got \[2\]"),
        (lambda: nn.ScalarMLP(2, [3, 0]), r"ScalarMLP: sizes\[2\] must be an int >= 1, got 0"),
        (lambda: nn.ScalarMLP([2, 3, 0]), r"ScalarMLP: sizes\[2\] must be an int >= 1, got 0"),
        (lambda: nn.Neuron(2, activation="swish"), "unknown activation 'swish'"),
        (lambda: nn.Neuron(2, seed=0)([1.0]), "takes 2 inputs, got 1"),
    ],
)
def test_bad_input_is_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("batch", [np.ones((4, 2)), Tensor(np.ones((4, 2)))], ids=["array", "Tensor"])
def test_a_batch_given_to_scalar_neurons_is_named_as_one(batch):
    # It had been "a Value combines only with numbers and other Values, not with a ndarray", from a row.
    with pytest.raises(TypeError, match=r"takes one example, a list of 2 numbers .* not a batch of shape \(4, 2\)"):
        nn.ScalarMLP([2, 3, 1], seed=0)(batch)


def test_scalar_mlp_reaches_100_percent_on_100_moons():
    X, y = nn.data.make_moons(100, noise=0.1, seed=0)
    signs = 2 * y - 1
    model = nn.ScalarMLP([2, 16, 16, 1], activation="relu", seed=1)
    optimizer = nn.optim.SGD(model.parameters(), lr=1.0)
    for epoch in range(100):
        scores = [model([float(a) for a in row]) for row in X]
        hinge = sum((1 - s * float(t)).relu() for s, t in zip(scores, signs)) * (1.0 / len(X))
        loss = hinge + 1e-4 * nn.l2_penalty(model)
        accuracy = np.mean([(s.data > 0) == (t > 0) for s, t in zip(scores, signs)])
        if accuracy == 1.0:
            break
        optimizer.zero_grad()
        loss.backward()
        optimizer.lr = 1.0 - 0.9 * epoch / 100  # micrograd's demo schedule
        optimizer.step()
    assert accuracy == 1.0


def test_each_float_input_is_one_node_that_every_neuron_of_the_first_layer_reads():
    model = nn.ScalarMLP([2, 4, 1], seed=0)
    out = model([0.5, -1.0])
    order = topological_order(out)
    first_layer = [n for n in order if n.op is not None and any(p in model.layers[0].parameters() for p in n.parents)]
    inputs = {id(p): p for n in first_layer for p in n.parents if not p.requires_grad}
    assert sorted((p.label, p.data) for p in inputs.values()) == [("x0", 0.5), ("x1", -1.0)]
    # Each input feeds one product in each of the 4 neurons: 4 uses of the same node.
    for p in inputs.values():
        assert sum(parent is p for n in first_layer for parent in n.parents) == 4
    h = [
        math.tanh(neuron.bias.data + neuron.weights[0].data * 0.5 - neuron.weights[1].data)
        for neuron in model.layers[0].neurons
    ]
    last = model.layers[1].neurons[0]
    assert out.data == pytest.approx(last.bias.data + sum(w.data * hi for w, hi in zip(last.weights, h)), rel=1e-12)


def test_both_size_forms_and_both_seed_kinds_build_the_same_network():
    weights = [p.data for p in nn.ScalarMLP([2, 4, 1], seed=3).parameters()]
    assert [p.data for p in nn.ScalarMLP(2, [4, 1], seed=3).parameters()] == weights
    assert [p.data for p in nn.ScalarMLP([2, 4, 1], seed=np.random.default_rng(3)).parameters()] == weights
    # The weights are the generator's first draws, uniform in [-1, 1], neuron by neuron.
    first = np.random.default_rng(3).uniform(-1.0, 1.0, 2)
    assert weights[:2] == first.tolist()


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: nn.ScalarMLP(2), TypeError, r"ScalarMLP\(\[2, 16, 1\]\)"),
        (lambda: nn.ScalarMLP([2, 16, 1], [1]), TypeError, r"ScalarMLP\(2, \[16, 1\]\)"),
        (lambda: nn.ScalarMLP([2, 16, 1], "relu"), TypeError, "activation= and the other settings by name"),
    ],
)
def test_a_mixed_size_form_is_refused_with_both_forms(make, error, message):
    with pytest.raises(error, match=message):
        make()


@pytest.mark.parametrize("activation", list(nn.ACTIVATIONS))
def test_both_stacks_take_every_activation_name_and_compute_the_same(activation):
    tensor_model = nn.MLP([3, 4, 2], activation=activation, seed=0)
    scalar_model = nn.ScalarMLP([3, 4, 2], activation=activation)
    for scalar_layer, linear in zip(scalar_model.layers, tensor_model.layers[::2]):
        for j, neuron in enumerate(scalar_layer.neurons):  # neuron j holds column j of the (in, out) weight
            neuron.load_state_dict({**{f"weights.{i}": w for i, w in enumerate(linear.weight.data[:, j])}, "bias": 0.5})
        linear.bias.data[:] = 0.5
    x = np.array([0.3, -1.2, 0.8])
    expected = tensor_model(Tensor(x[None, :])).data[0]
    np.testing.assert_allclose([out.data for out in scalar_model(list(x))], expected, rtol=1e-14, atol=1e-15)


def test_a_scalar_network_too_large_to_hold_as_values_is_refused_at_once():
    for make in (lambda: nn.ScalarMLP([10**5, 10**5]), lambda: nn.Layer(10**4, 10**3), lambda: nn.Neuron(10**7)):
        with pytest.raises(ValueError, match=r"parameters, one Value each \(at most 1,000,000\): use the tensor stack"):
            make()  # had run for a minute and gigabytes before a MemoryError
