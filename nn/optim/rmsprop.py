"""RMSProp: each parameter's step divided by the root of a running average of its squared gradients."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Node
from autograd.numerics import checked_flag

from .optimizer import Optimizer, check_setting, stored


class RMSprop(Optimizer):
    """``p -= lr * g / (sqrt(avg of g**2) + eps)`` with an exponential average (decay ``alpha``).

    Like AdaGrad, but old gradients fade, so the steps do not shrink for good.
    ``centered`` divides by an estimate of the gradient's variance instead of
    its raw second moment; ``momentum`` adds a velocity as in SGD.
    """

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ):
        super().__init__(params, lr)
        self.alpha = check_setting(self, "alpha", alpha)
        self.eps = check_setting(self, "eps", eps)
        self.weight_decay = check_setting(self, "weight_decay", weight_decay)
        self.momentum = check_setting(self, "momentum", momentum)
        self.centered = checked_flag("centered", centered)

    def update(self, data: Any, grad: Any, state: dict[str, Any]) -> Any:
        if self.weight_decay:
            grad = grad + self.weight_decay * data
        square_avg = self.alpha * stored(state, "square_avg", data) + (1 - self.alpha) * grad * grad
        state["square_avg"] = square_avg
        if self.centered:
            grad_avg = self.alpha * stored(state, "grad_avg", data) + (1 - self.alpha) * grad
            state["grad_avg"] = grad_avg
            denominator = np.sqrt(square_avg - grad_avg * grad_avg) + self.eps
        else:
            denominator = np.sqrt(square_avg) + self.eps
        if self.momentum:
            state["velocity"] = self.momentum * stored(state, "velocity", data) + grad / denominator
            return data - self.lr * state["velocity"]
        return data - self.lr * grad / denominator
