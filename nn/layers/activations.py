"""Activation layers: the nonlinearities between linear layers, as modules for ``Sequential``.

Without them a stack of linear layers collapses into one linear map.
"""

from __future__ import annotations

from autograd import Tensor

from ..module import Module


class ReLU(Module):
    """``max(0, x)``: passes positives, zeroes the rest; gradient 1 or 0."""

    def forward(self, x: Tensor) -> Tensor:
        return x.relu()


class LeakyReLU(Module):
    """``x`` for positives, ``slope * x`` otherwise: a small gradient keeps negative units alive."""

    def __init__(self, slope: float = 0.01):
        self.slope = slope

    def forward(self, x: Tensor) -> Tensor:
        return x.leaky_relu(self.slope)

    def extra_repr(self) -> str:
        return f"slope={self.slope}"


class Sigmoid(Module):
    """``1 / (1 + exp(-x))``: squashes to (0, 1); its gradient vanishes for large ``|x|``."""

    def forward(self, x: Tensor) -> Tensor:
        return x.sigmoid()


class Tanh(Module):
    """``tanh(x)``: squashes to (-1, 1), centred at 0."""

    def forward(self, x: Tensor) -> Tensor:
        return x.tanh()


class Softmax(Module):
    """Probabilities along ``axis`` (for output; train on logits with ``cross_entropy`` instead)."""

    def __init__(self, axis: int = -1):
        self.axis = axis

    def forward(self, x: Tensor) -> Tensor:
        return x.softmax(self.axis)
