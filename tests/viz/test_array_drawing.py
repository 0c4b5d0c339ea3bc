"""Drawing nodes that hold numpy arrays, with a small array node of the test's own.

``viz`` draws through the ``Node`` API only, so any node kind whose data is an
array gets shapes, dtypes and summaries. (``test_tensor_drawing.py`` repeats
the worked example with ``autograd.Tensor``.)
"""

from __future__ import annotations

import numpy as np

import viz
from autograd import Function, Node, topological_order
from autograd.elementwise import Mul


class ArrayNode(Node):
    """Just enough of a tensor: numpy data, ``@``, ``*`` and ``sum``."""

    __slots__ = ()

    def __init__(self, data, requires_grad=False, label=None):
        self.data = np.asarray(data, dtype=np.float64) if np.asarray(data).dtype != np.float32 else np.asarray(data)
        self.grad = None
        self.requires_grad = requires_grad
        self.label = label
        self._parents = ()
        self._op = None

    @classmethod
    def _lift(cls, x):
        return x if isinstance(x, ArrayNode) else cls._result(np.asarray(x, dtype=np.float64), (), None)

    def _seed(self):
        return np.ones_like(self.data)

    def __matmul__(self, other):
        return MatVec.apply(self, other)

    def __mul__(self, other):
        return Mul.apply(self, other)

    def sum(self):
        return Sum.apply(self)


class MatVec(Function):
    """``W @ x`` for a matrix and a vector: local gradients ``x`` (outer product) and ``W.T``."""

    name = "matmul"

    def forward(self, W, x):
        return W @ x

    def backward(self, grad, out, W, x):
        return np.outer(grad, x), W.T @ grad


class Sum(Function):
    """Sum of all elements: local gradient 1 for each."""

    def forward(self, a):
        return np.asarray(np.sum(a))

    def backward(self, grad, out, a):
        return grad * np.ones_like(a)


def _example_c():
    """Worked example C: ``f = ||W x||**2`` with W = [[0.1, 0.5], [-0.3, 0.8]], x = [0.2, 0.4]."""
    W = ArrayNode([[0.1, 0.5], [-0.3, 0.8]], requires_grad=True, label="W")
    x = ArrayNode([0.2, 0.4], requires_grad=True, label="x")
    q = W @ x
    q.label = "q"
    f = (q * q).sum()
    f.label = "f"
    return W, x, q, f


def test_example_c_boxes_show_shapes_values_and_gradients(parse_dot):
    *_, f = _example_c()
    f.backward()
    nodes, edges = parse_dot(viz.draw(f, show_local_grads=True).source)
    labels = {label for label, _ in nodes.values()}
    assert "W | shape (2, 2) float64 | data [[0.1 0.5] [-0.3 0.8]] | grad [[0.088 0.176] [0.104 0.208]]" in labels
    assert "x | shape (2,) float64 | data [0.2 0.4] | grad [-0.112 0.636]" in labels
    assert "q | shape (2,) float64 | data [0.22 0.26] | grad [0.44 0.52]" in labels  # df/dq = 2q
    assert "f | shape () float64 | data 0.116 | grad 1" in labels
    assert {label for node_id, (label, _) in nodes.items() if node_id.startswith("op")} == {"matmul", "*", "sum"}
    q_id = next(node_id for node_id, (label, _) in nodes.items() if label.startswith("q |"))
    # The mul gate's local gradient for each input is the other input: q itself, on both edges of q * q.
    assert [label for tail, _, label, _ in edges if tail == q_id] == ["local [0.22 0.26]", "local [0.22 0.26]"]
    assert "for an array, local = what the input receives" in viz.draw(f, show_local_grads=True).source


def test_large_arrays_are_summarised_by_mean_and_norm_and_float32_is_named(parse_dot):
    values = np.arange(12.0, dtype=np.float32).reshape(3, 4) - 4
    big = ArrayNode(values, requires_grad=True, label="big")
    out = (big * big).sum()
    out.backward()
    nodes, _ = parse_dot(viz.draw(out).source)
    (label,) = [label for label, _ in nodes.values() if label.startswith("big")]
    flat = values.astype(np.float64).ravel()
    assert label == (
        f"big | shape (3, 4) float32 | data mean {flat.mean():.4g}, norm {np.linalg.norm(flat):.4g}"
        f" | grad mean {np.mean(2 * flat):.4g}, norm {np.linalg.norm(2 * flat):.4g}"
    )


def test_array_steps_match_backward_and_name_the_op():
    W, _, q, f = _example_c()
    steps = viz.backprop_steps(f)
    assert [step.node for step in steps] == list(reversed(topological_order(f)))
    f.backward()
    for step in steps:
        np.testing.assert_array_equal(step.gradient, step.node.grad)
    (w_step,) = [step for step in steps if step.node is W]
    assert w_step.text == (
        "grad of W: matmul's backward turns the upstream [0.44 0.52] (from q via matmul) "
        "into [[0.088 0.176] [0.104 0.208]]"
    )
    (q_step,) = [step for step in steps if step.node is q]
    assert q_step.text.endswith("total [0.44 0.52]")  # q * q: two parts, q each
