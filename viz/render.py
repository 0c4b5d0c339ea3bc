"""``render``: write a drawing to a file (``.svg``, ``.png`` or ``.dot``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import graphviz

from autograd import Node

from .dot_program import run_dot
from .graph_drawing import draw
from .output_file import in_existing_folder

# The files viz.render writes; .dot is the DOT text itself and needs no renderer.
RENDER_FORMATS = ("svg", "png", "dot")


def output_format(path: str | Path, format: str | None = None) -> str:
    """The format to write: ``format`` if given, else the file's extension."""
    chosen = format or Path(path).suffix.lstrip(".").lower()
    if chosen not in RENDER_FORMATS:
        raise ValueError(
            f"cannot tell how to write {str(path)!r}: give a file name ending in "
            f"{', '.join('.' + f for f in RENDER_FORMATS)} or pass format= one of {', '.join(RENDER_FORMATS)}"
        )
    return chosen


def render(graph: Node | graphviz.Digraph, path: str | Path, format: str | None = None, **draw_options: Any) -> Path:
    """Draw ``graph`` (a ``Value``/``Tensor``, or a drawing from ``viz.draw``) and write it to ``path``.

    The format comes from the extension (``.svg``, ``.png``, ``.dot``) unless
    ``format`` is given; ``draw_options`` go to ``viz.draw`` (``rankdir``,
    ``show_local_grads``, ...). ``.dot`` writes the DOT text and needs no
    renderer. Returns the path written.
    """
    chosen = output_format(path, format)
    path = in_existing_folder(path)
    if isinstance(graph, graphviz.Digraph):
        if draw_options:
            raise TypeError(f"draw options {sorted(draw_options)} apply to a node, not to an already made drawing")
        drawing = graph
    else:
        drawing = draw(graph, **draw_options)
    path.write_bytes(drawing.source.encode("utf-8") if chosen == "dot" else run_dot(drawing.source, chosen))
    return path
