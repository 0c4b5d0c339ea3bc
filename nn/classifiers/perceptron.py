"""The perceptron: a neuron with a step activation, trained by Rosenblatt's rule instead of gradients.

A step unit outputs 1 when ``w.x + b > 0`` and 0 otherwise: it splits the input
space by the line (plane) ``w.x + b = 0``. Its derivative is 0 wherever it exists,
so backpropagation has nothing to pass back through it; the perceptron rule updates
the weights directly from the error instead: ``w <- w + lr * (target - output) * x``.
Only mistakes move the weights, and on linearly separable data the rule stops after
finitely many of them.
"""

from __future__ import annotations

import numpy as np

from autograd.elementwise import Step
from autograd.numerics import checked_flag, random_generator

from ..data import Seed
from ..data.arguments import check_count
from .base import Classifier


class Perceptron(Classifier):
    """Step units trained by the perceptron rule: one unit for two classes, one per class for more.

    With two classes the unit fires for the second class (``classes_[1]``) and
    stays silent for the first, the classic perceptron. With more, unit ``c``
    learns class ``c`` against the rest and the largest weighted sum wins.
    Examples are visited one at a time (in a new random order each epoch with
    ``shuffle``); training ends after an epoch without a mistake or after
    ``epochs`` epochs. ``coef_`` (``n_units x n_features``) and ``intercept_``
    hold the weights, ``mistakes_`` the number of mistakes in each epoch, and
    ``converged_`` whether the last epoch was free of them.
    """

    def __init__(self, lr: float = 1.0, epochs: int = 100, shuffle: bool = True, seed: Seed = None):
        self.lr = lr
        self.epochs = epochs
        self.shuffle = shuffle
        self.seed = seed

    def fit(self, X: np.ndarray, y: np.ndarray) -> Perceptron:
        """Run the perceptron rule over ``X`` until an epoch makes no mistake (or ``epochs`` run out)."""
        if not 0 < self.lr < np.inf:
            raise ValueError(f"lr must be a finite number > 0, got {self.lr!r}")
        check_count("epochs", self.epochs, 1)
        X, targets = self._prepare_fit(X, y)
        wanted = targets[:, None].astype(np.float64) if len(self.classes_) == 2 else np.eye(len(self.classes_))[targets]
        self.coef_ = np.zeros((wanted.shape[1], X.shape[1]))
        self.intercept_ = np.zeros(wanted.shape[1])
        self.mistakes_: list[int] = []
        rng = random_generator(self.seed)
        for _ in range(self.epochs):
            order = rng.permutation(len(X)) if checked_flag("shuffle", self.shuffle) else range(len(X))
            mistakes = 0
            for i in order:
                fired = Step.apply(self.coef_ @ X[i] + self.intercept_)
                error = wanted[i] - fired
                if error.any():
                    self.coef_ += self.lr * np.outer(error, X[i])
                    self.intercept_ += self.lr * error
                    mistakes += 1
            self.mistakes_.append(mistakes)
            if mistakes == 0:
                break
        self.converged_ = bool(self.mistakes_) and self.mistakes_[-1] == 0
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """Each unit's weighted sum ``w.x + b`` before the step, shape ``(n_samples, n_units)``."""
        return self._prepare_predict(X) @ self.coef_.T + self.intercept_

    def predict(self, X: np.ndarray) -> np.ndarray:
        """With one unit: the second class where it fires (sum > 0), else the first; with more, the largest sum."""
        scores = self.decision_function(X)
        if scores.shape[1] == 1:
            return self.classes_[Step.apply(scores[:, 0]).astype(np.int64)]
        return self.classes_[scores.argmax(axis=1)]
