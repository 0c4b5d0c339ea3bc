"""Drawing real ``nn`` models: parameters named by their dotted ``named_parameters()`` names.

The gradients printed in the boxes are checked against formulas worked out by
hand for the last layer (numpy, not the engine): for a linear output ``y`` and
loss ``(y - t)**2``, d(loss)/d(bias) is ``2 (y - t)``.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import autograd
import nn
import viz
from autograd import Tensor, Value
from viz.dot_program import run_dot


def _titles(parse_dot, source):
    """``{title: (label, attributes)}`` for every value box that has a title."""
    nodes, _ = parse_dot(source)
    return {label.split(" |")[0]: (label, attributes) for label, attributes in nodes.values() if " |" in label}


def _short(name: str) -> str:
    """``layers.0.neurons.1.weights.2`` -> ``l0.n1.w2``: how a drawing shortens long parameter names."""
    return re.sub(r"([a-z])[a-z]*\.(\d+)", r"\1\2", name)


def _scalar_mlp_on_one_point():
    model = nn.ScalarMLP([2, 4, 4, 1], seed=0)
    y = model([0.5, -1.0])
    loss = (y - 1.0) ** 2
    loss.backward()
    return model, y, loss


def _by_hand(model, x):
    """Each layer's outputs and d(loss)/d(outputs) for loss (y - 1)**2, in numpy from the weights alone."""
    weights = [np.array([[w.data for w in n.weights] for n in layer.neurons]) for layer in model.layers]
    biases = [np.array([n.bias.data for n in layer.neurons]) for layer in model.layers]
    outputs = [np.asarray(x)]
    for index, (W, b) in enumerate(zip(weights, biases)):
        s = W @ outputs[-1] + b
        outputs.append(s if index == len(weights) - 1 else np.tanh(s))
    grads = [2 * (outputs[-1] - 1.0)]
    for index in range(len(weights) - 1, 0, -1):
        local = 1.0 if index == len(weights) - 1 else 1 - outputs[index + 1] ** 2
        grads.insert(0, weights[index].T @ (grads[0] * local))
    return outputs[1:], grads


def test_a_scalar_mlp_2_4_4_1_weight_by_weight_with_shortened_names(parse_dot):
    model, y, loss = _scalar_mlp_on_one_point()
    drawing = viz.draw(loss, model=model, level="weights")
    assert "graph cut" not in drawing.source and "hidden" not in drawing.source  # small enough to draw whole
    titles = _titles(parse_dot, drawing.source)
    names = [name for name, _ in model.named_parameters()]
    assert len(names) == 2 * 4 + 4 + 4 * 4 + 4 + 4 + 1
    assert _short("layers.0.neurons.0.weights.0") == "l0.n0.w0" and _short("layers.2.neurons.0.bias") == "l2.n0.bias"
    for name, parameter in model.named_parameters():
        label, attributes = titles[_short(name)]
        assert label == f"{_short(name)} | data {parameter.data:.4g} | grad {parameter.grad:.4g}"
        assert 'fillcolor="#d9f2dc"' in attributes  # parameter green
    assert "names shortened: l = layers, n = neurons, w = weights" in drawing.source
    # The output neuron is linear, so d(loss)/d(its bias) = 2 (y - 1).
    assert titles["l2.n0.bias"][0].endswith(f"grad {2 * (y.data - 1.0):.4g}")
    # Each float input is one data box, read by the 4 neurons of the first layer.
    nodes, edges = parse_dot(drawing.source)
    (x0,) = [node_id for node_id, (label, _) in nodes.items() if label == "x0 | data 0.5"]
    assert sum(tail == x0 for tail, *_ in edges) == 4


def test_a_scalar_mlp_by_neurons_shows_each_neurons_output_and_grad(parse_dot):
    model, _, loss = _scalar_mlp_on_one_point()
    source = viz.draw(loss, model=model, level="neurons").source
    titles = _titles(parse_dot, source)
    outputs, grads = _by_hand(model, [0.5, -1.0])
    for layer, (data, grad) in enumerate(zip(outputs, grads)):
        for neuron in range(len(data)):
            label = titles[f"l{layer}.n{neuron}"][0]
            assert f"| data {data[neuron]:.4g} | grad {grad[neuron]:.4g}" in label
    assert not any(title.startswith(("l0.n0.w", "layers.")) for title in titles)  # the weights are inside
    assert "one box per neuron" in source


def test_a_scalar_mlp_by_layers_shows_each_layers_outputs(parse_dot):
    model, _, loss = _scalar_mlp_on_one_point()
    titles = _titles(parse_dot, viz.draw(loss, model=model, level="layers").source)
    outputs, grads = _by_hand(model, [0.5, -1.0])
    for layer, parameters in ((0, 2 * 4 + 4), (1, 4 * 4 + 4)):
        data = " ".join(f"{v:.4g}" for v in outputs[layer])
        grad = " ".join(f"{v:.4g}" for v in grads[layer])
        assert (
            titles[f"l{layer}"][0] == f"l{layer} | {parameters} parameters, then tanh | data [{data}] | grad [{grad}]"
        )
    assert {"l0", "l1", "l2", "x0", "x1", "output"} <= set(titles)
    assert titles["l2"][0].startswith("l2 | 5 parameters | data")  # the linear output layer: no activation


def test_every_box_counts_its_parameters_so_they_add_up_to_the_models(parse_dot):
    model, _, loss = _scalar_mlp_on_one_point()
    titles = _titles(parse_dot, viz.draw(loss, model=model, level="neurons").source)
    counts = [re.search(r"\| (\d+) parameters?\b", title[0]) for name, title in titles.items() if name.startswith("l")]
    assert all(counts)
    assert sum(int(count.group(1)) for count in counts) == len(model.parameters()) == 2 * 4 + 4 + 4 * 4 + 4 + 4 + 1


def _svg_width(drawing) -> float:
    svg = run_dot(drawing.source, "svg").decode()
    return float(re.search(r'<svg width="([0-9.]+)pt"', svg).group(1))


def test_the_default_drawing_of_a_2_4_4_1_mlp_fits_a_notebook_page():
    model, _, loss = _scalar_mlp_on_one_point()
    drawing = viz.draw(loss, model=model)
    assert "one box per neuron" in drawing.source  # too many weights for one picture: a box per neuron
    assert _svg_width(drawing) <= 1800
    assert _svg_width(viz.draw(loss, model=model, level="weights")) > 1800  # what it would be weight by weight


def test_each_call_of_a_neuron_is_its_own_box_and_a_large_graph_is_cut_at_whole_boxes(parse_dot):
    model = nn.ScalarMLP([2, 4, 4, 1], seed=0)
    points = [(0.1 * i, -0.05 * i) for i in range(30)]
    scores = [model(list(p)) for p in points]
    loss = sum(((s - 1.0) ** 2 for s in scores), Value(0.0))
    loss.backward()
    source = viz.draw(loss, model=model, level="neurons", max_nodes=None).source
    titles = _titles(parse_dot, source)
    for call, point in enumerate(points, start=1):
        outputs, _ = _by_hand(model, point)
        assert f"| data {outputs[2][0]:.4g} |" in titles[f"l2.n0 (call {call})"][0]
    cut = viz.draw(loss, model=model, max_nodes=40).source
    assert re.search(r"graph cut: showing the 40 boxes nearest the output; left out: \d+ of \d+ nodes and \d+ of", cut)
    checked = 0
    for title, (label, _) in _titles(parse_dot, cut).items():  # every box drawn shows its true output
        match = re.fullmatch(r"l2 \(call (\d+)\)", title)
        if match:
            outputs, _ = _by_hand(model, points[int(match.group(1)) - 1])
            assert f"| data {outputs[2][0]:.4g} |" in label
            checked += 1
    assert checked >= 2


def test_levels_need_a_model_and_a_known_name(example_a):
    with pytest.raises(ValueError, match="pass model="):
        viz.draw(example_a["f"], level="neurons")
    with pytest.raises(ValueError, match="level must be one of"):
        viz.draw(example_a["f"], level="atoms")


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


def test_a_tensor_mlp_by_layers_shows_each_linear_layer_with_its_activation(parse_dot):
    model = nn.MLP([2, 4, 1], seed=0)
    rng = np.random.default_rng(1)
    X, t = rng.normal(size=(5, 2)), rng.normal(size=(5, 1))
    loss = nn.mse_loss(model(Tensor(X)), Tensor(t))
    loss.backward()
    titles = _titles(parse_dot, viz.draw(loss, model=model, level="layers").source)
    W1, b1, W2, b2 = (p.data for _, p in model.named_parameters())
    hidden = np.maximum(X @ W1 + b1, 0)
    y = hidden @ W2 + b2
    hidden_grad = (2 / 5) * (y - t) @ W2.T  # d(mean squared error)/d(hidden), by hand
    assert titles["layers.0"][0] == (
        f"layers.0 | shape (5, 4) float64 | {W1.size + b1.size} parameters, then relu"
        f" | data mean {hidden.mean():.4g}, norm {np.linalg.norm(hidden):.4g}"
        f" | grad mean {hidden_grad.mean():.4g}, norm {np.linalg.norm(hidden_grad):.4g}"
    )
    assert titles["layers.2"][0].startswith("layers.2 | shape (5, 1) float64 | 5 parameters | data [")  # 4 + 1
    notes = viz.draw(loss, model=model, level="neurons").source
    assert "one box per layer and call: its matrix product, bias and activation inside" in notes
    assert "products, sum" not in notes  # (a scalar neuron's words)
    assert f"[{y[0, 0]:.4g}]" in titles["layers.2"][0]
    assert "layers.0.weight" not in titles  # inside its layer's box


def test_outputs_of_two_calls_added_together_stay_two_boxes(parse_dot):
    model = nn.ScalarMLP([2, 3, 1], seed=1)
    points = [(0.5, -1.0), (-0.3, 0.8)]
    total = model(list(points[0])) + model(list(points[1]))  # the same neuron's output, from two calls
    total.backward()
    titles = _titles(parse_dot, viz.draw(total, model=model, level="neurons").source)
    for call, point in enumerate(points, start=1):
        h = [
            math.tanh(n.bias.data + sum(w.data * x for w, x in zip(n.weights, point))) for n in model.layers[0].neurons
        ]
        last = model.layers[1].neurons[0]
        y = last.bias.data + sum(w.data * hi for w, hi in zip(last.weights, h))
        assert titles[f"l1.n0 (call {call})"][0].startswith(
            f"l1.n0 (call {call}) | 4 parameters | data {y:.4g} | grad 1"
        )


def test_a_loss_after_the_last_layer_is_drawn_outside_its_box(parse_dot):
    model = nn.MLP([2, 4, 3], seed=0)
    X = np.random.default_rng(2).normal(size=(6, 2))
    loss = nn.cross_entropy(model(Tensor(X)), np.arange(6) % 3)
    loss.backward()
    nodes, edges = parse_dot(viz.draw(loss, model=model, level="layers").source)
    labels = {node_id: label for node_id, (label, _) in nodes.items()}
    (box,) = [node_id for node_id, label in labels.items() if label.startswith("layers.2 |")]
    (op,) = [head for tail, head, _, _ in edges if tail == box]
    assert labels[op] == "cross_entropy"  # the loss is its own op, not an activation of the last layer
    logits = np.maximum(X @ model.layers[0].weight.data + model.layers[0].bias.data, 0) @ model.layers[2].weight.data
    logits += model.layers[2].bias.data
    assert f"data mean {logits.mean():.4g}, norm {np.linalg.norm(logits):.4g}" in labels[box]
    (first,) = [label for label in labels.values() if label.startswith("layers.0 |")]
    assert first.startswith("layers.0 | shape (6, 4) float64 | 12 parameters, then relu")  # 2 x 4 + 4


class Cube(autograd.Function):
    """A user's elementwise op: x**3."""

    def forward(self, x):
        return x**3

    def backward(self, grad, out, x):
        return grad * 3 * x**2


def test_ops_after_a_neurons_activation_are_drawn_outside_its_box(parse_dot):
    model = nn.ScalarMLP([2, 2, 1], output_activation="tanh", seed=0)
    out = model([1.0, 2.0])
    loss = -(out.sigmoid().log())  # tanh is the neuron's; sigmoid, log and neg are the loss's
    loss.backward()
    titles = _titles(parse_dot, viz.draw(loss, model=model, level="neurons").source)
    assert titles["l1.n0"][0].startswith(f"l1.n0 | 3 parameters, then tanh | data {out.data:.4g} | grad {out.grad:.4g}")
    linear = nn.ScalarMLP([2, 2, 1], seed=0)
    score = linear([1.0, 2.0])
    cubed = Cube.apply(score)  # a user's op after a linear neuron is not taken for its activation
    cubed.backward()
    titles = _titles(parse_dot, viz.draw(cubed, model=linear, level="neurons").source)
    assert f"| data {score.data:.4g} | grad {score.grad:.4g}" in titles["l1.n0"][0]
    score.grad = None
    sigmoid_loss = -(score.sigmoid().log())  # the neuron says it is linear: the loss's sigmoid is not its own
    sigmoid_loss.backward()
    for level, box in (("neurons", "l1.n0"), ("layers", "l1")):
        source = viz.draw(sigmoid_loss, model=linear, level=level).source
        assert "then sigmoid" not in source
        assert f"| data {score.data:.4g} | grad {score.grad:.4g}" in _titles(parse_dot, source)[box][0]


def test_a_cut_at_whole_boxes_draws_the_edges_from_the_boxes_left_out(parse_dot):
    model, _, loss = _scalar_mlp_on_one_point()
    source = viz.draw(loss, model=model, level="neurons", max_nodes=8).source
    nodes, edges = parse_dot(source)
    labels = {node_id: label for node_id, (label, _) in nodes.items()}
    (last,) = [node_id for node_id, label in labels.items() if label.startswith("l2.n0 |")]
    inputs = [tail for tail, head, _, _ in edges if head == last]
    assert "hidden" in inputs  # l1.n3, left out, still feeds l2.n0
    drawn_l1 = [node_id for node_id, label in labels.items() if label.startswith("l1.")]
    assert len(drawn_l1) + 1 == len(inputs) == 4  # l1.n0 to l1.n2 drawn, l1.n3 left out
    assert all(("hidden", box) in {(tail, head) for tail, head, _, _ in edges} for box in drawn_l1)


def test_labels_repeated_across_neurons_are_pointed_out_without_a_model():
    model = nn.ScalarMLP([2, 3, 1], seed=0)
    loss = (model([1.0, 2.0]) - 1.0) ** 2
    loss.backward()
    note = "the names b, w0, w1 are each on several boxes: draw with model= to name them by their place"
    assert note in viz.draw(loss).source
    assert "on several boxes" not in viz.draw(loss, model=model).source  # l0.n0.w0, l0.n1.w0, ...


def test_the_legend_names_the_colour_of_each_kind_of_box_drawn():
    # The output neuron's box is drawn in the output's colour: the legend had left "output" out.
    model = nn.ScalarMLP([2, 4, 4, 1], seed=0)
    out = model([0.5, -0.2])
    out.backward()
    source = viz.draw(out, model=model, level="neurons").source
    legend = re.findall(r'<TD BGCOLOR="[^"]+" BORDER="1" COLOR="[^"]+">([^<]+)</TD>', source)
    assert legend == ["output", "no grad (data, constant)", "neuron or layer (one call)"]
    single = nn.Neuron(2, seed=0)
    y = single([0.5, -0.2])
    y.backward()
    legend = re.findall(r'BORDER="1" COLOR="[^"]+">([^<]+)</TD>', viz.draw(y, model=single, level="neurons").source)
    assert "neuron or layer (one call)" not in legend and "output" in legend  # its one box is the output
