"""Convolution layers: ``Conv2d``, ``MaxPool2d``, ``AvgPool2d`` and ``Flatten`` for images ``(n, channels, h, w)``.

A convolution slides small filters over the image, sharing one set of weights
across every position; pooling shrinks the image by keeping the largest (or
the mean) value of each window; ``Flatten`` turns the result into rows for
the ``Linear`` layers that follow.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

from autograd import Tensor, avg_pool2d, conv2d, max_pool2d
from autograd.convolution import as_pair
from autograd.numerics import checked_flag

from ..data.arguments import check_count
from ..module import Module
from .init import Seed, initial_weights


class Conv2d(Module):
    """``out_channels`` filters of ``in_channels x k x k``, each giving one output channel (plus its bias).

    Weights have PyTorch's layout ``(out_channels, in_channels, kh, kw)`` and
    start with He initialisation over the fan-in ``in_channels * kh * kw``.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        bias: bool = True,
        init: str = "he",
        seed: Seed = None,
        dtype: DTypeLike = np.float64,
    ):
        check_count("Conv2d: in_channels", in_channels, 1)
        check_count("Conv2d: out_channels", out_channels, 1)
        kh, kw = as_pair(kernel_size, "kernel_size", "Conv2d", 1)
        self.in_channels, self.out_channels, self.kernel_size = in_channels, out_channels, (kh, kw)
        self.stride = as_pair(stride, "stride", "Conv2d", 1)
        self.padding = as_pair(padding, "padding", "Conv2d", 0)
        fan_in, fan_out = in_channels * kh * kw, out_channels * kh * kw
        weights = initial_weights((out_channels, in_channels, kh, kw), fan_in, fan_out, init, seed)
        self.weight = Tensor(weights, dtype=dtype, requires_grad=True)
        self.bias = Tensor.zeros(out_channels, dtype=dtype, requires_grad=True) if checked_flag("bias", bias) else None

    def forward(self, x: Tensor) -> Tensor:
        return conv2d(x, self.weight, self.bias, stride=self.stride, padding=self.padding)

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding}"
        )


class _Pool2d(Module):
    """What every pooling layer shares: ``kernel_size`` windows, ``stride`` apart (by default side by side)."""

    def __init__(self, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] | None = None):
        self.kernel_size = as_pair(kernel_size, "kernel_size", type(self).__name__, 1)
        self.stride = self.kernel_size if stride is None else as_pair(stride, "stride", type(self).__name__, 1)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}"


class MaxPool2d(_Pool2d):
    """The largest value of each ``kernel_size`` window (windows ``stride`` apart, default side by side)."""

    def forward(self, x: Tensor) -> Tensor:
        return max_pool2d(x, self.kernel_size, self.stride)


class AvgPool2d(_Pool2d):
    """The mean of each ``kernel_size`` window (windows ``stride`` apart, default side by side)."""

    def forward(self, x: Tensor) -> Tensor:
        return avg_pool2d(x, self.kernel_size, self.stride)


class Flatten(Module):
    """Merge the axes from ``start_dim`` on (by default all but the batch axis) into one."""

    def __init__(self, start_dim: int = 1):
        self.start_dim = start_dim

    def forward(self, x: Tensor) -> Tensor:
        return x.flatten(self.start_dim)
