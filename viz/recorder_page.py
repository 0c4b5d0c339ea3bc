"""The training recorder's page: one picture of the graph, and every frame as a few numbers and words.

The graph's SVG is the only picture on the page. The loss curve and the
decision boundary are small canvases the script paints from the frame data
(``viz.recorder_script``): the curve's points once, the boundary's grid of
classes (one digit per point) per frame. So the page grows with frames x boxes
(plus the grid), never with frames x pictures, and works offline.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import math
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from .decision_grid import CLASS_COLORS, REGION_COLORS, target_classes
from .grad_sizes import DEAD, LARGE, LARGE_GRAD, LOG_RANGE, PALETTE, TINY, TINY_GRAD, grad_color
from .player import script_json
from .recorder_script import RECORDER_SCRIPT, RECORDER_STYLE

DEFAULT_TITLE = "Training, frame by frame"
MAX_CURVE_POINTS = 1000  # about the most points the loss curve draws (each stretch of steps: its lowest and highest)
CURVE_WIDTH, CURVE_HEIGHT, CURVE_MARGIN = 360, 180, 36
BOUNDARY_SIZE = 240  # pixels on the page
_displays = itertools.count()


@dataclass
class TrainingFrame:
    """What the page shows at one moment of training, each box by its DOT id (``g0``, ``v8``).

    ``data`` and ``grads`` hold copies of the numbers (arrays for tensor boxes),
    ``texts`` the two rows written in the box, ``sizes`` the gradients' root mean
    squares and ``marks`` the words beside the boxes (``recorder.names`` names
    each box: ``layers.0``, ``output``). ``loss`` is the training
    loss of the last step (None before the first), ``classes`` the decision
    boundary's grid (one digit per point, row by row from the top) or None.
    """

    step: int
    epoch: int | None
    loss: float | None
    data: dict[str, Any]
    grads: dict[str, Any]
    texts: dict[str, tuple[str, str]]
    sizes: dict[str, float | None]
    marks: dict[str, str]
    classes: str | None


class Recording(Protocol):
    """What the page reads of a ``viz.TrainingRecorder``: named here, so the two modules need not import each other."""

    frames: list[TrainingFrame]
    losses: list[tuple[int, float]]
    extent: tuple[float, ...] | None
    points: np.ndarray | None
    probe_target: Any
    resolution: int
    threshold: float
    grad_colors: bool

    def picture(self) -> str: ...

    def __len__(self) -> int: ...


def _curve(recorder: Recording) -> tuple[dict[str, Any], dict[int, list[float]]]:
    """The loss curve in the canvas's pixels (its line and its axis labels), and the point of each frame's step."""
    points = [(step, loss) for step, loss in recorder.losses if math.isfinite(loss)]
    first = min((step for step, _ in points), default=0)
    last = max((step for step, _ in points), default=1)
    top = max((loss for _, loss in points), default=1.0) or 1.0  # of every step, drawn or not
    left, right, upper, lower = CURVE_MARGIN, CURVE_WIDTH - 12, 10, CURVE_HEIGHT - 20

    def where(step: int, loss: float) -> list[float]:
        x = left + (step - first) / max(last - first, 1) * (right - left)
        y = upper + (1 - min(max(loss, 0.0), top) / top) * (lower - upper)
        return [round(x, 2), round(y, 2)]

    drawn = _thinned(points, {frame.step for frame in recorder.frames})
    curve = {
        "line": [where(step, loss) for step, loss in drawn],
        "box": [left, upper, right, lower],
        "labels": [
            [f"{top:.3g}", left - 4, upper + 4, "right"],
            [f"{top / 2:.3g}", left - 4, (upper + lower) / 2 + 4, "right"],
            ["0", left - 4, lower + 4, "right"],
            [f"step {first}", left, CURVE_HEIGHT - 4, "left"],
            [f"step {(first + last) // 2}", (left + right) / 2, CURVE_HEIGHT - 4, "center"],
            [f"step {last}", right, CURVE_HEIGHT - 4, "right"],
        ],
    }
    at = {
        frame.step: where(frame.step, frame.loss)
        for frame in recorder.frames
        if frame.loss is not None and math.isfinite(frame.loss)
    }
    return curve, at


def _thinned(points: list[tuple[int, float]], frame_steps: set[int]) -> list[tuple[int, float]]:
    """At most ``MAX_CURVE_POINTS`` of the points (half as many again with the frames'), drawing the same line.

    Each stretch of steps keeps its lowest and highest loss, so no spike is
    lost; the steps of the frames are kept too, so each frame's dot sits on the
    line, unless there are so many frames that the stretches show them anyway.
    """
    if len(points) <= MAX_CURVE_POINTS:
        return points
    keep = set()
    if len(frame_steps) <= MAX_CURVE_POINTS // 2:
        keep = {index for index, (step, _) in enumerate(points) if step in frame_steps}
    for stretch in np.array_split(np.arange(len(points)), MAX_CURVE_POINTS // 2):
        losses = [points[index][1] for index in stretch]
        keep.update({int(stretch[int(np.argmin(losses))]), int(stretch[int(np.argmax(losses))])})
    return [points[index] for index in sorted(keep)]


def _when(frame: TrainingFrame) -> str:
    """The frame's place in training, as the page's status line says it."""
    parts = [f"step {frame.step}"]
    if frame.epoch is not None:
        parts.append(f"epoch {frame.epoch + 1}")
    if frame.loss is not None:
        parts.append(f"loss at this step {frame.loss:.4g}")  # (in nn.fit: of this step's batch alone)
    elif frame.step == 0:
        parts.append("before training")
    return " \u00b7 ".join(parts)


def frames_data(recorder: Recording) -> list[dict[str, Any]]:
    """The frames as the script reads them: each box's two rows, colour and words; the curve point; the grid."""
    _, at = _curve(recorder)
    frames = []
    for frame in recorder.frames:
        boxes = {
            key: [
                *frame.texts[key],
                grad_color(frame.sizes[key]) if recorder.grad_colors else None,
                frame.marks[key] if recorder.grad_colors else "",
            ]
            for key in frame.texts
        }
        curve_point = at.get(frame.step) if frame.loss is not None else None
        frames.append({"when": _when(frame), "boxes": boxes, "curve": curve_point, "classes": frame.classes})
    return frames


def _probe_dots(recorder: Recording) -> list[list[Any]]:
    """The probe's points in the boundary's pixels, coloured by their class when the targets are classes."""
    if recorder.extent is None or recorder.points is None:  # no boundary drawn
        return []
    x_min, x_max, y_min, y_max = recorder.extent
    classes = None
    if recorder.probe_target is not None and np.size(recorder.probe_target) == len(recorder.points):
        classes = target_classes(recorder.probe_target, recorder.threshold)
    dots = []
    for index, (x, y) in enumerate(recorder.points):
        color = "#ffffff" if classes is None else CLASS_COLORS[classes[index] % len(CLASS_COLORS)]
        dots.append(
            [
                round(float((x - x_min) / (x_max - x_min) * BOUNDARY_SIZE), 2),
                round(float((y_max - y) / (y_max - y_min) * BOUNDARY_SIZE), 2),
                color,
            ]
        )
    return dots


def _side(recorder: Recording) -> str:
    """The loss curve, the decision boundary and the legend of the colours, around their canvases."""
    side = (
        "<div><h3>training loss at each step (one batch in nn.fit): in colour so far, in grey the rest</h3>"
        f'<canvas class="curve" style="width: {CURVE_WIDTH}px; height: {CURVE_HEIGHT}px"></canvas></div>'
    )
    if recorder.extent is not None:  # a boundary is drawn
        x_min, x_max, y_min, y_max = recorder.extent
        side += (
            f"<div><h3>decision boundary over x in [{x_min:.3g}, {x_max:.3g}], y in [{y_min:.3g}, {y_max:.3g}]</h3>"
            f'<div class="boundary" style="width: {BOUNDARY_SIZE}px; height: {BOUNDARY_SIZE}px">'
            '<canvas class="regions"></canvas><canvas class="dots"></canvas></div>'
            '<p class="legend">region colour: the class predicted there; dots: the probe\'s points '
            "(coloured by their class when the targets are classes)</p></div>"
        )
    if recorder.grad_colors:
        low, high = LOG_RANGE
        side += (
            "<div><h3>size of each box's gradient (root mean square)</h3>"
            f'<div class="colour-bar" style="background: linear-gradient(to right, {", ".join(PALETTE)})"></div>'
            '<div class="colour-bar fills"></div>'
            f'<div class="scale"><span>1e{low:+.0f}</span><span>1e{(low + high) / 2:+.0f}</span>'
            f"<span>1e{high:+.0f}</span></div>"
            '<ul class="legend">'
            "<li>top row: a box's border; bottom row: its fill, the same colour paler so the numbers stay "
            "readable</li>"
            f"<li>{TINY}: below {TINY_GRAD:g}, vanishing (dashed border)</li>"
            f"<li>{LARGE}: above {LARGE_GRAD:g}, exploding (thick border)</li>"
            f"<li>{DEAD}: ReLU units that are 0 on every probe input, so they pass no gradient "
            "(long dashes)</li></ul></div>"
        )
    return side


def recorder_fragment(recorder: Recording, read_hash: bool = False) -> str:
    """The recorder as an HTML fragment: a ``<div>`` with its style, its frames as JSON and its script.

    With ``read_hash`` (for a page of its own) it opens at the frame the page's
    address asks for (``page.html#frame=5``, from 1) and its id comes from its
    content alone, so the same recording gives the same bytes; in a notebook
    each display gets an id of its own.
    """
    picture = recorder.picture()
    curve, _ = _curve(recorder)
    data = {
        "frames": frames_data(recorder),
        "curve": curve,
        "resolution": recorder.resolution,
        "regionColors": list(REGION_COLORS),
        "palette": list(PALETTE),
        "dots": _probe_dots(recorder),
        "tiny": TINY,
        "large": LARGE,
        "dead": DEAD,
    }
    frames = script_json(data)
    digest = hashlib.sha1((picture + frames).encode("utf-8")).hexdigest()[:10]
    recorder_id = f"tracegrad-recorder-{digest}" if read_hash else f"tracegrad-recorder-{next(_displays)}-{digest}"
    hash_attribute = " data-read-hash" if read_hash else ""
    return (
        f"<style>{RECORDER_STYLE}</style>\n"
        f'<div class="tracegrad-recorder" id="{recorder_id}" tabindex="0"{hash_attribute}>\n'
        '<div class="controls"><button class="play" type="button">&#9654; play</button>'
        '<button class="previous" type="button">&#9664; previous</button>'
        f'<input type="range" min="0" max="{len(recorder) - 1}" value="0" step="1" aria-label="frame">'
        '<button class="next" type="button">next &#9654;</button></div>\n'
        '<p class="status"></p>\n'
        f'<div class="graph">{picture}</div>\n<div class="side">{_side(recorder)}</div>\n'
        f'<script type="application/json" class="frames">{frames}</script>\n'
        "</div>\n"
        f"<script>{RECORDER_SCRIPT.replace('RECORDER_ID', json.dumps(recorder_id))}</script>"
    )


def recorder_page(recorder: Recording, title: str = DEFAULT_TITLE) -> str:
    """A complete HTML page holding the recorder (everything inline, nothing fetched)."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n</head>\n<body>\n<h1>{html.escape(title)}</h1>\n"
        "<p>The model on its probe input as training goes on: each box's data and gradient, coloured by the "
        "gradient's size. Play, or step with the buttons, the slider or the keys (arrows; space plays and "
        "pauses; Home, End).</p>\n"
        f"{recorder_fragment(recorder, read_hash=True)}\n"
        "<script>document.querySelector('.tracegrad-recorder').focus({preventScroll: true});</script>\n"
        "</body>\n</html>\n"
    )
