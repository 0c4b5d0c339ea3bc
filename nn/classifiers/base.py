"""``Classifier``: the estimator habits people know from scikit-learn, on numpy arrays.

``fit(X, y)`` learns from examples ``X`` (one row per example) and labels ``y`` (any
values: ints, strings); ``decision_function(X)`` gives one score per class (columns in
the order of ``classes_``); ``predict(X)`` the label of the highest score;
``score(X, y)`` the accuracy. The constructor only stores its arguments, which
``get_params()`` returns, so a fresh copy can be made with ``clone``.
"""

from __future__ import annotations

import copy
import inspect
import numbers
from typing import TYPE_CHECKING, Any

import numpy as np

from autograd.numerics import refuse_masked

if TYPE_CHECKING:  # typing.Self is Python 3.11+; annotations are only read by type checkers
    from typing_extensions import Self


class Estimator:
    """Base class of the estimators: ``get_params``/``set_params`` (the constructor's arguments), as in scikit-learn.

    An estimator keeps each constructor argument as an attribute of the same
    name, so ``clone`` can make a fresh, unfitted copy and a search over
    settings can change one with ``set_params``; the ``repr`` shows them.
    """

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's arguments, by name; ``deep`` adds those of an estimator among them as ``name__arg``."""
        names = [name for name in inspect.signature(type(self).__init__).parameters if name != "self"]
        params = {name: getattr(self, name) for name in names}
        if deep:
            for name, value in list(params.items()):
                if isinstance(value, Estimator):
                    params.update({f"{name}__{inner}": v for inner, v in value.get_params().items()})
        return params

    def set_params(self, **params: Any) -> Self:
        """Change constructor arguments by name (``name__arg`` reaches into an estimator argument); returns self.

        It changes settings only: a fitted estimator keeps what it learned until it is fitted again.
        """
        own = self.get_params(deep=False)
        unknown = [key for key in params if key.partition("__")[0] not in own]
        if unknown:
            raise ValueError(
                f"{type(self).__name__} has no parameter {unknown[0].partition('__')[0]!r}; its parameters are "
                f"{', '.join(own)}"
            )
        for key, value in sorted(params.items(), key=lambda item: "__" in item[0]):  # an estimator, then its own
            name, _, inner = key.partition("__")
            if not inner:
                setattr(self, name, value)
                continue
            inside = getattr(self, name)
            if not hasattr(inside, "set_params") or isinstance(inside, type):
                raise ValueError(f"{type(self).__name__}'s {name} is not an estimator: {key!r} reaches nothing")
            inside.set_params(**{inner: value})
        return self

    def __repr__(self) -> str:
        arguments = ", ".join(f"{name}={value!r}" for name, value in self.get_params(deep=False).items())
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
        if y.dtype == object and all(isinstance(label, numbers.Number) for label in y.flat):
            y = y.astype(np.float64)  # numbers in an object column: checked as numbers
        if y.dtype.kind in "fc" and not (np.isfinite(y).all() and (y == np.round(y)).all()):
            raise ValueError(
                f"{type(self).__name__}: y must hold class labels (ints or names), but it holds "
                f"{'NaN or infinity' if not np.isfinite(y).all() else 'fractions'}: a continuous target is for a "
                "regressor (as in scikit-learn)"
            )
        try:
            self.classes_, targets = np.unique(y, return_inverse=True)
        except TypeError as error:  # labels of kinds that cannot be sorted together (None among names, say)
            kinds = sorted({type(label).__name__ for label in y.flat})
            raise ValueError(
                f"{type(self).__name__}: y must hold class labels of one kind, but it holds {', '.join(kinds)} ({error})"
            ) from None
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
    refuse_masked(f"{owner}: X", X)
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
    params = constructor_arguments(estimator)
    unknown = sorted(set(changes) - set(params))
    if unknown:
        raise TypeError(f"{type(estimator).__name__} has no parameter {', '.join(unknown)}")
    # An estimator among the arguments is cloned too, and any other argument copied: nothing is shared.
    copies = {
        name: clone(value) if hasattr(value, "get_params") and not isinstance(value, type) else copy.deepcopy(value)
        for name, value in params.items()
    }
    return type(estimator)(**{**copies, **changes})


def constructor_arguments(estimator: Any) -> dict[str, Any]:
    """``estimator.get_params(deep=False)``: its own arguments; a model of the user's may take no ``deep``."""
    takes_deep = "deep" in inspect.signature(estimator.get_params).parameters
    return estimator.get_params(deep=False) if takes_deep else estimator.get_params()
