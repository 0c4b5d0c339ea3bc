"""Learning-rate schedules: change an optimizer's ``lr`` as training goes on.

Call ``scheduler.step()`` once per epoch, after the optimizer's steps, as in PyTorch.
"""

from __future__ import annotations

import math

from ..data.arguments import check_count
from .optimizer import Optimizer, check_setting


class LRScheduler:
    """Base class: remembers the starting rate and sets ``optimizer.lr = rate(epoch)`` at each ``step()``."""

    def __init__(self, optimizer: Optimizer):
        if not hasattr(optimizer, "lr"):
            raise TypeError(
                f"{type(self).__name__} takes an optimizer, whose lr it sets (nn.optim.SGD(model.parameters(), "
                f"lr=0.1)), got a {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.epoch = 0

    def rate(self, epoch: int) -> float:
        """The learning rate for ``epoch`` (0 is the start)."""
        raise NotImplementedError

    def step(self) -> None:
        """Advance one epoch and set the optimizer's learning rate."""
        self.epoch += 1
        self.optimizer.lr = self.rate(self.epoch)


class StepLR(LRScheduler):
    """Multiply the rate by ``gamma`` every ``step_size`` epochs."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1):
        super().__init__(optimizer)
        check_count("step_size", step_size, 1)
        self.step_size, self.gamma = step_size, check_setting(self, "gamma", gamma)

    def rate(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** (epoch // self.step_size)


class CosineAnnealingLR(LRScheduler):
    """Lower the rate from its start to ``eta_min`` along half a cosine over ``T_max`` epochs."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0):
        super().__init__(optimizer)
        check_count("T_max", T_max, 1)
        self.T_max, self.eta_min = T_max, check_setting(self, "eta_min", eta_min)

    def rate(self, epoch: int) -> float:
        return self.eta_min + (self.base_lr - self.eta_min) * (1 + math.cos(math.pi * epoch / self.T_max)) / 2
