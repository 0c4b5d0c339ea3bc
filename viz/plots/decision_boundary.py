"""The decision regions of a classifier of 2-D points, with the data on top.

Every point of a fine grid over the plane is classified; the coloured regions
show what the model answers where, and the borders between them are its
decision boundary (a line for a linear classifier, a curve for an MLP).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import no_grad, plain
from autograd.numerics import finite_number

from ..decision_grid import CLASS_COLORS
from .figure import check_grid, new_figure

MAX_BOUNDARY_RESOLUTION = 1000  # points per axis: a million model outputs at most


def _as_array(x: Any) -> np.ndarray:
    return np.asarray(plain(x))


def model_output(model: Any, points: np.ndarray) -> np.ndarray:
    """What ``model`` answers for ``points`` (n, 2): ``predict``, an ``nn`` model on a Tensor, or a plain callable."""
    if hasattr(model, "predict"):
        return _as_array(model.predict(points))
    if not callable(model):
        raise TypeError(f"model must have predict(X) or be callable, got a {type(model).__name__}")
    if hasattr(model, "named_parameters"):  # an nn.Module takes a Tensor
        from autograd import Tensor

        with no_grad():
            return _as_array(model(Tensor(points)))
    return _as_array(model(points))


def predicted_labels(output: np.ndarray, n_points: int, classes: np.ndarray | None, threshold: float) -> np.ndarray:
    """Turn a model's output into one label per point.

    One score per class (n, k): the index of the highest. Labels (integers,
    strings, or floats that are all class values): as they are. One score per
    point otherwise: the larger class of ``classes`` above ``threshold``, the smaller below.
    """
    if output.ndim == 2 and output.shape[1] > 1:
        return output.argmax(axis=1)
    output = output.reshape(n_points)
    if output.dtype.kind != "f" or (classes is not None and np.all(np.isin(output, classes))):
        return output
    negative, positive = (classes[0], classes[-1]) if classes is not None and len(classes) == 2 else (0, 1)
    return np.where(output > threshold, positive, negative)


def plot_decision_boundary(
    model: Any,
    X: Any,
    y: Any = None,
    resolution: int = 200,
    margin: float = 0.5,
    threshold: float = 0.0,
    title: str | None = None,
) -> Any:
    """Colour the plane by the class ``model`` predicts, and scatter ``X`` coloured by its labels ``y``.

    ``model``: a classifier with ``predict(X)``, an ``nn`` model (called on a
    Tensor: one score per class, or one score), or a function of a numpy array
    ``(n, 2)``. A single score per point is split at ``threshold`` (0 for a
    logit or a margin; use 0.5 for a probability). ``resolution``: grid points
    per axis; ``margin``: room around the data.
    """
    check_grid("plot_decision_boundary", resolution, MAX_BOUNDARY_RESOLUTION)
    if finite_number(threshold) is None:
        raise ValueError(f"plot_decision_boundary: threshold must be a finite number, got {threshold!r}")
    X = np.asarray(_as_array(X), dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must hold 2-D points, shape (n, 2); got shape {X.shape}")
    labels = None if y is None else _as_array(y).reshape(-1)
    if labels is not None and len(labels) != len(X):
        raise ValueError(f"y must hold one label per point ({len(X)}), got {len(labels)}")
    low, high = X.min(axis=0) - margin, X.max(axis=0) + margin
    grid_x, grid_y = np.meshgrid(np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution))
    points = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    known = None if labels is None else np.unique(labels)
    predicted = predicted_labels(model_output(model, points), len(points), known, threshold)
    classes = np.unique(predicted) if known is None else np.union1d(known, np.unique(predicted))
    regions = np.searchsorted(classes, predicted).reshape(grid_x.shape)
    colors = [CLASS_COLORS[index % len(CLASS_COLORS)] for index in range(len(classes))]  # as the training recorder

    figure = new_figure(figsize=(5.2, 4.4))
    ax = figure.subplots()
    ax.contourf(grid_x, grid_y, regions, levels=np.arange(-0.5, len(classes)), colors=colors, alpha=0.25)
    if len(classes) > 1:
        ax.contour(grid_x, grid_y, regions, levels=np.arange(0.5, len(classes) - 1), colors="k", linewidths=0.8)
    if known is None:
        ax.scatter(X[:, 0], X[:, 1], s=14, color="k")
    else:
        for index in np.searchsorted(classes, known):
            chosen = labels == classes[index]
            ax.scatter(
                X[chosen, 0],
                X[chosen, 1],
                s=14,
                color=colors[index],
                edgecolors="k",
                linewidths=0.3,
                label=str(classes[index]),
            )
        ax.legend(fontsize="small", title="class")
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title or "decision regions")
    return figure
