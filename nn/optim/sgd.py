"""Stochastic gradient descent, with momentum, Nesterov momentum and weight decay (PyTorch's rules)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from autograd import Node
from autograd.numerics import checked_flag

from .optimizer import Optimizer, check_setting, stored


class SGD(Optimizer):
    """``p -= lr * g``: a step against the gradient.

    With ``momentum`` the step follows a running sum of past gradients
    (``v = momentum * v + (1 - dampening) * g``), like a ball rolling downhill,
    which speeds up along consistent directions and damps zig-zags.
    ``nesterov`` looks ahead: it steps by ``g + momentum * v``.
    ``weight_decay`` adds ``weight_decay * p`` to the gradient (L2 regularization).
    """

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ):
        super().__init__(params, lr)
        self.momentum = check_setting(self, "momentum", momentum)
        self.dampening = check_setting(self, "dampening", dampening)
        self.weight_decay = check_setting(self, "weight_decay", weight_decay)
        nesterov = checked_flag("nesterov", nesterov)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum needs momentum > 0 and dampening = 0")
        self.nesterov = nesterov

    def update(self, data: Any, grad: Any, state: dict[str, Any]) -> Any:
        if self.weight_decay:
            grad = grad + self.weight_decay * data
        if self.momentum:
            damped = self.dampening if "velocity" in state else 0.0  # the first velocity is the gradient itself
            state["velocity"] = velocity = self.momentum * stored(state, "velocity", data) + (1 - damped) * grad
            grad = grad + self.momentum * velocity if self.nesterov else velocity
        return data - self.lr * grad
