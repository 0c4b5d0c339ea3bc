"""``BatchNorm1d``: normalize each feature over the batch, then scale and shift it."""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

from autograd import Tensor
from autograd.numerics import finite_number

from ..data.arguments import check_count
from ..module import Module


class BatchNorm1d(Module):
    """``weight * (x - mean) / sqrt(var + eps) + bias`` per feature, for inputs ``(n, num_features)``.

    In training the mean and (biased) variance come from the batch, and
    running averages are kept: ``running = (1 - momentum) * running + momentum
    * batch`` (the running variance uses the unbiased batch variance). In
    evaluation the running averages are used, so one example is normalized
    the same way whatever else is in its batch.
    """

    def __init__(self, num_features: int, momentum: float = 0.1, eps: float = 1e-5, dtype: DTypeLike = np.float64):
        check_count("BatchNorm1d: num_features", num_features, 1)
        number = finite_number(momentum)  # (numpy's numbers too; not True, nor a string)
        if number is None or not 0.0 <= number <= 1.0:
            cumulative = " (PyTorch's None, a cumulative average, is not offered)" if momentum is None else ""
            raise ValueError(f"BatchNorm1d: momentum must be a number in [0, 1], got {momentum!r}{cumulative}")
        if not 0.0 <= eps < np.inf:
            raise ValueError(f"BatchNorm1d: eps must be a finite number >= 0, got {eps!r}")
        self.num_features, self.momentum, self.eps = num_features, momentum, eps
        self.weight = Tensor.ones(num_features, dtype=dtype, requires_grad=True)
        self.bias = Tensor.zeros(num_features, dtype=dtype, requires_grad=True)
        self.running_mean: np.ndarray = np.zeros(num_features, dtype=dtype)
        self.running_var: np.ndarray = np.ones(num_features, dtype=dtype)

    def _buffers(self) -> dict[str, np.ndarray]:
        return {"running_mean": self.running_mean, "running_var": self.running_var}

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim != 2 or x.shape[1] != self.num_features:
            raise ValueError(
                f"BatchNorm1d({self.num_features}) needs input of shape (n, {self.num_features}), got {x.shape}"
            )
        if self.training:
            n = x.shape[0]
            if n < 2:
                raise ValueError(
                    f"BatchNorm1d needs more than one example per batch in training, got {n} (in batches, the "
                    "last one holds what is left over: pick a batch size that leaves more than one, or leave it out "
                    "with fit(model, ..., DataLoader(X, y, batch_size=..., shuffle=True, drop_last=True)))"
                )
            mean, var = x.mean(axis=0), x.var(axis=0)
            unbiased = var.data * n / (n - 1)
            dtype = self.running_mean.dtype  # the layer's: float64 data must not turn float32 buffers into float64
            self.running_mean = ((1 - self.momentum) * self.running_mean + self.momentum * mean.data).astype(dtype)
            self.running_var = ((1 - self.momentum) * self.running_var + self.momentum * unbiased).astype(dtype)
        else:
            mean, var = Tensor(self.running_mean), Tensor(self.running_var)
        return (x - mean) / (var + self.eps) ** 0.5 * self.weight + self.bias

    def extra_repr(self) -> str:
        return f"{self.num_features}, momentum={self.momentum}, eps={self.eps}"
