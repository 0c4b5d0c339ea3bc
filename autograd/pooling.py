"""Max and average pooling: one number per window of each channel, over the windows ``Im2Col`` unfolds.

Pooling is the convolution's window without the filter. Unfolding each
channel on its own gives a matrix with one column per window, so a pool is a
reduction down the columns:

- max pooling is a max gate per window: the whole upstream gradient goes to
  the window's largest element (the first one on a tie, as in PyTorch), and
  the others get 0;
- average pooling gives each of the ``kh * kw`` elements ``1 / (kh * kw)`` of it.

Either way the per-window gradients are folded back onto the image with
``Col2Im``, which adds them up where windows overlap (stride < kernel size).
Picking the winners (``Gather``) and putting gradients back at them
(``Scatter``) are each other's backward, like ``Im2Col`` and ``Col2Im``, so
pooling can be differentiated twice as well.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .convolution import Col2Im, Im2Col, Pair, as_pair, window_grid
from .function import Function, plain


class _Pool2d(Function):
    """A pool over (kh, kw) windows at a stride (the kernel size unless given) on each channel of (N, C, H, W)."""

    __slots__ = ("kernel", "stride")

    def __init__(self, kernel_size: int | Pair, stride: int | Pair | None = None):
        self.kernel = as_pair(kernel_size, "kernel_size", self.name, smallest=1)
        self.stride = self.kernel if stride is None else as_pair(stride, "stride", self.name, smallest=1)

    def windows(self, x: np.ndarray) -> tuple[np.ndarray, tuple[int, ...]]:
        """Each channel's windows as columns (N * C, kh * kw, Ho * Wo), and the output's shape (N, C, Ho, Wo)."""
        height, width = window_grid(self.name, np.shape(x), self.kernel, self.stride, (0, 0))
        n, c, h, w = x.shape
        columns = Im2Col.apply(x.reshape(n * c, 1, h, w), kernel=self.kernel, stride=self.stride)
        return columns, (n, c, height, width)

    def fold(self, columns: Any, shape: tuple[int, ...]) -> Any:
        """Per-window gradients (N * C, kh * kw, Ho * Wo) added back onto an input of ``shape``."""
        n, c, h, w = shape
        image = Col2Im.apply(columns, kernel=self.kernel, stride=self.stride, shape=(n * c, 1, h, w))
        return image.reshape(shape)


class Gather(Function):
    """``x`` picked at ``index`` along axis 1 (``numpy.take_along_axis``); backward places the gradient back."""

    __slots__ = ("index",)

    def __init__(self, index: np.ndarray):
        self.index = index

    def forward(self, x):
        return np.take_along_axis(x, self.index, axis=1)

    def backward(self, grad, out, x):
        return Scatter.apply(grad, index=self.index, size=np.shape(plain(x))[1])


class Scatter(Function):
    """Zeros with ``size`` entries along axis 1 and ``x`` placed at ``index`` there: the backward of ``Gather``.

    The indices along axis 1 must not repeat within a line (each window has one winner).
    """

    __slots__ = ("index", "size")

    def __init__(self, index: np.ndarray, size: int):
        self.index = index
        self.size = size

    def forward(self, x):
        shape = list(np.shape(x))
        shape[1] = self.size
        placed = np.zeros(shape, dtype=x.dtype)
        np.put_along_axis(placed, self.index, x, axis=1)
        return placed

    def backward(self, grad, out, x):
        return Gather.apply(grad, index=self.index)


class MaxPool2d(_Pool2d):
    """The largest element of each window; forward remembers which one it was, for backward."""

    __slots__ = ("winners",)
    name = "max_pool2d"

    def forward(self, x):
        columns, shape = self.windows(x)
        self.winners = np.argmax(columns, axis=1)[:, None, :]  # (N * C, 1, Ho * Wo): the offset of each maximum
        return Gather.apply(columns, index=self.winners).reshape(shape)

    def backward(self, grad, out, x):
        n, c, h, w = np.shape(plain(x))
        routed = Scatter.apply(_windows_first(grad), index=self.winners, size=self.kernel[0] * self.kernel[1])
        return self.fold(routed, (n, c, h, w))


class AvgPool2d(_Pool2d):
    """The mean of each window; each element's local gradient is ``1 / (kh * kw)``."""

    __slots__ = ()
    name = "avg_pool2d"

    def forward(self, x):
        columns, shape = self.windows(x)
        return columns.mean(axis=1).reshape(shape)

    def backward(self, grad, out, x):
        n, c, h, w = np.shape(plain(x))
        count = self.kernel[0] * self.kernel[1]
        share = np.full((1, count, 1), 1.0 / count, dtype=plain(grad).dtype)
        return self.fold(_windows_first(grad) * share, (n, c, h, w))


def _windows_first(grad: Any) -> Any:
    """The gradient of a pooled (N, C, Ho, Wo) output as (N * C, 1, Ho * Wo): one column per window, as the forward's."""
    n, c, height, width = np.shape(plain(grad))
    return grad.reshape(n * c, 1, height * width)  # (no -1: it is ambiguous for an empty batch)


def max_pool2d(x: Any, kernel_size: int | Pair, stride: int | Pair | None = None) -> Any:
    """The maximum of each ``kernel_size`` window of each channel of ``x`` (N, C, H, W), as in PyTorch.

    ``stride`` defaults to ``kernel_size`` (windows side by side, not overlapping).
    """
    return MaxPool2d.apply(x, kernel_size=kernel_size, stride=stride)


def avg_pool2d(x: Any, kernel_size: int | Pair, stride: int | Pair | None = None) -> Any:
    """The mean of each ``kernel_size`` window of each channel of ``x`` (N, C, H, W), as in PyTorch."""
    return AvgPool2d.apply(x, kernel_size=kernel_size, stride=stride)
