"""A drawing made after a leaf changed says so: the word "changed" and the leaf's name, for Value and Tensor."""

from __future__ import annotations

import re

import numpy as np

import nn
import viz
from autograd import Tensor, Value, topological_order
from viz.changed_leaves import find_changes


def _example_d():
    """Worked example D (notebook 04): ``L = ((x + y) * z + 10)**2`` at x=-2, y=5 (data) and z=-4 (a parameter)."""
    x, y = Value(-2.0, label="x", requires_grad=False), Value(5.0, label="y", requires_grad=False)
    z = Value(-4.0, label="z")
    loss = ((x + y) * z - (-10.0)) ** 2
    loss.label = "L"
    loss.backward()
    return z, loss


def test_a_drawing_after_an_sgd_step_names_the_parameter_that_changed(parse_dot):
    z, loss = _example_d()
    assert "changed" not in viz.draw(loss).source
    nn.optim.SGD([z], lr=0.01).step()  # z: -4 -> -3.88, while the drawn product still says -12
    source = viz.draw(loss, show_local_grads=True).source
    assert "changed since the output was computed: z." in source
    nodes, _ = parse_dot(source)
    assert "z | changed | data -3.88 | grad -12" in [label for label, _ in nodes.values()]
    changed = [label for label, _ in nodes.values() if "changed" in label]
    assert len(changed) == 1  # only z: the data x and y are untouched


def test_a_hand_edit_of_one_of_two_inputs_names_both_when_nothing_tells_them_apart(example_a):
    example_a["x"].data = 1.0  # q = x + y no longer holds; x and y feed nothing else, so either may have changed
    assert "changed since the output was computed: x or y." in viz.draw(example_a["f"]).source


def test_an_input_that_also_feeds_a_result_that_still_agrees_is_cleared():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    out = a * b + (a + 1.0)
    b.data = 4.0  # a * b is outdated; a + 1 still agrees, so a did not change
    changes = find_changes(viz.graph_walk.forward_order(out))
    assert [node.label for node in changes.changed] == ["b"]
    assert "changed since the output was computed: b." in viz.draw(out).source


def test_an_in_place_edit_of_a_tensor_is_found():
    W = Tensor([[0.1, 0.5], [-0.3, 0.8]], requires_grad=True, label="W")
    x = Tensor([0.2, 0.4], label="x")
    f = ((W @ x) ** 2).sum()
    f.backward()
    assert not find_changes(viz.graph_walk.forward_order(f))
    W.data[1, 0] += 0.25  # the same array object, changed in place
    assert "changed since the output was computed: W." in viz.draw(f).source


def test_an_optimizer_step_on_a_tensor_mlp_names_every_parameter_it_moved():
    model = nn.MLP([2, 3, 1], seed=0)
    loss = nn.mse_loss(model(Tensor(np.ones((4, 2)))), Tensor(np.zeros((4, 1))))
    loss.backward()
    nn.optim.SGD(model.parameters(), lr=0.1).step()
    source = viz.draw(loss, model=model).source
    (note,) = re.findall(r"changed since the output was computed: (.*?)\. The results", source)
    # Each linear layer's result no longer matches: its weight or its bias (or both) moved; the data did not.
    assert note == "layers.0.weight or layers.0.bias, layers.2.weight or layers.2.bias"


def test_an_edit_into_another_shape_counts_as_a_change():
    W = Tensor(np.ones((2, 2)), requires_grad=True, label="W")
    f = (W @ Tensor(np.ones(2))).sum()
    W.data = np.ones((3, 3))
    assert [node.label for node in find_changes(viz.graph_walk.forward_order(f)).changed] == ["W"]


def test_a_neuron_whose_weight_changed_is_marked_in_its_box(parse_dot):
    model = nn.ScalarMLP([2, 3, 1], seed=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    model.layers[0].neurons[1].weights[0].data += 0.5  # a hand edit of one weight
    source = viz.draw(loss, model=model, level="neurons").source
    assert "changed since the output was computed: l0.n1.w0." in source
    nodes, _ = parse_dot(source)
    marked = sorted(label.split(" |")[0] for label, _ in nodes.values() if "| changed |" in label)
    assert marked == ["l0.n1"]


def test_after_an_optimizer_step_only_the_parameters_are_named_not_results_they_outdated():
    model = nn.ScalarMLP([2, 2, 1], seed=0)
    loss = (model([1.0, 2.0]) - 1.0) ** 2
    loss.backward()
    nn.optim.SGD(model.parameters(), lr=0.1).step()
    changes = find_changes(topological_order(loss))
    assert changes and set(changes.changed) == set(model.parameters())  # w * x results are outdated, not edited
