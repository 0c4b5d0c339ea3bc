"""How large a gradient is, shown two ways at once: a colour and a word.

Training goes wrong in ways the sizes of the gradients show: a gradient that
shrinks to nothing on its way back through many layers (vanishing: the early
layers stop learning), one that grows without bound (exploding: the weights
jump about and turn NaN), a ReLU unit whose output is 0 on every input (dead:
its gradient is 0, so it never learns again). The size of a gradient is its
root mean square (``|g|`` for a number). Its colour comes from a palette that
people with every kind of colour vision read the same way (cividis: dark blue
for tiny gradients, through grey, to yellow for large ones, on a log scale),
and a word (``▽ tiny``, ``▲ large``, ``✕ dead``) and the box's border say the
same thing without colour.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Node, plain

TINY_GRAD = 1e-5  # a gradient this small (root mean square) is vanishing
LARGE_GRAD = 10.0  # a gradient this large is exploding
LOG_RANGE = (-6.0, 2.0)  # the palette spans sizes 1e-6 to 1e2; smaller and larger take its ends
# Cividis at 0, 1/4, 1/2, 3/4 and 1 of its range (dark blue, blue-grey, grey, khaki, yellow).
PALETTE = ("#00224e", "#35456c", "#7c7b78", "#bcaf6f", "#fee838")
TINY, LARGE, DEAD = "▽ tiny", "▲ large", "✕ dead"


def grad_size(grad: Any) -> float | None:
    """The root mean square of a gradient (``|g|`` for a number); None for a gradient not computed."""
    grad = plain(grad)
    if grad is None:
        return None
    values = np.asarray(grad, dtype=np.float64)
    return float(np.sqrt(np.mean(values * values))) if values.size else 0.0


def _hex(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def grad_color(size: float | None) -> str | None:
    """The palette's colour for a gradient of this size (log scale over ``LOG_RANGE``); None for no gradient."""
    if size is None or math.isnan(size):
        return None
    low, high = LOG_RANGE
    where = (math.log10(size) - low) / (high - low) if size > 0 else 0.0
    where = min(max(where, 0.0), 1.0) * (len(PALETTE) - 1)
    index = min(int(where), len(PALETTE) - 2)
    start, end = _hex(PALETTE[index]), _hex(PALETTE[index + 1])
    part = where - index
    return "#" + "".join(f"{round(a + (b - a) * part):02x}" for a, b in zip(start, end))


def dead_units(node: Node) -> tuple[int, int] | None:
    """For the output of a ReLU: how many of its units are 0 on every input of the batch, and how many there are.

    A number is one unit; an array's units are its last axis (the columns of a
    batch of rows). None when ``node`` is not made by a ReLU.
    """
    if node.op is None or getattr(node.op, "name", None) != "relu":
        return None
    data = np.asarray(plain(node.data), dtype=np.float64)
    if data.ndim == 0:
        return int(data == 0), 1
    columns = data.reshape(-1, data.shape[-1])
    return int(np.sum(np.all(columns == 0, axis=0))), columns.shape[1]


def grad_marks(size: float | None, node: Node) -> str:
    """The words beside a box: dead units, then a tiny or large gradient (empty when all is well)."""
    marks = []
    dead = dead_units(node)
    if dead is not None and dead[0]:
        marks.append(DEAD if dead[1] == 1 else f"{DEAD} {dead[0]} of {dead[1]}")
    if size is not None and size < TINY_GRAD:
        marks.append(TINY)
    elif size is not None and (size > LARGE_GRAD or math.isnan(size)):
        marks.append(LARGE)
    return " ".join(marks)
