"""``linear``: a fully connected layer, ``x @ weight + bias``, as one op.

Written as two ops, ``x @ weight`` and ``+ bias``, a layer puts three nodes in
the graph and keeps the product as an extra array. As one op the bias is added
into the product in place, and the backward is the two backwards side by side:

- ``grad_x = grad @ weight.T`` and ``grad_weight = x.T @ grad``, as for ``@``;
- ``grad_bias = grad.sum(axis=0)``: the bias was added to every row of the
  batch, so its gradient is the sum of the rows' gradients.
"""

from __future__ import annotations

from typing import Any

from .function import Function
from .tensor import Tensor


class Linear(Function):
    """``x @ weight + bias`` for a batch ``x`` of shape ``(n, in)``, ``weight`` ``(in, out)``, ``bias`` ``(out,)``."""

    __slots__ = ()
    shared = True

    def forward(self, x, weight, bias):
        out = x @ weight
        out += bias
        return out

    def backward(self, grad, out, x, weight, bias):
        need_x, need_weight, need_bias = self.needs_input_grad
        return (
            grad @ weight.T if need_x else None,
            x.T @ grad if need_weight else None,
            grad.sum(axis=0) if need_bias else None,
        )


def linear(x: Any, weight: Any, bias: Any = None) -> Tensor:
    """``x @ weight + bias``: the layer a neural network repeats, with ``weight`` of shape ``(in, out)``.

    ``x`` is a batch ``(n, in)`` (or any shape ending in ``in``), ``bias`` a
    vector ``(out,)`` or None. A 2-D batch of one dtype takes the single
    ``linear`` op; anything else is computed with ``@`` and ``+``.
    """
    x, weight = Tensor._lift(x, weight), Tensor._lift(weight, x)
    x_shape, weight_shape = x.data.shape, weight.data.shape
    if len(weight_shape) != 2 or not x_shape or x_shape[-1] != weight_shape[0]:
        raise ValueError(
            f"linear: input of shape {x_shape} and weight of shape {weight_shape} do not fit "
            "(the weight must be (in, out) with the input's last axis of size in)"
        )
    if bias is None:
        return x @ weight
    bias = Tensor._lift(bias, x)
    if bias.data.shape != weight_shape[1:]:
        raise ValueError(
            f"linear: a bias of shape {bias.data.shape} for a weight of shape {weight_shape}; it must be {weight_shape[1:]}"
        )
    if len(x_shape) == 2 and x.data.dtype == weight.data.dtype == bias.data.dtype:
        return Linear.apply(x, weight, bias)
    return x @ weight + bias
