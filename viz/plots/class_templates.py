"""A linear classifier's weights drawn as pictures: one template per class.

The score of a class is the dot product of its row of ``W`` with the input,
a match between the input and a template. Drawn as an image of the input's
shape, each template of a classifier trained on pictures looks like a blurry
average of its class. Red is a positive weight (this pixel speaks for the
class), blue a negative one, white zero: a diverging colour map centred on 0,
on one scale shared by every template so that they can be compared, read off
the colour bar.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import plain

from .figure import new_figure

DIVERGING_COLOUR_MAP = "RdBu_r"  # blue for negative, white for 0, red for positive


def _templates(source: Any, image_shape: tuple[int, ...] | None) -> tuple[np.ndarray, list[str] | None]:
    """The templates as an array (n_classes, height, width[, channels]) and the class names if known."""
    names = None
    if hasattr(source, "templates"):
        names = [str(c) for c in getattr(source, "classes_", [])] or None
        weights = np.asarray(source.templates() if image_shape is None else source.templates(image_shape))
    else:
        weights = np.asarray(plain(source), dtype=np.float64)
    if weights.ndim < 2:
        raise ValueError(f"templates need one row per class, got an array of shape {weights.shape}")
    if image_shape is not None:
        weights = weights.reshape((len(weights), *image_shape))
    elif weights.ndim == 2:
        side = math.isqrt(weights.shape[1])
        if side * side != weights.shape[1]:
            raise ValueError(
                f"cannot tell the image shape of {weights.shape[1]} weights per class: pass image_shape=(height, width)"
            )
        weights = weights.reshape(len(weights), side, side)
    if weights.ndim == 4 and weights.shape[1] in (1, 3) and weights.shape[-1] not in (1, 3):
        weights = weights.transpose(0, 2, 3, 1)  # channels first -> channels last
    if weights.ndim == 4 and weights.shape[-1] == 1:
        weights = weights[..., 0]
    if weights.ndim not in (3, 4):
        raise ValueError(f"cannot draw templates of shape {weights.shape[1:]} as images")
    return weights, names


def plot_class_templates(
    source: Any,
    class_names: Sequence[str] | None = None,
    image_shape: tuple[int, ...] | None = None,
    columns: int = 5,
) -> Any:
    """One image per class from a weight matrix ``(n_classes, n_features)`` or a classifier with ``templates()``.

    ``image_shape``: (height, width) or (height, width, channels) of one
    input, if it cannot be read from the source (a square number of weights
    is taken as a square image). Grey images share one red/blue scale
    centred on 0 (from -m to m, m the largest absolute weight), shown by a
    colour bar; colour images are scaled to [0, 1] each.
    """
    templates, names = _templates(source, image_shape)
    names = list(class_names) if class_names is not None else names or [str(i) for i in range(len(templates))]
    if len(names) != len(templates):
        raise ValueError(f"{len(names)} class names for {len(templates)} templates")
    columns = max(1, min(columns, len(templates)))
    rows = math.ceil(len(templates) / columns)
    figure = new_figure(figsize=(1.9 * columns, 2.1 * rows))
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    for ax in axes:
        ax.set_axis_off()
    limit = float(np.max(np.abs(templates))) or 1.0
    for ax, template, name in zip(axes, templates, names):
        if template.ndim == 2:
            image = ax.imshow(template, cmap=DIVERGING_COLOUR_MAP, vmin=-limit, vmax=limit)
        else:
            low, high = template.min(), template.max()
            ax.imshow((template - low) / ((high - low) or 1.0))
        ax.set_title(name, fontsize="small")
    if templates.ndim == 3:
        figure.colorbar(image, ax=axes.tolist(), shrink=0.8, label="weight")
    return figure
