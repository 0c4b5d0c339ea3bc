"""``backprop_player``: the backprop steps as one HTML page: one picture of the graph, and the steps as data.

The graph is laid out and rendered once, with every gradient written in. A
step changes only what is emphasised on that picture (the node whose gradient
it completes, the ops and edges its gradient comes back along, the gradients
not computed yet shown as ``?``) and the equation above it, so the page grows
with the size of the graph, not with its square, and every step has exactly
the same layout. A few lines of inline JavaScript (``viz.player_script``) run
the buttons, the slider, the keys, zoom and pan, so the file works offline,
can be mailed to a class, and shows inline in Jupyter.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import re
from pathlib import Path
from typing import Any

from autograd import Node

from .backprop_steps import DEFAULT_MAX_STEP_NODES, BackpropStep, backprop_steps
from .dot_program import run_dot
from .graph_drawing import FOCUS_COLOR, FOCUS_FILL, GRAD_COLOR, NOT_COMPUTED
from .output_file import web_page_path
from .player_script import PLAYER_SCRIPT, PLAYER_STYLE

_player_numbers = itertools.count()


def inline_svg(svg: str) -> str:
    """An SVG document as an element for an HTML page: no XML prolog, doctype, comments or namespace URLs."""
    start = svg.index("<svg")
    element = re.sub(r"<!--.*?-->\n?", "", svg[start:], flags=re.DOTALL)
    tag_end = element.index(">")
    tag = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", element[:tag_end])
    return tag + element[tag_end:]


def script_json(data: Any) -> str:
    """``data`` as JSON that is safe inside a ``<script>`` element: no ``<``, ``>`` or ``&`` can end it early."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


class BackpropPlayer:
    """The frames of ``backprop_steps`` in one self-contained HTML player (``_repr_html_`` for Jupyter)."""

    def __init__(self, steps: list[BackpropStep]):
        if not steps:
            raise ValueError("a backprop player needs at least one step; the node has no gradient to show")
        canvas = steps[0].canvas
        if any(step.canvas is not canvas for step in steps):
            raise ValueError("a backprop player shows the steps of one backward pass (one call of backprop_steps)")
        self.steps = steps
        self.canvas = canvas
        self._picture: str | None = None

    def picture(self) -> str:
        """The SVG every frame is shown on: the whole graph with every gradient, laid out and rendered once."""
        if self._picture is None:
            self._picture = inline_svg(run_dot(self.canvas.paint().source, "svg").decode("utf-8"))
        return self._picture

    def frames(self) -> list[dict[str, Any]]:
        """What each frame emphasises on the picture, and its equation.

        Parts are named by their DOT names (``v3``, ``op3``, ``v2->op3``): the node
        the step completes, the ops that used it (their ovals and outputs) and the
        edges their gradients come back along (through the small node of an
        edge's numbers where the picture has one: ``v2->op3e0``, ``op3e0->op3``).
        """
        view = self.canvas.view
        drawn = self.drawn_names()
        frames = []
        for step in self.steps:
            node = view.ids[step.node]
            consumers = list(dict.fromkeys(term.consumer for term in step.terms))
            edges = []
            for consumer in consumers:
                op = view.op_id(consumer)
                for position, parent in enumerate(consumer.parents):
                    if parent is step.node:  # straight into the op, or through the small node of the edge's numbers
                        numbers = view.edge_numbers_id(consumer, position)
                        edges += [e for e in (f"{node}->{op}", f"{node}->{numbers}", f"{numbers}->{op}") if e in drawn]
                edges.append(f"{op}->{view.ids[consumer]}")
            frames.append(
                {
                    "node": node,
                    "consumers": [
                        name for consumer in consumers for name in (view.ids[consumer], view.op_id(consumer))
                    ],
                    "edges": edges,
                    "text": step.text,
                }
            )
        return frames

    def reveal(self) -> dict[str, int]:
        """The step at which each gradient written in the picture is computed, by DOT name.

        A node's ``grad`` appears at the step that completes it; the ``share`` on
        each edge into the op that made it appears then too, since that step's
        gradient is what the op's backward splits into those shares.
        """
        view = self.canvas.view
        drawn = self.drawn_names()
        reveal = {}
        for index, step in enumerate(self.steps):
            reveal[view.ids[step.node]] = index
            for position in range(len(step.node.parents)):
                numbers = view.edge_numbers_id(step.node, position)
                if numbers in drawn:
                    reveal[numbers] = index
        return reveal

    def drawn_names(self) -> set[str]:
        """The DOT names of the picture's nodes and edges, as Graphviz writes them into each group's title."""
        return {html.unescape(title) for title in re.findall(r"<title>(.*?)</title>", self.picture())}

    def fragment(self, read_hash: bool = False) -> str:
        """The player as an HTML fragment: a ``<div>`` with its style, its frames as JSON and its script.

        With ``read_hash`` the player opens at the step and zoom the page's address asks for
        (``page.html#step=5&zoom=150``).
        """
        picture = self.picture()
        digest = hashlib.sha1(picture.encode("utf-8")).hexdigest()[:10]
        player_id = f"tracegrad-player-{next(_player_numbers)}-{digest}"
        data = {
            "frames": self.frames(),
            "reveal": self.reveal(),
            "pending": NOT_COMPUTED,
            "gradColor": GRAD_COLOR,
        }
        style = PLAYER_STYLE.replace("FOCUS_FILL", FOCUS_FILL).replace("FOCUS_COLOR", FOCUS_COLOR)
        hash_attribute = " data-read-hash" if read_hash else ""
        return (
            f"<style>{style}</style>\n"
            f'<div class="tracegrad-player" id="{player_id}" tabindex="0"{hash_attribute}>\n'
            '<div class="controls"><button class="previous" type="button">&#9664; previous</button>'
            f'<input type="range" min="0" max="{len(self.steps) - 1}" value="0" step="1" aria-label="backprop step">'
            '<button class="next" type="button">next &#9654;</button><span class="counter"></span>'
            '<button class="zoom-out" type="button" title="zoom out (-)">&#8722;</button>'
            '<span class="zoom-level"></span>'
            '<button class="zoom-in" type="button" title="zoom in (+)">+</button>'
            '<button class="zoom-fit" type="button" title="the whole graph (0)">fit</button>'
            '<label><input class="follow" type="checkbox" checked> follow the step</label></div>\n'
            f'<p class="equation">{html.escape(self.steps[0].text)}</p>\n'
            f'<div class="viewport">{picture}</div>\n'
            f'<script type="application/json" class="frames">{script_json(data)}</script>\n'
            "</div>\n"
            f"<script>{PLAYER_SCRIPT.replace('PLAYER_ID', json.dumps(player_id))}</script>"
        )

    def html(self, title: str = "Backprop, one step at a time") -> str:
        """A complete HTML page holding the player (everything inline, nothing fetched)."""
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n</head>\n<body>\n<h1>{html.escape(title)}</h1>\n"
            "<p>Each step completes one node's gradient: upstream × local = downstream. "
            "Step with the buttons, the slider or the keys (arrows, space, Home, End); "
            "zoom with the mouse wheel or + and &#8722;, drag to pan.</p>\n"
            f"{self.fragment(read_hash=True)}\n"
            "<script>document.querySelector('.tracegrad-player').focus({preventScroll: true});</script>\n"
            "</body>\n</html>\n"
        )

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` (an ``.html`` file) and return the path."""
        path = web_page_path(path)
        path.write_text(self.html(), encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        return self.fragment()

    def __len__(self) -> int:
        return len(self.steps)


def backprop_player(
    node: Node,
    path: str | Path | None = None,
    rankdir: str = "LR",
    show_local_grads: bool = True,
    number_format: str = ".4g",
    max_nodes: int | None = DEFAULT_MAX_STEP_NODES,
    model: Any = None,
) -> BackpropPlayer:
    """Step through backprop from ``node`` in a player that shows inline in Jupyter; also saved if ``path`` is given.

    The options are those of ``viz.backprop_steps``. The picture is rendered
    once, with the system ``dot`` or ``graphviz-pure``, like ``viz.render``.
    """
    if path is not None:
        web_page_path(path)  # (a wrong name fails before the rendering)
    player = BackpropPlayer(backprop_steps(node, rankdir, show_local_grads, number_format, max_nodes, model))
    if path is not None:
        player.save(path)
    return player
