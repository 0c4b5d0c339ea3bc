"""``Sequential`` chains modules; ``MLP`` is a ready-made stack of linear layers and activations."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from autograd.numerics import random_generator

from ..data.arguments import check_sizes
from ..module import Module
from .activations import activation_layer
from .dropout import Dropout
from .init import Seed, init_for
from .linear import Linear


class Sequential(Module):
    """Apply ``layers`` one after the other; parameters are named ``layers.0.weight`` and so on."""

    def __init__(self, *layers: Module):
        for index, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(f"Sequential: item {index} is a {type(layer).__name__}, not a Module")
        self.layers = list(layers)

    def forward(self, x: Any) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, index: int) -> Module:
        return self.layers[index]


class MLP(Sequential):
    """``MLP([2, 16, 16, 3])``: linear layers of those sizes with ``activation`` between them.

    ``activation`` is a name of ``nn.ACTIVATIONS``, the names ``ScalarMLP`` takes too.
    The last layer has no activation (its outputs are logits or raw
    predictions). Weights start by fan-in, He for ReLU and Xavier for tanh and
    sigmoid; ``dropout`` adds a ``Dropout`` after each hidden activation.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "relu",
        dropout: float = 0.0,
        seed: Seed = None,
        dtype: DTypeLike = np.float64,
    ):
        sizes = check_sizes("MLP", sizes)
        activation_layer(activation)  # an unknown name fails here, before any weight is drawn
        rng = random_generator(seed)
        layers: list[Module] = []
        for index, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
            layers.append(Linear(fan_in, fan_out, init=init_for(activation), seed=rng, dtype=dtype))
            if index < len(sizes) - 2:
                layers.append(activation_layer(activation))
                if dropout:
                    layers.append(Dropout(dropout, seed=rng))
        super().__init__(*layers)
