"""``viz``: see backprop. Draw any graph with its values and gradients, step through a backward pass, plot training.

``draw(node)`` gives a Graphviz drawing (inline in Jupyter; ``check=True``
draws in red each op whose backward disagrees with its forward), ``render(node,
"graph.svg")`` writes one, ``backprop_player(node)`` steps through backprop
node by node, ``TrainingRecorder`` records a model learning as a page of
frames, and ``python -m viz "(x + y) * z" --set x=-2 y=5 z=-4`` does it
from the command line. The plots need matplotlib (``pip install 'tracegrad[plots]'``),
which is imported only when a plot is made.
"""

from .backprop_steps import BackpropStep, ChainTerm, HiddenTerms, backprop_steps
from .digraph import GraphDrawing
from .dot_program import GraphvizNotFoundError, RenderError, RenderTimeout, find_dot, render_time_limit
from .expression import Expression, ExpressionError, build_expression, parse_expression
from .graph_drawing import draw
from .local_gradients import local_gradients
from .player import BackpropPlayer, backprop_player
from .plots import (
    optimizer_path,
    plot_activations,
    plot_class_templates,
    plot_decision_boundary,
    plot_history,
    plot_optimizer_paths,
    standard_optimizers,
)
from .recorder_page import TrainingFrame
from .render import render
from .torch_trace import trace_torch
from .training_recorder import TrainingRecorder

__all__ = [
    "BackpropPlayer",
    "BackpropStep",
    "ChainTerm",
    "Expression",
    "ExpressionError",
    "GraphDrawing",
    "GraphvizNotFoundError",
    "HiddenTerms",
    "RenderError",
    "RenderTimeout",
    "TrainingFrame",
    "TrainingRecorder",
    "backprop_player",
    "backprop_steps",
    "build_expression",
    "draw",
    "find_dot",
    "local_gradients",
    "optimizer_path",
    "parse_expression",
    "plot_activations",
    "plot_class_templates",
    "plot_decision_boundary",
    "plot_history",
    "plot_optimizer_paths",
    "render",
    "render_time_limit",
    "standard_optimizers",
    "trace_torch",
]
