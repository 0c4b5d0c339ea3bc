"""Data augmentation: make more (and harder) training examples out of the ones we have.

Both tricks are regularisers: the network cannot memorise exact inputs when they
change on every pass, so it has to learn what survives the change.
"""

from __future__ import annotations

import numpy as np

from autograd.numerics import finite_number, random_generator

from .arguments import Seed, check_amount, check_count


def add_noise(X: np.ndarray, std: float = 0.1, seed: Seed = None) -> np.ndarray:
    """``X`` plus Gaussian noise of standard deviation ``std`` on every entry (noise robustness).

    Call it on each batch (new noise every time), for example with
    ``fit(..., augment=lambda X, y: (add_noise(X, 0.1, seed=rng), y))``; the labels stay the same.
    """
    check_amount("std", std)
    X = np.asarray(X, dtype=np.float64)
    return X + std * random_generator(seed).standard_normal(X.shape)


def mixup(
    X: np.ndarray, y: np.ndarray, alpha: float = 0.2, n_classes: int | None = None, seed: Seed = None
) -> tuple[np.ndarray, np.ndarray]:
    """Blend each example with a random partner: ``lam * x_i + (1 - lam) * x_j``, and the labels alike.

    ``lam`` is drawn for each example from Beta(alpha, alpha): a small ``alpha``
    keeps most mixtures close to one of the two examples. The targets come back
    as soft labels (rows of class probabilities, shape ``(n, n_classes)``) mixed
    with the same ``lam``, so train with a loss that accepts probabilities, such as
    ``-(Tensor(targets) * logits.log_softmax(axis=1)).sum(axis=1).mean()``; to mix
    every training batch anew, pass ``augment=lambda X, y: mixup(X, y, n_classes=10, seed=rng)``
    to ``fit``, with your number of classes. ``y`` may be class indices (one-hot
    encoded with ``n_classes``, by default ``y.max() + 1``, which a batch that
    happens to miss the last class gets wrong: give it when mixing batches) or
    already soft labels of shape ``(n, n_classes)``.
    """
    if (finite_number(alpha) or 0.0) <= 0:
        raise ValueError(f"alpha must be a finite number > 0, got {alpha!r}")
    X = np.asarray(X, dtype=np.float64)
    targets = _soft_targets(np.asarray(y), len(X), n_classes)
    rng = random_generator(seed)
    lam = rng.beta(alpha, alpha, size=len(X))
    partner = rng.permutation(len(X))
    lam_x = lam.reshape((-1,) + (1,) * (X.ndim - 1))
    mixed_X = lam_x * X + (1.0 - lam_x) * X[partner]
    mixed_y = lam[:, None] * targets + (1.0 - lam[:, None]) * targets[partner]
    return mixed_X, mixed_y


def _soft_targets(y: np.ndarray, n: int, n_classes: int | None) -> np.ndarray:
    if len(y) != n:
        raise ValueError(f"X has {n} examples but y has {len(y)}")
    if y.ndim == 2:
        if n_classes is not None and y.shape[1] != n_classes:
            raise ValueError(f"soft labels y have {y.shape[1]} columns but n_classes is {n_classes}")
        return y.astype(np.float64)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(
            f"y must be integer class indices of shape ({n},) or soft labels (n, classes), got {y.dtype} {y.shape}"
        )
    if n_classes is not None:
        check_count("n_classes", n_classes, 1)
    n_classes = int(y.max()) + 1 if n_classes is None else n_classes
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(f"class indices must lie in 0 .. {n_classes - 1}, got {y.min()} .. {y.max()}")
    one_hot = np.zeros((n, n_classes))  # (n, classes): np.eye(n_classes)[y] would make classes x classes first
    one_hot[np.arange(n), y] = 1.0
    return one_hot
