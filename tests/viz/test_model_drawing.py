"""Drawing real ``nn`` models: parameters named by their dotted ``named_parameters()`` names.

The gradients printed in the boxes are checked against formulas worked out by
hand for the last layer (numpy, not the engine): for a linear output ``y`` and
loss ``(y - t)**2``, d(loss)/d(bias) is ``2 (y - t)``.
"""

from __future__ import annotations

import numpy as np

import nn
import viz
from autograd import Tensor, Value


def _titles(parse_dot, source):
    """``{title: (label, attributes)}`` for every value box that has a title."""
    nodes, _ = parse_dot(source)
    return {label.split(" |")[0]: (label, attributes) for label, attributes in nodes.values() if " |" in label}


def test_a_scalar_mlp_2_4_4_1_is_drawn_whole_with_dotted_names(parse_dot):
    model = nn.ScalarMLP(2, [4, 4, 1], seed=0)
    x = [Value(0.5, requires_grad=False, label="x0"), Value(-1.0, requires_grad=False, label="x1")]
    y = model(x)
    loss = (y - 1.0) ** 2
    loss.backward()
    drawing = viz.draw(loss, model=model)
    assert "graph cut" not in drawing.source and "hidden" not in drawing.source  # small enough to draw whole
    titles = _titles(parse_dot, drawing.source)
    names = [name for name, _ in model.named_parameters()]
    assert len(names) == 2 * 4 + 4 + 4 * 4 + 4 + 4 + 1
    assert "layers.0.neurons.0.weights.0" in names and "layers.2.neurons.0.bias" in names
    for name, parameter in model.named_parameters():
        label, attributes = titles[name]
        assert label == f"{name} | data {parameter.data:.4g} | grad {parameter.grad:.4g}"
        assert 'fillcolor="#d9f2dc"' in attributes  # parameter green
    # The output neuron is linear, so d(loss)/d(its bias) = 2 (y - 1).
    assert titles["layers.2.neurons.0.bias"][0].endswith(f"grad {2 * (y.data - 1.0):.4g}")
    assert titles["x0"][0] == "x0 | data 0.5"  # data: no gradient row


def test_a_tensor_mlp_shows_shapes_and_its_parameter_names(parse_dot):
    model = nn.MLP([2, 4, 1], seed=0)
    rng = np.random.default_rng(1)
    X, t = rng.normal(size=(5, 2)), rng.normal(size=(5, 1))
    loss = nn.mse_loss(model(Tensor(X)), Tensor(t))
    loss.backward()
    titles = _titles(parse_dot, viz.draw(loss, model=model).source)
    shapes = {"layers.0.weight": (2, 4), "layers.0.bias": (4,), "layers.2.weight": (4, 1), "layers.2.bias": (1,)}
    assert {name for name, _ in model.named_parameters()} == set(shapes)
    for name, shape in shapes.items():
        assert titles[name][0].startswith(f"{name} | shape {shape} float64 | data ")
    # The forward pass in numpy: relu(X W1 + b1) W2 + b2; mean squared error over 5 rows.
    (W1, b1, W2, b2) = (dict(model.named_parameters())[name].data for name in shapes)
    y = np.maximum(X @ W1 + b1, 0) @ W2 + b2
    assert titles["layers.2.bias"][0].endswith(f"grad [{np.mean(2 * (y - t)):.4g}]")


def test_backprop_steps_name_parameters_by_their_model_name():
    model = nn.MLP([2, 3, 1], seed=0)
    loss = model(Tensor(np.ones((2, 2)))).sum()
    steps = viz.backprop_steps(loss, model=model)
    names = {step.name for step in steps}
    assert {"layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"} <= names
    bias_step = next(step for step in steps if step.name == "layers.2.bias")
    assert bias_step.text.startswith("grad of layers.2.bias: linear's backward")
    np.testing.assert_allclose(bias_step.gradient, [2.0])  # two rows, each adds the bias once
