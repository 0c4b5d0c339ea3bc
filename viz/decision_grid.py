"""The decision boundary as a small grid of classes: the model asked for its class at every point of a square.

A classifier with two inputs splits the plane into regions, one per class; the
lines between them are its decision boundary. Evaluating the model on a grid of
``resolution x resolution`` points (without recording a graph) and keeping the
class of each gives a small picture of those regions, one character per
point, cheap enough to keep for every frame of a training run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import Value, no_grad

MAX_CLASSES = 10  # a class is one digit of the grid's text
# One colour per class, up to MAX_CLASSES: Okabe and Ito's eight, told apart by every kind of colour vision, then
# Paul Tol's wine and olive. The points take them; the regions take light tints of them.
CLASS_COLORS = (
    *("#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"),
    *("#882255", "#999933"),
)
REGION_COLORS = (
    *("#f7d9a1", "#c3e4f6", "#a6dcc9", "#f8f3b9", "#a6c9e3", "#f1c0a0", "#ecc9de", "#c8c8c8"),
    *("#d5b2c3", "#dbdbb7"),
)


def square_around(points: np.ndarray, margin: float = 0.25) -> tuple[float, float, float, float]:
    """``(x_min, x_max, y_min, y_max)``: a square holding ``points`` with ``margin`` of its side to spare each way.

    A single point (or points all in one place) gets a square of side 2 around it.
    """
    low, high = points.min(axis=0), points.max(axis=0)
    spread = float(np.max(high - low))
    middle, side = (low + high) / 2, spread * (1 + 2 * margin) if spread > 0 else 2.0
    return middle[0] - side / 2, middle[0] + side / 2, middle[1] - side / 2, middle[1] + side / 2


def grid_points(extent: Sequence[float], resolution: int) -> np.ndarray:
    """The centres of a ``resolution x resolution`` grid over ``extent``, row by row from the top (largest y)."""
    x_min, x_max, y_min, y_max = extent
    xs = x_min + (np.arange(resolution) + 0.5) * (x_max - x_min) / resolution
    ys = y_max - (np.arange(resolution) + 0.5) * (y_max - y_min) / resolution
    grid_x, grid_y = np.meshgrid(xs, ys)
    return np.column_stack([grid_x.ravel(), grid_y.ravel()])


def class_codes(outputs: np.ndarray, threshold: float = 0.0) -> str:
    """Each row's class as a digit: the largest score, or for one score per row whether it is above ``threshold``."""
    outputs = np.asarray(outputs, dtype=np.float64).reshape(len(outputs), -1)
    classes = (outputs[:, 0] > threshold).astype(int) if outputs.shape[1] == 1 else np.argmax(outputs, axis=1)
    return "".join(str(c) for c in classes)


def target_classes(targets: np.ndarray, threshold: float) -> np.ndarray | None:
    """The class of each target, as ``class_codes`` reads a model's output: None when they are not classes.

    Class numbers (0, 1, 2, ...) are their own; targets with a negative one
    (-1 and +1, a score's two sides) are split at ``threshold``, as a model
    with one output is.
    """
    targets = np.asarray(targets, dtype=np.float64).ravel()
    if not np.all(np.isfinite(targets)) or not np.all(targets == np.round(targets)):
        return None
    return (targets > threshold).astype(int) if targets.min() < 0 else targets.astype(int)


def scalar_outputs(model: Any, points: np.ndarray) -> np.ndarray:
    """A scalar (``Value``) model's outputs at each point, one row per point, without recording a graph."""
    rows = []
    with no_grad():
        for point in points:
            output = model([float(x) for x in point])
            outputs = output if isinstance(output, (list, tuple)) else [output]
            rows.append([o.data if isinstance(o, Value) else float(o) for o in outputs])
    return np.array(rows)
