"""Gradient boosting: models combined in sequence, each one a step of gradient descent in function space.

Bagging trains its members side by side and averages them. Boosting trains them one
after another: the ensemble's output ``F(x)`` starts as a constant, and each new
member ``h`` is trained to predict the *negative gradient* of the loss with respect to
the ensemble's current outputs, ``-dL/dF`` at every training example. Adding
``shrinkage * step * h`` to ``F`` then moves the outputs a small way downhill, exactly
as an optimizer step moves weights downhill (notebook 06 puts the two side by side);
the difference is that the "parameters" being updated are the outputs themselves. For
the squared error the negative gradient is the residual ``y - F``, so each member
learns what the ensemble still gets wrong; for cross-entropy on logits it is
``one_hot(y) - softmax(F)``.

``step`` is found by a line search (the multiple of ``h`` that lowers the training
loss most, never negative). Both losses are convex along that line, so any shrinkage
in ``(0, 1]`` gives a training loss that never rises from one stage to the next.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator

import numpy as np

from autograd import Tensor, no_grad
from autograd.numerics import random_generator

from .classifiers.base import Classifier, Estimator, _as_example_array
from .data import Seed
from .data.arguments import check_count
from .layers import MLP
from .losses import cross_entropy, mse_loss
from .module import Module
from .optim import Adam
from .training import fit, predict

ModelFactory = Callable[[int, int, int], Module]
"""``factory(n_inputs, n_outputs, seed)``: a new ``nn`` model from ``(n, n_inputs)`` inputs to ``(n, n_outputs)``."""

OutputLoss = Callable[[Tensor, np.ndarray], Tensor]
"""``loss(outputs, targets)``: the ensemble's loss as a scalar ``Tensor`` of its outputs."""


def small_mlp(hidden: int = 8, activation: str = "tanh") -> ModelFactory:
    """A factory of one-hidden-layer MLPs (``n_inputs -> hidden -> n_outputs``); the default base model."""
    check_count("hidden", hidden, 1)

    def factory(n_inputs: int, n_outputs: int, seed: int) -> Module:
        return MLP([n_inputs, hidden, n_outputs], activation=activation, seed=seed)

    return factory


def linear_model(n_inputs: int, n_outputs: int, seed: int) -> Module:
    """A factory of linear models (one ``Linear`` layer): boosting them stays linear, so it converges to least squares."""
    return MLP([n_inputs, n_outputs], seed=seed)


def half_squared_error(outputs: Tensor, targets: np.ndarray) -> Tensor:
    """``mean((F - y)**2) / 2`` over the examples: its negative gradient per example is the residual ``y - F``."""
    return mse_loss(outputs, targets) * (0.5 * outputs.shape[1])


def line_search(loss: Callable[[float], float], tolerance: float = 1e-10) -> float:
    """The ``step >= 0`` that minimizes a convex ``loss(step)``: bracket by doubling, then golden-section search."""
    low, high = 0.0, 1.0
    while loss(high) < loss(high / 2) and high < 1e6:
        high *= 2
    ratio = (np.sqrt(5) - 1) / 2
    a, b = high - ratio * (high - low), low + ratio * (high - low)
    loss_a, loss_b = loss(a), loss(b)
    while high - low > tolerance * max(1.0, high):
        if loss_a < loss_b:
            high, b, loss_b = b, a, loss_a
            a = high - ratio * (high - low)
            loss_a = loss(a)
        else:
            low, a, loss_a = a, b, loss_b
            b = low + ratio * (high - low)
            loss_b = loss(b)
    best = (low + high) / 2
    return best if loss(best) <= loss(0.0) else 0.0


class GradientBoosting(Estimator):
    """The boosting loop shared by the regressor and the classifier; subclasses give the loss and the targets.

    ``n_stages`` members are trained in sequence, each by ``nn.fit`` with Adam
    (``lr``, ``epochs``, ``batch_size``) to the squared error against the negative
    gradient; ``base_model`` is a ``ModelFactory`` (default ``small_mlp()``);
    ``shrinkage`` (the learning rate of function space) scales every member's step.
    After ``fit``: ``estimators_``, ``steps_`` (each member's line-search step),
    ``init_`` (the constant first output) and ``train_loss_`` (the training loss
    before the first member and after each one, ``n_stages + 1`` numbers).
    """

    loss: OutputLoss

    def __init__(
        self,
        n_stages: int = 50,
        shrinkage: float = 0.1,
        base_model: ModelFactory | None = None,
        epochs: int = 50,
        lr: float = 0.01,
        batch_size: int | None = None,
        seed: Seed = None,
    ):
        self.n_stages = n_stages
        self.shrinkage = shrinkage
        self.base_model = base_model
        self.epochs = epochs
        self.lr = lr
        self.batch_size = batch_size
        self.seed = seed

    def _initial_output(self, targets: np.ndarray) -> np.ndarray:
        """The best constant output, one value per output column."""
        raise NotImplementedError

    def _boost(self, X: np.ndarray, targets: np.ndarray) -> None:
        """Run the stages on rows ``X`` and the loss's ``targets``."""
        check_count("n_stages", self.n_stages, 1)
        if not 0 < self.shrinkage <= 1:
            raise ValueError(f"shrinkage must be in (0, 1], got {self.shrinkage!r}")
        factory = self.base_model or small_mlp()
        rng = random_generator(self.seed)
        self.init_ = self._initial_output(targets)
        outputs = np.tile(self.init_, (len(X), 1))
        self.estimators_: list[Module] = []
        self.steps_: list[float] = []
        self.train_loss_ = [self._loss_value(outputs, targets)]
        for _ in range(self.n_stages):
            direction = self.negative_gradient(outputs, targets)
            member = factory(X.shape[1], outputs.shape[1], int(rng.integers(2**31)))
            optimizer = Adam(member.parameters(), lr=self.lr)
            fit(member, mse_loss, optimizer, (X, direction), self.epochs, self.batch_size, seed=rng, progress=False)
            change = predict(member, X)
            step = self._step_size(outputs, change, targets)
            outputs = outputs + self.shrinkage * step * change
            self.estimators_.append(member)
            self.steps_.append(step)
            self.train_loss_.append(self._loss_value(outputs, targets))

    def negative_gradient(self, outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """``-dL/dF`` for each example's outputs, computed by the engine's own ``backward()``.

        The loss is a mean over ``n`` examples, so each example's share of the
        gradient is scaled back up by ``n``: for the squared error this is exactly
        the residual ``y - F``.
        """
        F = Tensor(outputs, requires_grad=True)
        self.loss(F, targets).backward()
        return -F.grad * len(outputs)

    def _step_size(self, outputs: np.ndarray, change: np.ndarray, targets: np.ndarray) -> float:
        """How far along ``change`` the outputs should move: the line search's minimum of the training loss."""
        return line_search(lambda step: self._loss_value(outputs + step * change, targets))

    def _loss_value(self, outputs: np.ndarray, targets: np.ndarray) -> float:
        with no_grad():
            return float(self.loss(Tensor(outputs), targets).data)

    def _staged_outputs(self, X: np.ndarray) -> Iterator[np.ndarray]:
        """The ensemble's outputs for rows ``X`` after each stage."""
        outputs = np.tile(self.init_, (len(X), 1))
        for member, step in zip(self.estimators_, self.steps_):
            outputs = outputs + self.shrinkage * step * predict(member, X)
            yield outputs

    def _outputs(self, X: np.ndarray) -> np.ndarray:
        """The ensemble's outputs for rows ``X`` after the last stage."""
        return deque(self._staged_outputs(X), maxlen=1).pop()


class GradientBoostingRegressor(GradientBoosting):
    """Boosting for the squared error: each member learns the residuals ``y - F(x)`` left by those before it.

    ``fit(X, y)`` with ``y`` of shape ``(n,)`` (or ``(n, k)`` for several
    outputs); ``predict`` and ``staged_predict`` give outputs of ``y``'s shape;
    ``score`` is the coefficient of determination R^2, as scikit-learn's regressors.
    """

    loss = staticmethod(half_squared_error)

    def fit(self, X: np.ndarray, y: np.ndarray) -> GradientBoostingRegressor:
        """Fit ``n_stages`` members in sequence; returns the regressor itself."""
        X = _as_example_array(X, type(self).__name__)
        y = np.asarray(y, dtype=np.float64)
        if len(y) != len(X) or y.ndim not in (1, 2):
            raise ValueError(f"y must hold one target (or row of targets) per example, got shape {y.shape}")
        if not np.isfinite(y).all():
            raise ValueError(f"{type(self).__name__}: y contains NaN or infinity")
        X = X.reshape(len(X), -1)  # images become rows of pixels, as in the classifiers
        self.n_features_in_ = X.shape[1]
        self._one_column = y.ndim == 1
        self._boost(X, y.reshape(len(y), -1))
        return self

    def _initial_output(self, targets: np.ndarray) -> np.ndarray:
        return targets.mean(axis=0)

    def staged_predict(self, X: np.ndarray) -> Iterator[np.ndarray]:
        """The prediction after each stage: watch the ensemble improve member by member."""
        for outputs in self._staged_outputs(self._rows(X)):
            yield outputs[:, 0] if self._one_column else outputs

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The ensemble's prediction: the constant start plus every member's shrunken step."""
        outputs = self._outputs(self._rows(X))
        return outputs[:, 0] if self._one_column else outputs

    def score(self, X: np.ndarray, y: np.ndarray) -> float:
        """R^2 = 1 - (squared error of the predictions) / (squared error of predicting y's mean).

        As scikit-learn's ``r2_score``: for several outputs, the mean of each
        column's R^2; a column where y is constant scores 1 if it is predicted
        exactly, else 0 (there is no spread to explain).
        """
        y = np.asarray(y, dtype=np.float64)
        predicted = self.predict(X)
        if y.shape != predicted.shape:
            raise ValueError(f"y must have the predictions' shape {predicted.shape}, got shape {y.shape}")
        columns = (len(y), -1)
        residual = ((y - predicted) ** 2).reshape(columns).sum(axis=0)
        spread = ((y - y.mean(axis=0)) ** 2).reshape(columns).sum(axis=0)
        constant = spread == 0
        explained = 1 - residual / np.where(constant, 1.0, spread)
        return float(np.where(constant, (residual == 0).astype(float), explained).mean())

    def _rows(self, X: np.ndarray) -> np.ndarray:
        if not hasattr(self, "estimators_"):
            raise RuntimeError(f"this {type(self).__name__} is not fitted yet: call fit(X, y) first")
        X = _as_example_array(X, type(self).__name__)
        X = X.reshape(len(X), -1)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"{type(self).__name__} was fitted on {self.n_features_in_} features, got {X.shape[1]}")
        return X


class GradientBoostingClassifier(GradientBoosting, Classifier):
    """Boosting for softmax cross-entropy: the outputs are one logit per class, pushed toward the true class.

    Each member learns ``one_hot(y) - softmax(F(x))``: how much more probability
    each class should get. The start is the log of each class's frequency.
    ``predict_proba`` is the softmax of the summed logits; ``staged_predict``
    gives the labels after each stage; ``score`` is the accuracy.
    """

    loss = staticmethod(cross_entropy)

    def fit(self, X: np.ndarray, y: np.ndarray) -> GradientBoostingClassifier:
        """Fit ``n_stages`` members in sequence; returns the classifier itself."""
        rows, targets = self._prepare_fit(X, y)
        self._boost(rows, targets)
        return self

    def _initial_output(self, targets: np.ndarray) -> np.ndarray:
        frequencies = np.bincount(targets, minlength=len(self.classes_)) / len(targets)
        return np.log(frequencies)

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """The ensemble's logits, one column per class in ``classes_``."""
        return self._outputs(self._prepare_predict(X))

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """The probability of each class: the softmax of the ensemble's logits."""
        return Tensor(self.decision_function(X)).softmax(axis=1).data

    def staged_predict(self, X: np.ndarray) -> Iterator[np.ndarray]:
        """The predicted labels after each stage."""
        for outputs in self._staged_outputs(self._prepare_predict(X)):
            yield self.classes_[outputs.argmax(axis=1)]
