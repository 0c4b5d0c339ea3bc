"""``viz.TrainingRecorder``: frames of a model learning, every number checked against a computation by hand."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from xml.etree import ElementTree

import numpy as np
import pytest

import nn
import viz
from autograd import Tensor, Value
from nn.data import make_spirals
from viz import training_recorder as recorder_module
from viz.decision_grid import grid_points
from viz.grad_sizes import DEAD, LARGE, PALETTE, TINY, dead_units, grad_color, grad_marks, grad_size
from viz.summaries import summarize

HOSTILE = "</script><script>alert(1)</script><img src=x onerror=alert(2)>&amp;\u2028"
EPOCHS = 20


class Snapshots(nn.Callback):
    """The model's weights before training and after every step, to recompute each frame independently."""

    def __init__(self) -> None:
        self.states: dict[int, dict[str, np.ndarray]] = {}

    def on_train_begin(self, trainer: nn.Trainer) -> None:
        self.states[0] = trainer.model.state_dict()

    def on_batch_end(self, trainer: nn.Trainer) -> None:
        self.states[trainer.step] = trainer.model.state_dict()


def by_hand(state: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """A 2-16-3 ReLU MLP and its softmax cross-entropy, forward and backward, in plain numpy."""
    hidden = np.maximum(X @ state["layers.0.weight"] + state["layers.0.bias"], 0.0)
    logits = hidden @ state["layers.2.weight"] + state["layers.2.bias"]
    exps = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities = exps / exps.sum(axis=1, keepdims=True)
    rows = np.arange(len(y))
    loss = -np.mean(np.log(probabilities[rows, y]))
    d_logits = probabilities.copy()
    d_logits[rows, y] -= 1.0
    d_logits /= len(y)
    return {
        "hidden": hidden,
        "logits": logits,
        "loss": np.array(loss),
        "d_hidden": d_logits @ state["layers.2.weight"].T,
        "d_logits": d_logits,
    }


def train(every: int = 2, epochs: int = EPOCHS, recorder_options: dict | None = None):
    """20 epochs (full batch: one step each) of a 2-16-3 MLP on spirals, recorded on six probe points."""
    X, y = make_spirals(150, 3, seed=0)
    model = nn.MLP([2, 16, 3], seed=0)
    probe, probe_target = X[::25], y[::25]
    recorder = viz.TrainingRecorder(model, probe, probe_target, every=every, **(recorder_options or {}))
    snapshots = Snapshots()
    history = nn.fit(
        model,
        nn.cross_entropy,
        nn.optim.Adam(model.parameters(), lr=0.05),
        (X, y),
        epochs=epochs,
        callbacks=[snapshots, recorder],
        seed=0,
    )
    return recorder, snapshots, history, (probe, probe_target), model


@pytest.fixture(scope="module")
def trained():
    return train()


def frames_of(page: str) -> dict:
    (data,) = re.findall(r'<script type="application/json" class="frames">(.*?)</script>', page, flags=re.DOTALL)
    return json.loads(data)


def test_a_frame_every_two_steps_from_before_training_to_the_end(trained):
    recorder, _, history, _, _ = trained
    assert len(recorder) == 11  # at least 10 frames over 20 epochs
    assert [frame.step for frame in recorder.frames] == list(range(0, 21, 2))
    assert [frame.epoch for frame in recorder.frames] == [None, *range(1, 20, 2)]
    assert recorder.frames[0].loss is None  # before training: no step, no loss yet
    for frame in recorder.frames[1:]:  # the loss of the step just taken, as the history has it
        assert frame.loss == history.per_step["loss"][frame.step - 1]
    assert recorder.frames[-1].loss == history.per_step["loss"][-1] == history["loss"][-1]
    assert recorder.losses == list(enumerate(history.per_step["loss"], start=1))
    assert recorder.names == {"v8": "output", "g0": "layers.0", "g1": "layers.2"}


def test_every_number_is_the_models_data_and_grad_at_that_step(trained):
    recorder, snapshots, _, (probe, probe_target), _ = trained
    for frame in recorder.frames:
        expected = by_hand(snapshots.states[frame.step], probe, probe_target)
        np.testing.assert_allclose(frame.data["g0"], expected["hidden"], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(frame.grads["g0"], expected["d_hidden"], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(frame.data["g1"], expected["logits"], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(frame.grads["g1"], expected["d_logits"], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(frame.data["v8"], expected["loss"], rtol=1e-12)
        assert frame.grads["v8"] == 1.0
        hidden_grad = expected["d_hidden"]
        assert frame.texts["g0"] == (
            f"data mean {np.mean(expected['hidden']):+.2e}, norm {np.linalg.norm(expected['hidden']):+.2e}",
            f"grad mean {np.mean(hidden_grad):+.2e}, norm {np.linalg.norm(hidden_grad):+.2e}",
        )
        assert frame.texts["v8"] == (f"data {float(expected['loss']):+.2e}", "grad +1.00e+00")
        assert frame.sizes["g1"] == pytest.approx(np.sqrt(np.mean(expected["d_logits"] ** 2)), rel=1e-12)


def test_the_decision_boundary_is_the_class_the_model_picks_at_each_grid_point(trained):
    recorder, snapshots, _, _, _ = trained
    points = grid_points(recorder.extent, recorder.resolution)
    assert len(points) == 40 * 40
    for frame in (recorder.frames[0], recorder.frames[-1]):
        state = snapshots.states[frame.step]
        hidden = np.maximum(points @ state["layers.0.weight"] + state["layers.0.bias"], 0.0)
        classes = np.argmax(hidden @ state["layers.2.weight"] + state["layers.2.bias"], axis=1)
        assert frame.classes == "".join(map(str, classes))
    assert recorder.frames[0].classes != recorder.frames[-1].classes  # training moved the boundary


def test_every_class_the_grid_can_hold_has_colours_of_its_own():
    from viz.decision_grid import CLASS_COLORS, MAX_CLASSES, REGION_COLORS

    # (classes 8 and 9 had taken the colours of 0 and 1)
    assert len(set(CLASS_COLORS[:MAX_CLASSES])) == len(set(REGION_COLORS[:MAX_CLASSES])) == MAX_CLASSES


def test_recording_does_not_change_training():
    recorded = train()[2]
    X, y = make_spirals(150, 3, seed=0)
    model = nn.MLP([2, 16, 3], seed=0)
    plain = nn.fit(model, nn.cross_entropy, nn.optim.Adam(model.parameters(), lr=0.05), (X, y), epochs=EPOCHS, seed=0)
    assert recorded.per_step["loss"] == plain.per_step["loss"]


def test_the_page_is_saved_only_as_a_web_page(tmp_path):
    recorder = train()[0]
    with pytest.raises(ValueError, match="this writes a web page; give a file name ending in .html"):
        recorder.save(tmp_path / "training.svg")
    with pytest.raises(FileNotFoundError, match="no folder"):
        recorder.save(tmp_path / "missing" / "training.html")
    assert recorder.save(tmp_path / "training.HTM").is_file()


def test_the_page_is_one_picture_rendered_once_with_the_frames_as_data(tmp_path, monkeypatch):
    recorder = train()[0]  # a recorder of its own: its picture is made here
    calls = []
    run_dot = recorder_module.run_dot
    monkeypatch.setattr(recorder_module, "run_dot", lambda source, fmt: calls.append(fmt) or run_dot(source, fmt))
    page = recorder.save(tmp_path / "training.html").read_text(encoding="utf-8")
    recorder.save(tmp_path / "again.html")
    inline = recorder._repr_html_()
    assert calls == ["svg"]  # one layout for every frame, every save and every display
    assert page.count("<svg") == 1 and inline.count("<svg") == 1
    assert set(re.findall(r"https?://[^\"' ]*", page)) == {"http://www.w3.org/2000/svg"}  # a name, not fetched
    assert "src=" not in page and "<link" not in page
    data = frames_of(page)
    assert len(data["frames"]) == len(recorder) == 11
    last = data["frames"][-1]
    assert last["boxes"]["v8"][:2] == list(recorder.frames[-1].texts["v8"])
    assert last["when"] == f"step 20 \u00b7 epoch 20 \u00b7 loss at this step {recorder.frames[-1].loss:.4g}"
    assert data["frames"][0]["when"] == "step 0 \u00b7 before training" and data["frames"][0]["curve"] is None
    svg = ElementTree.fromstring(re.search(r"<svg.*?</svg>", page, flags=re.DOTALL)[0])
    titles = {group.find("title").text for group in svg.iter("g") if group.get("class") == "node"}
    assert set(recorder.names) <= titles  # every box a frame writes into is in the picture
    texts = ["".join(text.itertext()) for text in svg.iter("text")]
    assert recorder.frames[0].texts["g0"][1] in texts  # the picture is the first frame's drawing
    assert "neuron or layer (one call)" not in texts  # the boxes take gradient colours: no legend of role colours
    # the colour bar: a row for the borders (the palette) and one for the fills, which the page's script tints
    assert data["palette"] == list(PALETTE) and page.count('class="colour-bar') == 2
    assert "bottom row: its fill, the same colour paler" in page
    assert any(text.startswith("one box per layer and call: its matrix product") for text in texts)  # the notes stay
    assert " data-read-hash>" in page and " data-read-hash>" not in inline
    for control in ("play", "previous", "next"):
        assert f'class="{control}"' in page


def test_the_page_grows_with_frames_not_pictures_and_its_bytes_are_the_recordings(tmp_path):
    eleven = train(every=2)[0].html().encode("utf-8")
    again = train(every=2)[0].html().encode("utf-8")
    twenty_one = train(every=1)[0].html().encode("utf-8")
    assert eleven == again  # the same training gives the same page, byte for byte
    per_frame = (len(twenty_one) - len(eleven)) / 10
    picture = len(re.search(r"<svg.*?</svg>", eleven.decode(), flags=re.DOTALL)[0])
    assert 1600 < per_frame < 2500  # the grid of 40 x 40 classes and a few texts per frame, not a picture
    assert picture > 4000 and len(eleven) < 60_000  # 20 epochs of a 2-16-3 MLP: kilobytes, far below a few MB


def test_a_scalar_model_by_hand_with_record():
    model = nn.ScalarMLP([2, 3, 1], activation="relu", seed=3)
    points, targets = [[0.5, -1.0], [1.0, 1.0], [-1.0, 0.2]], [1.0, -1.0, 0.5]

    def squared_error(output, target):
        return (output - target) ** 2

    recorder = viz.TrainingRecorder(model, [0.5, -1.0], probe_target=1.0, loss_fn=squared_error, boundary=False)
    recorder.record()
    for _ in range(4):
        loss = sum((squared_error(model(x), t) for x, t in zip(points, targets)), Value(0.0))
        model.zero_grad()
        loss.backward()
        grads_before = [p.grad for p in model.parameters()]
        frame = recorder.record(loss=loss.data)  # between backward and the update: the update must not change
        assert [p.grad for p in model.parameters()] == grads_before
        for p in model.parameters():
            p.data -= 0.05 * p.grad
        # Recompute the frame by hand with the weights it was recorded at (before this update).
        weights = {name: p.data + 0.05 * p.grad for name, p in model.named_parameters()}
        hidden = []
        for j in range(3):
            total = weights[f"layers.0.neurons.{j}.bias"] + sum(
                weights[f"layers.0.neurons.{j}.weights.{i}"] * x for i, x in enumerate([0.5, -1.0])
            )
            hidden.append(max(total, 0.0))
        out = weights["layers.1.neurons.0.bias"] + sum(
            weights[f"layers.1.neurons.0.weights.{j}"] * h for j, h in enumerate(hidden)
        )
        d_out = 2 * (out - 1.0)
        values = {name: (frame.data[key], frame.grads[key]) for key, name in recorder.names.items()}
        assert values["output"] == (pytest.approx((out - 1.0) ** 2, rel=1e-12), 1.0)
        assert values["layers.1.neurons.0"] == (pytest.approx(out, rel=1e-12), pytest.approx(d_out, rel=1e-12))
        for j in range(3):
            d_hidden = d_out * weights[f"layers.1.neurons.0.weights.{j}"]
            assert values[f"layers.0.neurons.{j}"] == (
                pytest.approx(hidden[j], abs=1e-15),
                pytest.approx(d_hidden, rel=1e-12),
            )
            key = next(k for k, name in recorder.names.items() if name == f"layers.0.neurons.{j}")
            assert (DEAD in frame.marks[key]) == (hidden[j] == 0.0)
    assert len(recorder) == 5 and [f.step for f in recorder.frames] == [0, 1, 2, 3, 4]
    assert [loss for _, loss in recorder.losses] == [f.loss for f in recorder.frames[1:]]
    assert recorder.frames[0].classes is None and recorder._repr_html_().count("<svg") == 1


def test_hostile_labels_and_titles_stay_text(tmp_path):
    model = nn.ScalarMLP([2, 2, 1], seed=0)

    def loss_fn(output, target):
        return (output - Value(target, label=HOSTILE)) ** 2

    recorder = viz.TrainingRecorder(model, [0.3, 0.7], probe_target=2.0, loss_fn=loss_fn)
    recorder.record()
    recorder.record(loss=1.5)
    page = recorder.save(tmp_path / "hostile.html", title=HOSTILE).read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<img" not in page
    assert page.count("&lt;/script&gt;&lt;script&gt;alert(1)") == 3  # the title, the heading, the box

    class Elements(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tags: list[str] = []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)

    elements = Elements()
    elements.feed(page)
    assert elements.tags.count("script") == 3  # the frames' JSON, the recorder's script, the focus line
    assert ".focus({preventScroll: true})" in page  # keys work at once, and the page opens at its title
    assert "img" not in elements.tags and elements.tags.count("svg") == 1
    svg = ElementTree.fromstring(re.search(r"<svg.*?</svg>", page, flags=re.DOTALL)[0])
    assert any(HOSTILE in "".join(text.itertext()) for text in svg.iter("text"))  # shown, as text
    assert len(frames_of(page)["frames"]) == 2


def test_a_graph_that_changes_shape_is_refused():
    class Switching(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(2, 3, seed=0)
            self.use_tanh = False

        def forward(self, x: Tensor) -> Tensor:
            hidden = self.layer(x)
            return hidden.tanh() if self.use_tanh else hidden.relu()

    model = Switching()
    recorder = viz.TrainingRecorder(model, np.ones((2, 2)))
    recorder.record()
    model.use_tanh = True
    with pytest.raises(ValueError, match="frame 1 .*differs from the first frame's.*lays it out once"):
        recorder.record()
    assert len(recorder) == 1


def test_a_second_fit_continues_the_recording():
    X, y = make_spirals(60, 3, seed=2)
    model = nn.MLP([2, 4, 3], seed=2)
    recorder = viz.TrainingRecorder(model, X[:3], y[:3], every=3)
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    first = nn.fit(model, nn.cross_entropy, optimizer, (X, y), epochs=4, callbacks=[recorder])
    second = nn.fit(model, nn.cross_entropy, optimizer, (X, y), epochs=2, callbacks=[recorder])
    assert [frame.step for frame in recorder.frames] == [0, 3, 4, 6]  # the last step of each run is a frame too
    assert [loss for _, loss in recorder.losses] == first.per_step["loss"] + second.per_step["loss"]
    assert [step for step, _ in recorder.losses] == [1, 2, 3, 4, 5, 6]


def test_dropout_is_off_while_recording_so_the_graph_keeps_its_shape():
    X, y = make_spirals(60, 3, seed=1)
    model = nn.MLP([2, 8, 3], dropout=0.5, seed=1)
    recorder = viz.TrainingRecorder(model, X[:4], y[:4])
    nn.fit(model, nn.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=3, callbacks=[recorder])
    assert len(recorder) == 4 and model.training  # back in training mode afterwards


def test_dead_units_tiny_and_large_gradients_are_marked():
    model = nn.MLP([2, 4, 1], seed=0)
    model.layers[0].bias.data[:] = [-100.0, -100.0, 0.0, 0.0]  # two units are 0 on every probe point
    recorder = viz.TrainingRecorder(model, np.array([[0.1, 0.2], [0.3, -0.1]]))
    frame = recorder.record()
    hidden = np.maximum(np.array([[0.1, 0.2], [0.3, -0.1]]) @ model.layers[0].weight.data + [-100, -100, 0, 0], 0)
    dead = int(np.sum(np.all(hidden == 0, axis=0)))
    assert dead >= 2 and frame.marks["g0"].startswith(f"{DEAD} {dead} of 4")
    assert grad_marks(1e-7, Value(1.0)) == TINY and grad_marks(1e3, Value(1.0)) == LARGE
    assert grad_marks(0.5, Value(1.0)) == "" and grad_marks(float("nan"), Value(1.0)) == LARGE
    relu = Value(-2.0).relu()
    assert dead_units(relu) == (1, 1) and grad_marks(0.1, relu) == DEAD
    assert dead_units(Value(-2.0).tanh()) is None


def test_gradient_sizes_and_their_colours():
    assert grad_size(None) is None
    assert grad_size(-3.0) == 3.0
    assert grad_size(np.array([3.0, -4.0])) == pytest.approx(np.sqrt(12.5))
    assert grad_color(1e-9) == PALETTE[0] and grad_color(1e5) == PALETTE[-1] and grad_color(0.0) == PALETTE[0]
    assert grad_color(1e-2) == PALETTE[2]  # the middle of the log scale 1e-6 .. 1e2
    assert grad_color(None) is None
    # The palette gets lighter all the way: size reads as lightness, with or without colour vision.
    lightness = [sum(int(grad_color(10.0**k)[i : i + 2], 16) for i in (1, 3, 5)) for k in range(-6, 3)]
    assert lightness == sorted(lightness) and len(set(lightness)) == len(lightness)


def test_gradients_without_a_target_are_those_of_the_sum_of_the_outputs():
    model = nn.MLP([3, 2], seed=0)
    probe = np.array([[1.0, 2.0, 3.0]])
    frame = viz.TrainingRecorder(model, probe).record()
    (key,) = [k for k in frame.data if k.startswith("g")]
    np.testing.assert_allclose(frame.data[key], probe @ model.layers[0].weight.data + model.layers[0].bias.data)
    np.testing.assert_array_equal(frame.grads[key], np.ones((1, 2)))
    assert frame.classes is None  # three inputs: no decision boundary
    assert summarize(frame.data[key], "+.2e") in frame.texts[key][0]


def test_bad_arguments_are_named():
    model = nn.MLP([2, 2], seed=0)
    with pytest.raises(ValueError, match="every must be a positive whole number"):
        viz.TrainingRecorder(model, np.zeros((1, 2)), every=0)
    with pytest.raises(ValueError, match="resolution must be a positive whole number of at most 200, got 10000"):
        viz.TrainingRecorder(model, np.zeros((1, 2)), resolution=10_000)
    with pytest.raises(ValueError, match="decision boundary needs inputs of 2 numbers"):
        viz.TrainingRecorder(nn.MLP([3, 2], seed=0), np.zeros((1, 3)), boundary=True)
    with pytest.raises(ValueError, match="boundary_extent"):
        viz.TrainingRecorder(model, np.zeros((1, 2)), boundary_extent=(1.0, 0.0, 0.0, 1.0))
    with pytest.raises(TypeError, match="nn.Module"):
        viz.TrainingRecorder(lambda x: x, np.zeros((1, 2)))
    with pytest.raises(ValueError, match="no frames recorded yet"):
        viz.TrainingRecorder(model, np.zeros((1, 2))).html()
    with pytest.raises(ValueError, match="probe_target needs a loss_fn"):
        viz.TrainingRecorder(model, np.zeros((1, 2)), probe_target=np.array([0])).record()


def test_a_scalar_models_boundary_is_the_sign_of_its_one_output_on_a_coarser_grid():
    model = nn.ScalarMLP([2, 3, 1], activation="tanh", seed=5)
    recorder = viz.TrainingRecorder(model, [0.2, -0.4], boundary_extent=(-2.0, 2.0, -1.0, 3.0))
    frame = recorder.record()
    assert recorder.resolution == 16 and len(frame.classes) == 16 * 16
    weights = {name: p.data for name, p in model.named_parameters()}
    points = grid_points((-2.0, 2.0, -1.0, 3.0), 16)
    assert points[0] == pytest.approx([-2.0 + 0.125, 3.0 - 0.125])  # row by row from the top left
    hidden = [
        np.tanh(
            sum(weights[f"layers.0.neurons.{j}.weights.{i}"] * points[:, i] for i in range(2))
            + weights[f"layers.0.neurons.{j}.bias"]
        )
        for j in range(3)
    ]
    output = (
        sum(weights[f"layers.1.neurons.0.weights.{j}"] * hidden[j] for j in range(3))
        + weights["layers.1.neurons.0.bias"]
    )
    assert frame.classes == "".join("1" if value > 0 else "0" for value in output)
    assert set(frame.classes) == {"0", "1"}  # the line crosses the square


def test_without_grad_colors_the_boxes_keep_their_colours_and_the_legend_is_left_out():
    model = nn.MLP([2, 4, 1], seed=0)
    model.layers[0].bias.data[:] = -100.0  # every unit dead: a word the page would otherwise show
    recorder = viz.TrainingRecorder(model, np.ones((2, 2)), grad_colors=False)
    frame = recorder.record()
    assert frame.marks["g0"] == f"{DEAD} 4 of 4"  # still recorded
    page = recorder.html()
    boxes = frames_of(page)["frames"][0]["boxes"]
    assert all(color is None and mark == "" for _, _, color, mark in boxes.values())
    assert "size of each box's gradient" not in page
    coloured = viz.TrainingRecorder(model, np.ones((2, 2)))
    coloured.record()
    boxes = frames_of(coloured.html())["frames"][0]["boxes"]
    assert boxes["g0"][2] == grad_color(coloured.frames[0].sizes["g0"]) and boxes["g0"][3] == f"{DEAD} 4 of 4"
    assert "size of each box's gradient" in coloured.html()


def test_the_loss_curve_keeps_every_spike_and_every_frames_step_when_thinned():
    """Thinning 2,400 steps to 1,000 points had dropped the highest losses and the frames' own steps."""
    from types import SimpleNamespace

    from viz.recorder_page import MAX_CURVE_POINTS, _curve

    rng = np.random.default_rng(0)
    losses = [(step, float(loss)) for step, loss in enumerate(rng.exponential(0.3, 2400))]
    losses[481] = (481, 9.0)  # one spike, between two kept points of an even spread
    frames = [SimpleNamespace(step=step, loss=losses[step][1]) for step in range(0, 2400, 37)]
    curve, at = _curve(SimpleNamespace(losses=losses, frames=frames))
    assert len(curve["line"]) <= MAX_CURVE_POINTS + len(frames)
    assert [label[0] for label in curve["labels"]] == ["9", "4.5", "0", "step 0", "step 1199", "step 2399"]
    assert min(y for _, y in curve["line"]) == curve["box"][1]  # and the line does too
    line = {tuple(point) for point in curve["line"]}
    assert all(tuple(point) in line for point in at.values())  # every frame's dot is on the line


def test_a_one_output_model_is_split_at_its_threshold_and_its_targets_coloured_by_that_rule():
    """A sigmoid's probabilities split at 0.5 (at 0 the grid had been all one class); -1 and +1 targets take
    the colours of the regions they name (-1 had taken the tenth class's colour)."""
    from viz.decision_grid import CLASS_COLORS
    from viz.recorder_page import _probe_dots

    model = nn.Sequential(nn.Linear(2, 1, seed=0), nn.Sigmoid())
    model.layers[0].weight.data = np.array([[3.0], [0.0]])  # p = sigmoid(3 x): 0.5 on the line x = 0
    model.layers[0].bias.data = np.zeros(1)
    points = np.array([[-1.0, 0.0], [1.0, 0.5], [-0.5, -1.0], [0.5, 1.0]])
    targets = np.array([[-1.0], [1.0], [-1.0], [1.0]])
    for threshold, both_sides in ((0.0, False), (0.5, True)):
        recorder = viz.TrainingRecorder(model, points, targets, loss_fn=nn.mse_loss, threshold=threshold)
        classes = recorder.record().classes
        assert (set(classes) == {"0", "1"}) is both_sides
    half = len(classes) ** 0.5 / 2
    assert classes[0] == "0" and classes[int(2 * half) - 1] == "1"  # the top row: left of x = 0, then right of it
    colors = [dot[2] for dot in _probe_dots(recorder)]
    assert colors == [CLASS_COLORS[0], CLASS_COLORS[1], CLASS_COLORS[0], CLASS_COLORS[1]]
    with pytest.raises(ValueError, match="threshold must be a finite number"):
        viz.TrainingRecorder(model, points, threshold=float("nan"))


def test_a_curve_with_a_frame_at_every_step_is_thinned_all_the_same():
    from types import SimpleNamespace

    from viz.recorder_page import MAX_CURVE_POINTS, _curve

    losses = [(step, 1.0 / (1 + step)) for step in range(5000)]
    frames = [SimpleNamespace(step=step, loss=loss) for step, loss in losses]  # every=1
    curve, _ = _curve(SimpleNamespace(losses=losses, frames=frames))
    assert len(curve["line"]) <= MAX_CURVE_POINTS  # (all 5,000 frame steps had been kept)


def test_targets_with_a_negative_one_are_split_at_the_threshold_as_one_output_is():
    from viz.decision_grid import target_classes

    assert target_classes(np.array([-1.0, -1.0]), 0.0).tolist() == [0, 0]  # (only -1s had given white dots)
    assert target_classes(np.array([-1.0, 1.0, 1.0]), 0.0).tolist() == [0, 1, 1]
    assert target_classes(np.array([0.0, 2.0, 1.0]), 0.0).tolist() == [0, 2, 1]  # class numbers are their own
    assert target_classes(np.array([0.5, 1.0]), 0.0) is None  # not classes


def test_a_probe_or_an_extent_that_cannot_be_drawn_is_refused_by_name():
    model = nn.MLP([2, 3, 2], seed=0)
    with pytest.raises(ValueError, match="probe_input must hold at least one example of finite numbers, got shape"):
        viz.TrainingRecorder(model, np.array([[np.nan, 0.0]]))  # (it had blamed boundary_extent)
    with pytest.raises(ValueError, match="probe_input must hold at least one example"):
        viz.TrainingRecorder(model, np.zeros((0, 2)))  # (a numpy reshape error)
    with pytest.raises(ValueError, match="boundary_extent must be"):
        viz.TrainingRecorder(model, np.ones((3, 2)), boundary_extent=(0.0, float("inf"), 0.0, 1.0))
