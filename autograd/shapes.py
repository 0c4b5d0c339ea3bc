"""Ops that move numbers around without changing them: reshape, transpose, broadcast, index, concatenate.

Their local gradient is a routing rule, not a formula: the gradient of each
output element goes back to the input element it came from. So the backward
of a reshape is a reshape back, of a transpose the inverse transpose, of an
index a scatter into zeros, and of a broadcast (one input element copied to
many outputs) the *sum* of the copies' gradients.

Each ``backward`` is written with ops that work on plain arrays and on
tensors alike, so second derivatives flow through them too.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .function import Function, plain

Shape = tuple[int, ...]


def sum_to(grad: Any, shape: Shape) -> Any:
    """Sum a broadcast gradient back down to ``shape``: the backward of numpy broadcasting.

    Axes that broadcasting added in front are summed away; axes of size 1 that
    it stretched are summed with ``keepdims``. Works on arrays and tensors.
    """
    if grad.shape == shape:
        return grad
    added = grad.ndim - len(shape)
    stretched = tuple(added + i for i, size in enumerate(shape) if size == 1 and grad.shape[added + i] != 1)
    summed = grad.sum(axis=tuple(range(added)) + stretched, keepdims=True)
    return summed.reshape(shape)


class BroadcastTo(Function):
    """Copy the input along new or size-1 axes to ``shape``; backward sums the copies."""

    __slots__ = ("shape",)
    name = "broadcast"

    def __init__(self, shape: Shape):
        self.shape = tuple(shape)

    def forward(self, x):
        return np.broadcast_to(x, self.shape)

    def backward(self, grad, out, x):
        return sum_to(grad, np.shape(plain(x)))


class Reshape(Function):
    """The same numbers in a new shape; the gradient is reshaped back."""

    __slots__ = ("shape",)

    def __init__(self, shape: Shape):
        self.shape = tuple(shape)

    def forward(self, x):
        return np.reshape(x, self.shape)

    def backward(self, grad, out, x):
        return grad.reshape(np.shape(plain(x)))


class Transpose(Function):
    """Permute the axes; the gradient is permuted back with the inverse permutation."""

    __slots__ = ("axes",)

    def __init__(self, axes: Shape | None = None):
        self.axes = None if axes is None else tuple(axes)

    def forward(self, x):
        return np.transpose(x, self.axes)

    def backward(self, grad, out, x):
        if self.axes is None:
            return grad.transpose()
        return Transpose.apply(grad, axes=tuple(int(axis) for axis in np.argsort(self.axes)))  # (a node or an array)


def _is_basic(index: Any) -> bool:
    """True for an index of ints and slices only, which never picks an element twice."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(part, (int, np.integer, slice)) or part is None or part is Ellipsis for part in parts)


def kept_index(index: Any) -> Any:
    """``index`` with the arrays and lists in it copied: indexing keeps its index for backward, the caller may change theirs."""
    parts = index if isinstance(index, tuple) else (index,)
    if _is_basic(parts):
        return index
    copied = tuple(_copied(part) for part in parts)
    return copied if isinstance(index, tuple) else copied[0]


def _copied(part: Any) -> Any:
    """An array copied, a list (of lists) rebuilt with the same items; anything else as it is."""
    if isinstance(part, np.ndarray):
        return part.copy()
    if isinstance(part, list):
        return [_copied(item) for item in part]
    return part


class GetItem(Function):
    """``x[index]``: pick elements. Backward puts the gradient back where they were picked, zeros elsewhere."""

    __slots__ = ("index",)
    name = "index"

    def __init__(self, index: Any):
        self.index = index

    def forward(self, x):
        return x[self.index]

    def backward(self, grad, out, x):
        return ScatterAdd.apply(grad, index=self.index, shape=np.shape(plain(x)))


class ScatterAdd(Function):
    """Zeros of ``shape`` with ``grad`` added at ``index`` (repeated picks add up): the backward of indexing."""

    __slots__ = ("index", "shape")
    name = "scatter_add"

    def __init__(self, index: Any, shape: Shape):
        self.index = index
        self.shape = shape

    def forward(self, grad):
        full = np.zeros(self.shape, dtype=grad.dtype)
        if _is_basic(self.index):
            full[self.index] = grad
        else:
            np.add.at(full, self.index, grad)
        return full

    def backward(self, grad, out, x):
        return GetItem.apply(grad, index=self.index)


class Concatenate(Function):
    """Join arrays along ``axis``; backward slices the gradient back into the pieces."""

    __slots__ = ("axis",)

    def __init__(self, axis: int = 0):
        self.axis = axis

    def forward(self, *pieces):
        return np.concatenate(pieces, axis=self.axis)

    def backward(self, grad, out, *pieces):
        axis = self.axis % np.ndim(plain(out))
        ends = np.cumsum([np.shape(plain(piece))[axis] for piece in pieces])
        before = (slice(None),) * axis
        return tuple(grad[before + (slice(end - size, end),)] for end, size in zip(ends, np.diff(ends, prepend=0)))
