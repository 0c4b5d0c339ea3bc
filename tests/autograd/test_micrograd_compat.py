"""Code written only with micrograd's ``Value`` API runs unchanged on ``autograd.Value``.

Each scenario is written once, against the API the two share (operators and
their reflected forms, ``.data``, ``.grad``, ``.backward()``, ``relu``, ``**``
with a number, ``sum()`` of Values, ``p.grad = 0`` to reset), and run on both
classes; the numbers must be the same. Forward values are compared exactly.

Gradients are exact wherever the order of additions cannot matter: a node
whose gradient sums two contributions (a + b == b + a), or numbers that are
exact in binary. A sum of three or more contributions is added up in graph
order, and micrograd's order comes from a ``set`` of children (it depends on
memory addresses), so there the last bit may differ: the MLP's gradients are
compared to 1e-12. micrograd divides as ``a * b**-1`` (two roundings) where we
divide once, so a quotient of arbitrary numbers may differ in the last bit too.
micrograd's backward is recursive: every graph here is kept small.

The last tests check the replacements the README gives for micrograd's ``nn``
and for the MLP of micrograd's video lecture, with the same weights.
"""

import itertools
import math
import random

import pytest

import nn
from autograd import Value

MicrogradValue = pytest.importorskip("micrograd.engine").Value
MicrogradMLP = pytest.importorskip("micrograd.nn").MLP

ENGINES = [pytest.param(MicrogradValue, id="micrograd"), pytest.param(Value, id="autograd")]


def operators(Value):
    """Every operator micrograd has, on numbers that are not exact in binary; no node feeds more than two ops."""
    x, y, z = Value(0.7), Value(-1.3), Value(2.1)
    a = x * y + 3
    b = (a - z) ** 2
    c = 2.5 - b.relu()
    d = -c * 0.3 + z**3
    e = (x + 1) ** -2.5
    f = sum([d, e, y * 4])
    g = (0.1 - f).relu() + 1.7 * f.relu()
    g.backward()
    return [node.data for node in (a, b, c, d, e, f, g)] + [node.grad for node in (x, y, z, a, b, c, d, e, f, g)]


def division(Value):
    """``/`` and its reflected form, with divisors whose reciprocals are exact in binary."""
    x, y = Value(0.5), Value(-2.0)
    q = x / y + 3 / x - y / 4 + (x * 3 + 1) / (y * y)
    q.backward()
    return [q.data, x.grad, y.grad]


def division_of_arbitrary_numbers(Value):
    x, y = Value(0.7), Value(-1.3)
    q = x / y + 3.3 / x
    q.backward()
    return [q.data, x.grad, y.grad]


def backward_twice(Value):
    x, y, z = Value(3.0), Value(-2.0), Value(4.0)
    hidden = x * y
    out = hidden * z
    out.backward()
    out.backward()
    return [x.grad, y.grad, z.grad, hidden.grad]


def sum_starting_from_a_value(Value):
    """micrograd's Neuron: ``sum(products, bias)``."""
    w = [Value(v) for v in (0.5, -1.25, 2.0)]
    inputs = [Value(v) for v in (1.5, 0.25, -3.0)]
    bias = Value(0)
    act = sum((wi * xi for wi, xi in zip(w, inputs)), bias).relu()
    act.backward()
    return [act.data, bias.grad] + [wi.grad for wi in w] + [xi.grad for xi in inputs]


def demo_training(Value, steps=3, points=10, sizes=(2, 4, 4, 1), seed=0):
    """micrograd's demo on a small scale: a ReLU MLP, max-margin loss + L2, plain SGD.

    Returns the loss and accuracy of every step, every gradient and the final weights.
    """
    rng = random.Random(seed)
    layers = []
    for n_in, n_out in itertools.pairwise(sizes):
        layers.append([([Value(rng.uniform(-1, 1)) for _ in range(n_in)], Value(0)) for _ in range(n_out)])
    parameters = [p for layer in layers for weights, bias in layer for p in [*weights, bias]]
    xs = [[rng.uniform(-1.5, 2.5), rng.uniform(-1.0, 1.5)] for _ in range(points)]
    ys = [1 if rng.random() > 0.5 else -1 for _ in range(points)]

    def model(x):
        for depth, layer in enumerate(layers):
            acts = [sum((wi * xi for wi, xi in zip(weights, x)), bias) for weights, bias in layer]
            x = [act.relu() for act in acts] if depth < len(layers) - 1 else acts
        return x[0]

    record = []
    for k in range(steps):
        scores = [model(list(map(Value, x))) for x in xs]
        losses = [(1 + -y * score).relu() for y, score in zip(ys, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in parameters)
        total = data_loss + reg_loss
        accuracy = sum((y > 0) == (score.data > 0) for y, score in zip(ys, scores)) / len(ys)
        for p in parameters:
            p.grad = 0
        total.backward()
        record += [total.data, accuracy] + [p.grad for p in parameters]
        learning_rate = 1.0 - 0.9 * k / 100
        for p in parameters:
            p.data -= learning_rate * p.grad
    return record + [p.data for p in parameters]


def results(scenario):
    return [scenario(engine.values[0]) for engine in ENGINES]


@pytest.mark.parametrize("scenario", [operators, division, sum_starting_from_a_value])
def test_scenario_gives_exactly_micrograds_numbers(scenario):
    theirs, ours = results(scenario)
    assert ours == theirs
    assert all(type(number) is float for number in ours)


def test_division_of_arbitrary_numbers_agrees_to_the_last_bits():
    theirs, ours = results(division_of_arbitrary_numbers)
    assert ours == pytest.approx(theirs, rel=1e-15, abs=0)


def test_the_demo_network_trains_the_same_way():
    theirs, ours = results(demo_training)
    assert len(ours) == len(theirs) == 3 * (2 + 37) + 37
    assert ours[0] == theirs[0]  # the first loss: forward values are identical
    assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-12)


def test_backward_twice_doubles_our_gradients_where_micrograd_triples_them():
    """x=3, y=-2, z=4, out = (x * y) * z: d/dx = yz = -8, d/dy = xz = 12, d/dz = xy = -6, d/d hidden = z = 4.

    micrograd keeps the hidden node's gradient from the first call and sends it down again
    with the new one: the leaves below it get three times their gradient.
    """
    theirs, ours = results(backward_twice)
    assert ours == [-16.0, 24.0, -12.0, 8.0]
    assert theirs == [-24.0, 36.0, -12.0, 8.0]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_reset_to_zero_then_backward_works_on_both(engine):
    x = engine(2.0)
    (x * x).backward()
    x.grad = 0
    (x * 5).backward()
    assert x.grad == 5.0


def readme_example(Value):
    """micrograd's README example, as printed there: 24.7041, then the gradients 138.8338 and 645.5773."""
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return [g.data, a.grad, b.grad]


def test_micrograds_readme_example_prints_the_same_numbers():
    theirs, ours = results(readme_example)
    assert [f"{number:.4f}" for number in ours] == ["24.7041", "138.8338", "645.5773"]
    assert ours == pytest.approx(theirs, rel=1e-15, abs=0)  # micrograd divides as a * b**-1


def test_micrograds_mlp_is_a_scalar_mlp_with_relu():
    """``micrograd.nn.MLP(2, [16, 16, 1])`` and ``nn.ScalarMLP(2, [16, 16, 1], activation="relu")``, same weights."""
    random.seed(0)
    theirs = MicrogradMLP(2, [16, 16, 1])
    ours = nn.ScalarMLP(2, [16, 16, 1], activation="relu", seed=1)
    their_parameters, our_parameters = theirs.parameters(), ours.parameters()
    assert len(our_parameters) == len(their_parameters) == 3 * 16 + 17 * 16 + 17
    for mine, their in zip(our_parameters, their_parameters):
        mine.data = their.data
    x = [0.7, -1.3]
    their_out, our_out = theirs([MicrogradValue(v) for v in x]), ours([Value(v) for v in x])
    their_out.backward()
    our_out.backward()
    assert our_out.data == their_out.data  # the same sums in the same order
    assert [p.grad for p in our_parameters] == pytest.approx([p.grad for p in their_parameters], rel=1e-12, abs=1e-12)


def test_micrograds_lecture_tanh_mlp_is_a_scalar_mlp_with_a_tanh_output():
    """micrograd's video lecture's ``MLP(3, [4, 4, 1])`` has tanh in every layer: checked against the same forward in plain floats."""
    model = nn.ScalarMLP(3, [4, 4, 1], output_activation="tanh", seed=0)
    x = [2.0, 3.0, -1.0]
    activations = x
    for layer in model.layers:
        activations = [
            math.tanh(neuron.bias.data + sum(w.data * a for w, a in zip(neuron.weights, activations)))
            for neuron in layer.neurons
        ]
    assert model(x).data == pytest.approx(activations[0], rel=1e-14)
