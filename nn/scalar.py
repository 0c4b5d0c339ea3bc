"""The scalar stack: ``Neuron``, ``Layer`` and ``ScalarMLP`` built from ``Value`` nodes.

Every weight, every product and every sum is its own node, exactly as in
notebook 04's pictures of a neuron: slow for real data, but small networks can be
drawn whole with ``viz.draw`` and every gradient can be read off.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from autograd import Seed, Tensor, Value
from autograd.numerics import random_generator

from .data.arguments import check_count, check_sizes
from .layers.activations import activation_layer
from .module import Module

MAX_WEIGHTS = 1_000_000  # a Value each, about 200 bytes, and a node per product at every call: beyond, use nn.MLP


def check_weight_count(owner: str, weights: int) -> None:
    """Refuse a scalar network too large to hold as Values, before any is made (it would take minutes and gigabytes)."""
    if weights > MAX_WEIGHTS:
        raise ValueError(
            f"{owner} would hold {weights:,} parameters, one Value each (at most {MAX_WEIGHTS:,}): use the tensor "
            "stack, nn.MLP, for a network this large"
        )


class Neuron(Module):
    """``activation(w . x + b)``: a weighted sum of the inputs plus a bias, through a nonlinearity.

    ``activation`` is a name of ``nn.ACTIVATIONS`` (the names ``MLP`` takes too):
    ``"tanh"``, ``"relu"``, ``"leaky_relu"``, ``"sigmoid"``, ``"step"`` (the
    perceptron's threshold, through which no gradient flows) or ``"linear"``.
    Weights start uniform in ``[-1, 1]`` from ``seed`` (an int or a numpy ``Generator``).
    """

    def __init__(self, n_inputs: int, activation: str = "tanh", seed: Seed = None):
        check_count("Neuron: n_inputs", n_inputs, 1)
        check_weight_count("Neuron", n_inputs + 1)
        activation_layer(activation)  # an unknown name fails here
        self.activation = activation
        starts = random_generator(seed).uniform(-1.0, 1.0, n_inputs)
        self.weights = [Value(float(w), label=f"w{i}") for i, w in enumerate(starts)]
        self.bias = Value(0.0, label="b")

    def forward(self, x: Sequence[float | Value]) -> Value:
        if len(x) != len(self.weights):
            raise ValueError(f"this Neuron takes {len(self.weights)} inputs, got {len(x)}")
        total = self.bias
        for w, xi in zip(self.weights, x):
            total = total + w * xi
        return activation_layer(self.activation)(total)

    def extra_repr(self) -> str:
        return f"{len(self.weights)}, activation={self.activation!r}"


class Layer(Module):
    """``n_outputs`` neurons, each looking at all ``n_inputs`` inputs."""

    def __init__(self, n_inputs: int, n_outputs: int, activation: str = "tanh", seed: Seed = None):
        check_count("Layer: n_outputs", n_outputs, 1)
        check_count("Layer: n_inputs", n_inputs, 1)
        check_weight_count("Layer", (n_inputs + 1) * n_outputs)
        rng = random_generator(seed)
        self.neurons = [Neuron(n_inputs, activation, rng) for _ in range(n_outputs)]

    def forward(self, x: Sequence[float | Value]) -> list[Value]:
        """Every neuron applied to ``x``; a plain number becomes one data node (``x0``, ``x1``...) all neurons share."""
        if isinstance(x, Tensor) or (isinstance(x, np.ndarray) and x.ndim > 1):  # a batch
            raise TypeError(
                f"a layer of scalar neurons takes one example, a list of {len(self.neurons[0].weights)} numbers or "
                f"Values, not a batch of shape {x.shape}: call it on each row, or use nn.MLP, which "
                "takes a batch as a Tensor"
            )
        x = [xi if isinstance(xi, Value) else Value(xi, label=f"x{i}", requires_grad=False) for i, xi in enumerate(x)]
        return [neuron(x) for neuron in self.neurons]


class ScalarMLP(Module):
    """Layers of neurons: ``ScalarMLP([2, 16, 16, 1])`` maps 2 inputs through two hidden layers to 1 output.

    ``sizes`` lists every width, inputs first, as ``MLP`` takes them. micrograd's
    form, the number of inputs and then the layers' widths (``ScalarMLP(2, [16, 16, 1])``,
    its ``MLP(nin, nouts)``), builds the same network.
    Hidden layers use ``activation``; the last layer is ``output_activation``
    (``"linear"`` by default, so the output is a raw score), both names of
    ``nn.ACTIVATIONS``. A single output is returned as one ``Value``, several as a list.
    """

    def __init__(
        self,
        sizes: Sequence[int] | int,
        nouts: Sequence[int] | None = None,
        *,
        activation: str = "tanh",
        output_activation: str = "linear",
        seed: Seed = None,
    ):
        widths = _widths(sizes, nouts)
        check_weight_count("ScalarMLP", sum((fan_in + 1) * fan_out for fan_in, fan_out in itertools.pairwise(widths)))
        rng = random_generator(seed)
        last = len(widths) - 2
        self.layers = [
            Layer(widths[i], widths[i + 1], output_activation if i == last else activation, rng)
            for i in range(len(widths) - 1)
        ]

    def forward(self, x: Sequence[float | Value]) -> Value | list[Value]:
        outputs = self.layers[0](x)
        for layer in self.layers[1:]:
            outputs = layer(outputs)
        return outputs[0] if len(outputs) == 1 else outputs


def _widths(sizes: Sequence[int] | int, nouts: Sequence[int] | None) -> list[int]:
    """Every width, inputs first, from either form of ``ScalarMLP``'s sizes; an error names the bad one."""
    if nouts is None:
        if isinstance(sizes, int):
            raise TypeError(
                f"ScalarMLP({sizes}) needs every width, as in ScalarMLP([{sizes}, 16, 1]), "
                f"or micrograd's form ScalarMLP({sizes}, [16, 1])"
            )
        return check_sizes("ScalarMLP", sizes)
    if not isinstance(sizes, int) or isinstance(nouts, (str, int)):
        raise TypeError(
            "ScalarMLP takes its widths as ScalarMLP([2, 16, 1]) or, as micrograd does, ScalarMLP(2, [16, 1]); "
            f"got ScalarMLP({sizes!r}, {nouts!r}) (pass activation= and the other settings by name)"
        )
    return check_sizes("ScalarMLP", [sizes, *nouts])
