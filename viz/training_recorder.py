"""``TrainingRecorder``: watch a network learn, frame by frame, in one HTML page.

Every few optimisation steps the recorder runs the model on a fixed probe input,
backpropagates (from the probe's loss when its targets are given, else from the
sum of the outputs) and keeps what the drawing of that graph shows: each box's
data and gradient, how large the gradient is (``viz.grad_sizes``), the training
loss so far and, for a model of two inputs, its decision boundary
(``viz.decision_grid``). The page lays the graph out once, from the first frame,
and keeps the frames as data that a few lines of script write into that one
picture (``viz.recorder_script``), so it grows with frames x boxes, never with
frames x pictures. It is an ``nn.Callback`` for ``nn.fit``, and ``record()``
takes a frame by hand in a loop of your own, scalar models included.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, cast

import numpy as np

from autograd import Node, Tensor, plain
from autograd.numerics import finite_number
from nn import Callback, Module, predict
from nn.module import eval_mode

from .decision_grid import MAX_CLASSES, class_codes, grid_points, scalar_outputs, square_around
from .dot_program import run_dot
from .grad_sizes import grad_marks, grad_size
from .graph_drawing import DEFAULT_MAX_NODES, DrawnNumbers, DrawOptions, drawn_numbers, paint
from .levels import NEURONS, grouped_view
from .output_file import web_page_path
from .player import inline_svg
from .recorder_page import DEFAULT_TITLE, TrainingFrame, recorder_fragment, recorder_page
from .summaries import summarize

MAX_RESOLUTION = 200  # the boundary's grid: at most 200 x 200 points per frame
TENSOR_RESOLUTION, SCALAR_RESOLUTION = 40, 16  # its default side, for tensor and for scalar models
DEFAULT_NUMBER_FORMAT = "+.2e"  # every number the same width, so boxes laid out once fit every frame


def _structure(source: str) -> str:
    """A drawing's DOT text without its numbers: equal for two frames that can share one layout."""
    return re.sub(r">(data|grad) [^<]*<", r">\1<", source)


class TrainingRecorder(Callback):
    """Record the model on ``probe_input`` every ``every`` steps of ``nn.fit``, or when ``record()`` is called.

    ``probe_input``: an array of inputs (rows) for a tensor model, one point (a
    list of numbers) for a scalar model. ``probe_target`` and ``loss_fn``: the
    gradients drawn are those of ``loss_fn(model(probe_input), probe_target)``
    (during ``nn.fit`` the trainer's loss function is the default); without a
    target they are those of the sum of the outputs. ``level``: the drawing's
    level of detail (``"neurons"``, ``"layers"`` or ``"weights"``).
    ``grad_colors``: colour each box by the size of its gradient, with words
    and borders for tiny, large and dead. ``boundary``: record the decision
    boundary (None: whenever the model has two inputs) over ``boundary_extent``
    ``(x_min, x_max, y_min, y_max)`` (None: a square around the probe points)
    on a ``resolution x resolution`` grid (None: 40 for a tensor model, 16 for a
    scalar one, which runs once per point; at most ``MAX_RESOLUTION``). A
    model with one output is split at ``threshold`` (0 for a score, 0.5 for a
    probability from a sigmoid), its targets too when they colour the probe's points.
    ``number_format``: a fixed-width one keeps every frame's numbers inside
    boxes laid out once.

    The model runs in eval mode for each frame (dropout off), and the
    parameters' gradients are put back afterwards, so recording never changes
    training. A frame whose graph differs from the first frame's is refused.
    ``save(path)`` writes the page; in Jupyter the recorder shows itself.
    """

    def __init__(
        self,
        model: Module,
        probe_input: Any,
        probe_target: Any = None,
        loss_fn: Any = None,
        every: int = 1,
        level: str = NEURONS,
        grad_colors: bool = True,
        boundary: bool | None = None,
        boundary_extent: tuple[float, float, float, float] | None = None,
        resolution: int | None = None,
        number_format: str = DEFAULT_NUMBER_FORMAT,
        max_nodes: int | None = DEFAULT_MAX_NODES,
        threshold: float = 0.0,
    ):
        if not isinstance(model, Module):
            raise TypeError(f"model must be an nn.Module, got a {type(model).__name__}")
        self.tensor_model = any(isinstance(p, Tensor) for p in model.parameters())
        if resolution is None:  # a scalar model runs once per grid point, weight by weight: a coarser grid
            resolution = TENSOR_RESOLUTION if self.tensor_model else SCALAR_RESOLUTION
        for name, count, most in (("every", every, None), ("resolution", resolution, MAX_RESOLUTION)):
            if isinstance(count, bool) or not isinstance(count, int) or count < 1 or (most and count > most):
                limit = f" of at most {most}" if most else ""
                raise ValueError(f"{name} must be a positive whole number{limit}, got {count!r}")
        self.model = model
        self.probe_input = np.asarray(probe_input, dtype=np.float64)
        self.probe_target = probe_target
        self.loss_fn = loss_fn
        self.every = every
        self.options = DrawOptions(number_format=number_format, role_legend=False)  # boxes take gradient colours
        self.level = level
        self.max_nodes = max_nodes
        self.grad_colors = grad_colors
        self.resolution = resolution
        chosen_threshold = finite_number(threshold)
        if chosen_threshold is None:
            raise ValueError(f"threshold must be a finite number, got {threshold!r}")
        self.threshold = chosen_threshold
        if self.probe_input.size == 0 or not np.isfinite(self.probe_input).all():
            raise ValueError(
                f"probe_input must hold at least one example of finite numbers, got shape {self.probe_input.shape}"
                + ("" if self.probe_input.size == 0 else " with NaN or infinity")
            )
        points = self.probe_input.reshape(-1, self.probe_input.shape[-1]) if self.probe_input.ndim else None
        two_inputs = points is not None and points.shape[1] == 2
        if boundary and not two_inputs:
            raise ValueError(
                f"a decision boundary needs inputs of 2 numbers; the probe's have shape {self.probe_input.shape}"
            )
        self.boundary = two_inputs if boundary is None else boundary
        self.points = points
        self.extent: tuple[float, ...] | None = None
        if self.boundary and points is not None:  # a boundary needs two inputs, so there are points
            self.extent = tuple(float(x) for x in (boundary_extent or square_around(points)))
            finite = all(math.isfinite(x) for x in self.extent)
            if (
                len(self.extent) != 4
                or not finite
                or not (self.extent[0] < self.extent[1] and self.extent[2] < self.extent[3])
            ):
                raise ValueError(f"boundary_extent must be (x_min, x_max, y_min, y_max), got {boundary_extent!r}")
        self.frames: list[TrainingFrame] = []
        self.losses: list[tuple[int, float]] = []  # (step, training loss): the loss curve
        self.names: dict[str, str] = {}  # each box's name (neuron, layer or value) by its DOT id
        self._source: str | None = None  # the first frame's DOT text: the one layout
        self._structure: str | None = None
        self._picture: str | None = None
        self._trainer_loss: Any = None
        self._first_step = 0

    # --- taking frames ---

    def record(self, loss: float | None = None, step: int | None = None, epoch: int | None = None) -> TrainingFrame:
        """Take a frame now: the model on the probe with its gradients (and ``loss``, the last training loss).

        ``step`` defaults to the last frame's step + 1 (0 for the first frame).
        """
        if step is None:
            step = self.frames[-1].step + 1 if self.frames else 0
        if loss is not None:
            self.losses.append((step, float(loss)))
        return self._capture(step, epoch, None if loss is None else float(loss))

    def _probe_root(self) -> Node:
        """The node the frame is drawn from: the probe's loss, or the sum of its outputs."""
        probe = Tensor(self.probe_input) if self.tensor_model else [float(x) for x in self.probe_input.ravel()]
        output = self.model(probe)
        if self.probe_target is not None:
            loss_fn = self.loss_fn or self._trainer_loss
            if loss_fn is None:
                raise ValueError("probe_target needs a loss_fn to compare the outputs with it: pass loss_fn=")
            return loss_fn(output, self.probe_target)
        if isinstance(output, (list, tuple)):
            return cast(Node, sum(output[1:], output[0]))  # Values: sum's types read a list of Any as numbers
        return output if np.size(output.data) == 1 else output.sum()

    def _capture(self, step: int, epoch: int | None, loss: float | None) -> TrainingFrame:
        parameters = self.model.parameters()
        saved = [p.grad for p in parameters]
        try:
            for parameter in parameters:
                parameter.grad = None
            with eval_mode(self.model):
                root = self._probe_root()
                root.backward()
            view, grouping = grouped_view(root, self.max_nodes, self.model, self.level)
            gradients = {node: node.grad for node in view.nodes}
            source = paint(view, self.options, gradients, grouping=grouping).source
            drawn = drawn_numbers(view, gradients, grouping)
        finally:
            for parameter, grad in zip(parameters, saved):
                parameter.grad = grad
        if self._source is None:
            self._source, self._structure = source, _structure(source)
            self.names = {key: numbers.name for key, numbers in drawn.items()}
        elif _structure(source) != self._structure:
            raise ValueError(
                f"frame {len(self.frames)} (step {step}): the graph of the model on the probe differs from the first "
                "frame's, but the page lays it out once; record a model whose graph keeps its shape"
            )
        frame = self._frame(step, epoch, loss, drawn)
        self.frames.append(frame)
        return frame

    def _frame(self, step: int, epoch: int | None, loss: float | None, drawn: dict[str, DrawnNumbers]) -> TrainingFrame:
        data = {key: np.array(plain(numbers.data), dtype=np.float64) for key, numbers in drawn.items()}
        grads = {
            key: None if numbers.grad is None else np.array(plain(numbers.grad), dtype=np.float64)
            for key, numbers in drawn.items()
        }
        number_format = self.options.number_format
        texts = {
            key: (f"data {summarize(data[key], number_format)}", f"grad {summarize(grads[key], number_format)}")
            for key in drawn
        }
        sizes = {key: grad_size(grads[key]) for key in drawn}
        marks = {key: grad_marks(sizes[key], numbers.node) for key, numbers in drawn.items()}
        return TrainingFrame(step, epoch, loss, data, grads, texts, sizes, marks, self._classes())

    def _classes(self) -> str | None:
        """The decision boundary's grid of classes, one digit per point (None when not recorded)."""
        if self.extent is None:  # no boundary recorded
            return None
        points = grid_points(self.extent, self.resolution)
        outputs = predict(self.model, points) if self.tensor_model else scalar_outputs(self.model, points)
        if outputs.reshape(len(points), -1).shape[1] > MAX_CLASSES:
            raise ValueError(f"a decision boundary is drawn for at most {MAX_CLASSES} classes; pass boundary=False")
        return class_codes(outputs, self.threshold)

    # --- the callback's hooks (nn.fit) ---

    def on_train_begin(self, trainer: Any) -> None:
        self._trainer_loss = trainer.loss_fn
        self._first_step = self.frames[-1].step if self.frames else 0
        if not self.frames:
            self._capture(0, None, None)

    def on_batch_end(self, trainer: Any) -> None:
        step, loss = self._first_step + trainer.step, trainer.history.per_step["loss"][-1]
        self.losses.append((step, loss))
        if step % self.every == 0:
            self._capture(step, trainer.epoch, loss)

    def on_train_end(self, trainer: Any) -> None:
        step = self._first_step + trainer.step
        if self.frames[-1].step != step:  # the trained model is always the last frame
            self._capture(step, trainer.epoch, self.losses[-1][1] if self.losses else None)

    def __len__(self) -> int:
        return len(self.frames)

    # --- the page (viz.recorder_page) ---

    def picture(self) -> str:
        """The SVG every frame is written into: the first frame's drawing, laid out and rendered once."""
        if self._source is None:
            raise ValueError("no frames recorded yet: call record() or pass the recorder to nn.fit(callbacks=[...])")
        if self._picture is None:
            self._picture = inline_svg(run_dot(self._source, "svg").decode("utf-8"))
        return self._picture

    def fragment(self, read_hash: bool = False) -> str:
        """The page's recorder as an HTML fragment; with ``read_hash`` it opens at ``page.html#frame=5``."""
        return recorder_fragment(self, read_hash)

    def html(self, title: str = DEFAULT_TITLE) -> str:
        """A complete HTML page holding the recorder (everything inline, nothing fetched)."""
        return recorder_page(self, title)

    def save(self, path: str | Path, title: str = DEFAULT_TITLE) -> Path:
        """Write the page to ``path`` (an ``.html`` file) and return the path."""
        path = web_page_path(path)
        path.write_text(self.html(title), encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        return self.fragment()
