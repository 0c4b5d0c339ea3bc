"""Training meets NaN and infinity: refused data, a diverging loss stopped, NaN scores never the best."""

import math

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.data import DataLoader
from nn.optim import SGD
from nn.training import EarlyStopping, History, Trainer, fit


class Scale(nn.Module):
    """``output = w * x`` with one weight, so every step can be followed by hand."""

    def __init__(self, w=1.0):
        self.weight = Tensor(np.array([w]), requires_grad=True)

    def forward(self, x):
        return x * self.weight


def mse(outputs, targets):
    return nn.mse_loss(outputs, Tensor(targets))


X = np.arange(1.0, 7.0).reshape(6, 1)
Y = 2 * X


def _with(array, row, value):
    array = array.copy()
    array[row, 0] = value
    return array


@pytest.mark.parametrize(
    ("data", "validation", "message"),
    [
        ((_with(X, 3, np.nan), Y), None, "X holds NaN or infinity in 1 example.s., the first at row 3"),
        ((X, _with(_with(Y, 4, np.inf), 5, -np.inf)), None, "y holds NaN or infinity in 2 example.s., the first at"),
        ((X, Y), (_with(X, 0, np.nan), Y), "validation X holds NaN or infinity in 1 example.s., the first at row 0"),
        (DataLoader(X, _with(Y, 1, np.nan)), None, "the loader's targets holds NaN or infinity in 1 example"),
    ],
    ids=["X", "y", "validation-X", "loader"],
)
def test_data_with_nan_or_infinity_is_refused_before_any_step(data, validation, message):
    model = Scale(1.0)
    with pytest.raises(ValueError, match=message):
        fit(model, mse, SGD(model.parameters(), lr=0.01), data, validation_data=validation, progress=False)
    assert model.weight.data.tolist() == [1.0]


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_a_diverging_loss_stops_training_naming_the_epoch_and_step():
    # One example x = 1, target 0: loss w^2, gradient 2w, so SGD with lr = 10 sets w <- -19 w each step.
    # The loss w^2 first overflows at the step where |w| passes sqrt(max float).
    w, steps = 1.0, 0
    while math.isfinite(w * w):
        w, steps = w - 10 * 2 * w, steps + 1
    assert steps == 121
    model = Scale(1.0)
    trainer = Trainer(model, mse, SGD(model.parameters(), lr=10.0), progress=False)
    message = f"the loss is inf in epoch {steps} .counting from 0. after {steps} optimisation steps"
    with pytest.raises(FloatingPointError, match=message):
        trainer.fit((np.ones((1, 1)), np.zeros((1, 1))), epochs=200)
    assert len(trainer.history.per_step["loss"]) == steps
    assert math.isfinite(model.weight.data[0]) and abs(model.weight.data[0]) == pytest.approx(19.0**steps, rel=1e-9)


class ScriptedScores(nn.Module):
    """A model whose validation score the test scripts: each epoch's weight is the epoch number."""

    def __init__(self):
        self.weight = Tensor(np.array([0.0]), requires_grad=True)


def _early_stopping_over(scores, patience=2):
    model = ScriptedScores()
    trainer = Trainer(model, mse, SGD(model.parameters(), lr=0.1), progress=False)
    stopping = EarlyStopping("val_loss", patience=patience)
    stopping.on_train_begin(trainer)
    for trainer.epoch, score in enumerate(scores):
        model.weight.data = np.array([float(trainer.epoch)])
        trainer.history.log_epoch({"val_loss": score})
        stopping.on_epoch_end(trainer)
        if trainer.stop_training:
            break
    stopping.on_train_end(trainer)
    return stopping, model.weight.data[0]


def test_early_stopping_never_takes_a_nan_score_as_the_best():
    stopping, weight = _early_stopping_over([np.nan, 0.5, 0.4, np.nan, np.nan, 0.3])
    assert (stopping.best_epoch, stopping.best_value, stopping.stopped_epoch) == (2, 0.4, 4)
    assert weight == 2.0


def test_early_stopping_keeps_the_weights_when_every_score_is_nan():
    stopping, weight = _early_stopping_over([np.nan, np.nan, np.nan])
    assert (stopping.best_epoch, stopping.stopped_epoch) == (None, 1)
    assert weight == 1.0  # the last epoch's, not epoch 0's


def test_history_best_epoch_skips_nan():
    history = History()
    for loss in [np.nan, 3.0, 1.0, np.nan, 2.0]:
        history.log_epoch({"val_loss": loss})
    assert history.best_epoch() == 2 and history.best() == 1.0
    empty = History()
    empty.log_epoch({"val_loss": np.nan})
    with pytest.raises(ValueError, match="no epochs with a number for 'val_loss'"):
        empty.best_epoch()


@pytest.mark.parametrize("make", [nn.MLPClassifier, nn.LinearSVM, nn.SoftmaxClassifier])
@pytest.mark.parametrize("lr", [np.nan, np.inf, -0.1])
def test_classifiers_refuse_learning_rates_that_cannot_train(make, lr):
    X_blobs = np.array([[0.0, 0.0], [0.1, 0.2], [3.0, 3.0], [3.1, 2.9]])
    with pytest.raises(ValueError, match=f"the learning rate lr must be a finite number >= 0, got {lr}"):
        make(lr=lr, epochs=2, seed=0).fit(X_blobs, np.array([0, 0, 1, 1]))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: nn.Perceptron(lr=np.inf), "lr must be a finite number > 0, got inf"),
        (lambda: nn.Perceptron(lr=np.nan), "lr must be a finite number > 0, got nan"),
        (lambda: nn.MLPClassifier(alpha=np.inf), "alpha must be a finite number >= 0, got inf"),
        (lambda: nn.LinearSVM(alpha=np.nan), "alpha must be a finite number >= 0, got nan"),
    ],
)
def test_classifiers_refuse_other_settings_that_cannot_train(make, message):
    X_blobs = np.array([[0.0, 0.0], [0.1, 0.2], [3.0, 3.0], [3.1, 2.9]])
    with pytest.raises(ValueError, match=message):
        make().fit(X_blobs, np.array([0, 0, 1, 1]))
