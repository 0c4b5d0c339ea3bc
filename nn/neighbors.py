"""``KNNClassifier``: label an example by a vote of the ``k`` training examples closest to it.

A linear classifier compresses the training set into one template per class and
scores an example with one product per class. k-nearest neighbours keeps the whole
training set and compares the example with every training example: nothing to
learn, a model as large as the data, and a prediction whose cost grows with it
(notebook 03 measures both against the softmax classifier's templates).
"""

from __future__ import annotations

import numpy as np

from .classifiers.base import Classifier
from .data.arguments import check_count

DISTANCE_BLOCK = 2**22
"""How many example-to-example distances are held in memory at once (32 MB of float64 per array of them)."""


class KNNClassifier(Classifier):
    """k-nearest neighbours with Euclidean distance and an equal vote for each of the ``k`` neighbours.

    ``fit`` only stores the training rows. ``predict_proba`` gives each class's
    share of the ``k`` votes; ``predict`` the class with most votes (a tie goes to
    the class that comes first in ``classes_``, as in scikit-learn). Neighbours at
    equal distance are taken in the order of the training examples.

    Distances are found in two stages, for a block of examples at a time. The
    fast one is ``|a|^2 + |b|^2 - 2 a.b``: one matrix product per block, no
    Python loop over training examples. But it subtracts large numbers that
    nearly cancel, so it can split exact ties, and far from 0 (a timestamp
    feature around 1.7e9) it would lose the digits that tell neighbours apart;
    it is computed on the examples minus the training mean, which keeps them
    near 0 (a shift changes no distance). It only shortlists: every training
    example that could be among the ``k`` nearest, given how far that rounding
    can go, has its distance computed again from the differences ``a - b`` of
    the examples as given, and those decide.
    """

    def __init__(self, k: int = 5):
        self.k = k

    def fit(self, X: np.ndarray, y: np.ndarray) -> KNNClassifier:
        """Remember the training rows and their labels (there is nothing else to learn)."""
        check_count("k", self.k, 1)  # (before the data: a bad k is named first)
        self.examples_, self.targets_ = self._prepare_fit(X, y)
        self._check_k()
        self.center_ = self.examples_.mean(axis=0)
        self.squared_norms_ = ((self.examples_ - self.center_) ** 2).sum(axis=1)  # of the examples near 0
        return self

    def _check_k(self) -> None:
        """``k`` must be a whole number from 1 to the number of training examples."""
        check_count("k", self.k, 1)
        if self.k > len(self.examples_):
            raise ValueError(f"k={self.k} neighbours asked for, but only {len(self.examples_)} training examples")

    def kneighbors(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The distances to the ``k`` nearest training examples and their indices, nearest first."""
        rows = self._prepare_predict(X)
        self._check_k()  # (k may have changed since fit: set_params)
        centered = self.examples_ - self.center_  # made per call, not kept: the exact stage needs examples_ as given
        block = max(1, DISTANCE_BLOCK // len(self.examples_))
        distances, indices = [], []
        for start in range(0, len(rows), block):
            squared = self._squared_distances(rows[start : start + block], centered)
            nearest = np.argsort(squared, axis=1, kind="stable")[:, : self.k]
            indices.append(nearest)
            distances.append(np.sqrt(np.take_along_axis(squared, nearest, axis=1)))
        return np.concatenate(distances), np.concatenate(indices)

    def _squared_distances(self, rows: np.ndarray, centered: np.ndarray) -> np.ndarray:
        """Squared distances from each row to every training example: exact for the shortlist, inf for the rest.

        ``centered``: the training examples minus their mean, ``center_``.
        """
        near_zero = rows - self.center_
        row_norms = (near_zero**2).sum(axis=1)
        fast = row_norms[:, None] + self.squared_norms_ - 2 * near_zero @ centered.T
        # How far rounding (of the shift, the norms and the products) can move a fast distance.
        slack = 4 * (rows.shape[1] + 2) * np.finfo(float).eps * (row_norms + self.squared_norms_.max())
        kth = np.partition(fast, self.k - 1, axis=1)[:, self.k - 1]
        row, example = np.nonzero(fast <= (kth + 2 * slack)[:, None])  # the shortlist: none of the k nearest missed
        squared = np.full(fast.shape, np.inf)
        pairs = max(1, DISTANCE_BLOCK // rows.shape[1])  # the differences of this many pairs at a time
        for start in range(0, len(row), pairs):
            r, e = row[start : start + pairs], example[start : start + pairs]
            differences = rows[r] - self.examples_[e]
            squared[r, e] = np.einsum("ij,ij->i", differences, differences)
        return squared

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """Each class's share of the ``k`` votes, one column per class in ``classes_``."""
        _, neighbours = self.kneighbors(X)
        votes = np.zeros((len(neighbours), len(self.classes_)))
        np.add.at(votes, (np.arange(len(neighbours))[:, None], self.targets_[neighbours]), 1.0)
        return votes / self.k

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """The share of the ``k`` nearest neighbours in each class (rows sum to 1)."""
        return self.decision_function(X)

    @property
    def n_stored_numbers_(self) -> int:
        """The size of the model: every training example is kept, ``n_examples * n_features`` numbers."""
        return int(self.examples_.size)
