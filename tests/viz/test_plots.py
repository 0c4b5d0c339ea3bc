"""The plots on matplotlib's Agg backend: each returns a Figure holding the right numbers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import viz
from viz.plots.decision_boundary import predicted_labels

REPO = Path(__file__).resolve().parents[2]


def test_activation_derivatives_come_out_of_backprop_right():
    figure = viz.plot_activations(("sigmoid", "tanh", "relu"), x_range=(-4, 4), points=41)
    assert isinstance(figure, matplotlib.figure.Figure)
    sigmoid_ax, tanh_ax, relu_ax = figure.axes[:3]
    x = sigmoid_ax.lines[0].get_xdata()
    s = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(sigmoid_ax.lines[0].get_ydata(), s, rtol=1e-12)
    np.testing.assert_allclose(sigmoid_ax.lines[1].get_ydata(), s * (1 - s), rtol=1e-12)  # at most 0.25
    np.testing.assert_allclose(tanh_ax.lines[1].get_ydata(), 1 - np.tanh(x) ** 2, rtol=1e-12)
    np.testing.assert_array_equal(relu_ax.lines[1].get_ydata(), (x > 0).astype(float))
    assert [ax.get_title() for ax in figure.axes[:3]] == ["sigmoid", "tanh", "relu"]


def test_your_own_activation_and_unknown_names():
    figure = viz.plot_activations({"square": lambda v: v * v}, x_range=(-1, 1), points=5)
    np.testing.assert_allclose(figure.axes[0].lines[1].get_ydata(), [-2, -1, 0, 1, 2])
    with pytest.raises(ValueError, match="unknown activation"):
        viz.plot_activations(("swish",))


class _History:
    """Shaped like nn.History: per-epoch and per-step dicts of lists."""

    def __init__(self):
        self.per_epoch = {"loss": [1.0, 0.5, 0.25], "val_loss": [1.2, 0.8, 0.9], "accuracy": [0.5, 0.75, 0.9]}
        self.per_epoch["lr"] = [0.1] * 3
        self.per_step = {"loss": [1.3, 0.9, 0.7, 0.5, 0.3, 0.2]}


def test_history_curves_pair_training_with_validation():
    figure = viz.plot_history(_History())
    titles = [ax.get_title() for ax in figure.axes]
    assert titles == ["loss", "accuracy", "lr"]
    loss_ax = figure.axes[0]
    lines = {line.get_label(): line for line in loss_ax.lines}
    np.testing.assert_array_equal(lines["train"].get_ydata(), [1.0, 0.5, 0.25])
    np.testing.assert_array_equal(lines["validation"].get_ydata(), [1.2, 0.8, 0.9])
    np.testing.assert_array_equal(lines["train"].get_xdata(), [1, 2, 3])
    # 6 minibatch losses over 3 epochs: two steps per epoch, placed at 0.5, 1.0, ..., 3.0.
    np.testing.assert_allclose(lines["loss per step"].get_xdata(), [0.5, 1, 1.5, 2, 2.5, 3])


def test_history_from_a_dict_and_a_choice_of_metrics():
    figure = viz.plot_history({"loss": [3, 2, 1], "val_loss": [4, 3, 2.5]}, metrics=["loss"])
    assert len(figure.axes) == 1
    with pytest.raises(ValueError, match="history has no 'accuracy'"):
        viz.plot_history({"loss": [3, 2, 1]}, metrics=["accuracy"])
    with pytest.raises(TypeError, match="per_epoch"):
        viz.plot_history([1, 2, 3])


def test_decision_regions_of_a_score_function_and_of_a_classifier():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = np.where(X[:, 0] > X[:, 1], 1, -1)
    figure = viz.plot_decision_boundary(lambda P: P[:, 0] - P[:, 1], X, y, resolution=30)
    ax = figure.axes[0]
    scattered = [collection for collection in ax.collections if collection.get_label() in ("-1", "1")]
    assert sorted(c.get_label() for c in scattered) == ["-1", "1"]
    positive = next(c for c in scattered if c.get_label() == "1")
    np.testing.assert_array_equal(np.asarray(positive.get_offsets()), X[y == 1])

    class Labeller:
        def predict(self, points):
            return np.where(points[:, 1] > 0, "up", "down")

    figure = viz.plot_decision_boundary(Labeller(), X, np.where(X[:, 1] > 0, "up", "down"), resolution=20)
    assert {c.get_label() for c in figure.axes[0].collections} >= {"up", "down"}


def test_model_outputs_become_labels():
    scores = np.array([[0.1, 2.0, -1.0], [3.0, 0.0, 0.0]])
    np.testing.assert_array_equal(predicted_labels(scores, 2, None, 0.0), [1, 0])  # highest class score
    logits = np.array([-0.3, 0.2, 1.5])
    np.testing.assert_array_equal(predicted_labels(logits, 3, np.array([-1, 1]), 0.0), [-1, 1, 1])
    probabilities = np.array([0.3, 0.6])
    np.testing.assert_array_equal(predicted_labels(probabilities, 2, np.array([0, 1]), 0.5), [0, 1])
    np.testing.assert_array_equal(predicted_labels(np.array([1.0, 0.0]), 2, np.array([0.0, 1.0]), 0.5), [1.0, 0.0])
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        viz.plot_decision_boundary(lambda P: P[:, 0], np.zeros((4, 3)))


class _SGD:
    """Plain gradient descent with momentum, written out here as the independent reference."""

    def __init__(self, params, lr, momentum=0.0):
        self.params, self.lr, self.momentum = params, lr, momentum
        self.velocity = [0.0] * len(params)

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        for i, p in enumerate(self.params):
            self.velocity[i] = self.momentum * self.velocity[i] + p.grad
            p.data -= self.lr * self.velocity[i]


def _bowl(a, b):
    return a**2 + 10 * b**2


def test_gradient_descent_path_on_a_bowl_is_the_closed_form():
    path = viz.optimizer_path(_bowl, lambda params: _SGD(params, lr=0.04), start=(-1.5, 1.0), steps=20)
    k = np.arange(21)
    # a <- a - 0.04 * 2a = 0.92 a and b <- b - 0.04 * 20 b = 0.2 b
    np.testing.assert_allclose(path, np.column_stack([-1.5 * 0.92**k, 0.2**k]), rtol=1e-12, atol=1e-300)


def test_optimizer_paths_figure_holds_each_path():
    given = np.array([[-1.5, 1.0], [-1.0, 0.5], [0.0, 0.0]])
    figure = viz.plot_optimizer_paths(
        _bowl,
        {"SGD": lambda p: _SGD(p, lr=0.04), "momentum": lambda p: _SGD(p, lr=0.04, momentum=0.8), "by hand": given},
        start=(-1.5, 1.0),
        steps=15,
        resolution=25,
    )
    lines = {line.get_label(): line for line in figure.axes[0].lines}
    assert set(lines) >= {"SGD (15 steps)", "momentum (15 steps)", "by hand (2 steps)", "start"}
    np.testing.assert_allclose(lines["SGD (15 steps)"].get_xdata(), -1.5 * 0.92 ** np.arange(16), rtol=1e-12)
    np.testing.assert_array_equal(lines["by hand (2 steps)"].get_ydata(), [1.0, 0.5, 0.0])
    with pytest.raises(ValueError, match=r"shape \(k, 2\)"):
        viz.plot_optimizer_paths(_bowl, {"bad": [1.0, 2.0, 3.0]})


def test_class_templates_are_the_rows_of_w_as_images():
    W = np.arange(3 * 16, dtype=float).reshape(3, 16) - 20
    figure = viz.plot_class_templates(W, class_names=["cat", "dog", "ship"])
    images = [ax.images[0] for ax in figure.axes if ax.images]
    assert len(images) == 3
    np.testing.assert_array_equal(images[1].get_array(), W[1].reshape(4, 4))
    assert [ax.get_title() for ax in figure.axes if ax.images] == ["cat", "dog", "ship"]
    low, high = images[0].get_clim()
    assert low == -high  # red/blue centred on 0


def test_class_templates_from_a_classifier_and_bad_shapes():
    class Fitted:
        classes_ = np.array([3, 7])

        def templates(self, image_shape=None):
            return np.ones((2, 2, 3)) * np.array([1.0, -1.0])[:, None, None]

    figure = viz.plot_class_templates(Fitted())
    assert [ax.get_title() for ax in figure.axes if ax.images] == ["3", "7"]
    with pytest.raises(ValueError, match="image_shape"):
        viz.plot_class_templates(np.zeros((2, 10)))
    colour = viz.plot_class_templates(np.random.default_rng(0).normal(size=(2, 3, 4, 4)))  # channels first
    assert colour.axes[0].images[0].get_array().shape == (4, 4, 3)


def test_import_viz_needs_no_matplotlib_and_plots_say_how_to_get_it():
    script = (
        "import sys; sys.modules['matplotlib'] = None\n"
        "import viz\n"
        "try:\n    viz.plot_activations()\nexcept ImportError as error:\n    print(error)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True)
    assert "pip install 'tracegrad[plots]'" in result.stdout


def test_figures_show_themselves_in_a_notebook_as_png():
    figure = viz.plot_history({"loss": [2.0, 1.0]})
    assert isinstance(figure, matplotlib.figure.Figure)
    assert figure._repr_png_().startswith(b"\x89PNG\r\n\x1a\n")
