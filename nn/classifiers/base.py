"""``Classifier``: the estimator habits people know from scikit-learn, on numpy arrays.

``fit(X, y)`` learns from examples ``X`` (one row per example) and labels ``y`` (any
values: ints, strings); ``decision_function(X)`` gives one score per class (columns in
the order of ``classes_``); ``predict(X)`` the label of the highest score;
``score(X, y)`` the accuracy. The constructor only stores its arguments, which
``get_params()`` returns, so a fresh copy can be made with ``clone``.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np


class Estimator:
    """Base class of the estimators: ``get_params()`` (the constructor's arguments) and a ``repr`` showing them."""

    def get_params(self) -> dict[str, Any]:
        """The constructor's arguments, by name."""
        names = [name for name in inspect.signature(type(self).__init__).parameters if name != "self"]
        return {name: getattr(self, name) for name in names}

    def __repr__(self) -> str:
        arguments = ", ".join(f"{name}={value!r}" for name, value in self.get_params().items())
        return f"{type(self).__name__}({arguments})"


class Classifier(Estimator):
    """Base class of the classifiers: argument checks, label encoding, ``predict`` and ``score``.

    Images may be given as ``(n, height, width)`` or ``(n, channels, height, width)``:
    they are flattened to one row per example, and ``input_shape_`` remembers the shape.
    """

    classes_: np.ndarray
    n_features_in_: int
    input_shape_: tuple[int, ...]

    def fit(self, X: np.ndarray, y: np.ndarray) -> Classifier:
        """Learn from examples ``X`` and labels ``y``; returns the classifier itself."""
        raise NotImplementedError(f"{type(self).__name__} does not define fit()")

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """One score per example and class, shape ``(n_samples, n_classes)``."""
        raise NotImplementedError(f"{type(self).__name__} does not define decision_function()")

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The label of the class with the highest score, for each example."""
        scores = self.decision_function(X)
        return self.classes_[scores.argmax(axis=1)]

    def score(self, X: np.ndarray, y: np.ndarray) -> float:
        """Accuracy: the fraction of examples whose predicted label is ``y``."""
        y = np.asarray(y)
        predicted = self.predict(X)
        if y.shape != predicted.shape:
            raise ValueError(f"y must hold one label per example, shape {predicted.shape}, got shape {y.shape}")
        return float(np.mean(predicted == y))

    def _prepare_fit(self, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Check ``X`` and ``y``, remember the classes and input shape; return rows and class indices."""
        X = _as_example_array(X, type(self).__name__)
        y = np.asarray(y)
        if y.shape != (len(X),):
            raise ValueError(f"y must hold one label per example, shape ({len(X)},), got shape {y.shape}")
        self.classes_, targets = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"{type(self).__name__} needs at least 2 classes in y, got {self.classes_.tolist()}")
        self.input_shape_ = X.shape[1:]
        self.n_features_in_ = int(np.prod(self.input_shape_))
        return X.reshape(len(X), -1), targets.astype(np.int64)

    def _check_fitted(self) -> None:
        """Raise a ``RuntimeError`` saying what to do if ``fit`` has not run yet."""
        if not hasattr(self, "classes_"):
            raise RuntimeError(f"this {type(self).__name__} is not fitted yet: call fit(X, y) first")

    def _prepare_predict(self, X: np.ndarray) -> np.ndarray:
        """Check that the classifier is fitted and ``X`` has the training examples' shape; return rows."""
        self._check_fitted()
        X = _as_example_array(X, type(self).__name__)
        if X.shape[1:] != self.input_shape_ and X[0].size != self.n_features_in_:
            raise ValueError(
                f"{type(self).__name__} was fitted on examples of shape {self.input_shape_}, "
                f"got examples of shape {X.shape[1:]}"
            )
        return X.reshape(len(X), -1)


def _as_example_array(X: Any, owner: str) -> np.ndarray:
    try:
        X = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{owner}: X must be numeric ({error})") from error
    if X.ndim < 2:
        raise ValueError(
            f"{owner}: X must have one row per example, shape (n_samples, n_features), got shape {X.shape}; "
            "for a single feature use X.reshape(-1, 1)"
        )
    if len(X) == 0:
        raise ValueError(f"{owner}: X has no examples")
    if not np.isfinite(X).all():
        raise ValueError(f"{owner}: X contains NaN or infinity")
    return X


def clone(estimator: Any, **changes: Any) -> Any:
    """A new, unfitted estimator with the same constructor arguments, except the ``changes`` given by name."""
    if not hasattr(estimator, "get_params"):
        raise TypeError(
            f"cannot copy a {type(estimator).__name__}: it has no get_params(); "
            "pass a function that returns a new model instead"
        )
    params = estimator.get_params()
    unknown = sorted(set(changes) - set(params))
    if unknown:
        raise TypeError(f"{type(estimator).__name__} has no parameter {', '.join(unknown)}")
    return type(estimator)(**{**params, **changes})
