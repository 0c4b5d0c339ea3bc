"""Ways to split a dataset: hold out a test set, rotate a validation fold, resample.

The test set answers "how well does the model generalise?", so it is held out once and
never used for choices; a validation split (or k folds of one) is where the choices are
made; bootstrap samples drawn with replacement train the members of a bagging ensemble.
All splitters work on indices or arrays with numpy and are seeded like the dataset makers.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from autograd.numerics import random_generator

from .arguments import Seed, check_count, common_length, equal_shares


def train_test_split(
    *arrays: np.ndarray,
    test_size: float = 0.25,
    seed: Seed = None,
    shuffle: bool = True,
    stratify: np.ndarray | None = None,
) -> list[np.ndarray]:
    """Split each array into a training part and a test part along axis 0.

    Returns ``[a_train, a_test, b_train, b_test, ...]`` as scikit-learn does, so
    ``X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=0)``.
    ``test_size`` is a fraction in (0, 1) or a count. ``stratify`` (usually ``y``) keeps
    every class's share the same in both parts; ``shuffle=False`` keeps the order and
    takes the last examples as the test set.
    """
    if not arrays:
        raise ValueError("train_test_split() needs at least one array")
    n = common_length(arrays)
    n_test = _test_count(test_size, n)
    rng = random_generator(seed)
    if stratify is not None:
        if not shuffle:
            raise ValueError("stratify needs shuffle=True (a stratified split picks examples at random)")
        test = _stratified_test_indices(np.asarray(stratify), n, n_test, rng)
    elif shuffle:
        test = np.sort(rng.permutation(n)[:n_test])
    else:
        test = np.arange(n - n_test, n)
    train = np.setdiff1d(np.arange(n), test)
    if shuffle:
        train, test = rng.permutation(train), rng.permutation(test)
    parts = []
    for array in arrays:
        array = np.asarray(array)
        parts += [array[train], array[test]]
    return parts


def _test_count(test_size: float, n: int) -> int:
    if isinstance(test_size, (int, np.integer)) and not isinstance(test_size, bool):
        count = int(test_size)
    elif isinstance(test_size, float) and 0.0 < test_size < 1.0:
        count = int(np.ceil(test_size * n))
    else:
        raise ValueError(f"test_size must be a fraction in (0, 1) or a number of examples, got {test_size!r}")
    if not 0 < count < n:
        raise ValueError(f"test_size={test_size!r} leaves {count} test and {n - count} training examples of {n}")
    return count


def _stratified_test_indices(labels: np.ndarray, n: int, n_test: int, rng: np.random.Generator) -> np.ndarray:
    """Pick ``n_test`` examples so that each class gets its share, rounded by largest remainder.

    Classes whose remainders tie at the cut (three equal classes sharing two
    spare places) are picked at random, by a generator of their own, so that
    the examples each class gives are the same draws either way. As in
    scikit-learn, every class needs at least two examples, and each part room
    for one of every class (a small class may still round to none in a part).
    """
    if labels.shape != (n,):
        raise ValueError(f"stratify must be one label per example, shape ({n},), got shape {labels.shape}")
    classes, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    if counts.min() < 2:
        raise ValueError(
            f"stratify: the class {classes[counts.argmin()].tolist()!r} has only 1 example, and a stratified split needs "
            "at least 2 of each class, as in scikit-learn (are these labels? a continuous target cannot be stratified)"
        )
    if min(n_test, n - n_test) < len(classes):
        raise ValueError(
            f"stratify: a part of {min(n_test, n - n_test)} examples cannot hold one of each of the {len(classes)} "
            "classes; change test_size"
        )
    per_class, remainders = np.divmod(counts * n_test, n)  # each class's share, counts * n_test / n, in whole numbers
    leftover = n_test - per_class.sum()
    if leftover:
        by_remainder = np.argsort(-remainders, kind="stable")
        cut = remainders[by_remainder[leftover - 1]]
        sure, tied = by_remainder[remainders[by_remainder] > cut], np.flatnonzero(remainders == cut)
        lucky = rng.spawn(1)[0].choice(tied, leftover - len(sure), replace=False)
        per_class[np.concatenate([sure, lucky])] += 1
    by_class = np.split(np.argsort(inverse, kind="stable"), np.cumsum(counts)[:-1])  # each class's examples
    chosen = [rng.permutation(members)[:k] for members, k in zip(by_class, per_class)]
    return np.sort(np.concatenate(chosen))


def k_fold(
    n_samples: int, k: int = 5, shuffle: bool = True, seed: Seed = None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(train_indices, validation_indices)`` for each of ``k`` folds.

    The examples are cut into ``k`` folds of nearly equal size (the first
    ``n_samples % k`` get one more); each fold is the validation set once while
    the other ``k - 1`` train, so every example is validated exactly once.
    """
    check_count("k", k, 2)
    check_count("n_samples", n_samples, 1)
    if n_samples < k:
        raise ValueError(f"k={k} folds need at least {k} examples, one per fold; got {n_samples}")
    order = random_generator(seed).permutation(n_samples) if shuffle else np.arange(n_samples)
    start = 0
    for size in equal_shares(n_samples, k):
        validation = order[start : start + size]
        train = np.concatenate([order[:start], order[start + size :]])
        start += size
        yield train, validation


def bootstrap(n_samples: int, size: int | None = None, seed: Seed = None) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``size`` indices (default ``n_samples``) with replacement; return them and the out-of-bag ones.

    A bootstrap sample repeats some examples and misses others (about 1/e = 37% of
    them when ``size == n_samples``); the missed, "out-of-bag" examples are a free
    validation set for the model trained on the sample.
    """
    check_count("n_samples", n_samples, 1)
    size = n_samples if size is None else size
    check_count("size", size, 1)
    sample = random_generator(seed).integers(0, n_samples, size=size)
    out_of_bag = np.setdiff1d(np.arange(n_samples), sample)
    return sample, out_of_bag
