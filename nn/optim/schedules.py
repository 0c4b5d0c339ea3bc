"""Learning-rate schedules: change an optimizer's ``lr`` as training goes on.

Call ``scheduler.step()`` once per epoch, after the optimizer's steps, as in PyTorch.
"""

from __future__ import annotations

import math

from .optimizer import Optimizer


class LRScheduler:
    """Base class: remembers the starting rate and sets ``optimizer.lr = rate(epoch)`` at each ``step()``."""

    def __init__(self, optimizer: Optimizer):
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
        if step_size < 1:
            raise ValueError(f"step_size must be at least 1, not {step_size}")
        self.step_size, self.gamma = step_size, gamma

    def rate(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** (epoch // self.step_size)


class CosineAnnealingLR(LRScheduler):
    """Lower the rate from its start to ``eta_min`` along half a cosine over ``T_max`` epochs."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0):
        super().__init__(optimizer)
        if T_max < 1:
            raise ValueError(f"T_max must be at least 1, not {T_max}")
        self.T_max, self.eta_min = T_max, eta_min

    def rate(self, epoch: int) -> float:
        return self.eta_min + (self.base_lr - self.eta_min) * (1 + math.cos(math.pi * epoch / self.T_max)) / 2
