"""Drawing torch computations: ``viz.trace_torch`` and ``viz.draw`` of a ``torch.Tensor``, checked against torch."""

import re

import numpy as np
import pytest

import viz

torch = pytest.importorskip("torch")
functional = pytest.importorskip("torch.nn.functional")

TOLERANCE = 1e-12


def scalar(value):
    return torch.tensor(value, dtype=torch.float64, requires_grad=True)


def traced_example_a():
    """Worked example A, f = (x + y) * z at x = -2, y = 5, z = -4, traced from torch and backpropagated."""
    with viz.trace_torch():
        x, y, z = scalar(-2.0), scalar(5.0), scalar(-4.0)
        q = x + y
        f = q * z
    f.backward()
    return x, y, z, q, f


def boxes(source):
    """``{node id: 'data .. | grad ..'}`` from a drawing's DOT text."""
    found = {}
    for node_id, label in re.findall(r"^\t(v\d+) \[label=<(.*?)> ", source, flags=re.MULTILINE):
        cells = re.findall(r"<TD>(?:<FONT[^>]*>)?(.*?)(?:</FONT>)?</TD>", label)
        found[node_id] = " | ".join(cell for cell in cells if not cell.startswith("shape"))
    return found


def test_worked_example_a_traced_from_torch_shows_minus_12_and_the_gradients_minus_4_and_3():
    *_, f = traced_example_a()
    source = viz.draw(f, show_local_grads=True).source
    assert sorted(boxes(source).values()) == sorted(
        [
            "data -2 | grad -4",
            "data 5 | grad -4",
            "data 3 | grad -4",
            "data -4 | grad 3",
            "<B>output</B> | data -12 | grad 1",
        ]
    )
    assert re.findall(r"label=(add|mul) ", source) == ["add", "mul"]  # torch's names of the ops
    # d(q*z)/dq = z = -4, d(q*z)/dz = q = 3, d(x+y)/dx = d(x+y)/dy = 1; each share is upstream x local
    assert sorted(re.findall(r"local (-?\d+)</TD>", source)) == sorted(["1", "1", "-4", "3"])
    assert sorted(re.findall(r"share (-?\d+)</FONT>", source)) == sorted(["-4", "-4", "-4", "3"])


def test_the_backprop_steps_of_a_traced_graph_give_torchs_gradients():
    x, y, z, q, f = traced_example_a()
    steps = viz.backprop_steps(f)
    assert [float(step.gradient) for step in steps] == [1.0, 3.0, -4.0, -4.0, -4.0]
    assert steps[1].text == "grad of the leaf (data -4) = upstream × local = 1 × 3 (from the mul node (data -12)) = 3"
    torch_grads = {-2.0: x.grad, 5.0: y.grad, -4.0: z.grad, 3.0: q.grad}
    for step in steps[1:]:
        assert float(step.gradient) == float(torch_grads[float(step.node.data)])
    player = viz.backprop_player(f)
    assert len(player) == 5 and "mul" in player.html()


def small_mlp():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1)).double()


def traced_mlp_loss(model):
    x = torch.tensor([[0.5, -1.0], [1.5, 2.0], [-0.3, 0.8]], dtype=torch.float64)
    target = torch.tensor([[1.0], [-1.0], [0.5]], dtype=torch.float64)
    with viz.trace_torch():
        hidden = torch.tanh(model[0](x))
        loss = functional.mse_loss(model[2](hidden), target)
    loss.backward()
    return hidden, loss


def test_a_traced_mlp_has_every_value_and_gradient_of_torch_and_its_parameters_named():
    model = small_mlp()
    hidden, loss = traced_mlp_loss(model)
    steps = viz.backprop_steps(loss, model=model, max_nodes=None)
    by_name = {step.name: step for step in steps}
    for name, parameter in model.named_parameters():
        np.testing.assert_allclose(by_name[name].gradient, parameter.grad.numpy(), rtol=0, atol=TOLERANCE)
        np.testing.assert_array_equal(by_name[name].node.data, parameter.detach().numpy())
    tanh_step = by_name["the tanh node of shape (3, 3)"]
    np.testing.assert_array_equal(tanh_step.node.data, hidden.detach().numpy())
    np.testing.assert_allclose(tanh_step.gradient, hidden.grad.numpy(), rtol=0, atol=TOLERANCE)
    source = viz.draw(loss, model=model, show_local_grads=True).source
    assert "<B>0.weight</B>" in source and "<B>2.bias</B>" in source
    assert {"linear", "tanh", "mse_loss"} == set(re.findall(r"label=([a-z_]+) color", source))


def test_drawing_a_torch_graph_gives_the_same_dot_text_every_time():
    sources = [viz.draw(traced_mlp_loss(small_mlp())[1], show_local_grads=True).source for _ in range(2)]
    untraced = []
    for _ in range(2):
        model = small_mlp()
        loss = model(torch.ones(2, 2, dtype=torch.float64)).sum()
        loss.backward()
        untraced.append(viz.draw(loss, model=model).source)
    assert sources[0] == sources[1] and untraced[0] == untraced[1]


def test_an_untraced_result_shows_torchs_backward_functions_and_the_leaves_with_data_and_grad():
    model = small_mlp()
    loss = model(torch.tensor([[0.5, -1.0]], dtype=torch.float64)).pow(2).sum()
    loss.backward()
    source = viz.draw(loss, model=model).source
    assert re.findall(r"label=(\w+) color", source) == [
        "TBackward0",
        "AddmmBackward0",
        "TanhBackward0",
        "TBackward0",
        "AddmmBackward0",
        "PowBackward0",
        "SumBackward0",
    ]
    weight_box = re.search(r"<B>0\.weight</B>.*?</TABLE>", source).group()
    assert f"grad [[{model[0].weight.grad[0, 0].item():.4g} " in weight_box
    assert f"data [[{model[0].weight[0, 0].item():.4g} " in weight_box
    assert "data ?" in source  # torch keeps no values between its backward functions
    assert "grad ?: torch keeps no values or gradients between its backward functions" in source
    assert "not computed yet" not in source  # (backward() was called)
    fresh = model(torch.tensor([[0.5, -1.0]], dtype=torch.float64)).sum()
    model.zero_grad()
    assert "not computed yet (call backward() on the output)" in viz.draw(fresh, model=model).source
    for show in (lambda: viz.draw(loss, show_local_grads=True), lambda: viz.backprop_steps(loss)):
        with pytest.raises(RuntimeError, match=r"keeps no values .*viz\.trace_torch\(\)"):
            show()


def test_a_deep_untraced_torch_graph_is_walked_without_recursion():
    x = scalar(0.5)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    drawing = viz.draw(y, max_nodes=10)
    assert "left out: 4991 of 5001 nodes" in drawing.source


def test_a_value_changed_in_place_is_drawn_as_it_was_when_used():
    with viz.trace_torch():
        x = scalar(1.0)
        y = x * 2
        y.add_(1)
        z = y * 3
    z.backward()
    values = sorted(boxes(viz.draw(z).source).values())
    assert values == sorted(
        ["data 1 | grad 6", "data 2 | grad ?", "data 3 | grad 3", "<B>output</B> | data 9 | grad 1"]
    )
    assert [float(step.gradient) for step in viz.backprop_steps(z)] == [1.0, 3.0, 3.0, 6.0]


def test_dropout_in_training_is_stepped_through_with_the_mask_torch_drew():
    torch.manual_seed(3)
    with viz.trace_torch():
        x = torch.arange(1.0, 9.0, dtype=torch.float64).requires_grad_()
        loss = (functional.dropout(x, 0.5, training=True) ** 2).sum()
    loss.backward()
    steps = viz.backprop_steps(loss)
    leaf = steps[-1]
    assert leaf.node.op is None
    np.testing.assert_allclose(leaf.gradient, x.grad.numpy(), rtol=0, atol=TOLERANCE)
    assert 0 < np.count_nonzero(x.grad.numpy()) < 8  # some units dropped, some kept


def test_float32_values_stay_float32():
    with viz.trace_torch():
        w = torch.ones(2, 2, requires_grad=True)
        loss = (w @ torch.ones(2)).sum()
    loss.backward()
    source = viz.draw(loss).source
    assert "float32" in source and "float64" not in source


def test_a_tensor_with_no_computation_behind_it_is_refused_with_what_to_do():
    with pytest.raises(TypeError, match=r"got torch\.Tensor with no computation behind it .*requires_grad=True"):
        viz.draw(torch.ones(2))


def test_a_parameter_updated_under_no_grad_inside_the_trace_is_a_leaf_as_in_torch():
    with viz.trace_torch():
        w = scalar(2.0)
        (w * 3).backward()
        with torch.no_grad():
            w -= 0.5 * w.grad  # an SGD step: 2 - 0.5 * 3
        loss = w * w
    loss.backward()
    assert sorted(boxes(viz.draw(loss).source).values()) == ["<B>output</B> | data 0.25 | grad 1", "data 0.5 | grad 4"]


def test_a_value_changed_in_place_afterwards_says_why_its_grad_is_not_drawn():
    x = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
    with viz.trace_torch():
        h = x * 3
        h.mul_(2)  # torch's h.grad is now d(y)/d(2 * 3x) = [1, 1], not d(y)/d(3x) = [2, 2]
        y = h.sum()
    y.backward()
    source = viz.draw(y, show_local_grads=True).source
    assert 'data [3 -6]</TD></TR><TR><TD><FONT COLOR="#b3261e">grad ?' in source
    assert "changed in place afterwards (x.mul_(2)): torch's .grad is the new value's" in source
    assert "cleared by zero_grad()" not in source  # (the note had blamed zero_grad())


def _leaf_steps(output):
    """The gradient each leaf gets in the backprop steps, by the leaf's data (as a tuple)."""
    return {
        tuple(np.ravel(step.node.data)): np.asarray(step.gradient)
        for step in viz.backprop_steps(output)
        if step.node.op is None
    }


def test_an_in_place_change_under_no_grad_is_not_an_op_as_in_torch():
    # torch's autograd never sees y.mul_(5) under no_grad: d(z)/dx = 1. It had been drawn as an op: 5.
    with viz.trace_torch():
        x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
        y = x + 1
        with torch.no_grad():
            y.mul_(5)
        z = y.sum()
    z.backward()
    source = viz.draw(z, show_local_grads=True).source
    assert re.findall(r"label=([a-z_]+) color", source) == ["add", "sum"]
    assert "data [10 15]" in source  # y as the sum used it
    np.testing.assert_array_equal(_leaf_steps(z)[(1.0, 2.0)], x.grad.numpy())


def test_an_item_assignment_is_an_op_and_what_came_before_it_stays_drawn():
    # y[0] = 0.0 had not been recorded: y became a drawn leaf, and x and its gradient were gone.
    with viz.trace_torch():
        x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
        y = x * 2
        y[0] = 0.0
        y.add_(1)
        z = (y * y).sum()
    z.backward()
    assert "setitem" in re.findall(r"label=([a-z_]+) color", viz.draw(z).source)
    np.testing.assert_array_equal(_leaf_steps(z)[(1.0, 2.0, 3.0)], x.grad.numpy())
    assert x.grad.tolist() == [0.0, 20.0, 28.0]


def test_a_transpose_property_class_indices_and_float32_are_traced():
    # W.T had not been recorded, class indices had stopped the drawing, and check=True had failed every float32 op.
    W = torch.tensor([[1.0, 2.0], [3.0, -4.0]], requires_grad=True)  # float32, torch's default
    targets = torch.tensor([1, 0])
    with viz.trace_torch():
        loss = torch.nn.functional.cross_entropy(torch.tensor([[1.0, -1.0], [0.5, 2.0]]) @ W.T, targets)
    loss.backward()
    source = viz.draw(loss, check=True).source
    assert "T" in re.findall(r"label=(\w+) color", source)
    assert "3 of 3 ops pass the gradient check" in source
    np.testing.assert_allclose(_leaf_steps(loss)[(1.0, 2.0, 3.0, -4.0)], W.grad.numpy(), rtol=1e-6)


def test_a_parameter_stepped_since_has_no_grad_drawn_and_the_note_says_why():
    # After the step its .grad may already be a later graph's; the steps still give this graph's gradient.
    model = torch.nn.Linear(2, 1, bias=False, dtype=torch.float64)
    with viz.trace_torch():
        loss = model(torch.tensor([[1.0, 2.0]], dtype=torch.float64)).sum()
    loss.backward()
    torch.optim.SGD(model.parameters(), lr=0.1).step()
    source = viz.draw(loss).source
    assert "grad [[1 2]]" not in source and "changed in place since, by an optimizer step say" in source
    assert _leaf_steps(loss)[tuple(model.weight.detach().numpy().ravel() + 0.1 * np.array([1.0, 2.0]))].tolist() == [
        [1.0, 2.0]
    ]


def test_local_gradients_and_steps_of_a_traced_non_scalar_output():
    x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    with viz.trace_torch():
        y = x.exp() * x
    with pytest.raises(ValueError, match=r"an output of shape \(2,\) start from its gradient: call backward"):
        viz.backprop_steps(y)
    y.backward(torch.tensor([1.0, 10.0], dtype=torch.float64))
    assert len(viz.local_gradients(y)) == 2  # (a torch tensor had raised AttributeError)
    np.testing.assert_allclose(_leaf_steps(y)[(1.0, 2.0)], x.grad.numpy(), rtol=1e-12)


def test_each_value_changed_under_no_grad_is_its_own_node():
    # Two such changes of one tensor had been one node, drawn with the first numbers; its steps then failed.
    w = torch.tensor([1.0, 1.0], dtype=torch.float64, requires_grad=True)
    with viz.trace_torch():
        x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
        y = x * 2
        with torch.no_grad():
            y.add_(10)
        a = (y + w).sum()
        with torch.no_grad():
            y.add_(100)
        total = a + (y * w).sum()
    total.backward()
    source = viz.draw(total, show_local_grads=True).source
    assert "data [12 14]" in source and "data [112 114]" in source
    np.testing.assert_array_equal(_leaf_steps(total)[(1.0, 1.0)], w.grad.numpy())
    np.testing.assert_array_equal(_leaf_steps(total)[(1.0, 2.0)], x.grad.numpy())


def test_float32_rounding_of_a_rerun_is_not_taken_for_another_result():
    # x @ W.T and a sum that cancels round differently when run again on contiguous or float64 copies.
    W = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
    X = torch.tensor([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6], [0.7, 0.8]])
    with viz.trace_torch():
        loss = (X @ W.T).sum() + torch.tensor([1e4, 1.0001, -1e4]).mul(W[0, 0]).sum()
    loss.backward()
    np.testing.assert_allclose(_leaf_steps(loss)[tuple(W.detach().numpy().ravel())], W.grad.numpy(), rtol=1e-5)
    assert "ops pass the gradient check" in viz.draw(loss, check=True).source
    assert "failing" not in viz.draw(loss, check=True).source


def test_a_tensor_filled_by_item_assignment_was_a_constant_before():
    w = torch.tensor([2.0, -3.0], dtype=torch.float64, requires_grad=True)
    with viz.trace_torch():
        y = torch.zeros(4, dtype=torch.float64)
        y[1:3] = w * 2
        loss = (y * y).sum()
    loss.backward()
    leaves = [step.node for step in viz.backprop_steps(loss) if step.node.op is None]
    assert len(leaves) == 1 and leaves[0].data.tolist() == [2.0, -3.0]  # the zeros want no gradient, as in torch


def test_steps_start_from_the_gradient_backward_gave_the_output():
    x = torch.tensor([3.0], dtype=torch.float64, requires_grad=True)
    with viz.trace_torch():
        z = x * x
    z.backward(torch.tensor([5.0], dtype=torch.float64))  # dz/dx = 2 x = 6, times 5
    assert _leaf_steps(z)[(3.0,)].tolist() == [30.0] == x.grad.tolist()
