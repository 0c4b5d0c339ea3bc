"""Matrix multiplication, the workhorse of every layer.

For ``out = a @ b`` the chain rule, written out element by element and then
gathered back into matrices, gives ``grad_a = grad @ b.T`` and
``grad_b = a.T @ grad``: the only products whose shapes fit, which is a good
way to remember them. Stacks of matrices (batched matmul) broadcast over the
leading axes like numpy, so their gradients are summed back with ``sum_to``.
Vectors are turned into one-row or one-column matrices by ``Tensor.matmul``
before this op sees them.
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
    """``a @ b`` for matrices or stacks of matrices (both inputs at least 2-D)."""

    __slots__ = ()
    shared = True
    name = "@"

    def forward(self, a, b):
        return a @ b

    def backward(self, grad, out, a, b):
        need_a, need_b = self.needs_input_grad
        grad_a = sum_to(grad @ _swap_last_two(b), np.shape(plain(a))) if need_a else None
        grad_b = sum_to(_swap_last_two(a) @ grad, np.shape(plain(b))) if need_b else None
        return grad_a, grad_b
