"""``autograd.linear``: one op for a 2-D batch, the general ops otherwise, and clear errors."""

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value, gradcheck, topological_order

RNG = np.random.default_rng(0)


def op_names(node):
    return [n.op.name for n in topological_order(node) if n.op is not None]


def test_a_2d_batch_is_one_linear_node_with_the_gradients_by_hand():
    x = Tensor(RNG.standard_normal((3, 4)), requires_grad=True)
    w, b = Tensor(RNG.standard_normal((4, 2)), requires_grad=True), Tensor([0.5, -1.0], requires_grad=True)
    out = autograd.linear(x, w, b)
    assert op_names(out) == ["linear"]
    np.testing.assert_allclose(out.data, x.data @ w.data + b.data, rtol=1e-15)
    upstream = RNG.standard_normal((3, 2))
    out.backward(upstream)
    np.testing.assert_allclose(x.grad, upstream @ w.data.T, rtol=1e-15)
    np.testing.assert_allclose(w.grad, x.data.T @ upstream, rtol=1e-15)
    np.testing.assert_allclose(b.grad, upstream.sum(axis=0), rtol=1e-15)


def test_finite_differences_agree():
    x, w, b = (Tensor(RNG.standard_normal(shape), requires_grad=True) for shape in [(5, 3), (3, 4), (4,)])
    assert gradcheck(autograd.linear, x, w, b)


def test_only_the_inputs_that_need_a_gradient_get_one():
    x, w, b = Tensor(np.ones((2, 3))), Tensor(np.ones((3, 2)), requires_grad=True), Tensor(np.zeros(2))
    autograd.linear(x, w, b).sum().backward()
    assert x.grad is None and b.grad is None
    np.testing.assert_array_equal(w.grad, np.full((3, 2), 2.0))


def test_float32_stays_float32_and_mixed_dtypes_promote_like_numpy():
    x, w, b = (Tensor(np.ones(shape, np.float32), requires_grad=True) for shape in [(2, 3), (3, 4), (4,)])
    out = autograd.linear(x, w, b)
    out.sum().backward()
    assert out.dtype == w.grad.dtype == b.grad.dtype == np.float32
    mixed = autograd.linear(x, w, Tensor(np.ones(4)))
    assert mixed.dtype == np.float64 and op_names(mixed) != ["linear"]


def test_without_a_bias_or_on_more_axes_it_is_made_of_matmul_and_add():
    x, w, b = Tensor(np.ones((2, 5, 3))), Tensor(np.ones((3, 4)), requires_grad=True), Tensor(np.ones(4))
    assert autograd.linear(x, w, b).shape == (2, 5, 4)
    assert op_names(autograd.linear(x[0], w)) == ["@"]


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        (((2, 3), (4, 5), (5,)), ValueError, r"input of shape \(2, 3\) and weight of shape \(4, 5\) do not fit"),
        (((2, 3), (3,), None), ValueError, r"weight of shape \(3,\)"),
        (((), (3, 4), None), ValueError, r"input of shape \(\)"),
        (((2, 3), (3, 4), (3,)), ValueError, r"bias of shape \(3,\) for a weight of shape \(3, 4\); it must be \(4,\)"),
    ],
)
def test_shapes_that_do_not_fit_are_named(arguments, error, message):
    tensors = [None if shape is None else Tensor(np.ones(shape)) for shape in arguments]
    with pytest.raises(error, match=message):
        autograd.linear(*tensors)


def test_values_are_refused():
    with pytest.raises(TypeError, match="Values do not mix"):
        autograd.linear(Value(1.0), Tensor(np.ones((1, 1))))
