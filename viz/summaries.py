"""Short text for the numbers in a drawing: a scalar, a small array in full, a large one as mean and norm."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import plain

FEW_NUMBERS = 6  # arrays with at most this many elements are shown in full


def format_number(x: Any, number_format: str) -> str:
    """One number with ``number_format`` (a format spec such as ``.4g``)."""
    return format(float(x), number_format)


def summarize(x: Any, number_format: str) -> str:
    """A scalar as itself; an array of a few numbers in full; a larger array as its mean and norm.

    ``x`` may also be a node: a gradient recorded with ``create_graph=True`` is one.
    """
    x = plain(x)
    if not isinstance(x, np.ndarray):
        return format_number(x, number_format)
    if x.size <= FEW_NUMBERS:
        return _nested(x, number_format)
    mean = format_number(np.mean(x), number_format)
    norm = format_number(np.linalg.norm(x.ravel()), number_format)
    return f"mean {mean}, norm {norm}"


def _nested(x: np.ndarray, number_format: str) -> str:
    if x.ndim == 0:
        return format_number(x, number_format)
    return "[" + " ".join(_nested(row, number_format) for row in x) + "]"


def describe_array(x: Any) -> str | None:
    """``shape (2, 3) float64`` for an array, None for a scalar."""
    x = plain(x)
    if not isinstance(x, np.ndarray):
        return None
    return f"shape {tuple(x.shape)} {x.dtype}"
