"""Estimating and reducing a model's error: k-fold cross-validation and bagging.

Cross-validation trains a fresh model on k-1 folds and scores it on the held-out
fold, k times: the k scores show the expected accuracy and how much it varies
with the data. Bagging ("bootstrap aggregating") trains models on bootstrap
samples and averages them: each member over-fits its own sample differently, and
the average cancels much of that variance.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.numerics import random_generator

from .classifiers.base import Classifier, clone, constructor_arguments
from .data import Seed, bootstrap, k_fold
from .data.arguments import check_count

EstimatorSpec = Any
"""An estimator (with ``get_params``, copied for each training) or a function that returns a new one."""


def _new_estimator(spec: EstimatorSpec, seed: int | None = None) -> Any:
    """A fresh, unfitted model from ``spec``; an estimator with a ``seed`` parameter gets ``seed`` if one is given."""
    if hasattr(spec, "fit") and not isinstance(spec, type):  # (a class is a function that returns a new one)
        if seed is not None and "seed" in constructor_arguments(spec):
            return clone(spec, seed=seed)
        return clone(spec)
    if callable(spec):
        estimator = spec()
        if not hasattr(estimator, "fit"):
            raise TypeError(f"the model factory returned a {type(estimator).__name__}, which has no fit()")
        return estimator
    raise TypeError(f"expected an estimator or a function returning one, got a {type(spec).__name__}")


def cross_validate(
    estimator: EstimatorSpec,
    X: np.ndarray,
    y: np.ndarray,
    k: int = 5,
    shuffle: bool = True,
    seed: Seed = None,
    scoring: Callable[[Any, np.ndarray, np.ndarray], float] | None = None,
) -> np.ndarray:
    """The validation score of a freshly trained model on each of ``k`` folds (an array of ``k`` numbers).

    ``estimator`` is an unfitted model (copied for each fold, with the same
    arguments) or a function returning a new one; ``seed`` shuffles the examples
    into folds; ``scoring(model, X_val, y_val)`` defaults to ``model.score``
    (accuracy for the classifiers). Report the mean and the spread of the scores.
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} examples but y has {len(y)}")
    scores = []
    for train, validation in k_fold(len(X), k, shuffle=shuffle, seed=seed):
        model = _new_estimator(estimator).fit(X[train], y[train])
        if scoring is None:
            scores.append(model.score(X[validation], y[validation]))
        else:
            scores.append(scoring(model, X[validation], y[validation]))
    return np.array(scores, dtype=np.float64)


class OneClass:
    """The member a bootstrap sample of a single class makes: it predicts that class, with probability 1.

    A classifier needs two classes to fit; a sample drawn from data with a rare
    class may hold only one, and any classifier fitted on it could only say that one.
    """

    def __init__(self, label: Any):
        self.classes_ = np.array([label])

    def fit(self, X: np.ndarray, y: np.ndarray) -> OneClass:
        """Nothing to learn: every example is of the one class."""
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The one class, for every example."""
        return np.repeat(self.classes_, len(X))

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Probability 1 for the one class."""
        return np.ones((len(X), 1))


class Bagging(Classifier):
    """An ensemble of ``n_estimators`` copies of a classifier, each fitted on its own bootstrap sample.

    ``estimator`` is an unfitted classifier or a function returning a new one;
    copies whose constructor takes a ``seed`` each get their own, drawn from
    ``seed``, so they also start from different weights. ``predict_proba``
    averages the members' probabilities; ``predict`` takes the class of the
    highest average, or, for members without probabilities (such as the
    ``Perceptron``), of the majority vote. Each member never saw its out-of-bag
    examples, so predicting every example with only those members gives
    ``oob_score_``, an accuracy estimate without a separate validation set.
    A bootstrap sample of one class only (data with a rare class) makes a
    ``OneClass`` member, which always says that class.
    """

    def __init__(self, estimator: EstimatorSpec, n_estimators: int = 10, seed: Seed = None):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.seed = seed

    def fit(self, X: np.ndarray, y: np.ndarray) -> Bagging:
        """Fit each member on a bootstrap sample of ``(X, y)`` and compute the out-of-bag score."""
        check_count("n_estimators", self.n_estimators, 1)
        rows, targets = self._prepare_fit(X, y)
        examples = np.asarray(X, dtype=np.float64)
        rng = random_generator(self.seed)
        self.estimators_: list[Any] = []
        self.out_of_bag_: list[np.ndarray] = []
        for _ in range(self.n_estimators):
            sample, out_of_bag = bootstrap(len(rows), seed=rng)
            member = _new_estimator(self.estimator, seed=int(rng.integers(2**31)))
            labels = self.classes_[targets[sample]]
            if len(np.unique(targets[sample])) == 1:  # a sample of one class: nothing to tell apart
                member = OneClass(labels[0])
            self.estimators_.append(member.fit(examples[sample], labels))
            self.out_of_bag_.append(out_of_bag)
        self.oob_score_ = self._out_of_bag_score(examples, targets)
        return self

    def _member_votes(self, member: Any, X: np.ndarray) -> np.ndarray:
        """A member's probabilities (or one-hot votes), in the columns of the ensemble's ``classes_``.

        A bootstrap sample may miss a rare class; such a member's columns are
        placed by its own ``classes_``, and it gives the missing class nothing.
        """
        votes = np.zeros((len(X), len(self.classes_)))
        if hasattr(member, "predict_proba"):
            votes[:, np.searchsorted(self.classes_, member.classes_)] = member.predict_proba(X)
        else:
            votes[np.arange(len(X)), np.searchsorted(self.classes_, member.predict(X))] = 1.0
        return votes

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """The members' averaged probabilities (or vote shares), one column per class."""
        self._prepare_predict(X)
        X = np.asarray(X, dtype=np.float64)
        return np.mean([self._member_votes(member, X) for member in self.estimators_], axis=0)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """The average of the members' ``predict_proba`` (all members must have it)."""
        self._check_fitted()
        without = [type(m).__name__ for m in self.estimators_ if not hasattr(m, "predict_proba")]
        if without:
            raise AttributeError(f"{without[0]} has no predict_proba, so the ensemble has no probabilities to average")
        return self.decision_function(X)

    def _out_of_bag_score(self, X: np.ndarray, targets: np.ndarray) -> float:
        """Accuracy when each example is predicted only by the members that did not train on it."""
        votes = np.zeros((len(X), len(self.classes_)))
        for member, out_of_bag in zip(self.estimators_, self.out_of_bag_):
            if len(out_of_bag):
                votes[out_of_bag] += self._member_votes(member, X[out_of_bag])
        covered = votes.sum(axis=1) > 0
        if not covered.any():
            return float("nan")
        return float(np.mean(votes[covered].argmax(axis=1) == targets[covered]))
