"""Activation layers: the nonlinearities between linear layers, as modules for ``Sequential``.

Without them a stack of linear layers collapses into one linear map. Each works
on a ``Tensor`` and on a ``Value`` alike, so ``ACTIVATIONS`` is the one list of
names both stacks accept (``MLP(..., activation="tanh")``, ``Neuron(..., activation="tanh")``).
"""

from __future__ import annotations

from typing import TypeVar

from autograd import Tensor, Value

from ..data.arguments import check_amount
from ..module import Module

NodeT = TypeVar("NodeT", Tensor, Value)


class Identity(Module):
    """``x`` unchanged: the ``"linear"`` activation, a layer whose output is its raw score."""

    def forward(self, x: NodeT) -> NodeT:
        return x


class ReLU(Module):
    """``max(0, x)``: passes positives, zeroes the rest; gradient 1 or 0."""

    def forward(self, x: NodeT) -> NodeT:
        return x.relu()


class LeakyReLU(Module):
    """``x`` for positives, ``slope * x`` otherwise: a small gradient keeps negative units alive."""

    def __init__(self, slope: float = 0.01):
        check_amount("slope", slope, least=None)
        self.slope = slope

    def forward(self, x: NodeT) -> NodeT:
        return x.leaky_relu(self.slope)

    def extra_repr(self) -> str:
        return f"slope={self.slope}"


class Sigmoid(Module):
    """``1 / (1 + exp(-x))``: squashes to (0, 1); its gradient vanishes for large ``|x|``."""

    def forward(self, x: NodeT) -> NodeT:
        return x.sigmoid()


class Tanh(Module):
    """``tanh(x)``: squashes to (-1, 1), centred at 0."""

    def forward(self, x: NodeT) -> NodeT:
        return x.tanh()


class Step(Module):
    """1 where ``x > 0``, else 0: the perceptron's threshold; no gradient flows through it."""

    def forward(self, x: NodeT) -> NodeT:
        return x.step()


class Softmax(Module):
    """Probabilities along ``axis`` (for output; train on logits with ``cross_entropy`` instead)."""

    def __init__(self, axis: int = -1):
        self.axis = axis

    def forward(self, x: Tensor) -> Tensor:
        return x.softmax(self.axis)


ACTIVATIONS: dict[str, type[Module]] = {
    "linear": Identity,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "tanh": Tanh,
    "sigmoid": Sigmoid,
    "step": Step,
}
"""The activation layers, by the names that ``MLP``, ``ScalarMLP``, ``Layer``, ``Neuron`` and ``MLPClassifier`` take."""


def activation_layer(name: str) -> Module:
    """The activation called ``name`` (a key of ``ACTIVATIONS``) as a layer; an unknown name is an error naming all."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name]()
