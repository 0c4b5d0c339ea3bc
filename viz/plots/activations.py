"""Activation functions beside their derivatives, the derivatives taken by backprop itself.

The derivative is what backprop multiplies the upstream gradient by, so its
shape explains training: sigmoid's is at most 0.25 and vanishes for large
|x| (saturation), tanh's peaks at 1 but also vanishes, ReLU's is exactly 1
for every positive input and 0 for every negative one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from autograd import Value

from .figure import new_figure

ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "relu": Value.relu,
    "leaky_relu": lambda x: x.leaky_relu(0.1),
    "step": Value.step,
    "abs": Value.abs,
}
TITLES = {"leaky_relu": "leaky_relu, slope 0.1"}  # drawn steeper than its default 0.01, which would look like relu


def value_and_derivative(function: Callable[[Value], Value], xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f(x) and f'(x) at every x, f'(x) from ``backward()`` through the engine (not a formula)."""
    values, derivatives = np.empty(len(xs)), np.empty(len(xs))
    for index, x in enumerate(xs):
        node = Value(float(x))
        out = function(node)
        out.backward()
        values[index] = out.data
        derivatives[index] = 0.0 if node.grad is None else node.grad
    return values, derivatives


def plot_activations(
    activations: Sequence[str] | Mapping[str, Callable[[Value], Value]] = ("sigmoid", "tanh", "relu", "leaky_relu"),
    x_range: tuple[float, float] = (-5.0, 5.0),
    points: int = 201,
) -> Any:
    """One panel per activation: the function and its derivative over ``x_range``.

    ``activations``: names among ``viz.plots.activations.ACTIVATIONS``, or a
    mapping name -> function of a ``Value`` (your own activation).
    """
    if isinstance(activations, str):  # one name ("relu", not the letters r, e, l, u)
        activations = [activations]
    if isinstance(activations, Mapping):
        chosen = dict(activations)
    else:
        unknown = [name for name in activations if name not in ACTIVATIONS]
        if unknown:
            raise ValueError(f"unknown activation(s) {', '.join(unknown)}; known: {', '.join(ACTIVATIONS)}")
        chosen = {name: ACTIVATIONS[name] for name in activations}
    if not chosen:
        raise ValueError("no activation to plot")
    xs = np.linspace(x_range[0], x_range[1], points)
    figure = new_figure(figsize=(3.2 * len(chosen), 3.0))
    axes = figure.subplots(1, len(chosen), squeeze=False)[0]
    for ax, (name, function) in zip(axes, chosen.items()):
        values, derivatives = value_and_derivative(function, xs)
        ax.plot(xs, values, color="tab:blue", label="f(x)")
        ax.plot(xs, derivatives, color="tab:red", linestyle="--", label="f'(x) by backprop")
        ax.axhline(0, color="0.6", linewidth=0.6)
        ax.axvline(0, color="0.6", linewidth=0.6)
        ax.set_title(TITLES.get(name, name) if function is ACTIVATIONS.get(name) else name)
        ax.set_xlabel("x")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    return figure
