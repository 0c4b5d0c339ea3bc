"""Drawing ``Tensor`` graphs: shapes, dtypes, summaries of data and grad, local gradients, backprop steps.

The numbers of worked example C come from notebook 02; the local
gradients on array edges are checked against finite differences of
``sum(op(inputs))``, which is what an upstream gradient of ones asks for.
"""

from __future__ import annotations

import numpy as np
import pytest

import viz
from autograd import Tensor, conv2d, max_pool2d, topological_order


def _example_c():
    """Worked example C: ``f = ||W x||**2`` with W = [[0.1, 0.5], [-0.3, 0.8]], x = [0.2, 0.4]."""
    W = Tensor([[0.1, 0.5], [-0.3, 0.8]], requires_grad=True, label="W")
    x = Tensor([0.2, 0.4], requires_grad=True, label="x")
    q = W @ x
    q.label = "q"
    f = (q * q).sum()
    f.label = "f"
    return W, x, q, f


def _labels(parse_dot, source):
    nodes, edges = parse_dot(source)
    return {node_id: label for node_id, (label, _) in nodes.items()}, edges


def test_example_c_boxes_show_shape_dtype_data_and_grad(parse_dot):
    *_, f = _example_c()
    f.backward()
    source = viz.draw(f, show_local_grads=True).source
    labels, edges = _labels(parse_dot, source)
    values = set(labels.values())
    # Notebook 02: q = [0.22, 0.26], f = 0.116, df/dW = 2 q x^T, df/dx = 2 W^T q, df/dq = 2q.
    assert "W | shape (2, 2) float64 | data [[0.1 0.5] [-0.3 0.8]] | grad [[0.088 0.176] [0.104 0.208]]" in values
    assert "x | shape (2,) float64 | data [0.2 0.4] | grad [-0.112 0.636]" in values
    assert "q | shape (2,) float64 | data [0.22 0.26] | grad [0.44 0.52]" in values
    assert "f | shape () float64 | data 0.116 | grad 1" in values
    assert {"@", "*", "sum"} <= {label for node_id, label in labels.items() if node_id.startswith("op")}
    q_id = next(node_id for node_id, label in labels.items() if label.startswith("q |"))
    # The mul gate's local gradient for each input is the other input: q itself, on both edges of q * q;
    # the upstream grad is 1 everywhere (sum), so each share is q too, and the two add up to q's grad 2q.
    assert [label for tail, _, label, _ in edges if tail == q_id] == ["local [0.22 0.26] | share [0.22 0.26]"] * 2
    # Into @ only the share is drawn: W's is the outer product 2 q x^T, not a product of numbers on the picture.
    W_id = next(node_id for node_id, label in labels.items() if label.startswith("W |"))
    assert [label for tail, _, label, _ in edges if tail == W_id] == ["share [[0.088 0.176] [0.104 0.208]]"]
    assert "edge into @, sum: share = the op's backward applied to the upstream grad" in source  # one @ node for W @ x
    assert "upstream grad (the op output's grad) × local = share" in source


def test_before_backward_tensor_gradients_are_marked_not_computed(parse_dot):
    *_, f = _example_c()
    source = viz.draw(f).source
    labels, _ = _labels(parse_dot, source)
    assert labels and all(label.endswith("grad ?") for node_id, label in labels.items() if node_id.startswith("v"))
    assert "gradient not computed yet" in source and "grad [0 0]" not in source


def test_large_arrays_are_summarised_by_mean_and_norm_and_float32_is_kept(parse_dot):
    values = np.arange(12.0, dtype=np.float32).reshape(3, 4) - 4
    big = Tensor(values, requires_grad=True, label="big")
    out = (big * big).sum()
    out.backward()
    labels, _ = _labels(parse_dot, viz.draw(out).source)
    (label,) = [label for label in labels.values() if label.startswith("big")]
    flat = values.astype(np.float64).ravel()
    assert label == (
        f"big | shape (3, 4) float32 | data mean {flat.mean():.4g}, norm {np.linalg.norm(flat):.4g}"
        f" | grad mean {np.mean(2 * flat):.4g}, norm {np.linalg.norm(2 * flat):.4g}"
    )


def test_tensor_dot_text_is_the_same_for_the_same_graph():
    first, second = (_example_c()[-1] for _ in range(2))
    first.backward()
    second.backward()
    assert viz.draw(first, show_local_grads=True).source == viz.draw(second, show_local_grads=True).source


_ARRAY_OPS = {
    "matmul": (lambda a, b: a @ b, (3, 2), (2, 4)),
    "broadcast add": (lambda a, b: a + b, (3, 4), (4,)),
    "mul": (lambda a, b: a * b, (3, 4), (3, 4)),
    "tanh": (lambda a, b: (a * b).tanh(), (2, 3), (2, 3)),
    "mean over an axis": (lambda a, b: (a - b).mean(axis=0), (3, 2), (3, 2)),
    "indexing": (lambda a, b: a[np.array([0, 2, 2])], (3, 2), (1,)),
    "log_softmax": (lambda a, b: a.log_softmax(axis=1), (2, 3), (1,)),
    "conv2d": (lambda a, b: conv2d(a, b, padding=1), (1, 2, 4, 4), (3, 2, 3, 3)),
    "max_pool2d": (lambda a, b: max_pool2d(a, 2), (1, 2, 4, 4), (1,)),
}


@pytest.mark.parametrize(("f", "shape_a", "shape_b"), _ARRAY_OPS.values(), ids=_ARRAY_OPS.keys())
def test_array_local_gradients_are_the_gradient_of_the_summed_output(f, shape_a, shape_b):
    """On an array edge, local = d(sum(op output))/d(input): checked by perturbing the op's forward."""
    rng = np.random.default_rng(3)
    a = Tensor(rng.normal(size=shape_a), requires_grad=True)
    b = Tensor(rng.normal(size=shape_b), requires_grad=True)
    out = f(a, b)
    inputs = [parent.data for parent in out.parents]
    h = 1e-6
    locals_ = viz.local_gradients(out)
    assert any(local is not None for local in locals_)
    for position, local in enumerate(locals_):
        if local is None:
            continue
        numeric = np.zeros_like(inputs[position])
        for index in np.ndindex(numeric.shape):
            shifted = []
            for step in (h, -h):
                moved = [x.copy() for x in inputs]
                moved[position][index] += step
                shifted.append(np.sum(out.op.forward(*moved)))
            numeric[index] = (shifted[0] - shifted[1]) / (2 * h)
        np.testing.assert_allclose(local, numeric, rtol=1e-6, atol=1e-8)


def test_tensor_steps_match_backward_and_name_the_op():
    W, _, q, f = _example_c()
    steps = viz.backprop_steps(f)
    assert [step.node for step in steps] == list(reversed(topological_order(f)))
    f.backward()
    for step in steps:
        np.testing.assert_array_equal(step.gradient, step.node.grad)
    (w_step,) = [step for step in steps if step.node is W]
    assert w_step.text.startswith("grad of W: @'s backward turns the upstream [0.44 0.52] (from q via @)")  # q's own
    assert w_step.text.endswith("into [[0.088 0.176] [0.104 0.208]]")
    (q_step,) = [step for step in steps if step.node is q]
    assert q_step.text.endswith("total [0.44 0.52]")  # q * q: two parts, q each
    for step in steps:
        if step.terms:
            np.testing.assert_allclose(sum(term.downstream for term in step.terms), step.node.grad)


def test_tensor_player_has_a_frame_per_node():
    *_, f = _example_c()
    player = viz.backprop_player(f)
    assert len(player) == len(topological_order(f))
    assert len(player.frames()) == len(player) and player.html().count("<svg") == 1


def test_a_vector_in_a_matrix_product_is_drawn_as_the_vector_it_is():
    W = Tensor(np.ones((2, 2)), requires_grad=True, label="W")
    x = Tensor([1.0, -1.0], label="x")  # a vector, drawn as one: shape (2,), one @ node
    source = viz.draw((W @ x).sum()).source
    assert "<B>x</B>" in source and "shape (2,) float64" in source  # (it had been a constant of shape (2, 1))
    assert "reshape" not in source  # (and a reshape node, which the learner never wrote)
