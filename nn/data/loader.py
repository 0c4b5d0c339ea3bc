"""``DataLoader``: hand the data to the training loop one batch at a time.

One update of gradient descent uses a batch of m of the M examples; one pass over all
M is an epoch. ``batch_size=None`` is batch gradient descent (one batch of everything,
a smooth loss curve), ``batch_size=1`` is stochastic gradient descent (one example per
update, a noisy curve), anything in between is minibatch gradient descent, which is
what frameworks use. In every mode each example appears exactly once per epoch.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from autograd.numerics import checked_flag, random_generator, refuse_masked

from .arguments import Seed, check_count, common_length


class DataLoader:
    """Iterate over aligned numpy arrays (say ``X`` and ``y``) in batches, yielding tuples of arrays.

    >>> import numpy as np
    >>> X, y = np.arange(10.0).reshape(5, 2), np.arange(5)
    >>> [y_batch.tolist() for X_batch, y_batch in DataLoader(X, y, batch_size=2)]
    [[0, 1], [2, 3], [4]]
    >>> [y_batch.tolist() for X_batch, y_batch in DataLoader(X, y, batch_size=2, shuffle=True, seed=0)]
    [[2, 4], [3, 0], [1]]

    With ``shuffle=True`` the order is drawn anew for every epoch (each ``for``
    loop over the loader) from one generator made from ``seed``, so the epochs
    differ from each other but a rerun with the same seed repeats them all.
    ``drop_last=True`` leaves out a last batch smaller than ``batch_size`` (as
    PyTorch's option does): batch norm cannot train on a batch of one.

    >>> [y_batch.tolist() for X_batch, y_batch in DataLoader(X, y, batch_size=2, drop_last=True)]
    [[0, 1], [2, 3]]
    """

    def __init__(
        self,
        *arrays: np.ndarray,
        batch_size: int | None = None,
        shuffle: bool = False,
        seed: Seed = None,
        drop_last: bool = False,
    ):
        if not arrays:
            raise ValueError("DataLoader needs at least one array")
        for index, array in enumerate(arrays):
            refuse_masked(f"DataLoader: array {index}", array)
        self.arrays = tuple(np.asarray(a) for a in arrays)
        self.n_samples = common_length(self.arrays)
        if self.n_samples == 0:
            raise ValueError("DataLoader got empty arrays")
        if batch_size is not None:
            check_count("batch_size", batch_size, 1)
        self.batch_size = self.n_samples if batch_size is None else min(int(batch_size), self.n_samples)
        self.shuffle = checked_flag("shuffle", shuffle)
        self.drop_last = checked_flag("drop_last", drop_last)
        if self.drop_last and batch_size is not None and batch_size > self.n_samples:
            raise ValueError(
                f"DataLoader: drop_last=True with batch_size={batch_size} and {self.n_samples} examples leaves no "
                "batch at all: give a batch size of at most the number of examples"
            )
        self._rng = random_generator(seed)

    def __len__(self) -> int:
        """The number of batches in one epoch (the last one may be smaller, unless ``drop_last``)."""
        if self.drop_last:
            return self.n_samples // self.batch_size
        return (self.n_samples + self.batch_size - 1) // self.batch_size

    def __iter__(self) -> Iterator[tuple[np.ndarray, ...]]:
        order = self._rng.permutation(self.n_samples) if self.shuffle else None
        rows: slice | np.ndarray
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            if order is None:
                rows = slice(start, start + self.batch_size)
            else:
                rows = order[start : start + self.batch_size]
            yield tuple(a[rows] for a in self.arrays)
