"""The worked examples A, B (notebook 01) and D (notebook 04), to the digits the notebooks give."""

import math

from autograd import Value


def test_example_a_add_and_mul_gates():
    """``f = (x + y) * z`` at x=-2, y=5, z=-4."""
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    f = q * z
    f.backward()
    assert q.data == 3.0 and f.data == -12.0
    assert z.grad == 3.0  # df/dz = q
    assert q.grad == -4.0  # df/dq = z
    assert x.grad == -4.0 and y.grad == -4.0  # the add gate passes df/dq to both


def _sigmoid_neuron_inputs():
    names = {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}
    return {name: Value(value, label=name) for name, value in names.items()}


def test_example_b_sigmoid_neuron_node_by_node():
    """``f = 1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))`` built from primitive gates."""
    v = _sigmoid_neuron_inputs()
    dot = v["w0"] * v["x0"] + v["w1"] * v["x1"] + v["w2"]
    negated = dot * -1.0
    exponential = negated.exp()
    denominator = exponential + 1.0
    f = 1.0 / denominator
    f.backward()

    assert dot.data == 1.0
    assert round(f.data, 4) == 0.7311
    assert round(denominator.data, 2) == 1.37
    # The 1/x node's local gradient -1/1.37**2, which the +1 node passes on unchanged.
    assert round(denominator.grad, 2) == -0.53
    assert round(exponential.grad, 2) == -0.53
    # The exp node multiplies by e**-1; the *-1 node flips the sign.
    assert round(negated.grad, 2) == -0.20
    assert round(dot.grad, 2) == 0.20
    assert round(dot.grad, 4) == 0.1966
    expected = {"w0": -0.1966, "x0": 0.3932, "w1": -0.3932, "x1": -0.5898, "w2": 0.1966}
    assert {name: round(node.grad, 4) for name, node in v.items()} == expected


def test_example_b_sigmoid_as_one_node_gives_the_same_gradients():
    """The whole sigmoid as one gate with local gradient ``(1 - s) * s = 0.1966``."""
    primitive, fused = _sigmoid_neuron_inputs(), _sigmoid_neuron_inputs()
    dot = primitive["w0"] * primitive["x0"] + primitive["w1"] * primitive["x1"] + primitive["w2"]
    (1.0 / ((dot * -1.0).exp() + 1.0)).backward()
    fused_dot = fused["w0"] * fused["x0"] + fused["w1"] * fused["x1"] + fused["w2"]
    s = fused_dot.sigmoid()
    s.backward()

    assert round(s.data, 4) == 0.7311
    assert round((1 - s.data) * s.data, 4) == 0.1966
    assert round(fused_dot.grad, 4) == 0.1966
    for name in primitive:
        assert math.isclose(fused[name].grad, primitive[name].grad, rel_tol=1e-14)


def test_example_d_one_gradient_step():
    """x=-2 and y=5 are inputs, z=-4 the parameter; target -10, MSE loss, learning rate 0.01."""
    x, y = Value(-2.0, requires_grad=False), Value(5.0, requires_grad=False)
    z = Value(-4.0, label="z")
    target, learning_rate = -10.0, 0.01

    q = x + y
    f = q * z
    loss = (f - target) ** 2
    loss.backward()
    assert loss.data == 4.0
    assert z.grad == -12.0  # dL/dz = 2 (f - t) q
    assert x.grad is None and y.grad is None  # inputs get no gradient

    z.data -= learning_rate * z.grad
    assert round(z.data, 2) == -3.88
    new_prediction = (x + y) * z
    assert round(new_prediction.data, 2) == -11.64
    assert abs(new_prediction.data - target) < abs(f.data - target)
