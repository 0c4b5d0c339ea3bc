"""``Dropout``: randomly silence units while training, so none can rely on another."""

from __future__ import annotations

from autograd import Tensor
from autograd.numerics import finite_number, random_generator

from ..module import Module
from .init import Seed


class Dropout(Module):
    """Zero each element with probability ``p`` in training and scale the rest by ``1 / (1 - p)``.

    The scaling ("inverted dropout") keeps each unit's expected value, so at
    evaluation time the layer is simply the identity.
    """

    def __init__(self, p: float = 0.5, seed: Seed = None):
        chosen = finite_number(p)
        if chosen is None or not 0.0 <= chosen <= 1.0:
            raise ValueError(f"Dropout probability must be a number in [0, 1], not {p!r}")
        self.p = p
        self.rng = random_generator(seed)

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.p == 0.0:
            return x
        if self.p == 1.0:
            return x * 0.0
        keep = self.rng.random(x.shape) >= self.p
        return x * (keep.astype(x.dtype) / (1.0 - self.p))

    def extra_repr(self) -> str:
        return f"p={self.p}"
