"""2-D convolution, computed as one matrix product over unfolded windows (im2col).

A convolution slides each filter over the image and takes a dot product with
every window it covers. Writing every window as one column of a matrix
(``im2col``) turns all of those dot products into a single matrix product,
``filters @ columns``, which numpy hands to BLAS. The backward pass is then
the matmul rule twice:

- d(weight) = upstream @ columns.T: each filter's gradient is the sum, over
  every window, of the upstream gradient at that window times the window;
- d(columns) = filters.T @ upstream, and each column is folded back onto the
  image (``col2im``), where windows that overlap *add* their gradients, as
  for any input used more than once;
- d(bias) = the upstream gradient summed over the batch and every position.

``Im2Col`` and ``Col2Im`` are each other's backward (copying windows out and
adding them back in are transposes of one linear map), and the backward of
``Conv2d`` is written with them and with matmul and reshape, so it is recorded
under ``create_graph=True`` and a convolution can be differentiated twice.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .function import Function, plain
from .graph import Node

Pair = tuple[int, int]


def as_pair(value: Any, name: str, op: str, smallest: int) -> Pair:
    """``value`` (an int or two ints, for height and width) as two ints of at least ``smallest``."""
    pair = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(pair) != 2 or not all(isinstance(n, (int, np.integer)) and n >= smallest for n in pair):
        raise ValueError(f"{op}: {name} must be an int >= {smallest} or a pair of them, got {value!r}")
    return int(pair[0]), int(pair[1])


def window_grid(op: str, shape: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair) -> Pair:
    """How many window positions fit down and across an (N, C, H, W) input: the output's height and width."""
    if len(shape) != 4:
        raise ValueError(f"{op}: the input must have shape (N, C, H, W), got shape {shape}")
    padded = (shape[2] + 2 * padding[0], shape[3] + 2 * padding[1])
    if kernel[0] > padded[0] or kernel[1] > padded[1]:
        raise ValueError(
            f"{op}: a {kernel[0]}x{kernel[1]} window does not fit in an input of shape {shape} "
            f"(padded to {padded[0]}x{padded[1]})"
        )
    return (padded[0] - kernel[0]) // stride[0] + 1, (padded[1] - kernel[1]) // stride[1] + 1


class _Windows(Function):
    """An op that reads the (kh, kw) windows of an (N, C, H, W) array at a stride, after zero padding."""

    __slots__ = ("kernel", "padding", "stride")

    def __init__(self, kernel: int | Pair, stride: int | Pair = 1, padding: int | Pair = 0):
        self.kernel = as_pair(kernel, "kernel size", self.name, smallest=1)
        self.stride = as_pair(stride, "stride", self.name, smallest=1)
        self.padding = as_pair(padding, "padding", self.name, smallest=0)


class Im2Col(_Windows):
    """Unfold every window into a column: (N, C, H, W) becomes (N, C * kh * kw, Ho * Wo).

    Row ``(c, i, j)`` of image ``n``'s matrix holds the element at offset
    ``(i, j)`` of channel ``c`` in each window; column ``(y, x)`` is the window
    whose output lands at ``(y, x)``. Backward folds the gradient back with ``Col2Im``.
    """

    __slots__ = ()
    name = "im2col"

    def forward(self, x):
        (kh, kw), (sh, sw), (ph, pw) = self.kernel, self.stride, self.padding
        height, width = window_grid(self.name, np.shape(x), self.kernel, self.stride, self.padding)
        n, c, h, w = x.shape
        if ph or pw:
            padded = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=x.dtype)
            padded[:, :, ph : ph + h, pw : pw + w] = x
            x = padded
        # A view that steps through the windows by re-reading the same memory (nothing is copied yet):
        # moving one window down is sh rows, moving inside a window is one row.
        along_n, along_c, along_y, along_x = x.strides
        windows = as_strided(
            x,
            shape=(n, c, kh, kw, height, width),
            strides=(along_n, along_c, along_y, along_x, sh * along_y, sw * along_x),
            writeable=False,
        )
        return windows.reshape(n, c * kh * kw, height * width)

    def backward(self, grad, out, x):
        return Col2Im.apply(
            grad, kernel=self.kernel, stride=self.stride, padding=self.padding, shape=np.shape(plain(x))
        )


class Col2Im(_Windows):
    """Fold columns back onto an image of ``shape``, adding where windows overlap: the transpose of ``Im2Col``."""

    __slots__ = ("shape",)
    name = "col2im"

    def __init__(self, kernel: int | Pair, shape: tuple[int, ...], stride: int | Pair = 1, padding: int | Pair = 0):
        super().__init__(kernel, stride, padding)
        self.shape = tuple(shape)

    def forward(self, columns):
        (kh, kw), (sh, sw), (ph, pw) = self.kernel, self.stride, self.padding
        height, width = window_grid(self.name, self.shape, self.kernel, self.stride, self.padding)
        n, c, h, w = self.shape
        blocks = columns.reshape(n, c, kh, kw, height, width)
        image = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=columns.dtype)
        for i in range(kh):  # one strided add per offset inside the window, each covering every window at once
            for j in range(kw):
                image[:, :, i : i + sh * height : sh, j : j + sw * width : sw] += blocks[:, :, i, j]
        return image[:, :, ph : ph + h, pw : pw + w] if ph or pw else image

    def backward(self, grad, out, columns):
        return Im2Col.apply(grad, kernel=self.kernel, stride=self.stride, padding=self.padding)


class Conv2d(Function):
    """Cross-correlation of x (N, C, H, W) with filters (F, C, kh, kw), plus an optional bias (F,).

    The output (N, F, Ho, Wo) at ``(n, f, y, x)`` is the dot product of filter
    ``f`` with the window of image ``n`` whose top-left corner is at
    ``(y * stride - padding, x * stride - padding)``, plus ``bias[f]``.
    Forward keeps the unfolded windows for the weight's gradient.
    """

    __slots__ = ("columns", "padding", "stride")

    def __init__(self, stride: int | Pair = 1, padding: int | Pair = 0):
        self.stride = as_pair(stride, "stride", self.name, smallest=1)
        self.padding = as_pair(padding, "padding", self.name, smallest=0)

    def forward(self, x, weight, bias=None):
        _check_shapes(np.shape(x), np.shape(weight), None if bias is None else np.shape(bias))
        n, filters = x.shape[0], weight.shape[0]
        height, width = window_grid(self.name, x.shape, weight.shape[2:], self.stride, self.padding)
        self.columns = Im2Col.apply(x, kernel=weight.shape[2:], stride=self.stride, padding=self.padding)
        out = weight.reshape(filters, -1) @ self.columns  # (N, F, Ho * Wo): every filter on every window
        if bias is not None:
            out += bias.reshape(filters, 1)
        return out.reshape(n, filters, height, width)

    def backward(self, grad, out, x, weight, bias=None):
        need_x, need_weight = self.needs_input_grad[:2]
        shape = np.shape(plain(weight))
        n, filters, height, width = np.shape(plain(grad))
        upstream = grad.reshape(n, filters, height * width)  # (N, F, Ho * Wo), like the forward product
        grad_x = grad_weight = grad_bias = None
        if need_x:
            grad_x = Col2Im.apply(
                weight.reshape(shape[0], -1).T @ upstream,  # (N, C * kh * kw, Ho * Wo): each window's gradient
                kernel=shape[2:],
                stride=self.stride,
                padding=self.padding,
                shape=np.shape(plain(x)),
            )
        if need_weight:
            columns = self.columns
            if isinstance(x, Node):  # create_graph: the windows must be recorded, so d(weight) depends on x
                columns = Im2Col.apply(x, kernel=shape[2:], stride=self.stride, padding=self.padding)
            grad_weight = (upstream @ columns.transpose(0, 2, 1)).sum(axis=0).reshape(shape)
        if bias is None:
            return grad_x, grad_weight
        if self.needs_input_grad[2]:
            grad_bias = upstream.sum(axis=0).sum(axis=1)
        return grad_x, grad_weight, grad_bias


def _check_shapes(x: tuple[int, ...], weight: tuple[int, ...], bias: tuple[int, ...] | None) -> None:
    if len(x) != 4 or len(weight) != 4:
        raise ValueError(
            f"conv2d: the input must have shape (N, C, H, W) and the weight (F, C, kh, kw), got input shape {x} "
            f"and weight shape {weight}"
        )
    if x[1] != weight[1]:
        raise ValueError(
            f"conv2d: the input of shape {x} has {x[1]} channels, but the weight of shape {weight} expects {weight[1]}"
        )
    if bias is not None and bias != weight[:1]:
        raise ValueError(
            f"conv2d: the bias must have shape ({weight[0]},), one per filter of weight {weight}; got {bias}"
        )


def conv2d(x: Any, weight: Any, bias: Any = None, stride: int | Pair = 1, padding: int | Pair = 0) -> Any:
    """Convolve a batch of images ``x`` (N, C, H, W) with ``weight`` (F, C, kh, kw), as ``torch.nn.functional.conv2d``.

    ``stride`` moves the window that many pixels at a time; ``padding`` adds
    that many zeros around the image first (both an int or a (height, width)
    pair). The output has shape (N, F, Ho, Wo) with
    ``Ho = (H + 2 * padding - kh) // stride + 1``, and likewise ``Wo``.
    """
    inputs = (x, weight) if bias is None else (x, weight, bias)
    return Conv2d.apply(*inputs, stride=stride, padding=padding)
