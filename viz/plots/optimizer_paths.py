"""Optimizers racing on a 2-D loss surface: where each one's steps take the two parameters.

With two parameters the loss is a landscape that can be drawn as contour
lines, and every optimizer step is a move on it. Plain SGD zigzags across a
narrow valley, momentum keeps a share of its past steps and zigzags less,
RMSProp and Adam scale each coordinate by its recent gradient size.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from autograd import Node, Value, no_grad
from autograd.numerics import whole_number

from .figure import check_grid, new_figure

# One line style and marker per path, so that paths running over each other stay apart.
PATH_STYLES = [("-", "o"), ("--", "s"), ("-.", "^"), (":", "D"), ("-", "v"), ("--", "P")]
MAX_PATHS_RESOLUTION = 300  # contour points per axis: the loss runs once per point, 90,000 times at most
DIVERGED_RISE = 100  # a path whose loss ends this many times its starting size (at least 1) above it has diverged


def diverged(paths: Mapping[str, np.ndarray], loss_at: Callable[[Any], float]) -> set[str]:
    """The names of the paths that diverged: the loss at their last point is not finite, or far above their start's."""
    gone = set()
    for name, path in paths.items():
        at_start = loss_at(path[0])
        end = loss_at(path[-1]) if np.all(np.isfinite(path[-1])) else np.inf
        if not end - at_start <= DIVERGED_RISE * max(abs(at_start), 1.0):
            gone.add(name)
    return gone


def _takes_two_values(loss: Callable[..., Node]) -> bool:
    """True for ``loss(a, b)`` of two Values, False for ``loss(p)`` of one 2-element Tensor."""
    try:
        parameters = inspect.signature(loss).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in parameters)


class _Surface:
    """The loss as a function of a point (a, b), over two Values or one 2-element Tensor."""

    def __init__(self, loss: Callable[..., Node]):
        self.loss = loss
        self.two_values = _takes_two_values(loss)

    def parameters(self, point: Sequence[float]) -> list[Node]:
        if self.two_values:
            return [Value(float(point[0])), Value(float(point[1]))]
        from autograd import Tensor

        return [Tensor(np.asarray(point, dtype=np.float64), requires_grad=True)]

    def point(self, parameters: list[Node]) -> np.ndarray:
        if self.two_values:
            return np.array([parameters[0].data, parameters[1].data])
        return np.array(parameters[0].data, dtype=np.float64).reshape(2)

    def value(self, parameters: list[Node]) -> Node:
        return self.loss(*parameters)

    def evaluate(self, point: Sequence[float]) -> float:
        with no_grad():
            return float(np.asarray(self.value(self.parameters(point)).data))


def optimizer_path(
    loss: Callable[..., Node], make_optimizer: Callable[[list[Node]], Any], start: Sequence[float], steps: int
) -> np.ndarray:
    """The points visited by ``steps`` steps of the optimizer from ``start``: shape (steps + 1, 2)."""
    surface = _Surface(loss)
    parameters = surface.parameters(start)
    optimizer = make_optimizer(parameters)
    path = [surface.point(parameters)]
    for _ in range(steps):
        optimizer.zero_grad()
        surface.value(parameters).backward()
        optimizer.step()
        path.append(surface.point(parameters))
    return np.array(path)


def standard_optimizers(lr: float = 0.05) -> dict[str, Callable[[list[Node]], Any]]:
    """SGD, SGD with momentum 0.9, RMSProp and Adam from ``nn.optim``, all with learning rate ``lr``."""
    from nn import optim

    return {
        "SGD": lambda params: optim.SGD(params, lr=lr),
        "momentum 0.9": lambda params: optim.SGD(params, lr=lr, momentum=0.9),
        "RMSProp": lambda params: optim.RMSprop(params, lr=lr),
        "Adam": lambda params: optim.Adam(params, lr=lr),
    }


def plot_optimizer_paths(
    loss: Callable[..., Node],
    optimizers: Mapping[str, Callable[[list[Node]], Any] | Any] | None = None,
    start: Sequence[float] = (-1.5, 1.0),
    steps: int = 50,
    bounds: tuple[tuple[float, float], tuple[float, float]] | None = None,
    resolution: int = 60,
    lr: float = 0.05,
) -> Any:
    """Contours of ``loss`` over two parameters, and the path each optimizer takes from ``start``.

    ``loss``: a function of two Values (``loss(a, b)``) or of one Tensor
    of 2 elements (``loss(p)``), returning a scalar node.
    ``optimizers``: name -> factory that makes an optimizer from the
    parameter list (e.g. ``lambda params: nn.optim.Adam(params, lr=0.1)``;
    it needs ``zero_grad()`` and ``step()``), or name -> an already computed
    path of points (shape (k, 2)). None compares ``nn.optim``'s SGD, SGD with
    momentum, RMSProp and Adam, all with learning rate ``lr``.
    ``start``: where the optimizers start (a path given as points starts
    at its first point; every start is marked).
    ``bounds``: ((a_min, a_max), (b_min, b_max)), by default the paths'
    extent with some room.
    """
    check_grid("plot_optimizer_paths", resolution, MAX_PATHS_RESOLUTION)
    if (whole_number(steps) is None) or steps < 0:
        raise ValueError(f"plot_optimizer_paths: steps must be a whole number >= 0, got {steps!r}")
    if np.shape(start) != (2,) or not np.all(np.isfinite(np.asarray(start, dtype=np.float64))):
        raise ValueError(f"plot_optimizer_paths: start must be 2 finite numbers (a, b), got {start!r}")
    if optimizers is None:
        optimizers = standard_optimizers(lr)
    if not optimizers:
        raise ValueError("optimizers is empty: give at least one name -> optimizer factory (or path)")
    surface = _Surface(loss)
    paths = {}
    for name, how in optimizers.items():
        path = optimizer_path(loss, how, start, steps) if callable(how) else np.asarray(how, dtype=np.float64)
        if path.ndim != 2 or path.shape[1] != 2 or len(path) == 0:
            raise ValueError(f"the path of {name!r} must be k >= 1 points, of shape (k, 2); got shape {path.shape}")
        paths[name] = path
    gone = diverged(paths, surface.evaluate)
    if bounds is None:  # around the paths that stay (around all of them, if none does)
        every = np.concatenate([path for name, path in paths.items() if name not in gone] or list(paths.values()))
        finite = every[np.all(np.isfinite(every), axis=1)]
        low, high = finite.min(axis=0), finite.max(axis=0)
        room = np.maximum(0.15 * (high - low), 0.5)
        bounds = ((low[0] - room[0], high[0] + room[0]), (low[1] - room[1], high[1] + room[1]))
    a = np.linspace(*bounds[0], resolution)
    b = np.linspace(*bounds[1], resolution)
    heights = np.array([[surface.evaluate((ai, bj)) for ai in a] for bj in b])

    figure = new_figure(figsize=(7.6, 4.8))
    ax = figure.subplots()
    finite_heights = heights[np.isfinite(heights)]
    levels = np.quantile(finite_heights, np.linspace(0, 1, 25)) if finite_heights.size else 10
    ax.contour(a, b, heights, levels=np.unique(levels), cmap="viridis", linewidths=0.7)
    for index, (name, path) in enumerate(paths.items()):
        line_style, marker = PATH_STYLES[index % len(PATH_STYLES)]
        ax.plot(
            path[:, 0],
            path[:, 1],
            linestyle=line_style,
            marker=marker,
            markersize=3,
            linewidth=1.0 + 0.4 * (len(paths) - 1 - index),  # the first paths widest, so later ones cannot hide them
            color=f"C{index}",
            label=f"{name} ({len(path) - 1} steps)" + (", diverged" if name in gone else ""),
        )
        ax.plot(path[-1, 0], path[-1, 1], marker="*", markersize=10, color=f"C{index}")
    starts = np.unique([path[0] for path in paths.values()], axis=0)  # a path given as points has its own
    ax.plot(starts[:, 0], starts[:, 1], linestyle="none", marker="s", color="k", markersize=6, label="start")
    ax.set_xlim(*bounds[0])
    ax.set_ylim(*bounds[1])
    ax.set_xlabel("parameter 1")
    ax.set_ylabel("parameter 2")
    ax.set_title("optimizer paths on the loss surface")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1.0))  # beside the plot: paths stay visible
    return figure
