"""AdaGrad: each parameter's step divided by the root of its summed squared gradients."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Node

from .optimizer import Optimizer, check_setting, stored


class Adagrad(Optimizer):
    """``p -= lr * g / (sqrt(sum of g**2) + eps)``.

    Parameters with large past gradients take small steps and rarely-updated
    ones large steps. The sum only grows, so the steps shrink for good: fine
    for convex problems, often too early a stop for deep networks (RMSProp's fix).
    """

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ):
        super().__init__(params, lr)
        self.lr_decay = check_setting(self, "lr_decay", lr_decay)
        self.weight_decay = check_setting(self, "weight_decay", weight_decay)
        self.initial_accumulator_value = check_setting(self, "initial_accumulator_value", initial_accumulator_value)
        self.eps = check_setting(self, "eps", eps)

    def update(self, data: Any, grad: Any, state: dict[str, Any]) -> Any:
        state["step"] = step = state.get("step", 0) + 1
        if self.weight_decay:
            grad = grad + self.weight_decay * data
        squares = stored(state, "sum", data, self.initial_accumulator_value) + grad * grad
        state["sum"] = squares
        lr = self.lr / (1 + (step - 1) * self.lr_decay)
        return data - lr * grad / (np.sqrt(squares) + self.eps)
