"""Plots of training and of the ideas behind it, each returning a matplotlib ``Figure``.

matplotlib is imported only when a plot is made (``pip install 'tracegrad[plots]'``).
"""

from .activations import plot_activations
from .class_templates import plot_class_templates
from .decision_boundary import plot_decision_boundary
from .history import plot_history
from .optimizer_paths import optimizer_path, plot_optimizer_paths, standard_optimizers

__all__ = [
    "optimizer_path",
    "plot_activations",
    "plot_class_templates",
    "plot_decision_boundary",
    "plot_history",
    "plot_optimizer_paths",
    "standard_optimizers",
]
