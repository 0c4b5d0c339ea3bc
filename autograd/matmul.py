"""Matrix multiplication, the workhorse of every layer.

For ``out = a @ b`` the chain rule, written out element by element and then
gathered back into matrices, gives ``grad_a = grad @ b.T`` and
``grad_b = a.T @ grad``: the only products whose shapes fit, which is a good
way to remember them. Stacks of matrices (batched matmul) broadcast over the
leading axes like numpy, so their gradients are summed back with ``sum_to``.
A vector is a one-row matrix on the left and a one-column matrix on the
right, whose axis numpy drops from the result: backward puts the axis back,
applies the same two rules, and hands the vector a vector.
"""

from __future__ import annotations

import numpy as np

from .function import Function, plain
from .shapes import sum_to


def _swap_last_two(x):
    """The transpose of each matrix in a stack (``.T`` for a plain matrix)."""
    ndim = np.ndim(plain(x))
    if ndim == 2:
        return x.T
    return x.transpose((*range(ndim - 2), ndim - 1, ndim - 2))


class MatMul(Function):
    """``a @ b`` for vectors, matrices or stacks of matrices, as numpy's ``matmul``."""

    __slots__ = ()
    shared = True
    name = "@"

    def forward(self, a, b):
        return a @ b

    def backward(self, grad, out, a, b):
        need_a, need_b = self.needs_input_grad
        a_shape, b_shape = np.shape(plain(a)), np.shape(plain(b))
        if len(b_shape) == 1:  # a column: the result lost its last axis
            grad, b = _with_axis(grad, -1), b.reshape(b_shape[0], 1)
        if len(a_shape) == 1:  # a row: the result lost its second-to-last axis
            grad, a = _with_axis(grad, -2), a.reshape(1, a_shape[0])
        grad_a = _in_shape(sum_to(grad @ _swap_last_two(b), np.shape(plain(a))), a_shape) if need_a else None
        grad_b = _in_shape(sum_to(_swap_last_two(a) @ grad, np.shape(plain(b))), b_shape) if need_b else None
        return grad_a, grad_b


def _in_shape(grad, shape):
    """``grad`` in its input's shape: a vector's gradient back from a one-row or one-column matrix.

    A matrix's gradient is handed on as it is, an array of its own: a reshape
    would make it a view, which ``backward()`` copies before keeping it as ``.grad``.
    """
    return grad if np.shape(plain(grad)) == shape else grad.reshape(shape)


def _with_axis(x, axis):
    """``x`` with an axis of size 1 inserted at ``axis`` (-1: last, -2: before the last)."""
    shape = list(np.shape(plain(x)))
    shape.insert(len(shape) + 1 + axis, 1)
    return x.reshape(*shape)
