"""The plots on matplotlib's Agg backend: each returns a Figure holding the right numbers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import nn
import viz
from viz.plots.decision_boundary import model_output, predicted_labels

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


def _history():
    history = nn.History()
    for loss, val_loss, accuracy in ((1.0, 1.2, 0.5), (0.5, 0.8, 0.75), (0.25, 0.9, 0.9)):
        history.log_epoch({"loss": loss, "val_loss": val_loss, "accuracy": accuracy, "lr": 0.1})
    for loss in (1.3, 0.9, 0.7, 0.5, 0.3, 0.2):
        history.log_step({"loss": loss})
    return history


def test_history_curves_pair_training_with_validation():
    figure = viz.plot_history(_history())
    titles = [ax.get_title() for ax in figure.axes]
    assert titles == ["loss", "accuracy"]  # the learning rate never changed: no panel for it
    loss_ax = figure.axes[0]
    lines = {line.get_label(): line for line in loss_ax.lines}
    np.testing.assert_array_equal(lines["train"].get_ydata(), [1.0, 0.5, 0.25])
    np.testing.assert_array_equal(lines["validation"].get_ydata(), [1.2, 0.8, 0.9])
    np.testing.assert_array_equal(lines["train"].get_xdata(), [1, 2, 3])
    # 6 minibatch losses over 3 epochs: two steps per epoch, placed at 0.5, 1.0, ..., 3.0.
    np.testing.assert_allclose(lines["loss per step"].get_xdata(), [0.5, 1, 1.5, 2, 2.5, 3])


def test_a_changing_learning_rate_gets_a_panel_and_any_quantity_can_be_asked_for():
    history = _history()
    assert [ax.get_title() for ax in viz.plot_history(history, metrics=["lr"]).axes] == ["lr"]
    history.per_epoch["lr"] = [0.1, 0.05, 0.025]  # a schedule halving it
    figure = viz.plot_history(history)
    assert [ax.get_title() for ax in figure.axes] == ["loss", "accuracy", "lr"]
    np.testing.assert_array_equal(figure.axes[2].lines[0].get_ydata(), [0.1, 0.05, 0.025])


def test_history_of_a_real_training_run():
    X, y = nn.data.make_moons(60, noise=0.1, seed=0)
    model = nn.MLP([2, 8, 2], seed=0)
    history = nn.fit(
        model,
        nn.cross_entropy,
        nn.optim.Adam(model.parameters(), lr=0.05),
        (X[:40], y[:40]),
        epochs=4,
        batch_size=10,
        validation_data=(X[40:], y[40:]),
        metrics=["accuracy"],
        seed=0,
    )
    figure = viz.plot_history(history, metrics=["loss", "accuracy"])
    lines = {line.get_label(): line for line in figure.axes[0].lines}
    np.testing.assert_array_equal(lines["train"].get_ydata(), history.per_epoch["loss"])
    np.testing.assert_array_equal(lines["validation"].get_ydata(), history.per_epoch["val_loss"])
    assert len(lines["loss per step"].get_ydata()) == 4 * 4  # 40 examples in batches of 10, 4 epochs


def test_every_panel_names_its_y_axis():
    history = _history()
    history.per_epoch["lr"] = [0.1, 0.05, 0.025]
    figure = viz.plot_history(history)
    assert [ax.get_ylabel() for ax in figure.axes] == ["loss", "accuracy", "learning rate"]
    assert all(ax.get_xlabel() == "epoch" for ax in figure.axes)


def test_long_runs_are_drawn_as_lines_without_a_marker_per_epoch():
    long_run = viz.plot_history({"loss": list(np.linspace(2.0, 0.1, 300)), "val_loss": list(np.linspace(2, 1, 300))})
    for line in long_run.axes[0].lines:
        assert line.get_marker() == "None", line.get_label()
        assert len(line.get_ydata()) == 300
    short_run = viz.plot_history({"loss": [3.0, 2.0, 1.0]})
    assert short_run.axes[0].lines[0].get_marker() == "o"  # a few epochs: each one marked
    at_the_limit = viz.plot_history({"loss": list(range(30, 0, -1))})
    assert at_the_limit.axes[0].lines[0].get_marker() == "o"
    past_the_limit = viz.plot_history({"loss": list(range(31, 0, -1))})
    assert past_the_limit.axes[0].lines[0].get_marker() == "None"


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


def test_decision_regions_of_an_nn_module_are_its_argmax():
    model = nn.Linear(2, 2, seed=0)
    model.weight.data[...] = [[1.0, -1.0], [-1.0, 1.0]]  # score 0 - score 1 = 2 (x1 - x2)
    model.bias.data[...] = [0.5, -0.5]
    points = np.random.default_rng(1).normal(size=(50, 2))
    labels = predicted_labels(model_output(model, points), len(points), None, 0.0)
    np.testing.assert_array_equal(labels, np.where(2 * (points[:, 0] - points[:, 1]) + 1 > 0, 0, 1))
    assert model.weight.grad is None  # drawn under no_grad: nothing recorded
    figure = viz.plot_decision_boundary(model, points, labels, resolution=20)
    assert {c.get_label() for c in figure.axes[0].collections} >= {"0", "1"}


def test_decision_regions_of_a_fitted_nn_classifier():
    X, y = nn.data.make_blobs(40, n_classes=2, seed=0)
    classifier = nn.Perceptron(epochs=5, seed=0).fit(X, y)
    figure = viz.plot_decision_boundary(classifier, X, y, resolution=25)
    scattered = {c.get_label(): c for c in figure.axes[0].collections if c.get_label() in ("0", "1")}
    np.testing.assert_array_equal(np.asarray(scattered["1"].get_offsets()), X[y == 1])


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


def _bowl(a, b):
    return a**2 + 10 * b**2


def _valley(a, b):
    return (1 - a) ** 2 + 5 * (b - a * a) ** 2


def test_gradient_descent_path_on_a_bowl_is_the_closed_form():
    path = viz.optimizer_path(_bowl, lambda params: nn.optim.SGD(params, lr=0.04), start=(-1.5, 1.0), steps=20)
    k = np.arange(21)
    # a <- a - 0.04 * 2a = 0.92 a and b <- b - 0.04 * 20 b = 0.2 b
    np.testing.assert_allclose(path, np.column_stack([-1.5 * 0.92**k, 0.2**k]), rtol=1e-12, atol=1e-300)


_TORCH_OPTIMIZERS = {
    "SGD": ("SGD", {"lr": 0.02}),
    "momentum": ("SGD", {"lr": 0.02, "momentum": 0.9}),
    "RMSProp": ("RMSprop", {"lr": 0.02}),
    "Adam": ("Adam", {"lr": 0.05}),
}


@pytest.mark.parametrize(("name", "kind", "options"), [(n, *v) for n, v in _TORCH_OPTIMIZERS.items()])
def test_nn_optim_paths_on_a_curved_valley_match_torch(name, kind, options):
    torch = pytest.importorskip("torch")
    path = viz.optimizer_path(_valley, lambda params: getattr(nn.optim, kind)(params, **options), (-1.5, 1.5), 40)
    point = torch.tensor([-1.5, 1.5], dtype=torch.float64, requires_grad=True)
    optimizer = getattr(torch.optim, kind)([point], **options)
    expected = [point.detach().numpy().copy()]
    for _ in range(40):
        optimizer.zero_grad()
        _valley(point[0], point[1]).backward()
        optimizer.step()
        expected.append(point.detach().numpy().copy())
    np.testing.assert_allclose(path, np.array(expected), rtol=1e-10, atol=1e-12)


def test_a_tensor_parameter_takes_the_same_path_as_two_values():
    by_values = viz.optimizer_path(_valley, lambda p: nn.optim.Adam(p, lr=0.05), (-1.5, 1.5), 25)
    by_tensor = viz.optimizer_path(lambda p: _valley(p[0], p[1]), lambda p: nn.optim.Adam(p, lr=0.05), (-1.5, 1.5), 25)
    np.testing.assert_allclose(by_tensor, by_values, rtol=1e-12)


def test_optimizer_paths_figure_holds_each_path():
    given = np.array([[-1.5, 1.0], [-1.0, 0.5], [0.0, 0.0]])
    figure = viz.plot_optimizer_paths(
        _bowl,
        {"SGD": lambda p: nn.optim.SGD(p, lr=0.04), "by hand": given},
        start=(-1.5, 1.0),
        steps=15,
        resolution=25,
    )
    lines = {line.get_label(): line for line in figure.axes[0].lines}
    assert set(lines) >= {"SGD (15 steps)", "by hand (2 steps)", "start"}
    np.testing.assert_allclose(lines["SGD (15 steps)"].get_xdata(), -1.5 * 0.92 ** np.arange(16), rtol=1e-12)
    np.testing.assert_array_equal(lines["by hand (2 steps)"].get_ydata(), [1.0, 0.5, 0.0])
    with pytest.raises(ValueError, match=r"shape \(k, 2\)"):
        viz.plot_optimizer_paths(_bowl, {"bad": [1.0, 2.0, 3.0]})


def test_paths_that_overlap_stay_distinguishable():
    same = np.array([[-1.5, 1.0], [-1.0, 0.0], [-0.5, 0.0], [0.0, 0.0]])
    figure = viz.plot_optimizer_paths(_bowl, {"first": same, "second": same, "third": same}, resolution=10)
    lines = [line for line in figure.axes[0].lines if line.get_label().endswith("steps)")]
    assert len({(line.get_linestyle(), line.get_marker()) for line in lines}) == 3
    widths = [line.get_linewidth() for line in lines]
    assert widths[0] > widths[1] > widths[2]  # each path drawn over the previous one leaves its edges visible


def test_the_default_comparison_is_sgd_momentum_rmsprop_and_adam():
    figure = viz.plot_optimizer_paths(_valley, start=(-1.5, 1.5), steps=10, resolution=15, lr=0.02)
    labels = [line.get_label() for line in figure.axes[0].lines if not line.get_label().startswith("_")]
    assert labels == ["SGD (10 steps)", "momentum 0.9 (10 steps)", "RMSProp (10 steps)", "Adam (10 steps)", "start"]
    sgd = viz.optimizer_path(_valley, lambda p: nn.optim.SGD(p, lr=0.02), (-1.5, 1.5), 10)
    np.testing.assert_array_equal(figure.axes[0].lines[0].get_xdata(), sgd[:, 0])


def test_class_templates_are_the_rows_of_w_as_images():
    W = np.arange(3 * 16, dtype=float).reshape(3, 16) - 20
    figure = viz.plot_class_templates(W, class_names=["cat", "dog", "ship"])
    images = [ax.images[0] for ax in figure.axes if ax.images]
    assert len(images) == 3
    np.testing.assert_array_equal(images[1].get_array(), W[1].reshape(4, 4))
    assert [ax.get_title() for ax in figure.axes if ax.images] == ["cat", "dog", "ship"]
    for image in images:  # one scale for all: from minus to plus the largest |weight|, centred on 0
        assert image.get_clim() == (-27.0, 27.0)


def test_class_templates_use_a_diverging_colour_map_with_a_colour_bar():
    W = np.array([[0.5, -2.0, 1.0, 0.0], [0.25, 0.0, -0.5, 1.5]])
    figure = viz.plot_class_templates(W)
    images = [ax.images[0] for ax in figure.axes if ax.images]
    colour_map = images[0].get_cmap()
    assert {image.get_cmap().name for image in images} == {colour_map.name}
    red, green, blue, _ = colour_map(0.5)
    assert min(red, green, blue) > 0.9  # zero is (nearly) white
    assert colour_map(0.0)[2] > colour_map(0.0)[0] and colour_map(1.0)[0] > colour_map(1.0)[2]  # blue below, red above
    np.testing.assert_allclose(images[0].norm(np.array([-2.0, 0.0, 2.0])), [0.0, 0.5, 1.0])
    bars = [image.colorbar for image in images if image.colorbar is not None]
    assert len(bars) == 1  # one colour bar for the shared scale
    assert (bars[0].vmin, bars[0].vmax) == (-2.0, 2.0)
    assert bars[0].ax.get_ylabel() == "weight"


def test_templates_of_a_softmax_classifier_look_like_their_class():
    # 4x4 pictures: "top" images are bright in the top half, "bottom" ones in the bottom half.
    rng = np.random.default_rng(0)
    top = np.zeros((4, 4))
    top[:2] = 1.0
    images = np.array([top if i % 2 == 0 else top[::-1] for i in range(40)]) + 0.1 * rng.normal(size=(40, 4, 4))
    labels = np.array(["top" if i % 2 == 0 else "bottom" for i in range(40)])
    classifier = nn.SoftmaxClassifier(lr=0.5, epochs=20, seed=0).fit(images, labels)
    figure = viz.plot_class_templates(classifier)
    shown = {ax.get_title(): np.asarray(ax.images[0].get_array()) for ax in figure.axes if ax.images}
    assert sorted(shown) == ["bottom", "top"]
    np.testing.assert_array_equal(shown["top"], classifier.templates()[list(classifier.classes_).index("top")])
    assert shown["top"][:2].mean() > 0 > shown["top"][2:].mean()  # the template of "top" is its picture
    assert shown["bottom"][2:].mean() > 0 > shown["bottom"][:2].mean()


def test_class_templates_bad_shapes():
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


def test_a_diverging_path_is_named_and_does_not_shrink_the_others():
    def valley(a, b):
        return a * a + 10 * b * b

    figure = viz.plot_optimizer_paths(
        valley,
        {"SGD lr 0.11": lambda p: nn.optim.SGD(p, lr=0.11), "SGD lr 0.05": lambda p: nn.optim.SGD(p, lr=0.05)},
        resolution=20,
    )
    ax = figure.axes[0]
    labels = [line.get_label() for line in ax.lines if not line.get_label().startswith("_")]
    # on b, SGD multiplies by 1 - 20 lr: -1.2 at lr 0.11, growing without end; -0.0 at 0.05
    assert labels == ["SGD lr 0.11 (50 steps), diverged", "SGD lr 0.05 (50 steps)", "start"]
    assert ax.get_ylim()[1] < 2  # the plot is the size of the path that stays (from b = 1 to 0)


def test_a_path_given_as_points_is_marked_and_judged_from_its_own_start():
    def valley(a, b):
        return a * a + 10 * b * b

    given = np.array([[30.0, 20.0], [35.0, 22.0], [40.0, 25.0]])  # loss 4,900 to 7,850: a rise, but no divergence
    figure = viz.plot_optimizer_paths(valley, {"mine": given, "SGD": lambda p: nn.optim.SGD(p, lr=0.05)}, resolution=10)
    lines = {line.get_label(): line for line in figure.axes[0].lines}
    starts = sorted(zip(lines["start"].get_xdata(), lines["start"].get_ydata()))
    assert starts == [(-1.5, 1.0), (30.0, 20.0)]  # (the marker had been only at the default start)
    assert "mine (2 steps)" in lines  # (judged from the default start's loss, 12.25, it had "diverged")
    with pytest.raises(ValueError, match="k >= 1 points"):
        viz.plot_optimizer_paths(valley, {"empty": np.zeros((0, 2))})


def test_a_history_with_values_that_are_not_finite_says_where():
    figure = viz.plot_history({"loss": [3.0, 2.0, float("nan"), float("inf")], "val_loss": [4.0, 3.0, 2.5, None]})
    labels = figure.axes[0].get_legend_handles_labels()[1]
    assert labels == ["train (not finite at epoch 3, 4)", "validation (not finite at epoch 4)"]


def test_a_history_logged_by_hand_may_hold_losses_still_in_their_graphs():
    from autograd import Tensor, Value

    w = Tensor([2.0], requires_grad=True)
    losses = [(w * w).sum(), Value(3.0) * Value(0.5), 1.0]
    figure = viz.plot_history({"loss": losses})
    np.testing.assert_array_equal(figure.axes[0].lines[0].get_ydata(), [4.0, 1.5, 1.0])


@pytest.mark.parametrize(
    ("plot", "words"),
    [
        (lambda: viz.plot_optimizer_paths(_bowl, resolution=6000), "resolution must be a whole number from 2 to 300"),
        (lambda: viz.plot_optimizer_paths(_bowl, resolution=0), "resolution must be a whole number"),
        (lambda: viz.plot_optimizer_paths(_bowl, steps=-5), "steps must be a whole number >= 0, got -5"),
        (lambda: viz.plot_optimizer_paths(_bowl, start=(1.0, 2.0, 3.0)), "start must be 2 finite numbers"),
        (
            lambda: viz.plot_decision_boundary(lambda p: p[:, 0], np.zeros((3, 2)), resolution=2.5),
            "resolution must be a whole number from 2 to 1000",
        ),
        (
            lambda: viz.plot_decision_boundary(lambda p: p[:, 0], np.zeros((3, 2)), threshold=float("nan")),
            "threshold must be a finite number",
        ),
    ],
)
def test_plot_settings_that_cannot_be_drawn_or_would_run_for_minutes_are_refused(plot, words):
    """A resolution of 6000 (a typo for 60) had meant 36 million loss calls, about 11 minutes; -5 steps drew none."""
    with pytest.raises(ValueError, match=words):
        plot()


def test_one_activation_may_be_named_alone():
    figure = viz.plot_activations("relu")  # (it had reported unknown activations r, e, l, u)
    assert len(figure.axes) == 1
