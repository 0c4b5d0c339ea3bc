"""Starting weights scaled by fan-in, so signals neither vanish nor explode through the layers.

A unit sums ``fan_in`` inputs; with weights of variance ``1 / fan_in`` the sum
keeps the inputs' variance. ReLU zeroes half its inputs, so He initialisation
doubles that (``2 / fan_in``); for tanh and sigmoid, Xavier/Glorot balances
the forward and the backward pass with ``2 / (fan_in + fan_out)``.
"""

from __future__ import annotations

import numpy as np

from autograd import Seed
from autograd.numerics import random_generator

INITS = ("he", "xavier")


def init_for(activation: str) -> str:
    """The initialisation that suits an activation: He for the ReLU family, Xavier for the rest."""
    return "he" if activation in ("relu", "leaky_relu") else "xavier"


def initial_weights(shape: tuple[int, ...], fan_in: int, fan_out: int, init: str, seed: Seed) -> np.ndarray:
    """Random weights of ``shape``: ``"he"`` normal with variance ``2/fan_in``, ``"xavier"`` uniform."""
    rng = random_generator(seed)
    if init == "he":
        return rng.normal(0.0, np.sqrt(2.0 / fan_in), shape)
    if init == "xavier":
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, shape)
    raise ValueError(f"unknown init {init!r}; choose one of {', '.join(INITS)}")
