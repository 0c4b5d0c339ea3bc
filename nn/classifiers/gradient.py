"""``GradientClassifier``: a network trained by backprop, behind the scikit-learn habits.

A subclass says which network maps the (flattened) inputs to one score per class and
which data loss compares the scores with the labels; this class does the rest with
``nn.training``: an L2 penalty ``alpha * l2_penalty(weights)`` added to the loss (on
the weights, not the biases), the optimizer chosen by name, minibatches, and optionally
early stopping on a stratified validation split.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.numerics import checked_flag, random_generator

from ..data import Seed, train_test_split
from ..losses import l2_penalty
from ..module import Module
from ..optim import SGD, Adagrad, Adam, AdamW, RMSprop
from ..training import EarlyStopping, History, Trainer, predict
from .base import Classifier

OPTIMIZERS = {
    "sgd": lambda params, lr: SGD(params, lr=lr),
    "momentum": lambda params, lr: SGD(params, lr=lr, momentum=0.9),
    "nesterov": lambda params, lr: SGD(params, lr=lr, momentum=0.9, nesterov=True),
    "adagrad": lambda params, lr: Adagrad(params, lr=lr),
    "rmsprop": lambda params, lr: RMSprop(params, lr=lr),
    "adam": lambda params, lr: Adam(params, lr=lr),
    "adamw": lambda params, lr: AdamW(params, lr=lr),
}
"""The optimizers a classifier can be given by name (``momentum``/``nesterov`` use 0.9)."""


def make_optimizer(name: str, params: Iterable[Any], lr: float) -> Any:
    """The optimizer called ``name`` over ``params`` with learning rate ``lr``."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {sorted(OPTIMIZERS)}")
    return OPTIMIZERS[name](list(params), lr)


class GradientClassifier(Classifier):
    """Base class of the classifiers trained by gradients; subclasses define the network and the loss.

    The penalty is ``alpha`` times the sum of the squared weights, added to every
    batch's mean loss as it is (no 1/2, no division by the batch size; scikit-learn
    divides its ``alpha`` by twice the batch size, so ``alpha=1e-4`` here is about
    its ``alpha=6.4e-3`` for batches of 32). After ``fit``: ``network_`` is the
    trained ``Module``, ``history_`` its training ``History``.
    """

    def __init__(
        self,
        lr: float,
        epochs: int,
        batch_size: int | None,
        optimizer: str,
        alpha: float,
        early_stopping: bool,
        validation_fraction: float,
        patience: int,
        seed: Seed,
        progress: bool | None,
    ):
        self.lr = lr
        self.epochs = epochs
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.alpha = alpha
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.seed = seed
        self.progress = progress

    def _network(self, n_features: int, n_classes: int, seed: int) -> Module:
        """A new network from ``n_features`` inputs to ``n_classes`` scores."""
        raise NotImplementedError

    def _data_loss(self, scores: Any, targets: np.ndarray) -> Any:
        """The loss of the scores for the class indices ``targets`` (without the penalty)."""
        raise NotImplementedError

    def fit(self, X: np.ndarray, y: np.ndarray) -> GradientClassifier:
        """Train a new network on ``X`` and ``y`` for at most ``epochs`` epochs."""
        if not 0 <= self.alpha < np.inf:
            raise ValueError(f"alpha must be a finite number >= 0, got {self.alpha!r}")
        X, targets = self._prepare_fit(X, y)
        rng = random_generator(self.seed)
        self.network_ = self._network(X.shape[1], len(self.classes_), seed=int(rng.integers(2**31)))
        optimizer = make_optimizer(self.optimizer, self.network_.parameters(), self.lr)
        weights = [p for name, p in self.network_.named_parameters() if name.split(".")[-1] == "weight"]

        def loss_fn(scores: Any, batch_targets: np.ndarray) -> Any:
            loss = self._data_loss(scores, batch_targets)
            return loss + self.alpha * l2_penalty(weights) if self.alpha else loss

        callbacks, validation_data = [], None
        if checked_flag("early_stopping", self.early_stopping):
            try:
                X, X_val, targets, targets_val = train_test_split(
                    X, targets, test_size=self.validation_fraction, seed=rng, stratify=targets
                )
            except ValueError as error:
                raise ValueError(f"early_stopping holds out a stratified validation set, and {error}") from None
            validation_data = (X_val, targets_val)
            callbacks.append(EarlyStopping("val_loss", patience=self.patience))
        trainer = Trainer(self.network_, loss_fn, optimizer, ["accuracy"], callbacks, progress=self.progress)
        self.history_: History = trainer.fit(
            (X, targets), self.epochs, self.batch_size, validation_data=validation_data, seed=rng
        )
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """The network's scores for ``X``, one column per class in ``classes_``."""
        X = self._prepare_predict(X)
        return predict(self.network_, X)


class SoftmaxProbabilities:
    """Mixin for classifiers trained with cross-entropy: their scores are logits, so softmax gives probabilities."""

    decision_function: Callable[[np.ndarray], np.ndarray]  # the scores, from the classifier it is mixed into

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """The probability of each class for each example: the softmax of the scores (rows sum to 1)."""
        return Tensor(self.decision_function(X)).softmax(axis=1).data
