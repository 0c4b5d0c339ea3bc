"""nn.training: the loop's arithmetic, History, metrics, validation mode, callbacks, early stopping, schedules."""

import io
import warnings

import numpy as np
import pytest

import nn
from autograd import Tensor, is_grad_enabled
from nn.data import DataLoader, make_blobs, mixup
from nn.optim import SGD, StepLR
from nn.training import Callback, EarlyStopping, History, Trainer, accuracy, fit, predict


class Scale(nn.Module):
    """``output = w * x`` with one weight: small enough to follow every step by hand."""

    def __init__(self, w=0.0):
        super().__init__()
        self.weight = Tensor(np.array([w]), requires_grad=True)

    def forward(self, x):
        return x * self.weight


class Recorder(nn.Module):
    """Remembers, at each forward, whether it was in training mode and whether the graph was recorded."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 3, seed=0)
        self.calls = []

    def forward(self, x):
        self.calls.append((self.training, is_grad_enabled()))
        return self.linear(x)


def mse(outputs, targets):
    return nn.mse_loss(outputs, Tensor(targets))


def test_full_batch_steps_follow_gradient_descent_by_hand():
    # Loss (w x - t)^2 averaged: dL/dw = mean(2 (w x - t) x); SGD: w <- w - lr * dL/dw.
    x = np.array([[1.0], [2.0], [3.0]])
    t = np.array([[2.0], [4.0], [5.0]])
    model = Scale(0.5)
    history = fit(model, mse, SGD(model.parameters(), lr=0.05), (x, t), epochs=3, progress=False)
    w, losses = 0.5, []
    for _ in range(3):
        losses.append(np.mean((w * x - t) ** 2))
        w -= 0.05 * np.mean(2 * (w * x - t) * x)
    np.testing.assert_allclose(history.per_step["loss"], losses, rtol=1e-12)
    np.testing.assert_allclose(history["loss"], losses, rtol=1e-12)
    assert model.weight.data[0] == pytest.approx(w, rel=1e-12)


def test_minibatch_history_weights_the_epoch_loss_by_batch_size():
    x = np.arange(1.0, 8.0).reshape(7, 1)
    t = 2 * x
    model = Scale(0.0)
    history = fit(model, mse, SGD(model.parameters(), lr=0.001), (x, t), epochs=2, batch_size=3, progress=False)
    steps = history.per_step["loss"]
    assert len(steps) == 6 and len(history) == 2
    for epoch in range(2):
        batch = steps[3 * epoch : 3 * epoch + 3]
        assert history["loss"][epoch] == pytest.approx((3 * batch[0] + 3 * batch[1] + 1 * batch[2]) / 7)
    assert history["lr"] == [0.001, 0.001]


def test_one_example_batches_make_one_step_per_example():
    x = np.ones((5, 1))
    model = Scale(0.0)
    history = fit(model, mse, SGD(model.parameters(), lr=0.1), (x, x), epochs=1, batch_size=1, progress=False)
    # Each step: w <- w - 0.1 * 2 (w - 1) = 0.8 w + 0.2, five times from 0.
    assert model.weight.data[0] == pytest.approx(1 - 0.8**5)
    assert len(history.per_step["loss"]) == 5


def test_validation_runs_in_eval_mode_without_a_graph_and_training_does_not():
    model = Recorder()
    X = np.random.default_rng(0).normal(size=(8, 2))
    y = np.array([0, 1, 2, 0, 1, 2, 0, 1])
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    history = fit(
        model,
        nn.cross_entropy,
        optimizer,
        (X, y),
        epochs=2,
        batch_size=4,
        validation_data=(X[:3], y[:3]),
        metrics=["accuracy"],
        progress=False,
    )
    assert model.calls == [(True, True), (True, True), (False, False)] * 2
    assert model.training
    assert set(history.per_epoch) == {"loss", "accuracy", "val_loss", "val_accuracy", "lr"}
    outputs = predict(model, X[:3])
    assert isinstance(outputs, np.ndarray)
    assert history["val_accuracy"][-1] == accuracy(outputs, y[:3])
    assert history["val_loss"][-1] == pytest.approx(nn.cross_entropy(Tensor(outputs), y[:3]).item())


def test_evaluate_and_predict_restore_eval_mode_too():
    model = Recorder()
    model.eval()
    Trainer(model, nn.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1), progress=False).evaluate(
        np.zeros((2, 2)), np.array([0, 1])
    )
    assert not model.training


def test_predict_puts_back_each_layers_own_mode():
    """A batch norm layer frozen in eval mode inside a model that trains stays frozen after a prediction."""
    model = nn.Sequential(nn.Linear(3, 4, seed=0), nn.BatchNorm1d(4), nn.Dropout(0.5, seed=0), nn.Linear(4, 2, seed=1))
    model.train()
    model.layers[1].eval()
    predict(model, np.ones((5, 3)))
    assert [layer.training for layer in model.layers] == [True, False, True, True]  # (it was [True] * 4)


def test_epoch_metric_is_computed_on_all_the_epochs_outputs():
    seen = []

    def count(outputs, targets):
        seen.append(len(outputs))
        return float(len(outputs))

    model = Recorder()
    X, y = np.zeros((10, 2)), np.zeros(10, dtype=int)
    history = fit(
        model,
        nn.cross_entropy,
        nn.optim.SGD(model.parameters(), lr=0.1),
        (X, y),
        epochs=1,
        batch_size=4,
        metrics=[count],
        progress=False,
    )
    assert history.per_step["count"] == [4, 4, 2] and history["count"] == [10]
    assert seen == [4, 4, 2, 10]


def test_accuracy_reads_class_scores_binary_logits_and_soft_targets():
    scores = np.array([[0.1, 0.9], [2.0, -1.0], [0.0, 0.5]])
    assert accuracy(scores, np.array([1, 0, 0])) == pytest.approx(2 / 3)
    assert accuracy(np.array([[1.5], [-0.2], [0.3]]), np.array([1, 0, 0])) == pytest.approx(2 / 3)
    assert accuracy(np.array([1.5, -0.2]), np.array([[1.0], [0.0]])) == 1.0
    assert accuracy(scores, np.array([[0.2, 0.8], [0.6, 0.4], [0.1, 0.9]])) == 1.0
    with pytest.raises(ValueError, match="2 outputs but 3 targets"):
        accuracy(scores[:2], np.zeros(3))
    outputs = Tensor(scores, requires_grad=True) * 1.0  # a model's output, in its graph
    assert accuracy(outputs, Tensor([1.0, 0.0, 0.0])) == pytest.approx(2 / 3)


def test_accuracy_reads_predicted_labels_as_labels_and_probabilities_with_a_threshold():
    labels = np.array([0, 1, 2, 2, 1, 0])
    assert accuracy(labels, labels) == 1.0  # had been read as logits: classes 1 and 2 were one
    assert accuracy(np.array([[0], [1], [2]]), np.array([0, 1, 1])) == pytest.approx(2 / 3)
    assert accuracy(np.array([True, False]), np.array([1, 0])) == 1.0
    # Float labels, as a classifier fitted on float targets predicts: labels too, since all are among the targets.
    assert accuracy(labels.astype(float), labels.astype(float)) == 1.0  # had been 0.667: classes 1 and 2 were one
    assert accuracy(np.array([-1.0, 1.0, -1.0]), np.array([-1, 1, 1])) == pytest.approx(2 / 3)
    assert accuracy(np.array([2.0, 1.0, 0.0]), np.array([2.0, 1.0, 1.0])) == pytest.approx(2 / 3)
    # With targets 0 and 1, a column of floats is binary scores, whole numbers too: a perceptron's logits for AND,
    # an explicit threshold and infinite logits (taking whole floats for labels had scored these 0.75, 0 and 0).
    assert accuracy(np.array([-1.0, 0.0, 0.0, 1.0]), np.array([0, 0, 0, 1])) == 1.0
    assert accuracy(np.array([[3.0], [1.0]]), np.array([1, 0]), threshold=2.0) == 1.0
    assert accuracy(np.array([[np.inf], [-np.inf]], dtype=np.float32), np.array([1, 0])) == 1.0
    assert accuracy(np.array(["cat", "dog"]), np.array(["cat", "cat"])) == 0.5  # had raised numpy's UFuncTypeError
    probabilities = np.array([[0.1], [0.2], [0.9], [0.8]])
    assert accuracy(probabilities, np.array([0, 0, 1, 1])) == 0.5  # read as logits, as documented
    assert accuracy(probabilities, np.array([0, 0, 1, 1]), threshold=0.5) == 1.0
    with pytest.raises(ValueError, match="threshold must be a finite number"):
        accuracy(probabilities, np.zeros(4), threshold="0.5")


class Logistic(nn.Module):
    """A model of the user's whose forward ends with .sigmoid() (not a Sequential)."""

    def __init__(self):
        self.body = nn.Linear(2, 1, seed=0)

    def forward(self, x):
        return self.body(x).sigmoid()


@pytest.mark.parametrize("compiled", [False, True], ids=["eager", "compiled"])
@pytest.mark.parametrize(
    "make",
    [
        lambda: nn.Sequential(nn.Linear(2, 1, seed=0), nn.Sigmoid()),
        Logistic,
        lambda: nn.Sequential(nn.Sequential(nn.Linear(2, 1, seed=0), nn.Sigmoid())),
    ],
    ids=["Sequential", "forward", "nested Sequential"],
)
def test_fits_accuracy_reads_a_sigmoids_outputs_as_probabilities(make, compiled):
    # Compiled, the output's op is the program's: it says what op made the output when recording (it had read 0.5).
    X, y = make_blobs(40, n_classes=2, cluster_std=0.5, seed=0)
    model = make()
    history = fit(
        model,
        lambda p, t: nn.mse_loss(p, t.reshape(-1, 1).astype(float)),
        SGD(model.parameters(), lr=0.5),
        (X, y),
        epochs=30,
        metrics=["accuracy"],
        validation_data=(X, y),
        progress=False,
        compile=compiled,
    )
    truth = float(np.mean((predict(model, X)[:, 0] > 0.5) == y))
    assert history["accuracy"][-1] == history["val_accuracy"][-1] == truth > 0.9  # as logits: every output was 1


def test_evaluate_reads_a_nested_sequentials_sigmoid_before_any_training():
    X, y = make_blobs(40, n_classes=2, cluster_std=0.5, seed=0)
    model = nn.Sequential(nn.Sequential(nn.Linear(2, 1, seed=0), nn.Sigmoid()))
    loss = lambda p, t: nn.mse_loss(p, t.reshape(-1, 1).astype(float))
    trainer = nn.Trainer(model, loss, SGD(model.parameters(), lr=0.1), metrics=["accuracy"])
    truth = float(np.mean((predict(model, X)[:, 0] > 0.5) == y))
    assert trainer.evaluate(X, y)["accuracy"] == truth != 0.5  # had been 0.5: every probability counted as class 1


def test_history_picks_the_best_epoch_by_the_monitor_direction():
    history = History()
    for loss, acc in [(0.9, 0.5), (0.4, 0.8), (0.6, 0.9), (0.4, 0.7)]:
        history.log_epoch({"val_loss": loss, "val_accuracy": acc})
    assert len(history) == 4
    assert history.best_epoch() == 1 and history.best() == 0.4
    assert history.best_epoch("val_accuracy") == 2 and history.best("val_accuracy") == 0.9
    assert history.best_epoch("val_accuracy", mode="min") == 0
    history.log_epoch({"f1": 0.5})
    with pytest.raises(ValueError, match="mode='min' or mode='max'"):
        history.best_epoch("f1")
    with pytest.raises(KeyError, match="records"):
        history["loss"]
    assert "History(4 epochs" in repr(history)


class Journal(Callback):
    def __init__(self, stop_after=None):
        self.events = []
        self.stop_after = stop_after

    def on_train_begin(self, trainer):
        self.events.append("begin")

    def on_epoch_begin(self, trainer):
        self.events.append(f"epoch {trainer.epoch}")

    def on_batch_end(self, trainer):
        self.events.append(f"step {trainer.step}")

    def on_epoch_end(self, trainer):
        self.events.append(f"end {trainer.epoch} ({len(trainer.history)} in history)")
        if trainer.epoch == self.stop_after:
            trainer.stop_training = True

    def on_train_end(self, trainer):
        self.events.append("finish")


def test_callbacks_are_called_in_order_and_can_stop_training():
    journal = Journal(stop_after=1)
    model = Scale()
    x = np.ones((4, 1))
    history = fit(
        model, mse, SGD(model.parameters(), lr=0.1), (x, x), epochs=5, batch_size=2, callbacks=[journal], progress=False
    )
    assert journal.events == [
        "begin",
        "epoch 0", "step 1", "step 2", "end 0 (1 in history)",
        "epoch 1", "step 3", "step 4", "end 1 (2 in history)",
        "finish",
    ]  # fmt: skip
    assert len(history) == 2


def test_scheduler_is_stepped_after_each_epoch_and_the_rate_is_recorded():
    model = Scale()
    optimizer = SGD(model.parameters(), lr=0.1)
    history = fit(
        model,
        mse,
        optimizer,
        (np.ones((2, 1)), np.ones((2, 1))),
        epochs=4,
        scheduler=StepLR(optimizer, step_size=2, gamma=0.5),
        progress=False,
    )
    assert history["lr"] == pytest.approx([0.1, 0.1, 0.05, 0.05])


def towards_three_validated_at_one(patience, restore=True, epochs=30, min_delta=0.0):
    """Training pulls w from 0 to 3 (targets 3); validation wants 1. After epoch k (one full-batch step
    each, lr 0.1): w_k = 3 (1 - 0.8^(k+1)), so the validation loss (w - 1)^2 is smallest at k = 1."""
    model = Scale(0.0)
    stopper = EarlyStopping(patience=patience, min_delta=min_delta, restore_best_weights=restore)
    x = np.ones((4, 1))
    weights = []

    class Watch(Callback):
        def on_epoch_end(self, trainer):
            weights.append(model.weight.data[0])

    history = fit(
        model,
        mse,
        SGD(model.parameters(), lr=0.1),
        (x, 3 * x),
        epochs=epochs,
        validation_data=(x, x),
        callbacks=[Watch(), stopper],
        progress=False,
    )
    return model, stopper, history, weights


def test_early_stopping_stops_after_patience_and_restores_the_best_weights():
    model, stopper, history, weights = towards_three_validated_at_one(patience=3)
    expected = [3 * (1 - 0.8 ** (k + 1)) for k in range(5)]
    np.testing.assert_allclose(weights, expected, rtol=1e-12)
    best = int(np.argmin([(w - 1) ** 2 for w in expected]))
    assert best == 1 and stopper.best_epoch == 1 == history.best_epoch()
    assert stopper.stopped_epoch == 4 and len(history) == 5
    assert model.weight.data[0] == weights[1]
    assert stopper.best_value == pytest.approx((weights[1] - 1) ** 2)


def test_early_stopping_restores_every_parameter_of_a_network_to_the_best_epoch():
    # A net that over-fits a few noisy points: record every epoch's state and compare all of it at the end.
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 2)), rng.integers(0, 3, size=30)
    X_val, y_val = rng.normal(size=(30, 2)), rng.integers(0, 3, size=30)
    model = nn.MLP([2, 32, 3], seed=0)
    states = []

    class Snapshot(Callback):
        def on_epoch_end(self, trainer):
            states.append(trainer.model.state_dict())

    stopper = EarlyStopping(patience=4)
    history = fit(
        model, nn.cross_entropy, nn.optim.Adam(model.parameters(), lr=0.05), (X, y), epochs=200,
        validation_data=(X_val, y_val), callbacks=[Snapshot(), stopper], progress=False,
    )  # fmt: skip
    best = int(np.argmin(history["val_loss"]))
    assert stopper.best_epoch == best and len(history) == best + 1 + 4 < 200
    final = model.state_dict()
    assert (
        final.keys() == states[best].keys() == {"layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"}
    )
    for name in final:
        np.testing.assert_array_equal(final[name], states[best][name])
        assert not np.array_equal(final[name], states[-1][name])


def test_early_stopping_can_keep_the_last_weights():
    model, stopper, _, weights = towards_three_validated_at_one(patience=2, restore=False)
    assert stopper.stopped_epoch == 3 and model.weight.data[0] == weights[-1] != weights[1]


def test_early_stopping_min_delta_ignores_small_improvements():
    # Validation losses 0.16, 0.0064, 0.215, ...: epoch 1 improves on epoch 0 by 0.1536 < min_delta, so it does not count.
    _, stopper, history, _ = towards_three_validated_at_one(patience=2, min_delta=0.2)
    assert stopper.best_epoch == 0 and len(history) == 3


def test_early_stopping_restores_at_the_end_when_training_runs_out():
    model, stopper, history, weights = towards_three_validated_at_one(patience=10, epochs=4)
    assert stopper.stopped_epoch is None and len(history) == 4
    assert model.weight.data[0] == weights[1]


def test_early_stopping_without_validation_data_says_what_is_missing():
    model = Scale()
    with pytest.raises(KeyError, match="pass validation_data"):
        fit(
            model,
            mse,
            SGD(model.parameters(), lr=0.1),
            (np.ones((2, 1)), np.ones((2, 1))),
            epochs=2,
            callbacks=[EarlyStopping()],
            progress=False,
        )
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=0)


def test_fit_takes_a_data_loader_and_refuses_bad_data():
    model = Scale()
    x = np.ones((6, 1))
    loader = DataLoader(x, x, batch_size=4)
    history = fit(model, mse, SGD(model.parameters(), lr=0.1), loader, epochs=1, progress=False)
    assert len(history.per_step["loss"]) == 2
    with pytest.raises(ValueError, match="batch_size is set by the DataLoader"):
        fit(model, mse, SGD(model.parameters(), lr=0.1), loader, batch_size=2, progress=False)
    with pytest.raises(TypeError, match=r"pair \(X, y\)"):
        fit(model, mse, SGD(model.parameters(), lr=0.1), x, progress=False)
    with pytest.raises(ValueError, match="epochs"):
        fit(model, mse, SGD(model.parameters(), lr=0.1), (x, x), epochs=0, progress=False)
    with pytest.raises(ValueError, match="unknown metric 'acc'"):
        fit(model, mse, SGD(model.parameters(), lr=0.1), (x, x), metrics=["acc"], progress=False)


def test_augment_changes_each_training_batch_but_not_the_validation_data():
    # Training sees 2x: the step follows (w 2x - t)^2 by hand; validation measures (w x - t)^2 on the raw x.
    x = np.array([[1.0], [2.0]])
    t = np.array([[1.0], [3.0]])
    seen = []

    def double(X_batch, y_batch):
        seen.append(len(X_batch))
        return 2 * X_batch, y_batch

    model = Scale(0.5)
    history = fit(
        model, mse, SGD(model.parameters(), lr=0.01), (x, t), epochs=1, batch_size=1, shuffle=False,
        validation_data=(x, t), augment=double, progress=False,
    )  # fmt: skip
    w, losses = 0.5, []
    for xi, ti in zip(x[:, 0], t[:, 0]):
        losses.append((w * 2 * xi - ti) ** 2)
        w -= 0.01 * 2 * (w * 2 * xi - ti) * 2 * xi
    assert seen == [1, 1]
    np.testing.assert_allclose(history.per_step["loss"], losses, rtol=1e-12)
    assert model.weight.data[0] == pytest.approx(w, rel=1e-12)
    assert history["val_loss"] == [pytest.approx(np.mean((w * x - t) ** 2), rel=1e-12)]


def soft_cross_entropy(logits, probabilities):
    """Cross-entropy against rows of class probabilities (what mixup's blended labels need)."""
    return -(Tensor(probabilities) * logits.log_softmax(axis=1)).sum(axis=1).mean()


def test_training_on_mixup_batches_learns_the_classes():
    X, y = make_blobs(n_samples=150, n_classes=3, cluster_std=1.0, seed=0)
    model = nn.MLP([2, 16, 3], seed=0)
    rng = np.random.default_rng(0)
    batches = []

    def blend(X_batch, y_batch):
        mixed = mixup(X_batch, y_batch, alpha=0.4, n_classes=3, seed=rng)
        batches.append(mixed[1])
        return mixed

    history = fit(
        model, soft_cross_entropy, nn.optim.Adam(model.parameters(), lr=0.02), (X, y), epochs=30, batch_size=32,
        metrics=["accuracy"], augment=blend, seed=0, progress=False,
    )  # fmt: skip
    assert all(labels.shape[1] == 3 for labels in batches) and len(batches) == 30 * 5
    assert any(((labels > 0) & (labels < 1)).any() for labels in batches)
    assert accuracy(predict(model, X), y) >= 0.95
    assert history["loss"][-1] < history["loss"][0]


def test_progress_bar_shows_only_when_asked(capsys):
    model = Scale()
    x = np.ones((2, 1))
    fit(model, mse, SGD(model.parameters(), lr=0.1), (x, x), epochs=2, progress=False)
    assert capsys.readouterr().err == ""
    fit(model, mse, SGD(model.parameters(), lr=0.1), (x, x), epochs=2)  # default: only on a terminal
    assert capsys.readouterr().err == ""
    fit(model, mse, SGD(model.parameters(), lr=0.1), (x, x), epochs=2, progress=True)
    err = capsys.readouterr().err
    assert "training" in err and "2/2" in err and "loss=" in err


class StopAfter(Callback):
    """Ends training once ``epochs`` epochs have run, as early stopping does."""

    def __init__(self, epochs):
        self.epochs = epochs

    def on_epoch_end(self, trainer):
        trainer.stop_training = trainer.epoch + 1 == self.epochs


class Terminal(io.StringIO):
    """An error stream that says it is a terminal, so the live bar draws into it."""

    def isatty(self):
        return True


def test_off_a_terminal_progress_is_one_closing_line_with_the_epochs_that_ran(capsys):
    model = Scale()
    x = np.ones((2, 1))
    history = fit(
        model, mse, SGD(model.parameters(), lr=0.1), (x, x), epochs=50, callbacks=[StopAfter(7)], progress=True
    )
    err = capsys.readouterr().err
    assert len(history) == 7
    assert "\r" not in err and err.count("\n") == 1  # no redraws: a log or a pipe gets a single line
    assert err.startswith("training: 7/50 epochs (stopped early) in ")
    assert err.endswith(f"loss={history['loss'][-1]:.4g}\n")


def test_on_a_terminal_the_live_bar_ends_at_the_epochs_that_ran(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    model = Scale()
    x = np.ones((2, 1))
    history = fit(model, mse, SGD(model.parameters(), lr=0.1), (x, x), epochs=50, callbacks=[StopAfter(7)])
    last_draw = terminal.getvalue().split("\r")[-1]
    assert "training:" in last_draw and " 7/50 " in last_draw
    assert f"loss={history['loss'][-1]:.4g}" in last_draw
    assert terminal.getvalue().count("\r") > 2  # it redraws as it goes


def test_early_stopping_names_a_monitor_that_is_not_a_column_name():
    with pytest.raises(TypeError, match="monitor must name a column of the history, such as 'val_loss', got 5"):
        EarlyStopping(monitor=5)  # (an AttributeError about 'endswith' had come from inside)


def test_slips_in_fits_arguments_are_named_before_training():
    model, data = Scale(), (np.ones((2, 1)), np.ones((2, 1)))
    optimizer = SGD(model.parameters(), lr=0.1)
    slips = [
        (lambda: fit(model, optimizer, mse, data), TypeError, r"loss_fn is an optimizer: the order is fit\(model"),
        (
            lambda: fit(model, nn.MSELoss, optimizer, data),
            TypeError,
            r"the class MSELoss: pass an instance, MSELoss\(\)",
        ),
        (lambda: fit(model, mse, "sgd", data), TypeError, r"optimizer must have zero_grad\(\) and step\(\)"),
        (lambda: fit(model, mse, optimizer, data, validation_data=data[0]), TypeError, "a pair .X_val, y_val., got a"),
        (lambda: fit(model, mse, optimizer, data, validation_data=(*data, data[0])), TypeError, "got a tuple of 3"),
        (lambda: fit(model, mse, optimizer, data, validation_data=(data[0], np.ones(3))), ValueError, "2 examples in"),
    ]
    for call, error, message in slips:
        with pytest.raises(error, match=message):
            call()
    assert model.weight.data.tolist() == [0.0]  # refused before any step
    with pytest.warns(UserWarning, match="steps none of the model's parameters") as caught:
        fit(Scale(), mse, optimizer, data, progress=False)
    with pytest.warns(UserWarning, match="steps none of the model's parameters") as caught_too:
        Trainer(Scale(), mse, optimizer)
    assert {w.filename for w in [*caught, *caught_too]} == {__file__}  # the caller's line

    class OwnOptimizer:  # an optimizer of the user's, whose params are something else
        def __init__(self):
            self.params = {"lr": 0.1}

        def zero_grad(self):
            pass

        def step(self):
            pass

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Trainer(Scale(), mse, OwnOptimizer())


def test_a_mistyped_monitor_is_named_with_the_column_meant():
    with pytest.raises(ValueError, match="did you mean 'val_accuracy'"):
        EarlyStopping("val_acuracy")
    model = Scale()
    with pytest.raises(KeyError, match="did you mean 'val_loss'"):
        fit(
            model,
            mse,
            SGD(model.parameters(), lr=0.1),
            (np.ones((2, 1)), np.ones((2, 1))),
            progress=False,
            validation_data=(np.ones((2, 1)), np.ones((2, 1))),
            callbacks=[EarlyStopping("val_los", mode="min")],
        )


def test_optimizers_and_schedules_given_the_wrong_thing_say_what_they_take():
    model = nn.MLP([2, 3, 1], seed=0)
    with pytest.raises(TypeError, match=r"got the model itself \(a MLP\): pass model.parameters\(\)"):
        SGD(model, lr=0.1)
    with pytest.raises(TypeError, match="StepLR takes an optimizer"):
        StepLR(model.parameters(), step_size=10)
    with pytest.raises(ValueError, match="betas must be two numbers, got 0.9"):
        nn.optim.Adam(model.parameters(), betas=0.9)
    assert nn.optim.Adam(model.parameters(), betas=np.array([0.8, 0.99])).betas == (0.8, 0.99)  # as torch takes
    assert [p.shape for p in nn.MLP(w for w in (2, 3, 1)).parameters()] == [(2, 3), (3,), (3, 1), (1,)]
    with pytest.raises(TypeError, match="MLP takes one list of widths"):
        nn.MLP({2, 16, 1})  # a set has no order
    with pytest.raises(ValueError, match=r"betas\[1\] must be a finite number"):
        nn.optim.Adam(model.parameters(), betas=[0.9, [0.99, 0.5]])


def test_a_layer_frozen_in_on_epoch_begin_stays_frozen_through_the_epoch():
    # Each epoch puts the model in training mode first, then calls the callbacks: a batch norm put back in
    # eval mode there keeps its running statistics (model.train() had come after the callbacks and undone it).
    class FreezeBatchNorm(Callback):
        def on_epoch_begin(self, trainer):
            trainer.model[1].eval()

    X, y = make_blobs(40, n_classes=2, cluster_std=0.5, seed=0)
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.BatchNorm1d(3), nn.Linear(3, 2, seed=1))
    before = model[1].running_mean.copy(), model[1].running_var.copy()
    fit(model, nn.cross_entropy, SGD(model.parameters(), lr=0.1), (X, y), epochs=2, callbacks=[FreezeBatchNorm()])
    np.testing.assert_array_equal(model[1].running_mean, before[0])
    np.testing.assert_array_equal(model[1].running_var, before[1])
    assert model[0].training and not model[1].training
