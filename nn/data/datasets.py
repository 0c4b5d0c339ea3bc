"""Toy datasets made in code: small 2-D problems whose answer a learner can see.

Each maker returns ``(X, y)``: ``X`` a float64 array of shape ``(n_samples, n_features)``
and ``y`` an int64 array of class labels ``0 .. n_classes - 1``. ``seed`` is an int or a
``numpy.random.Generator`` (the same seed gives the same data); ``None`` draws fresh data.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.numerics import random_generator

from .arguments import Seed, check_amount, check_count, equal_shares


def _check_noise(noise: float) -> None:
    check_amount("noise", noise)


def make_moons(n_samples: int = 100, noise: float = 0.1, seed: Seed = None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: class 0 the upper arc, class 1 the lower one shifted right.

    No straight line separates them, so a linear classifier fails and a small MLP succeeds.
    ``noise`` is the standard deviation of Gaussian noise added to every coordinate.
    """
    check_count("n_samples", n_samples, 2)
    _check_noise(noise)
    rng = random_generator(seed)
    n_upper, n_lower = equal_shares(n_samples, 2)
    upper = np.linspace(0.0, np.pi, n_upper)
    lower = np.linspace(0.0, np.pi, n_lower)
    X = np.concatenate(
        [
            np.stack([np.cos(upper), np.sin(upper)], axis=1),
            np.stack([1.0 - np.cos(lower), 0.5 - np.sin(lower)], axis=1),
        ]
    )
    y = np.repeat(np.arange(2), [n_upper, n_lower])
    X += noise * rng.standard_normal(X.shape)
    return _shuffled(X, y, rng)


def make_spirals(
    n_samples: int = 300, n_classes: int = 3, noise: float = 0.2, seed: Seed = None
) -> tuple[np.ndarray, np.ndarray]:
    """``n_classes`` spiral arms winding out of the origin (the CS231n spiral data).

    Along each arm the radius grows from 0 to 1 while the angle turns by 4 radians;
    ``noise`` is the standard deviation of Gaussian noise added to the angle.
    """
    check_count("n_classes", n_classes, 2)
    check_count("n_samples", n_samples, n_classes)
    _check_noise(noise)
    rng = random_generator(seed)
    sizes = equal_shares(n_samples, n_classes)
    y = np.repeat(np.arange(n_classes), sizes)
    arm_size = np.repeat(sizes, sizes)
    place = np.arange(n_samples) - np.repeat(np.cumsum(sizes) - sizes, sizes)  # each point's index along its arm
    radius = _along_arms(place, arm_size, 0.0, np.ones(n_samples))
    angle = _along_arms(place, arm_size, 4.0 * y, 4.0 * (y + 1)) + noise * rng.standard_normal(n_samples)
    return _shuffled(np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1), y, rng)


def _along_arms(place: np.ndarray, arm_size: np.ndarray, start: Any, stop: np.ndarray) -> np.ndarray:
    """``np.linspace(start, stop, size)`` of every arm at once (the same numbers), one pass however many arms."""
    spaced = place * ((stop - start) / np.maximum(arm_size - 1, 1)) + start
    ends = (place == arm_size - 1) & (arm_size > 1)
    spaced[ends] = stop[ends]  # linspace ends exactly at stop
    return spaced


def make_blobs(
    n_samples: int = 100,
    n_classes: int = 3,
    n_features: int = 2,
    cluster_std: float = 1.0,
    center_box: tuple[float, float] = (-10.0, 10.0),
    seed: Seed = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clouds, one per class, around centres drawn uniformly inside ``center_box``.

    Well separated blobs are the easy case where a linear classifier is enough.
    """
    check_count("n_classes", n_classes, 1)
    check_count("n_samples", n_samples, n_classes)
    check_count("n_features", n_features, 1)
    check_amount("cluster_std", cluster_std)
    low, high = center_box
    if not low < high:
        raise ValueError(f"center_box must be (low, high) with low < high, got {center_box!r}")
    rng = random_generator(seed)
    centers = rng.uniform(low, high, size=(n_classes, n_features))
    y = np.repeat(np.arange(n_classes), equal_shares(n_samples, n_classes))
    X = centers[y] + cluster_std * rng.standard_normal((n_samples, n_features))
    return _shuffled(X, y, rng)


def make_xor(n_samples: int = 200, noise: float = 0.0, seed: Seed = None) -> tuple[np.ndarray, np.ndarray]:
    """Points uniform in the square [-1, 1]^2, labelled 1 where the two coordinates' signs differ.

    The classic problem a single perceptron cannot solve and one hidden layer can.
    ``noise`` (Gaussian, added after labelling) blurs the quadrant borders.
    """
    check_count("n_samples", n_samples, 1)
    _check_noise(noise)
    rng = random_generator(seed)
    X = rng.uniform(-1.0, 1.0, size=(n_samples, 2))
    y = (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(np.int64)
    X += noise * rng.standard_normal(X.shape)
    return X, y


def _shuffled(X: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The examples in random order, so a slice of the data holds every class."""
    order = rng.permutation(len(y))
    return X[order], y[order].astype(np.int64)
