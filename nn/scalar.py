"""The scalar stack: ``Neuron``, ``Layer`` and ``ScalarMLP`` built from ``Value`` nodes.

Every weight, every product and every sum is its own node, exactly as in
notebook 04's pictures of a neuron: slow for real data, but small networks can be
drawn whole with ``viz.draw`` and every gradient can be read off.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from autograd import Value

from .data.arguments import check_count
from .module import Module

ACTIVATIONS = ("tanh", "relu", "sigmoid", "step", "linear")


def _random(seed: int | random.Random | None) -> random.Random:
    """A ``random.Random`` from an int seed, or the generator itself, so one seed can feed several layers."""
    return seed if isinstance(seed, random.Random) else random.Random(seed)


def _check_activation(activation: str) -> str:
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}")
    return activation


class Neuron(Module):
    """``activation(w . x + b)``: a weighted sum of the inputs plus a bias, through a nonlinearity.

    ``activation`` is ``"tanh"``, ``"relu"``, ``"sigmoid"``, ``"step"`` (the
    perceptron's threshold, through which no gradient flows) or ``"linear"``.
    Weights start uniform in ``[-1, 1]`` from ``seed`` (an int or a ``random.Random``).
    """

    def __init__(self, n_inputs: int, activation: str = "tanh", seed: int | random.Random | None = None):
        check_count("Neuron: n_inputs", n_inputs, 1)
        rng = _random(seed)
        self.activation = _check_activation(activation)
        self.weights = [Value(rng.uniform(-1.0, 1.0), label=f"w{i}") for i in range(n_inputs)]
        self.bias = Value(0.0, label="b")

    def forward(self, x: Sequence[float | Value]) -> Value:
        if len(x) != len(self.weights):
            raise ValueError(f"this Neuron takes {len(self.weights)} inputs, got {len(x)}")
        total = self.bias
        for w, xi in zip(self.weights, x):
            total = total + w * xi
        if self.activation == "linear":
            return total
        return getattr(total, self.activation)()

    def extra_repr(self) -> str:
        return f"{len(self.weights)}, activation={self.activation!r}"


class Layer(Module):
    """``n_outputs`` neurons, each looking at all ``n_inputs`` inputs."""

    def __init__(
        self, n_inputs: int, n_outputs: int, activation: str = "tanh", seed: int | random.Random | None = None
    ):
        check_count("Layer: n_outputs", n_outputs, 1)
        rng = _random(seed)
        self.neurons = [Neuron(n_inputs, activation, rng) for _ in range(n_outputs)]

    def forward(self, x: Sequence[float | Value]) -> list[Value]:
        """Every neuron applied to ``x``; a plain number becomes one data node (``x0``, ``x1``...) all neurons share."""
        x = [xi if isinstance(xi, Value) else Value(xi, label=f"x{i}", requires_grad=False) for i, xi in enumerate(x)]
        return [neuron(x) for neuron in self.neurons]


class ScalarMLP(Module):
    """Layers of neurons: ``ScalarMLP(2, [16, 16, 1])`` maps 2 inputs through two hidden layers to 1 output.

    Hidden layers use ``activation``; the last layer is ``output_activation``
    (``"linear"`` by default, so the output is a raw score). A single output is
    returned as one ``Value``, several as a list.
    """

    def __init__(
        self,
        n_inputs: int,
        sizes: Sequence[int],
        activation: str = "tanh",
        output_activation: str = "linear",
        seed: int | random.Random | None = None,
    ):
        if len(sizes) < 1:
            raise ValueError("ScalarMLP needs at least one layer size, got none")
        for index, size in enumerate(sizes):
            check_count(f"ScalarMLP: sizes[{index}]", size, 1)
        rng = _random(seed)
        widths = [n_inputs, *sizes]
        last = len(sizes) - 1
        self.layers = [
            Layer(widths[i], widths[i + 1], output_activation if i == last else activation, rng)
            for i in range(len(sizes))
        ]

    def forward(self, x: Sequence[float | Value]) -> Value | list[Value]:
        outputs = self.layers[0](x)
        for layer in self.layers[1:]:
            outputs = layer(outputs)
        return outputs[0] if len(outputs) == 1 else outputs
