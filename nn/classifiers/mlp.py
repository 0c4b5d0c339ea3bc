"""``MLPClassifier``: a multilayer perceptron with softmax cross-entropy, trained by backprop."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..data import Seed
from ..layers import MLP
from ..losses import cross_entropy
from ..module import Module
from .gradient import GradientClassifier, SoftmaxProbabilities


class MLPClassifier(SoftmaxProbabilities, GradientClassifier):
    """Fully connected layers of ``hidden_sizes`` units with ``activation``, then one score per class.

    Without the nonlinearity the stacked layers would collapse into one linear
    map; with it, the network can bend its decision boundary around the data.
    Trained with ``optimizer`` (by name: ``"adam"``, ``"sgd"``, ``"momentum"``,
    ...), learning rate ``lr``, minibatches of ``batch_size`` and an L2 penalty
    ``alpha``; ``early_stopping`` holds out ``validation_fraction`` of the data
    and stops after ``patience`` epochs without a better validation loss,
    keeping the best weights. ``progress`` shows a progress bar.
    """

    def __init__(
        self,
        hidden_sizes: int | Sequence[int] = (100,),
        activation: str = "relu",
        optimizer: str = "adam",
        lr: float = 1e-3,
        epochs: int = 200,
        batch_size: int | None = 32,
        alpha: float = 1e-4,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        patience: int = 10,
        seed: Seed = None,
        progress: bool | None = False,
    ):
        super().__init__(
            lr, epochs, batch_size, optimizer, alpha, early_stopping, validation_fraction, patience, seed, progress
        )
        self.hidden_sizes = hidden_sizes
        self.activation = activation

    def _network(self, n_features: int, n_classes: int, seed: int) -> Module:
        sizes = self.hidden_sizes
        hidden = [sizes] if isinstance(sizes, (int, np.integer)) else list(sizes)  # 16: one layer, as in scikit-learn
        if not all(isinstance(size, (int, np.integer)) and not isinstance(size, bool) and size > 0 for size in hidden):
            raise ValueError(f"hidden_sizes must be a layer size or a sequence of them (positive ints), got {sizes!r}")
        return MLP([n_features, *hidden, n_classes], activation=self.activation, seed=seed)

    def _data_loss(self, scores: Any, targets: np.ndarray) -> Any:
        return cross_entropy(scores, targets)
