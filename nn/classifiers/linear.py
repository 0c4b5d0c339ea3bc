"""Linear classifiers ``f(x) = W x + b``: each row of ``W`` is a template the input is compared with.

Both are one ``Linear`` layer trained by the engine's gradients; they differ only in
the loss. The SVM's hinge loss wants the correct class to beat every other score by
a margin and is satisfied once it does; the softmax classifier's cross-entropy turns
the scores into probabilities and always wants the correct one a little higher.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..data import Seed
from ..layers import Linear
from ..losses import cross_entropy, multi_margin_loss
from .gradient import GradientClassifier, SoftmaxProbabilities


class LinearClassifier(GradientClassifier):
    """A ``Linear`` layer as the network; ``coef_``, ``intercept_`` and ``templates()`` read its weights."""

    network_: Linear  # made by fit()

    def _network(self, n_features: int, n_classes: int, seed: int) -> Linear:
        return Linear(n_features, n_classes, seed=seed)

    @property
    def coef_(self) -> np.ndarray:
        """The weights ``W``, one row per class (shape ``n_classes x n_features``).

        ``Linear`` keeps them as ``(n_features, n_classes)`` to compute ``x @ weight``;
        this is its transpose, the layout of ``f = W x + b`` in notebook 03.
        """
        self._check_fitted()
        return self.network_.weight.data.T

    @property
    def intercept_(self) -> np.ndarray:
        """The biases ``b``, one per class."""
        self._check_fitted()
        bias = self.network_.bias
        return np.zeros(self.network_.out_features) if bias is None else bias.data

    def templates(self, image_shape: tuple[int, ...] | None = None) -> np.ndarray:
        """One weight image per class: the row of ``W`` shaped like the input (or like ``image_shape``).

        Drawn as images, the templates of a classifier trained on pictures look like
        blurry averages of each class, since the score is a match with the template.
        """
        weights = self.coef_
        shape = self.input_shape_ if image_shape is None else tuple(image_shape)
        if int(np.prod(shape)) != self.n_features_in_:
            raise ValueError(f"image_shape {shape} does not hold the {self.n_features_in_} weights of a template")
        return weights.reshape((len(self.classes_), *shape)).copy()


class LinearSVM(LinearClassifier):
    """Multiclass linear SVM: hinge loss ``sum_j max(0, s_j - s_y + margin) / C`` plus ``alpha`` x L2.

    The sum runs over the wrong classes ``j`` and is divided by the number of
    classes ``C``, as PyTorch's ``multi_margin_loss`` (``nn.multi_margin_loss``)
    does; the rows are averaged. Trained by gradient descent through the engine
    (the hinge's gradient is 1 on the classes that violate the margin, and minus
    their count on the correct one, each over ``C``).
    """

    def __init__(
        self,
        margin: float = 1.0,
        alpha: float = 1e-3,
        lr: float = 0.1,
        epochs: int = 100,
        batch_size: int | None = 32,
        optimizer: str = "sgd",
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        patience: int = 10,
        seed: Seed = None,
        progress: bool | None = False,
    ):
        super().__init__(
            lr, epochs, batch_size, optimizer, alpha, early_stopping, validation_fraction, patience, seed, progress
        )
        self.margin = margin

    def _data_loss(self, scores: Any, targets: np.ndarray) -> Any:
        return multi_margin_loss(scores, targets, margin=self.margin)


class SoftmaxClassifier(SoftmaxProbabilities, LinearClassifier):
    """Multinomial logistic regression: softmax cross-entropy plus ``alpha`` x L2.

    ``predict_proba`` gives the softmax of the scores: probabilities in [0, 1]
    that sum to 1 over the classes.
    """

    def __init__(
        self,
        alpha: float = 1e-3,
        lr: float = 0.1,
        epochs: int = 100,
        batch_size: int | None = 32,
        optimizer: str = "sgd",
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        patience: int = 10,
        seed: Seed = None,
        progress: bool | None = False,
    ):
        super().__init__(
            lr, epochs, batch_size, optimizer, alpha, early_stopping, validation_fraction, patience, seed, progress
        )

    def _data_loss(self, scores: Any, targets: np.ndarray) -> Any:
        return cross_entropy(scores, targets)
