"""Reductions: sum, max and min over an axis (or all axes).

A sum adds many inputs into one output, so each input's local gradient is 1:
the upstream gradient is copied back to every element that was summed (a
broadcast, the mirror image of broadcasting's backward). The max gate of the
scalar case becomes a routing rule: the gradient goes to the element that was
largest, shared evenly on a tie, as in ``torch.amax``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import numerics
from .function import Function, plain
from .graph import values_of
from .shapes import BroadcastTo

Axis = int | tuple[int, ...] | None


def _axes(axis: Axis, ndim: int) -> tuple[int, ...]:
    """The reduced axes as non-negative ints.

    A single number (0-d) has no axes to reduce; axis 0 or -1 is taken for it
    all the same, as numpy and PyTorch take it, and reduces nothing.
    """
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    if ndim == 0:
        return ()
    return tuple(int(a) % ndim for a in axes)


def reduced_count(shape: tuple[int, ...], axis: Axis) -> int:
    """How many elements a reduction over ``axis`` combines into each output element."""
    return math.prod(shape[a] for a in _axes(axis, len(shape)))


def expand_back(grad: Any, input_shape: tuple[int, ...], axis: Axis, keepdims: bool) -> Any:
    """The gradient of a reduction's output, copied back over the reduced axes to ``input_shape``."""
    if not keepdims:
        kept = list(input_shape)
        for a in _axes(axis, len(input_shape)):
            kept[a] = 1
        grad = grad.reshape(tuple(kept))
    return BroadcastTo.apply(grad, shape=input_shape)


class _Reduction(Function):
    """An op that reduces ``axis`` (all axes when None), keeping it as size 1 when ``keepdims``."""

    __slots__ = ("axis", "keepdims")

    def __init__(self, axis: Axis = None, keepdims: bool = False):
        self.axis = axis
        self.keepdims = numerics.checked_flag("keepdims", keepdims)


class Sum(_Reduction):
    """Sum over ``axis`` (all axes when None): local gradient 1 for every summed element."""

    __slots__ = ()
    shared = True

    def forward(self, x):
        return np.sum(x, axis=self.axis, keepdims=self.keepdims)

    def backward(self, grad, out, x):
        return expand_back(grad, np.shape(plain(x)), self.axis, self.keepdims)


class Mean(_Reduction):
    """Average over ``axis``: local gradient ``1/n`` for each of the ``n`` averaged elements.

    The mean of nothing (``n = 0``) is ``0/0 = nan``, as in numpy and PyTorch.
    """

    __slots__ = ()
    shared = True

    def forward(self, x):
        return numerics.divide(np.sum(x, axis=self.axis, keepdims=self.keepdims), reduced_count(np.shape(x), self.axis))

    def backward(self, grad, out, x):
        shape = np.shape(plain(x))
        count = reduced_count(shape, self.axis)
        return expand_back(grad, shape, self.axis, self.keepdims) * numerics.divide(1.0, float(count))


class _Extreme(_Reduction):
    """Shared by ``Max`` and ``Min``: the gradient goes to the elements equal to the result."""

    __slots__ = ()

    def forward(self, x):
        if reduced_count(np.shape(x), self.axis) == 0:  # (other axes may be empty: the result is empty then)
            over = "all axes" if self.axis is None else f"axis {self.axis}"
            raise ValueError(f"{self.name}(): cannot reduce an empty array of shape {np.shape(x)} over {over}")
        return self.pick(x, axis=self.axis, keepdims=self.keepdims)

    def backward(self, grad, out, x):
        x = np.asarray(values_of(x))
        chosen = (x == expand_back(values_of(out), x.shape, self.axis, self.keepdims)).astype(x.dtype)
        with numerics._quiet():  # a nan result matches nothing: 0/0 gives nan gradients, as torch.amax does
            share = chosen / chosen.sum(axis=self.axis, keepdims=True)  # 1, or 1/k for a k-way tie
        return expand_back(grad, x.shape, self.axis, self.keepdims) * share


class Max(_Extreme):
    """Largest element over ``axis``: the gradient flows to it alone (split evenly on a tie)."""

    __slots__ = ()
    shared = True
    pick = staticmethod(np.max)


class Min(_Extreme):
    """Smallest element over ``axis``: the gradient flows to it alone (split evenly on a tie)."""

    __slots__ = ()
    shared = True
    pick = staticmethod(np.min)
