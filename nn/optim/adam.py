"""Adam and AdamW: momentum and RMSProp together, with the start-up bias corrected."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Node
from autograd.numerics import checked_flag

from .optimizer import Optimizer, check_setting, stored


class Adam(Optimizer):
    """``p -= lr * m_hat / (sqrt(v_hat) + eps)``.

    ``m`` is a running average of gradients (momentum, decay ``betas[0]``) and
    ``v`` of squared gradients (RMSProp, decay ``betas[1]``). Both start at 0,
    so early averages are too small; dividing by ``1 - beta**t`` corrects that
    (``m_hat``, ``v_hat``). ``weight_decay`` adds ``weight_decay * p`` to the
    gradient (L2); ``amsgrad`` divides by the largest ``v`` seen so far.
    """

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ):
        super().__init__(params, lr)
        pair = list(betas) if isinstance(betas, Iterable) and not isinstance(betas, (str, bytes)) else []
        if len(pair) != 2:  # (any sequence of two, as PyTorch takes: a tuple, a list, an array)
            raise ValueError(f"{type(self).__name__}: betas must be two numbers, got {betas!r}")
        self.betas = tuple(check_setting(self, f"betas[{i}]", beta, below=1.0) for i, beta in enumerate(pair))
        self.eps = check_setting(self, "eps", eps)
        self.weight_decay = check_setting(self, "weight_decay", weight_decay)
        self.amsgrad = checked_flag("amsgrad", amsgrad)

    def update(self, data: Any, grad: Any, state: dict[str, Any]) -> Any:
        if self.weight_decay:
            grad = grad + self.weight_decay * data
        return self.adaptive_step(data, grad, state)

    def adaptive_step(self, data: Any, grad: Any, state: dict[str, Any]) -> Any:
        """Adam's step proper, shared with AdamW, which handles weight decay differently."""
        beta1, beta2 = self.betas
        state["step"] = step = state.get("step", 0) + 1
        state["m"] = m = beta1 * stored(state, "m", data) + (1 - beta1) * grad
        state["v"] = v = beta2 * stored(state, "v", data) + (1 - beta2) * grad * grad
        if self.amsgrad:
            state["v_max"] = v = np.maximum(state.get("v_max", v), v)
        denominator = np.sqrt(v) / np.sqrt(1 - beta2**step) + self.eps
        return data - (self.lr / (1 - beta1**step)) * m / denominator


class AdamW(Adam):
    """Adam with *decoupled* weight decay: ``p *= 1 - lr * weight_decay`` before the Adam step.

    In plain Adam an L2 term in the gradient is divided by ``sqrt(v)`` like the
    rest, so parameters with large gradients are barely decayed; AdamW shrinks
    every weight by the same factor instead.
    """

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)

    def update(self, data: Any, grad: Any, state: dict[str, Any]) -> Any:
        return self.adaptive_step(data * (1 - self.lr * self.weight_decay), grad, state)
