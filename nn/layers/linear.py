"""``Linear``: the fully connected layer ``x @ W + b``."""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

from autograd import Tensor, linear
from autograd.numerics import checked_flag

from ..data.arguments import check_count
from ..module import Module
from .init import Seed, initial_weights


class Linear(Module):
    """``y = x @ weight + bias`` for a batch ``x`` of shape ``(n, in_features)``.

    ``weight`` has shape ``(in_features, out_features)``, each column the weights
    of one output unit. The layout is chosen for the ``X @ W + b`` of notebook 02:
    a batch's rows are its examples, and one matrix product computes every unit
    for every example, so the code reads like the maths the notebooks derive.
    PyTorch stores the transpose, ``(out_features, in_features)``; ``nn.to_torch``
    and ``nn.from_torch`` transpose at that boundary, so weights move between the
    two libraries through them. (``Conv2d`` keeps PyTorch's filter layout.)
    ``init`` is ``"he"`` (default, for ReLU) or ``"xavier"`` (for tanh and
    sigmoid); biases start at 0.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        init: str = "he",
        seed: Seed = None,
        dtype: DTypeLike = np.float64,
    ):
        check_count("Linear: in_features", in_features, 1)
        check_count("Linear: out_features", out_features, 1)
        self.in_features, self.out_features = in_features, out_features
        weights = initial_weights((in_features, out_features), in_features, out_features, init, seed)
        self.weight = Tensor(weights, dtype=dtype, requires_grad=True)
        self.bias = Tensor.zeros(out_features, dtype=dtype, requires_grad=True) if checked_flag("bias", bias) else None

    def forward(self, x: Tensor) -> Tensor:
        if not isinstance(x, (Tensor, np.ndarray)):
            raise TypeError(
                f"Linear({self.in_features}, {self.out_features}) takes a Tensor (or a numpy array) of shape "
                f"(n, {self.in_features}), got a {type(x).__name__}: wrap it as Tensor(x)"
            )
        if x.shape[-1:] != (self.in_features,):
            raise ValueError(f"Linear({self.in_features}, {self.out_features}) got input of shape {x.shape}")
        return linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"{self.in_features}, {self.out_features}, bias={self.bias is not None}"
