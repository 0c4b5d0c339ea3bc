"""``backprop_player``: the backprop steps as one HTML page with previous/next buttons and a slider.

Every frame is an SVG written into the page itself, and the controls are a
few lines of inline JavaScript, so the file works offline, can be mailed to
a class, and shows inline in Jupyter. Arrow keys step too (click the player first).
"""

from __future__ import annotations

import hashlib
import html
import itertools
import re
from pathlib import Path
from typing import Any

from autograd import Node

from .backprop_steps import DEFAULT_MAX_STEP_NODES, BackpropStep, backprop_steps
from .dot_program import run_dot

_player_numbers = itertools.count()

_STYLE = """
.tracegrad-player { font-family: Helvetica, Arial, sans-serif; outline: none; }
.tracegrad-player .controls { display: flex; gap: 0.6em; align-items: center; margin: 0.3em 0; }
.tracegrad-player .controls input[type=range] { flex: 1; max-width: 30em; }
.tracegrad-player .equation { font-size: 1.05em; margin: 0.4em 0; min-height: 2.6em; }
.tracegrad-player .frame { display: none; overflow-x: auto; }
.tracegrad-player .frame.shown { display: block; }
.tracegrad-player svg { max-width: 100%; height: auto; }
"""

_SCRIPT = """
(function () {
  var player = document.getElementById("%(id)s");
  var frames = player.querySelectorAll(".frame");
  var slider = player.querySelector("input[type=range]");
  var counter = player.querySelector(".counter");
  function show(index) {
    index = Math.max(0, Math.min(frames.length - 1, index));
    frames.forEach(function (frame, i) { frame.classList.toggle("shown", i === index); });
    slider.value = index;
    counter.textContent = "step " + (index + 1) + " of " + frames.length;
  }
  function current() { return parseInt(slider.value, 10); }
  player.querySelector(".previous").addEventListener("click", function () { show(current() - 1); });
  player.querySelector(".next").addEventListener("click", function () { show(current() + 1); });
  slider.addEventListener("input", function () { show(current()); });
  player.addEventListener("keydown", function (event) {
    if (event.key === "ArrowRight" || event.key === "ArrowDown") { show(current() + 1); event.preventDefault(); }
    if (event.key === "ArrowLeft" || event.key === "ArrowUp") { show(current() - 1); event.preventDefault(); }
    if (event.key === "Home") { show(0); event.preventDefault(); }
    if (event.key === "End") { show(frames.length - 1); event.preventDefault(); }
  });
  show(0);
})();
"""


def inline_svg(svg: str) -> str:
    """An SVG document as an element for an HTML page: no XML prolog, doctype or namespace URLs."""
    start = svg.index("<svg")
    element = svg[start:]
    tag_end = element.index(">")
    tag = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", element[:tag_end])
    return tag + element[tag_end:]


class BackpropPlayer:
    """The frames of ``backprop_steps`` in one self-contained HTML player (``_repr_html_`` for Jupyter)."""

    def __init__(self, steps: list[BackpropStep]):
        if not steps:
            raise ValueError("a backprop player needs at least one step; the node has no gradient to show")
        self.steps = steps
        self._frames: list[str] | None = None

    def frames(self) -> list[str]:
        """The SVG of every step, rendered once."""
        if self._frames is None:
            self._frames = [inline_svg(run_dot(step.drawing.source, "svg").decode("utf-8")) for step in self.steps]
        return self._frames

    def fragment(self) -> str:
        """The player as an HTML fragment: a ``<div>`` with its style and script."""
        frames = self.frames()
        digest = hashlib.sha1("".join(frames).encode("utf-8")).hexdigest()[:10]
        player_id = f"tracegrad-player-{next(_player_numbers)}-{digest}"
        last = len(frames) - 1
        bodies = "\n".join(
            f'<div class="frame" data-step="{step.index}"><p class="equation">{html.escape(step.text)}</p>\n{svg}</div>'
            for step, svg in zip(self.steps, frames)
        )
        return (
            f"<style>{_STYLE}</style>\n"
            f'<div class="tracegrad-player" id="{player_id}" tabindex="0">\n'
            f'<div class="controls"><button class="previous" type="button">&#9664; previous</button>'
            f'<input type="range" min="0" max="{last}" value="0" step="1" aria-label="backprop step">'
            f'<button class="next" type="button">next &#9654;</button><span class="counter"></span></div>\n'
            f"{bodies}\n</div>\n"
            f"<script>{_SCRIPT % {'id': player_id}}</script>"
        )

    def html(self, title: str = "Backprop, one step at a time") -> str:
        """A complete HTML page holding the player (everything inline, nothing fetched)."""
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n</head>\n<body>\n<h1>{html.escape(title)}</h1>\n"
            "<p>Each step completes one node's gradient: upstream × local = downstream. "
            "Use the buttons, the slider or the arrow keys.</p>\n"
            f"{self.fragment()}\n"
            "<script>document.querySelector('.tracegrad-player').focus();</script>\n"
            "</body>\n</html>\n"
        )

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` (an ``.html`` file) and return the path."""
        path = Path(path)
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

    The options are those of ``viz.backprop_steps``. The frames are rendered
    with the system ``dot`` or ``graphviz-pure``, like ``viz.render``.
    """
    player = BackpropPlayer(backprop_steps(node, rankdir, show_local_grads, number_format, max_nodes, model))
    if path is not None:
        player.save(path)
    return player
