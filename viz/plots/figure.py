"""A fresh matplotlib ``Figure``, with matplotlib imported only when a plot is asked for.

``import viz`` works without matplotlib; the plots need it (``pip install
'tracegrad[plots]'``). Figures are made without ``pyplot``, so nothing is kept
in pyplot's global list and a notebook shows each returned figure once, as a
PNG, whichever matplotlib backend the notebook uses.
"""

from __future__ import annotations

import functools
import io
from typing import Any

from autograd.numerics import whole_number

INSTALL_HINT = "the plots need matplotlib: pip install 'tracegrad[plots]' (or pip install matplotlib)"


def check_grid(caller: str, resolution: Any, most: int) -> None:
    """Refuse a grid that cannot be drawn (fewer than 2 points per axis) or would take unbounded work (over ``most``)."""
    if not 2 <= (whole_number(resolution) or 0) <= most:
        raise ValueError(
            f"{caller}: resolution must be a whole number from 2 to {most} (points per axis), got {resolution!r}"
        )


@functools.cache
def _figure_class() -> type:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError(INSTALL_HINT) from None

    class PlotFigure(Figure):
        """A matplotlib ``Figure`` that shows itself in Jupyter (as a PNG) without pyplot."""

        def _repr_png_(self) -> bytes:
            buffer = io.BytesIO()
            self.savefig(buffer, format="png", dpi=100)
            return buffer.getvalue()

    return PlotFigure


def new_figure(**options: Any) -> Any:
    """A ``matplotlib.figure.Figure`` (``options`` go to its constructor, e.g. ``figsize``)."""
    return _figure_class()(layout="constrained", **options)
